"""Malformed CSV files through the whole import: preview, proposals, check, commit.

Hypothesis builds files the way real ones go wrong (any delimiter, quotes opened and never
closed, NUL bytes, lines in another encoding, ragged rows, empty and repeated headers, BOMs,
long cells, empty files, random binary) and runs them into one scratch database. Whatever the
file, the importer either refuses it with one of its own one-line errors, or imports exactly
the rows its plan accepted; a refusal leaves the database as it was.
"""

from __future__ import annotations

import codecs
import os
import random
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from analysis.ingest import mapping_rules as R
from analysis.ingest import service
from analysis.ingest.mapping import profile_from_proposals
from analysis.ingest.model import UnreadableFile
from analysis.ingest.plan import Link, NewCohort
from analysis.ingest.rows import ImportRefused
from analysis.store import Store
from tests.ingest_support import ALL_TABLES, rows

# At least 2,000 files in every run (CI included: nothing here skips); FUZZ_EXAMPLES adds more.
EXAMPLES = max(2_000, int(os.environ.get("FUZZ_EXAMPLES") or 0))
KINDS = (R.SURVEY, R.ATTENDANCE, R.LMS_LOG, R.ROSTER, R.ENROLMENT, R.GRADEBOOK)
COHORT = NewCohort(
    "Fuzz", "small_group", "book_club", date(2025, 1, 1), date(2025, 12, 31), 6, program_name="Fuzz"
)
# Headers a real export has (so files reach every kind's planning) and hostile ones.
HEADERS = (
    "Email", "E-mail", "Employee ID", "Name", "First name", "Last name", "Session date",
    "Join Time", "Leave Time", "Duration (Minutes)", "Submitted", "Timestamp", "Time",
    "How useful was it?", "I have applied what I learned at work", "Would you recommend it?",
    "Any comments?", "Department", "Team", "Manager", "Cohort", "Group", "Wave", "Completed",
    "Completion status", "Event name", "Action", "Score", "Response ID", "IP Address",
    "", " ", "_row", "_COHORT", "Column 2", "=SUM(A1)", "<b>x</b>", 'a "q" b', "Zoë?", "É", "é",
)  # fmt: skip
VALUES = (
    "p0@example.org", "p1@example.org", "P1@Example.org ", "p2@example.org", "E123", "Ann Lee",
    "2025-01-06", "06/01/2025", "1/6/2025 10:00 AM", "06.01.2025 09:00", "2025-02-30",
    "2025-03-01T10:00:00Z", "30", "12,5", "-3", "1e9", "Agree", "Strongly agree", "Disagree",
    "Yes", "no", "N/A", "Kind of", "Joined", "Left", "Course completed", "completed", "pilot",
    "d30", "", " ", "Zoë Weiß", "Łukasz", "🙂", "=1+1", "a,b;c\td|e", 'say "hi"', "line\nbreak",
    "nul\x00here", "\u202eevil", "Total",
)  # fmt: skip
EMAILS = ("p0@example.org", "p1@example.org", "P1@Example.org ", "p2@example.org", "p3@x.org")
DATES = ("2025-01-06", "06/01/2025", "1/6/2025 10:00 AM", "06.01.2025 09:00", "2025-03-01 10:00")
# Real exports' columns, so that most files get as far as a plan (then the rows go wrong).
TEMPLATES = (
    ("Email", "Submitted", "I have applied what I learned at work", "How useful was it?",
     "Any comments?"),
    ("Email", "Name", "Session date", "Duration (Minutes)"),
    ("Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)"),
    ("Time", "User full name", "Email", "Event name"),
    ("Email", "Group", "Completed", "Completion status"),
    ("Email", "Department", "Team", "Manager"),
)  # fmt: skip
POOLS = {
    "Email": EMAILS, "User Email": EMAILS, "Submitted": DATES, "Session date": DATES,
    "Join Time": DATES, "Leave Time": DATES, "Time": DATES, "Completed": DATES,
    "I have applied what I learned at work": ("Agree", "Strongly agree", "Disagree", "N/A"),
    "How useful was it?": ("Very", "Not at all", "4", "5"),
    "Duration (Minutes)": ("30", "12,5", "45", "-3"), "Group": ("Trio A", "Trio B", ""),
    "Completion status": ("completed", "incomplete", "Yes"), "Department": ("Sales", "IT"),
    "Event name": ("Course completed", "Course viewed"), "Manager": ("Yes", "No"),
}  # fmt: skip
DELIMITERS = (",", ";", "\t", "|")
NEWLINES = ("\n", "\r\n", "\r")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252", "mac_roman")


WAYS = ("plain",) * 6 + ("quoted",) * 3 + ("unclosed", "stray")
RAGGED = (0,) * 12 + (-1, 1, 2)
# Characters for cells made up on the spot: delimiters, quotes, line breaks, accents, controls.
CHARACTERS = ",;\t|\"'\n\r ab1.-/:@éßŁ€“”\x01\x7f\ufeff\u2028🙂"


def _render(value: str, how: str) -> str:
    """A cell as a writer would put it (quoted), or broken: a quote opened, or a stray one."""
    if how == "quoted":
        return '"' + value.replace('"', '""') + '"'
    return {"unclosed": '"' + value, "stray": value + '"'}.get(how, value)


def _row(rnd: random.Random, header: list[str]) -> list[str]:
    """One row: values that fit the header mostly, sometimes more or fewer cells (ragged)."""
    n = max(0, len(header) + rnd.choice((*RAGGED, -len(header))))
    out = []
    for i in range(n):
        pool = POOLS.get(header[i], VALUES) if i < len(header) else VALUES
        roll = rnd.random()
        if roll < 0.7:
            value = rnd.choice(pool)
        elif roll < 0.9:
            value = rnd.choice(VALUES)
        else:
            value = "".join(rnd.choice(CHARACTERS) for _ in range(rnd.randint(0, 12)))
        out.append(_render(value, rnd.choice(WAYS)))
    return out


