-- Readiness (Thalheimer's six options, values 1..6) in wave $wave: respondents per option.
SELECT
    r.format,
    CAST(a.value AS INTEGER) AS option,
    count(DISTINCT r.response_id) AS respondents
FROM f_responses r
JOIN survey_answers a ON a.response_id = r.response_id
JOIN survey_items i ON i.item_id = a.item_id
WHERE r.wave = $wave AND i.role = 'readiness' AND a.value BETWEEN 1 AND 6
GROUP BY r.format, CAST(a.value AS INTEGER)
