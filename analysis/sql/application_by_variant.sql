-- Self-reported application in one survey wave, per format and variant.
-- applied: the response answered an application item at or above its positive threshold
-- (top-2-box on a 5-point item, or "yes"). respondents: responses answering an application item.
-- enrolled: people enrolled in the cohorts surveyed in this wave (response-rate denominator).
-- unmatched: respondents who could not be matched to a person (counted, not joined per person).
WITH answered AS (
    SELECT
        r.response_id,
        r.format,
        r.variant,
        max(CASE WHEN r.person_key IS NULL THEN 1 ELSE 0 END) AS unmatched,
        max(CASE WHEN a.value >= i.positive_min THEN 1 ELSE 0 END) AS applied
    FROM f_responses r
    JOIN survey_answers a ON a.response_id = r.response_id
    JOIN survey_items i ON i.item_id = a.item_id
    WHERE r.wave = $wave AND i.role = 'application' AND a.value IS NOT NULL
    GROUP BY r.response_id, r.format, r.variant
),
by_variant AS (
    SELECT format, variant, count(*) AS respondents, sum(applied) AS applied,
           sum(unmatched) AS unmatched
    FROM answered
    GROUP BY format, variant
),
surveyed AS (
    SELECT DISTINCT cohort_id FROM f_responses WHERE wave = $wave
),
enrolled AS (
    SELECT e.format, e.variant, count(*) AS enrolled
    FROM f_enrolments e
    JOIN surveyed s ON s.cohort_id = e.cohort_id
    GROUP BY e.format, e.variant
)
SELECT
    coalesce(b.format, e.format) AS format,
    coalesce(b.variant, e.variant) AS variant,
    coalesce(b.respondents, 0) AS respondents,
    coalesce(b.applied, 0) AS applied,
    coalesce(b.unmatched, 0) AS unmatched,
    coalesce(e.enrolled, 0) AS enrolled
FROM by_variant b
FULL OUTER JOIN enrolled e ON e.format = b.format AND e.variant = b.variant
