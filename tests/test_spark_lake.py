"""The same results on Spark as on DuckDB: the demo organisation exported to a lake, one local
Spark Connect server for the session (the path a cluster uses), every named query and every
page's analysis compared. With CI=true a missing Java or pyspark fails these tests, never skips.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import fields, is_dataclass
from datetime import date

import numpy as np
import pandas as pd
import pytest

from analysis import cli, engine, lake, metrics, queries, views
from analysis.compare import claims as claims_module
from analysis.compare import guide
from analysis.compare.page import comparisons
from analysis.engine import (
    DRIVER_MEMORY_ENV_VAR,
    ENGINE_ENV_VAR,
    LAKE_ENV_VAR,
    REMOTE_ENV_VAR,
    SparkLake,
)
from analysis.health import health
from analysis.ingest import service
from analysis.metrics import filter_options
from analysis.privacy import PrivacyRule
from analysis.queries import Filters, run_query
from analysis.store import DATA_TABLES, Store
from tests.app_support import open_app
from tests.test_cli import NEW_COHORT, ZOOM

PARAMS = {"engaged_share": 0.75, "week": 2}
DRIVER_MEMORY = "1536m"  # the local server's heap in these tests (Spark's default is 1g)
RULE = PrivacyRule(min_group_size=5)


def _spark_missing() -> str:
    """What local Spark needs and this machine lacks ('' when nothing)."""
    missing = []
    try:
        import pyspark.sql.connect.session  # noqa: F401
    except ImportError as exc:
        missing.append(f"pyspark[connect] ({exc}); scripts/setup.sh dev installs it")
    if shutil.which("java") is None:
        missing.append("Java 17 (apt openjdk-17-jre-headless; scripts/setup.sh dev installs it)")
    return "; ".join(missing)


@contextmanager
def _env(lake_dir: str | None) -> Iterator[None]:
    """FORMATFIT_ENGINE=spark on the lake for the block (DuckDB when lake_dir is None)."""
    with pytest.MonkeyPatch.context() as mp:
        if lake_dir is None:
            mp.delenv(ENGINE_ENV_VAR, raising=False)
        else:
            mp.setenv(ENGINE_ENV_VAR, "spark")
            mp.setenv(LAKE_ENV_VAR, lake_dir)
            mp.setenv(REMOTE_ENV_VAR, os.environ.get(REMOTE_ENV_VAR) or "local[2]")
            mp.setenv(DRIVER_MEMORY_ENV_VAR, DRIVER_MEMORY)
        yield


@pytest.fixture(scope="session")
def spark_lake(demo_store: Store, tmp_path_factory) -> Iterator[SparkLake]:
    """The demo exported to a lake, and the Spark engine over it, started once."""
    missing = _spark_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Spark tests cannot run under CI: missing {missing}")
        pytest.skip(f"missing {missing}")
    lake_dir = tmp_path_factory.mktemp("lake")
    lake.export(demo_store, lake_dir)
    with _env(str(lake_dir)):
        eng = engine.current()
        eng.session()  # starts the local Spark Connect server
    yield eng
    eng.stop()


def both(spark_lake: SparkLake, call):
    """`call()` on DuckDB, then on Spark over the lake."""
    with _env(None):
        on_duckdb = call()
    with _env(str(spark_lake.lake)):
        on_spark = call()
    return on_duckdb, on_spark


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), na_position="first").reset_index(drop=True)


def assert_same_frame(
    a: pd.DataFrame, b: pd.DataFrame, what: str = "", ordered: bool = False
) -> None:
    """Same columns, dtypes and rows (after sorting unless ordered), floats to 1e-9."""
    if not ordered:
        a, b = _sorted(a), _sorted(b)
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=1e-9)
    except AssertionError as exc:
        raise AssertionError(f"{what}: {exc}") from None


def _views(demo: Store) -> dict[str, Filters]:
    opts = filter_options(demo)
    cohorts = list(opts.cohorts)
    return {
        "none": Filters(),
        "departments": Filters(departments=tuple(opts.departments[:2])),
        "formats_programs_months": Filters(
            formats=("small_group", "self_directed"),
            programs=tuple(list(opts.programs)[:4]),
            start_from=opts.months[0],
            start_to=opts.months[len(opts.months) // 2],
        ),
        "cohorts": Filters(cohorts=tuple(cohorts[:3])),
        "variants": Filters(variants=("book_club", "self_study_alone")),
    }


# the queries that read the filter prelude's relations (f_cohorts, f_enrolments, ...)
PRELUDE = re.compile(r"\bf_(cohorts|people|departments|enrolments|responses)\b")
FILTERED = sorted(p.stem for p in queries.SQL_DIR.glob("*.sql") if PRELUDE.search(p.read_text()))
WHOLE = sorted(p.stem for p in queries.SQL_DIR.glob("*.sql") if p.stem not in FILTERED)


def test_the_local_server_runs_with_the_driver_memory_setting(spark_lake) -> None:
    """FORMATFIT_SPARK_DRIVER_MEMORY reaches the local server's JVM (Spark's 1 GB default
    lost a task result on Compare at 10M rows)."""
    assert spark_lake.driver_memory == DRIVER_MEMORY
    assert spark_lake.session().conf.get("spark.driver.memory") == DRIVER_MEMORY


def test_the_lake_holds_every_data_table_and_a_manifest(spark_lake, demo_store) -> None:
    """One folder per data table, the row counts of the DuckDB file, the views' SQL."""
    manifest = json.loads((spark_lake.lake / lake.MANIFEST).read_text())
    assert set(manifest["tables"]) == set(DATA_TABLES)
    for table in DATA_TABLES:
        assert manifest["rows"][table] == demo_store.fetch(f"SELECT count(*) FROM {table}")[0][0]
        assert all((spark_lake.lake / f).is_file() for f in manifest["tables"][table])
    assert set(manifest["views"]) == set(lake.VIEWS)


