"""A proposal always passes the import's own checks.

For every shared export, files built here (duplicate, empty and odd headers) and random header
sets, the mapping the page shows unchanged, for whichever kind the person picks, makes a valid
profile; and "Check the import" on it reads the file or refuses it with a reason, never with
"ignore columns cannot be kept as 'keep'".
"""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest import mapping_rules as R
from analysis.ingest import service
from analysis.ingest.mapping import profile_from_proposals
from analysis.ingest.model import UnreadableFile
from analysis.ingest.plan import Link
from analysis.ingest.rows import ImportRefused
from tests.conftest import EXPORTS
from tests.ingest_support import cohort, csv_bytes
from ui import importer

PAGE_KINDS = list(importer.KINDS)
SHARED = sorted(
    str(p.relative_to(EXPORTS)) for p in EXPORTS.rglob("*") if p.is_file() and p.suffix != ".md"
)
BUILT = {
    "duplicate headers.csv": csv_bytes(
        "Email,Email,Name,Name,Score,Minutes",
        "a@x.org,a@x.org,Ann,Ann,3,40",
        "b@x.org,b@x.org,Bo,Bo,4,55",
    ),
    "empty headers.csv": csv_bytes(
        ",Email,,Session date,,Attended", "1,a@x.org,x,01/04/2025,,yes", "2,b@x.org,,13/04/2025,,no"
    ),
    "odd columns.csv": csv_bytes("a,b,c", "1,2,3", "4,5,6"),
    "odd roles.csv": csv_bytes(
        "Employee ID;Abteilung;Datum;Kommentar;Score;Manager;Status;Enrolled on",
        "E1;Vertrieb;25.03.2025;gut;3,5;ja;Completed;01.03.2025",
        "E2;Einkauf;26.03.2025;;4,0;nein;Incomplete;02.03.2025",
    ),
    "quoted and blank.csv": csv_bytes(
        'Name,"Email, work",Department,"",Date,How useful was it?',
        'Ann,a@x.org,Sales,,2025-03-01,"Very, very"',
        "Bo,b@x.org,IT,,2025-03-02,Not much",
    ),
}
LINK = Link(new_cohort=cohort("Check", date(2025, 1, 1), date(2025, 12, 31), scheduled_sessions=4))


def _unchanged_profile(store, table, kind: str):
    """The profile "Check the import" builds from the page's rows when nothing is changed."""
    proposals, _ = service.propose(store, table, kind)
    rows = importer.editor_rows(proposals, table, kind)
    labels = importer.label_rows(proposals)
    profile = importer.build_profile("unchanged", table, kind, proposals, rows, labels)
    allowed = R.KIND_ROLES[R.KIND_ALIASES.get(kind, kind)]
    assert all(c.role in allowed for c in profile.columns.values())
    # The page shows the proposals as made: nothing had to be changed to fit the kind.
    assert [R.ROLE_LABELS[p.role] for p in proposals] == rows["meaning"].tolist()
    assert [p.pii_action for p in proposals] == rows["personal data"].tolist()
    same = profile_from_proposals("unchanged", table.detection.tool, kind, proposals)
    assert {c: ch.role for c, ch in same.columns.items()} == {
        c: ch.role for c, ch in profile.columns.items()
    }
    return profile


def _check(store, data: bytes, name: str, kinds: list[str], prepare: bool) -> None:
    table = service.preview(data, name)
    for kind in kinds:
        profile = _unchanged_profile(store, table, kind)
        if prepare:
            # Refused with a reason when the file lacks what the kind needs, never a crash.
            with contextlib.suppress(ImportRefused):
                service.prepare(store, data, name, profile, LINK, head=table)


@pytest.mark.parametrize("rel", SHARED)
def test_every_shared_export_proposal_passes_for_every_kind(store, rel: str) -> None:
    """The detected kind is checked end to end; every other kind the page offers, as a profile."""
    data = (EXPORTS / rel).read_bytes()
    table = service.preview(data, rel)
    detected = service.default_kind(table)
    _check(store, data, rel, [detected], prepare=True)
    _check(store, data, rel, [k for k in PAGE_KINDS if k != detected], prepare=False)


