"""`python -m analysis import`: one JSON object, one-line errors, and hands off a busy database."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest

from analysis import cli
from tests.conftest import EXPORTS, ROOT, database_held_elsewhere

ZOOM = EXPORTS / "zoom" / "participants_heroes_full.csv"
NEW_COHORT = [
    "--cohort",
    "Zoom pilot",
    "--program",
    "Feedback",
    "--variant",
    "pilot_team",
    "--start",
    "2021-11-01",
    "--end",
    "2021-12-20",
    "--sessions",
    "6",
]


def _run(*args: str, db, secret) -> subprocess.CompletedProcess:
    env = {**os.environ, "FORMATFIT_DB": str(db), "FORMATFIT_SECRET_FILE": str(secret)}
    return subprocess.run(
        [sys.executable, "-m", "analysis", "import", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_dry_run_prints_one_json_object_and_writes_nothing(tmp_path):
    """Detection, every column's role, and the rows it would take; the database stays empty."""
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    out = _run(str(ZOOM), *NEW_COHORT, "--dry-run", db=db, secret=secret)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["tool"], report["encoding"], report["header_rows"]) == ("zoom", "utf-8", 1)
    roles = {c["column"]: c["role"] for c in report["columns"]}
    assert roles["User Email"] == "person_email"
    assert roles["Join Time"] == "join_time"
    assert (report["rows_read"], report["rows_rejected"], report["imported"]) == (31, 0, False)
    assert report["writes"]["attendance"] == 27
    from analysis.store import Store

    store = Store(db)
    assert store.row_counts()["attendance"] == 0
    store.close()


def test_import_then_the_same_file_again_adds_nothing(tmp_path):
    """The second run reports the first import and imports nothing."""
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    first = json.loads(_run(str(ZOOM), *NEW_COHORT, db=db, secret=secret).stdout)
    assert first["imported"] and first["import_id"] == 1
    again = json.loads(_run(str(ZOOM), *NEW_COHORT, db=db, secret=secret).stdout)
    assert again["imported"] is False and again["duplicate_of"] == 1


def test_unreadable_input_is_one_line_without_traceback(tmp_path):
    """Random bytes: exit 1, one line on stderr, no Python traceback."""
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 40)
    out = _run(str(junk), db=tmp_path / "db.duckdb", secret=tmp_path / "key")
    assert out.returncode == 1
    assert out.stderr.startswith("error: ") and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


def test_a_database_held_by_the_app_is_left_alone(tmp_path):
    """The app holds the file (read-only between its writes): an import from the command line
    cannot write it, so it exits 3 at once with one line, and nothing changes."""
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    with database_held_elsewhere(db, mode="shared"):
        out = _run(str(ZOOM), *NEW_COHORT, db=db, secret=secret)
        assert out.returncode == 3
        assert "in use by another process" in out.stderr and out.stderr.count("\n") == 1
    from analysis.store import Store

    store = Store(db)
    assert store.imports().empty
    store.close()


def test_a_script_imports_the_next_file_into_the_cohort_the_json_names(tmp_path):
    """The JSON names the cohort it created (also on a dry run) or used, so a script can pass
    it on: the enrolment list, with its groups and whether they work together, lands in the
    Zoom report's cohort."""
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    dry = json.loads(_run(str(ZOOM), *NEW_COHORT, "--dry-run", db=db, secret=secret).stdout)
    first = json.loads(_run(str(ZOOM), *NEW_COHORT, db=db, secret=secret).stdout)
    assert first["cohort_id"] == dry["cohort_id"] and first["cohort_id"].startswith("c-")
    assert (dry["cohort_created"], first["cohort_created"]) == (False, True)
    enrolments = tmp_path / "enrolments.csv"
    enrolments.write_text(
        "Email,Group,Works together\nann@example.org,Trio A,yes\nbob@example.org,Trio B,no\n"
    )
    out = _run(
        str(enrolments), "--kind", "enrolment", "--cohort", first["cohort_id"], db=db, secret=secret
    )
    second = json.loads(out.stdout)
    assert (second["cohort_id"], second["cohort_created"]) == (first["cohort_id"], False)
    roles = {c["column"]: c["role"] for c in second["columns"]}
    assert roles["Works together"] == "works_together"
    from analysis.store import Store

    store = Store(db)
    try:
        cohorts = store.query("SELECT cohort_id FROM cohorts")["cohort_id"].tolist()
        groups = store.query(
            "SELECT name, works_together FROM current_groups WHERE cohort_id = $c ORDER BY name",
            {"c": first["cohort_id"]},
        )
    finally:
        store.close()
    assert cohorts == [first["cohort_id"]]
    assert groups.to_dict("list") == {
        "name": ["Trio A", "Trio B", "Zoom pilot"],
        "works_together": [True, False, None],
    }


