-- The operational part of the funnel per format, people as the unit: enrolled → attended (at
-- least once) → completed, each step counting the people who reached it AND every earlier step.
-- The survey steps (answered the follow-up, applied) come from the privacy step
-- (survey_cells_application.sql, level funnel_path = 'completed'), never from here.
WITH presence AS (
    -- enrolments with any attendance or activity (analysis/derived.py, per dataset version)
    SELECT person_key, cohort_id FROM derived_presence
),
per_person AS (
    SELECT
        e.format,
        CASE WHEN p.person_key IS NOT NULL THEN 1 ELSE 0 END AS attended,
        CASE WHEN e.completed_on IS NOT NULL THEN 1 ELSE 0 END AS completed
    FROM f_enrolments e
    LEFT JOIN presence p ON p.person_key = e.person_key AND p.cohort_id = e.cohort_id
)
SELECT
    format,
    count(*) AS enrolled,
    sum(attended) AS attended,
    sum(attended * completed) AS completed
FROM per_person
GROUP BY format
