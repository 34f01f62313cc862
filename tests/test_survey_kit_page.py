"""The Survey kit page (AppTest): the kit's text and a download for each of its files."""

from __future__ import annotations

from analysis.store import Store
from analysis.survey_kit import KIT_WAVES, WAVE_QUESTION, kit_files, wave_items
from tests.app_support import open_app
from tests.test_survey_kit import google_forms_csv


def test_the_page_shows_the_kit_and_offers_every_file(tmp_path, monkeypatch):
    """Text, CSV and Excel templates and the five Qualtrics files can be downloaded; the page
    shows every question of every wave and the steps for each tool."""
    at = open_app(tmp_path, monkeypatch, "pages/survey_kit.py")
    assert not at.exception, at.exception
    assert at.title[0].value == "Survey kit"
    labels = [b.proto.label for b in at.get("download_button")]
    files = kit_files()
    assert len(labels) == len(files) == 3 + len(KIT_WAVES)
    assert labels[:3] == [f.description for f in files[:3]]
    assert labels[3:] == [
        "Before",
        "Right after",
        "30 days after",
        "60 days after",
        "90 days after",
    ]
    text = "\n".join(m.value for m in at.markdown)
    for tool in ("Google Forms", "Microsoft Forms", "Qualtrics"):
        assert f"### {tool}" in text
    assert f"**{WAVE_QUESTION}**" in text
    assert all(f"**{i.question}**" in text for w in KIT_WAVES for i in wave_items(w))


def test_the_import_page_points_to_the_kit(tmp_path, monkeypatch):
    """Someone about to import finds the kit from the Import page."""
    at = open_app(tmp_path, monkeypatch, "pages/upload.py")
    assert not at.exception, at.exception
    links = [p.proto.label for p in at.get("page_link")]
    assert any("survey kit" in label.lower() for label in links)


def test_a_kit_export_imports_on_the_import_page_with_nothing_to_confirm(tmp_path, monkeypatch):
    """The 60-day export from Google Forms: no answer label to ask about, the wave is taken
    from the file's wave column by default, and the import stores 60-day responses although
    the new cohort's default dates would derive another wave."""
    at = open_app(tmp_path, monkeypatch, "pages/upload.py")
    at.file_uploader[0].set_value(
        ("Kit 60 days.csv", google_forms_csv("d60", 12), "text/csv")
    ).run()
    assert not at.exception, at.exception
    meanings = at.data_editor[0].value.set_index("column")["meaning"]
    assert meanings[WAVE_QUESTION] == "Wave"
    wave = next(s for s in at.selectbox if s.label == "Survey wave")
    assert wave.value is None and wave.options[0] == "from the file's wave column"
    assert not [d for d in at.data_editor[1:] if len(d.value)]  # no label to give a value
    next(b for b in at.button if b.label == "Check the import").click().run()
    assert not at.exception and not at.error, at.error
    next(b for b in at.button if b.label == "Import 12 rows").click().run()
    assert not at.exception and not at.error, at.error
    store = Store(tmp_path / "app.duckdb", mode="read")
    try:
        got = store.query(
            "SELECT wave, count(*) AS n FROM survey_responses JOIN imports USING (import_id) "
            "WHERE NOT is_demo GROUP BY wave"
        ).to_dict("records")
    finally:
        store.close()
    assert got == [{"wave": "d60", "n": 12}]
