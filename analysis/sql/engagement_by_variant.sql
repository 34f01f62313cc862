-- Engagement per format and variant, people as the unit.
-- engaged: attended >= $engaged_share of the cohort's scheduled sessions, or, where the cohort
-- has no sessions, active in >= $engaged_share of its planned weeks (LMS activity).
-- participated: attended or was active at least once. Denominator: enrolled people.
WITH presence AS (
    SELECT
        a.person_key,
        a.cohort_id,
        count(DISTINCT CASE WHEN a.kind = 'session' THEN a.session_date END) AS sessions_attended,
        count(DISTINCT CASE
            WHEN a.kind = 'activity' THEN floor((a.session_date - c.start_date) / 7)
        END) AS active_weeks
    FROM attendance a
    JOIN f_cohorts c ON c.cohort_id = a.cohort_id
    WHERE a.attended
    GROUP BY a.person_key, a.cohort_id
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
