-- People enrolled per cohort (the Data health page's response-rate denominator), under the one
-- department key of analysis/sql/health_cells_responses.sql. Not filtered.
SELECT cohort_id, '#all' AS department, count(*) AS enrolled
FROM enrolments
GROUP BY cohort_id
