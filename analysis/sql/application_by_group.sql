-- Application in wave $wave per learning group (each trio or book club as one unit).
SELECT
    r.format,
    r.variant,
    r.group_id,
    count(DISTINCT r.response_id) AS respondents,
    count(DISTINCT CASE WHEN a.value >= i.positive_min THEN r.response_id END) AS applied
FROM f_responses r
JOIN survey_answers a ON a.response_id = r.response_id
JOIN survey_items i ON i.item_id = a.item_id
WHERE r.wave = $wave AND i.role = 'application' AND a.value IS NOT NULL
    AND r.group_id IS NOT NULL
GROUP BY r.format, r.variant, r.group_id
