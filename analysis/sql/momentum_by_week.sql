-- Active share by week since the cohort's start, per format and variant (people as the unit).
-- active: enrolled people who attended a session or were active (LMS) in that week.
-- enrolled: people enrolled in cohorts whose planned weeks reach that week, counting only
-- weeks that had started by the last attendance recorded (an unfinished cohort's future weeks
-- would otherwise pull the curve down).
WITH horizon AS (
    SELECT max(session_date) AS last_day FROM attendance
),
-- weeks 0 to 52 from two digits (VALUES carries over to every dialect; range() does not)
digits AS (
    SELECT d FROM (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS t(d)
),
week_numbers AS (
    SELECT CAST(tens.d * 10 + ones.d AS BIGINT) AS week
    FROM digits tens CROSS JOIN digits ones
    WHERE tens.d * 10 + ones.d < 53
),
weeks AS (
    SELECT c.cohort_id, c.format, c.variant, w.week
    FROM f_cohorts c
    CROSS JOIN week_numbers w
    CROSS JOIN horizon h
    WHERE w.week < c.planned_weeks
        AND date_diff('day', c.start_date, h.last_day) >= 7 * w.week
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
