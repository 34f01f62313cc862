-- The cohorts, for the sidebar's cohort drill-down, by start date. Not filtered.
SELECT cohort_id, name, variant
FROM cohorts
ORDER BY start_date, name, cohort_id
