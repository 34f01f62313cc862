-- Every cohort's place in the privacy step's tree: format, variant, program, start month.
SELECT
    c.cohort_id,
    c.format,
    c.variant,
    c.program_id,
    CAST(date_trunc('month', c.start_date) AS DATE) AS month
FROM cohorts c