@pytest.mark.parametrize("name", sorted(BUILT))
def test_built_files_proposal_passes_for_every_kind(store, name: str) -> None:
    """Duplicate, empty and odd headers: every kind, checked through prepare()."""
    _check(store, BUILT[name], name, PAGE_KINDS, prepare=True)


def test_a_saved_profile_of_another_kind_still_gives_a_valid_proposal(store) -> None:
    """A profile saved as attendance, applied to a roster import: roles rosters do not use fall
    back to the roster proposal for that column, never to Ignore with 'keep'."""
    data = BUILT["odd roles.csv"]
    table = service.preview(data, "odd roles.csv")
    proposals, _ = service.propose(store, table, "attendance")
    service.save_profile(
        store, profile_from_proposals("att", table.detection.tool, "attendance", proposals)
    )
    assert service.default_kind(table, service.find_profile(store, table.columns)) == "attendance"
    for kind in PAGE_KINDS:
        _unchanged_profile(store, table, kind)


_WORDS = [
    "Email", "E-Mail", "Courriel", "Correo", "Name", "Nom", "Nombre", "Employee ID",
    "Personalnummer", "Department", "Abteilung", "Service", "Departamento", "Team", "Role",
    "Manager", "Date", "Datum", "Fecha", "Session date", "Join time", "Leave time", "Duration",
    "Minutes", "Stunden", "Heures", "Horas", "Attended", "Anwesend", "Présent", "Asistencia",
    "Status", "Completed on", "Enrolled on", "Score", "Cohort", "Group", "Program", "Wave",
    "Comment", "How useful was it?", "I applied it at work", "Would you recommend it?",
    "IP Address", "Latitude", "Custom Data 1", "Response ID", "", " ", "Column 3", "x", "?",
]  # fmt: skip
_VALUES = st.sampled_from(
    ["", "a@x.org", "b@y.com", "Ann", "Sales", "ja", "nein", "yes", "no", "3", "4,5", "12.5",
     "03/11/26, 04:08:12 PM", "25.03.2025", "2025-03-01", "Agree", "Strongly agree", "Very",
     "10.0.0.1", "47.1445", "Completed", "54m 28s", "a long answer about what I did at work"]
)  # fmt: skip


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    headers=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8),
    cells=st.lists(st.lists(_VALUES, min_size=8, max_size=8), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";"]),
)
def test_random_header_sets_give_valid_proposals(store, headers, cells, delimiter) -> None:
    """Any mix of known, foreign, blank and repeated headers and values: valid for every kind."""

    def line(parts: list[str]) -> str:
        return delimiter.join('"' + p.replace('"', '""') + '"' for p in parts)

    data = csv_bytes(line(headers), *(line(row[: len(headers)]) for row in cells))
    try:
        table = service.preview(data, "random.csv")
    except UnreadableFile:
        return
    for kind in PAGE_KINDS:
        _unchanged_profile(store, table, kind)


def test_the_page_proposes_for_the_kind_it_shows(tmp_path, monkeypatch) -> None:
    """Detected as attendance, switched to a people list: the editor shows the roster's own
    proposal, and "Check the import" on it, unchanged, offers the import."""
    from tests.app_support import open_app

    at = open_app(tmp_path, monkeypatch, "pages/upload.py")
    data = csv_bytes(
        "Name;E-Mail;Abteilung;Datum;Anwesend;Stunden",
        "Jürgen Schmidt;j@firma.de;Vertrieb;25.03.2025;ja;1,5",
        "Anna Weiß;anna@firma.de;Einkauf;25.03.2025;nein;0",
        encoding="cp1252",
    )
    at.get("file_uploader")[0].set_value(("Anwesenheit.csv", data, "text/csv")).run()
    kind = next(s for s in at.selectbox if s.label == "This file holds")
    assert kind.value == "attendance"
    shown = at.data_editor[0].value
    assert shown["meaning"].tolist() == [
        "Name", "E-mail", "Ignore", "Session date", "Attended (yes/no)", "Hours"
    ]  # fmt: skip
    kind.set_value("roster").run()
    shown = at.data_editor[0].value
    assert shown["meaning"].tolist()[:3] == ["Name", "E-mail", "Department"]
    assert dict(zip(shown["meaning"], shown["personal data"], strict=True))["Ignore"] == "drop"
    next(b for b in at.button if b.label == "Check the import").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Import 2 rows" in [b.label for b in at.button]
