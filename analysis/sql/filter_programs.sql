-- The programs, for the sidebar's program filter and for names in footers. Not filtered.
SELECT program_id, name
FROM programs
ORDER BY name, program_id
