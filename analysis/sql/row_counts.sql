-- Rows per logical table (analysis/store.py COUNTED_TABLES), for the data-status panel.
SELECT 'people' AS t, count(*) AS n FROM people
UNION ALL SELECT 'programs', count(*) FROM programs
UNION ALL SELECT 'cohorts', count(*) FROM cohorts
UNION ALL SELECT 'groups', count(*) FROM groups
UNION ALL SELECT 'enrolments', count(*) FROM enrolments
UNION ALL SELECT 'attendance', count(*) FROM attendance
UNION ALL SELECT 'survey_items', count(*) FROM survey_items
UNION ALL SELECT 'survey_responses', count(*) FROM survey_responses
UNION ALL SELECT 'survey_answers', count(*) FROM survey_answers
