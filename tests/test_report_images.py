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


def test_a_reused_tab_draws_each_chart_as_a_fresh_one_does():
    """Tabs are reloaded only every RELOAD_EVERY images: a chart drawn after others on the same
    tabs is pixel for pixel the chart drawn first on a fresh server, whatever came before."""
    import io
    import shutil

    from PIL import Image, ImageChops

    if not render.can_render() and not shutil.which("chromium"):
        pytest.skip("no Chromium")
    bars = go.Figure(go.Bar(x=["a", "b"], y=[3, 1]), layout={"title": {"text": "Bars"}})
    heat = go.Figure(go.Heatmap(z=[[1, 2], [3, 4]]), layout={"title": {"text": "Heat"}})
    render.stop()
    try:
        first = render._batch([bars])[0]  # the server itself, not the recent images
        again = render._batch([heat, heat, heat, bars, heat])[3]
    finally:
        render.stop()
    a, b = (Image.open(io.BytesIO(x)).convert("RGB") for x in (first, again))
    assert a.size == b.size and ImageChops.difference(a, b).getbbox() is None


def test_recent_images_are_not_drawn_again(monkeypatch):
    """A figure drawn before comes from the recent images; only new figures reach the server,
    each once; a changed figure (new data, a new footer) is drawn anew."""
    drawn: list[str] = []

    def fake_batch(figures):
        drawn.extend(f.layout.title.text for f in figures)
        return [f.layout.title.text.encode() for f in figures]

    monkeypatch.setattr(render, "_batch", fake_batch)
    monkeypatch.setattr(render, "can_render", lambda: True)
    monkeypatch.setattr(render, "_drawn", type(render._drawn)())
    a = go.Figure(layout={"title": {"text": "A"}})
    b = go.Figure(layout={"title": {"text": "B"}})
    assert render.images([a, None, a]) == ([b"A", None, b"A"], "")
    assert render.images([b, a]) == ([b"B", b"A"], "")
    a2 = go.Figure(a).update_layout(title_text="A, dataset v2")
    assert render.images([a2])[0] == [b"A, dataset v2"]
    assert drawn == ["A", "B", "A, dataset v2"]
