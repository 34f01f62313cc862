"""Programs, cohorts and groups as the Programs page lists them, where their data came from,
and the edits and merges made to them."""

from __future__ import annotations

import pandas as pd

from analysis.ingest.linking import name_key
from analysis.programs.changes import CHANGE_KINDS
from analysis.store import Store

_KINDS = {"kinds": list(CHANGE_KINDS)}


def programs(store: Store) -> pd.DataFrame:
    """Every program with its fields, number of cohorts and people enrolled; by name."""
    return store.query(
        """
        SELECT p.program_id, p.name, p.goal, p.cost_per_person, p.hours,
            count(DISTINCT c.cohort_id) AS cohorts,
            count(DISTINCT e.person_key) AS enrolled
        FROM programs p
        LEFT JOIN cohorts c ON c.program_id = p.program_id
        LEFT JOIN enrolments e ON e.cohort_id = c.cohort_id
        GROUP BY p.program_id, p.name, p.goal, p.cost_per_person, p.hours
        ORDER BY lower(p.name), p.program_id
        """
    )


def cohorts(store: Store) -> pd.DataFrame:
    """Every cohort with its fields, program name, groups and people enrolled; newest first."""
    return store.query(
        """
        SELECT c.cohort_id, c.name, c.program_id, p.name AS program, c.format, c.variant,
            c.start_date, c.end_date, c.scheduled_sessions, c.planned_weeks,
            (SELECT count(*) FROM groups g WHERE g.cohort_id = c.cohort_id) AS groups,
            (SELECT count(*) FROM enrolments e WHERE e.cohort_id = c.cohort_id) AS enrolled
        FROM cohorts c LEFT JOIN programs p ON p.program_id = c.program_id
        ORDER BY c.start_date DESC, lower(c.name), c.cohort_id
        """
    )


def groups(store: Store, cohort_id: str) -> pd.DataFrame:
    """One cohort's groups with their current fields (works_together True, False or None)."""
    df = store.query(
        "SELECT group_id, name, size, works_together FROM current_groups "
        "WHERE cohort_id = $c ORDER BY lower(name), group_id",
        {"c": cohort_id},
    )
    flags = df["works_together"].astype(object)
    df["works_together"] = flags.where(flags.notna(), None)
    return df


# Rows each import holds in a set of cohorts (files only: edits and merges are listed apart).
_FED_SQL = """
WITH mine AS (SELECT unnest($ids) AS cohort_id),
fed AS (
    SELECT import_id, count(*) AS attendance, 0 AS enrolments, 0 AS responses, 0 AS made
    FROM attendance WHERE cohort_id IN (SELECT cohort_id FROM mine) GROUP BY import_id
    UNION ALL SELECT import_id, 0, count(*), 0, 0 FROM enrolment_records
    WHERE cohort_id IN (SELECT cohort_id FROM mine) GROUP BY import_id
    UNION ALL SELECT import_id, 0, 0, count(*), 0 FROM survey_responses
    WHERE cohort_id IN (SELECT cohort_id FROM mine) GROUP BY import_id
    UNION ALL SELECT import_id, 0, 0, 0, count(*) FROM cohorts
    WHERE cohort_id IN (SELECT cohort_id FROM mine) GROUP BY import_id
    UNION ALL SELECT import_id, 0, 0, 0, 0 FROM programs WHERE program_id = $program
)
SELECT i.import_id, i.file_name, i.kind, i.tool, i.imported_at, i.is_demo,
    sum(f.attendance)::BIGINT AS attendance, sum(f.enrolments)::BIGINT AS enrolments,
    sum(f.responses)::BIGINT AS responses,
    (sum(f.attendance) + sum(f.enrolments) + sum(f.responses))::BIGINT AS "rows",
    sum(f.made) > 0 AS created
FROM fed f JOIN imports i ON i.import_id = f.import_id
WHERE i.kind NOT IN (SELECT unnest($kinds))
GROUP BY ALL ORDER BY i.import_id
"""


def cohort_sources(store: Store, cohort_id: str) -> pd.DataFrame:
    """The imports that feed one cohort: file name, kind, tool, date, and its rows there
    (attendance, enrolment records and survey responses), oldest first."""
    return store.query(_FED_SQL, {"ids": [cohort_id], "program": None, **_KINDS})


def program_sources(store: Store, program_id: str) -> pd.DataFrame:
    """The imports that feed one program (its own row and every cohort of it)."""
    ids = store.query("SELECT cohort_id FROM cohorts WHERE program_id = $p", {"p": program_id})
    return store.query(
        _FED_SQL, {"ids": ids["cohort_id"].tolist(), "program": program_id, **_KINDS}
    )


def source_words(row: pd.Series | dict) -> str:
    """One source in words (without markup): 'roster.csv · 2026-12-03 · 120 rows (…)'."""
    parts = []
    for n, what in ((row["attendance"], "attendance"), (row["enrolments"], "enrolments"),
                    (row["responses"], "survey responses")):  # fmt: skip
        if n:
            parts.append(f"{int(n):,} {what}")
    rows = f"{int(row['rows']):,} rows" + (f" ({', '.join(parts)})" if parts else "")
    name = row["file_name"] if isinstance(row["file_name"], str) else f"import {row['import_id']}"
    made = " · created it" if row["created"] else ""
    return f"{name} · {row['imported_at']:%Y-%m-%d} · {rows}{made}"


def history(store: Store) -> pd.DataFrame:
    """Edits and merges, newest first: id, what they did (in words), when, demo or not."""
    return store.query(
        "SELECT i.import_id, i.kind, i.file_name, i.imported_at, i.is_demo, i.rows_written "
        "FROM imports i WHERE i.kind IN (SELECT unnest($kinds)) ORDER BY i.import_id DESC",
        _KINDS,
    )


def same_names(frame: pd.DataFrame, key: str) -> list[tuple[str, str]]:
    """Pairs of ids whose names are the same but for case and spacing: likely duplicates
    (as the Import page compares names), in the frame's order."""
    seen: dict[str, str] = {}
    pairs = []
    for ident, name in zip(frame[key], frame["name"], strict=True):
        k = name_key(name)
        if k in seen:
            pairs.append((seen[k], ident))
        else:
            seen[k] = ident
    return pairs
