-- The last day any attendance or activity is recorded, over the whole dataset (not filtered):
-- weeks after it have not been run yet, so they are blank rather than zero attendance.
SELECT max(session_date) AS last_day
FROM attendance
WHERE attended
