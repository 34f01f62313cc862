"""Property tests of the privacy engine: no figure, table or download reveals a small group.

Hand-worked examples of each rule are in tests/test_privacy.py. These run over random frames
and over random organisations written into a fresh DuckDB (the app's own schema, row by row as
in tests/tiny.py) under random combinations of the sidebar's Filters. The checkers,
`audit_frames` and `audit_crosstab` (exact rational algebra), are independent of the
suppression code (a greedy search with a floating-point rank test).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis import metrics
from analysis.domain import FORMATS, VARIANT_FORMAT
from analysis.privacy import (
    NO_DATA,
    SHOWN,
    SUPPRESSED,
    PrivacyRule,
    audit_crosstab,
    audit_frames,
    selection_safe,
    suppress_crosstab,
    suppress_table,
)
from analysis.queries import Filters
from analysis.store import Store

FRAMES = settings(max_examples=100, deadline=None)
ORGS = settings(max_examples=30, deadline=None)
SIZES = st.one_of(st.integers(0, 9), st.integers(0, 40))


def _table(ns: list[int], parts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"n": ns, "rate": [0.5] * len(ns), "part": parts})


# --- properties over random frames --------------------------------------------------------


@FRAMES
@given(
    ns=st.lists(SIZES, min_size=1, max_size=8),
    m=st.integers(3, 10),
    mode=st.sampled_from(["none", "exact", "residual", "partitions"]),
    extra=st.integers(1, 12),
    data=st.data(),
)
def test_suppress_table_leaves_nothing_to_subtract_and_hides_no_more_than_needed(
    ns, m, mode, extra, data
):
    """Audit-clean; small rows primary; at most one complementary row per part, the smallest."""
    rule = PrivacyRule(m)
    parts = data.draw(st.lists(st.sampled_from("ab"), min_size=len(ns), max_size=len(ns)))
    df = _table(ns, parts)
    total = {"none": None, "exact": sum(ns), "residual": sum(ns) + extra}.get(mode)
    total = total if total is None or total >= m else None  # a small total is itself hidden
    part_cols = ["part"] if mode == "partitions" else None
    out = suppress_table(df, "n", ["rate"], rule, total_n=total, partition_cols=part_cols)
    sums = df.groupby("part")["n"].sum()
    totals = sums[sums >= m].to_dict() if part_cols else total
    assert audit_frames([(out, "n", totals, part_cols)], rule) == []
    n, comp = df["n"], out["n_complementary"]
    assert (out["n_status"][(n > 0) & (n < m)] == SUPPRESSED).all()
    assert (out["n_status"][n == 0] == NO_DATA).all() and (n[comp] >= m).all()
    assert out["rate"][out["n_status"] != SHOWN].isna().all()
    assert out["n"][out["n_status"] == SUPPRESSED].isna().all()
    groups = df.groupby("part").groups.values() if part_cols else [df.index]
    for idx in groups:
        residual = extra if mode == "residual" and total else 0
        hidden = n[idx][(n[idx] < m)].sum() + residual
        need = (total is not None or part_cols) and 0 < hidden < m and (n[idx] >= m).any()
        assert comp[idx].sum() == int(bool(need))
        if need:
            assert n[idx][comp[idx]].iloc[0] == n[idx][n[idx] >= m].min()


@FRAMES
@given(shape=st.tuples(st.integers(1, 4), st.integers(1, 5)), m=st.integers(3, 10), data=st.data())
def test_suppress_crosstab_passes_the_exact_audit(shape, m, data):
    """No shown figure under the minimum, no small hidden cell or total that works out exactly."""
    rule = PrivacyRule(m)
    ns = data.draw(st.lists(SIZES, min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]))
    margins = data.draw(st.booleans())
    df = pd.DataFrame(
        [
            (f"r{i}", f"c{j}", ns[i * shape[1] + j])
            for i in range(shape[0])
            for j in range(shape[1])
        ],
        columns=["row", "col", "n"],
    ).assign(rate=0.5)
    out = suppress_crosstab(df, "row", "col", "n", ["rate"], rule, margins=margins)
    assert audit_crosstab(out, "row", "col", "n", rule) == []
    cells = out.iloc[: len(df)]
    assert (cells["n_status"][(df["n"] > 0) & (df["n"] < m)] == SUPPRESSED).all()
    assert (df["n"][cells["n_complementary"]] >= m).all()
    assert out["rate"][out["n_status"] != SHOWN].isna().all()
    sums = [df.groupby(k)["n"].sum() for k in ("row", "col")]
    if not margins or not any(((s > 0) & (s < m)).any() for s in [df["n"], *sums]):
        assert not out["n_complementary"].any()  # nothing small: nothing hidden to protect it
    assert len(out) == len(df) + (shape[0] + shape[1] + 1 if margins else 0)


# --- random organisations under the app's own filters --------------------------------------

PROGRAMS = ("P0", "P1")
DEPTS = ("Eng", "Sales", "Ops", "HR")
RESPONDENTS = st.one_of(st.integers(0, 3), st.integers(0, 14))  # per cohort and department


@dataclass(frozen=True)
class Cohort:
    """One cohort: respondents per department (everyone else enrolled stays silent)."""

    fmt: str
    program: str
    month: int  # cohorts start in 2025, months 1..6
    answered: tuple[int, ...]
    unmatched: int = 0  # answers that could not be matched to a person


@dataclass(frozen=True)
class Org:
    """A random organisation: its departments and cohorts."""

    depts: tuple[str, ...]
    cohorts: tuple[Cohort, ...]


@st.composite
def cases(draw) -> tuple[Org, Filters, int]:
    """An organisation, a combination of sidebar filters and a threshold from Settings."""
    depts = DEPTS[: draw(st.integers(2, 4))]
    cohort = st.builds(
        Cohort,
        st.sampled_from(FORMATS),
        st.sampled_from(PROGRAMS),
        st.integers(1, 6),
        st.lists(RESPONDENTS, min_size=len(depts), max_size=len(depts)).map(tuple),
        st.integers(0, 2),
    )
    org = Org(depts, tuple(draw(st.lists(cohort, min_size=1, max_size=4))))
    months = sorted(draw(st.lists(st.integers(1, 6), min_size=2, max_size=2)))
    filters = Filters(
        start_from=date(2025, months[0], 1) if draw(st.booleans()) else None,
        start_to=date(2025, months[1], 1) if draw(st.booleans()) else None,
        departments=tuple(draw(st.lists(st.sampled_from(depts), unique=True, max_size=3))),
        programs=tuple(draw(st.lists(st.sampled_from(PROGRAMS), unique=True, max_size=1))),
        formats=tuple(draw(st.lists(st.sampled_from(FORMATS), unique=True, max_size=2))),
    )
    return org, filters, draw(st.integers(3, 10))


@contextmanager
def org_store(org: Org) -> Iterator[Store]:
    """The organisation written into a fresh DuckDB with the app's schema."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "org.duckdb")
        try:
            _write(store, org)
            yield store
        finally:
            store.close()


