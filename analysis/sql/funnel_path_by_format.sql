-- The funnel per format as a path, people as the unit: each step counts the enrolled people who
-- reached it AND every earlier step, so each step is a subset of the one before and the
-- step-to-step rate is a true proportion: enrolled → attended (at least once) → completed →
-- answered the follow-up survey in wave $wave → applied (self-reported, positive answer).
-- Only responses matched to an enrolled person can enter the funnel.
-- (funnel_by_format counts each step on its own; there people who answered without completing
-- make 'answered' larger than 'completed', which a step-to-step rate cannot show.)
WITH presence AS (
    -- enrolments with any attendance or activity (analysis/derived.py, per dataset version)
    SELECT person_key, cohort_id FROM derived_presence
),
answered AS (
    SELECT
        r.person_key,
        r.cohort_id,
        max(CASE WHEN a.value >= i.positive_min THEN 1 ELSE 0 END) AS applied
    FROM f_responses r
    JOIN survey_answers a ON a.response_id = r.response_id
    JOIN survey_items i ON i.item_id = a.item_id
    WHERE r.wave = $wave AND i.role = 'application' AND a.value IS NOT NULL
        AND r.person_key IS NOT NULL
    GROUP BY r.person_key, r.cohort_id
),
per_person AS (
    SELECT
        e.format,
        CASE WHEN p.person_key IS NOT NULL THEN 1 ELSE 0 END AS attended,
        CASE WHEN e.completed_on IS NOT NULL THEN 1 ELSE 0 END AS completed,
        CASE WHEN s.person_key IS NOT NULL THEN 1 ELSE 0 END AS answered,
        coalesce(s.applied, 0) AS applied
    FROM f_enrolments e
    LEFT JOIN presence p ON p.person_key = e.person_key AND p.cohort_id = e.cohort_id
    LEFT JOIN answered s ON s.person_key = e.person_key AND s.cohort_id = e.cohort_id
)
SELECT
    format,
    count(*) AS enrolled,
    sum(attended) AS attended,
    sum(attended * completed) AS completed,
    sum(attended * completed * answered) AS answered,
    sum(attended * completed * answered * applied) AS applied
FROM per_person
GROUP BY format
