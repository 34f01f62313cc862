"""The per-group setting on the Import page: choose yes / no / unknown per group and save."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from analysis.ingest.plan import Link
from analysis.store import Store
from tests.app_support import NavigationPagesManager as _NavigationPagesManager
from tests.conftest import ROOT
from tests.ingest_support import cohort, csv_bytes, import_bytes
from ui import groups


def test_the_import_page_sets_whether_a_groups_members_work_together(tmp_path, monkeypatch):
    """Trio C marked as close colleagues: saved as one import of the history, the table then
    shows the stored values, and a save without changes writes nothing."""
    db_path = tmp_path / "app.duckdb"
    monkeypatch.setenv("FORMATFIT_DB", str(db_path))
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "secret.key"))
    store = Store(db_path)
    sheet = csv_bytes("Email,Group,Works together", "a@x.org,A,yes", "b@x.org,B,", "c@x.org,C,no")
    import_bytes(store, sheet, "e.csv", Link(new_cohort=cohort("Trios")), kind="enrolment")
    cohort_id = store.query("SELECT cohort_id FROM cohorts")["cohort_id"].iloc[0]
    version = store.dataset_version()
    store.close()

    monkeypatch.setattr(app_test_module, "PagesManager", _NavigationPagesManager)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/upload.py")
    at.run()
    assert not at.exception, at.exception
    assert [e.label for e in at.expander if e.label == groups.TITLE] == [groups.TITLE]
    assert len(at.data_editor) == 0  # closed: nothing runs until it is opened
    at.session_state["groups_panel"] = True
    at.run()
    assert next(s for s in at.selectbox if s.label == "Cohort").value == cohort_id
    editor = f"groups_editor_{version}_{cohort_id}"
    at.session_state[editor] = {
        "edited_rows": {2: {"work together": "yes"}, 1: {"work together": "no"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.button(key="groups_save").click().run()
    assert not at.exception, at.exception
    assert any(s.value.startswith("Saved as import 2.") for s in at.success)

    from ui import data

    db = data.store()
    flags = db.query("SELECT name, works_together FROM current_groups ORDER BY name")
    assert flags.to_dict("list") == {"name": ["A", "B", "C"], "works_together": [True, False, True]}
    assert db.imports()["kind"].tolist() == ["settings", "enrolment"]
    at.button(key="groups_save").click().run()
    assert any(i.value == "Nothing changed." for i in at.info)
    assert db.dataset_version() == version + 1
