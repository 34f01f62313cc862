-- Answers to each agreement-scale item in wave $wave, per format and answer value.
SELECT
    i.item_id,
    i.text AS item_text,
    i.role,
    r.format,
    CAST(a.value AS INTEGER) AS value,
    count(*) AS answers
FROM f_responses r
JOIN survey_answers a ON a.response_id = r.response_id
JOIN survey_items i ON i.item_id = a.item_id
WHERE r.wave = $wave AND i.scale = 'agree5' AND a.value BETWEEN 1 AND 5
GROUP BY i.item_id, i.text, i.role, r.format, CAST(a.value AS INTEGER)
