"""Edits and merges of programs, cohorts and groups: writes like an import, undone like one.

Each edit or merge is one transaction that registers an import of its own (kind `edit` or
`merge`) and one row in `edits` (migration 6): the fields before and after, and for a merge what
moved. So the dataset version moves (every cached figure and the privacy cells follow), the
change is in the import history, and undo (analysis/programs/undo.py) puts back exactly what
it changed.

Merging moves the folded one's rows under the kept one's id and keeps every row once:
- a cohort merge moves the folded cohort's groups whole (their ids stay), with their
  attendance, enrolment records and survey responses. Nothing is deduplicated in storage: each
  row still belongs to the import that wrote it, so undoing that import removes exactly its
  rows from the merged cohort. The figures already count a person once per cohort (the
  enrolments view keeps one enrolment per person and cohort; attendance counts distinct
  session days), so a person enrolled in both, or a session reported by both exports, counts
  once. An enrolment record that would collide with the kept cohort's (the same person from
  the same import) waits in merged_enrolments until the merge is undone;
- a program merge moves the folded program's cohorts.
The folded program or cohort row waits in merged_programs / merged_cohorts under its own
import, so undoing that import removes it there too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb

from analysis.ingest.build import derive_waves
from analysis.programs.fields import (
    FIELDS,
    KEY,
    LABELS,
    TABLE,
    InvalidEdit,
    as_json,
    clean,
    plain,
)
from analysis.store import Store

EDIT_KIND = "edit"
MERGE_KIND = "merge"
CHANGE_KINDS = (EDIT_KIND, MERGE_KIND)
# The tables whose rows a cohort merge moves; each row has a cohort_id and a group_id.
COHORT_ROWS = ("attendance", "enrolment_records", "survey_responses")


def move_rows(cur, table: str, cohort_id: str, where: str, params: list) -> int:
    """Set cohort_id on `table`'s rows that match `where`; returns the rows moved.

    Attendance moves by its keys (analysis/store.py): the days that follow them are counted.
    """
    if table != "attendance":
        return cur.execute(
            f"UPDATE {table} SET cohort_id = ? WHERE {where}", [cohort_id, *params]
        ).fetchone()[0]
    n = cur.execute(f"SELECT count(*) FROM attendance WHERE {where}", params).fetchone()[0]
    cur.execute(f"UPDATE attendance_keys SET cohort_id = ? WHERE {where}", [cohort_id, *params])
    return n


ENTITY_WORDS = {"program": "program", "cohort": "cohort", "group": "group"}


class _Unchanged(Exception):
    """Nothing to record: the transaction rolls back and the dataset version stays."""


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def current(cur: duckdb.DuckDBPyConnection, entity: str, key: str) -> dict[str, object] | None:
    """The editable fields of one program, cohort or group as stored now (None: no such one)."""
    table = "current_groups" if entity == "group" else TABLE[entity]
    cols = ", ".join(_quoted(f) for f in FIELDS[entity])
    row = cur.execute(
        f"SELECT {cols} FROM {table} WHERE {KEY[entity]} = ?", [key]
    ).fetchone()  # table and columns from FIELDS/TABLE, never from input
    if row is None:
        return None
    return {f: plain(v) for f, v in zip(FIELDS[entity], row, strict=True)}


def _program_ids(cur: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in cur.execute("SELECT program_id FROM programs").fetchall()}


def _demo(cur: duckdb.DuckDBPyConnection, entity: str, keys: list[str]) -> bool:
    """Whether everything changed is demo data (a change to demo data is demo data too)."""
    rows = cur.execute(
        f"SELECT bool_and(coalesce(i.is_demo, FALSE)) FROM {TABLE[entity]} t "
        f"LEFT JOIN imports i ON i.import_id = t.import_id WHERE t.{KEY[entity]} IN "
        "(SELECT unnest(?))",
        [keys],
    ).fetchone()
    return bool(rows[0])


def write_fields(cur, entity: str, key: str, values: Mapping[str, object], change_id: int) -> None:
    """Write changed fields; a group's closeness goes to group_settings under this change."""
    values = dict(values)
    if entity == "group" and "works_together" in values:
        cur.execute(
            "INSERT INTO group_settings (group_id, works_together, import_id) VALUES (?, ?, ?)",
            [key, values.pop("works_together"), change_id],
        )
    if values:
        sets = ", ".join(f"{_quoted(f)} = ?" for f in values if f in FIELDS[entity])
        cur.execute(
            f"UPDATE {TABLE[entity]} SET {sets} WHERE {KEY[entity]} = ?", [*values.values(), key]
        )


