"""The server's first run imports every module once and freezes what the imports made, so
Python's full garbage collections do not walk the libraries' objects on every pass."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_imports_objects_are_frozen_out_of_the_collector() -> None:
    """A fresh interpreter: nothing frozen before, the libraries' objects after (a full
    collection over them took ~150 ms of the interpreter; bench/load_bench.py found it)."""
    code = (
        "import gc\n"
        "before = gc.get_freeze_count()\n"
        "from ui.boot import import_everything\n"
        "import_everything()\n"
        "print(before, gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    before, frozen, left = out.stdout.split()
    assert int(before) == 0
    assert int(frozen) > 100_000  # the imports of streamlit, pandas, plotly, duckdb, ...
    assert int(left) < int(frozen) // 10  # what a full collection still walks
