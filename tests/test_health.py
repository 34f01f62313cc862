"""Data health: the statements on an organisation built in code, and the demo's health."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from analysis import health
from analysis.privacy import PrivacyRule
from analysis.store import Store
from tests.ingest_support import org_rows, write_rows

TODAY = date(2026, 12, 3)


def _person(rows: dict, key: str, cohort: str, group: str, start: date, manager=None) -> None:
    rows["person_records"].append((key, "Sales", "T", "R", manager))
    rows["enrolment_records"].append((key, cohort, group, start, None))


def _answer(rows: dict, rid: str, key: str | None, cohort: str, wave: str, day: date) -> None:
    rows["survey_responses"].append((rid, key, cohort, None, wave, pd.Timestamp(day)))
    rows["survey_answers"].append((rid, "app", 5.0, None))


def _build(store: Store) -> Store:
    """Four cohorts of one program, each lacking something:

    - BC, a book club (ended 28 Feb 2025, 6 sessions): 12 people in two groups whose closeness
      is unknown; attendance on 4 of the 6 session days; 9 answers right after, 6 at 30 days
      (one not matched to a person), none before, at 60 or at 90 days; no completion dates.
    - GC, group coaching: 3 groups of 2 with unknown closeness, 3 answers at 90 days only (one
      not matched to a person).
    - SA, reading alone: no scheduled sessions and no LMS activity, no enrolment list.
    - OW, org-wide training: no scheduled sessions but attendance on 3 days; people with no
      manager flag.
    Only an application item exists: no relevance, motivation or confidence item.
    """
    rows = org_rows()
    start, end = date(2025, 1, 6), date(2025, 2, 28)
    rows["cohorts"] += [
        ("BC", "P1", "Book club <Q1>", "small_group", "book_club", start, end, 6, 8),
        ("GC", "P1", "Coaching", "small_group", "group_coaching", start, end, 6, 8),
        ("SA", "P1", "Alone", "self_directed", "self_study_alone", start, end, 0, 8),
        ("OW", "P1", "All hands", "everyone_at_once", "org_wide", start, end, 0, 8),
    ]
    rows["groups"] += [
        ("BC-1", "BC", "BC-1", 6, None),
        ("BC-2", "BC", "BC-2", 6, None),
        *[(f"GC-{g}", "GC", f"GC-{g}", 2, None) for g in range(3)],
        ("SA-1", "SA", "SA-1", 5, None),
        ("OW-1", "OW", "OW-1", 8, None),
    ]
    for i in range(12):
        group = f"BC-{1 + i % 2}"
        _person(rows, f"bc{i}", "BC", group, start, manager=i < 3)
        days = 4 if group == "BC-1" else 3
        for d in range(days):
            day = start + timedelta(weeks=d)
            rows["attendance"].append((f"bc{i}", "BC", group, "session", day, True, 60.0))
        if i < 9:
            _answer(rows, f"bc{i}:post", f"bc{i}", "BC", "post", end + timedelta(days=2))
        if i < 5:
            _answer(rows, f"bc{i}:d30", f"bc{i}", "BC", "d30", end + timedelta(days=30))
    _answer(rows, "anon:d30", None, "BC", "d30", end + timedelta(days=31))
    for i in range(6):
        _person(rows, f"gc{i}", "GC", f"GC-{i % 3}", start, manager=False)
        if i < 3:
            key = f"gc{i}" if i else None  # one not matched: in no total, as GC is hidden
            _answer(rows, f"gc{i}:d90", key, "GC", "d90", end + timedelta(days=90))
    for i in range(8):
        _person(rows, f"ow{i}", "OW", "OW-1", start)
        for d in range(3):
            day = start + timedelta(days=d)
            rows["attendance"].append((f"ow{i}", "OW", "OW-1", "session", day, True, 60.0))
    # NW, team coaching in another program, ended 65 days ago: its 60-day survey is due.
    nw_start, nw_end = TODAY - timedelta(days=100), TODAY - timedelta(days=65)
    rows["cohorts"].append(
        ("NW", "P2", "Newcomers", "small_group", "team_coaching", nw_start, nw_end, 2, 5)
    )
    rows["groups"].append(("NW-1", "NW", "NW-1", 5, True))
    for i in range(5):
        rows["person_records"].append((f"nw{i}", "Sales", "T", "R", False))
        rows["enrolment_records"].append((f"nw{i}", "NW", "NW-1", nw_start, nw_end))
        for d in range(2):
            day = nw_start + timedelta(weeks=d)
            rows["attendance"].append((f"nw{i}", "NW", "NW-1", "session", day, True, 60.0))
        _answer(rows, f"nw{i}:post", f"nw{i}", "NW", "post", nw_end + timedelta(days=1))
    items = [("app", "I used it", "application", "agree5", 1.0, 5.0, 4.0)]
    programs = [
        ("P1", "Feedback & <b>", "t", "applying_practice", None, None),
        ("P2", "Onboarding", "t", "applying_practice", None, None),
    ]
    write_rows(store, {"programs": programs, "survey_items": items, **rows}, "built in code")
    return store


@pytest.fixture
def built(store) -> health.Health:
    return health.health(_build(store), PrivacyRule(5), TODAY)


def _said(h: health.Health, cohort: str) -> list[tuple[str, str, str]]:
    c = next(c for p in h.programs for c in p.cohorts if c.cohort_id == cohort)
    return [(s.status, s.topic, s.text) for s in c.statements]


def test_book_club_statements(built):
    """Missing sessions, missing waves, a low response rate, unmatched answers, closeness."""
    assert _said(built, "BC") == [
        (
            "warn",
            "Attendance",
            "4 of 6 scheduled sessions recorded (the group with the fewest: 3): import the "
            "attendance of the missing 2, or correct the scheduled sessions",
        ),
        ("ok", "Enrolment", "12 people enrolled"),
        (
            "warn",
            "Enrolment",
            "no completion dates: import an LMS completion report or an enrolment list with "
            "completed dates",
        ),
        (
            "warn",
            "Survey waves",
            "no before wave: too late for this cohort; survey the next cohorts before they "
            "start (see the Survey kit)",
        ),
        ("ok", "Survey waves", "right-after wave: response rate 75% (9 of 12 enrolled)"),
        (
            "warn",
            "Survey waves",
            "30-day wave: response rate 50% (6 of 12 enrolled): below 60%, read with care; "
            "1 not matched to a person",
        ),
        (
            "warn",
            "Survey waves",
            "no 60-day wave: too late for this cohort; survey the next cohorts 60 days after "
            "they end (see the Survey kit)",
        ),
        (
            "warn",
            "Survey waves",
            "no 90-day wave: too late for this cohort; survey the next cohorts 90 days after "
            "they end (see the Survey kit)",
        ),
        (
            "warn",
            "Groups",
            "2 of 2 groups without a closeness flag: say whether each group's members work "
            "together day to day",
        ),
    ]


def test_sessions_and_suppressed_rates(built):
    """No scheduled sessions (with and without attendance); a rate under 5 answers hidden."""
    assert _said(built, "SA")[:2] == [
        (
            "missing",
            "Attendance",
            "no scheduled sessions and no LMS activity: import an LMS activity log, or set the "
            "number of scheduled sessions and import attendance",
        ),
        (
            "missing",
            "Enrolment",
            "no enrolment list: import who enrolled (the denominator of every rate)",
        ),
    ]
    assert _said(built, "OW")[0] == (
        "missing",
        "Attendance",
        "no scheduled sessions, but attendance on 3 session days: set the number of scheduled "
        "sessions, or nobody can count as engaged",
    )
    assert (
        "warn",
        "Survey waves",
        "90-day wave: response rate suppressed (fewer than 5): collect more answers",
    ) in _said(built, "GC")
    # the three answers are nowhere in the words
    assert not any("3 of 6" in text for _, _, text in _said(built, "GC"))


def test_a_wave_still_open_and_one_not_due(built):
    """Sixty-five days after its end a cohort's 60-day survey is due (until the 90-day one
    is); its 30-day window has passed; its 90-day survey is not due yet."""
    assert _said(built, "NW")[2:] == [
        (
            "warn",
            "Survey waves",
            "no before wave: too late for this cohort; survey the next cohorts before they "
            "start (see the Survey kit)",
        ),
        ("ok", "Survey waves", "right-after wave: response rate 100% (5 of 5 enrolled)"),
        (
            "warn",
            "Survey waves",
            "no 30-day wave: too late for this cohort; survey the next cohorts 30 days after "
            "they end (see the Survey kit)",
        ),
        (
            "missing",
            "Survey waves",
            "no 60-day wave yet: send the 60-day survey by 28 Dec 2026 (see the Survey kit)",
        ),
        ("info", "Survey waves", "90-day survey: due on 28 Dec 2026"),
        ("ok", "Groups", "closeness known for its group"),
    ]
    assert [p.name for p in built.programs] == ["Feedback & <b>", "Onboarding"]


def test_the_minimum_group_size_decides_what_is_shown(store):
    """At k = 3 the coaching cohort's three 90-day responses are a figure of their own."""
    h = health.health(_build(store), PrivacyRule(3), TODAY)
    assert (
        "warn",
        "Survey waves",
        "90-day wave: response rate 50% (3 of 6 enrolled): below 60%, read with care; "
        "1 not matched to a person",
    ) in _said(h, "GC")
    assert h.dataset[0].text.startswith("2 responses have no person (unmatched)")


