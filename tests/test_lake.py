"""The lake export: Parquet per data table, the manifest last, all or nothing (no Spark needed).

The results on Spark are checked in tests/test_spark_lake.py.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from analysis import cli, engine, lake
from analysis.engine import ENGINE_ENV_VAR, LAKE_ENV_VAR
from analysis.store import DATA_TABLES, Store
from tests.conftest import run_cli
from tests.test_cli import NEW_COHORT, ZOOM


def _lake_rows(lake_dir: Path, table: str) -> int:
    """Rows of a table as a reader of the manifest sees them (DuckDB reading the Parquet)."""
    files = [str(f) for f in lake.table_files(lake_dir, lake.read_manifest(lake_dir))[table]]
    with duckdb.connect() as con:
        return con.execute("SELECT count(*) FROM read_parquet(?)", [files]).fetchone()[0]


def test_export_writes_every_table_with_its_rows(demo_store: Store, tmp_path: Path) -> None:
    """Each data table's rows, column names and types survive the trip through Parquet."""
    manifest = lake.export(demo_store, tmp_path / "lake")
    assert manifest["version"] == 1
    for table in DATA_TABLES:
        assert (
            _lake_rows(tmp_path / "lake", table)
            == demo_store.fetch(f"SELECT count(*) FROM {table}")[0][0]
        )
    files = lake.table_files(tmp_path / "lake", manifest)["cohorts"]
    with duckdb.connect() as con:
        lake_cols = con.execute(
            "DESCRIBE SELECT * FROM read_parquet(?)", [str(files[0])]
        ).fetchall()
    db_cols = demo_store.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'cohorts' ORDER BY ordinal_position"
    )
    assert [(r[0], r[1]) for r in lake_cols] == db_cols


def test_an_export_that_stops_midway_leaves_the_lake_as_it_was(
    demo_store: Store, tmp_path: Path, monkeypatch
) -> None:
    """Files written before a failure are not in the manifest, so readers never see them; the
    next export removes them."""
    lake_dir = tmp_path / "lake"
    first = lake.export(demo_store, lake_dir)
    before = (lake_dir / lake.MANIFEST).read_bytes()

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process stopped just before the manifest

    monkeypatch.setattr(lake, "_write_manifest", killed)
    with pytest.raises(KeyboardInterrupt):
        lake.export(demo_store, lake_dir)
    assert (lake_dir / lake.MANIFEST).read_bytes() == before
    strays = [p for p in lake_dir.glob("*/*.parquet") if first["generation"] not in p.name]
    assert len(strays) == len(DATA_TABLES)  # written, but invisible
    assert _lake_rows(lake_dir, "attendance_days") == first["rows"]["attendance_days"]
    monkeypatch.undo()
    second = lake.export(demo_store, lake_dir)
    assert second["version"] == 2 and second["lake_id"] == first["lake_id"]
    assert sorted(p.name for p in lake_dir.glob("*/*.parquet")) == sorted(
        [f"{second['generation']}.parquet"] * len(DATA_TABLES)
    )


def test_a_folder_without_a_manifest_is_no_lake(tmp_path: Path, monkeypatch) -> None:
    """The Spark engine refuses a folder with no manifest, and a missing FORMATFIT_LAKE."""
    monkeypatch.setenv(ENGINE_ENV_VAR, "spark")
    monkeypatch.delenv(LAKE_ENV_VAR, raising=False)
    with pytest.raises(ValueError, match=LAKE_ENV_VAR):
        engine.current()
    monkeypatch.setenv(LAKE_ENV_VAR, str(tmp_path))
    with pytest.raises(lake.LakeError, match="no lake"):
        engine.current().dataset_version()
    monkeypatch.setenv(ENGINE_ENV_VAR, "oracle")
    with pytest.raises(ValueError, match="duckdb, spark"):
        engine.current()


def test_duckdb_is_the_default_engine(monkeypatch) -> None:
    """With nothing set, queries run on the DuckDB file."""
    monkeypatch.delenv(ENGINE_ENV_VAR, raising=False)
    assert engine.engine_name() == "duckdb" and engine.current() is None


