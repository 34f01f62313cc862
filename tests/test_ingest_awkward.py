"""Awkward but real files import, with a warning that says what reading them took; junk is
refused in one line. Every file is built here, and read both ways: from its bytes (the Import
page) and from disk (the command line, where DuckDB reads a large UTF-8 file itself)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from analysis.ingest import service
from analysis.ingest.headers import RESERVED
from analysis.ingest.keys import EMAIL
from analysis.ingest.model import MAX_CELL_CHARS, MAX_COLUMNS, UnreadableFile
from analysis.ingest.plan import Link
from analysis.ingest.rows import ImportRefused
from tests.ingest_support import cohort, csv_bytes, import_bytes, key_of, mapped_profile, rows

HEAD = 300_000  # the command line reads this much first (8 MiB in the app): files above are large
APPLY = "I have applied what I learned at work"


@pytest.fixture(autouse=True)
def small_head(monkeypatch) -> None:
    monkeypatch.setattr(service, "HEAD_BYTES", HEAD)


def _attendance_lines(n: int) -> list[str]:
    """n attendance rows of 97 people over 60 days, names with accents (UTF-8 by default)."""
    lines = ["Email;Name;Session date;Duration (Minutes)"]
    for i in range(n):
        day = date(2025, 1, 6) + timedelta(days=i % 60)
        lines.append(f"p{i % 97}@example.org;Zoë Weiß {i % 97};{day:%d.%m.%Y};{10 + i % 50}")
    return lines


def _plans(store, tmp_path, data: bytes, name: str, kind: str):
    """The plan from the bytes (Import page) and from the file on disk (command line)."""
    path = tmp_path / name
    path.write_bytes(data)
    profile = mapped_profile(store, data, name, kind)
    link = Link(new_cohort=cohort("Awkward"), wave="post")
    head, whole = service.preview_file(path)
    by_path = service.prepare(store, whole, name, profile, link, path=path, head=head)
    by_bytes = service.prepare(store, data, name, profile, link)
    return by_bytes, by_path


def _same(a, b) -> None:
    assert a.rejected == b.rejected and a.warnings == b.warnings
    assert a.counts() == b.counts() and a.rows_read == b.rows_read


def _attendance_rows(store) -> int:
    return rows(store, "SELECT count(*) FROM attendance")[0][0]


# --- large cells -------------------------------------------------------------------------------


def test_a_10_mb_quoted_cell_with_a_line_break_imports(store, tmp_path) -> None:
    """A 10 MB comment (quoted, with a line break) is one cell, stored whole."""
    comment = "word " * (1 << 20) + "\nsecond paragraph, with a comma " + "x" * (5 << 20)
    assert len(comment) > 10_000_000
    data = csv_bytes(
        f"Email,{APPLY},Any comments?",
        f'ann@example.org,Agree,"{comment}"',
        "bob@example.org,Disagree,short",
    )
    by_bytes, by_path = _plans(store, tmp_path, data, "comments.csv", "survey")
    _same(by_bytes, by_path)
    assert by_bytes.rejected == [] and by_bytes.rows_accepted == 2
    service.commit(store, by_path)
    texts = [r[0] for r in rows(store, "SELECT text FROM survey_answers WHERE text IS NOT NULL")]
    assert sorted(texts, key=len) == ["short", comment]


def test_a_large_cell_in_a_large_attendance_file_imports_both_ways(store, tmp_path) -> None:
    """DuckDB's reader refuses a 3 MB line; the decoder then reads it, from disk as from bytes."""
    lines = _attendance_lines(5_000)
    lines[10] = lines[10].replace(";Zoë Weiß", ';"' + "Zoë\n" * 800_000 + '"', 1)
    data = csv_bytes(*lines)
    by_bytes, by_path = _plans(store, tmp_path, data, "zoom.csv", "attendance")
    _same(by_bytes, by_path)
    assert by_bytes.rejected == []
    service.commit(store, by_path)
    days = {(i % 97, i % 60) for i in range(5_000)}
    assert _attendance_rows(store) == len(days)


