"""Backup and restore (issue 14, part 5): the database and the secret as one checked zip; a
restore brings back exactly the backup's state, and a broken or foreign file changes nothing."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from analysis import backup
from analysis.ingest.keys import EMAIL
from analysis.ingest.plan import Link
from analysis.people import forget, suppression
from analysis.privacy import PrivacyRule, measures
from analysis.store import MIGRATIONS, Store
from tests.ingest_support import cohort, csv_bytes, import_bytes, key_of, one, rows

APPLY = "I apply what I learned in my daily work"
HEADER = f"Id,Start time,Completion time,Email,{APPLY}"
FIRST = csv_bytes(
    HEADER,
    "1,4/1/2025 9:00,4/1/2025 9:05,ann@example.org,Agree",
    "2,4/1/2025 9:00,4/1/2025 9:06,bob@example.org,Disagree",
)
SECOND = csv_bytes(
    "Email,Session date,Minutes", "ann@example.org,2025-03-03,40", "cy@example.org,2025-03-03,30"
)


def _state(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table of the database, sorted: equal states, equal databases."""
    tables = [
        r[0]
        for r in rows(
            store,
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY 1",
        )
    ]
    return {t: sorted(rows(store, f'SELECT * FROM "{t}"'), key=repr) for t in tables}


@pytest.fixture
def secret_file(tmp_path) -> Path:
    return tmp_path / "secret.key"


def _first_import(store: Store) -> str:
    import_bytes(store, FIRST, "Feedback.csv", Link(new_cohort=cohort("F"), wave="post"))
    return one(store, "SELECT cohort_id FROM cohorts")


def test_restore_brings_back_exactly_the_backup(store, tmp_path, secret_file) -> None:
    """Back up, import more, forget nobody, restore: every table's rows, the dataset version
    and the secret are the backup's; the token is new, so no memoised figure survives."""
    cohort_id = _first_import(store)
    before, version, secret = _state(store), store.dataset_version(), secret_file.read_bytes()
    out = tmp_path / "backup.zip"
    manifest = backup.create(store, out)
    assert manifest["dataset_version"] == version
    assert manifest["schema_version"] == len(MIGRATIONS)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["formatfit.duckdb", "formatfit.key", "manifest.json"]
        assert zf.read("formatfit.key") == secret
        assert json.loads(zf.read("manifest.json"))["format"] == "formatfit-backup"
    assert out.stat().st_mode & 0o777 == 0o600

    import_bytes(store, SECOND, "sheet.csv", Link(cohort_id=cohort_id), kind="attendance")
    assert _state(store) != before and store.dataset_version() == version + 1
    token = store.token
    cells = measures.application(store, "post", PrivacyRule(5))

    result = backup.restore(store, out)

    assert _state(store) == before
    assert store.dataset_version() == version == result["dataset_version"]
    assert secret_file.read_bytes() == secret
    assert store.token != token
    assert measures.application(store, "post", PrivacyRule(5)) is not cells
    assert result["forgotten_again"]["rows_removed"] == 0


def test_a_restore_replaces_the_secret_too(store, tmp_path, secret_file) -> None:
    """A backup's secret comes back with its database, so its keys still match e-mails."""
    _first_import(store)
    out = tmp_path / "backup.zip"
    backup.create(store, out)
    ann = key_of(store, EMAIL, "ann@example.org")
    secret_file.write_text("00" * 32 + "\n")  # someone replaced the secret meanwhile
    assert key_of(store, EMAIL, "ann@example.org") != ann
    backup.restore(store, out)
    assert key_of(store, EMAIL, "ann@example.org") == ann


def test_people_forgotten_after_the_backup_stay_forgotten_after_a_restore(store, tmp_path) -> None:
    """The backup predates Ann's deletion; restoring it deletes her rows again from the list
    beside the secret, records it, and keeps her key on the restored database's list."""
    _first_import(store)
    out = tmp_path / "backup.zip"
    made = backup.create(store, out)
    ann = key_of(store, EMAIL, "ann@example.org")
    forget.forget(store, forget.BY_EMAIL, "ann@example.org", "settings")

    result = backup.restore(store, out)

    assert result["forgotten_again"]["people_added"] == 1
    assert result["forgotten_again"]["tables"] == {"survey_answers": 1, "survey_responses": 1}
    assert one(store, "SELECT count(*) FROM survey_responses WHERE person_key = ?", [ann]) == 0
    assert rows(store, "SELECT person_key FROM forgotten_people") == [(ann,)]
    assert [d["source"] for d in forget.deletions(store)] == ["restore"]
    # the backup's version, moved on by the deletion done again: caches cannot mix them up
    assert store.dataset_version() == result["dataset_version"] == made["dataset_version"] + 1


