"""The query engine: DuckDB (the default, analysis/store.py) or Spark over a lake of Parquet.

`FORMATFIT_ENGINE=duckdb` needs nothing else. `FORMATFIT_ENGINE=spark` runs every named query
on a Spark Connect session (`FORMATFIT_SPARK_REMOTE`: `local[*]` starts a local server,
`sc://host:15002` is a cluster) over the Parquet tables of the lake folder `FORMATFIT_LAKE`
(analysis/lake.py). The named queries are written once, in DuckDB SQL, and transpiled with
sqlglot; their parameters stay parameters (Spark's named markers), never formatted into text.
Only the small results come back; the privacy step, statistics and charts do not change.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from analysis import lake as lakes

if TYPE_CHECKING:
    from analysis.store import Store

ENGINE_ENV_VAR = "FORMATFIT_ENGINE"
REMOTE_ENV_VAR = "FORMATFIT_SPARK_REMOTE"
LAKE_ENV_VAR = "FORMATFIT_LAKE"
# The heap of a local Spark server's driver (`local[*]` only: a cluster sets its own). Spark's
# default of 1 GB lost a task result on the Compare page at 10M attendance rows.
DRIVER_MEMORY_ENV_VAR = "FORMATFIT_SPARK_DRIVER_MEMORY"
ENGINES = ("duckdb", "spark")
DEFAULT_REMOTE = "local[*]"
# Dialects every named query is transpiled to in the tests; only spark is run.
DIALECTS = ("spark", "databricks", "snowflake", "bigquery", "trino")


def to_dialect(sql: str, dialect: str) -> str:
    """DuckDB SQL in another dialect; raises sqlglot's UnsupportedError on what does not carry.

    `SELECT * FROM (<body>) AS q` is flattened into the body first (its CTEs joined to the
    outer ones), so a body's ORDER BY orders the result on engines that drop a subquery's order.
    """
    import sqlglot

    tree = _flatten(sqlglot.parse_one(sql, read="duckdb"))
    return tree.sql(dialect=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)


def _flatten(tree):
    """The inner query of `WITH … SELECT * FROM (inner) AS q`, carrying the outer CTEs."""
    from sqlglot import exp

    if not isinstance(tree, exp.Select) or not tree.is_star or len(tree.expressions) != 1:
        return tree
    source = tree.args.get("from_") or tree.args.get("from")
    inner = source.this if source else None
    plain = not any(tree.args.get(k) for k in ("joins", "where", "group", "order", "limit"))
    if not (plain and isinstance(inner, exp.Subquery) and isinstance(inner.this, exp.Select)):
        return tree
    body = inner.this.copy()
    outer = [c.copy() for c in (tree.args["with_"].expressions if tree.args.get("with_") else [])]
    own = body.args["with_"].expressions if body.args.get("with_") else []
    names = [c.alias for c in outer] + [c.alias for c in own]
    if len(set(names)) != len(names):
        return tree  # a body CTE shadows a prelude one: keep the nesting
    if outer or own:
        body.set("with_", exp.With(expressions=[*outer, *own]))
    return body


def engine_name() -> str:
    """The configured engine ($FORMATFIT_ENGINE, default duckdb)."""
    name = (os.environ.get(ENGINE_ENV_VAR) or "duckdb").strip().lower()
    if name not in ENGINES:
        raise ValueError(f"{ENGINE_ENV_VAR} must be one of {', '.join(ENGINES)}, not {name!r}")
    return name


class SparkLake:
    """Named queries on a Spark Connect session over the lake's Parquet tables (temp views)."""

    def __init__(
        self, lake: Path | str, remote: str = DEFAULT_REMOTE, driver_memory: str = ""
    ) -> None:
        self.lake = Path(lake).expanduser().resolve()
        self.remote = remote
        self.driver_memory = driver_memory
        self._lock = threading.Lock()
        self._session = None
        self._registered: str | None = None  # the manifest generation the views show
        self._oracle: tuple[str, duckdb.DuckDBPyConnection] | None = None

    @property
    def token(self) -> str:
        """Identifies this lake in memoised results (its id, made when it was first written)."""
        return f"lake:{self.lake}:{lakes.read_manifest(self.lake)['lake_id']}"

    def dataset_version(self) -> int:
        """The lake manifest's version: it moves on every write to the lake."""
        return int(lakes.read_manifest(self.lake)["version"])

    def session(self):
        """The Spark Connect session, the lake's tables and views registered for its manifest."""
        manifest = lakes.read_manifest(self.lake)
        with self._lock:
            if self._session is None:
                try:
                    from pyspark.sql import SparkSession
                except ImportError as exc:
                    raise RuntimeError(
                        f"{ENGINE_ENV_VAR}=spark needs pyspark[connect]==4.3.0 (pinned in "
                        "requirements-dev.txt; a local server also needs Java 17)"
                    ) from exc
                self._session = session_builder(
                    SparkSession, self.remote, self.driver_memory
                ).getOrCreate()
            if self._registered != manifest["generation"]:
                spark = self._session
                for table, files in lakes.table_files(self.lake, manifest).items():
                    spark.read.parquet(*[str(f) for f in files]).createOrReplaceTempView(table)
                for view, select in manifest["views"].items():
                    spark.sql(to_dialect(select, "spark")).createOrReplaceTempView(view)
                self._registered = manifest["generation"]
            return self._session

    def query(self, sql: str, params: dict[str, object]) -> pd.DataFrame:
        """Run DuckDB-dialect SQL on Spark; the frame has the columns and dtypes DuckDB gives."""
        spark = self.session()
        result = spark.sql(to_dialect(sql, "spark"), args=dict(params)).toArrow()
        with self._lock:
            oracle = self._types(lakes.read_manifest(self.lake))
            schema = oracle.sql(sql, params=params).to_arrow_table().schema
            return oracle.from_arrow(result.cast(schema)).df()

    def _types(self, manifest: dict) -> duckdb.DuckDBPyConnection:
        """An in-memory DuckDB with the lake's tables, empty: it says what type DuckDB gives
        each result column, so a page sees the same dtypes on both engines."""
        if self._oracle and self._oracle[0] == manifest["generation"]:
            return self._oracle[1]
        con = duckdb.connect()
        for table, files in lakes.table_files(self.lake, manifest).items():
            con.execute(
                f"CREATE TABLE {lakes.ident(table)} AS SELECT * FROM read_parquet(?) LIMIT 0",
                [str(files[0])],
            )
        for view, select in manifest["views"].items():
            con.execute(f"CREATE VIEW {lakes.ident(view)} AS {select}")
        if self._oracle:
            self._oracle[1].close()
        self._oracle = (manifest["generation"], con)
        return con

    def stop(self) -> None:
        """End the Spark session (a local server stops with it)."""
        with self._lock:
            if self._session is not None:
                self._session.stop()
                self._session = None
                self._registered = None


