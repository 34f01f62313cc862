"""`python -m analysis compare` and `claims`: one JSON object (or list) of the documented shape."""

from __future__ import annotations

import json

import pytest

from tests.compare_orgs import Cohort, Group, Org, build, people, spread
from tests.conftest import database_held_elsewhere, run_cli

ARM_KEYS = {"label", "definition", "n", "rate", "low", "high", "status"}
TOP_KEYS = {
    "metric",
    "measure",
    "wave",
    "week",
    "unit",
    "a",
    "b",
    "difference",
    "p",
    "p_holm",
    "test",
    "cohens_h",
    "cohens_d",
    "cluster",
    "by_department",
    "simpson",
    "exceptions",
    "adjusted",
    "adjusted_note",
    "leads",
    "verdict",
    "words",
}


@pytest.fixture(scope="module")
def org_db(tmp_path_factory):
    """Book clubs applying 70%, reading alone 40%, two departments each."""
    path = tmp_path_factory.mktemp("cli") / "org.duckdb"
    clubs = people("A", 50, 35, manager=True) + people("B", 50, 35)
    alone = people("A", 50, 20) + people("B", 50, 20, manager=True)
    org = Org(
        [
            Cohort("book_club", spread(clubs, 5, together=True)),
            Cohort("self_study_alone", (Group(alone),)),
        ]
    )
    build(path, org).close()
    return path


def test_compare_prints_one_json_object_of_the_documented_shape(org_db):
    """Keys, arms, difference, cluster, departments and verdict as README.md documents."""
    out = run_cli(
        "compare",
        "--a",
        "variant=book_club",
        "--b",
        "variant=self_study_alone",
        "--metric",
        "application",
        "--wave",
        "d30",
        "--json",
        db=org_db,
    )
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert set(r) >= TOP_KEYS
    assert set(r["a"]) >= ARM_KEYS and set(r["b"]) >= ARM_KEYS
    assert (r["a"]["n"], r["a"]["rate"], r["b"]["n"], r["b"]["rate"]) == (100, 0.7, 100, 0.4)
    assert r["difference"]["points"] == pytest.approx(30)
    assert r["difference"]["low"] < 30 < r["difference"]["high"]
    assert r["test"] == "two-proportion z-test"
    assert set(r["cluster"]) >= {"groups_a", "groups_b", "icc", "low", "high"}
    assert r["cluster"]["groups_a"] == 20 and r["cluster"]["groups_b"] == 0
    assert r["by_department"] == [
        {"department": "A", "n_a": 50, "n_b": 50, "rate_a": 0.7, "rate_b": 0.4},
        {"department": "B", "n_a": 50, "n_b": 50, "rate_a": 0.7, "rate_b": 0.4},
    ]
    assert r["simpson"] is False
    assert r["adjusted"]["covariates"] == ["department", "leader"]
    assert r["verdict"] == "a_higher"
    assert r["words"].startswith("Book club: 30 points higher than reading / course alone (")


def test_compare_takes_narrowing_keys_and_every_metric(org_db):
    """KEY=VALUE pairs joined by commas narrow an arm; momentum takes --week."""
    out = run_cli(
        "compare",
        "--a",
        "variant=book_club,leader=yes",
        "--b",
        "variant=book_club,leader=no",
        "--json",
        db=org_db,
    )
    r = json.loads(out.stdout)
    assert (r["a"]["n"], r["b"]["n"]) == (50, 50)
    assert r["verdict"] == "no_clear_difference"
    for metric in ("engagement", "completion", "momentum", "confidence_gain"):
        out = run_cli(
            "compare",
            "--a",
            "variant=book_club",
            "--b",
            "variant=self_study_alone",
            "--metric",
            metric,
            "--week",
            "2",
            db=org_db,
        )
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["metric"] == metric


def test_compare_refuses_an_unknown_key_in_one_line(org_db):
    """A typo is one line on stderr and exit status 1."""
    out = run_cli("compare", "--a", "colour=blue", "--b", "variant=book_club", db=org_db)
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "error: unknown key 'colour' (one of format, variant, program, cohort, department, "
        "works_together, leader, relevant, motivated)"
    ]


def test_claims_prints_ten_claims(org_db):
    """Ten objects with claim, title, verdict, evidence and settle."""
    out = run_cli("claims", "--json", db=org_db)
    assert out.returncode == 0, out.stderr
    claims = json.loads(out.stdout)
    assert [c["claim"] for c in claims] == list(range(1, 11))
    for c in claims:
        assert set(c) == {"claim", "title", "verdict", "evidence", "settle"}
        assert c["verdict"] in ("supported", "not_supported", "reversed", "not_enough_data")
        assert c["settle"]
    by = {c["claim"]: c for c in claims}
    assert by[5]["verdict"] == "supported"
    assert by[3]["verdict"] == "not_enough_data"  # no pilot teams or org-wide cohorts


def test_read_commands_work_while_the_app_runs(org_db):
    """The app holds the file read-only between its writes: `claims` and `compare` read it
    meanwhile (derived tables the app has not built yet are computed inline), and the app's
    next write still goes through afterwards."""
    with database_held_elsewhere(org_db, mode="shared"):
        found = run_cli("claims", "--json", db=org_db)
        pair = run_cli("compare", "--a", "variant=book_club", "--b", "variant=self_study_alone",
                    "--metric", "engagement", "--json", db=org_db)  # fmt: skip
    assert found.returncode == 0, found.stderr
    assert [c["claim"] for c in json.loads(found.stdout)] == list(range(1, 11))
    assert pair.returncode == 0, pair.stderr
    assert json.loads(pair.stdout)["a"]["n"] == 100


def test_read_commands_wait_for_a_write_then_say_so(org_db):
    """While another process writes the file (an import from the command line), a read waits
    $FORMATFIT_BUSY_WAIT seconds, then exits 3 with one line."""
    with database_held_elsewhere(org_db):
        out = run_cli("claims", "--json", db=org_db, env={"FORMATFIT_BUSY_WAIT": "0.5"})
    assert out.returncode == 3
    assert len(out.stderr.strip().splitlines()) == 1
    assert "written by another process" in out.stderr and "try again" in out.stderr


def test_read_commands_on_a_missing_database_say_so(tmp_path):
    """No file at --db: one line naming it, exit 1, and no file is created."""
    out = run_cli("claims", "--json", db=tmp_path / "none.duckdb")
    assert out.returncode == 1 and "no database at" in out.stderr
    assert not (tmp_path / "none.duckdb").exists()
