"""The survey kit: forms built from its files (the CSV template for Google Forms, the Excel
template for Microsoft Forms, the Qualtrics TXT file), answered with synthetic answers and
exported in each tool's layout, import with every item on its role, its scale recognised and
the wave read from the wave question, with no mapping asked; `survey-kit --out` writes the kit."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from analysis import cli
from analysis.domain import READINESS_OPTIONS, WAVE_LABELS
from analysis.ingest import mapping_rules as R
from analysis.queries import Filters, run_query
from analysis.store import Store
from analysis.survey_kit import KIT_WAVES, WAVE_QUESTION, wave_items
from analysis.survey_kit.files import CSV_COLUMNS, kit_files, qualtrics_name
from tests.conftest import ROOT

DEPARTMENTS = ("Sales", "Finance", "Engineering")
ROLES = ("Engineer", "Analyst", "Team lead", "Designer")
SUBMITTED = datetime(2026, 3, 2, 9, 0)  # every export's answers: 2 March 2026 from 9:00


@dataclass(frozen=True)
class Question:
    """One question as a template file gives it: its text, its answers, and the meaning the
    CSV template says the import gives it."""

    text: str
    answers: tuple[str, ...]
    meaning: str


FILES = {f.name: f.data for f in kit_files()}
# The CSV template is the spec: wave -> question -> (meaning, scale).
SPEC: dict[str, dict[str, tuple[str, str]]] = {}
for _row in csv.DictReader(io.StringIO(FILES["survey-kit.csv"].decode("utf-8-sig"))):
    SPEC.setdefault(_row["wave"], {})[_row["question"]] = (_row["role"], _row["scale"])
ROLE_OF_LABEL = {label: role for role, label in R.ROLE_LABELS.items()}


def csv_template(wave: str) -> list[Question]:
    """The wave's questions as the CSV template lists them (answers joined with ' | ')."""
    rows = csv.DictReader(io.StringIO(FILES["survey-kit.csv"].decode("utf-8-sig")))
    return [
        Question(r["question"], tuple(a for a in r["options"].split(" | ") if a), r["role"])
        for r in rows
        if r["wave"] == wave
    ]


def xlsx_template(wave: str) -> list[Question]:
    """The wave's questions from its sheet of the Excel template (answers one per line)."""
    ws = openpyxl.load_workbook(io.BytesIO(FILES["survey-kit.xlsx"]))[WAVE_LABELS[wave]]
    head = [c.value for c in ws[1]]
    q, a, m = (head.index(h) for h in ("Question", "Answers", "Meaning"))
    return [
        Question(r[q], tuple((r[a] or "").splitlines()), r[m])
        for r in ws.iter_rows(min_row=2, values_only=True)
    ]


def qualtrics_template(wave: str) -> list[Question]:
    """The wave's questions from its Qualtrics Advanced TXT file (meaning: the CSV's)."""
    blocks = FILES[qualtrics_name(wave)].decode("utf-8").split("[[Question:")[1:]
    out = []
    for block in blocks:
        lines = [line for line in block.splitlines()[1:] if line]
        text = lines[0]
        answers = tuple(lines[2:]) if len(lines) > 1 and lines[1] == "[[Choices]]" else ()
        out.append(Question(text, answers, SPEC[wave][text][0]))
    return out


def _answer(q: Question, n: int) -> str:
    """Respondent n's answer: every answer of every question is chosen by someone."""
    if q.answers:
        return q.answers[(n + len(q.text)) % len(q.answers)]
    return {
        "E-mail": f"person{n}@example.org",
        "Department": DEPARTMENTS[n % len(DEPARTMENTS)],
        "Job role": ROLES[n % len(ROLES)],
    }.get(q.meaning, f"Respondent {n} says the sessions on topic {n * 7} were worth it.")


def google_forms_csv(wave: str, people: int, collect_email: bool = False) -> bytes:
    """Google Forms' CSV of a form built from the CSV template: Timestamp (M/D/YYYY H:MM:SS),
    the tool's Email Address column when it collects addresses (then the kit's e-mail question
    is deleted), the questions."""
    items = [q for q in csv_template(wave) if not (collect_email and q.meaning == "E-mail")]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        ["Timestamp", *(["Email Address"] if collect_email else []), *(q.text for q in items)]
    )
    for n in range(people):
        t = SUBMITTED + timedelta(minutes=n)
        stamp = f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}:{t.second:02d}"
        email = [f"person{n}@example.org"] if collect_email else []
        w.writerow([stamp, *email, *(_answer(q, n) for q in items)])
    return buf.getvalue().encode("utf-8")


