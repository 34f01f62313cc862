-- Answers to each agreement-scale or readiness item per wave, cohort, department key and
-- answer value, in the privacy step's cells (analysis/privacy/measures.py). Not filtered.
WITH keyed AS (
    SELECT
        r.wave,
        i.item_id,
        r.cohort_id,
        CASE WHEN r.person_key IS NULL THEN '#unmatched'
             WHEN p.department IS NULL THEN '#none'
             ELSE 'd:' || p.department END AS department,
        CAST(a.value AS INTEGER) AS value,
        r.response_id
    FROM survey_responses r
    JOIN survey_answers a ON a.response_id = r.response_id
    JOIN survey_items i ON i.item_id = a.item_id
    LEFT JOIN people p ON p.person_key = r.person_key
    WHERE (i.scale = 'agree5' AND a.value BETWEEN 1 AND 5)
        OR (i.role = 'readiness' AND a.value BETWEEN 1 AND 6)
)
SELECT wave, item_id, cohort_id, department, value, count(DISTINCT response_id) AS answers
FROM keyed
GROUP BY wave, item_id, cohort_id, department, value
