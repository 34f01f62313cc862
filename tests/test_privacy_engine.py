"""Property tests: no two views a person can reach reveal a group under the minimum.

Random organisations are written into a fresh DuckDB with the app's own schema. Random pairs of
views are drawn from every dimension a view has: the sidebar's filters (every field of
`Filters`) and every page's own options (`analysis.views.PAGE_OPTIONS`), the same registry the
pages read. Each page's figures come from `analysis.views.page_figures`, the function the
pages call. The audit (tests/privacy_audit.py) is independent of the privacy step: it checks
every visible figure against the organisation's true respondents.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis import views
from analysis.charts import ChartContext
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from analysis.store import Store
from tests.ingest_support import org_rows, write_rows
from tests.privacy_audit import (
    check_numbers,
    check_pairs,
    check_precision,
    check_solvable,
    figures,
)

ORGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEPTS = ("Eng", "Sales", "Ops", "HR")
PROGRAMS = ("P0", "P1")
VARIANTS = {  # variant: format
    "org_wide": "everyone_at_once",
    "learning_budget": "self_directed",
    "book_club": "small_group",
    "pilot_team": "small_group",
}


@dataclass(frozen=True)
class Person:
    """One respondent of a cohort (dept None: an answer that could not be matched)."""

    dept: str | None
    manager: bool = False
    relevant: bool | None = None  # answered the relevance item right after (None: skipped)
    applied: bool = False
    post: bool = True  # answered right after as well as 30 days later
    ready: int = 5  # readiness option at 30 days
    agree: int = 4  # the accountability item right after, 1..5
    completed: bool = True


@dataclass(frozen=True)
class Cohort:
    """One cohort with one learning group, or two (people alternate between them)."""

    variant: str
    program: str
    month: int  # 2025, months 1..6
    people: tuple[Person, ...]
    group_size: int = 3
    together: bool = True
    two_groups: bool = False  # the second group: 4 more members, the other closeness
    survey_names_group: bool = True  # False: the survey export has no group column


def _group(co: Cohort, c: int, i: int) -> tuple[str, int, bool]:
    """Person i's group in cohort c: id, size, whether its members work together."""
    if co.two_groups and i % 2:
        return f"G{c}b", co.group_size + 4, not co.together
    return f"G{c}", co.group_size, co.together


@dataclass(frozen=True)
class View:
    """The sidebar's filters and every page's options."""

    filters: Filters
    options: dict[str, dict[str, str]]


@dataclass(frozen=True)
class Org:
    """A random organisation: its cohorts."""

    cohorts: tuple[Cohort, ...]