def test_a_cell_over_the_bound_is_refused_with_the_bound() -> None:
    """One cell longer than 64 MB: refused in one line that states the limit."""
    data = b'Email,Comment\nann@example.org,"' + b"x" * (MAX_CELL_CHARS + 1) + b'"\n'
    with pytest.raises(UnreadableFile) as caught:
        service.preview(data, "huge.csv")
    message = str(caught.value)
    assert "Line 2: a cell is longer than 64 MB (67,108,864 characters)" in message
    assert "\n" not in message


# --- NUL bytes ---------------------------------------------------------------------------------


def test_nul_bytes_are_removed_and_counted(store) -> None:
    """Three NULs in a readable file: removed, counted, and the values are as if never there."""
    data = csv_bytes(
        f"Email,{APPLY},Comment",
        "ann@exam\x00ple.org,Agree,fi\x00ne",
        "bob@example.org,Disagree,ok\x00",
    )
    table = service.preview(data, "nul.csv")
    assert table.frame["Email"].tolist() == ["ann@example.org", "bob@example.org"]
    assert table.frame["Comment"].tolist() == ["fine", "ok"]
    warning = "Removed 3 NUL bytes (character 0)"
    assert [w for w in table.warnings if warning in w]
    profile = mapped_profile(store, data, "nul.csv", "survey")
    plan = service.prepare(
        store, data, "nul.csv", profile, Link(new_cohort=cohort("N"), wave="post")
    )
    assert [w for w in plan.warnings if warning in w] and plan.rejected == []
    service.commit(store, plan)
    keys = {r[0] for r in rows(store, "SELECT person_key FROM survey_responses")}
    assert keys == {
        key_of(store, EMAIL, "ann@example.org"),
        key_of(store, EMAIL, "bob@example.org"),
    }


def test_nul_bytes_in_a_large_attendance_file_count_the_same_both_ways(store, tmp_path) -> None:
    """DuckDB would keep NULs in the cells: the file is decoded instead, and counted whole."""
    lines = _attendance_lines(20_000)
    for i in (5, 9_000, 19_999):  # in the preview, and far beyond the start of the file
        lines[i] = lines[i].replace("@", "@\x00", 1)
    data = csv_bytes(*lines)
    assert len(data) > 2 * HEAD
    by_bytes, by_path = _plans(store, tmp_path, data, "nul.csv", "attendance")
    _same(by_bytes, by_path)
    assert by_bytes.rejected == []
    assert [w for w in by_bytes.warnings if w.startswith("Removed 3 NUL bytes")]
    service.commit(store, by_path)
    assert _attendance_rows(store) == len({(i % 97, i % 60) for i in range(20_000)})
    people = {r[0] for r in rows(store, "SELECT DISTINCT person_key FROM attendance")}
    assert people == {key_of(store, EMAIL, f"p{p}@example.org") for p in range(97)}


def test_random_binary_with_nul_bytes_is_still_refused() -> None:
    """Removing NULs does not make binary data a table."""
    data = bytes(range(256)) * 40
    with pytest.raises(UnreadableFile, match="binary data"):
        service.preview(data, "junk.csv")


# --- mixed encodings ---------------------------------------------------------------------------


def test_a_utf8_file_with_windows_1252_lines_decodes_each_line(store) -> None:
    """UTF-8 with two lines pasted from a Windows-1252 sheet: every name as written."""
    header = f"Email,Name,{APPLY}".encode()
    body = [
        "ann@example.org,Zoë Weiß,Agree".encode(),
        "bob@example.org,Renée Café,Agree".encode("cp1252"),
        "cy@example.org,Łukasz Żak,Disagree".encode(),
        "di@example.org,Jörg “Jö” Müller,Agree".encode("cp1252"),
        "ed@example.org,Ørjan Æbeltoft,Agree".encode(),
    ]
    data = b"\n".join([header, *body]) + b"\n"
    table = service.preview(data, "mixed.csv")
    assert table.detection.encoding == "utf-8"
    names = ["Zoë Weiß", "Renée Café", "Łukasz Żak", "Jörg “Jö” Müller", "Ørjan Æbeltoft"]
    assert table.frame["Name"].tolist() == names
    warning = (
        "2 lines are not UTF-8 like the rest of the file and were read as Windows-1252 "
        "(lines 3 and 5): check their accented letters."
    )
    assert table.warnings == [warning]
    profile = mapped_profile(store, data, "mixed.csv", "survey")
    link = Link(new_cohort=cohort("M"), wave="post")
    plan = service.prepare(store, data, "mixed.csv", profile, link)
    assert plan.warnings == [warning] and plan.rejected == [] and plan.rows_accepted == 5


