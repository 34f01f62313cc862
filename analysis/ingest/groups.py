"""Learning groups after import: whether their members work together, read and set per group.

A group's flag comes from the file or form that created it, and can be changed later (by a
later file's "works together" column, or by hand on the Import page). Each change is recorded
as an import of its own (table group_settings), so the dataset version moves, the caches and
the privacy cells follow, and undo in the import history restores the value before it. The
view current_groups gives each group its latest value.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pandas as pd

from analysis.ingest.rows import yes_no
from analysis.store import Store

SETTINGS_KIND = "settings"
SETTINGS_FILE_NAME = "Groups: whether members work together"
# How a flag reads in words (None: not known).
WORKS_TOGETHER_WORDS: dict[bool | None, str] = {True: "yes", False: "no", None: "unknown"}


class _Unchanged(Exception):
    """Nothing to record: the transaction rolls back and the dataset version stays."""


def cohort_groups(store: Store, cohort_ids: list[str] | None = None) -> pd.DataFrame:
    """The groups of these cohorts (all cohorts when None) with their current flag.

    Columns: cohort_id, cohort, format, group_id, group, size, works_together (True, False or
    None); newest cohorts first, groups by name.
    """
    where = "" if cohort_ids is None else "WHERE c.cohort_id IN (SELECT unnest($ids))"
    df = store.query(
        'SELECT c.cohort_id, c.name AS cohort, c.format, g.group_id, g.name AS "group", '
        "g.size, g.works_together FROM current_groups g "
        f"JOIN cohorts c ON c.cohort_id = g.cohort_id {where} "
        "ORDER BY c.start_date DESC, c.name, c.cohort_id, g.name, g.group_id",
        {"ids": list(cohort_ids)} if cohort_ids is not None else None,
    )
    flags = df["works_together"].astype(object)
    df["works_together"] = flags.where(flags.notna(), None)
    return df


def import_cohorts(store: Store, import_id: int) -> list[str]:
    """The cohorts one import created or added rows to."""
    df = store.query(
        """
        SELECT DISTINCT cohort_id FROM (
            SELECT cohort_id FROM cohorts WHERE import_id = $i
            UNION ALL SELECT cohort_id FROM groups WHERE import_id = $i
            UNION ALL SELECT cohort_id FROM enrolment_records WHERE import_id = $i
            UNION ALL SELECT cohort_id FROM attendance WHERE import_id = $i
            UNION ALL SELECT cohort_id FROM survey_responses WHERE import_id = $i
            UNION ALL SELECT g.cohort_id FROM group_settings s
                JOIN groups g ON g.group_id = s.group_id WHERE s.import_id = $i
        ) ORDER BY cohort_id
        """,
        {"i": int(import_id)},
    )
    return df["cohort_id"].tolist()


def set_works_together(store: Store, settings: Mapping[str, bool | None]) -> int | None:
    """Record whether each group's members work together (None: unknown), in one transaction.

    Only groups whose current value changes are recorded. Returns the id of the import that
    records the change (undo it in the import history to go back), or None when nothing
    changed. Raises ValueError for a group that does not exist.
    """
    for group_id, value in settings.items():
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"group {group_id!r}: works together must be yes, no or unknown")
    try:
        with store.transaction() as cur:
            current = {
                g: (None if w is None else bool(w), demo)
                for g, w, demo in cur.execute(
                    "SELECT g.group_id, g.works_together, coalesce(i.is_demo, FALSE) "
                    "FROM current_groups g LEFT JOIN imports i ON i.import_id = g.import_id "
                    "WHERE g.group_id IN (SELECT unnest(?))",
                    [list(settings)],
                ).fetchall()
            }
            missing = sorted(set(settings) - set(current))
            if missing:
                raise ValueError(f"no group {', '.join(map(repr, missing))} in the database")
            changes = {g: v for g, v in settings.items() if current[g][0] != v}
            if not changes:
                raise _Unchanged
            # Settings on demo groups only are demo data too: removing the demo removes them.
            demo = all(current[g][1] for g in changes)
            import_id = store.new_import(
                cur, SETTINGS_KIND, file_name=SETTINGS_FILE_NAME, is_demo=demo
            )
            cur.executemany(
                "INSERT INTO group_settings (group_id, works_together, import_id) VALUES (?, ?, ?)",
                [[g, v, import_id] for g, v in sorted(changes.items())],
            )
            summary = {"counts": {"group_settings": len(changes)}, "rejected": 0, "notes": []}
            cur.execute(
                "UPDATE imports SET rows_written = ?, summary_json = ? WHERE import_id = ?",
                [len(changes), json.dumps(summary), import_id],
            )
    except _Unchanged:
        return None
    return import_id


def flags_from_column(
    groups: pd.Series, values: pd.Series
) -> tuple[dict[str, bool], dict[str, list[str]]]:
    """Per group: whether its members work together, from a yes/no column, taken per group.

    `groups` holds each row's group id (None: no group), `values` the column. Blank values
    say nothing. A group gets a flag only when its other values all read as the same yes or
    no; where they disagree or hold something else, the group is listed with the distinct
    values it holds (and gets no flag: never guessed).
    """
    text = values.astype(object).where(values.notna(), None)
    text = text.map(lambda v: None if v is None or not str(v).strip() else str(v).strip())
    read = yes_no(text)
    flags: dict[str, bool] = {}
    unclear: dict[str, list[str]] = {}
    frame = pd.DataFrame({"g": groups, "text": text, "read": read})
    frame = frame[frame["g"].notna() & frame["text"].notna()]
    for group_id, rows in frame.groupby("g", sort=True):
        said = set(rows["read"])
        if len(said) == 1 and None not in said:
            flags[str(group_id)] = bool(said.pop())
        else:
            unclear[str(group_id)] = sorted(set(rows["text"]), key=str.casefold)
    return flags, unclear


__all__ = [
    "WORKS_TOGETHER_WORDS",
    "cohort_groups",
    "flags_from_column",
    "import_cohorts",
    "set_works_together",
]
