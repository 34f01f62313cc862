"""The import history reads a missing tool or profile as nothing, never "nan" or "None"."""

from __future__ import annotations

import re

from analysis.ingest import service
from tests.app_support import open_app
from tests.test_downloads_app import _hostile_csv


def test_a_missing_profile_or_tool_reads_as_nothing(store):
    """A demo row (no profile) beside an import with a profile but no tool: the frame holds NaN."""
    with store.transaction() as cur:
        store.new_import(cur, "demo", file_name="data/demo", tool="generator", is_demo=True)
        store.new_import(cur, "survey", file_name="pulse.csv", tool=None, profile="Pulse")
    history = store.imports()
    assert history["profile"].isna().sum() == 1  # the bug's cause: NaN, which is truthy
    lines = [service.import_summary(row._asdict()) for row in history.itertuples()]
    stamp = f"{history['imported_at'].iloc[0]:%Y-%m-%d %H:%M} UTC"
    demo_stamp = f"{history['imported_at'].iloc[1]:%Y-%m-%d %H:%M} UTC"
    assert lines == [
        f"pulse.csv · survey · 0 rows · {stamp} · profile “Pulse”",
        f"data/demo · generator · demo · 0 rows · {demo_stamp} · demo data",
    ]
    for line in lines:
        assert "nan" not in line.lower() and "None" not in line


def test_the_import_page_history_shows_no_nan_after_an_import(tmp_path, monkeypatch):
    """Demo data plus one import through the page: the demo row has no profile, shown as none."""
    at = open_app(tmp_path, monkeypatch, "pages/upload.py")
    at.get("file_uploader")[0].set_value(("pulse.csv", _hostile_csv(), "text/csv")).run()
    # its columns do not say what it holds: the page asks
    next(s for s in at.selectbox if s.label == "What does this file hold?").set_value("survey")
    at.run()
    next(b for b in at.button if b.label == "Check the import").click().run()
    next(b for b in at.button if b.label.startswith("Import the 2 valid rows")).click().run()
    assert not at.exception, at.exception
    # the Markdown source, read as the page shows it (file text is escaped, see analysis/text.py)
    history = [_shown(m.value) for m in at.markdown if " UTC" in m.value]
    assert len(history) == 2
    assert history[0].startswith("**2** · pulse.csv · generic · survey · ")
    assert history[0].endswith("· profile “Other / generic – pulse.csv”")
    assert history[1].startswith("**1** · data/demo · generator · demo · ")
    assert history[1].endswith(" UTC · demo data")
    assert not any("nan" in line or "None" in line for line in history)


def _shown(markdown: str) -> str:
    """Markdown source as displayed: backslash escapes and word joiners removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")
