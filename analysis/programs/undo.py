"""Undoing an edit or a merge (analysis/programs/changes.py), and what blocks an undo.

An edit's fields go back to their values before it. A merge's folded program or cohort comes
back from merged_programs / merged_cohorts with what it held: a cohort its groups (and every row
in them), its responses without a group and its set-aside enrolments; a program its cohorts.
Changes that touched the same program, cohort or group undo in reverse order; an import cannot
be undone while a change builds on what it created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from analysis.programs.changes import COHORT_ROWS, current, move_rows, write_fields
from analysis.programs.fields import KEY, TABLE, from_json
from analysis.store import Store


@dataclass(frozen=True)
class Change:
    """One row of `edits`."""

    change_id: int
    entity: str
    target: str
    merged: str | None
    before: dict
    after: dict
    moved: dict | None


def _change(cur, change_id: int) -> Change | None:
    row = cur.execute(
        "SELECT import_id, entity, target_id, merged_id, before_json, after_json, moved_json "
        "FROM edits WHERE import_id = ?",
        [change_id],
    ).fetchone()
    if row is None:
        return None
    entity = row[1]
    return Change(
        row[0],
        entity,
        row[2],
        row[3],
        from_json(entity, json.loads(row[4])),
        from_json(entity, json.loads(row[5])),
        json.loads(row[6]) if row[6] else None,
    )


def touched(change: Change) -> set[tuple[str, str]]:
    """What a change touched, as (entity, id): the one it changed or kept, the one it folded,
    the groups or cohorts it moved, and the programs a cohort left or joined."""
    out = {(change.entity, k) for k in (change.target, change.merged) if k}
    moved = change.moved or {}
    out |= {("group", g) for g in moved.get("groups", [])}
    out |= {("cohort", c) for c in moved.get("cohorts", [])}
    for values in (change.before, change.after):
        if change.entity == "cohort" and values.get("program_id"):
            out.add(("program", values["program_id"]))
    return out


def later_changes(cur, change: Change) -> list[int]:
    """Later edits or merges that touched anything this one touched (to undo first)."""
    mine = touched(change)
    later = cur.execute(
        "SELECT import_id FROM edits WHERE import_id > ? ORDER BY import_id", [change.change_id]
    ).fetchall()
    return [i for (i,) in later if touched(_change(cur, i)) & mine]


def undo_change(store: Store, change_id: int) -> int:
    """Undo one edit or merge: the fields go back, a merge's folded one comes back with its rows.

    Refused while a later edit or merge touched the same program, cohort or group (see
    `touched`). Returns the number of rows put back (fields restored count as one row).
    """
    with store.transaction() as cur:
        change = _change(cur, change_id)
        if change is None:
            raise ValueError(f"change {change_id} is not an edit or a merge")
        later = later_changes(cur, change)
        if later:
            raise ValueError(
                f"changes {', '.join(map(str, later))} came later and changed the same "
                "programs, cohorts or groups: undo them first"
            )
        if current(cur, change.entity, change.target) is None:
            raise ValueError(f"the {change.entity} this change made is gone")
        back = {f: v for f, v in change.before.items() if f != "works_together"}
        if back:
            write_fields(cur, change.entity, change.target, back, change_id)
        restored = 1
        waves = (change.moved or {}).get("waves") if not change.merged else None
        if waves:  # the waves a date edit worked out again go back to theirs
            cur.register(
                "old_waves",
                pd.DataFrame({"response_id": list(waves), "wave": list(waves.values())}),
            )
            restored += cur.execute(
                "UPDATE survey_responses SET wave = o.wave FROM old_waves o "
                "WHERE survey_responses.response_id = o.response_id"
            ).fetchone()[0]
            cur.unregister("old_waves")
        if change.merged and change.entity == "cohort":
            restored += _unmerge_cohort(cur, change)
        elif change.merged:
            restored += _unmerge_program(cur, change)
        store.delete_import(cur, change_id)  # its edits row, its group_settings rows, itself
    return restored


def _refuse_if_back(cur, entity: str, key: str) -> None:
    """The folded one cannot come back while an import made one with its id again."""
    row = cur.execute(
        f"SELECT name, import_id FROM {TABLE[entity]} WHERE {KEY[entity]} = ?", [key]
    ).fetchone()
    if row:
        raise ValueError(
            f"import {row[1]} created the {entity} “{row[0]}” again since the merge: "
            "undo that import first"
        )


def _unmerge_cohort(cur, change: Change) -> int:
    keep, fold, moved = change.target, change.merged, change.moved or {}
    _refuse_if_back(cur, "cohort", fold)
    back = cur.execute(
        "INSERT INTO cohorts SELECT * EXCLUDE (merge_id) FROM merged_cohorts WHERE merge_id = ?",
        [change.change_id],
    ).fetchone()[0]
    rows = 0
    if back:  # its import is still there: it comes back with every row of its groups
        cur.execute(
            "UPDATE cohorts SET program_id = (SELECT program_id FROM cohorts WHERE cohort_id = ?) "
            "WHERE cohort_id = ? AND program_id NOT IN (SELECT program_id FROM programs)",
            [keep, fold],
        )
        groups = moved.get("groups", [])
        for table in ("groups", *COHORT_ROWS):
            where = "cohort_id = ? AND group_id IN (SELECT unnest(?))"
            n = move_rows(cur, table, fold, where, [keep, groups])
            rows += n if table != "groups" else 0
        rows += cur.execute(
            "UPDATE survey_responses SET cohort_id = ? WHERE cohort_id = ? AND response_id IN "
            "(SELECT unnest(?))",
            [fold, keep, moved.get("responses", [])],
        ).fetchone()[0]
        rows += cur.execute(
            "INSERT INTO enrolment_records SELECT * EXCLUDE (merge_id) REPLACE (? AS cohort_id) "
            "FROM merged_enrolments WHERE merge_id = ?",
            [fold, change.change_id],
        ).fetchone()[0]
    # else: the import that made the folded cohort was undone; other imports' rows stay in
    # the kept cohort, where they have been since the merge
    cur.execute("DELETE FROM merged_enrolments WHERE merge_id = ?", [change.change_id])
    cur.execute("DELETE FROM merged_cohorts WHERE merge_id = ?", [change.change_id])
    return rows


def _unmerge_program(cur, change: Change) -> int:
    keep, fold = change.target, change.merged
    _refuse_if_back(cur, "program", fold)
    back = cur.execute(
        "INSERT INTO programs SELECT * EXCLUDE (merge_id) FROM merged_programs WHERE merge_id = ?",
        [change.change_id],
    ).fetchone()[0]
    rows = 0
    if back:
        rows = cur.execute(
            "UPDATE cohorts SET program_id = ? WHERE program_id = ? AND cohort_id IN "
            "(SELECT unnest(?))",
            [fold, keep, (change.moved or {}).get("cohorts", [])],
        ).fetchone()[0]
    cur.execute("DELETE FROM merged_programs WHERE merge_id = ?", [change.change_id])
    return rows


def changes_using(cur, import_id: int) -> list[int]:
    """Edits and merges of what this import created (its cohorts and groups, and programs no
    other import uses): undoing the import would pull the ground from under them."""
    rows = cur.execute(
        """
        WITH mine AS (
            SELECT 'cohort' AS entity, cohort_id AS id FROM cohorts WHERE import_id = $1
            UNION ALL SELECT 'group', group_id FROM groups WHERE import_id = $1
            UNION ALL SELECT 'program', program_id FROM programs p WHERE import_id = $1
                AND NOT EXISTS (SELECT 1 FROM cohorts c WHERE c.program_id = p.program_id
                                AND c.import_id <> $1)
        )
        SELECT DISTINCT e.import_id FROM edits e JOIN mine m
            ON m.entity = e.entity AND m.id = e.target_id
        WHERE e.import_id <> $1 ORDER BY 1
        """,
        [import_id],
    ).fetchall()
    return [r[0] for r in rows]


__all__ = ["changes_using", "later_changes", "touched", "undo_change"]
