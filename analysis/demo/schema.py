"""The demo tables: their columns and DuckDB types, in CSV column order and load order."""

from __future__ import annotations

# Table -> column -> DuckDB type, in CSV column order and load order (import_id is added on load).
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "programs": {
        "program_id": "VARCHAR", "name": "VARCHAR", "topic": "VARCHAR", "goal": "VARCHAR",
        "cost_per_person": "DOUBLE", "hours": "DOUBLE",
    },
    "cohorts": {
        "cohort_id": "VARCHAR", "program_id": "VARCHAR", "name": "VARCHAR", "format": "VARCHAR",
        "variant": "VARCHAR", "start_date": "DATE", "end_date": "DATE",
        "scheduled_sessions": "INTEGER", "planned_weeks": "INTEGER",
    },
    "groups": {
        "group_id": "VARCHAR", "cohort_id": "VARCHAR", "name": "VARCHAR", "size": "INTEGER",
        "works_together": "BOOLEAN",
    },
    "people": {
        "person_key": "VARCHAR", "department": "VARCHAR", "team": "VARCHAR", "role": "VARCHAR",
        "is_manager": "BOOLEAN",
    },
    "enrolments": {
        "person_key": "VARCHAR", "cohort_id": "VARCHAR", "group_id": "VARCHAR",
        "enrolled_on": "DATE", "completed_on": "DATE",
    },
    "attendance": {
        "person_key": "VARCHAR", "cohort_id": "VARCHAR", "group_id": "VARCHAR", "kind": "VARCHAR",
        "session_date": "DATE", "attended": "BOOLEAN", "minutes": "DOUBLE",
    },
    "survey_items": {
        "item_id": "VARCHAR", "text": "VARCHAR", "role": "VARCHAR", "scale": "VARCHAR",
        "scale_min": "DOUBLE", "scale_max": "DOUBLE", "positive_min": "DOUBLE",
    },
    "survey_responses": {
        "response_id": "VARCHAR", "person_key": "VARCHAR", "cohort_id": "VARCHAR",
        "group_id": "VARCHAR", "wave": "VARCHAR", "submitted_at": "TIMESTAMP",
    },
    "survey_answers": {
        "response_id": "VARCHAR", "item_id": "VARCHAR", "value": "DOUBLE", "text": "VARCHAR",
    },
}  # fmt: skip
TABLES: tuple[str, ...] = tuple(TABLE_COLUMNS)
