-- Application answers in every follow-up wave, in the privacy step's finest cells: per wave,
-- cohort, department key, learning group and segment levels (analysis/privacy/measures.py).
-- Not filtered: the privacy step selects whole cells for a view. Department key: 'd:' and the
-- department; '#unmatched' for answers not matched to a person; '#none' for people with no
-- department on record. Levels as in application_segments.sql; 'unknown' is a level too.
-- motivation: 'motivated' when the person's answer to a motivation item (e.g. "I chose this
-- learning myself") in any wave of the cohort is positive (the comparison arms' segment).
-- funnel_path: 'completed' when the respondent is enrolled in the cohort, attended or was
-- active at least once and completed (the Engagement funnel's path), else 'did not complete',
-- or 'not matched' for an answer with no person.
-- A response's learning group: the one stored with it (the file named it), else the group of
-- the respondent's enrolment in the cohort, else the cohort's only group. Resolved here, not at
-- import, so a survey imported before the enrolment list gets its groups once the list is in.
WITH sole_group AS (
    SELECT cohort_id, min(group_id) AS group_id
    FROM groups
    GROUP BY cohort_id
    HAVING count(*) = 1
),
grouped AS (
    SELECT
        r.response_id,
        r.wave,
        r.person_key,
        r.cohort_id,
        coalesce(r.group_id, e.group_id, s.group_id) AS group_id
    FROM survey_responses r
    LEFT JOIN enrolments e ON e.person_key = r.person_key AND e.cohort_id = r.cohort_id
    LEFT JOIN sole_group s ON s.cohort_id = r.cohort_id
),
app AS (
    SELECT
        r.response_id,
        r.wave,
        r.person_key,
        r.cohort_id,
        r.group_id,
        max(CASE WHEN a.value >= i.positive_min THEN 1 ELSE 0 END) AS applied
    FROM grouped r
    JOIN survey_answers a ON a.response_id = r.response_id
    JOIN survey_items i ON i.item_id = a.item_id
    WHERE r.wave IN ('post', 'd30', 'd60', 'd90')
        AND i.role = 'application' AND a.value IS NOT NULL
    GROUP BY r.response_id, r.wave, r.person_key, r.cohort_id, r.group_id
),
-- Each person's relevance and motivation marks in the cohort (NULL: no such answer).
marks AS (
    SELECT
        r.person_key,
        r.cohort_id,
        max(CASE WHEN i.role = 'relevance'
                 THEN CASE WHEN a.value >= i.positive_min THEN 1 ELSE 0 END END) AS relevant,
        max(CASE WHEN i.role = 'motivation'
                 THEN CASE WHEN a.value >= i.positive_min THEN 1 ELSE 0 END END) AS motivated
    FROM survey_responses r
    JOIN survey_answers a ON a.response_id = r.response_id
    JOIN survey_items i ON i.item_id = a.item_id
    WHERE i.role IN ('relevance', 'motivation') AND a.value IS NOT NULL
        AND r.person_key IS NOT NULL
    GROUP BY r.person_key, r.cohort_id
),
segmented AS (
    SELECT
        app.wave,
        app.cohort_id,
        CASE WHEN app.person_key IS NULL THEN '#unmatched'
             WHEN p.department IS NULL THEN '#none'
             ELSE 'd:' || p.department END AS department,
        coalesce(app.group_id, '') AS group_id,
        CASE WHEN m.relevant = 1 THEN 'relevant' WHEN m.relevant = 0 THEN 'not relevant'
             ELSE 'unknown' END AS relevance,
        CASE WHEN m.motivated = 1 THEN 'motivated' WHEN m.motivated = 0 THEN 'not motivated'
             ELSE 'unknown' END AS motivation,
        CASE WHEN c.format <> 'small_group' THEN 'not a small group'
             WHEN g.size IS NULL THEN 'unknown'
             WHEN g.size <= 3 THEN '2–3'
             WHEN g.size <= 6 THEN '4–6'
             ELSE '7 or more' END AS group_size,
        CASE WHEN c.format <> 'small_group' THEN 'not a small group'
             WHEN g.works_together THEN 'close colleagues'
             WHEN NOT g.works_together THEN 'mixed'
             ELSE 'unknown' END AS closeness,
        CASE WHEN p.is_manager THEN 'leaders'
             WHEN NOT p.is_manager THEN 'individual contributors'
             ELSE 'unknown' END AS leadership,
        CASE WHEN app.person_key IS NULL THEN 'not matched'
             WHEN EXISTS (
                 SELECT 1 FROM enrolments e JOIN derived_presence d
                     ON d.person_key = e.person_key AND d.cohort_id = e.cohort_id
                 WHERE e.person_key = app.person_key AND e.cohort_id = app.cohort_id
                     AND e.completed_on IS NOT NULL
             ) THEN 'completed'
             ELSE 'did not complete' END AS funnel_path,
        app.applied,
        CASE WHEN app.person_key IS NULL THEN 1 ELSE 0 END AS unmatched
    FROM app
    JOIN cohorts c ON c.cohort_id = app.cohort_id
    LEFT JOIN marks m ON m.person_key = app.person_key AND m.cohort_id = app.cohort_id
    LEFT JOIN current_groups g ON g.group_id = app.group_id
    LEFT JOIN people p ON p.person_key = app.person_key
)
SELECT
    wave, cohort_id, department, group_id, relevance, motivation, group_size, closeness,
    leadership, funnel_path,
    count(*) AS respondents,
    sum(applied) AS applied,
    sum(unmatched) AS unmatched
FROM segmented
GROUP BY wave, cohort_id, department, group_id, relevance, motivation, group_size, closeness,
    leadership, funnel_path
