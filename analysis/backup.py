"""Backup and restore: the whole database and the hashing secret, together, as one zip file.

The zip holds `manifest.json` (format name and version, schema and dataset version, when it
was made, each file's size and SHA-256), `formatfit.duckdb` (a compact copy made under the
Store's read lock with COPY FROM DATABASE, so it is consistent and carries none of the freed
blocks where deleted rows may linger) and `formatfit.key` (the secret). Anyone holding the file
can link survey answers to people's e-mails: keep it as safe as the server itself.

A restore checks everything before it changes anything (a zip, our manifest, the checksums, a
DuckDB file of our schema, no newer than this code), then puts the secret and the database in
place together, and applies the suppression list again (people forgotten after the backup
was made stay forgotten).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import uuid
import zipfile
from pathlib import Path

import duckdb

from analysis import clock, lake_sync
from analysis.ingest.keys import load_or_create_secret, secret_path
from analysis.people import forget, suppression
from analysis.store import MIGRATIONS, Store

FORMAT = "formatfit-backup"
FORMAT_VERSION = 1
MANIFEST, DB_ENTRY, SECRET_ENTRY = "manifest.json", "formatfit.duckdb", "formatfit.key"
WARNING = (
    "This file holds the hashing secret that links survey answers to people's e-mails and "
    "employee ids. Keep it as safe as the server: anyone with it and an address list can tell "
    "who answered what."
)


class BackupRefused(ValueError):
    """The file is not a backup this FormatFit can restore; nothing was changed."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_name(created_at: str) -> str:
    """A download name from the backup's time: formatfit-backup-2026-12-03-1845.zip."""
    return f"formatfit-backup-{created_at[:10]}-{created_at[11:13]}{created_at[14:16]}.zip"