def test_mixed_encodings_in_a_large_attendance_file_agree_both_ways(store, tmp_path) -> None:
    """Windows-1252 lines beyond the start of a UTF-8 file: counted over the whole file."""
    lines = [line.encode() for line in _attendance_lines(20_000)]
    for i in (3, 12_000, 15_000):
        lines[i] = lines[i].decode().encode("cp1252")
    data = b"\n".join(lines) + b"\n"
    by_bytes, by_path = _plans(store, tmp_path, data, "mixed.csv", "attendance")
    _same(by_bytes, by_path)
    assert by_bytes.rejected == []
    assert by_bytes.warnings[0].startswith(
        "3 lines are not UTF-8 like the rest of the file and were read as Windows-1252 "
        "(lines 4, 12,001 and 15,001)"
    )
    service.commit(store, by_path)
    assert _attendance_rows(store) == len({(i % 97, i % 60) for i in range(20_000)})


def test_a_windows_1252_file_is_still_read_as_windows_1252() -> None:
    """Mostly Windows-1252 (no UTF-8 line with accents): the whole file, as before."""
    data = "Name,Team\nRenée,Café\nZoë,Thé\n".encode("cp1252")
    table = service.preview(data, "sheet.csv")
    assert table.detection.encoding == "cp1252" and table.warnings == []
    assert table.frame["Name"].tolist() == ["Renée", "Zoë"]


# --- ragged rows -------------------------------------------------------------------------------


def test_ragged_rows_are_rejected_with_their_numbers(store) -> None:
    """Rows with cells beyond the header are listed; short rows (Excel drops trailing empty
    cells) are padded; the other rows import."""
    data = csv_bytes(
        f"Email,{APPLY},Comment",
        "ann@example.org,Agree,fine",
        "bob@example.org,Agree,great, really",  # an unquoted comma: 4 cells
        "cy@example.org,Disagree",  # short: the comment is empty
        "di@example.org,Agree,ok,,",  # trailing empty cells: not ragged
        "ed@example.org,Agree,a,b,c",
        *(f"p{i}@example.org,Agree,ok" for i in range(5)),
    )
    table = service.preview(data, "ragged.csv")
    assert table.columns == ["Email", APPLY, "Comment"]
    assert table.dropped_rows == [
        (3, "4 cells where the header has 3"),
        (6, "5 cells where the header has 3"),
    ]
    assert table.warnings == [
        "2 lines have more cells than the header (lines 3 and 6) and are not imported: "
        "a comma inside a cell may lack its quotes."
    ]
    assert table.frame["Comment"].tolist()[:3] == ["fine", None, "ok"]
    plan = service.prepare(
        store,
        data,
        "ragged.csv",
        mapped_profile(store, data, "ragged.csv", "survey"),
        Link(new_cohort=cohort("R"), wave="post"),
    )
    assert sorted(plan.rejected) == table.dropped_rows
    assert (plan.rows_read, plan.rows_accepted) == (10, 8)
    assert plan.warnings == table.warnings
    import_id = service.commit(store, plan, accept_partial=True)
    keys = {r[0] for r in rows(store, "SELECT person_key FROM survey_responses")}
    people = ["ann", "cy", "di", *(f"p{i}" for i in range(5))]
    assert keys == {key_of(store, EMAIL, f"{p}@example.org") for p in people}
    assert rows(store, "SELECT rows_rejected FROM imports WHERE import_id = ?", [import_id]) == [
        (2,)
    ]


def test_ragged_rows_in_a_large_attendance_file_agree_both_ways(store, tmp_path) -> None:
    """DuckDB's reader stops at a ragged row; the decoder lists it, from disk as from bytes."""
    lines = _attendance_lines(20_000)
    for i in (7, 10_000):
        lines[i] += ";extra"
    data = csv_bytes(*lines)
    by_bytes, by_path = _plans(store, tmp_path, data, "ragged.csv", "attendance")
    _same(by_bytes, by_path)
    assert sorted(by_bytes.rejected) == [
        (8, "5 cells where the header has 4"),
        (10_001, "5 cells where the header has 4"),
    ]
    assert by_bytes.rows_read == 20_000 and by_bytes.rows_accepted == 19_998


