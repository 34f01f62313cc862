"""Named SQL queries (analysis/sql/*.sql) run under the global filters.

Every metric query reads the filtered relations `f_cohorts`, `f_enrolments` and `f_responses`,
which the filter prelude defines as CTEs, so one filter definition serves every page.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from analysis import derived, engine
from analysis.domain import FORMAT_LABELS, FORMATS, VARIANT_FORMAT, VARIANT_LABELS
from analysis.single_flight import SingleFlight
from analysis.store import Store

SQL_DIR = Path(__file__).resolve().parent / "sql"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Filters:
    """The sidebar's global filters; empty tuples mean 'all'. Months are whole months."""

    start_from: date | None = None  # first day of the first cohort start month
    start_to: date | None = None  # first day of the last cohort start month (inclusive)
    departments: tuple[str, ...] = field(default_factory=tuple)
    programs: tuple[str, ...] = field(default_factory=tuple)
    formats: tuple[str, ...] = field(default_factory=tuple)
    variants: tuple[str, ...] = field(default_factory=tuple)  # a drill-down below formats
    cohorts: tuple[str, ...] = field(default_factory=tuple)  # cohort ids, the deepest drill

    def prelude(self) -> tuple[str, dict[str, object]]:
        """The CTEs f_cohorts, f_people, f_enrolments, f_responses and their parameters."""
        params: dict[str, object] = {}
        cohort_where = ["TRUE"]
        if self.start_from:
            cohort_where.append("c.start_date >= $start_from")
            params["start_from"] = self.start_from
        if self.start_to:
            cohort_where.append("c.start_date < $start_to_exclusive")
            params["start_to_exclusive"] = _next_month(self.start_to)
        cohort_where += _in_clause("c.format", "fmt", self.formats, params)
        cohort_where += _in_clause("c.program_id", "prog", self.programs, params)
        cohort_where += _in_clause("c.variant", "var", self.variants, params)
        cohort_where += _in_clause("c.cohort_id", "coh", self.cohorts, params)
        dept = _in_clause("p.department", "dept", self.departments, params)
        dept_values = (
            "SELECT * FROM (VALUES "
            + ", ".join(f"(${k})" for k in params if k.startswith("dept_"))
            + ") AS t(department)"
            if dept
            else "SELECT CAST(NULL AS VARCHAR) AS department WHERE FALSE"
        )
        person_where = " AND ".join(dept) if dept else "TRUE"
        sql = f"""
        f_cohorts AS (
            SELECT c.*, pr.name AS program_name, pr.goal
            FROM cohorts c JOIN programs pr ON pr.program_id = c.program_id
            WHERE {" AND ".join(cohort_where)}
        ),
        f_people AS (
            SELECT p.* FROM people p WHERE {person_where}
        ),
        f_departments AS (
            {dept_values}
        ),
        f_enrolments AS (
            SELECT e.*, c.format, c.variant
            FROM enrolments e
            JOIN f_cohorts c ON c.cohort_id = e.cohort_id
            {"JOIN f_people p ON p.person_key = e.person_key" if dept else ""}
        ),
        f_responses AS (
            SELECT r.*, c.format, c.variant
            FROM survey_responses r
            JOIN f_cohorts c ON c.cohort_id = r.cohort_id
            {"JOIN f_people p ON p.person_key = r.person_key" if dept else ""}
        )"""
        return sql, params

    def shown_formats(self) -> tuple[str, ...]:
        """The formats a view shows: those chosen, else those of the chosen variants, else all."""
        if self.formats:
            return tuple(f for f in FORMATS if f in self.formats)
        if self.variants:
            wanted = {VARIANT_FORMAT.get(v) for v in self.variants}
            if None not in wanted:  # 'other' can sit under any format
                return tuple(f for f in FORMATS if f in wanted)
        return FORMATS

    def describe(
        self,
        program_names: dict[str, str] | None = None,
        cohort_names: dict[str, str] | None = None,
    ) -> str:
        """The active filters in words, for chart footers."""
        parts = []
        if self.formats:
            parts.append("Format: " + ", ".join(FORMAT_LABELS.get(f, f) for f in self.formats))
        if self.variants:
            parts.append("Variant: " + ", ".join(VARIANT_LABELS.get(v, v) for v in self.variants))
        if self.cohorts:
            names = cohort_names or {}
            parts.append("Cohort: " + ", ".join(names.get(c, c) for c in self.cohorts))
        if self.departments:
            parts.append("Dept: " + ", ".join(self.departments))
        if self.programs:
            names = program_names or {}
            parts.append("Program: " + ", ".join(names.get(p, p) for p in self.programs))
        return "; ".join(parts) if parts else "all departments and programs"


