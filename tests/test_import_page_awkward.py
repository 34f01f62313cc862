"""The Import page with awkward files: a question when the kind is undecided, and the warnings
of reading the file (NULs, lines in another encoding, ragged rows) shown as text."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_support import open_app

QUESTION = "What does this file hold?"


@pytest.fixture
def upload_page(tmp_path, monkeypatch) -> AppTest:
    at = open_app(tmp_path, monkeypatch, "pages/upload.py")
    return at


def _shown(markdown: str) -> str:
    """Markdown source as displayed: backslash escapes and word joiners removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def _buttons(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def test_a_file_of_undecided_kind_gets_the_preview_and_a_question(upload_page):
    """`email,comment`: the preview, then the question; the mapping only once it is answered."""
    at = upload_page
    data = b"email,comment\nann@example.org,Great\nbob@example.org,Too long\n"
    at.file_uploader[0].set_value(("notes.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert len(at.dataframe) == 1  # the preview
    asked = [s for s in at.selectbox if s.label == QUESTION]
    assert len(asked) == 1 and asked[0].value is None
    assert any(QUESTION in i.value for i in at.info)
    assert "Check the import" not in _buttons(at) and not at.data_editor
    asked[0].set_value("survey").run()
    assert not at.exception, at.exception
    assert "Check the import" in _buttons(at)
    assert not any(QUESTION in i.value for i in at.info)


def test_reading_warnings_show_on_the_import_page(upload_page):
    """NULs, a Windows-1252 line and a ragged row: each said in words, before and after Check."""
    at = upload_page
    header = "Email,Submitted,How useful was it?,Would you recommend it?"
    data = b"\n".join(
        [
            header.encode(),
            b"ann@example.org,2025-04-01,Very use\x00ful,Yes",
            "bob@example.org,2025-04-01,Très utile,Yes".encode("cp1252"),
            "cy@example.org,2025-04-02,Plutôt utile,No".encode(),
            b"di@example.org,2025-04-02,Useful,Yes,<b>extra</b>",
            *(f"p{i}@example.org,2025-04-03,Useful,Yes".encode() for i in range(4)),
        ]
    )
    at.file_uploader[0].set_value(("awkward.csv", data + b"\n", "text/csv")).run()
    assert not at.exception, at.exception
    expected = [
        "Removed 1 NUL byte (character 0), which is not text: a tool or a copy left it in "
        "the file. Check the cells around it.",
        "1 line is not UTF-8 like the rest of the file and was read as Windows-1252 (line 3): "
        "check its accented letters.",
        "1 line has more cells than the header (line 5) and is not imported: a comma inside a "
        "cell may lack its quotes.",
    ]
    assert [_shown(w.value) for w in at.warning][:3] == expected  # then the unknown answers
    assert at.dataframe[0].value["How useful was it?"].tolist()[:2] == ["Very useful", "Très utile"]
    next(b for b in at.button if b.label == "Check the import").click().run()
    assert not at.exception, at.exception
    shown = [_shown(w.value) for w in at.warning]
    assert shown[:3] == expected and shown[-3:] == expected  # the preview's, then the plan's
    assert any("1 rows cannot be imported" in e.value for e in at.error)
    assert any(b.startswith("Import the 7 valid rows") for b in _buttons(at))
