"""What a generic file holds, weighed over all its columns (analysis/ingest/kinds.py), and the
attendance vocabulary in English, German, French and Spanish. Every file is built here."""

from __future__ import annotations

import json
from datetime import date

import pytest

from analysis import cli
from analysis.ingest import service
from analysis.ingest.detect import read_table
from analysis.ingest.keys import EMAIL
from analysis.ingest.mapping import propose_mapping
from analysis.ingest.plan import Link
from tests.ingest_support import cohort, csv_bytes, import_bytes, key_of, rows

# (language, encoding, delimiter, header, two rows, (present, absent) rows' hours as written)
SHEETS = {
    "de": ("cp1252", ";", "Name;E-Mail;Abteilung;Datum;Anwesend;Stunden",
           ["Jürgen Schmidt;jürgen@firma.de;Vertrieb;25.03.2025;ja;1,5",
            "Anna Weiß;anna@firma.de;Einkauf;25.03.2025;nein;0",
            "Anna Weiß;anna@firma.de;Einkauf;01.04.2025;ja;2"]),
    "fr": ("utf-8", ";", "Nom complet;Courriel;Service;Date;Présent;Heures",
           ["Jürgen Schmidt;jürgen@firma.de;Ventes;25/03/2025;oui;1,5",
            "Anna Weiß;anna@firma.de;Achats;25/03/2025;non;0",
            "Anna Weiß;anna@firma.de;Achats;01/04/2025;oui;2"]),
    "es": ("utf-8", ";", "Nombre completo;Correo;Departamento;Fecha;Asistencia;Horas",
           ["Jürgen Schmidt;jürgen@firma.de;Ventas;25/03/2025;sí;1,5",
            "Anna Weiß;anna@firma.de;Compras;25/03/2025;no;0",
            "Anna Weiß;anna@firma.de;Compras;01/04/2025;sí;2"]),
    "en": ("utf-8", ",", "Name,Email,Department,Date,Present,Hours",
           ["Jürgen Schmidt,jürgen@firma.de,Sales,03/25/2025,yes,1.5",
            "Anna Weiß,anna@firma.de,Purchasing,03/25/2025,no,0",
            "Anna Weiß,anna@firma.de,Purchasing,04/01/2025,yes,2"]),
}  # fmt: skip


def _sheet(lang: str) -> bytes:
    encoding, _, header, lines = SHEETS[lang]
    return csv_bytes(header, *lines, encoding=encoding, newline="\r\n")


@pytest.mark.parametrize("lang", sorted(SHEETS))
def test_attendance_sheet_with_a_department_column_is_attendance(store, lang) -> None:
    """Date + present/absent + hours outweigh a department column: attendance, not a roster;
    the date, the mark and the hours are recognised, and hours are stored as minutes."""
    data = _sheet(lang)
    table = read_table(data, "sheet.csv")
    assert table.detection.kind == "attendance"
    proposals, _ = service.propose(store, table)
    roles = [p.role for p in proposals]
    assert roles == ["person_name", "person_email", "ignore", "session_date", "attended", "hours"]
    link = Link(new_cohort=cohort("Sheet", date(2025, 3, 1), date(2025, 4, 30)))
    import_bytes(store, data, "sheet.csv", link, accept_partial=False)
    jurgen, anna = (key_of(store, EMAIL, e) for e in ("jürgen@firma.de", "anna@firma.de"))
    got = rows(store, "SELECT person_key, session_date, attended, minutes FROM attendance")
    assert sorted(got) == sorted(
        [
            (jurgen, date(2025, 3, 25), True, 90.0),
            (anna, date(2025, 3, 25), False, 0.0),
            (anna, date(2025, 4, 1), True, 120.0),
        ]
    )


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Datum", "session_date"), ("Sitzungsdatum", "session_date"),
        ("Teilnahmedatum", "session_date"),
        ("Date de la séance", "session_date"), ("Fecha de la sesión", "session_date"),
        ("Anwesend (ja/nein)", "attended"), ("Anwesenheit", "attended"), ("Teilnahme", "attended"),
        ("Présent", "attended"), ("Présence", "attended"), ("Asistencia", "attended"),
        ("Presente", "attended"), ("Attended", "attended"), ("Participation", "attended"),
        ("Stunden", "hours"), ("Dauer (Std.)", "hours"), ("Heures", "hours"), ("Horas", "hours"),
        ("Hours attended", "hours"), ("Dauer", "minutes"), ("Durée", "minutes"),
        ("Duración", "minutes"), ("Minuten", "minutes"), ("Anwesenheitsdauer", "minutes"),
        ("Erste Teilnahme", "join_time"), ("Heure d'arrivée", "join_time"),
        ("Hora de entrada", "join_time"), ("Letztes Verlassen", "leave_time"),
        ("Heure de départ", "leave_time"), ("Hora de salida", "leave_time"),
        ("Heure", "session_date"), ("Hora", "session_date"),
    ],
)  # fmt: skip
def test_attendance_headers_in_four_languages(header, role) -> None:
    """The attendance vocabulary the proposals (and the kind decision) read; a bare "Heure" or
    "Hora" is a time of day, not hours."""
    import pandas as pd

    frame = pd.DataFrame({"E-Mail": ["a@x.org"], header: [None]}, dtype=object)
    props = propose_mapping(["E-Mail", header], {}, frame, "attendance", "generic")
    assert props[1].role == role


