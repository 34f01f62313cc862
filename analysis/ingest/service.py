"""The import workflow used by the Upload page and the command line: preview, plan, commit, undo."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import pyarrow as pa

from analysis import clock
from analysis.ingest import mapping_rules as R
from analysis.ingest.build import ImportRefused, build_plan
from analysis.ingest.detect import NeedWholeFile, read_table
from analysis.ingest.groups import cohort_groups, import_cohorts, set_works_together
from analysis.ingest.keys import PersonHasher, load_or_create_secret, secret_path
from analysis.ingest.linking import DATE_ROLES, FileDates, file_dates
from analysis.ingest.mapping import (
    SPARSE_VALUES,
    ColumnProposal,
    apply_profile,
    propose_mapping,
)
from analysis.ingest.model import DecodedTable, UnreadableFile
from analysis.ingest.plan import ImportPlan, Link, file_digest, whole_file
from analysis.ingest.presence_sql import PREVIEW_ROWS, build_presence_plan
from analysis.ingest.profiles import MappingProfile, profile_signature
from analysis.ingest.scratch import StagedRows, bounded_memory
from analysis.people import forget
from analysis.programs import undo as program_undo
from analysis.programs.changes import CHANGE_KINDS
from analysis.store import (
    ROW_GROUP_ROWS,
    STORAGE_TABLE,
    Store,
    attendance_relation,
    write_attendance,
)

# Parents before children, so a reader never sees a row whose parent is missing.
WRITE_ORDER = (
    "programs",
    "cohorts",
    "groups",
    "group_settings",
    "person_records",
    "person_aliases",
    "enrolment_records",
    "attendance",
    "survey_items",
    "survey_responses",
    "survey_answers",
)
# What preview_file() reads of a file first: the preview of a CSV file is nearly always in it.
HEAD_BYTES = 8 << 20
Progress = Callable[[str, int, int], None]  # (what, done, total)


class AlreadyImported(ValueError):
    """The same file was imported before; importing it again would add nothing."""


class RejectedRowsNotAccepted(ValueError):
    """Some rows cannot be imported and the person has not chosen to import the others."""


class NothingToImport(ValueError):
    """No row of the file can be imported: nothing is written, not even its cohort."""


def preview(data: bytes, file_name: str, overrides: dict | None = None) -> DecodedTable:
    """The first rows of a file, decoded with the detected (or overridden) settings."""
    return read_table(data, file_name, overrides, max_rows=PREVIEW_ROWS)


def preview_file(path: Path, overrides: dict | None = None) -> tuple[DecodedTable, bytes | None]:
    """preview() of a file on disk, reading only its first megabytes when they hold the preview.

    Returns the preview and the file's bytes when it had to be read whole (else None: pass
    the path to prepare(), where DuckDB reads the file itself).
    """
    return _read_start(path, overrides, PREVIEW_ROWS)


def _read_start(
    path: Path, overrides: dict | None, max_rows: int
) -> tuple[DecodedTable, bytes | None]:
    """The first `max_rows` rows of a file on disk, from its first megabytes when they hold
    them, and the file's bytes when it had to be read whole (else None)."""
    with path.open("rb") as fh:
        start = fh.read(HEAD_BYTES + 1)
    if len(start) <= HEAD_BYTES:  # the whole file
        return read_table(start, path.name, overrides, max_rows=max_rows), start
    try:
        head = read_table(start[:HEAD_BYTES], path.name, overrides, max_rows=max_rows, partial=True)
        return head, None
    except NeedWholeFile:
        data = path.read_bytes()
        return read_table(data, path.name, overrides, max_rows=max_rows), data


def propose(
    store: Store,
    table: DecodedTable,
    kind: str | None = None,
    *,
    source: bytes | Path | None = None,
    overrides: dict | None = None,
    file_name: str = "",
) -> tuple[list[ColumnProposal], MappingProfile | None]:
    """Column proposals for an import of `kind` (default: the saved profile's, else the
    detected one), with a saved profile for the same columns applied when there is one.

    The proposals are made for the kind the person imports as, so they always pass the
    import's own checks: every role is one that kind uses, every personal-data action one
    its role allows. `source` (the file's bytes or path, read with `overrides`; bytes are
    named `file_name`) lets a
    column nearly empty in the preview be judged on more of the file (`wider_sample`).
    """
    profile = find_profile(store, table.columns)
    kind = kind or default_kind(table, profile)
    d = table.detection
    wide = wider_sample(table, source, overrides, file_name)
    proposals = propose_mapping(table.columns, table.labels, table.frame, kind, d.tool, wide)
    return (apply_profile(proposals, profile, kind) if profile else proposals), profile