@pytest.mark.parametrize(
    ("raw", "expected"), [("", ""), ("4g", "4g"), (" 1500M ", "1500m"), ("2T", "2t")]
)
def test_the_driver_memory_setting_takes_jvm_sizes(monkeypatch, raw: str, expected: str) -> None:
    monkeypatch.setenv(engine.DRIVER_MEMORY_ENV_VAR, raw)
    assert engine.driver_memory() == expected


@pytest.mark.parametrize("raw", ["4", "4gb", "four g", "0g", "-1g", "4g; rm"])
def test_a_driver_memory_that_is_no_size_is_refused_in_words(monkeypatch, raw: str) -> None:
    """A typo would reach the JVM, which refuses to start with a Java error instead."""
    monkeypatch.setenv(engine.DRIVER_MEMORY_ENV_VAR, raw)
    with pytest.raises(ValueError, match="is not a size: give a number and a unit"):
        engine.driver_memory()


@pytest.mark.parametrize(
    ("remote", "local"),
    [("local", True), ("local[2]", True), ("local[*]", True), ("sc://host:15002", False)],
)
def test_only_a_local_server_takes_the_driver_memory(remote: str, local: bool) -> None:
    """A cluster's driver is sized by the cluster: the setting is not sent to it."""
    assert engine.is_local(remote) is local


def test_the_command_line_exports_a_lake(demo_store: Store, tmp_path: Path) -> None:
    """`python -m analysis lake export DIR` prints the version and the rows per table."""
    db = tmp_path / "copy.duckdb"
    demo_store.snapshot_to(db)
    out = run_cli("lake", "export", str(tmp_path / "lake"), db=db)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["version"] == 1
    assert report["rows"]["cohorts"] == demo_store.fetch("SELECT count(*) FROM cohorts")[0][0]
    assert (tmp_path / "lake" / lake.MANIFEST).is_file()


def _visible(lake_dir: Path) -> dict[str, int]:
    """Rows per table as a reader of the manifest sees them."""
    return {t: _lake_rows(lake_dir, t) for t in DATA_TABLES}


def test_an_import_pushed_then_undone_leaves_the_lake_as_before(
    demo_store: Store, tmp_path: Path, monkeypatch
) -> None:
    """A real import (a Zoom report, through the command line) pushed to the lake: its rows
    appear, in a folder of its own; a push killed before its manifest leaves no visible trace;
    undo takes it out again, files and all."""
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "key"))
    db, lake_dir = tmp_path / "db.duckdb", tmp_path / "lake"
    demo_store.snapshot_to(db)
    with closing(Store(db)) as store:
        first = lake.export(store, lake_dir)
    before, listed = _visible(lake_dir), first["tables"]
    assert cli.main(["import", str(ZOOM), *NEW_COHORT, "--db", str(db)]) == 0
    with closing(Store(db, mode="read")) as store:
        import_id = store.fetch("SELECT max(import_id) FROM imports")[0][0]
        added = {
            t: store.fetch(f"SELECT count(*) FROM {t} WHERE import_id = ?", [import_id])[0][0]
            for t in DATA_TABLES
        }
        assert added["attendance_days"] > 0 and added["cohorts"] == 1

        def killed(*args, **kwargs):
            raise KeyboardInterrupt

        with monkeypatch.context() as m:
            m.setattr(lake, "_write_manifest", killed)
            with pytest.raises(KeyboardInterrupt):
                lake.push(store, lake_dir, import_id)
        assert _visible(lake_dir) == before
        assert len(list((lake_dir / "imports").iterdir())) == 1  # written, never listed

        pushed = lake.push(store, lake_dir, import_id)
        assert _visible(lake_dir) == {t: before[t] + added[t] for t in DATA_TABLES}
        assert list(pushed["imports"]) == [str(import_id)]
        assert [p.name for p in (lake_dir / "imports").iterdir()] == [
            Path(pushed["imports"][str(import_id)]["folder"]).name
        ]  # the killed push's folder went with this write
        with pytest.raises(ValueError, match="already in the lake"):
            lake.push(store, lake_dir, import_id)
        with pytest.raises(ValueError, match="already in the lake"):
            lake.push(store, lake_dir, first["exported_imports"][0])

    undone = lake.undo(lake_dir, import_id)
    assert _visible(lake_dir) == before
    assert undone["tables"] == listed and undone["imports"] == {}
    assert list((lake_dir / "imports").iterdir()) == []
    assert undone["version"] == first["version"] + 2