def rederive_waves(cur, cohort_id: str) -> dict[str, str]:
    """Work out again, from the cohort's dates as they now are, the waves an import worked out
    from submission dates (`derived_waves`); chosen waves and a wave column's stay. Returns
    {response_id: its wave before} for the responses whose wave moved."""
    rows = cur.execute(
        "SELECT r.response_id, r.wave, r.submitted_at, c.start_date, c.end_date "
        "FROM survey_responses r JOIN derived_waves d USING (response_id) "
        "JOIN cohorts c ON c.cohort_id = r.cohort_id WHERE r.cohort_id = ?",
        [cohort_id],
    ).df()
    if rows.empty:
        return {}
    new = derive_waves(rows["submitted_at"], rows["start_date"], rows["end_date"])
    moved = rows[new.notna() & (new != rows["wave"])].assign(new=new)
    if moved.empty:
        return {}
    cur.register("moved_waves", moved[["response_id", "new"]])
    cur.execute(
        "UPDATE survey_responses SET wave = m.new FROM moved_waves m "
        "WHERE survey_responses.response_id = m.response_id"
    )
    cur.unregister("moved_waves")
    return dict(zip(moved["response_id"], moved["wave"], strict=True))


def _register(store: Store, cur, kind: str, title: str, demo: bool) -> int:
    """The change's row in the import history (its id files everything it writes)."""
    return store.new_import(cur, kind, file_name=title, is_demo=demo)


def _file(
    cur,
    change_id: int,
    entity: str,
    target: str,
    *,
    before: dict,
    after: dict,
    merged: str | None = None,
    moved: dict | None = None,
    rows: int = 1,
) -> None:
    """The change's row in `edits`, and its size in the import history."""
    cur.execute(
        "INSERT INTO edits VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            change_id,
            entity,
            target,
            merged,
            json.dumps(as_json(before)),
            json.dumps(as_json(after)),
            None if moved is None else json.dumps(moved),
        ],
    )
    summary = {"counts": {"changed": rows}, "rejected": 0, "notes": []}
    cur.execute(
        "UPDATE imports SET rows_written = ?, summary_json = ? WHERE import_id = ?",
        [rows, json.dumps(summary), change_id],
    )


def edit(store: Store, entity: str, key: str, changes: Mapping[str, object]) -> int | None:
    """Change some fields of one program, cohort or group, in one transaction.

    Returns the id of the change in the import history (undo it there), or None when nothing
    changed. Raises InvalidEdit with a message in words for a value the data cannot take.
    """
    if entity not in FIELDS:
        raise InvalidEdit(f"cannot edit a {entity!r}")
    unknown = sorted(set(changes) - set(FIELDS[entity]))
    if unknown:
        raise InvalidEdit(f"cannot edit {', '.join(unknown)} of a {entity}")
    try:
        with store.transaction() as cur:
            before = current(cur, entity, key)
            if before is None:
                raise InvalidEdit(f"no {entity} {key!r} in the database (undone meanwhile?)")
            wanted = clean(entity, {**before, **changes}, _program_ids(cur))
            diff = {f: v for f, v in wanted.items() if v != before[f]}
            if not diff:
                raise _Unchanged
            what = ", ".join(LABELS[f] for f in diff)
            title = f"Edit of {entity} “{before['name']}”: {what}"
            change_id = _register(store, cur, EDIT_KIND, title, _demo(cur, entity, [key]))
            write_fields(cur, entity, key, diff, change_id)
            waves = {}
            if entity == "cohort" and {"start_date", "end_date"} & set(diff):
                waves = rederive_waves(cur, key)
            _file(
                cur,
                change_id,
                entity,
                key,
                before={f: before[f] for f in diff},
                after=diff,
                moved={"waves": waves} if waves else None,
                rows=1 + len(waves),
            )
    except _Unchanged:
        return None
    return change_id


