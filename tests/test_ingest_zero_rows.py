"""A file with no valid row offers nothing to import: the page shows no import button, commit()
refuses, and the command line exits 1 with one line; the database does not change at all (no
cohort, group or aliases for an import of nothing). Files built here."""

from __future__ import annotations

import pytest

from analysis import cli
from analysis.ingest import service
from analysis.ingest.plan import Link
from analysis.store import Store
from tests.app_support import open_app
from tests.ingest_support import cohort, csv_bytes, import_bytes, plan_for, snapshot

NOTHING_VALID = {
    # names only and matching by name not confirmed: every row lacks a person
    "attendance": csv_bytes(
        "Name,Session date,Minutes", "Ann Lee,2025-03-04,40", "Bo,2025-03-04,5"
    ),
    # every submission date unreadable
    "survey": csv_bytes(
        "Email,Submitted,How useful was it?", "a@x.org,soon,Very useful", "b@x.org,later,Useful"
    ),
}  # a header and nothing else is refused before any plan (test_ingest_awkward's header test)
WHY = {
    "attendance": "none of the 2 rows can be imported; the commonest reason (2 rows): no e-mail",
    "survey": "none of the 2 rows can be imported; the commonest reason (2 rows): Submitted: "
    "unreadable date",
}
KIND = {"attendance": "attendance", "survey": "survey"}


def _earlier_import(store: Store) -> None:
    """Something in the database already, so 'unchanged' is not just 'still empty'."""
    data = csv_bytes("Email,Session date,Minutes", "zed@x.org,2025-01-02,30")
    import_bytes(store, data, "earlier.csv", Link(new_cohort=cohort("Earlier")), kind="attendance")


@pytest.mark.parametrize("name", sorted(NOTHING_VALID))
def test_commit_refuses_a_plan_with_nothing_to_import(store, name) -> None:
    """Even when the person accepts a partial import, zero valid rows write nothing."""
    _earlier_import(store)
    before, version = snapshot(store), store.dataset_version()
    link = Link(new_cohort=cohort("Nothing"))
    plan = plan_for(store, NOTHING_VALID[name], f"{name}.csv", link, kind=KIND[name])
    assert plan.rows_accepted == 0 and plan.nothing_to_import
    assert plan.nothing_reason().startswith(WHY[name])
    for accept in (False, True):
        with pytest.raises(service.NothingToImport, match="nothing was written"):
            service.commit(store, plan, accept_partial=accept)
    assert snapshot(store) == before and store.dataset_version() == version


def test_a_plan_with_one_valid_row_is_still_imported(store) -> None:
    """The rule is about zero: one valid row beside rejected ones imports as before."""
    data = csv_bytes("Email,Session date,Minutes", "a@x.org,2025-03-04,40", "b@x.org,soon,5")
    plan = plan_for(store, data, "one.csv", Link(new_cohort=cohort("One")), kind="attendance")
    assert (plan.rows_accepted, plan.nothing_to_import) == (1, False)
    assert service.commit(store, plan, accept_partial=True) == 1


def test_command_line_refuses_and_changes_nothing(store, tmp_path, capsys) -> None:
    """Exit 1 with one line saying why; the database is exactly as before."""
    _earlier_import(store)
    before = snapshot(store)
    store.close()
    path = tmp_path / "names.csv"
    path.write_bytes(NOTHING_VALID["attendance"])
    args = ["import", str(path), "--cohort", "Nothing", "--program", "Feedback", "--start",
            "2025-03-01", "--end", "2025-03-31", "--variant", "book_club", "--accept-partial",
            "--db", str(store.path)]  # fmt: skip
    assert cli.main(args) == 1
    out = capsys.readouterr()
    assert out.out == ""
    assert out.err.startswith("error: none of the 2 rows can be imported")
    assert out.err.count("\n") == 1 and "nothing was written" in out.err
    again = Store(store.path)
    try:
        assert snapshot(again) == before
    finally:
        again.close()


def test_the_page_offers_no_import_for_zero_valid_rows(tmp_path, monkeypatch) -> None:
    """Check the import: 'Nothing to import' and the reasons, no import button, no new import."""
    at = open_app(tmp_path, monkeypatch, "pages/upload.py")
    data = NOTHING_VALID["attendance"]
    at.get("file_uploader")[0].set_value(("names.csv", data, "text/csv")).run()
    next(b for b in at.button if b.label == "Check the import").click().run()
    assert not at.exception, at.exception
    assert any(e.value.startswith("Nothing to import: none of the 2 rows") for e in at.error)
    assert not [b.label for b in at.button if b.label.startswith("Import")]
    history = [m.value for m in at.markdown if " UTC" in m.value]
    assert len(history) == 1 and "demo" in history[0]  # only the demo data's own import