WIDE_ROWS = 20_000  # rows read to judge the columns nearly empty in the preview


def wider_sample(
    table: DecodedTable,
    source: bytes | Path | None,
    overrides: dict | None = None,
    file_name: str = "",
) -> pd.DataFrame | None:
    """Up to WIDE_ROWS rows of the file when the preview stopped early and some column is
    (nearly) empty in it, else None.

    A survey export used before, right after and 30 days after a course holds its oldest
    answers first: the questions asked only later are blank in the first 200 rows, and their
    scale cannot be seen there. Judged on the preview alone, they were kept as text.
    """
    if source is None or not table.truncated or not len(table.frame):
        return None
    counts = table.frame.notna() & table.frame.astype(str).apply(lambda c: c.str.strip() != "")
    if (counts.sum() >= SPARSE_VALUES).all():
        return None
    return more_rows(table, source, WIDE_ROWS, overrides, file_name)


def more_rows(
    table: DecodedTable,
    source: bytes | Path | None,
    rows: int,
    overrides: dict | None = None,
    file_name: str = "",
) -> pd.DataFrame | None:
    """Up to `rows` rows of the file the preview `table` came from, decoded the same way
    (None when it cannot be read so: the import itself then says what is wrong)."""
    if source is None:
        return None
    if not table.truncated:
        return table.frame
    try:
        key = (source_key(source, file_name), repr(overrides), tuple(table.columns))
    except OSError:
        return None
    with _MORE_LOCK:  # a longer read of the same file serves a shorter one
        hit = next((f for (k, n), f in _MORE.items() if k == key and n >= rows), _MISS)
    if hit is not _MISS:
        return hit if hit is None or len(hit) <= rows else hit.iloc[:rows]
    try:
        if isinstance(source, Path):
            more = _read_start(source, overrides, rows)[0]
        else:
            more = read_table(source, file_name or "upload", overrides, max_rows=rows)
        frame = more.frame if more.columns == table.columns else None
    except (UnreadableFile, OSError):
        frame = None
    with _MORE_LOCK:
        _MORE[(key, rows)] = frame
        while len(_MORE) > _MORE_MAX:
            _MORE.popitem(last=False)
    return frame


# The last few longer reads (more_rows): the Import page reruns on every click, and the wider
# sample and the file's dates would otherwise read the file again each time.
_MORE: OrderedDict[tuple, pd.DataFrame | None] = OrderedDict()
_MORE_MAX = 4
_MORE_LOCK = threading.Lock()
_MISS = object()
_ENDS = 1 << 16


def source_key(source: bytes | Path, file_name: str = "") -> tuple:
    """Identifies a file's content cheaply: a path by its size and modification time, bytes by
    their name, length and a digest of their first and last 64 KiB."""
    if isinstance(source, Path):
        info = source.stat()
        return (str(source.resolve()), info.st_size, info.st_mtime_ns)
    digest = hashlib.blake2b(source[:_ENDS] + source[-_ENDS:], digest_size=16).hexdigest()
    return (file_name, len(source), digest)


DATE_ROWS = 200_000  # rows read to propose a new cohort's dates from the file


def proposed_dates(
    table: DecodedTable,
    roles: Mapping[str, str],
    kind: str,
    source: bytes | Path | None = None,
    overrides: dict | None = None,
    file_name: str = "",
) -> FileDates | None:
    """A new cohort's dates and sessions as the file shows them (`roles`: role → column)."""
    kind = R.KIND_ALIASES.get(kind, kind)
    if kind not in DATE_ROLES:
        return None
    frame = more_rows(table, source, DATE_ROWS, overrides, file_name)
    partial = table.truncated and (frame is None or len(frame) >= DATE_ROWS)
    if frame is None:
        frame = table.frame
    return file_dates(frame, dict(roles), kind, table.detection.day_first, partial=partial)


