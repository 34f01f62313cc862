-- Answers to each agreement-scale or readiness item per wave, cohort and department key, one
-- count per answer value (v1..v6), in the privacy step's cells (analysis/privacy/measures.py).
-- Not filtered. A response answers an item at most once (the answers' primary key).
WITH keyed AS (
    SELECT
        r.wave,
        i.item_id,
        r.cohort_id,
        CASE WHEN r.person_key IS NULL THEN '#unmatched'
             WHEN p.department IS NULL THEN '#none'
             ELSE 'd:' || p.department END AS department,
        CAST(a.value AS INTEGER) AS value
    FROM survey_responses r
    JOIN survey_answers a ON a.response_id = r.response_id
    JOIN survey_items i ON i.item_id = a.item_id
    LEFT JOIN people p ON p.person_key = r.person_key
    WHERE (i.scale = 'agree5' AND a.value BETWEEN 1 AND 5)
        OR (i.role = 'readiness' AND a.value BETWEEN 1 AND 6)
)
SELECT
    wave,
    item_id,
    cohort_id,
    department,
    sum(CASE WHEN value = 1 THEN 1 ELSE 0 END) AS v1,
    sum(CASE WHEN value = 2 THEN 1 ELSE 0 END) AS v2,
    sum(CASE WHEN value = 3 THEN 1 ELSE 0 END) AS v3,
    sum(CASE WHEN value = 4 THEN 1 ELSE 0 END) AS v4,
    sum(CASE WHEN value = 5 THEN 1 ELSE 0 END) AS v5,
    sum(CASE WHEN value = 6 THEN 1 ELSE 0 END) AS v6
FROM keyed
GROUP BY wave, item_id, cohort_id, department
ORDER BY wave, item_id, cohort_id, department
