-- Engagement per format and variant, people as the unit.
-- engaged: attended >= $engaged_share of the cohort's scheduled sessions, or, where the cohort
-- has no sessions, active in >= $engaged_share of its planned weeks (LMS activity).
-- participated: attended or was active at least once. Denominator: enrolled people.
-- The distinct session dates and activity weeks come from one DISTINCT pass over attendance and
-- are then counted per person and cohort. Two count(DISTINCT ...) aggregates over the raw rows
-- give the same result, but DuckDB runs them as two grouping passes plus a join back: at 1M
-- attendance rows (bench/pages_bench.py) that form took about a third longer.
WITH present AS (
    SELECT DISTINCT
        a.person_key,
        a.cohort_id,
        CASE WHEN a.kind = 'session' THEN a.session_date END AS session_day,
        CASE
            WHEN a.kind = 'activity' THEN floor((a.session_date - c.start_date) / 7)
        END AS activity_week
    FROM attendance a
    JOIN f_cohorts c ON c.cohort_id = a.cohort_id
    WHERE a.attended
),
presence AS (
    SELECT
        person_key,
        cohort_id,
        count(session_day) AS sessions_attended,
        count(activity_week) AS active_weeks
    FROM present
    GROUP BY person_key, cohort_id
),
per_person AS (
    SELECT
        e.format,
        e.variant,
        c.scheduled_sessions,
        c.planned_weeks,
        coalesce(p.sessions_attended, 0) AS sessions_attended,
        coalesce(p.active_weeks, 0) AS active_weeks
    FROM f_enrolments e
    JOIN f_cohorts c ON c.cohort_id = e.cohort_id
    LEFT JOIN presence p ON p.person_key = e.person_key AND p.cohort_id = e.cohort_id
)
SELECT
    format,
    variant,
    count(*) AS enrolled,
    sum(CASE
        WHEN scheduled_sessions > 0 AND sessions_attended >= $engaged_share * scheduled_sessions
            THEN 1
        WHEN scheduled_sessions = 0 AND active_weeks >= $engaged_share * planned_weeks THEN 1
        ELSE 0
    END) AS engaged,
    sum(CASE WHEN sessions_attended + active_weeks > 0 THEN 1 ELSE 0 END) AS participated
FROM per_person
GROUP BY format, variant
