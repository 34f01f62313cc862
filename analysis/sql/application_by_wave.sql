-- Self-reported application in every follow-up wave at once, per wave, format and variant
-- (one scan instead of one query per wave). Same definitions as application_by_variant:
-- applied = an application item at or above its positive threshold; respondents = responses
-- answering an application item; enrolled = people enrolled in the cohorts surveyed in that
-- wave (the response-rate denominator); unmatched = responses not matched to a person.
WITH answered AS (
    SELECT
        r.response_id,
        r.wave,
        r.format,
        r.variant,
        max(CASE WHEN r.person_key IS NULL THEN 1 ELSE 0 END) AS unmatched,
        max(CASE WHEN a.value >= i.positive_min THEN 1 ELSE 0 END) AS applied
    FROM f_responses r
    JOIN survey_answers a ON a.response_id = r.response_id
    JOIN survey_items i ON i.item_id = a.item_id
    WHERE r.wave IN ('post', 'd30', 'd60', 'd90')
        AND i.role = 'application' AND a.value IS NOT NULL
    GROUP BY r.response_id, r.wave, r.format, r.variant
),
by_variant AS (
    SELECT wave, format, variant, count(*) AS respondents, sum(applied) AS applied,
           sum(unmatched) AS unmatched
    FROM answered
    GROUP BY wave, format, variant
),
surveyed AS (
    SELECT DISTINCT wave, cohort_id FROM f_responses WHERE wave IN ('post', 'd30', 'd60', 'd90')
),
enrolled AS (
    SELECT s.wave, e.format, e.variant, count(*) AS enrolled
    FROM f_enrolments e
    JOIN surveyed s ON s.cohort_id = e.cohort_id
    GROUP BY s.wave, e.format, e.variant
)
SELECT
    coalesce(b.wave, e.wave) AS wave,
    coalesce(b.format, e.format) AS format,
    coalesce(b.variant, e.variant) AS variant,
    coalesce(b.respondents, 0) AS respondents,
    coalesce(b.applied, 0) AS applied,
    coalesce(b.unmatched, 0) AS unmatched,
    coalesce(e.enrolled, 0) AS enrolled
FROM by_variant b
FULL OUTER JOIN enrolled e
    ON e.wave = b.wave AND e.format = b.format AND e.variant = b.variant
