-- The departments on record, for the sidebar's department filter. Not filtered.
SELECT DISTINCT department
FROM people
WHERE department IS NOT NULL
ORDER BY department