def test_claims_needs(built):
    """Items, closeness, manager flags and thin arms, in the claims' words."""
    needs = {c.claim: c.needs for c in built.claims}
    assert needs[1] == (
        "fewer than 20 respondents in small groups at 30 days (6)",
        "no 30-day answers for everyone at once",
        "no 30-day answers for self-directed",
    )
    # the shared-session formats have 31 people in cohorts that reached week 5: enough
    assert needs[2] == ("no attendance or activity in week 5 for self-directed",)
    assert needs[3] == (
        "no 'Pilot team first' cohort yet",
        "no 30-day answers for org-wide training",
    )
    assert needs[6] == (
        "needs the closeness of 3 group coaching groups: say whether each group's members "
        "work together",
    )
    assert needs[8] == (
        "no motivation item in any survey: add one, e.g. 'I chose this learning myself because "
        "I wanted it' (see the Survey kit)",
    )
    # 8 of 31 lack the flag: asked for, and the leaders' arms are still counted (3 leaders
    # and 2 individual contributors answered at 30 days, in the book club)
    assert needs[9] == (
        "8 of 31 people enrolled have no manager flag: import a people list with a manager "
        "column, or ask 'Are you a people manager?' (see the Survey kit)",
        "leaders in small groups: 30-day answers suppressed (fewer than 5)",
        "no 30-day answers for leaders in other formats",
        "individual contributors in small groups: 30-day answers suppressed (fewer than 5)",
        "no 30-day answers for individual contributors in other formats",
    )
    # no confidence item: the participation and application comparisons are still counted
    assert needs[10] == (
        "no confidence item answered both before and right after: add one to both surveys "
        "(see the Survey kit)",
        "fewer than 20 people enrolled in everyone at once (8)",
        "no enrolment list for self-directed",
        "no 30-day answers for everyone at once",
        "no 30-day answers for self-directed",
        "fewer than 20 respondents in small groups at 30 days (6)",
    )
    assert not any(c.ready for c in built.claims)


