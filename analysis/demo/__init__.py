"""The demo organisation: a deterministic generator, its CSVs in data/demo/, and their loader.

`plan` holds every number that shapes the data (written down in data/demo/README.md);
`organisation`, `enrolments`, `attendance` and `surveys` draw the tables from it, `generate`
puts them together and `io` writes and loads the CSVs. `python -m analysis.demo` rewrites them.
"""

from __future__ import annotations

from analysis.demo.generate import generate_demo
from analysis.demo.io import DEMO_DIR, load_demo, write_demo
from analysis.demo.organisation import person_key
from analysis.demo.plan import (
    COHORT_PLAN,
    DATA_AS_OF,
    DEMO_SEED,
    GROUP_SIZE,
    NO_SESSION_VARIANTS,
    CohortSpec,
)
from analysis.demo.schema import TABLE_COLUMNS, TABLES

__all__ = [
    "COHORT_PLAN",
    "DATA_AS_OF",
    "DEMO_DIR",
    "DEMO_SEED",
    "GROUP_SIZE",
    "NO_SESSION_VARIANTS",
    "TABLES",
    "TABLE_COLUMNS",
    "CohortSpec",
    "generate_demo",
    "load_demo",
    "person_key",
    "write_demo",
]