def _header(rnd: random.Random, template: tuple[str, ...] | None, width: int) -> list[str]:
    """A real export's header, now and then with a column renamed, repeated or left blank."""
    if template is None:
        return [rnd.choice(HEADERS) for _ in range(width)]
    header = list(template)
    if rnd.random() < 0.3:
        header[rnd.randrange(len(header))] = rnd.choice(HEADERS)
    if rnd.random() < 0.1:
        header.append(rnd.choice(header))
    return header


@st.composite
def malformed_csv(draw) -> bytes:
    """A CSV-like file, built as text and encoded (line by line for mixed encodings), then hurt.

    Hypothesis draws the shape (delimiter, line breaks, size, encodings, what goes wrong), which
    it shrinks; the cells come from a seeded generator, which keeps 2,000 examples quick to draw.
    """
    if draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=600))  # random binary
    rnd = random.Random(draw(st.integers(0, 2**32)))
    delimiter, newline = draw(st.sampled_from(DELIMITERS)), draw(st.sampled_from(NEWLINES))
    template = draw(st.sampled_from((None, *TEMPLATES, *TEMPLATES)))
    header = _header(rnd, template, draw(st.integers(1, 6)))
    lines = [delimiter.join(_render(h, rnd.choice(WAYS[:9])) for h in header)]
    lines += [delimiter.join(_row(rnd, header)) for _ in range(draw(st.integers(0, 8)))]
    if draw(st.booleans()):
        lines.insert(0, rnd.choice(("Export of 2025", "", "a,b", "#")))
    encoding = draw(st.sampled_from(ENCODINGS))
    other = draw(st.sampled_from((None, None, "cp1252", "mac_roman", "latin-1")))
    parts = []
    for i, line in enumerate(lines):
        enc = other if other and i and rnd.random() < 0.5 else encoding
        raw = (line + newline).encode(enc, errors="replace")
        parts.append(raw.removeprefix(codecs.BOM_UTF8).removeprefix(codecs.BOM_UTF16_LE))
    data = b"".join(parts)
    if encoding == "utf-8-sig":
        data = codecs.BOM_UTF8 + data
    elif encoding == "utf-16":
        data = codecs.BOM_UTF16_LE + data
    for _ in range(draw(st.integers(0, 3))):  # NUL bytes anywhere
        at = rnd.randint(0, len(data))
        data = data[:at] + b"\x00" + data[at:]
    if draw(st.integers(0, 19)) == 0:  # a long cell, past the 64 KB detection sample
        data += b'x,"' + b"y" * rnd.randint(60_000, 150_000) + b'"' + newline.encode()
    if draw(st.integers(0, 9)) == 0:  # cut off anywhere
        data = data[: rnd.randint(0, len(data))]
    return data


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    """One scratch database for every example (its secret file beside it)."""
    store = Store(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb")
    yield store
    store.close()


def _counts(store: Store, import_id: int | None = None) -> dict[str, int]:
    """Rows per table (only the given import's, when one is given)."""
    where = "" if import_id is None else f" WHERE import_id = {int(import_id)}"
    sql = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}{where}" for t in ALL_TABLES)
    return dict(rows(store, sql))


def _check(message: str) -> None:
    """The importer's own refusals: one line, and never an internal error it had to catch."""
    assert message and "\n" not in message, message
    assert "could not be read (" not in message, message


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=malformed_csv(), kind=st.sampled_from((None, *KINDS)), wave=st.booleans())
def _import_one(store: Store, seen: list[int], data: bytes, kind: str | None, wave: bool) -> None:
    """No unhandled exception; refused: the database unchanged; else exactly the plan's rows."""
    seen.append(len(data))
    try:
        table = service.preview(data, "fuzz.csv")
    except UnreadableFile as exc:
        _check(str(exc))
        event("refused at the preview")
        return  # nothing was opened for writing
    before, version = _counts(store), store.dataset_version()
    proposals, _ = service.propose(store, table)
    kind = kind or table.detection.kind
    kind = R.SURVEY if kind == R.UNKNOWN else kind  # the person answers the page's question
    profile = profile_from_proposals("fuzz", table.detection.tool, kind, proposals)
    link = Link(new_cohort=COHORT, wave="post" if wave else None)
    try:
        plan = service.prepare(store, data, "fuzz.csv", profile, link, head=table)
        import_id = service.commit(store, plan, accept_partial=True)
    except (UnreadableFile, ImportRefused, service.AlreadyImported, service.NothingToImport) as exc:
        _check(str(exc))
        assert _counts(store) == before and store.dataset_version() == version
        event(f"refused: {type(exc).__name__}")
        return
    event(f"imported: {plan.kind}, {'some' if plan.rows_accepted else 'no'} rows accepted")
    after, mine = _counts(store), _counts(store, import_id)
    written = {name: plan.counts().get(name, 0) for name in ALL_TABLES[1:]}
    assert after["imports"] == before["imports"] + 1 and mine["imports"] == 1
    assert {name: after[name] - before[name] for name in written} == written
    assert {name: mine[name] for name in written} == written
    assert store.dataset_version() != version


def test_malformed_files_import_exactly_their_accepted_rows_or_nothing(fuzz_store) -> None:
    """At least EXAMPLES generated files, each refused in one line or imported exactly."""
    seen: list[int] = []
    _import_one(fuzz_store, seen)
    assert len(seen) >= EXAMPLES, f"only {len(seen)} files were tried"