def _in_clause(column: str, stem: str, values: tuple[str, ...], params: dict) -> list[str]:
    """`column IN ($stem_0, ...)` with the values bound as parameters; [] when no values."""
    if not values:
        return []
    names = []
    for i, value in enumerate(values):
        params[f"{stem}_{i}"] = value
        names.append(f"${stem}_{i}")
    return [f"{column} IN ({', '.join(names)})"]


def _next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


@cache
def load_sql(name: str) -> str:
    """The text of a named query; names are file stems in analysis/sql/."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file() or path.parent != SQL_DIR:
        raise KeyError(f"no query named {name!r}")
    return path.read_text(encoding="utf-8").strip().rstrip(";")


def compose(
    name: str, filters: Filters, inline: tuple[str, ...] | None = None, **params: object
) -> tuple[str, dict[str, object]]:
    """The full DuckDB-dialect SQL of a named query under the filters, and its parameters.

    `WITH <derived CTEs>, <filter prelude> SELECT * FROM (<body>)`; the derived tables named in
    `inline` (all those the body uses when None) are computed as CTEs of the same name. Only
    the parameters the SQL uses are returned.
    """
    body = load_sql(name)
    wanted = derived.needed(body) if inline is None else [t for t in inline if t in derived.DERIVED]
    ctes = [f"derived_{t} AS ({derived.DERIVED[t]})" for t in wanted]
    prelude, bound = filters.prelude()
    sql = f"WITH {', '.join([*ctes, prelude])}\nSELECT * FROM (\n{body}\n) AS q"
    bound = {**bound, **params}
    used = set(_PARAM.findall(sql))
    return sql, {k: v for k, v in bound.items() if k in used}


def run_query(
    db: Store, name: str, filters: Filters, *, copy: bool = True, **params: object
) -> pd.DataFrame:
    """Run a named query under the filters; only the parameters the SQL uses are bound.

    Results are memoised per open database (or lake) and dataset version (which moves on every
    write), so the same query asked twice for one page view runs once. `copy=False` hands out
    the memoised frame itself, for callers that only read it. With FORMATFIT_ENGINE=spark the
    query runs on the Spark engine over the lake (analysis/engine.py), derived tables inline.
    """
    lake = engine.current()
    key = (*engine.data_key(db), name, filters, tuple(sorted(params.items())))
    cached = _FLIGHTS.once(  # sessions asking at once run it once
        key,
        lambda: _RESULTS.get(key),
        lambda: _remember(key, _run(db, lake, name, filters, params)),
    )
    return cached.copy() if copy else cached  # callers may change a copy; the memo stays


def _run(db: Store, lake, name: str, filters: Filters, params: dict) -> pd.DataFrame:
    if lake is not None:
        sql, bound = compose(name, filters, **params)
        return lake.query(sql, bound)
    # a derived table this opening cannot bring up to date (read-only) is computed inline:
    # the CTE of the same name stands in for the stored table
    body = load_sql(name)
    inline = tuple(t for t in derived.needed(body) if not db.ensure_derived(t, derived.DERIVED[t]))
    sql, bound = compose(name, filters, inline, **params)
    return db.query(sql, bound)


_RESULTS: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_RESULTS_MAX = 256  # small frames only: every named query returns aggregates
_RESULTS_LOCK = threading.Lock()
_FLIGHTS = SingleFlight()


def _remember(key: tuple, frame: pd.DataFrame) -> pd.DataFrame:
    with _RESULTS_LOCK:
        _RESULTS[key] = frame
        _RESULTS.move_to_end(key)
        while len(_RESULTS) > _RESULTS_MAX:
            _RESULTS.popitem(last=False)
    return frame
