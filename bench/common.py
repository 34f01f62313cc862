"""What both benchmarks share: the conditions their figures depend on, and child processes."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT_S = 900


def environment() -> str:
    """What the figures depend on: date, CPUs and their load, versions, the code's commit."""
    import duckdb
    import pandas

    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # read-only: never refresh git's index
    git = ["git", "-C", str(ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, env=env, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run([*git, "diff", "--quiet", "HEAD", "--", "analysis"], env=env)
        commit = head + (" + uncommitted changes in analysis/" if dirty.returncode else "")
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{time.strftime('%Y-%m-%d %H:%M')} | {os.cpu_count()} CPUs, load {load} | "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}, "
        f"pandas {pandas.__version__} | code {commit}"
    )


def run_child(script: str, *args: str, timeout: float = CHILD_TIMEOUT_S) -> dict:
    """Run `script --child …` in a fresh interpreter, so each measurement has its own peak RSS.

    Returns the JSON object the child prints last, or {"error": why} if it failed.
    """
    cmd = [sys.executable, str(Path(script).resolve()), "--child", *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout:g} s"}
    if done.returncode != 0:
        why = "killed (out of memory?)" if done.returncode == -9 else done.stderr.strip()[-600:]
        return {"error": f"exit {done.returncode}: {why}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def in_workdir(workdir, prefix: str, run) -> int:
    """`run(folder)` in `workdir` when one is given (its files kept for the next run), else in
    a temporary folder removed afterwards."""
    import tempfile

    if workdir:
        return run(workdir)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        return run(Path(tmp))
