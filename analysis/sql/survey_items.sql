-- The item catalogue: each survey item's text, role and scale.
SELECT item_id, text, role, scale, scale_min, scale_max, positive_min
FROM survey_items
ORDER BY item_id
