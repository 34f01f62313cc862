"""Derived tables: aggregates of the raw rows, rebuilt once per dataset version when first used.

Several figures need each enrolment's attendance (sessions attended, active weeks) or the
people present per cohort and week; computing them once per import instead of once per query
keeps the Engagement page fast on large data. The department filter stays exact: the weekly
table keeps the department, and queries keep only the departments in `f_departments`.
"""

from __future__ import annotations

# name -> SQL over the base tables; a query uses it as the table `derived_<name>`.
DERIVED: dict[str, str] = {
    "presence": """
        WITH present AS (
            SELECT DISTINCT
                a.person_key,
                a.cohort_id,
                CASE WHEN a.kind = 'session' THEN a.session_date END AS session_day,
                CASE
                    WHEN a.kind = 'activity'
                        THEN floor(date_diff('day', c.start_date, a.session_date) / 7)
                END AS activity_week
            FROM attendance a
            JOIN cohorts c ON c.cohort_id = a.cohort_id
            WHERE a.attended
        )
        SELECT
            person_key,
            cohort_id,
            count(session_day) AS sessions_attended,
            count(activity_week) AS active_weeks
        FROM present
        GROUP BY person_key, cohort_id
    """,
    # Enrolled people present per cohort, department and week since the start. Each person has
    # one department (the people view), so summing over departments counts each person once.
    "weekly": """
        SELECT cohort_id, department, week, count(DISTINCT person_key) AS active
        FROM (
        SELECT
            a.cohort_id,
            p.department,
            CAST(floor(date_diff('day', c.start_date, a.session_date) / 7) AS INTEGER) AS week,
            a.person_key
        FROM attendance a
        JOIN cohorts c ON c.cohort_id = a.cohort_id
        JOIN enrolments e ON e.cohort_id = a.cohort_id AND e.person_key = a.person_key
        LEFT JOIN people p ON p.person_key = a.person_key
        WHERE a.attended AND a.session_date >= c.start_date
        ) AS present
        GROUP BY cohort_id, department, week
    """,
}


def needed(sql: str) -> list[str]:
    """The derived tables a query's text refers to."""
    return [name for name in DERIVED if f"derived_{name}" in sql]