def create(store: Store, out: Path) -> dict:
    """Write a backup of the store's database and secret to `out`; returns the manifest."""
    out = Path(out)
    secret = load_or_create_secret(secret_path(store.path))
    with tempfile.TemporaryDirectory(prefix="formatfit-backup-") as tmp:
        snap = Path(tmp) / DB_ENTRY
        store.snapshot_to(snap)
        con = duckdb.connect(str(snap), read_only=True)
        try:
            schema = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
            version = con.execute(
                "SELECT value FROM meta WHERE key = 'dataset_version'"
            ).fetchone()[0]
        finally:
            con.close()
        db_bytes = snap.read_bytes()
    secret_bytes = (secret.hex() + "\n").encode("ascii")
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": int(schema),
        "dataset_version": int(version),
        "created_at": clock.now_utc().isoformat(timespec="seconds"),
        "secret_fingerprint": suppression.fingerprint(secret),
        "files": {
            DB_ENTRY: {"bytes": len(db_bytes), "sha256": _sha256(db_bytes)},
            SECRET_ENTRY: {"bytes": len(secret_bytes), "sha256": _sha256(secret_bytes)},
        },
        "warning": WARNING,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with zipfile.ZipFile(tmp_out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(MANIFEST, json.dumps(manifest, indent=2))
            zf.writestr(DB_ENTRY, db_bytes)
            zf.writestr(SECRET_ENTRY, secret_bytes)
        os.chmod(tmp_out, 0o600)
        os.replace(tmp_out, out)
    finally:
        tmp_out.unlink(missing_ok=True)
    return manifest


def create_bytes(store: Store) -> tuple[bytes, dict]:
    """A backup as bytes (for a download button) and its manifest."""
    with tempfile.TemporaryDirectory(prefix="formatfit-backup-") as tmp:
        out = Path(tmp) / "backup.zip"
        manifest = create(store, out)
        return out.read_bytes(), manifest


def _read(source: Path | bytes) -> tuple[dict, bytes, bytes]:
    """The manifest, database bytes and secret bytes of a backup, all checked."""
    try:
        raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        raise BackupRefused(f"the backup could not be read ({exc.strerror or exc})") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            names = set(zf.namelist())
            if MANIFEST not in names:
                raise BackupRefused("not a FormatFit backup (it has no manifest.json)")
            manifest = json.loads(zf.read(MANIFEST))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupRefused("not a FormatFit backup (its manifest is someone else's)")
            if not isinstance(manifest.get("format_version"), int) or (
                manifest["format_version"] > FORMAT_VERSION
            ):
                raise BackupRefused(
                    "this backup was made by a newer FormatFit: update FormatFit to restore it"
                )
            files = manifest.get("files") or {}
            missing = [n for n in (DB_ENTRY, SECRET_ENTRY) if n not in names or n not in files]
            if missing:
                raise BackupRefused(f"the backup is incomplete: {', '.join(missing)} is missing")
            db_bytes, secret_bytes = zf.read(DB_ENTRY), zf.read(SECRET_ENTRY)
    except BackupRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, KeyError) as exc:
        raise BackupRefused(
            "not a FormatFit backup, or a damaged one (not a readable zip)"
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupRefused("not a FormatFit backup (its manifest is not readable)") from exc
    for name, data in ((DB_ENTRY, db_bytes), (SECRET_ENTRY, secret_bytes)):
        want = files[name]
        if (
            not isinstance(want, dict)
            or want.get("sha256") != _sha256(data)
            or (want.get("bytes") != len(data))
        ):
            raise BackupRefused(f"the backup is damaged: {name} does not match its checksum")
    try:
        secret = bytes.fromhex(secret_bytes.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError) as exc:
        raise BackupRefused("the backup's hashing secret is not readable") from exc
    if len(secret) < 16:
        raise BackupRefused("the backup's hashing secret is too short")
    return manifest, db_bytes, secret_bytes


def _check_database(path: Path, manifest: dict) -> None:
    """A DuckDB file of our schema, no newer than this code, matching the manifest."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise BackupRefused("the backup's database is not a DuckDB database") from exc
    try:
        schema = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
        version = con.execute("SELECT value FROM meta WHERE key = 'dataset_version'").fetchone()
    except duckdb.Error as exc:
        raise BackupRefused("the backup's database is not a FormatFit database") from exc
    finally:
        con.close()
    if schema is None or version is None:
        raise BackupRefused("the backup's database is not a FormatFit database")
    if schema > len(MIGRATIONS):
        raise BackupRefused(
            f"the backup's database has schema version {schema}, newer than this FormatFit's "
            f"{len(MIGRATIONS)}: update FormatFit to restore it"
        )
    if schema != manifest.get("schema_version") or int(version[0]) != manifest.get(
        "dataset_version"
    ):
        raise BackupRefused("the backup is damaged: its database does not match its manifest")


def check(source: Path | bytes) -> dict:
    """Check a backup without restoring it; returns its manifest or raises BackupRefused."""
    manifest, db_bytes, _ = _read(source)
    with tempfile.TemporaryDirectory(prefix="formatfit-check-") as tmp:
        path = Path(tmp) / DB_ENTRY
        path.write_bytes(db_bytes)
        _check_database(path, manifest)
    return manifest


def restore(store: Store, source: Path | bytes) -> dict:
    """Replace the store's database and the secret with a backup's; nothing changes if refused.

    The database is checked, and migrated when it is older, in a temporary file beside the
    live one; then the secret and the file are renamed into place while the Store is quiet.
    Returns what was restored and what the suppression list removed again.
    """
    manifest, db_bytes, secret_bytes = _read(source)
    folder = store.path.parent
    tmp_db = folder / f".{store.path.name}.restore-{uuid.uuid4().hex[:8]}"
    secret_file = secret_path(store.path)
    tmp_secret = secret_file.with_name(f".{secret_file.name}.restore-{uuid.uuid4().hex[:8]}")
    try:
        tmp_db.write_bytes(db_bytes)
        _check_database(tmp_db, manifest)
        Store(tmp_db, mode="write").close()  # an older schema is brought up to date here
        Path(str(tmp_db) + ".wal").unlink(missing_ok=True)
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp_secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secret_bytes)
            fh.flush()
            os.fsync(fh.fileno())
        store.replace_file(tmp_db, before_swap=lambda: os.replace(tmp_secret, secret_file))
    finally:
        tmp_db.unlink(missing_ok=True)
        tmp_secret.unlink(missing_ok=True)
    applied = forget.apply_list(store, "restore")
    store.sync_lake(full=True)  # the lake shows the restored file (on Spark; it stays where it is)
    return {
        "restored": {k: manifest[k] for k in ("created_at", "schema_version", "dataset_version")},
        "dataset_version": store.dataset_version(),
        "forgotten_again": {
            "people_added": applied["added"],
            "rows_removed": sum(applied["rows"].values()),
            "tables": applied["rows"],
            "other_secret_entries": applied["other_secret"],
        },
        **lake_sync.report(store),
    }
