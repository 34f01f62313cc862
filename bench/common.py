"""What both benchmarks print first: the conditions their figures depend on."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