def microsoft_forms_xlsx(wave: str, people: int) -> bytes:
    """Microsoft Forms' Excel download of a form built from the Excel template: Id, Start time,
    Completion time, Email ('anonymous'), Name (empty), then the questions."""
    items = xlsx_template(wave)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Id", "Start time", "Completion time", "Email", "Name", *(q.text for q in items)])
    for n in range(people):
        done = SUBMITTED + timedelta(minutes=n)
        start = done - timedelta(minutes=3)
        ws.append([n + 1, start, done, "anonymous", None, *(_answer(q, n) for q in items)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


QUALTRICS_META = (
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
)


def qualtrics_csv(wave: str, people: int) -> bytes:
    """Qualtrics' CSV with choice text of a survey imported from the kit's TXT file: 3 header
    rows (export tags, question text, ImportId JSON), the meta columns of an anonymous link
    (RecipientEmail empty), then Q1, Q2, …"""
    items = qualtrics_template(wave)
    tags = [m[0] for m in QUALTRICS_META] + [f"Q{k}" for k in range(1, len(items) + 1)]
    labels = [m[1] for m in QUALTRICS_META] + [q.text for q in items]
    ids = [m[2] for m in QUALTRICS_META] + [
        f"QID{k}" if q.answers else f"QID{k}_TEXT" for k, q in enumerate(items, start=1)
    ]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(tags)
    w.writerow(labels)
    w.writerow([json.dumps({"ImportId": i}) for i in ids])
    for n in range(people):
        end = SUBMITTED + timedelta(minutes=n)
        start = end - timedelta(minutes=3)
        meta = [
            f"{start:%Y-%m-%d %H:%M:%S}", f"{end:%Y-%m-%d %H:%M:%S}", "IP Address",
            f"192.0.2.{n + 1}", "100", "180", "True", f"{end:%Y-%m-%d %H:%M:%S}",
            f"R_kit{wave}{n:04d}", "", "", "", "", "46.9481", "7.4474", "anonymous", "EN",
        ]  # fmt: skip
        w.writerow([*meta, *(_answer(q, n) for q in items)])
    return buf.getvalue().encode("utf-8")


EXPORTS = {
    "google_forms": ("Kit responses.csv", google_forms_csv),
    "microsoft_forms": ("Kit responses.xlsx", microsoft_forms_xlsx),
    "qualtrics": ("Kit_March+2,+2026_09.00.csv", qualtrics_csv),
}


@pytest.fixture
def env(tmp_path, monkeypatch) -> Path:
    """A fresh database path, with its own hashing secret."""
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "secret.key"))
    return tmp_path / "kit.duckdb"


def _cohort_args(wave: str, name: str = "Kit cohort") -> list[str]:
    """A new cohort whose dates would derive another wave than `wave` from the submission dates
    (2 March 2026): the wave must come from the wave question."""
    start, end = (
        (date(2025, 9, 1), date(2025, 10, 1))
        if wave == "pre"
        else (date(2026, 6, 1), date(2026, 7, 1))
    )  # derived: 90 days after, or before
    return [
        "--cohort", name, "--program", "Feedback", "--variant", "book_club",
        "--start", start.isoformat(), "--end", end.isoformat(), "--sessions", "6",
    ]  # fmt: skip