@pytest.mark.parametrize("name", WHOLE)
def test_unfiltered_named_queries_match(spark_lake, demo_store, name) -> None:
    """A query over the whole dataset: same frame on Spark as on DuckDB."""
    a, b = both(spark_lake, lambda: run_query(demo_store, name, Filters(), **PARAMS))
    assert len(a) > 0
    assert_same_frame(a, b)


@pytest.mark.parametrize("name", FILTERED)
def test_filtered_named_queries_match_under_every_view(spark_lake, demo_store, name) -> None:
    """A query under each filter view: same frame on Spark as on DuckDB."""
    for view, filters in _views(demo_store).items():
        a, b = both(spark_lake, lambda f=filters: run_query(demo_store, name, f, **PARAMS))
        assert_same_frame(a, b, f"{name} under {view}")


def test_ordered_queries_keep_their_order(spark_lake, demo_store) -> None:
    """A query that orders its rows (health_cohorts, survey_items) comes back in that order."""
    for name in ("health_cohorts", "survey_items", "filter_cohorts"):
        a, b = both(spark_lake, lambda n=name: run_query(demo_store, n, Filters()))
        assert_same_frame(a, b, name, ordered=True)


def _same_figures(a: dict, b: dict, what: str) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert_same_frame(a[key], b[key], f"{what}: {key}", ordered=True)


@pytest.mark.parametrize("page", sorted(views.PAGES))
def test_each_page_shows_the_same_figures_and_suppressions(spark_lake, demo_store, page) -> None:
    """Overview, Engagement and Application: every figure, its n, interval and suppression
    status, the same under the filter views and each of the page's own options."""
    filter_views = _views(demo_store)
    for view in ("none", "departments", "formats_programs_months"):
        f = filter_views[view]
        choices = [{n: v} for n, values in views.PAGE_OPTIONS[page].items() for v in values]
        for opts in [{}, *choices[:4]]:
            a, b = both(
                spark_lake, lambda f=f, o=opts: views.page_figures(page, demo_store, f, RULE, **o)
            )
            _same_figures(a, b, f"{page} under {view} {opts}")


def assert_same(a: object, b: object, path: str = "") -> None:
    """Equal, walking dataclasses, frames and containers; floats to 1e-9 (a model fitted on
    rows in another order differs in the last digits), frames compared after sorting."""
    if is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), path
        for f in fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, pd.DataFrame):
        assert_same_frame(a, b, path)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float | np.floating) and not isinstance(a, bool):
        assert (np.isnan(a) and np.isnan(b)) or np.isclose(a, b, rtol=1e-9, atol=1e-12), path
    else:
        assert a == b, path


def test_claims_guide_and_health_give_the_same_verdicts(spark_lake, demo_store) -> None:
    """The ten claims (verdicts, evidence in words, every result), the Compare page's pair
    and presets, the guide's costs and the Data health page, the same on both engines."""
    a, b = both(spark_lake, lambda: claims_module.claims(demo_store, RULE))
    assert [c.verdict for c in a] == [c.verdict for c in b]
    assert [c.evidence for c in a] == [c.evidence for c in b]
    assert_same(a, b, "claims")
    for metric in ("application", "engagement", "momentum"):
        a, b = both(
            spark_lake,
            lambda m=metric: comparisons(
                demo_store,
                "format=small_group",
                "format=self_directed",
                m,
                "d30",
                RULE,
                with_presets=True,
            ),
        )
        assert_same(a, b, f"Compare page, {metric}")
    a, b = both(spark_lake, lambda: guide.costs(demo_store, RULE))
    assert_same_frame(a, b, "guide costs", ordered=True)
    a, b = both(spark_lake, lambda: health(demo_store, RULE, date(2026, 12, 3)))
    assert_same(a, b, "health")