# --- headers -----------------------------------------------------------------------------------


def test_duplicate_and_empty_headers_import(store) -> None:
    """Two columns with one question, one without a name: three items, none lost."""
    data = csv_bytes(
        f"Email,{APPLY},{APPLY},,Comment",
        "ann@example.org,Agree,Disagree,note one,fine",
        "bob@example.org,Strongly agree,Agree,note two,",
    )
    table = service.preview(data, "dups.csv")
    assert table.columns == ["Email", APPLY, f"{APPLY} (2)", "Column 4", "Comment"]
    import_id = import_bytes(
        store, data, "dups.csv", Link(new_cohort=cohort("D"), wave="post"), accept_partial=False
    )
    values = rows(
        store,
        "SELECT i.text, a.value FROM survey_answers a JOIN survey_items i USING (item_id) "
        "WHERE a.import_id = ? AND a.value IS NOT NULL ORDER BY 1, 2",
        [import_id],
    )
    assert values == [
        (APPLY, 4.0),
        (APPLY, 5.0),
        (f"{APPLY} (2)", 2.0),
        (f"{APPLY} (2)", 4.0),
    ]


def test_headers_named_like_the_importers_own_columns_are_data(store) -> None:
    """A file's `_row` or `_COHORT` column cannot overwrite the row numbers or the cohort."""
    data = csv_bytes(
        f"_row,_COHORT,Email,{APPLY}",
        "first note,nonsense,ann@example.org,Agree",
        "second note,nonsense,bob@example.org,Disagree",
    )
    table = service.preview(data, "reserved.csv")
    assert table.columns == ["_row (2)", "_COHORT (2)", "Email", APPLY]
    assert all(c.casefold() not in RESERVED for c in table.columns)
    plan = service.prepare(
        store,
        data,
        "reserved.csv",
        mapped_profile(store, data, "reserved.csv", "survey"),
        Link(new_cohort=cohort("Reserved"), wave="post"),
    )
    assert plan.rejected == [] and plan.rows_accepted == 2
    service.commit(store, plan)
    got = rows(store, "SELECT count(DISTINCT cohort_id), count(*) FROM survey_responses")
    assert got == [(1, 2)]


# --- very wide tables --------------------------------------------------------------------------


def _wide(columns: int, rows_: int, delimiter: str = ",", trailing: int = 0) -> bytes:
    header = delimiter.join(
        ["Email", *(f"How much did part {i} of the course help you?" for i in range(columns - 1))]
    )
    lines = [header + delimiter * trailing]
    for r in range(rows_):
        cells = [f"p{r}@example.org", *(str((r + i) % 5 + 1) for i in range(columns - 1))]
        lines.append(delimiter.join(cells) + delimiter * trailing)
    return csv_bytes(*lines)


def test_a_table_wider_than_the_limit_is_refused_with_the_limit(tmp_path) -> None:
    """10,000 columns: refused in one line naming the limit, from bytes and from disk."""
    data = _wide(10_000, 3)
    message = f"This table has 10,000 columns; the importer takes at most {MAX_COLUMNS:,}."
    with pytest.raises(UnreadableFile, match=message):
        service.preview(data, "wide.csv")
    path = tmp_path / "wide.csv"
    path.write_bytes(data)
    with pytest.raises(UnreadableFile, match=message):
        service.preview_file(path)


def test_a_table_at_the_limit_with_a_long_header_imports_every_row(store, tmp_path) -> None:
    """2,000 semicolon-separated columns, a header longer than the 64 KB detection sample:
    the delimiter is still found and every row is read, not 0."""
    data = _wide(MAX_COLUMNS, 30, ";")
    assert data.index(b"\n") > 65536
    table = service.preview(data, "wide.csv")
    assert (table.detection.delimiter, len(table.columns), table.n_rows) == (";", 2_000, 30)
    by_bytes, by_path = _plans(store, tmp_path, data, "wide.csv", "survey")
    _same(by_bytes, by_path)
    assert (by_bytes.rows_read, by_bytes.rows_accepted) == (30, 30)
    assert by_bytes.counts()["survey_answers"] == 30 * 1_999


