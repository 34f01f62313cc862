-- Survey responses per wave and cohort, for the Data health page's response rates: every
-- response with at least one answer counts, whatever it answered. One department key for the
-- whole cohort ('#all'): the page counts whole cohorts, never a department's responses. Not
-- filtered: the privacy step (analysis/privacy/measures.responses) selects whole cells.
SELECT
    r.wave,
    r.cohort_id,
    '#all' AS department,
    count(*) AS respondents,
    count(CASE WHEN r.person_key IS NULL THEN 1 END) AS unmatched
FROM survey_responses r
WHERE EXISTS (SELECT 1 FROM survey_answers a WHERE a.response_id = r.response_id)
GROUP BY r.wave, r.cohort_id
