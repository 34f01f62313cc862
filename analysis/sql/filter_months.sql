-- The cohort start months, for the sidebar's month range. Not filtered.
SELECT DISTINCT CAST(date_trunc('month', start_date) AS DATE) AS m
FROM cohorts
ORDER BY m
