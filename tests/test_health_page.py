"""The Data health page (AppTest) on a built organisation, and the demo data's health."""

from __future__ import annotations

import re

from analysis import health
from analysis.clock import TODAY_ENV_VAR
from analysis.domain import WAVES
from analysis.privacy import PrivacyRule
from analysis.store import Store
from analysis.text import markdown_text
from tests.app_support import open_app
from tests.ingest_support import rows
from tests.test_health import TODAY, _build

RATE = re.compile(r"response rate (\d+)% \((\d+) of (\d+) enrolled\)")


def test_the_page_on_a_built_organisation(tmp_path, monkeypatch):
    """The summary, the claims' needs and each cohort's statements, names escaped."""
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "secret.key"))
    monkeypatch.setenv(TODAY_ENV_VAR, TODAY.isoformat())  # the organisation is built around it
    _build(Store(tmp_path / "app.duckdb")).close()
    at = open_app(tmp_path, monkeypatch, "pages/health.py")
    assert not at.exception, at.exception
    assert at.title[0].value == "Data health"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Claims with the data they need"] == "0 of 10"
    assert metrics["Cohorts with data missing"] == "4 of 5"  # the book club: only warnings
    text = "\n".join(m.value for m in at.markdown)
    assert (
        "1. "
        + markdown_text(
            "Everyone at once: send the 30-day survey (see the Survey kit) — helps claims 1 and 10"
        )
        in text
    )
    assert markdown_text("No 60-day wave yet: send the 60-day survey by 28 Dec 2026") in text
    assert (
        markdown_text(
            "30-day wave: response rate 50% (6 of 12 enrolled): below 60%, read with care"
        )
        in text
    )
    assert markdown_text("needs the closeness of 3 group coaching groups") in text
    assert (
        "What it lacks:\n\n- "
        + markdown_text("fewer than 20 respondents in small groups at 30 days (6)")
        + "\n- "
        + markdown_text("no 30-day answers for everyone at once")
    ) in text
    # file-derived names are escaped where they become Markdown
    assert markdown_text("Book club <Q1>") in text
    assert "<Q1>" not in text
    labels = [e.label for e in at.expander]
    assert any(markdown_text("Feedback & <b>") in label for label in labels)
    assert [p.proto.label for p in at.get("page_link")] == ["Open the Survey kit"]

    at.toggle(key="health_attention").set_value(True).run()
    assert not at.exception, at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert "12 people enrolled" not in shown  # an 'ok' statement, hidden
    assert markdown_text("no enrolment list") in shown


def test_the_demo_data_is_healthy_enough_for_every_claim(demo_store):
    """Every claim has its data; every shown response rate counts at least k people and agrees
    with the responses counted straight from the database."""
    rule = PrivacyRule(5)
    h = health.health(demo_store, rule)
    assert all(c.ready for c in h.claims), [c.needs for c in h.claims]
    assert (
        sum(len(p.cohorts) for p in h.programs)
        == rows(demo_store, "SELECT count(*) FROM cohorts")[0][0]
    )
    truth = dict(
        ((c, w), (n, e))
        for c, w, n, e in rows(
            demo_store,
            "SELECT r.cohort_id, r.wave, count(*), "
            "(SELECT count(*) FROM enrolments e WHERE e.cohort_id = r.cohort_id) "
            "FROM survey_responses r GROUP BY r.cohort_id, r.wave",
        )
    )
    checked = 0
    for p in h.programs:
        for c in p.cohorts:
            waves = [s for s in c.statements if s.topic == "Survey waves"]
            assert len(waves) == 5
            for wave, s in zip(WAVES, waves, strict=True):
                m = RATE.search(s.text)
                if m:
                    n, enrolled = int(m[2]), int(m[3])
                    assert n >= rule.min_group_size
                    assert (n, enrolled) == truth[c.cohort_id, wave]
                    assert int(m[1]) == round(100 * n / enrolled)
                    assert (s.status == "warn") == (n / enrolled < 0.6)
                    checked += 1
    assert checked > 150
