-- Enrolled people for the comparison arms (operational records, people as the unit), per
-- cohort, learning group, department key, role and closeness, over the whole dataset: the
-- arms select rows in analysis/compare/. Department key as in the survey cells ('d:' and the
-- department, '#none' when not on record).
-- engaged: attended >= $engaged_share of the cohort's scheduled sessions, or, with no sessions,
-- active in >= $engaged_share of its planned weeks. participated: present at least once.
-- in_week: enrolled in a cohort whose planned weeks reach week $week (0 = the first week)
-- and whose week $week had started by the last attendance recorded; active_week: of those,
-- present (a session or LMS activity) in that week.
WITH horizon AS (
    SELECT max(session_date) AS last_day FROM attendance
),
present_in_week AS (
    SELECT DISTINCT a.person_key, a.cohort_id
    FROM attendance a
    JOIN cohorts c ON c.cohort_id = a.cohort_id
    WHERE a.attended
        AND date_diff('day', c.start_date, a.session_date) >= 7 * $week
        AND date_diff('day', c.start_date, a.session_date) < 7 * ($week + 1)
),
per_person AS (
    SELECT
        c.cohort_id,
        c.format,
        c.variant,
        c.program_id,
        CAST(date_trunc('month', c.start_date) AS DATE) AS month,
        e.group_id,
        CASE WHEN p.department IS NULL THEN '#none' ELSE 'd:' || p.department END AS department,
        CASE WHEN p.is_manager THEN 'leaders'
             WHEN NOT p.is_manager THEN 'individual contributors'
             ELSE 'unknown' END AS leadership,
        CASE WHEN c.format <> 'small_group' THEN 'not a small group'
             WHEN g.works_together THEN 'close colleagues'
             WHEN NOT g.works_together THEN 'mixed'
             ELSE 'unknown' END AS closeness,
        CASE
            WHEN c.scheduled_sessions > 0
                AND coalesce(d.sessions_attended, 0) >= $engaged_share * c.scheduled_sessions
                THEN 1
            WHEN c.scheduled_sessions = 0
                AND coalesce(d.active_weeks, 0) >= $engaged_share * c.planned_weeks THEN 1
            ELSE 0
        END AS engaged,
        CASE WHEN coalesce(d.sessions_attended, 0) + coalesce(d.active_weeks, 0) > 0 THEN 1
             ELSE 0 END AS participated,
        CASE WHEN e.completed_on IS NOT NULL THEN 1 ELSE 0 END AS completed,
        CASE WHEN c.planned_weeks > $week
                AND date_diff('day', c.start_date, h.last_day) >= 7 * $week THEN 1
             ELSE 0 END AS in_week,
        CASE WHEN w.person_key IS NOT NULL THEN 1 ELSE 0 END AS active
    FROM enrolments e
    JOIN cohorts c ON c.cohort_id = e.cohort_id
    CROSS JOIN horizon h
    LEFT JOIN current_groups g ON g.group_id = e.group_id
    LEFT JOIN people p ON p.person_key = e.person_key
    LEFT JOIN derived_presence d ON d.person_key = e.person_key AND d.cohort_id = e.cohort_id
    LEFT JOIN present_in_week w ON w.person_key = e.person_key AND w.cohort_id = e.cohort_id
)
SELECT
    cohort_id, format, variant, program_id, month, group_id, department, leadership, closeness,
    count(*) AS enrolled,
    sum(engaged) AS engaged,
    sum(participated) AS participated,
    sum(completed) AS completed,
    sum(in_week) AS in_week,
    sum(in_week * active) AS active_week
FROM per_person
GROUP BY cohort_id, format, variant, program_id, month, group_id, department, leadership,
    closeness
