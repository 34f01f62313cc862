"""The held-out organisation (bench/heldout_org.py): effects drawn from a seed, the exports
imported and the claims judged through the command line, the verdicts held against the truth.

One seed runs end to end here (about a minute); bench/README.md ("Held-out organisation")
gives the tables of other seeds. The generator's own bookkeeping is checked on many seeds
without the command line.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from bench.heldout import expect, org, rules, score
from tests.conftest import ROOT

SEED = 14  # true, null, reversed and thin claims, and claim 5 confounded by department
VERDICTS = ("supported", "not_supported", "reversed", "not_enough_data")


def test_a_held_out_organisation_is_scored_through_the_command_line(tmp_path):
    """Every file imports through `python -m analysis import`, the table covers the ten claims,
    no verdict contradicts the drawn truth (exit 0), and nothing (the truth least of all) is
    printed before the scoring is done: the report comes in one piece at the end."""
    out = subprocess.run(
        [sys.executable, "bench/heldout_org.py", "--seed", str(SEED), "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith(f"Held-out organisation, seed {SEED}:")
    rows = re.findall(r"^\s+(\d+)  (.+?)\s{2,}(\w+)\s+(\w+)\s+(yes|miss)$", out.stdout, re.M)
    assert [int(r[0]) for r in rows] == list(range(1, 11))
    assert all(r[3] in VERDICTS for r in rows)
    results = json.loads((tmp_path / "results.json").read_text())
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert [r[3] for r in rows] == [c["verdict"] for c in results["claims"]]
    assert {c["kind"] for c in results["claims"]} == {"true", "null", "reversed", "thin"}
    assert truth["draw"]["confounded"] == 5
    assert all(i["rows_rejected"] == 0 and not i["unscaled"] for i in results["imports"])
    assert len(results["imports"]) == len(truth["files"]) == 33
    assert not list(tmp_path.glob("*.csv")), "without --keep the exports are removed"


@pytest.mark.parametrize("seed", range(1, 13))
def test_the_generator_agrees_with_its_own_draw(tmp_path, seed):
    """Each true or reversed claim's expected within-department difference has the drawn sign,
    every chance of applying is within bounds, and a confounded claim's pooled difference
    points against its within-department effect."""
    truth, _ = _generate(seed, tmp_path)
    assert truth["problems"] == []
    assert 2_000 <= truth["people"] <= 2_500 and 33 <= len(truth["files"]) <= 41
    c = truth["draw"]["confounded"]
    if c is not None:
        row = truth["expected"][c][0]
        assert row["pooled"] * row["within"] < 0 and abs(row["pooled"]) >= 8
    nulls = [
        r["within"]
        for claim, kind in truth["kinds"].items()
        if kind == "null" and claim not in (9, 10)  # their rows hold other claims' parts
        for r in truth["expected"][claim]
    ]
    assert all(abs(x) < 5 for x in nulls), nulls  # only the learning groups' own spread


def _generate(seed, tmp_path):
    from bench import heldout_org

    return heldout_org.generate(seed, tmp_path)


def test_the_match_rules():
    """What contradicts, what is a miss, what matches (bench/heldout/score.py)."""
    assert score.match("true", "supported") == "yes"
    assert score.match("true", "not_supported") == "miss"
    assert score.match("true", "reversed") == "CONTRADICTS"
    assert score.match("null", "supported") == "CONTRADICTS"
    assert score.match("null", "reversed") == "CONTRADICTS"
    assert score.match("reversed", "supported") == "CONTRADICTS"
    assert score.match("reversed", "not_supported") == "miss"
    assert score.match("thin", "not_supported") == "CONTRADICTS"
    assert score.match("null", "not_enough_data") == "CONTRADICTS"
    assert score.match("true", "not_supported", confounded=True) == "yes"
    assert score.match("true", "reversed", confounded=True) == "CONTRADICTS"


def test_claim_10_follows_its_parts_and_claim_1():
    """Thin when its item is missing, else reversed if a part is, else null if one is."""
    d = rules.Draw({**{c: "true" for c in rules.RULES}, 1: "null"}, {}, 0.0)
    assert rules.combined_kind(d, 10) == "null"
    d.kinds[1] = "reversed"
    assert rules.combined_kind(d, 10) == "reversed"
    d.kinds[10] = "thin"
    assert rules.combined_kind(d, 10) == "thin"
    assert set(expect.comparisons()) == set(rules.RULES) and len(org.PLANS) == 8
