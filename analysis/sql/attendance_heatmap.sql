-- Cohort-by-week attendance: the share of a cohort's enrolled people present in each week.
WITH enrolled AS (
    SELECT cohort_id, count(*) AS enrolled FROM f_enrolments GROUP BY cohort_id
),
presence AS (
    -- enrolled people present per cohort and week (analysis/derived.py), summed over the
    -- departments the filter keeps
    SELECT d.cohort_id, d.week, sum(d.active) AS active
    FROM derived_weekly d
    WHERE NOT EXISTS (SELECT 1 FROM f_departments)
        OR d.department IN (SELECT department FROM f_departments)
    GROUP BY d.cohort_id, d.week
)
SELECT
    c.cohort_id,
    c.name AS cohort_name,
    c.format,
    c.variant,
    c.start_date,
    c.planned_weeks,
    p.week,
    p.active,
    n.enrolled
FROM f_cohorts c
JOIN enrolled n ON n.cohort_id = c.cohort_id
JOIN presence p ON p.cohort_id = c.cohort_id
WHERE p.week < c.planned_weeks