@pytest.mark.parametrize(
    ("mark", "attended"),
    [("ja", True), ("nein", False), ("abwesend", False), ("entschuldigt", False),
     ("oui", True), ("non", False), ("absent", False), ("excusé", False), ("sí", True),
     ("no", False), ("ausente", False), ("present", True), ("Absent", False), ("x", True)],
)  # fmt: skip
def test_present_and_absent_marks(store, mark, attended) -> None:
    """Yes/no and present/absent words in four languages; anything else counts as present."""
    data = csv_bytes("Email,Session date,Attended", f"a@x.org,2025-03-04,{mark}")
    import_bytes(store, data, "m.csv", Link(new_cohort=cohort("Marks")), accept_partial=False)
    assert rows(store, "SELECT attended FROM attendance") == [(attended,)]


KINDS = {
    "roster": ("Email|Employee ID|Department|Role", "ana@x.org|E1|Sales|Manager"),
    "roster with a start date": ("Email,Department,Team,Start date", "a@x.org,Sales,A,2024-01-02"),
    "roster of e-mail and department": ("Email,Department", "a@x.org,Sales"),
    "enrolment list": ("Email,Course,Enrolled on,Completed on", "a@x.org,Feedback,2025-01-02,"),
    "LMS completion report": (
        "Name,Email,Course Title,Completion Date,Percent Complete",
        "Ann Lee,a@x.org,Excel basics,2025-02-01,100",
    ),
    "Moodle-like log": (
        "Time,User full name,Event name,Component",
        "2025-03-01 09:00,Ann Lee,Course viewed,System",
    ),
    "activity log": ("Email,Date,Event", "a@x.org,2025-03-01 09:00,Course completed"),
    "attendance by marks": ("Email,Session,Status", "a@x.org,03/02/2025,Absent"),
    "survey with department": (
        "Email,Department,How useful was it?,Would you recommend it?,What did you apply?",
        "a@x.org,Sales,Very,Yes,ok",
    ),
    "survey asking about attendance": (
        "Name,Date,Did you attend the session?,How useful was it?",
        "Ann,2025-01-02,yes,Very",
    ),
    "numbers": ("a,b,c", "1,2,3"),
}
EXPECTED = {
    "roster": "roster", "roster with a start date": "roster",
    "roster of e-mail and department": "roster", "enrolment list": "enrolment",
    "LMS completion report": "enrolment", "Moodle-like log": "lms_log",
    "activity log": "lms_log", "attendance by marks": "attendance",
    "survey with department": "survey", "survey asking about attendance": "survey",
    "numbers": "unknown",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(KINDS))
def test_the_kind_is_weighed_over_all_columns(name) -> None:
    """Rosters stay rosters; enrolment lists and LMS logs are recognised by their columns."""
    header, line = KINDS[name]
    second = line.replace("a@x.org", "b@x.org").replace("ana@x.org", "bo@x.org")
    assert read_table(csv_bytes(header, line, second), "f.csv").detection.kind == EXPECTED[name]


@pytest.mark.parametrize(
    ("lines", "table"),
    [
        (["Email,Course,Enrolled on,Completed on", "a@x.org,Feedback,2025-01-02,2025-02-01",
          "b@x.org,Feedback,2025-01-03,"], "enrolment_records"),
        (["Email,Date,Event", "a@x.org,2025-03-01 09:00,Course viewed",
          "a@x.org,2025-03-02 10:00,Course completed"], "attendance"),
    ],
)  # fmt: skip
def test_command_line_imports_them_without_kind(tmp_path, capsys, lines, table) -> None:
    """`python -m analysis import` with no --kind: the detected kind decides the import."""
    path = tmp_path / "export.csv"
    path.write_bytes(csv_bytes(*lines))
    args = ["import", str(path), "--cohort", "Spring", "--program", "Feedback", "--variant",
            "self_paced_course", "--start", "2025-01-01", "--end", "2025-03-31",
            "--db", str(tmp_path / "cli.duckdb")]  # fmt: skip
    assert cli.main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["imported"] and report["rows_rejected"] == 0
    assert report["writes"][table] >= 1
