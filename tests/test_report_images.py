"""Chart images on the server: without Chromium the app says so instead of failing."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from analysis.report import images


def test_without_chromium_images_are_off_with_a_reason(monkeypatch, tmp_path):
    """A BROWSER_PATH that does not exist: no rendering, a clear error, never a download."""
    monkeypatch.setenv(images.BROWSER_ENV, str(tmp_path / "no-chromium"))
    monkeypatch.setattr(images, "_started", False)
    assert images.chromium() is None
    assert not images.can_render()
    with pytest.raises(images.ChromiumMissingError, match="Chromium"):
        images.image_bytes(go.Figure(), "svg")


def test_only_png_and_svg():
    """Other formats are refused before any browser starts."""
    with pytest.raises(ValueError, match="pdf"):
        images.image_bytes(go.Figure(), "pdf")