PEOPLE = st.builds(
    Person,
    st.one_of(st.sampled_from(DEPTS), st.none()),
    st.booleans(),
    st.one_of(st.booleans(), st.none()),
    st.booleans(),
    st.booleans(),
    st.integers(1, 6),
    st.integers(1, 5),
    st.booleans(),
)
COHORTS = st.builds(
    Cohort,
    st.sampled_from(list(VARIANTS)),
    st.sampled_from(PROGRAMS),
    st.integers(1, 6),
    st.lists(PEOPLE, max_size=14).map(tuple),
    st.integers(2, 9),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


def _month(m: int) -> date:
    return date(2025, m, 1)


@st.composite
def view(draw) -> View:
    """Any view: every field of the sidebar's Filters, every page option."""
    months = sorted(draw(st.lists(st.integers(1, 6), min_size=2, max_size=2)))
    values = {
        "start_from": _month(months[0]) if draw(st.booleans()) else None,
        "start_to": _month(months[1]) if draw(st.booleans()) else None,
        "departments": tuple(draw(st.lists(st.sampled_from(DEPTS), unique=True, max_size=3))),
        "programs": tuple(draw(st.lists(st.sampled_from(PROGRAMS), unique=True, max_size=1))),
        "formats": tuple(
            draw(st.lists(st.sampled_from(sorted(set(VARIANTS.values()))), unique=True, max_size=2))
        ),
        # the drill-down (a click on a variant's bar or a cohort): filters like any other
        "variants": tuple(draw(st.lists(st.sampled_from(list(VARIANTS)), unique=True, max_size=2))),
        "cohorts": tuple(
            draw(st.lists(st.sampled_from([f"C{i}" for i in range(5)]), unique=True, max_size=2))
        ),
    }
    missing = {f.name for f in fields(Filters)} - set(values)
    assert not missing, f"a new view dimension {missing} needs drawing here"
    options = {
        page: {name: draw(st.sampled_from(choices)) for name, choices in opts.items()}
        for page, opts in views.PAGE_OPTIONS.items()
    }
    return View(Filters(**values), options)


@st.composite
def cases(draw) -> tuple[Org, View, View, int]:
    """An organisation, two views of it, and the minimum group size from Settings."""
    org = Org(tuple(draw(st.lists(COHORTS, min_size=1, max_size=5))))
    return org, draw(view()), draw(view()), draw(st.integers(3, 10))


@contextmanager
def org_store(org: Org) -> Iterator[Store]:
    """The organisation written into a fresh DuckDB with the app's schema, in one transaction."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "org.duckdb")
        try:
            _write(store, org)
            yield store
        finally:
            store.close()


ITEMS = [
    ("app", "I used it", "application", "agree5", 1.0, 5.0, 4.0),
    ("rel", "Relevant to my work", "relevance", "agree5", 1.0, 5.0, 4.0),
    ("acc", "Someone expected me to follow through", "accountability", "agree5", 1.0, 5.0, 4.0),
    ("ready", "Readiness", "readiness", "readiness6", 1.0, 6.0, 5.0),
]


def _write(store: Store, org: Org) -> None:
    rows = org_rows()
    for c, co in enumerate(org.cohorts):
        cid, start = f"C{c}", date(2025, co.month, 6)
        end = start + timedelta(weeks=4)
        rows["cohorts"].append((cid, co.program, cid, VARIANTS[co.variant], co.variant, start,
                                end, 4, 4))  # fmt: skip
        for gid, members, together in sorted({_group(co, c, i) for i in range(2)}):
            rows["groups"].append((gid, cid, gid, members, together))
        for i, p in enumerate(co.people):
            key = None if p.dept is None else f"p{c}_{i}"
            gid = _group(co, c, i)[0]
            if key:
                rows["person_records"].append((key, p.dept, "T", "R", p.manager))
                done = end if p.completed else None
                rows["enrolment_records"].append((key, cid, gid, start, done))
                if p.completed:
                    rows["attendance"].append((key, cid, gid, "session", start, True, 60.0))
            for wave, answers in _answers(p):
                rid = f"{wave}:{cid}:{i}"
                named = gid if key and co.survey_names_group else None
                rows["survey_responses"].append((rid, key, cid, named, wave, pd.Timestamp(end)))
                rows["survey_answers"] += [(rid, item, float(v), None) for item, v in answers]
    programs = [(p, p, "t", "applying_practice", None, None) for p in PROGRAMS]
    write_rows(store, {"programs": programs, "survey_items": ITEMS, **rows}, "random organisation")


def _answers(p: Person) -> list[tuple[str, list[tuple[str, int]]]]:
    """A person's responses: 30 days later always, right after when they answered then."""
    app = 5 if p.applied else 2
    out = [("d30", [("app", app), ("ready", p.ready)])]
    if p.post:
        post = [("app", app), ("acc", p.agree)]
        if p.relevant is not None:
            post.append(("rel", 5 if p.relevant else 2))
        out.append(("post", post))
    return out


def truth(org: Org) -> tuple[dict[str, frozenset], dict[str, int]]:
    """Every coverage piece the privacy step can name, with the respondents it truly holds."""
    pieces: dict[str, set] = {}
    applied: dict[str, int] = {}

    def add(piece: str, rid: str) -> None:
        pieces.setdefault(piece, set()).add(rid)

    for c, co in enumerate(org.cohorts):
        cid, fmt = f"C{c}", VARIANTS[co.variant]
        relevance = {}
        for i, p in enumerate(co.people):
            relevance[i] = (
                "unknown"
                if p.dept is None or p.relevant is None or not p.post
                else "relevant"
                if p.relevant
                else "not relevant"
            )
        for i, p in enumerate(co.people):
            dept = "#unmatched" if p.dept is None else "d:" + p.dept
            levels = _levels(co, fmt, p, relevance[i], _group(co, c, i))
            for wave, answers in _answers(p):
                rid = f"{wave}:{cid}:{i}"
                items = dict(answers)
                base = f"application:{wave}\x1f{cid}\x1f{dept}"
                add(base, rid)
                for name, level in levels.items():
                    add(f"{base}\x1f{name}={level}", rid)
                applied[rid] = int(items["app"] >= 4)
                add(f"responses:{wave}\x1f{cid}\x1f#all", rid)  # Data health: whole cohorts
                for item in items:  # every item is an agreement or readiness item
                    add(f"answers:{wave}:{item}\x1f{cid}\x1f{dept}", rid)
    return {k: frozenset(v) for k, v in pieces.items()}, applied


def _levels(
    co: Cohort, fmt: str, p: Person, relevance: str, group: tuple[str, int, bool]
) -> dict[str, str]:
    """The segment levels the SQL gives an answer (survey_cells_application.sql).

    A respondent's group is known when they are matched (their enrolment says it, whether or
    not the survey named it), or when the cohort has only one group.
    """
    small = fmt == "small_group"
    matched = p.dept is not None
    _, members, together = group
    known = matched or not co.two_groups
    size = "2–3" if members <= 3 else "4–6" if members <= 6 else "7 or more"
    return {
        "relevance": relevance,
        "group_size": (size if known else "unknown") if small else "not a small group",
        "closeness": (("close colleagues" if together else "mixed") if known else "unknown")
        if small
        else "not a small group",
        "leadership": ("leaders" if p.manager else "individual contributors")
        if matched
        else "unknown",
        "motivation": "unknown",  # the organisation has no motivation item
        "funnel_path": "not matched"
        if not matched
        else "completed"
        if p.completed
        else "did not complete",
    }


def _context(n_text: str) -> ChartContext:
    return ChartContext(n_text, "any month", "all", PrivacyRule(), "2026-12-03", 1, False)


def audit(org: Org, v1: View, v2: View, k: int) -> list[str]:
    """Everything the audit finds across every page of two views."""
    pieces, applied = truth(org)
    rule = PrivacyRule(k)
    problems: list[str] = []
    every = []
    with org_store(org) as store:
        for page in views.PAGES:
            per_view = []
            for v in (v1, v2):
                figs = views.page_figures(page, store, v.filters, rule, **v.options[page])
                per_view += figures(page, figs, v.options[page], pieces)
                charts = views.page_charts(page, figs, _context, rule, **v.options[page])
                for name, chart in charts.items():
                    if chart.figure is not None:
                        problems += [f"{page}/{name}: {p}" for p in check_precision(chart.figure)]
            problems += check_numbers(per_view, applied, k)
            every += per_view
        health = _health_figures(store, rule, pieces)  # the same in every view
        problems += check_numbers(health, applied, k)
        every += health
    problems += check_pairs(every, k)
    problems += check_solvable(every, k)
    return problems


def _health_figures(store: Store, rule: PrivacyRule, pieces) -> list:
    """The Data health page's survey figures: each cohort's responses per wave (the sidebar's
    filters do not apply there), through the same privacy step."""
    from analysis.domain import WAVES
    from analysis.privacy import VISIBLE, measures
    from analysis.privacy.step import survey_figure
    from tests.privacy_audit import Figure

    out = []
    for wave in WAVES:
        fig = survey_figure(measures.responses(store, wave, rule), Filters(), ["cohort"], rule)
        for _, row in fig[fig["status"].isin(VISIBLE)].iterrows():
            people = frozenset().union(*(pieces[p] for p in row["coverage"]))
            name = ("health", f"responses:{wave}", row["cohort"])
            out.append(Figure(name, f"responses:{wave}", people, int(row["n"]), None))
    return out


def _p(dept: str | None, **kw) -> Person:
    return Person(dept, **kw)


# --- the four ways around the old guard, found on the demo data, as explicit examples -------

DEFAULT_OPTIONS = {page: dict(opts) for page, opts in views.DEFAULT_OPTIONS.items()}


def _view(**filters) -> View:
    return View(Filters(**filters), DEFAULT_OPTIONS)


# 1. Start months: a department's small-group answers Apr–Aug and one in September. Apr–Sep
#    against Apr–Aug would differ by September's one answer.
MONTHS = (
    Org(
        (
            Cohort("book_club", "P0", 1, tuple(_p("Sales", applied=i % 2 == 0) for i in range(6))),
            Cohort("book_club", "P0", 2, (_p("Sales", applied=True),)),
            Cohort("book_club", "P0", 2, tuple(_p("Eng") for _ in range(6))),
        )
    ),
    _view(departments=("Sales",), start_from=_month(1), start_to=_month(2)),
    _view(departments=("Sales",), start_from=_month(1), start_to=_month(1)),
    5,
)
# 2. Formats: an item over 'all formats' with two small-group answers; deselecting small
#    groups would show their two answers by difference.
FORMATS = (
    Org(
        (
            Cohort("org_wide", "P0", 1, tuple(_p("Eng", agree=2) for _ in range(8))),
            Cohort("book_club", "P0", 1, (_p("Eng", agree=5), _p("Eng", agree=5))),
        )
    ),
    _view(),
    _view(formats=("everyone_at_once", "self_directed")),
    5,
)
# 3. Segment remainders: the format's total minus its shown relevance levels leaves one
#    answer of unknown relevance.
REMAINDER = (
    Org(
        (
            Cohort(
                "learning_budget",
                "P0",
                1,
                tuple(_p("Eng", relevant=True) for _ in range(6))
                + tuple(_p("Ops", relevant=False) for _ in range(6))
                + (_p("Ops", relevant=None, applied=True),),
            ),
        )
    ),
    _view(),
    _view(departments=("Eng", "Ops")),
    5,
)
# 4. Hover precision is checked on the charts in test_charts_carry_no_more_precision_than_shown.


@ORGS
@given(case=cases())
@example(case=MONTHS)
@example(case=FORMATS)
@example(case=REMAINDER)
def test_no_two_views_reveal_a_group_under_the_minimum(case):
    """Every number each page shows, in two random views: true to what it counts, from whole
    groups of at least k, and no group under k by difference or by solving."""
    org, v1, v2, k = case
    assert audit(org, v1, v2, k) == []


ARM_SEGMENTS = (
    None,
    ("closeness", "close colleagues"),
    ("closeness", "mixed"),
    ("leadership", "leaders"),
    ("leadership", "individual contributors"),
    ("relevance", "relevant"),
    ("relevance", "not relevant"),
)


@st.composite
def arm_cases(draw) -> tuple[Org, list[tuple[View, tuple | None]], int]:
    """An organisation, three comparison arms (any view plus a segment), the minimum size."""
    org = Org(tuple(draw(st.lists(COHORTS, min_size=1, max_size=5))))
    arms = [(draw(view()), draw(st.sampled_from(ARM_SEGMENTS))) for _ in range(3)]
    return org, arms, draw(st.integers(3, 10))


def _arm_figures(store: Store, v: View, segment, rule: PrivacyRule, pieces) -> list:
    """The survey figures one comparison arm shows: its total and its departments."""
    from analysis.compare.arms import Arm
    from analysis.compare.data import arm_data
    from tests.privacy_audit import Figure

    f = v.filters
    a = Arm(f.formats, f.variants, f.programs, f.cohorts, f.departments, segment)
    base = Filters(start_from=f.start_from, start_to=f.start_to)
    d = arm_data(store, a, "application", rule, wave="d30", base=base)
    level = segment[1] if segment else "everyone"
    out = []
    for frame, df in d.figures.items():
        if segment:
            df = df[df[segment[0]] == segment[1]]
        for _, row in df.iterrows():
            if row["status"] not in ("shown", "partial"):
                continue
            dept = row["department"] if frame == "by_department" else "all"
            people = frozenset().union(*(pieces[p] for p in row["coverage"]))
            out.append(
                Figure(
                    ("compare", frame, dept, level),
                    "application:d30",
                    people,
                    int(row["n"]),
                    int(row["applied"]),
                )
            )
    if d.n is not None:  # the models' rows are the figure's rows
        assert int(d.rows["n"].sum()) == d.n and int(d.rows["k"].sum()) == d.k
    return out


@ORGS
@given(case=arm_cases())
def test_no_comparison_arms_reveal_a_group_under_the_minimum(case):
    """Comparison arms are views: three random arms (filters and a segment), with their
    departments and the Application page beside them, reveal no group under k."""
    org, arms, k = case
    pieces, applied = truth(org)
    rule = PrivacyRule(k)
    figs = []
    with org_store(org) as store:
        for v, segment in arms:
            figs += _arm_figures(store, v, segment, rule, pieces)
            page = views.page_figures(
                "application", store, v.filters, rule, **v.options["application"]
            )
            figs += [
                f
                for f in figures("application", page, v.options["application"], pieces)
                if f.measure == "application:d30"
            ]
    problems = check_numbers(figs, applied, k) + check_pairs(figs, k) + check_solvable(figs, k)
    assert problems == []


def test_the_found_cases_would_have_been_caught():
    """The audit itself finds each found case when a figure leaves out one small group."""
    from tests.privacy_audit import Figure

    a = Figure(("overview", "overview", "small_group"), "m", frozenset(range(10)), 10, 7)
    b = Figure(("overview", "overview", "small_group"), "m", frozenset(range(9)), 9, 6)
    assert check_pairs([a, b], 5) == [
        "('overview', 'overview', 'small_group') and ('overview', 'overview', 'small_group') "
        "differ by 1 respondents"
    ]
    level = Figure(("application", "segment", "relevant"), "m", frozenset(range(9)), 9, 5)
    total = Figure(("application", "by_wave", "d30"), "m", frozenset(range(10)), 10, 6)
    assert check_solvable([level, total], 5) == ["m: a class of 1 respondents follows exactly"]


def test_a_thin_variant_does_not_take_the_other_variants_segments_away(monkeypatch):
    """Found by the held-out organisation: one small-group variant with 3 close colleagues (k
    5) made the close-vs-mixed split happen at the format, so close vs mixed inside every
    other small-group variant was suppressed. Now the thin variant's levels are split
    together with the smallest other variant (book clubs), group coaching keeps its own close
    and mixed figures, the format's figures lose nothing, and the audit finds no group under
    k across the arms."""
    monkeypatch.setitem(VARIANTS, "group_coaching", "small_group")

    def crowd(n: int) -> tuple[Person, ...]:
        return tuple(Person("Eng" if i % 4 < 2 else "Ops", applied=i % 3 == 0) for i in range(n))

    org = Org(
        (
            Cohort("group_coaching", "P0", 1, crowd(24), group_size=6, two_groups=True),
            Cohort("book_club", "P0", 1, crowd(20), group_size=6, two_groups=True),
            Cohort("pilot_team", "P0", 1, crowd(6), group_size=3, two_groups=True),
        )
    )
    k = 5
    pieces, applied = truth(org)
    rule = PrivacyRule(k)
    arms = [
        (Filters(variants=(v,)) if v != "small_group" else Filters(formats=(v,)), level)
        for v in ("group_coaching", "small_group", "book_club", "pilot_team")
        for level in ("close colleagues", "mixed")
    ]
    figs, shown = [], {}
    with org_store(org) as store:
        for f, level in arms:
            arm_figs = _arm_figures(store, View(f, {}), ("closeness", level), rule, pieces)
            figs += arm_figs
            totals = [x.n for x in arm_figs if x.name[1] == "arm"]
            shown[(f.variants or f.formats)[0], level] = totals[0] if totals else None
    assert shown["group_coaching", "close colleagues"] == 12
    assert shown["group_coaching", "mixed"] == 12
    assert shown["small_group", "close colleagues"] == 25  # the format loses nothing
    assert shown["small_group", "mixed"] == 25
    for variant in ("book_club", "pilot_team"):  # 3 and 3 in pilot teams: pooled together
        assert shown[variant, "close colleagues"] is shown[variant, "mixed"] is None
    assert check_numbers(figs, applied, k) + check_pairs(figs, k) + check_solvable(figs, k) == []
