-- People enrolled in the cohorts surveyed in each follow-up wave (the response-rate
-- denominator), per wave, cohort and department key, in the privacy step's cells. Not filtered.
WITH surveyed AS (
    SELECT DISTINCT wave, cohort_id
    FROM survey_responses
    WHERE wave IN ('post', 'd30', 'd60', 'd90')
),
keyed AS (
    SELECT
        s.wave,
        e.cohort_id,
        CASE WHEN p.department IS NULL THEN '#none' ELSE 'd:' || p.department END AS department
    FROM enrolments e
    JOIN surveyed s ON s.cohort_id = e.cohort_id
    LEFT JOIN people p ON p.person_key = e.person_key
)
SELECT wave, cohort_id, department, count(*) AS enrolled
FROM keyed
GROUP BY wave, cohort_id, department