@dataclass(frozen=True)
class MergePlan:
    """Two duplicates about to be merged: which is kept, their sizes and where they differ."""

    entity: str
    keep: str  # the larger one: its id and, by default, its values stay
    fold: str
    keep_values: dict[str, object]
    fold_values: dict[str, object]
    keep_people: int
    fold_people: int

    def differing(self) -> list[str]:
        """Fields on which the two disagree (the person picks each; the kept one's by default)."""
        return [f for f in FIELDS[self.entity] if self.keep_values[f] != self.fold_values[f]]


_PEOPLE_SQL = {
    # People in a cohort: anyone enrolled, present or answering (unmatched answers count apart).
    "cohort": """
        SELECT c.id, (SELECT count(DISTINCT person_key) FROM (
                SELECT person_key FROM enrolment_records WHERE cohort_id = c.id
                UNION ALL SELECT person_key FROM attendance WHERE cohort_id = c.id
                UNION ALL SELECT person_key FROM survey_responses WHERE cohort_id = c.id)),
            (SELECT count(*) FROM survey_responses WHERE cohort_id = c.id)
        FROM (SELECT unnest(?) AS id) c
    """,
    "program": """
        SELECT p.id, (SELECT count(DISTINCT person_key) FROM (
                SELECT e.person_key FROM enrolment_records e JOIN cohorts k USING (cohort_id)
                WHERE k.program_id = p.id
                UNION ALL SELECT a.person_key FROM attendance a JOIN cohorts k USING (cohort_id)
                WHERE k.program_id = p.id)),
            (SELECT count(*) FROM cohorts WHERE program_id = p.id)
        FROM (SELECT unnest(?) AS id) p
    """,
}


def _plan(cur, entity: str, first: str, second: str) -> MergePlan:
    if entity not in ("program", "cohort"):
        raise InvalidEdit("only programs and cohorts can be merged")
    if first == second:
        raise InvalidEdit(f"choose two different {entity}s to merge")
    values = {k: current(cur, entity, k) for k in (first, second)}
    for k, v in values.items():
        if v is None:
            raise InvalidEdit(f"no {entity} {k!r} in the database (undone meanwhile?)")
    found = cur.execute(_PEOPLE_SQL[entity], [[first, second]]).fetchall()
    sizes = {r[0]: (int(r[1]), int(r[2])) for r in found}
    # The larger one is kept; on a tie, the first chosen.
    keep, fold = (second, first) if sizes[second] > sizes[first] else (first, second)
    return MergePlan(entity, keep, fold, values[keep], values[fold], sizes[keep][0], sizes[fold][0])


def merge_plan(store: Store, entity: str, first: str, second: str) -> MergePlan:
    """What merging these two would keep, and where they differ; writes nothing."""
    with store.reading() as cur:
        return _plan(cur, entity, first, second)


