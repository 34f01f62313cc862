-- The funnel per format, people as the unit: enrolled → attended (at least once) → completed →
-- answered the follow-up survey in wave $wave → applied (self-reported, positive answer).
-- Only responses matched to an enrolled person can enter the funnel.
WITH presence AS (
    SELECT DISTINCT a.person_key, a.cohort_id
    FROM attendance a
    JOIN f_cohorts c ON c.cohort_id = a.cohort_id
    WHERE a.attended
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
)
SELECT
    e.format,
    count(*) AS enrolled,
    sum(CASE WHEN p.person_key IS NOT NULL THEN 1 ELSE 0 END) AS attended,
    sum(CASE WHEN e.completed_on IS NOT NULL THEN 1 ELSE 0 END) AS completed,
    sum(CASE WHEN s.person_key IS NOT NULL THEN 1 ELSE 0 END) AS answered,
    sum(coalesce(s.applied, 0)) AS applied
FROM f_enrolments e
LEFT JOIN presence p ON p.person_key = e.person_key AND p.cohort_id = e.cohort_id
LEFT JOIN answered s ON s.person_key = e.person_key AND s.cohort_id = e.cohort_id
GROUP BY e.format
