-- Completion per format and variant: completed / enrolled.
SELECT
    format,
    variant,
    count(*) AS enrolled,
    sum(CASE WHEN completed_on IS NOT NULL THEN 1 ELSE 0 END) AS completed
FROM f_enrolments
GROUP BY format, variant
