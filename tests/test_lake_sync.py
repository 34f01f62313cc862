"""Lake mode (FORMATFIT_ENGINE=spark with FORMATFIT_LAKE): every write a person makes reaches the
lake, all or nothing (analysis/lake_sync.py). No Spark needed: DuckDB reads the lake's Parquet
through its manifest, as a Spark reader would; tests/test_spark_lake.py checks one on Spark.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from analysis import cli, lake, lake_sync
from analysis.engine import ENGINE_ENV_VAR, LAKE_ENV_VAR
from analysis.ingest import service
from analysis.ingest.keys import EMAIL
from analysis.programs import changes
from analysis.store import DATA_TABLES, Store
from analysis.text import markdown_text
from tests.ingest_support import key_of
from tests.test_cli import NEW_COHORT, ZOOM
from tests.test_lake import _visible

GOBLIN = "green-goblin_human@marvel.com"  # a participant of the Zoom report


@pytest.fixture
def on_lake(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """(database file, lake folder), the engine set to Spark over that lake (no session
    starts: nothing here runs a query on Spark)."""
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "key"))
    monkeypatch.setenv(ENGINE_ENV_VAR, "spark")
    monkeypatch.setenv(LAKE_ENV_VAR, str(tmp_path / "lake"))
    return tmp_path / "db.duckdb", tmp_path / "lake"


def _exported(db: Path, lake_dir: Path, demo: Store | None = None) -> dict:
    """The lake written from the database file (a copy of the demo's, or an empty one)."""
    if demo is not None:
        demo.snapshot_to(db)
    with closing(Store(db)) as store:
        return lake.export(store, lake_dir)


def _differences(db: Path | Store, lake_dir: Path) -> dict[str, int]:
    """Rows per table that the file (or an open Store's) and the lake's listed files do not
    share, both ways; {} when the lake holds exactly the file's data tables."""
    if isinstance(db, Store):
        with db.reading() as cur:
            return _compare(cur, "main", lake_dir)
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{db}' AS f (READ_ONLY)")
        return _compare(con, "f", lake_dir)


def _compare(con, schema: str, lake_dir: Path) -> dict[str, int]:
    files = lake.table_files(lake_dir, lake.read_manifest(lake_dir))
    out = {}
    for table in DATA_TABLES:
        listed = f"read_parquet({[str(p) for p in files[table]]})"
        n = con.execute(
            f"SELECT (SELECT count(*) FROM (SELECT * FROM {listed} "
            f"EXCEPT ALL SELECT * FROM {schema}.{table})) + (SELECT count(*) FROM "
            f"(SELECT * FROM {schema}.{table} EXCEPT ALL SELECT * FROM {listed}))"
        ).fetchone()[0]
        if n:
            out[table] = n
    return out


def _import_zoom(db: Path, capsys) -> dict:
    """Import the Zoom report through the command line; its JSON report."""
    capsys.readouterr()
    assert cli.main(["import", str(ZOOM), *NEW_COHORT, "--db", str(db)]) == 0
    return json.loads(capsys.readouterr().out)


def test_an_import_reaches_the_lake_and_undo_takes_it_out(on_lake, capsys) -> None:
    """An import is pushed in a folder of its own (manifest last); undo takes it out, files and
    all; after each, the lake holds exactly the file's rows."""
    db, lake_dir = on_lake
    first = _exported(db, lake_dir)
    before = _visible(lake_dir)
    report = _import_zoom(db, capsys)
    assert report["lake"]["action"] == "updated" and not report["lake"]["behind"]
    manifest = lake.read_manifest(lake_dir)
    assert list(manifest["imports"]) == [str(report["import_id"])]
    assert _visible(lake_dir)["attendance_days"] > 0 and _differences(db, lake_dir) == {}
    assert manifest["source_dataset_version"] == first["source_dataset_version"] + 1
    with closing(Store(db)) as store:
        service.undo(store, report["import_id"])
        assert store.lake_sync.action == "updated"
        assert lake_sync.status(store) is None
    assert _visible(lake_dir) == before and _differences(db, lake_dir) == {}
    assert list((lake_dir / "imports").iterdir()) == []


def test_undo_of_an_exported_import_exports_again(on_lake, capsys) -> None:
    """An import whose rows sit in an export's files is undone by a new export."""
    db, lake_dir = on_lake
    _exported(db, lake_dir)
    report = _import_zoom(db, capsys)
    with closing(Store(db)) as store:
        lake.export(store, lake_dir)
        service.undo(store, report["import_id"])
        assert store.lake_sync.action == "exported"
    assert _visible(lake_dir)["attendance_days"] == 0 and _differences(db, lake_dir) == {}


def _rows_with(lake_dir: Path, key: str) -> int:
    """Rows holding `key` in any text column of any Parquet file in the lake folder."""
    found = 0
    with duckdb.connect() as con:
        for path in lake_dir.rglob("*.parquet"):
            cols = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
            text = [c[0] for c in cols if c[1] == "VARCHAR"]
            if text:
                where = " OR ".join(f'"{c}" = $k' for c in text)
                found += con.execute(
                    f"SELECT count(*) FROM read_parquet($p) WHERE {where}",
                    {"p": str(path), "k": key},
                ).fetchone()[0]
    return found


def test_forgetting_a_person_leaves_no_row_with_their_key_in_the_lake(on_lake, capsys) -> None:
    """`python -m analysis forget --email …`: the lake is exported again without them, and no
    file in the lake folder (listed or not) holds their key."""
    db, lake_dir = on_lake
    _exported(db, lake_dir)
    _import_zoom(db, capsys)
    with closing(Store(db, mode="read")) as store:
        key = key_of(store, EMAIL, GOBLIN)
    assert _rows_with(lake_dir, key) > 0
    assert cli.main(["forget", "--email", GOBLIN, "--db", str(db)]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["rows_removed"] > 0 and done["lake"]["action"] == "exported"
    assert _rows_with(lake_dir, key) == 0 and _differences(db, lake_dir) == {}


def test_edits_merges_and_their_undo_reach_the_lake(on_lake, demo_store: Store) -> None:
    """An edit, a merge and undoing the merge each export the lake again: it holds the file."""
    db, lake_dir = on_lake
    _exported(db, lake_dir, demo_store)
    with closing(Store(db)) as store:
        first, second = [r[0] for r in store.fetch("SELECT program_id FROM programs LIMIT 2")]
        changes.edit(store, "program", first, {"name": "Renamed in lake mode"})
        assert store.lake_sync.action == "exported"
        assert _differences(store, lake_dir) == {}
        merge_id = changes.merge(store, "program", first, second)
        assert _differences(store, lake_dir) == {}
        service.undo(store, merge_id)
        assert store.lake_sync.action == "exported" and lake_sync.status(store) is None
    assert _differences(db, lake_dir) == {}
    files = lake.table_files(lake_dir, lake.read_manifest(lake_dir))["programs"]
    with duckdb.connect() as con:
        names = con.execute(
            "SELECT name FROM read_parquet(?)", [[str(f) for f in files]]
        ).fetchall()
    assert ("Renamed in lake mode",) in names


def test_a_lake_write_that_fails_keeps_the_file_and_says_the_lake_is_behind(
    on_lake, capsys, monkeypatch
) -> None:
    """The import stands in the file; the command warns on stderr with the one command that
    brings the lake up; readers still see the old manifest; that command (or the next write)
    brings the lake up to the file."""
    db, lake_dir = on_lake
    _exported(db, lake_dir)
    before, manifest = _visible(lake_dir), (lake_dir / lake.MANIFEST).read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(lake, "_write_manifest", disk_full)
        capsys.readouterr()
        assert cli.main(["import", str(ZOOM), *NEW_COHORT, "--db", str(db)]) == 0
        out = capsys.readouterr()
    report = json.loads(out.out)
    assert report["imported"] and report["lake"]["behind"]
    command = f"python -m analysis lake export {lake_dir.resolve()}"
    assert command in report["lake"]["message"] and "Traceback" not in out.err
    assert out.err.startswith("warning: Saved in the database file") and command in out.err
    assert (lake_dir / lake.MANIFEST).read_bytes() == manifest and _visible(lake_dir) == before
    with closing(Store(db, mode="read")) as store:
        assert "is behind the database file" in lake_sync.status(store)
        assert store.fetch("SELECT count(*) FROM attendance")[0][0] > 0
    assert cli.main(["lake", "export", str(lake_dir), "--db", str(db)]) == 0
    with closing(Store(db, mode="read")) as store:
        assert lake_sync.status(store) is None
    assert _differences(db, lake_dir) == {}


def test_the_next_write_brings_a_lake_left_behind_up_to_date(on_lake, capsys, monkeypatch) -> None:
    """After a failed lake write, the next write exports: the lake holds the file again."""
    db, lake_dir = on_lake
    _exported(db, lake_dir)
    with monkeypatch.context() as m:
        m.setattr(lake, "_write_manifest", lambda *a, **k: (_ for _ in ()).throw(OSError("gone")))
        report = _import_zoom(db, capsys)
    assert report["lake"]["behind"] and _visible(lake_dir)["attendance_days"] == 0
    with closing(Store(db)) as store:
        program = store.fetch("SELECT min(program_id) FROM programs")[0][0]
        changes.edit(store, "program", program, {"name": "Any change"})
        assert store.lake_sync.action == "exported"
    assert _differences(db, lake_dir) == {}


def test_a_lake_written_from_another_file_is_left_alone(on_lake, tmp_path, capsys) -> None:
    """Writes to one file never touch a lake another file (or a pipeline) wrote: the lake
    stays as it was and the report says why, with the command."""
    db, lake_dir = on_lake
    _exported(tmp_path / "other.duckdb", lake_dir)
    manifest = (lake_dir / lake.MANIFEST).read_bytes()
    with closing(Store(db)) as store:
        assert lake_sync.status(store) is None  # an empty file: the lake misses nothing of it
    report = _import_zoom(db, capsys)
    assert report["lake"]["action"] == "not_ours" and report["lake"]["behind"]
    assert "not written from this database file" in report["lake"]["message"]
    assert (lake_dir / lake.MANIFEST).read_bytes() == manifest
    with closing(Store(db, mode="read")) as store:
        assert "not written from this database file" in lake_sync.status(store)


def test_a_restore_exports_the_restored_file(on_lake, tmp_path, capsys) -> None:
    """A backup restored after an undo brings its import back, into the lake too."""
    db, lake_dir = on_lake
    _exported(db, lake_dir)
    report = _import_zoom(db, capsys)
    assert cli.main(["backup", str(tmp_path / "b.zip"), "--db", str(db)]) == 0
    with closing(Store(db)) as store:
        service.undo(store, report["import_id"])
    assert _visible(lake_dir)["attendance_days"] == 0
    capsys.readouterr()
    assert cli.main(["restore", str(tmp_path / "b.zip"), "--db", str(db)]) == 0
    restored = json.loads(capsys.readouterr().out)
    assert restored["lake"]["action"] == "exported"
    assert _visible(lake_dir)["attendance_days"] > 0 and _differences(db, lake_dir) == {}


def test_undoing_an_import_whose_program_a_later_one_uses_exports_again(on_lake, capsys) -> None:
    """Undo hands a program a later import uses over to it (its rows stay in the file, under
    the later import's id): taking the pushed folder out would lose it, so the lake is
    exported again."""
    db, lake_dir = on_lake
    _exported(db, lake_dir)
    first = _import_zoom(db, capsys)
    later = [*NEW_COHORT]
    later[later.index("Zoom pilot")] = "Zoom pilot 2"
    short = ZOOM.with_name("participants_heroes.csv")
    assert cli.main(["import", str(short), *later, "--db", str(db)]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["lake"]["action"] == "updated"
    assert second["link"]["program"]["existing"]  # the same program, written once
    with closing(Store(db)) as store:
        service.undo(store, first["import_id"])
        assert store.fetch("SELECT import_id FROM programs") == [(second["import_id"],)]
        assert store.lake_sync.action == "exported"
    assert _differences(db, lake_dir) == {}


def test_the_app_says_when_the_lake_is_behind(tmp_path, monkeypatch) -> None:
    """The sidebar on every page, and the Import page after an import, show the lake's
    message with its command (here said to be behind; the app runs on DuckDB meanwhile)."""
    from tests.app_support import open_app
    from ui import data

    message = "The lake at /l is behind the database file: `python -m analysis lake export /l`"
    at = open_app(tmp_path, monkeypatch)
    assert not at.exception and not at.sidebar.warning
    monkeypatch.setattr(data, "lake_behind", lambda: message)
    at.session_state["last_import"] = 1
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.exception, at.exception
    assert [w.value for w in at.sidebar.warning] == [markdown_text(message)]
    assert markdown_text(message) in [w.value for w in at.main.warning]
    assert [s.value for s in at.success] == ["Import 1 is in the database file."]
