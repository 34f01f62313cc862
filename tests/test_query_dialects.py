"""Every named query, under the real filter prelude, carries over to the warehouse dialects.

sqlglot transpiles DuckDB SQL to Spark (run by FORMATFIT_ENGINE=spark; tests/test_spark_lake.py
checks its results) and to Databricks, Snowflake, BigQuery and Trino (transpiled, not run),
raising on what it cannot carry over. Some DuckDB constructs transpile without a complaint yet
mean something else elsewhere (date arithmetic, table functions, aggregate FILTER): the
portability check below refuses them in the DuckDB source.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlglot
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from analysis import derived, queries
from analysis.engine import DIALECTS, to_dialect
from analysis.queries import Filters, compose
from analysis.store import Store

NAMES = sorted(p.stem for p in queries.SQL_DIR.glob("*.sql"))
PARAMS = {"engaged_share": 0.75, "week": 3}
# A department with a quote and a would-be injection: values travel as parameters only.
TRICKY = "O'Brien'); DROP TABLE people; --"
FILTERS = {
    "none": Filters(),
    "departments": Filters(departments=("Engineering", TRICKY)),
    "formats_programs_months": Filters(
        formats=("small_group", "self_directed"),
        programs=("prog-1",),
        start_from=date(2026, 1, 1),
        start_to=date(2026, 12, 1),
    ),
    "cohorts": Filters(cohorts=("coh-1", "coh-2")),
    "variants": Filters(variants=("book_club",)),
}
# (query, dialect) pairs that do not carry over; the README lists the same (none today).
UNSUPPORTED: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Column types of every table and view of a fresh database, for sqlglot's type check."""
    store = Store(tmp_path_factory.mktemp("dialects") / "schema.duckdb")
    cols: dict[str, dict[str, str]] = {}
    for table, column, kind in store.fetch(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
    ):
        cols.setdefault(table, {})[column] = kind
    store.close()
    return cols


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("view", sorted(FILTERS))
def test_every_named_query_transpiles(dialect: str, view: str) -> None:
    """Each query transpiles with unsupported constructs raising, and parses back as that
    dialect; filter values stay parameters (never in the text); only the listed pairs fail."""
    failed = set()
    for name in NAMES:
        sql, params = compose(name, FILTERS[view], **PARAMS)
        try:
            out = to_dialect(sql, dialect)
        except sqlglot.errors.UnsupportedError:
            failed.add((name, dialect))
            continue
        assert "O'Brien" not in out and "Engineering" not in out
        tree = sqlglot.parse_one(out, read=dialect)
        # every value a parameter by name (BigQuery's @name parses as a Parameter)
        names = {p.name for p in tree.find_all(exp.Placeholder, exp.Parameter)}
        assert names == set(params), name
    assert failed == {p for p in UNSUPPORTED if p[1] == dialect}


def _dated(node: exp.Expression) -> bool:
    kind = node.type.this if node.type else None
    return kind in (exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP)


def portability_problems(sql: str, schema: dict) -> list[str]:
    """DuckDB constructs that transpile quietly but differ elsewhere."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    problems = [f"aggregate FILTER: {f.sql()}" for f in tree.find_all(exp.Filter)]
    for table in tree.find_all(exp.Table):
        if isinstance(table.this, exp.Func):
            problems.append(f"table function: {table.this.sql()}")
    typed = annotate_types(qualify(tree, schema=schema, dialect="duckdb"), schema=schema)
    problems += [
        f"date arithmetic (use date_diff): {n.sql()}"
        for n in typed.find_all(exp.Add, exp.Sub)
        if _dated(n.left) or _dated(n.right)
    ]
    return problems


@pytest.mark.parametrize("name", NAMES)
def test_named_queries_avoid_constructs_that_change_meaning(name: str, schema: dict) -> None:
    """No date ± number, table functions (range()) or FILTER clauses in the DuckDB source."""
    sql, _ = compose(name, FILTERS["departments"], **PARAMS)
    assert portability_problems(sql, schema) == []


def test_derived_tables_avoid_constructs_that_change_meaning(schema: dict) -> None:
    """The derived tables are computed on the engine too: the same check."""
    for name, sql in derived.DERIVED.items():
        assert portability_problems(sql, schema) == [], name


@pytest.mark.parametrize(
    "construct",
    [
        "SELECT c.start_date + CAST(7 AS INTEGER) FROM cohorts c",
        "SELECT a.session_date - c.start_date FROM attendance a JOIN cohorts c USING (cohort_id)",
        "SELECT range AS week FROM range(0, 53)",
        "SELECT count(*) FILTER (WHERE kind = 'session') FROM attendance",
    ],
)
def test_the_portability_check_catches_each_construct(construct: str, schema: dict) -> None:
    """The check is not vacuous: each construct it guards against is reported."""
    assert portability_problems(construct, schema)


def test_flattening_keeps_a_body_order_on_spark() -> None:
    """`SELECT * FROM (… ORDER BY …)` becomes the body itself, so Spark keeps its order."""
    sql, _ = compose("health_cohorts", Filters())
    tree = sqlglot.parse_one(to_dialect(sql, "spark"), read="spark")
    assert tree.args.get("order") is not None
    assert {c.alias for c in tree.args["with_"].expressions} >= {"f_cohorts", "enrolled"}
