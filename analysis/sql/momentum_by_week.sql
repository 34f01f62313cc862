-- Active share by week since the cohort's start, per format and variant (people as the unit).
-- active: enrolled people who attended a session or were active (LMS) in that week.
-- enrolled: people enrolled in cohorts whose planned weeks reach that week, counting only
-- weeks that had started by the last attendance recorded (an unfinished cohort's future weeks
-- would otherwise pull the curve down).
WITH horizon AS (
    SELECT max(session_date) AS last_day FROM attendance
),
weeks AS (
    SELECT c.cohort_id, c.format, c.variant, w.week
    FROM f_cohorts c
    CROSS JOIN (SELECT range AS week FROM range(0, 53)) w
    CROSS JOIN horizon h
    WHERE w.week < c.planned_weeks
        AND c.start_date + CAST(7 * w.week AS INTEGER) <= h.last_day
),
enrolled AS (
    SELECT cohort_id, count(*) AS enrolled FROM f_enrolments GROUP BY cohort_id
),
active AS (
    -- enrolled people present per cohort and week (analysis/derived.py), summed over the
    -- departments the filter keeps
    SELECT d.cohort_id, d.week, sum(d.active) AS active
    FROM derived_weekly d
    JOIN f_cohorts c ON c.cohort_id = d.cohort_id
    WHERE NOT EXISTS (SELECT 1 FROM f_departments)
        OR d.department IN (SELECT department FROM f_departments)
    GROUP BY d.cohort_id, d.week
)
SELECT
    w.format,
    w.variant,
    w.week,
    sum(coalesce(a.active, 0)) AS active,
    sum(n.enrolled) AS enrolled
FROM weeks w
JOIN enrolled n ON n.cohort_id = w.cohort_id
LEFT JOIN active a ON a.cohort_id = w.cohort_id AND a.week = w.week
GROUP BY w.format, w.variant, w.week
