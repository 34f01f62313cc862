-- Cost per enrolled person, per format and variant, from the programs' cost per person (where
-- a program carries one): enrolled people, how many of them are in a program with a cost, and
-- what those places cost in total. Operational data (enrolments), not survey answers.
SELECT
    e.format,
    e.variant,
    count(*) AS enrolled,
    count(pr.cost_per_person) AS enrolled_with_cost,
    sum(pr.cost_per_person) AS cost
FROM f_enrolments e
JOIN f_cohorts c ON c.cohort_id = e.cohort_id
JOIN programs pr ON pr.program_id = c.program_id
GROUP BY e.format, e.variant