def _import(capsys, db: Path, path: Path, *args: str) -> dict:
    """`python -m analysis import` in this process (the same pipeline), its JSON report."""
    code = cli.main(["import", str(path), *args, "--db", str(db)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


@pytest.mark.parametrize("wave", KIT_WAVES)
@pytest.mark.parametrize("tool", list(EXPORTS))
def test_each_tools_export_of_the_kit_imports_with_no_questions_asked(
    tool, wave, env, tmp_path, capsys
):
    """Every kit question lands on its role with its scale and no label to ask about; the
    tool's own columns are no survey item; the wave comes from the wave question, not from the
    dates; every response joins a person through the e-mail question."""
    people = 12
    name, build = EXPORTS[tool]
    path = tmp_path / name
    path.write_bytes(build(wave, people))
    report = _import(capsys, env, path, *_cohort_args(wave))
    assert (report["tool"], report["kind"], report["needs"]) == (tool, "survey", [])
    columns = report["columns"]
    by_question = {c["column"]: c for c in columns}
    spec = SPEC[wave]
    if tool == "qualtrics":  # the columns are Q1, Q2…; the question is the second header row
        items = {f"Q{k}": q.text for k, q in enumerate(qualtrics_template(wave), start=1)}
    else:
        items = {text: text for text in spec}
    assert sorted(items.values()) == sorted(spec)
    for column, text in items.items():
        got = by_question[column]
        meaning, scale = spec[text]
        want = (ROLE_OF_LABEL[meaning], scale or None, [])
        assert (got["role"], got["scale"], got["unknown_labels"]) == want, column
    others = [c for c in columns if c["column"] not in items]
    assert not [c for c in others if c["role"] in (*R.ITEM_ROLES, R.WAVE)]
    assert (report["rows_read"], report["rows_rejected"], report["imported"]) == (people, 0, True)

    store = Store(env, mode="read")
    try:
        waves = store.query("SELECT wave, count(*) AS n, count(person_key) AS people "
                            "FROM survey_responses GROUP BY wave")  # fmt: skip
        catalogue = store.query("SELECT text, role, scale FROM survey_items ORDER BY text")
        records = store.query("SELECT department, role, is_manager FROM person_records")
    finally:
        store.close()
    assert waves.to_dict("records") == [{"wave": wave, "n": people, "people": people}]
    want = sorted(
        (text, R.item_role(ROLE_OF_LABEL[meaning]), scale or "text")
        for text, (meaning, scale) in spec.items()
        if ROLE_OF_LABEL[meaning] in R.ITEM_ROLES
    )
    assert list(catalogue.itertuples(index=False, name=None)) == want
    assert len(records) == people
    assert set(records["department"]) == set(DEPARTMENTS)
    assert set(records["role"]) == set(ROLES)
    assert set(records["is_manager"]) == {True, False}


def test_google_forms_collecting_addresses_joins_people_without_the_email_question(
    env, tmp_path, capsys
):
    """With 'Collect email addresses' on and the e-mail question deleted, the tool's Email
    Address column joins each response to its person."""
    path = tmp_path / "Kit 30 days.csv"
    path.write_bytes(google_forms_csv("d30", 6, collect_email=True))
    report = _import(capsys, env, path, *_cohort_args("d30"))
    roles = {c["column"]: c["role"] for c in report["columns"]}
    assert roles["Email Address"] == R.PERSON_EMAIL and roles[WAVE_QUESTION] == R.WAVE
    store = Store(env, mode="read")
    try:
        got = store.query("SELECT wave, count(person_key) AS people FROM survey_responses "
                          "GROUP BY wave").to_dict("records")  # fmt: skip
    finally:
        store.close()
    assert got == [{"wave": "d30", "people": 6}]


def test_before_and_after_answers_meet_per_person(env, tmp_path, capsys):
    """The kit's before and right-after exports in one cohort: confidence is answered in both
    waves (claim 10's gain), and each respondent's relevance and motivation answers mark their
    application answers (claims 7 and 8), which needs the e-mail join across files."""
    people = 10
    pre, post = tmp_path / "before.csv", tmp_path / "after.xlsx"
    pre.write_bytes(google_forms_csv("pre", people))
    post.write_bytes(microsoft_forms_xlsx("post", people))
    first = _import(capsys, env, pre, *_cohort_args("pre", "Kit both"))
    _import(capsys, env, post, "--cohort", first["cohort_id"])
    store = Store(env, mode="read")
    try:
        confidence = store.query(
            "SELECT r.wave, count(*) AS n FROM survey_answers a "
            "JOIN survey_items i USING (item_id) JOIN survey_responses r USING (response_id) "
            "WHERE i.role = 'confidence' "
            "GROUP BY r.wave ORDER BY r.wave"
        ).to_dict("records")
        cells = run_query(store, "survey_cells_application", Filters())
    finally:
        store.close()
    assert confidence == [{"wave": "post", "n": people}, {"wave": "pre", "n": people}]
    post_cells = cells[cells["wave"] == "post"]
    assert post_cells["respondents"].sum() == people
    # Respondent n's answers to an agreement item: AGREE5[(n + len(key)) % 5], so who agrees
    # is known; relevance and motivation are asked in both waves with the same answers.
    relevance = next(q for q in csv_template("post") if q.meaning == "Relevance")
    motivation = next(q for q in csv_template("post") if q.meaning == "Motivation")
    agreed = {"Agree", "Strongly agree"}
    relevant = sum(_answer(relevance, n) in agreed for n in range(people))
    motivated = sum(_answer(motivation, n) in agreed for n in range(people))
    by_relevance = post_cells.groupby("relevance")["respondents"].sum().to_dict()
    by_motivation = post_cells.groupby("motivation")["respondents"].sum().to_dict()
    assert by_relevance == {"relevant": relevant, "not relevant": people - relevant}
    assert by_motivation == {"motivated": motivated, "not motivated": people - motivated}


def test_wave_names_in_a_wave_column_are_read(env, tmp_path, capsys):
    """A file whose 'Which survey is this?' holds every wave's name (one form for all waves)
    gives each row its own wave."""
    lines = [f"Timestamp,{WAVE_QUESTION},Your work e-mail address,"
             "I have used what I learned in my real work"]  # fmt: skip
    for n, wave in enumerate(KIT_WAVES):
        lines.append(f"3/2/2026 9:0{n}:00,{WAVE_LABELS[wave]},p{n}@example.org,Agree")
    path = tmp_path / "all waves.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _import(capsys, env, path, *_cohort_args("post"))
    store = Store(env, mode="read")
    try:
        got = store.query("SELECT wave FROM survey_responses ORDER BY submitted_at")["wave"]
    finally:
        store.close()
    assert got.tolist() == list(KIT_WAVES)


def test_the_kit_asks_what_the_product_needs():
    """Before: confidence, motivation, relevance; every follow-up: application, readiness with
    Thalheimer's six options, relevance, engagement, accountability, motivation, confidence;
    every wave: the wave question first, e-mail, department, role, one comment."""
    common = {R.WAVE, R.PERSON_EMAIL, R.DEPARTMENT, R.JOB_ROLE, R.MANAGER_FLAG, R.COMMENT}
    before = {R.CONFIDENCE, R.MOTIVATION, R.RELEVANCE}
    after = {
        R.APPLICATION, R.READINESS, R.RELEVANCE, R.ENGAGEMENT, R.ACCOUNTABILITY, R.MOTIVATION,
        R.CONFIDENCE,
    }  # fmt: skip
    for wave in KIT_WAVES:
        items = wave_items(wave)
        roles = [i.role for i in items]
        assert len(roles) == len(set(roles))
        assert set(roles) == common | (before if wave == "pre" else after)
        assert (items[0].question, items[0].options) == (WAVE_QUESTION, (WAVE_LABELS[wave],))
        assert [i.role for i in items if not i.required] == [R.COMMENT]
    readiness = next(i for i in wave_items("d60") if i.role == R.READINESS)
    assert readiness.options == READINESS_OPTIONS and len(readiness.options) == 6


@pytest.mark.parametrize("wave", KIT_WAVES)
def test_the_templates_and_the_qualtrics_file_ask_the_same(wave):
    """The CSV and Excel templates and the Qualtrics file list the wave's questions in order,
    with the same answers and (in the templates) the same meaning."""
    items = wave_items(wave)
    want = [(i.question, i.options) for i in items]
    for template in (csv_template, xlsx_template, qualtrics_template):
        assert [(q.text, q.answers) for q in template(wave)] == want, template.__name__
    meanings = [R.ROLE_LABELS[i.role] for i in items]
    assert [q.meaning for q in csv_template(wave)] == meanings
    assert [q.meaning for q in xlsx_template(wave)] == meanings


def test_survey_kit_out_writes_the_text_and_templates(tmp_path):
    """`python -m analysis survey-kit --out DIR`: one JSON object naming the files; the CSV has
    a row per wave and question, the Excel a sheet per wave, Qualtrics a file per wave."""
    out = tmp_path / "kit" / "files"
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "survey-kit", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    names = [f["name"] for f in report["files"]]
    assert names == [f.name for f in kit_files()]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert all((out / f["name"]).stat().st_size == f["bytes"] for f in report["files"])
    assert report["questions"] == {w: len(wave_items(w)) for w in KIT_WAVES}

    with (out / "survey-kit.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == sum(len(wave_items(w)) for w in KIT_WAVES)
    d90 = [r for r in rows if r["wave"] == "d90"]
    assert [r["question"] for r in d90] == [i.question for i in wave_items("d90")]
    assert d90[0]["options"] == "90 days after"

    wb = openpyxl.load_workbook(out / "survey-kit.xlsx")
    assert wb.sheetnames == ["Read me", *(WAVE_LABELS[w] for w in KIT_WAVES)]
    sheet = wb[WAVE_LABELS["pre"]]
    questions = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert questions == [i.question for i in wave_items("pre")]

    text = (out / "survey-kit.md").read_text(encoding="utf-8")
    for tool in ("Google Forms", "Microsoft Forms", "Qualtrics"):
        assert f"### {tool}" in text
    assert all(i.question in text for w in KIT_WAVES for i in wave_items(w))
    txt = (out / qualtrics_name("d30")).read_text(encoding="utf-8")
    assert txt.startswith("[[AdvancedFormat]]")
    assert txt.count("[[Question:") == len(wave_items("d30"))
    assert f"{WAVE_QUESTION}\n[[Choices]]\n30 days after\n" in txt


def test_survey_kit_out_that_cannot_be_written_is_one_line(tmp_path, capsys):
    """A folder that cannot be made: exit 1 and one line on stderr, no traceback."""
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    code = cli.main(["survey-kit", "--out", str(blocker / "kit")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1