def test_a_backup_is_taken_while_the_app_holds_the_file(store, tmp_path) -> None:
    """A read-only opening (the command line's, while the app runs) makes the same backup."""
    _first_import(store)
    before = _state(store)
    store.close()
    reader = Store(store.path, mode="read")
    try:
        backup.create(reader, tmp_path / "b.zip")
    finally:
        reader.close()
    again = Store(tmp_path / "other.duckdb")
    try:
        backup.restore(again, tmp_path / "b.zip")
        assert _state(again) == before
    finally:
        again.close()


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _with_manifest(entries: dict[str, bytes], **changes) -> dict[str, bytes]:
    manifest = json.loads(entries["manifest.json"])
    manifest.update(changes)
    for name in ("formatfit.duckdb", "formatfit.key"):  # checksums that match the new bytes
        manifest["files"][name] = {
            "bytes": len(entries[name]),
            "sha256": hashlib.sha256(entries[name]).hexdigest(),
        }
    return {**entries, "manifest.json": json.dumps(manifest).encode()}


def _newer_schema(tmp_path: Path, entries: dict[str, bytes]) -> bytes:
    path = tmp_path / "newer.duckdb"
    path.write_bytes(entries["formatfit.duckdb"])
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (99, now())")
    con.close()
    return path.read_bytes()


BROKEN = {
    "not a zip": (lambda e, t: b"Id,Email\n1,a@b.c\n", "not a readable zip"),
    "truncated": (None, "not a readable zip"),
    "no manifest": (lambda e, t: _zip({"formatfit.duckdb": e["formatfit.duckdb"]}), "no manifest"),
    "someone else's manifest": (
        lambda e, t: _zip({**e, "manifest.json": b'{"format": "other-app"}'}),
        "someone else's",
    ),
    "a changed database": (
        lambda e, t: _zip({**e, "formatfit.duckdb": e["formatfit.duckdb"][:-1] + b"x"}),
        "does not match its checksum",
    ),
    "not a DuckDB file": (
        lambda e, t: _zip(_with_manifest({**e, "formatfit.duckdb": b"SQLite format 3\0" * 64})),
        "not a DuckDB database",
    ),
    "a newer schema": (
        lambda e, t: _zip(_with_manifest({**e, "formatfit.duckdb": _newer_schema(t, e)})),
        "newer than this FormatFit",
    ),
    "a newer backup format": (
        lambda e, t: _zip(_with_manifest(e, format_version=2)),
        "made by a newer FormatFit",
    ),
    "a secret that is not one": (
        lambda e, t: _zip(_with_manifest({**e, "formatfit.key": b"not hex\n"})),
        "secret is not readable",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_or_foreign_file_is_refused_and_nothing_changes(
    store, tmp_path, secret_file, case
) -> None:
    """Each is refused with a message naming what is wrong; the database, its version, the
    secret and the open connection are as before."""
    _first_import(store)
    good = tmp_path / "backup.zip"
    backup.create(store, good)
    make, message = BROKEN[case]
    raw = (
        good.read_bytes()[: len(good.read_bytes()) // 2]
        if make is None
        else make(_entries(good), tmp_path)
    )
    link = Link(cohort_id=one(store, "SELECT cohort_id FROM cohorts"))
    import_bytes(store, SECOND, "sheet.csv", link, kind="attendance")
    before, version, secret, token = (
        _state(store),
        store.dataset_version(),
        secret_file.read_bytes(),
        store.token,
    )
    with pytest.raises(backup.BackupRefused, match=message):
        backup.check(raw)
    with pytest.raises(backup.BackupRefused, match=message):
        backup.restore(store, raw)
    assert _state(store) == before and store.dataset_version() == version
    assert secret_file.read_bytes() == secret and store.token == token
    assert sorted(p.name for p in tmp_path.iterdir() if ".restore-" in p.name) == []


def test_the_suppression_list_file_survives_a_restore_of_a_backup_without_it(store, tmp_path):
    """The list file is not in the backup and is not replaced by a restore: it gains the
    restored database's keys and keeps its own."""
    _first_import(store)
    forget.forget(store, forget.BY_EMAIL, "bob@example.org", "settings")
    out = tmp_path / "backup.zip"
    backup.create(store, out)
    forget.forget(store, forget.BY_EMAIL, "ann@example.org", "settings")
    backup.restore(store, out)
    listed = {k for k, _ in suppression.read_list(store.path)}
    ann, bob = key_of(store, EMAIL, "ann@example.org"), key_of(store, EMAIL, "bob@example.org")
    assert listed == {ann, bob}
    assert {r[0] for r in rows(store, "SELECT person_key FROM forgotten_people")} == {ann, bob}
