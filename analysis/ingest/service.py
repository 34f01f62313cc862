"""The import workflow used by the Upload page and the command line: preview, plan, commit, undo."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd

from analysis.ingest.build import ImportRefused, build_plan
from analysis.ingest.detect import read_table
from analysis.ingest.keys import PersonHasher, load_or_create_secret, secret_path
from analysis.ingest.mapping import ColumnProposal, apply_profile, propose_mapping
from analysis.ingest.model import DecodedTable
from analysis.ingest.plan import ImportPlan, Link, file_digest
from analysis.ingest.profiles import MappingProfile, profile_signature
from analysis.store import STORAGE_TABLE, Store

PREVIEW_ROWS = 200
# Parents before children, so a reader never sees a row whose parent is missing.
WRITE_ORDER = (
    "programs",
    "cohorts",
    "groups",
    "person_records",
    "person_aliases",
    "enrolment_records",
    "attendance",
    "survey_items",
    "survey_responses",
    "survey_answers",
)
Progress = Callable[[str, int, int], None]  # (what, done, total)


class AlreadyImported(ValueError):
    """The same file was imported before; importing it again would add nothing."""


class RejectedRowsNotAccepted(ValueError):
    """Some rows cannot be imported and the person has not chosen to import the others."""


def preview(data: bytes, file_name: str, overrides: dict | None = None) -> DecodedTable:
    """The first rows of a file, decoded with the detected (or overridden) settings."""
    return read_table(data, file_name, overrides, max_rows=PREVIEW_ROWS)


def propose(
    store: Store, table: DecodedTable
) -> tuple[list[ColumnProposal], MappingProfile | None]:
    """Column proposals, with a saved profile for the same columns applied when there is one."""
    d = table.detection
    proposals = propose_mapping(table.columns, table.labels, table.frame, d.kind, d.tool)
    profile = find_profile(store, table.columns)
    return (apply_profile(proposals, profile) if profile else proposals), profile


def find_profile(store: Store, columns: list[str]) -> MappingProfile | None:
    """The most recently saved profile for exports with exactly these columns."""
    rows = store.query(
        "SELECT mapping_json FROM mapping_profiles WHERE signature = $s "
        "ORDER BY updated_at DESC LIMIT 1",
        {"s": profile_signature(columns)},
    )
    return MappingProfile.from_json(rows["mapping_json"].iloc[0]) if len(rows) else None


def save_profile(store: Store, profile: MappingProfile) -> None:
    """Save (or replace) a named mapping profile; settings, not data: no version change."""
    store.cursor().execute(
        "INSERT OR REPLACE INTO mapping_profiles VALUES (?, ?, ?, ?, ?, ?)",
        [
            profile.name,
            profile.tool,
            profile.kind,
            profile.signature,
            profile.to_json(),
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )


def list_profiles(store: Store) -> pd.DataFrame:
    """Saved profiles (name, tool, kind, updated)."""
    return store.query(
        "SELECT name, tool, kind, updated_at FROM mapping_profiles ORDER BY updated_at DESC"
    )


def hasher_for(store: Store) -> PersonHasher:
    """The keyed hasher with this installation's secret (created on first use)."""
    return PersonHasher(load_or_create_secret(secret_path(store.path)))


def prepare(
    store: Store,
    data: bytes,
    file_name: str,
    profile: MappingProfile,
    link: Link,
    overrides: dict | None = None,
) -> ImportPlan:
    """Read the whole file and work out every row to write or reject; writes nothing."""
    table = read_table(data, file_name, overrides)
    return build_plan(
        store,
        table,
        profile,
        link,
        hasher_for(store),
        file_name=file_name,
        file_sha256=file_digest(data),
    )


def commit(
    store: Store,
    plan: ImportPlan,
    *,
    accept_partial: bool = False,
    progress: Progress | None = None,
) -> int:
    """Write a plan as one transaction and return its import id: all of it or none of it."""
    if plan.duplicate_of is not None:
        raise AlreadyImported(f"this file was already imported (import {plan.duplicate_of})")
    if plan.rejected and not accept_partial:
        raise RejectedRowsNotAccepted(
            f"{plan.rows_rejected} rows cannot be imported; import the other "
            f"{plan.rows_accepted} or cancel"
        )
    total = sum(len(df) for df in plan.tables.values())
    done = 0
    with store.transaction() as cur:
        again = cur.execute(
            "SELECT min(import_id) FROM imports WHERE file_sha256 = ?", [plan.file_sha256]
        ).fetchone()[0]
        if again is not None:
            raise AlreadyImported(f"this file was already imported (import {again})")
        import_id = store.new_import(
            cur,
            plan.kind,
            file_name=plan.file_name,
            tool=plan.tool,
            profile=plan.profile_name,
            file_sha256=plan.file_sha256,
        )
        for table in WRITE_ORDER:
            df = plan.tables.get(table)
            if df is None or df.empty:
                continue
            _insert(cur, table, df, import_id)
            done += len(df)
            if progress:
                progress(table, done, total)
        summary = {"counts": plan.counts(), "rejected": plan.rows_rejected, "notes": plan.notes}
        cur.execute(
            "UPDATE imports SET rows_written = ?, rows_rejected = ?, summary_json = ? "
            "WHERE import_id = ?",
            [done, plan.rows_rejected, json.dumps(summary, default=str), import_id],
        )
    return import_id


def _insert(cur, table: str, df: pd.DataFrame, import_id: int) -> None:
    """INSERT the frame's columns (names from our own plan, never from the file) + import_id."""
    name = STORAGE_TABLE.get(table, table)
    cols = list(df.columns)
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
    cur.register("plan_rows", df)
    try:
        cur.execute(
            f'INSERT INTO "{name}" ({quoted}, import_id) SELECT {quoted}, ? FROM plan_rows',
            [import_id],
        )
    finally:
        cur.unregister("plan_rows")


def undo(store: Store, import_id: int) -> int:
    """Remove exactly the rows one import added; refuse while later imports build on it."""
    with store.transaction() as cur:
        users = cur.execute(
            "SELECT DISTINCT i FROM ("
            " SELECT import_id AS i FROM enrolment_records WHERE cohort_id IN"
            "  (SELECT cohort_id FROM cohorts WHERE import_id = $1)"
            " UNION SELECT import_id FROM attendance WHERE cohort_id IN"
            "  (SELECT cohort_id FROM cohorts WHERE import_id = $1)"
            " UNION SELECT import_id FROM survey_responses WHERE cohort_id IN"
            "  (SELECT cohort_id FROM cohorts WHERE import_id = $1)"
            ") WHERE i <> $1",
            [import_id],
        ).fetchall()
        if users:
            others = ", ".join(str(u[0]) for u in sorted(users))
            raise ValueError(f"imports {others} use cohorts this import created: undo them first")
        return store.delete_import(cur, import_id)


__all__ = [
    "AlreadyImported",
    "ImportRefused",
    "RejectedRowsNotAccepted",
    "commit",
    "find_profile",
    "list_profiles",
    "prepare",
    "preview",
    "propose",
    "save_profile",
    "undo",
]
