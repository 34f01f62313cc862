-- Per cohort, what operational data exists (Data health page, analysis/health.py): its program,
-- dates and plan; people enrolled and with a completion date; people and session days with
-- attendance (session days counted per group: the fullest group and the emptiest); LMS activity;
-- groups, and groups whose members' closeness (works together) is unknown. Not survey data.
WITH enrolled AS (
    SELECT
        cohort_id,
        count(*) AS enrolled,
        count(completed_on) AS completed,
        count(CASE WHEN p.person_key IS NULL OR p.department IS NULL THEN 1 END) AS no_department,
        count(CASE WHEN p.person_key IS NULL OR p.is_manager IS NULL THEN 1 END) AS no_manager_flag
    FROM enrolments e
    LEFT JOIN people p USING (person_key)
    GROUP BY cohort_id
),
days AS (
    SELECT cohort_id, group_id, count(DISTINCT session_date) AS session_days
    FROM attendance
    WHERE kind = 'session'
    GROUP BY cohort_id, group_id
),
per_cohort_days AS (
    SELECT cohort_id, max(session_days) AS most_days, min(session_days) AS fewest_days
    FROM days
    GROUP BY cohort_id
),
presence AS (
    SELECT
        cohort_id,
        count(DISTINCT CASE WHEN kind = 'session' THEN person_key END) AS attendees,
        count(DISTINCT CASE WHEN kind = 'activity' THEN person_key END) AS active_people
    FROM attendance
    WHERE attended
    GROUP BY cohort_id
),
grouped AS (
    SELECT
        cohort_id,
        count(*) AS n_groups,
        count(CASE WHEN works_together IS NULL THEN 1 END) AS closeness_unknown
    FROM current_groups
    GROUP BY cohort_id
)
SELECT
    c.cohort_id,
    c.name AS cohort_name,
    c.program_id,
    pr.name AS program_name,
    c.format,
    c.variant,
    c.start_date,
    c.end_date,
    c.scheduled_sessions,
    c.planned_weeks,
    coalesce(e.enrolled, 0) AS enrolled,
    coalesce(e.completed, 0) AS completed,
    coalesce(e.no_department, 0) AS no_department,
    coalesce(e.no_manager_flag, 0) AS no_manager_flag,
    coalesce(d.most_days, 0) AS most_days,
    coalesce(d.fewest_days, 0) AS fewest_days,
    coalesce(p.attendees, 0) AS attendees,
    coalesce(p.active_people, 0) AS active_people,
    coalesce(g.n_groups, 0) AS n_groups,
    coalesce(g.closeness_unknown, 0) AS closeness_unknown
FROM cohorts c
JOIN programs pr ON pr.program_id = c.program_id
LEFT JOIN enrolled e ON e.cohort_id = c.cohort_id
LEFT JOIN per_cohort_days d ON d.cohort_id = c.cohort_id
LEFT JOIN presence p ON p.cohort_id = c.cohort_id
LEFT JOIN grouped g ON g.cohort_id = c.cohort_id
ORDER BY pr.name, c.start_date, c.name
