"""The Report page under AppTest: pin from a page, then reorder, retitle and unpin."""

from __future__ import annotations

from tests.app_support import open_app


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_pin_reorder_and_retitle_on_the_report_page(tmp_path, monkeypatch):
    """Pin the Overview chart and the application by wave; reorder, retitle and unpin them.

    The page reads the pins back from the database on every run, so the order and the titles
    seen after each click are the stored ones.
    """
    at = open_app(tmp_path, monkeypatch)
    _button(at, "Pin to report").click().run()
    assert not at.exception
    assert _button(at, "Pinned to report").disabled
    at.switch_page("pages/application.py").run()
    assert at.button(key="pin_wave_chart").label == "Pin to report"
    at.button(key="pin_wave_chart").click().run()
    at.switch_page("pages/report.py").run()
    assert not at.exception
    titles = [t for t in at.text_input if t.key.startswith("report_title_")]
    assert len(titles) == 2
    first, second = (int(t.key.rsplit("_", 1)[1]) for t in titles)
    overview_title = titles[0].value
    assert "applied" in overview_title  # the chart's own finding title

    at.button(key=f"report_up_{second}").click().run()
    at.text_input(key=f"report_title_{first}").set_value("What we saw").run()
    assert not at.exception
    keys = [t.key for t in at.text_input if t.key.startswith("report_title_")]
    assert keys == [f"report_title_{second}", f"report_title_{first}"]
    assert at.text_input(key=f"report_title_{first}").value == "What we saw"

    at.button(key=f"report_remove_{second}").click().run()
    assert [t.key for t in at.text_input if t.key.startswith("report_title_")] == [
        f"report_title_{first}"
    ]
    assert "Build the deck and the PDF" in [b.label for b in at.button]


def test_build_without_chromium_warns_and_still_offers_the_files(tmp_path, monkeypatch):
    """Chromium pointed at a missing file: the page says so and offers the tables-only files."""
    from analysis.report import render

    render.stop()
    monkeypatch.setenv(render.CHROMIUM_ENV_VAR, str(tmp_path / "no-chromium"))
    at = open_app(tmp_path, monkeypatch)
    _button(at, "Pin to report").click().run()
    at.switch_page("pages/report.py").run()
    at.button(key="report_build").click().run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("Chart images could not be rendered: no Chromium at" in w for w in warnings)
    assert any("keeps every chart's title, footer, table and notes" in w for w in warnings)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download PowerPoint", "Download PDF"]