def _write(store: Store, org: Org) -> None:
    """One row per table row, in the app's column order, in one transaction."""
    people, enrolments, responses, cohorts = [], [], [], []
    for k, co in enumerate(org.cohorts):
        cid, start = f"C{k}", pd.Timestamp(2025, co.month, 6)
        variant = next(v for v, f in VARIANT_FORMAT.items() if f == co.fmt)
        cohorts.append((cid, co.program, cid, co.fmt, variant, start, start + timedelta(weeks=4)))
        for d, (dept, n) in enumerate(zip(org.depts, co.answered, strict=True)):
            for i in range(n + 1):  # one person per department never answers
                key = f"p{k}_{d}_{i}"
                people.append((key, dept, "T", "IC", False))
                enrolments.append((key, cid, cid, start, pd.NaT))
                responses += [(key, cid)] if i < n else []
        responses += [(None, cid)] * co.unmatched
    tables = {
        "programs": [(p, p, "t", "applying_practice", None, None) for p in PROGRAMS],
        "cohorts": [(*c, 4, 4) for c in cohorts],
        "groups": [(c[0], c[0], c[0], 3, False) for c in cohorts],
        "person_records": people,
        "enrolment_records": enrolments,
        "survey_items": [("app", "I used it", "application", "agree5", 1.0, 5.0, 4.0)],
        "survey_responses": [
            (f"r{i}", key, cid, cid, "d30", pd.Timestamp(2025, 9, 1))
            for i, (key, cid) in enumerate(responses)
        ],
        "survey_answers": [(f"r{i}", "app", 1.0 + i % 5, None) for i in range(len(responses))],
    }
    with store.transaction() as cur:
        imp = store.new_import(cur, "test", file_name="random organisation")
        for table, rows in tables.items():
            if rows:
                cur.register("new_rows", pd.DataFrame([(*row, imp) for row in rows]))
                cur.execute(f"INSERT INTO {table} SELECT * FROM new_rows")
                cur.unregister("new_rows")


