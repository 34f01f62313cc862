"""A chart's own image downloads: without Chromium they are off with a reason."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from analysis.report import render


def test_without_chromium_chart_images_are_off_with_a_reason(monkeypatch, tmp_path):
    """Chromium pointed at a missing file: no rendering, a clear error, never a download."""
    monkeypatch.setenv(render.CHROMIUM_ENV_VAR, str(tmp_path / "no-chromium"))
    assert not render.can_render()
    with pytest.raises(render.ChromiumMissing, match="no Chromium at"):
        render.chart_file(go.Figure(), "svg")


def test_only_png_and_svg():
    """Other formats are refused before any browser starts."""
    with pytest.raises(ValueError, match="pdf"):
        render.chart_file(go.Figure(), "pdf")
