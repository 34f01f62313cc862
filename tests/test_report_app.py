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


def test_compare_and_guide_charts_pin_into_the_deck(tmp_path, monkeypatch):
    """Pin both Compare charts and the guide's recommendation; the deck holds a slide for each,
    rebuilt under the pinned arms and goal, with its table and notes (tables-only here)."""
    import io

    from pptx import Presentation

    from analysis.report import render

    render.stop()
    monkeypatch.setenv(render.CHROMIUM_ENV_VAR, str(tmp_path / "no-chromium"))
    at = open_app(tmp_path, monkeypatch, "pages/compare.py")
    assert not at.exception
    at.button(key="pin_cmp_arms_chart").click().run()
    at.button(key="pin_cmp_dept_chart").click().run()
    assert at.button(key="pin_cmp_arms_chart").label == "Pinned to report"
    at.switch_page("pages/guide.py").run()
    assert not at.exception
    at.button(key="pin_guide_chart").click().run()
    assert at.button(key="pin_guide_chart").disabled
    at.switch_page("pages/report.py").run()
    assert not at.exception
    titles = [t.value for t in at.text_input if t.key.startswith("report_title_")]
    assert len(titles) == 3
    assert titles[0].startswith("Pilot team first")  # the default preset: pilots vs org-wide
    assert titles[2].startswith("Recommended for applying a practice:")
    at.button(key="report_build").click().run()
    assert not at.exception
    pptx = at.session_state["report_files"][0]
    slides = list(Presentation(io.BytesIO(pptx)).slides)
    assert len(slides) == 2 + 3
    boxes = [
        " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame) for slide in slides
    ]
    cells = [
        [c.text for sh in slide.shapes if sh.has_table for row in sh.table.rows for c in row.cells]
        for slide in slides
    ]
    notes = [slide.notes_slide.notes_text_frame.text for slide in slides]
    for i, title in enumerate(titles, start=2):
        assert title in boxes[i] and "dataset v" in boxes[i]  # title and footer
    assert "Pilot team first" in cells[2] and "Figure" in cells[2]  # the arms and statistics
    assert "Department" in cells[3]
    assert "Verdict on your data" in cells[4]
    assert "How sure:" in notes[4] and "Caveats:" in notes[2]