def truth(org: Org, f: Filters) -> dict[str, int]:
    """Respondents per selected format, counted from the organisation's definition."""
    out = dict.fromkeys(f.formats or FORMATS, 0)
    for co in org.cohorts:
        start = date(2025, co.month, 1)
        if (
            (f.formats and co.fmt not in f.formats)
            or (f.programs and co.program not in f.programs)
            or (f.start_from and start < f.start_from)
            or (f.start_to and start > f.start_to)
        ):
            continue
        pairs = zip(org.depts, co.answered, strict=True)
        if f.departments:
            out[co.fmt] += sum(n for d, n in pairs if d in f.departments)
        else:
            out[co.fmt] += sum(n for _, n in pairs) + co.unmatched
    return out


def _shown_total(total: int, m: int) -> int | None:
    """The total respondents on the page: itself suppressed (not shown) under the minimum."""
    return total if total >= m else None


def _shown(df: pd.DataFrame) -> dict[str, int]:
    rows = df[df["respondents_status"] == SHOWN]
    return dict(zip(rows["format"], rows["respondents"].astype(int), strict=True))


# Small groups 10 respondents, self-directed 3 (suppressed at 5): 13 − 10 gives the 3 back.
SMALL_HIDDEN = (
    Org(
        ("Eng", "Sales"),
        (Cohort("small_group", "P0", 1, (6, 4)), Cohort("self_directed", "P0", 2, (2, 1))),
    ),
    Filters(),
    5,
)
# Eng alone shows 8, Eng + Sales shows 10: Sales' 2 respondents by difference.
ONE_DEPT_SMALL = (
    Org(("Eng", "Sales"), (Cohort("small_group", "P0", 1, (8, 2)),)),
    Filters(departments=("Eng",)),
    5,
)


def _selection_safe(org, f: Filters, fmt: str, m: int) -> bool:
    """Independent check, per subset filter in use: each selected value and the rest left out
    when that filter is cleared are 0 or at least m."""
    shown = truth(org, f).get(fmt, 0)
    for dim in ("departments", "programs"):
        values = getattr(f, dim)
        if not values:
            continue
        ns = [truth(org, replace(f, **{dim: (v,)})).get(fmt, 0) for v in values]
        ns = ns if len(values) > 1 else []
        ns.append(truth(org, replace(f, **{dim: ()})).get(fmt, 0) - shown)
        if not all(n == 0 or n >= m for n in ns):
            return False
    return True


@ORGS
@given(case=cases())
def test_overview_matches_the_organisation_and_shows_no_small_format(case):
    """Every shown respondent count is right and at least the minimum; 0 is 'no data'."""
    org, f, m = case
    with org_store(org) as store:
        df = metrics.overview(store, f, PrivacyRule(m))
    expected = truth(org, f)
    shown = _shown(df)
    big = {k: v for k, v in expected.items() if v >= m}
    assert shown == {k: v for k, v in big.items() if k in shown}
    for fmt in set(big) - set(shown):  # a large figure is hidden only to stop differencing
        assert not _selection_safe(org, f, fmt, m)
    status = df.set_index("format")["respondents_status"].to_dict()
    assert status == {
        k: NO_DATA if v == 0 else SUPPRESSED if v < m or k not in shown else SHOWN
        for k, v in expected.items()
    }
    assert audit_frames([(df, "respondents", None)], PrivacyRule(m)) == []


@pytest.mark.xfail(
    strict=True,
    reason="metrics.overview applies primary suppression only: beside the true number of "
    "respondents across the formats, one hidden format is worked out by subtraction",
)
@ORGS
@given(case=cases())
@example(case=SMALL_HIDDEN)
def test_overview_beside_its_true_total_leaves_nothing_to_subtract(case):
    """The formats on the page are parts of the wave's total respondents."""
    org, f, m = case
    with org_store(org) as store:
        df = metrics.overview(store, f, PrivacyRule(m))
    total = _shown_total(sum(truth(org, f).values()), m)
    assert audit_frames([(df, "respondents", total)], PrivacyRule(m)) == []