def default_kind(table: DecodedTable, profile: MappingProfile | None = None) -> str:
    """What the file holds unless the person says otherwise: as saved last time, else detected."""
    if profile is not None:
        return R.KIND_ALIASES.get(profile.kind, profile.kind)
    return table.detection.kind


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
    with store.write() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO mapping_profiles VALUES (?, ?, ?, ?, ?, ?)",
            [
                profile.name,
                profile.tool,
                profile.kind,
                profile.signature,
                profile.to_json(),
                clock.now_utc(),
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
    data: bytes | None,
    file_name: str,
    profile: MappingProfile,
    link: Link,
    overrides: dict | None = None,
    path: Path | None = None,
    head: DecodedTable | None = None,
) -> ImportPlan:
    """Read the whole file and work out every row to write or reject; writes nothing.

    `path`: where the same bytes are on disk, if anywhere (spares a temporary copy). `data`
    may then be None, and the file is read only where it must be (see preview_file).
    `head`: `preview(data, file_name, overrides)` when the caller already has it.
    """
    plan = _prepare(store, data, file_name, profile, link, overrides, path, head)
    # people forgotten on request: the commit drops their rows; the preview says how many
    plan.forgotten_expected = forget.plan_drops(store, plan.tables)
    return plan


def _prepare(
    store: Store,
    data: bytes | None,
    file_name: str,
    profile: MappingProfile,
    link: Link,
    overrides: dict | None,
    path: Path | None,
    head: DecodedTable | None,
) -> ImportPlan:
    kind = R.KIND_ALIASES.get(profile.kind, profile.kind)
    if kind in (R.ATTENDANCE, R.LMS_LOG):
        return build_presence_plan(
            store,
            data,
            file_name,
            profile,
            link,
            hasher_for(store),
            overrides=overrides,
            head=head,
            path=path,
        )
    data = whole_file(data, path)
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
    if plan.nothing_to_import:
        raise NothingToImport(f"{plan.nothing_reason()}; nothing was written")
    if plan.rejected and not accept_partial:
        raise RejectedRowsNotAccepted(
            f"{plan.rows_rejected} rows cannot be imported; import the other "
            f"{plan.rows_accepted} or cancel"
        )
    total = sum(len(df) for df in plan.tables.values())
    staged = [rows for rows in plan.tables.values() if isinstance(rows, StagedRows)]
    # One connection for the whole commit: the scratch files are attached inside the
    # transaction and detached after it (DuckDB will not detach one a transaction read), and
    # DuckDB's memory for the INSERT is bounded by the import's setting meanwhile.
    with store.write() as con, bounded_memory(con):
        try:
            import_id = _write(store, plan, progress, total)
        finally:
            for rows in staged:
                rows.detach(con)
    for rows in staged:
        rows.discard()
    return import_id


def _write(store: Store, plan: ImportPlan, progress: Progress | None, total: int) -> int:
    """The commit's transaction: the import's row in `imports`, then every table's rows."""
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
            if df is None or len(df) == 0:
                continue
            _insert(cur, table, df, import_id)
            done += len(df)
            if progress:
                progress(table, done, total)
        if plan.derived_waves:
            ids = pd.DataFrame({"response_id": plan.derived_waves})
            _insert(cur, "derived_waves", ids, import_id)
        # people forgotten on request stay forgotten: their rows of this file go again at once
        plan.forgotten_dropped = forget.drop_forgotten(cur, import_id)
        done -= sum(n for t, n in plan.forgotten_dropped.items() if t != "derived_waves")
        summary = {"counts": plan.counts(), "rejected": plan.rows_rejected, "notes": plan.notes}
        if plan.forgotten_dropped:
            summary["forgotten_dropped"] = plan.forgotten_dropped
        cur.execute(
            "UPDATE imports SET rows_written = ?, rows_rejected = ?, summary_json = ? "
            "WHERE import_id = ?",
            [done, plan.rows_rejected, json.dumps(summary, default=str), import_id],
        )
    return import_id


def _insert(cur, table: str, df: pd.DataFrame | pa.Table | StagedRows, import_id: int) -> None:
    """INSERT the rows' columns (names from our own plan, never from the file) + import_id.

    Rows staged in a scratch file are copied from it by DuckDB, never through Python.
    """
    name = STORAGE_TABLE.get(table, table)
    cols = list(getattr(df, "column_names", None) or df.columns)  # pandas, Arrow or staged
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
    if isinstance(df, StagedRows):
        relation = df.attach(cur)  # detached by commit() once the transaction is over
        if not df.parts:
            cur.execute(
                f'INSERT INTO "{name}" ({quoted}, import_id) SELECT {quoted}, ? FROM {relation}',
                [import_id],
            )
            return
        for storage, (columns, select) in df.parts.items():  # attendance: keys, then days
            listed = ", ".join(columns)
            cur.execute(
                f"INSERT INTO {storage} ({listed}, import_id) "
                f"SELECT {listed}, ? FROM ({select.format(db=df.alias)})",
                [import_id],
            )
        return
    if isinstance(df, pa.Table) and any(
        len(b) != ROW_GROUP_ROWS for b in df.to_batches()[:-1]
    ):  # Batches the size of DuckDB's row groups: ragged ones make the INSERT twice as slow.
        df = pa.Table.from_batches(df.combine_chunks().to_batches(max_chunksize=ROW_GROUP_ROWS))
    cur.register("plan_rows", df)
    # No `finally`: after a failed INSERT the transaction is aborted and unregistering would
    # raise too, hiding the real error; the caller rolls back and closes the cursor.
    if table == "attendance":
        write_attendance(cur, attendance_relation("plan_rows", cols), import_id)
    else:
        cur.execute(
            f'INSERT INTO "{name}" ({quoted}, import_id) SELECT {quoted}, ? FROM plan_rows',
            [import_id],
        )
    cur.unregister("plan_rows")


