-- Application in wave $wave by the segments the claims need, one row per combination:
-- relevance to current work (positive answer on a relevance item in the same or an earlier
-- wave of the same person and cohort), group size band, close colleagues or mixed, leader or not.
WITH app AS (
    SELECT
        r.response_id,
        r.person_key,
        r.cohort_id,
        r.group_id,
        r.format,
        r.variant,
        max(CASE WHEN a.value >= i.positive_min THEN 1 ELSE 0 END) AS applied
    FROM f_responses r
    JOIN survey_answers a ON a.response_id = r.response_id
    JOIN survey_items i ON i.item_id = a.item_id
    WHERE r.wave = $wave AND i.role = 'application' AND a.value IS NOT NULL
    GROUP BY r.response_id, r.person_key, r.cohort_id, r.group_id, r.format, r.variant
),
relevance AS (
    SELECT
        r.person_key,
        r.cohort_id,
        max(CASE WHEN a.value >= i.positive_min THEN 1 ELSE 0 END) AS relevant
    FROM survey_responses r
    JOIN survey_answers a ON a.response_id = r.response_id
    JOIN survey_items i ON i.item_id = a.item_id
    WHERE i.role = 'relevance' AND a.value IS NOT NULL AND r.person_key IS NOT NULL
    GROUP BY r.person_key, r.cohort_id
),
segmented AS (
SELECT
    app.format,
    app.variant,
    app.applied,
    CASE WHEN rel.relevant = 1 THEN 'relevant' WHEN rel.relevant = 0 THEN 'not relevant'
         ELSE 'unknown' END AS relevance,
    CASE WHEN g.size IS NULL THEN 'unknown'
         WHEN app.format <> 'small_group' THEN 'not a small group'
         WHEN g.size <= 3 THEN '2–3'
         WHEN g.size <= 6 THEN '4–6'
         ELSE '7 or more' END AS group_size,
    CASE WHEN app.format <> 'small_group' THEN 'not a small group'
         WHEN g.works_together THEN 'close colleagues'
         WHEN NOT g.works_together THEN 'mixed'
         ELSE 'unknown' END AS closeness,
    CASE WHEN p.is_manager THEN 'leaders' WHEN NOT p.is_manager THEN 'individual contributors'
         ELSE 'unknown' END AS leadership
FROM app
LEFT JOIN relevance rel ON rel.person_key = app.person_key AND rel.cohort_id = app.cohort_id
LEFT JOIN groups g ON g.group_id = app.group_id
LEFT JOIN people p ON p.person_key = app.person_key
)
SELECT format, variant, relevance, group_size, closeness, leadership,
       count(*) AS respondents, sum(applied) AS applied
FROM segmented
GROUP BY format, variant, relevance, group_size, closeness, leadership
