"""The scale benchmark's own checks: what it calls the same on both engines, and its report."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bench.scale_bench import differences, report


@dataclass
class _Verdict:
    claim: str
    estimate: float


def test_frames_in_another_row_order_with_float_noise_are_the_same() -> None:
    """Rows in another order and floats 1e-12 apart: no difference; 1e-6 apart: one."""
    a = pd.DataFrame({"fmt": ["a", "b"], "rate": [0.25, 0.5]})
    b = pd.DataFrame({"fmt": ["b", "a"], "rate": [0.5 + 1e-12, 0.25]})
    assert differences(a, b) == []
    c = b.assign(rate=[0.5 + 1e-6, 0.25])
    assert len(differences(a, c)) == 1


def test_a_figure_field_that_differs_is_named() -> None:
    """Walks dataclasses and containers: a differing estimate is reported with its path."""
    a = {"claims": [_Verdict("c1", 0.12), _Verdict("c2", 0.3)]}
    b = {"claims": [_Verdict("c1", 0.12), _Verdict("c2", 0.31)]}
    assert differences(a, a) == []
    found = differences(a, b, "run 0")
    assert len(found) == 1 and "['claims'][1].estimate" in found[0]


def _engine(seconds: list[float], startup: dict[str, float]) -> dict:
    pages = {"Overview": {"totals": seconds, "calls": [5] * len(seconds), "filters": []}}
    return {"startup": startup, "settings": {}, "pages": pages, "peak_bytes": 1e9,
            "jvm_peak_bytes": 0, "process_s": 1.0}  # fmt: skip


def test_the_report_gives_median_worst_ratio_and_the_verdict() -> None:
    """Median and worst per engine, their ratio, Spark's start-up summed, the equality line."""
    results = {
        "duckdb": _engine([0.1, 0.3, 0.2], {"open the database file (Store)": 0.05}),
        "spark": _engine([2.0, 6.0, 4.0], {"session": 10.0, "first query (SELECT 1)": 5.0}),
    }
    lines = report(results, {"Overview": [], "named queries": []}, (5, 3))
    row = next(line for line in lines if line.startswith("Overview"))
    assert row.split() == ["Overview", "3", "5", "0.200", "0.300", "4.00", "6.00", "20", "yes"]
    assert any("first query answered" in line and line.endswith("15.00") for line in lines)
    assert any(line.startswith("Same results on both engines: 5") for line in lines)
    lines = report(results, {"Overview": ["run 0 figures: 1 vs 2"]}, (5, 3))
    assert "THE ENGINES DIFFER:" in lines