def merge(
    store: Store,
    entity: str,
    first: str,
    second: str,
    values: Mapping[str, object] | None = None,
) -> int:
    """Merge two programs or two cohorts into the larger one, in one transaction.

    `values`: the merged one's fields where the person picked them (the larger one's by
    default). Returns the id of the merge in the import history.
    """
    with store.transaction() as cur:
        plan = _plan(cur, entity, first, second)
        unknown = sorted(set(values or {}) - set(FIELDS[entity]))
        if unknown:
            raise InvalidEdit(f"cannot set {', '.join(unknown)} of a {entity}")
        programs = _program_ids(cur) - ({plan.fold} if entity == "program" else set())
        wanted = clean(entity, {**plan.keep_values, **(values or {})}, programs)
        diff = {f: v for f, v in wanted.items() if v != plan.keep_values[f]}
        title = f"Merge of {entity} “{plan.fold_values['name']}” into “{plan.keep_values['name']}”"
        demo = _demo(cur, entity, [plan.keep, plan.fold])
        change_id = _register(store, cur, MERGE_KIND, title, demo)
        mover = _merge_cohort if entity == "cohort" else _merge_program
        moved, rows = mover(cur, plan.keep, plan.fold, change_id)
        write_fields(cur, entity, plan.keep, diff, change_id)
        _file(
            cur,
            change_id,
            entity,
            plan.keep,
            before={f: plan.keep_values[f] for f in diff},
            after=diff,
            merged=plan.fold,
            moved=moved,
            rows=rows,
        )
    return change_id


def _merge_cohort(cur, keep: str, fold: str, change_id: int) -> tuple[dict, int]:
    groups = sorted(
        r[0]
        for r in cur.execute(
            "SELECT group_id FROM groups WHERE cohort_id = $f UNION "
            + " UNION ".join(
                f"SELECT group_id FROM {t} WHERE cohort_id = $f AND group_id IS NOT NULL"
                for t in COHORT_ROWS
            ),
            {"f": fold},
        ).fetchall()
    )
    loose = sorted(
        r[0]
        for r in cur.execute(
            "SELECT response_id FROM survey_responses WHERE cohort_id = ? AND group_id IS NULL",
            [fold],
        ).fetchall()
    )
    collide = (
        "FROM enrolment_records e WHERE e.cohort_id = $f AND EXISTS (SELECT 1 FROM "
        "enrolment_records k WHERE k.cohort_id = $k AND k.person_key = e.person_key "
        "AND k.import_id = e.import_id)"
    )
    cur.execute(f"INSERT INTO merged_enrolments SELECT e.*, $m {collide}",
                {"f": fold, "k": keep, "m": change_id})  # fmt: skip
    set_aside = cur.execute(f"DELETE {collide}", {"f": fold, "k": keep}).fetchone()[0]
    rows = set_aside
    for table in ("groups", *COHORT_ROWS):
        n = move_rows(cur, table, keep, "cohort_id = ?", [fold])
        rows += n if table != "groups" else 0
    cur.execute(
        "INSERT INTO merged_cohorts SELECT *, ? FROM cohorts WHERE cohort_id = ?",
        [change_id, fold],
    )
    cur.execute("DELETE FROM cohorts WHERE cohort_id = ?", [fold])
    return {"groups": groups, "responses": loose, "set_aside": set_aside}, rows


def _merge_program(cur, keep: str, fold: str, change_id: int) -> tuple[dict, int]:
    cohorts = sorted(
        r[0]
        for r in cur.execute(
            "SELECT cohort_id FROM cohorts WHERE program_id = ?", [fold]
        ).fetchall()
    )
    cur.execute("UPDATE cohorts SET program_id = ? WHERE program_id = ?", [keep, fold])
    cur.execute(
        "INSERT INTO merged_programs SELECT *, ? FROM programs WHERE program_id = ?",
        [change_id, fold],
    )
    cur.execute("DELETE FROM programs WHERE program_id = ?", [fold])
    return {"cohorts": cohorts}, len(cohorts)


__all__ = [
    "CHANGE_KINDS",
    "EDIT_KIND",
    "MERGE_KIND",
    "InvalidEdit",
    "MergePlan",
    "edit",
    "merge",
    "merge_plan",
]
