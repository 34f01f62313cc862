"""The Programs page under AppTest on the demo data: edit a cohort (and see the Overview move),
refuse a wrong value in words, merge two cohorts, undo both from the Changes tab."""

from __future__ import annotations

from datetime import timedelta

from analysis.programs import changes
from tests.app_support import open_app
from ui import data


def _overview_metrics(at) -> list[str]:
    at.switch_page("pages/overview.py")
    at.run()
    assert not at.exception, at.exception
    return [m.value for m in at.metric]


def test_the_programs_page_edits_merges_and_undoes(tmp_path, monkeypatch):
    """An org-wide cohort becomes a pilot team: one change, a new dataset version, the Overview's
    cards move; an end date before the start is refused in words; two pilot-team cohorts merge
    into one; undoing both from Changes gives the cohorts back."""
    at = open_app(tmp_path, monkeypatch)
    before = _overview_metrics(at)
    at.switch_page("pages/programs.py")
    at.run()
    assert not at.exception, at.exception
    db = data.store()
    cohort = db.fetch("SELECT cohort_id FROM cohorts WHERE variant = 'org_wide' ORDER BY 1")[0][0]
    at.selectbox(key="programs_cohort").set_value(cohort).run()
    v = f"{db.dataset_version()}_{cohort}"
    at.selectbox(key=f"cohort_format_{v}").set_value("small_group").run()
    at.selectbox(key=f"cohort_variant_{v}_small_group").set_value("pilot_team").run()
    at.button(key=f"cohort_save_{v}").click().run()
    assert not at.exception, at.exception
    assert next(s.value for s in at.success).startswith("Saved as change")
    assert db.fetch("SELECT format, variant FROM cohorts WHERE cohort_id = ?", [cohort]) == [
        ("small_group", "pilot_team")
    ]
    edit = int(db.imports().iloc[0]["import_id"])
    assert db.imports().iloc[0]["kind"] == "edit"

    v = f"{db.dataset_version()}_{cohort}"
    start = at.date_input(key=f"cohort_start_{v}").value
    at.date_input(key=f"cohort_end_{v}").set_value(start - timedelta(days=7)).run()
    at.button(key=f"cohort_save_{v}").click().run()
    assert [e.value for e in at.error] == [
        "Not saved: end date\\: must be on or after the start date."
    ]  # Markdown-escaped text
    assert int(db.imports().iloc[0]["import_id"]) == edit  # nothing written

    pilots = [
        r[0]
        for r in db.fetch("SELECT cohort_id FROM cohorts WHERE variant = 'pilot_team' ORDER BY 1")
    ]
    n_cohorts = len(db.fetch("SELECT cohort_id FROM cohorts"))
    version = db.dataset_version()
    fold = changes.merge_plan(db, "cohort", pilots[0], pilots[1]).fold
    at.selectbox(key="programs_cohort").set_value(fold).run()  # about to be merged away
    at.radio(key="merge_entity").set_value("cohort").run()
    at.selectbox(key=f"merge_a_cohort_{version}").set_value(pilots[0]).run()
    at.selectbox(key=f"merge_b_cohort_{version}_{pilots[0]}").set_value(pilots[1]).run()
    at.button(key=f"merge_go_{version}").click().run()
    assert not at.exception, at.exception
    assert next(s.value for s in at.success).startswith("Merged as change")
    assert len(db.fetch("SELECT cohort_id FROM cohorts")) == n_cohorts - 1
    merge = int(db.imports().iloc[0]["import_id"])
    assert db.imports().iloc[0]["kind"] == "merge"

    after = _overview_metrics(at)
    assert after != before
    at.switch_page("pages/programs.py")
    at.run()
    at.button(key=f"programs_undo_{merge}").click().run()
    assert [s.value for s in at.success] == [f"Change {merge} undone."]
    at.button(key=f"programs_undo_{edit}").click().run()
    assert [s.value for s in at.success] == [f"Change {edit} undone."]
    assert len(db.fetch("SELECT cohort_id FROM cohorts")) == n_cohorts
    assert _overview_metrics(at) == before


def test_names_from_files_are_text_on_the_programs_page(tmp_path, monkeypatch):
    """A cohort named with Markdown and HTML, from a file whose name has some too: every line
    of the page that shows them holds them escaped, so they read as typed."""
    from analysis.store import Store
    from analysis.text import markdown_text
    from tests.programs_support import build_duplicates

    store = Store(tmp_path / "app.duckdb")
    build_duplicates(store)
    name = "*Spring* <b>club</b> :smile: [x](http://e.org)"
    with store.transaction() as cur:
        cur.execute("UPDATE imports SET file_name = '__zoom__ <i>.csv' WHERE import_id = 1")
    change = changes.edit(store, "cohort", "CA", {"name": name})
    store.close()
    at = open_app(tmp_path, monkeypatch, "pages/programs.py")
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown]
    assert f"- {markdown_text('__zoom__ <i>.csv')} · " in "\n".join(shown)
    title = markdown_text("Edit of cohort “Spring book club A”: name")
    assert any(line.startswith(f"**{change}** · {title} · ") for line in shown)
    assert not any("<b>" in line or "*Spring*" in line for line in shown)
    keeps = next(line for line in shown if line.startswith("Keeps"))
    assert markdown_text(name) in keeps
