"""Import the held-out organisation's files through the real command line, score the claims.

Every file goes through `python -m analysis import` in its own process, as a person's script
would run it; the claims come from `python -m analysis claims --json` and a few pairs from
`python -m analysis compare … --json`. A verdict is then held against the drawn truth:
- true: `supported` matches, `not_supported` is a miss (too little power), `reversed`
  contradicts;
- null: `not_supported` matches, `supported` or `reversed` contradicts;
- reversed: `reversed` matches, `not_supported` is a miss, `supported` contradicts;
- thin: `not_enough_data` matches, anything else contradicts;
- and a claim that is not thin coming out `not_enough_data` contradicts too: the organisation
  holds enough people and items to decide it, so something lost them on the way.
A confounded claim (its pooled difference pointing against the within-department effect) is
held to its within-department truth, except that a true one is expected `not_supported`: the
verdict rule never supports a Simpson reversal.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from analysis.ingest.mapping_rules import RATED_ROLES

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {"true": "supported", "null": "not_supported", "reversed": "reversed",
            "thin": "not_enough_data"}  # fmt: skip
MISSES = {"true": {"not_supported"}, "reversed": {"not_supported"}}
COMPARE_VERDICT = {"a_higher": "supported", "b_higher": "reversed",
                   "no_clear_difference": "not_supported", "not_enough_data": "not_enough_data",
                   "suppressed": "not_enough_data"}  # fmt: skip


class CommandFailed(RuntimeError):
    """The command line exited with an error: the file or the options did not import."""


@dataclass
class Log:
    """What the command line said and how long it took."""

    imports: list[dict] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall clock
    cpu: dict[str, float] = field(default_factory=dict)  # the commands' CPU (user + system)

    def add_time(self, what: str, start: tuple[float, float]) -> None:
        """Add the wall and child CPU time since `start` (from `clock()`) to a step."""
        wall, cpu = clock()
        self.seconds[what] = self.seconds.get(what, 0.0) + wall - start[0]
        self.cpu[what] = self.cpu.get(what, 0.0) + cpu - start[1]


def clock() -> tuple[float, float]:
    """(wall clock, CPU seconds of finished child processes and this one), to subtract."""
    mine = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = mine.ru_utime + mine.ru_stime + kids.ru_utime + kids.ru_stime
    return time.perf_counter(), cpu


def run_cli(args: list[str], env: dict[str, str]) -> dict | list:
    """`python -m analysis ARGS` in a fresh process; its JSON, or CommandFailed."""
    done = subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise CommandFailed(f"exit {done.returncode}: {' '.join(args)}\n{done.stderr.strip()}")
    return json.loads(done.stdout)


def cli_env(out: Path) -> dict[str, str]:
    """The environment of every command: its own hashing secret, nothing from the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORMATFIT_")}
    env["FORMATFIT_SECRET_FILE"] = str(out / "formatfit.secret")
    return env


def import_file(path: Path, db: Path, env: dict, log: Log, *options: str) -> dict:
    """Import one file; the report is kept in the log (with any friction: rejected rows)."""
    start = clock()
    report = run_cli(["import", str(path), "--db", str(db), *options], env)
    log.add_time("import", start)
    log.imports.append(
        {
            "file": path.name,
            "tool": report["tool"],
            "kind": report["kind"],
            "rows_accepted": report["rows_accepted"],
            "rows_rejected": report["rows_rejected"],
            "rejected": report["rejected"][:5],
            "warnings": report["warnings"],
            # A rated question (application, relevance…) with no scale is kept as text, and
            # no figure counts it: friction the JSON shows only in its column list.
            "unscaled": [
                f"{c['column']} ({c['role']})"
                for c in report["columns"]
                if c["role"] in RATED_ROLES and not c["scale"]
            ],
            "writes": report["writes"],
            "options": list(options),
        }
    )
    if not report["imported"]:
        raise CommandFailed(f"{path.name} was not imported: {report.get('plan_notes')}")
    return report


def claims(db: Path, env: dict, log: Log) -> dict[int, dict]:
    """The ten claims as `claims --json` judges them."""
    start = clock()
    out = run_cli(["claims", "--json", "--db", str(db)], env)
    log.add_time("claims", start)
    return {c["claim"]: c for c in out}


def compare(db: Path, env: dict, log: Log, a: str, b: str, metric: str) -> dict:
    """One pair as `compare --json` reports it."""
    start = clock()
    args = ["compare", "--a", a, "--b", b, "--metric", metric, "--json", "--db", str(db)]
    out = run_cli(args, env)
    log.add_time("compare", start)
    return out


def match(kind: str, verdict: str, confounded: bool = False) -> str:
    """'yes', 'miss' or 'CONTRADICTS' for a verdict against a drawn kind (module docstring)."""
    if confounded and kind == "true":
        return "yes" if verdict == "not_supported" else "CONTRADICTS"
    if verdict == EXPECTED[kind]:
        return "yes"
    if verdict in MISSES.get(kind, ()):
        return "miss"
    return "CONTRADICTS"


def expected_verdict(kind: str, confounded: bool = False) -> str:
    """The verdict a correct analysis should reach most of the time."""
    return "not_supported" if confounded and kind == "true" else EXPECTED[kind]