def session_builder(spark_session: type, remote: str, driver_memory: str = ""):
    """The builder of a Spark Connect session on `remote` (`spark_session`: pyspark's
    SparkSession, imported by the caller, since pyspark is optional)."""
    builder = spark_session.builder.remote(remote)
    if driver_memory and is_local(remote):
        # read when the local server's JVM starts (spark-submit --conf)
        builder = builder.config("spark.driver.memory", driver_memory)
    return builder


def is_local(remote: str) -> bool:
    """Whether a remote starts a local server (`local`, `local[2]`, `local[*]`), not a cluster."""
    return remote == "local" or remote.startswith("local[")


def driver_memory() -> str:
    """$FORMATFIT_SPARK_DRIVER_MEMORY, checked: a JVM size such as 4g or 1500m, or "" (Spark's
    default). A typo must not reach the JVM, which would refuse to start with a Java error."""
    raw = os.environ.get(DRIVER_MEMORY_ENV_VAR, "").strip().lower()
    if raw and not re.fullmatch(r"[1-9][0-9]*[kmgt]", raw):
        raise ValueError(
            f"{DRIVER_MEMORY_ENV_VAR}={raw!r} is not a size: give a number and a unit, "
            "for example 4g or 1500m"
        )
    return raw


_CURRENT: dict[tuple[str, str, str], SparkLake] = {}
_CURRENT_LOCK = threading.Lock()


def current() -> SparkLake | None:
    """The Spark engine when FORMATFIT_ENGINE=spark (one per lake, remote and driver memory),
    else None."""
    if engine_name() == "duckdb":
        return None
    lake = os.environ.get(LAKE_ENV_VAR)
    if not lake:
        raise ValueError(f"{ENGINE_ENV_VAR}=spark needs {LAKE_ENV_VAR}: the lake's folder")
    remote = os.environ.get(REMOTE_ENV_VAR) or DEFAULT_REMOTE
    key = (str(Path(lake).expanduser().resolve()), remote, driver_memory())
    with _CURRENT_LOCK:
        if key not in _CURRENT:
            _CURRENT[key] = SparkLake(*key)
        return _CURRENT[key]


def data_key(db: Store) -> tuple[str, int]:
    """(token, dataset version) of where the data lives, for caches: the lake's on Spark,
    else the DuckDB file's. Both move on every write."""
    lake = current()
    if lake is not None:
        return lake.token, lake.dataset_version()
    return db.token, db.dataset_version()
