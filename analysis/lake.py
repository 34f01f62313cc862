"""The lake: the data tables as Parquet in a folder, for an engine that runs where data lives.

Layout: one folder per table (`<lake>/<table>/<file>.parquet`, written by `export`), one
folder per import added later (`<lake>/imports/<id>-<generation>/<table>.parquet`, by `push`)
and `<lake>/manifest.json`, written last and atomically (a temporary file renamed over the old
one). Readers see only the files the manifest lists, so a write that stops midway leaves no
visible trace; files and import folders no manifest lists are removed by the next write. The
manifest also carries the views the named queries read (people, enrolments, current_groups,
attendance) as DuckDB SQL over the tables, the imports it holds, and a version that moves on
every write (the caches key on it, as on the DuckDB file's dataset version), and the database
file it was written from with the dataset version it shows: analysis/lake_sync.py keeps it up
to the file.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

from analysis.programs.changes import CHANGE_KINDS  # they change other imports' rows
from analysis.store import DATA_TABLES, Store

MANIFEST = "manifest.json"
LAKE_FORMAT = 1
VIEWS = ("people", "enrolments", "current_groups", "attendance")


class LakeError(ValueError):
    """The folder is not a lake FormatFit can read (no manifest, or a newer format)."""


def ident(name: str) -> str:
    """A SQL identifier, double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def read_manifest(lake: Path | str) -> dict:
    """The lake's manifest; LakeError when there is none."""
    path = Path(lake) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LakeError(f"no lake at {lake}: `python -m analysis lake export` writes one") from None
    if manifest.get("format") != LAKE_FORMAT:
        raise LakeError(f"{path} has format {manifest.get('format')!r}, not {LAKE_FORMAT}")
    return manifest


def table_files(lake: Path | str, manifest: dict) -> dict[str, list[Path]]:
    """Each table's Parquet files, as the manifest lists them."""
    return {t: [Path(lake) / f for f in files] for t, files in manifest["tables"].items()}


def export(store: Store, lake: Path | str) -> dict:
    """Write the data tables of `store` to the lake folder, replacing what it held; all or none.

    Each table goes to a new file; the manifest naming them is written last, in one rename, and
    only then are the files of the previous manifest removed. Returns the new manifest.
    """
    import sqlglot

    lake = Path(lake)
    lake.mkdir(parents=True, exist_ok=True)
    try:
        previous = read_manifest(lake)
    except LakeError:
        previous = None
    generation = uuid.uuid4().hex
    tables: dict[str, list[str]] = {}
    rows: dict[str, int] = {}
    with store.reading() as cur:
        for table in DATA_TABLES:
            (lake / table).mkdir(exist_ok=True)
            relative = f"{table}/{generation}.parquet"
            target = "'" + str(lake / relative).replace("'", "''") + "'"
            cur.execute(f"COPY (SELECT * FROM {ident(table)}) TO {target} (FORMAT parquet)")
            tables[table] = [relative]
            rows[table] = cur.execute(f"SELECT count(*) FROM {ident(table)}").fetchone()[0]
        exported = [
            r[0] for r in cur.execute("SELECT import_id FROM imports ORDER BY 1").fetchall()
        ]
        defined = dict(
            cur.execute(
                "SELECT view_name, sql FROM duckdb_views() "
                "WHERE NOT internal AND schema_name = 'main'"
            ).fetchall()
        )
    # the SELECT of each view, in DuckDB SQL: the engine transpiles it as it does a query
    views = {
        v: sqlglot.parse_one(defined[v], read="duckdb").expression.sql("duckdb") for v in VIEWS
    }
    manifest = {
        "imports": {},  # imports pushed since the export, each in a folder of its own
        "exported_imports": exported,  # the imports whose rows the tables' own files hold
        "format": LAKE_FORMAT,
        "lake_id": previous["lake_id"] if previous else uuid.uuid4().hex,
        "version": (previous["version"] + 1) if previous else 1,
        "generation": generation,
        "schema_version": store.schema_version(),
        "source_database_id": store.get_setting("database_id"),
        "source_dataset_version": store.dataset_version(),
        "tables": tables,
        "rows": rows,
        "views": views,
    }
    _write_manifest(lake, manifest)
    _remove_unlisted(lake, manifest)
    return manifest


def _write_manifest(lake: Path, manifest: dict) -> None:
    """Write the manifest to a temporary file, flush it to disk, rename it into place."""
    tmp = lake / f".{MANIFEST}.{uuid.uuid4().hex[:8]}"
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(manifest, out, indent=2, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, lake / MANIFEST)