def test_a_new_export_moves_the_version_and_the_results_follow(spark_lake, demo_store) -> None:
    """Caches key on the lake's version: after an export of different data, Spark answers
    from the new files."""
    before = spark_lake.dataset_version()
    with _env(str(spark_lake.lake)):
        n_before = run_query(demo_store, "completion_by_variant", Filters())["enrolled"].sum()
    other_dir = spark_lake.lake.parent / "other.duckdb"
    demo_store.snapshot_to(other_dir)
    other = Store(other_dir)
    try:
        with other.transaction() as cur:
            cohort = cur.execute("SELECT min(cohort_id) FROM cohorts").fetchone()[0]
            dropped = cur.execute(
                "DELETE FROM enrolment_records WHERE cohort_id = ?", [cohort]
            ).fetchone()[0]
        lake.export(other, spark_lake.lake)
        assert spark_lake.dataset_version() == before + 1
        with _env(str(spark_lake.lake)):
            n_after = run_query(demo_store, "completion_by_variant", Filters())["enrolled"].sum()
        assert dropped > 0 and n_after == n_before - dropped
    finally:
        lake.export(demo_store, spark_lake.lake)  # the other tests' lake again
        other.close()
    assert spark_lake.dataset_version() == before + 2


def test_status_counts_and_filter_choices_match(spark_lake, demo_store) -> None:
    """The sidebar's data status and filter choices come from the lake on Spark."""
    a, b = both(spark_lake, lambda: metrics.row_counts(demo_store))
    assert a == b == demo_store.row_counts()
    a, b = both(spark_lake, lambda: filter_options(demo_store))
    assert a == b and len(a.departments) > 2


def test_a_pushed_import_shows_on_spark_and_undo_takes_it_back(
    spark_lake, demo_store, tmp_path, monkeypatch
) -> None:
    """A Zoom report imported into a copy of the database and pushed to the lake: Spark's
    Data health rows match DuckDB's on that copy (one cohort more); after undo, as before."""
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "key"))
    db = tmp_path / "db.duckdb"
    demo_store.snapshot_to(db)
    assert cli.main(["import", str(ZOOM), *NEW_COHORT, "--db", str(db)]) == 0
    with closing(Store(db, mode="read")) as store:
        import_id = store.fetch("SELECT max(import_id) FROM imports")[0][0]
        with _env(str(spark_lake.lake)):
            before = run_query(store, "health_cohorts", Filters())
        lake.push(store, spark_lake.lake, import_id)
        try:
            a, b = both(spark_lake, lambda: run_query(store, "health_cohorts", Filters()))
            assert_same_frame(a, b, "after the push", ordered=True)
            assert len(b) == len(before) + 1
        finally:
            lake.undo(spark_lake.lake, import_id)
        with _env(str(spark_lake.lake)):
            after = run_query(store, "health_cohorts", Filters())
    assert_same_frame(before, after, "after undo", ordered=True)


def test_in_lake_mode_an_import_forget_and_undo_reach_spark(
    spark_lake, demo_store, tmp_path, monkeypatch
) -> None:
    """Lake mode on a copy of the file the lake came from: a Zoom report imported through the
    command line is on Spark with no push (one cohort more, as on DuckDB); forgetting one of
    its people and undoing it follow too (analysis/lake_sync.py)."""
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "key"))
    db = tmp_path / "db.duckdb"
    demo_store.snapshot_to(db)
    with _env(str(spark_lake.lake)):
        before = run_query(demo_store, "health_cohorts", Filters())
    try:
        with _env(str(spark_lake.lake)):
            assert cli.main(["import", str(ZOOM), *NEW_COHORT, "--db", str(db)]) == 0
            forget = ["forget", "--email", "green-goblin_human@marvel.com", "--db", str(db)]
            assert cli.main(forget) == 0
        with closing(Store(db)) as store:
            import_id = store.fetch("SELECT max(import_id) FROM imports")[0][0]
            a, b = both(spark_lake, lambda: run_query(store, "health_cohorts", Filters()))
            assert_same_frame(a, b, "after the import and forget", ordered=True)
            assert len(b) == len(before) + 1
            a, b = both(spark_lake, lambda: metrics.row_counts(store))
            assert a == b and b["attendance"] > demo_store.row_counts()["attendance"]
            with _env(str(spark_lake.lake)):
                service.undo(store, import_id)
                assert store.lake_sync.action == "exported"  # forget exported: undo does too
                after = run_query(store, "health_cohorts", Filters())
        assert_same_frame(before, after, "after undo", ordered=True)
    finally:
        lake.export(demo_store, spark_lake.lake)  # the other tests' lake again


def test_the_app_shows_the_same_overview_on_spark(spark_lake, tmp_path, monkeypatch) -> None:
    """The whole app under AppTest, on an empty local file and the lake: the Overview's nine
    KPI figures are the ones the app shows on the demo in DuckDB; no demo loads locally."""
    on_duckdb = open_app(tmp_path / "duckdb", monkeypatch)
    assert not on_duckdb.exception
    monkeypatch.setenv(ENGINE_ENV_VAR, "spark")
    monkeypatch.setenv(LAKE_ENV_VAR, str(spark_lake.lake))
    monkeypatch.setenv(REMOTE_ENV_VAR, spark_lake.remote)
    on_spark = open_app(tmp_path / "spark", monkeypatch)
    assert not on_spark.exception, on_spark.exception
    shown = [(m.label, m.value) for m in on_spark.metric]
    assert len(shown) == 9 and shown == [(m.label, m.value) for m in on_duckdb.metric]
    with closing(Store(tmp_path / "spark" / "app.duckdb", mode="read")) as local:
        assert local.is_empty()