@ORGS
@given(case=cases())
@example(case=SMALL_HIDDEN)
def test_suppress_table_protects_the_overview_total(case):
    """The fix for the test above: per-format counts through suppress_table with the total."""
    org, f, m = case
    with org_store(org) as store:
        raw = metrics.application_by_variant(store, f, "d30").groupby("format")["respondents"].sum()
    expected = truth(org, f)
    df = raw.reindex(list(expected), fill_value=0).rename_axis("format").reset_index()
    total = _shown_total(sum(expected.values()), m)
    out = suppress_table(df, "respondents", [], PrivacyRule(m), total_n=total)
    assert audit_frames([(out, "respondents", total)], PrivacyRule(m)) == []


@ORGS
@given(case=cases())
@example(case=SMALL_HIDDEN)
def test_overview_suppressed_rows_carry_no_survey_figure(case):
    """A suppressed format shows no survey-derived number at all."""
    org, f, m = case
    with org_store(org) as store:
        df = metrics.overview(store, f, PrivacyRule(m))
    hidden = df[df["respondents_status"] == SUPPRESSED]
    assert hidden["response_rate"].isna().all() and (hidden["unmatched"].fillna(0) == 0).all()


def _differencing_pairs(org: Org, f: Filters) -> list[tuple[Filters, Filters]]:
    """Filter settings one department apart, and 'all' beside every department named."""
    base = replace(f, departments=())
    pairs = [(base, replace(f, departments=org.depts))]
    chosen = [d for d in org.depts if d in f.departments] or [org.depts[0]]
    for d in org.depts:
        if d not in chosen:
            pairs.append(
                (replace(f, departments=tuple(chosen)), replace(f, departments=(*chosen, d)))
            )
    return pairs


def _pair_leaks(org: Org, f: Filters, m: int, shown: Callable[[Filters], dict]) -> list[str]:
    """Formats whose shown counts differ by 1..m − 1 between two neighbouring filter settings."""
    seen: dict[Filters, dict[str, int]] = {}
    leaks = []
    for f1, f2 in _differencing_pairs(org, f):
        for x in (f1, f2):
            if x not in seen:
                seen[x] = shown(x)
        a, b = seen[f1], seen[f2]
        leaks += [f"{k}: {a[k]} vs {b[k]}" for k in a.keys() & b.keys() if 0 < abs(a[k] - b[k]) < m]
    return leaks


# Found by hypothesis: 'program P0' shows 4 (one unmatched answer), 'program P0, every
# department' shows 3; clearing only the department filter must count as a neighbour.
PROGRAM_AND_UNMATCHED = (
    Org(
        ("Eng", "Sales"),
        (
            Cohort("everyone_at_once", "P0", 1, (0, 0), 0),
            Cohort("everyone_at_once", "P0", 1, (0, 3), 1),
            Cohort("everyone_at_once", "P1", 1, (0, 1), 2),
        ),
    ),
    Filters(programs=("P0",)),
    3,
)


@ORGS
@given(case=cases())
@example(case=ONE_DEPT_SMALL)
@example(case=PROGRAM_AND_UNMATCHED)
def test_overview_differencing_across_department_filters_reveals_no_group(case):
    """Shown counts under two settings one department apart never differ by 1..minimum − 1."""
    org, f, m = case
    with org_store(org) as store:
        leaks = _pair_leaks(org, f, m, lambda x: _shown(metrics.overview(store, x, PrivacyRule(m))))
        assert leaks == []


@ORGS
@given(case=cases())
@example(case=ONE_DEPT_SMALL)
def test_selection_guard_stops_differencing_across_department_filters(case):
    """The fix for the test above: show a filtered figure only when `selection_safe` says so."""
    org, f, m = case
    with org_store(org) as store:
        assert _pair_leaks(org, f, m, lambda x: _guarded(store, org, x, PrivacyRule(m))) == []


def _guarded(store: Store, org: Org, f: Filters, rule: PrivacyRule) -> dict[str, int]:
    """Shown respondents per format under f, hiding formats the selection guard refuses."""
    shown = _shown(metrics.overview(store, f, rule))
    if not f.departments:
        return shown
    everyone = truth(org, replace(f, departments=()))
    parts = {d: truth(org, replace(f, departments=(d,))) for d in f.departments}
    return {
        k: v
        for k, v in shown.items()
        if selection_safe([parts[d][k] for d in parts], everyone[k] - v, rule)
    }