# Later imports whose rows sit in a cohort or group this import created: undo them first.
_USERS_SQL = """
WITH mine AS (
    SELECT cohort_id AS id FROM cohorts WHERE import_id = $1
    UNION SELECT group_id FROM groups WHERE import_id = $1
)
SELECT DISTINCT i FROM (
    SELECT import_id AS i, cohort_id, group_id FROM enrolment_records
    UNION ALL SELECT import_id, cohort_id, group_id FROM attendance
    UNION ALL SELECT import_id, cohort_id, group_id FROM survey_responses
    UNION ALL SELECT import_id, cohort_id, NULL FROM groups
    UNION ALL SELECT import_id, NULL, group_id FROM group_settings
) WHERE i <> $1 AND (cohort_id IN (SELECT id FROM mine) OR group_id IN (SELECT id FROM mine))
ORDER BY i
"""
# Catalogue rows a later import reuses instead of writing its own: (table, key, used by).
_SHARED = (
    ("programs", "program_id", "cohorts"),
    ("survey_items", "item_id", "survey_answers"),
)


def _text(value: object) -> str:
    """A stored value as text; a missing one (None, NaN from a pandas frame) as nothing."""
    return "" if value is None or pd.isna(value) else str(value)


def import_summary(row: Mapping[str, object]) -> str:
    """One import-history row in words (without its id); missing parts are left out, not "nan"."""
    profile = _text(row.get("profile"))
    parts = [
        _text(row.get("file_name")),
        _text(row.get("tool")),
        _text(row.get("kind")),
        f"{int(row['rows_written']):,} row" + ("" if int(row["rows_written"]) == 1 else "s"),
        f"{row['imported_at']:%Y-%m-%d %H:%M} UTC",
        f"profile “{profile}”" if profile else "",
        "demo data" if row.get("is_demo") else "",
    ]
    return " · ".join(p for p in parts if p)


def undo(store: Store, import_id: int) -> int:
    """Remove exactly the rows one import added; refuse while later imports build on it.

    An edit or a merge (analysis/programs) is undone as such: its fields and rows go back.
    """
    kind = store.fetch("SELECT kind FROM imports WHERE import_id = ?", [import_id])
    if kind and kind[0][0] in CHANGE_KINDS:
        return program_undo.undo_change(store, import_id)
    with store.transaction() as cur:
        users = cur.execute(_USERS_SQL, [import_id]).fetchall()
        users = sorted({u[0] for u in users} | set(program_undo.changes_using(cur, import_id)))
        if users:
            others = ", ".join(str(u) for u in users)
            raise ValueError(
                f"imports {others} use cohorts or groups this import created: undo them first"
            )
        _hand_over_shared(cur, import_id)
        return store.delete_import(cur, import_id)


def _hand_over_shared(cur, import_id: int) -> None:
    """Programs and questions that later imports use pass to the earliest of them, not deleted."""
    for table, key, user in _SHARED:
        cur.execute(
            f"UPDATE {table} SET import_id = u.i FROM (SELECT {key} AS k, min(import_id) AS i "
            f"FROM {user} WHERE import_id <> $1 GROUP BY {key}) AS u "
            f"WHERE {table}.{key} = u.k AND {table}.import_id = $1",
            [import_id],
        )


__all__ = [
    "AlreadyImported",
    "ImportRefused",
    "NothingToImport",
    "RejectedRowsNotAccepted",
    "cohort_groups",
    "commit",
    "find_profile",
    "import_cohorts",
    "list_profiles",
    "prepare",
    "preview",
    "propose",
    "save_profile",
    "set_works_together",
    "undo",
]