def _readme_dry_run() -> list[str]:
    """The dry-run example of the README's command-line section, as words."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for line in readme.splitlines() if "-m analysis import" in line]
    (line,) = [line for line in lines if "--dry-run" in line]
    return shlex.split(line)


def test_the_readme_dry_run_answers_on_a_file_built_here(tmp_path):
    """Exactly the README's command, on a survey it names but gives no cohort: exit 0, the
    detection, every column's role, and what an import still needs; nothing is written."""
    words = _readme_dry_run()
    assert words[0].endswith("python") and words[1:4] == ["-m", "analysis", "import"]
    (tmp_path / words[4]).write_text(
        "Email,Submitted,I have applied what I learned at work,Any comments?\n"
        "ann@example.org,2025-04-01,Agree,Fine\n"
        "bob@example.org,2025-04-02,Disagree,\n",
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FORMATFIT_DB": str(tmp_path / "db.duckdb"),
        "FORMATFIT_SECRET_FILE": str(tmp_path / "key"),
    }
    out = subprocess.run(
        [sys.executable, *words[1:]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["tool"], report["encoding"], report["delimiter"]) == ("generic", "utf-8", ",")
    assert (report["header_rows"], report["kind"], report["needs"]) == (1, "survey", ["cohort"])
    roles = {c["column"]: c["role"] for c in report["columns"]}
    assert roles == {
        "Email": "person_email",
        "Submitted": "date",
        "I have applied what I learned at work": "application",
        "Any comments?": "comment",
    }
    assert report["imported"] is False and report["warnings"] == []
    from analysis.store import Store

    store = Store(tmp_path / "db.duckdb")
    assert store.imports().empty
    store.close()


# Headers that say nothing of what the file holds, the second set hostile (a formula, markup,
# SQL, the importer's own column name, an empty and two look-alike names); the SQL header
# reads as a cohort column, so only the kind is missing there.
UNDECIDED = {
    "email-comment": (["email", "comment"], ["cohort", "kind"]),
    "hostile": (
        [
            '=HYPERLINK("http://x")',
            "<script>alert(1)</script>",
            "_row",
            "",
            "Robert'); DROP TABLE cohorts;--",
            'a "quoted" name',
            "É",
            "é",
        ],
        ["kind"],
    ),
}


@pytest.mark.parametrize(("header", "needs"), UNDECIDED.values(), ids=UNDECIDED.keys())
def test_a_file_of_undecided_kind_is_previewed_and_asks_for_the_kind(tmp_path, header, needs):
    """The dry run says kind "unknown", lists every column and what is needed; an import exits
    1 in one line naming --kind, and writes nothing."""
    path = tmp_path / "notes.csv"
    line = ",".join('"' + h.replace('"', '""') + '"' for h in header)
    cells = [",".join(str(r * c) for c in range(len(header))) for r in range(3)]
    if header[0] == "email":
        cells = [f"p{r}@example.org,fine" for r in range(3)]
    path.write_text("\n".join([line, *cells]) + "\n", encoding="utf-8")
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    dry = _run(str(path), "--dry-run", db=db, secret=secret)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert (report["kind"], report["needs"]) == ("unknown", needs)
    assert len(report["columns"]) == len(header)
    assert report["imported"] is False and "rows_accepted" not in report
    out = _run(str(path), *NEW_COHORT, db=db, secret=secret)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.startswith("error: missing --kind (what the file holds could not be decided")
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    from analysis.store import Store

    store = Store(db)
    assert store.imports().empty
    store.close()


def test_a_dry_run_says_why_an_import_would_be_refused(tmp_path):
    """A people list without department, team, role or manager: refused, said in the JSON."""
    path = tmp_path / "people.csv"
    path.write_text("Email,Name\nann@example.org,Ann\n", encoding="utf-8")
    db, secret = tmp_path / "db.duckdb", tmp_path / "key"
    dry = _run(str(path), "--kind", "roster", "--dry-run", db=db, secret=secret)
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert report["needs"] == [] and report["refused"].startswith("a people list needs")
    out = _run(str(path), "--kind", "roster", db=db, secret=secret)
    assert out.returncode == 1 and out.stderr.startswith("error: a people list needs")


def test_reading_warnings_are_in_the_json(tmp_path):
    """NUL bytes and a ragged row: counted in `warnings`, the row in `rejected` with its line."""
    path = tmp_path / "zoom.csv"
    data = ZOOM.read_bytes().rstrip(b"\r\n").replace(b"@", b"@\x00", 2)
    path.write_bytes(data + b"\nextra,1,2,3,4,5,6,7,8\n")
    out = _run(str(path), *NEW_COHORT, "--dry-run", db=tmp_path / "db", secret=tmp_path / "k")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["warnings"][0].startswith("Removed 2 NUL bytes")
    assert "more cells than the header" in report["warnings"][1]
    assert report["rejected"][-1]["reason"].endswith("cells where the header has 7")


def test_an_internal_error_is_one_line_too(tmp_path, monkeypatch, capsys):
    """A defect while planning (not the file's fault) is still one line on stderr, exit 1."""
    path = tmp_path / "survey.csv"
    path.write_text("Email,Any comments?\nann@example.org,fine\n", encoding="utf-8")
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "key"))

    def broken(*args, **kwargs):
        raise RuntimeError("a\nmulti-line   detail")

    monkeypatch.setattr(cli.service, "prepare", broken)
    argv = ["import", str(path), *NEW_COHORT, "--kind", "survey", "--db", str(tmp_path / "db")]
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err == "error: survey.csv could not be imported (RuntimeError: a multi-line detail)\n"


def test_an_import_does_not_load_the_comparison_models(tmp_path):
    """statsmodels and scipy (about 1.5 s to load) are for compare and claims only: a script
    importing thirty files waits for them thirty times otherwise."""
    env = {**os.environ, "FORMATFIT_SECRET_FILE": str(tmp_path / "key")}
    code = (
        "import sys\n"
        "from analysis import cli\n"
        f"assert cli.main(['import', {str(ZOOM)!r}, *{NEW_COHORT!r}, "
        f"'--db', {str(tmp_path / 'db.duckdb')!r}]) == 0\n"
        "print(sorted(m for m in ('statsmodels', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