def test_steps_ordered_by_claims_helped(built):
    """The summary: what helps most claims first, then what every analysis needs."""
    texts = [health.step_text(s) for s in built.steps]
    assert texts[:6] == [
        "Everyone at once: send the 30-day survey (see the Survey kit) — helps claims 1 and 10",
        "Self-directed: send the 30-day survey (see the Survey kit) — helps claims 1 and 10",
        "Small groups: collect more 30-day answers — helps claims 1 and 10",
        "Add a relevance item to your surveys (see the Survey kit) — helps claim 7",
        "Add a motivation item to your surveys (see the Survey kit) — helps claim 8",
        "Add a confidence item to your surveys (see the Survey kit) — helps claim 10",
    ]
    assert (
        "Say whether the members of 3 group coaching groups work together (Import page, or "
        "the cohort's groups) — helps claim 6"
    ) in texts
    assert "Run a 'Pilot team first' cohort — helps claim 3" in texts
    assert "Everyone at once: enrol more people — helps claim 10" in texts
    counts = [len(s.claims) for s in built.steps]
    assert counts == sorted(counts, reverse=True)
    assert texts[-8:] == [
        "Import the completion dates for 3 cohorts",
        "Say whether the groups' members work together in 2 cohorts",
        "Remind people to answer: 1 cohort with a wave's response rate below 60%",
        "Survey the next cohorts before they start: 5 cohorts had no before wave (see the "
        "Survey kit)",
        "Survey the next cohorts right after they end: 3 cohorts had no right-after wave (see "
        "the Survey kit)",
        "Survey the next cohorts 30 days after they end: 4 cohorts had no 30-day wave (see the "
        "Survey kit)",
        "Survey the next cohorts 60 days after they end: 4 cohorts had no 60-day wave (see the "
        "Survey kit)",
        "Survey the next cohorts 90 days after they end: 3 cohorts had no 90-day wave (see the "
        "Survey kit)",
    ]
    due = next(s for s in built.steps if s.text.startswith("Send the 60-day survey"))
    assert due.text == (
        "Send the 60-day survey to 1 cohort whose 60-day survey is due (see the Survey kit)"
    )
    assert due.cohorts == ("Newcomers",)
    enrol = next(s for s in built.steps if s.text == "Import who enrolled in 1 cohort")
    assert enrol.cohorts == ("Alone",)
    assert built.dataset[0].text.startswith("1 response has no person (unmatched)")