def test_thousands_of_trailing_empty_columns_are_not_columns() -> None:
    """A sheet saved with 16,000 trailing delimiters on every line has its 3 columns."""
    data = _wide(3, 20, trailing=16_000)
    table = service.preview(data, "padded.csv")
    assert len(table.columns) == 3 and table.n_rows == 20 and table.warnings == []


# --- unknown kind ------------------------------------------------------------------------------

HOSTILE = [
    '=HYPERLINK("http://x")',
    "<script>alert(1)</script>",
    "**bold** [link](http://example.org) :red[x]",
    "_row",
    "Column 2",
    "",
    "Robert'); DROP TABLE cohorts;--",
    'a "quoted" name',
    "e\u0301",
    "É",
    "é",
]


@pytest.mark.parametrize(
    "header",
    [["email", "comment"], HOSTILE],
    ids=["email-comment", "hostile"],
)
def test_a_file_whose_kind_cannot_be_decided_gets_a_preview(store, header) -> None:
    """The preview and the proposals work; the kind is left to the person."""
    line = ",".join('"' + h.replace('"', '""') + '"' for h in header)
    data = csv_bytes(line, *(",".join(str(r * c) for c in range(len(header))) for r in range(4)))
    table = service.preview(data, "odd.csv")
    assert table.detection.kind == "unknown" and table.n_rows == 4
    assert len({c.casefold() for c in table.columns}) == len(header)
    proposals, _ = service.propose(store, table)
    assert [p.column for p in proposals] == table.columns


# --- no rows -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "lines"),
    [
        ("survey", [f"Email,{APPLY}"]),
        ("survey", [f"Email,{APPLY}", "", ",", ""]),
        ("attendance", ["Email;Name;Session date;Duration (Minutes)"]),
        ("attendance", ["Email;Name;Session date;Duration (Minutes)", ";;;", ""]),
    ],
    ids=["survey", "survey-blank-lines", "attendance", "attendance-blank-lines"],
)
def test_a_header_without_rows_is_refused_in_one_line(store, tmp_path, kind, lines) -> None:
    """A header alone (or blank lines under it) is refused, from bytes and from disk, and
    nothing is written: never an import of 0 rows."""
    data = csv_bytes(*lines)
    path = tmp_path / "empty.csv"
    path.write_bytes(data)
    profile = mapped_profile(store, data, "empty.csv", kind)
    link = Link(new_cohort=cohort("Empty"), wave="post")
    head, whole = service.preview_file(path)
    before = store.row_counts()
    for prepare in (
        lambda: service.prepare(store, data, "empty.csv", profile, link),
        lambda: service.prepare(store, whole, "empty.csv", profile, link, path=path, head=head),
    ):
        with pytest.raises(ImportRefused, match=r"^the file has no rows of data under its header$"):
            prepare()
    assert store.row_counts() == before


# --- dates that are not dates ------------------------------------------------------------------


def test_a_cell_read_with_a_stray_time_zone_is_an_unreadable_date(store) -> None:
    """'13/01/2025;2025-01-13' parses as a time with an offset: that row's date is unreadable
    (listed), and the column's real dates still read: the column is not refused whole."""
    data = csv_bytes(
        f"Email,Submitted,{APPLY}",
        "ann@example.org,13/01/2025,Agree",
        "bob@example.org,13/01/2025;2025-01-13,Agree",
        "cy@example.org,14/01/2025 10:00,Disagree",
    )
    plan = service.prepare(
        store,
        data,
        "dates.csv",
        mapped_profile(store, data, "dates.csv", "survey"),
        Link(new_cohort=cohort("Dates"), wave="post"),
    )
    assert plan.rejected == [(3, "Submitted: unreadable date")]
    service.commit(store, plan, accept_partial=True)
    got = rows(store, "SELECT submitted_at FROM survey_responses ORDER BY 1")
    assert got == [(datetime(2025, 1, 13),), (datetime(2025, 1, 14, 10),)]
