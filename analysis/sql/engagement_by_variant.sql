-- Engagement per format and variant, people as the unit.
-- engaged: attended >= $engaged_share of the cohort's scheduled sessions, or, where the cohort
-- has no sessions, active in >= $engaged_share of its planned weeks (LMS activity).
-- participated: attended or was active at least once. Denominator: enrolled people.
-- attended_completed: participated and completed (the Engagement funnel's third step, a path:
-- each step counts people who reached every step before it).
WITH presence AS (
    -- sessions attended and active weeks per enrolment (analysis/derived.py, per dataset version)
    SELECT person_key, cohort_id, sessions_attended, active_weeks FROM derived_presence
),
per_person AS (
    SELECT
        e.format,
        e.variant,
        c.scheduled_sessions,
        c.planned_weeks,
        coalesce(p.sessions_attended, 0) AS sessions_attended,
        coalesce(p.active_weeks, 0) AS active_weeks,
        CASE WHEN e.completed_on IS NOT NULL THEN 1 ELSE 0 END AS completed
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
    sum(CASE WHEN sessions_attended + active_weeks > 0 THEN 1 ELSE 0 END) AS participated,
    sum(CASE WHEN sessions_attended + active_weeks > 0 THEN completed ELSE 0 END)
        AS attended_completed
FROM per_person
GROUP BY format, variant