def _remove_unlisted(lake: Path, manifest: dict) -> None:
    """Remove the Parquet files and import folders that the manifest does not list."""
    listed = {lake / f for files in manifest["tables"].values() for f in files}
    for table in manifest["tables"]:
        for path in (lake / table).glob("*.parquet"):
            if path not in listed:
                path.unlink(missing_ok=True)
    folders = {lake / entry["folder"] for entry in manifest.get("imports", {}).values()}
    for folder in (lake / "imports").glob("*") if (lake / "imports").is_dir() else ():
        if folder not in folders:
            shutil.rmtree(folder, ignore_errors=True)


def push(store: Store, lake: Path | str, import_id: int) -> dict:
    """Add one import of the database file to the lake: its rows of every data table, as
    Parquet in a folder of its own, then the manifest naming them. Returns the new manifest.

    The import goes through the importer into the file as usual (mapping, checks, one
    transaction); this puts its rows where the Spark engine reads them. An import already in
    the lake is refused.
    """
    return update(store, lake, add=[import_id])


def undo(lake: Path | str, import_id: int) -> dict:
    """Take one pushed import out of the lake: the manifest without it first, then its folder.
    Returns the new manifest."""
    return update(None, lake, remove=[import_id])


def update(
    store: Store | None,
    lake: Path | str,
    *,
    add: Sequence[int] = (),
    remove: Sequence[int] = (),
    source_version: int | None = None,
) -> dict:
    """Push the imports `add` (each in a folder of its own) and take the pushed imports
    `remove` out, in one manifest written last; then remove what it no longer lists.

    `source_version`: the database file's dataset version the lake now reflects (default:
    unchanged). Returns the new manifest.
    """
    lake = Path(lake)
    manifest = read_manifest(lake)
    for import_id in remove:
        if str(import_id) not in manifest["imports"]:
            raise ValueError(
                f"import {import_id} was not pushed to the lake (an export's rows go "
                "with the next export)"
            )
    generation = uuid.uuid4().hex
    entries = {k: v for k, v in manifest["imports"].items() if int(k) not in remove}
    if add:
        with store.reading() as cur:
            for import_id in add:
                entries[str(import_id)] = _write_import(cur, lake, manifest, import_id)
    listed = {f for e in entries.values() for f in e["files"].values()}
    pushed = {f for e in manifest["imports"].values() for f in e["files"].values()}
    tables = {}
    for table, files in manifest["tables"].items():
        kept = [f for f in files if f not in pushed or f in listed]  # a removed import's go
        added = [entries[str(i)]["files"].get(table) for i in add]
        tables[table] = kept + [f for f in added if f]
    new = {
        **manifest,
        "version": manifest["version"] + 1,
        "generation": generation,
        "tables": tables,
        "imports": entries,
    }
    if source_version is not None:
        new["source_dataset_version"] = source_version
    _write_manifest(lake, new)
    _remove_unlisted(lake, new)
    return new


def _write_import(cur, lake: Path, manifest: dict, import_id: int) -> dict:
    """Write one import's rows of every table to a new folder; returns its manifest entry."""
    if str(import_id) in manifest["imports"] or import_id in manifest["exported_imports"]:
        raise ValueError(f"import {import_id} is already in the lake")
    row = cur.execute(
        "SELECT kind, file_name FROM imports WHERE import_id = ?", [import_id]
    ).fetchone()
    if row is None:
        raise ValueError(f"no import {import_id} in the database file")
    if row[0] in CHANGE_KINDS:
        raise ValueError("an edit or a merge changes rows of other imports: export the lake again")
    folder = f"imports/{int(import_id)}-{uuid.uuid4().hex}"
    (lake / folder).mkdir(parents=True)
    files, rows = {}, {}
    for table in manifest["tables"]:
        n = cur.execute(
            f"SELECT count(*) FROM {ident(table)} WHERE import_id = ?", [import_id]
        ).fetchone()[0]
        if not n:
            continue
        relative = f"{folder}/{table}.parquet"
        target = "'" + str(lake / relative).replace("'", "''") + "'"
        cur.execute(
            f"COPY (SELECT * FROM {ident(table)} WHERE import_id = {int(import_id)}) "
            f"TO {target} (FORMAT parquet)"
        )
        files[table], rows[table] = relative, n
    return {"folder": folder, "files": files, "rows": rows, "kind": row[0], "file_name": row[1]}
