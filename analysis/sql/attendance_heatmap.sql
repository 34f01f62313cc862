-- Cohort-by-week attendance: the share of a cohort's enrolled people present in each week.
WITH enrolled AS (
    SELECT cohort_id, count(*) AS enrolled FROM f_enrolments GROUP BY cohort_id
),
presence AS (
    SELECT
        a.cohort_id,
        CAST(floor((a.session_date - c.start_date) / 7) AS INTEGER) AS week,
        count(DISTINCT a.person_key) AS active
    FROM attendance a
    JOIN f_cohorts c ON c.cohort_id = a.cohort_id
    JOIN f_enrolments e ON e.cohort_id = a.cohort_id AND e.person_key = a.person_key
    WHERE a.attended AND a.session_date >= c.start_date
    GROUP BY a.cohort_id, week
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
