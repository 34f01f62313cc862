"""The report: pins, the PowerPoint and PDF exports, Chromium missing, the `report` command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from pptx import Presentation

from analysis.cli import main
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from analysis.report import pins as pin_store
from analysis.report import render
from analysis.report.build import build_report, default_pins
from analysis.report.pins import Pin
from tests.compare_orgs import Cohort, Group, Org, build, people
from tests.conftest import ROOT, database_held_elsewhere

SUPPRESSED = "suppressed (fewer than 5)"
# A book club of four, three of whom applied: 75% must not reach any slide, table or note.
LEAK = "75%"


@pytest.fixture
def small_org(tmp_path, monkeypatch):
    """Org-wide 40 (25% applied), reading alone 30 (40%), one book club of 4 (suppressed)."""
    monkeypatch.setenv("FORMATFIT_SECRET_FILE", str(tmp_path / "secret.key"))
    org = Org(
        [
            Cohort("org_wide", (Group(people("Sales", 40, 10)),)),
            Cohort("self_study_alone", (Group(people("Sales", 30, 12)),), month=2),
            Cohort("book_club", (Group(people("Sales", 4, 3)),), month=3),
        ]
    )
    store = build(tmp_path / "org.duckdb", org)
    yield store
    store.close()


@pytest.fixture(scope="module")
def chromium():
    """The kaleido server on the system Chromium, stopped after the module's tests."""
    if not shutil.which("chromium") and not render.chromium_path().exists():
        pytest.skip("no Chromium")
    yield
    render.stop()


def _texts(prs) -> list[tuple[str, str, list[str]]]:
    """Per slide: its text boxes, its notes, its table cells."""
    out = []
    for slide in prs.slides:
        boxes, cells = [], []
        for shape in slide.shapes:
            if shape.has_text_frame:
                boxes.append(shape.text_frame.text)
            if shape.has_table:
                cells += [c.text for row in shape.table.rows for c in row.cells]
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        out.append(("\n".join(boxes), notes, cells))
    return out


def test_pins_are_settings_kept_in_order_with_titles(small_org):
    """Pin, reorder and retitle; the dataset version stays and pins come back in order."""
    version = small_org.dataset_version()
    a = pin_store.add_pin(small_org, Pin("overview", "overview"))
    b = pin_store.add_pin(small_org, Pin("application", "waves", Filters(departments=("Sales",))))
    c = pin_store.add_pin(small_org, Pin("engagement", "rates", options={"by": "variant"}))
    pin_store.reorder(small_org, [c, a, b])
    pin_store.move(small_org, b, -1)
    pin_store.retitle(small_org, a, "  Our   headline ")
    got = pin_store.pins(small_org)
    assert [p.pin_id for p in got] == [c, b, a]
    assert got[2].title == "Our headline"
    assert got[1].filters == Filters(departments=("Sales",))
    assert got[0].options == {"by": "variant", "funnel_wave": "d30"}  # defaults stored too
    pin_store.retitle(small_org, a, "")
    assert pin_store.pins(small_org)[2].title is None
    assert small_org.dataset_version() == version
    pin_store.remove_pin(small_org, b)
    assert [p.pin_id for p in pin_store.pins(small_org)] == [c, a]
    # pins outlive undoing an import (they are not data of any import)
    import_id = int(small_org.imports()["import_id"].iloc[0])
    with small_org.transaction() as cur:
        assert small_org.delete_import(cur, import_id) > 0
    assert small_org.dataset_version() > version
    assert [p.pin_id for p in pin_store.pins(small_org)] == [c, a]


def test_pptx_has_title_summary_and_each_chart_without_suppressed_figures(small_org, chromium):
    """Title and summary slides, then each pin: title, footer, table, notes; 75% nowhere."""
    pins = [
        Pin("overview", "overview"),
        Pin("application", "waves", title="Decay by wave"),
        Pin("claims", "claim_5"),  # book club vs reading alone: the book club is suppressed
    ]
    report = build_report(small_org, PrivacyRule(), pins)
    assert report.message == ""
    assert report.images[0] is not None and report.images[1] is not None
    # claim 5 has no comparison to draw (its book club is suppressed): the slide says why
    assert report.items[2].figure is None and report.images[2] is None
    prs = Presentation(__import__("io").BytesIO(report.pptx()))
    slides = _texts(prs)
    assert len(slides) == 2 + len(pins)
    assert "Learning formats: what our data says" in slides[0][0]
    summary_text, summary_notes, claim_cells = slides[1]
    assert "Summary" in summary_text
    assert "Of the 10 claims tested" in summary_text
    assert "Claims:" in summary_notes
    assert "Verdict" in claim_cells and len(claim_cells) == 3 * 11
    overview, waves, claim = slides[2], slides[3], slides[4]
    assert (
        "Claim 5, not enough data: Book clubs" in claim[0]
        and "Book clubs" in claim[1]
        and "Second arm" in claim[2]
    )
    assert SUPPRESSED in " ".join(claim[2])
    assert report.items[0].title in overview[0]
    assert "Decay by wave" in waves[0]
    for text, notes, cells in (overview, waves):
        assert "Data as of" in text and "dataset v" in text  # the footer
        assert "Caveats:" in notes and "Data as of" in notes
        assert cells and "Format" in cells
    # the book club's survey figures: suppressed in words, the number absent everywhere
    assert SUPPRESSED in overview[2] and SUPPRESSED in waves[2]
    assert "25%" in " ".join(overview[2])  # a shown figure is there
    for text, notes, cells in slides:
        assert LEAK not in text and LEAK not in notes and LEAK not in " ".join(cells)
    pictures = [s for s in prs.slides[2].shapes if s.shape_type == 13]
    assert len(pictures) == 1


def test_compare_and_guide_pins_keep_the_small_book_club_suppressed(small_org):
    """Compare pins (book club vs reading alone, both charts) and the guide's recommendation
    for individual growth: each slide has its table and notes, and the book club's 75% is
    absent from every slide, table and note while its suppression is said in words."""
    arms = {"a": "variant=book_club", "b": "variant=self_study_alone", "metric": "application",
            "wave": "d30", "shown": "pair"}  # fmt: skip
    pins = [
        Pin("compare", "arms", options=arms),
        Pin("compare", "departments", Filters(departments=("Sales",)), arms),
        Pin("guide", "recommendation", options={"goal": "individual_growth"}),
    ]
    with pytest.raises(ValueError):
        Pin("compare", "arms", options={**arms, "a": "colour=red"})
    with pytest.raises(ValueError):
        Pin("guide", "recommendation", options={"goal": "world_peace"})
    report = build_report(small_org, PrivacyRule(), pins, with_images=False)
    slides = _texts(Presentation(__import__("io").BytesIO(report.pptx())))
    assert len(slides) == 2 + len(pins)
    arms_slide, dept_slide, guide_slide = slides[2:]
    assert SUPPRESSED in " ".join(arms_slide[2]) and "Reading / course alone" in arms_slide[2]
    # complementary suppression: the pair alone would let the book club be solved for
    assert "suppressed (would single out a group under 5)" in arms_slide[2]
    assert "Dept: Sales" in dept_slide[0]
    assert guide_slide[0].startswith("Recommended for individual growth:")
    assert "Verdict on your data" in guide_slide[2] and "How sure:" in guide_slide[1]
    for text, notes, cells in slides:
        assert LEAK not in text and LEAK not in notes and LEAK not in " ".join(cells)
        assert "3 of 4" not in notes + " ".join(cells)


def test_pdf_pages_are_not_blank_and_hold_the_titles(small_org, chromium, tmp_path):
    """pdftoppm turns every page into a PNG with ink on it; pdftotext finds the chart titles."""
    from PIL import Image, ImageStat

    report = build_report(small_org, PrivacyRule(), default_pins())
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(report.pdf())
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 2 + len(report.items)
    for page in pages:
        extrema = ImageStat.Stat(Image.open(page).convert("L")).extrema[0]
        assert extrema[0] < 200, f"{page.name} is blank"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    for item in report.items:
        assert " ".join(item.title.split()) in flat
    assert LEAK not in flat and SUPPRESSED in flat


def test_chromium_missing_gives_a_message_and_a_tables_only_deck(small_org, monkeypatch):
    """No Chromium at the configured path: the message, and slides with tables and notes."""
    render.stop()
    monkeypatch.setenv(render.CHROMIUM_ENV_VAR, "/nonexistent/chromium")
    report = build_report(small_org, PrivacyRule(), default_pins())
    assert "no Chromium at /nonexistent/chromium" in report.message
    assert report.images == [None, None]
    prs = Presentation(__import__("io").BytesIO(report.pptx()))
    slides = _texts(prs)
    for slide, (text, notes, cells) in zip(list(prs.slides)[2:], slides[2:], strict=True):
        assert "could not be rendered" in text
        assert cells and "Caveats:" in notes
        assert not [s for s in slide.shapes if s.shape_type == 13]  # no picture
    assert report.pdf().startswith(b"%PDF")


def test_report_command_writes_deck_and_pdf(small_org, tmp_path, capsys):
    """`report --out --pdf --filter`: both files, the default charts, JSON on stdout."""
    path = small_org.path
    small_org.close()
    out, pdf = tmp_path / "review.pptx", tmp_path / "review.pdf"
    code = main(
        [
            "report",
            "--out",
            str(out),
            "--pdf",
            str(pdf),
            "--filter",
            "department=Sales",
            "--db",
            str(path),
        ]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pptx"] == str(out) and result["pdf"] == str(pdf)
    assert len(result["charts"]) == 2
    prs = Presentation(str(out))
    assert len(prs.slides) == 4
    assert "Dept: Sales" in _texts(prs)[2][0]
    assert pdf.read_bytes().startswith(b"%PDF")


def test_default_deck_holds_overview_waves_and_each_decided_claim(demo_store):
    """The command line's deck on the demo data: the Overview, application by wave, then one
    slide per claim with a verdict and a comparison to draw (supported first), each naming its
    verdict in the title and the notes; 'not enough data' claims stay on the summary only."""
    from analysis.compare.claims import claims

    rule = PrivacyRule()
    judged = claims(demo_store, rule)
    pins = default_pins(None, judged)
    assert [(p.page, p.chart) for p in pins[:2]] == [
        ("overview", "overview"),
        ("application", "waves"),
    ]
    decided = {c.claim: c for c in judged if c.verdict != "not_enough_data" and c.results}
    shown = [int(p.chart.removeprefix("claim_")) for p in pins[2:]]
    assert set(shown) <= set(decided) and len(shown) >= 3
    verdicts = [decided[n].verdict for n in shown]
    assert verdicts == sorted(verdicts, key=["supported", "reversed", "not_supported"].index)
    report = build_report(demo_store, rule, pins, judged=judged, with_images=False)
    slides = _texts(Presentation(__import__("io").BytesIO(report.pptx())))
    assert len(slides) == 2 + len(pins) <= 14
    words = {"supported": "supported", "reversed": "reversed", "not_supported": "not supported"}
    for n, (text, notes, cells) in zip(shown, slides[4:], strict=True):
        c = decided[n]
        assert text.startswith(f"Claim {n}, {words[c.verdict]}:")
        assert f"Verdict: {words[c.verdict].capitalize()}" in notes and "Measure" in cells
    findings = report.summary.findings
    assert 3 <= len(findings) <= 5 and findings[-1].startswith("Of the 10 claims tested")
    assert not any(f.startswith("Claim ") for f in findings)  # the verdicts table says those


def test_report_command_pdf_alone_and_errors(small_org, tmp_path, capsys):
    """--pdf alone works; a bad filter or no output is one line on stderr and exit 1."""
    path = small_org.path
    small_org.close()
    pdf = tmp_path / "only.pdf"
    env_free = ["--db", str(path)]
    assert main(["report", "--pdf", str(pdf), *env_free]) == 0
    assert pdf.exists()
    capsys.readouterr()
    assert (
        main(["report", "--out", str(tmp_path / "x.pptx"), "--filter", "colour=red", *env_free])
        == 1
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: unknown key 'colour'")
    assert main(["report", *env_free]) == 1
    assert "give --out" in capsys.readouterr().err


def test_report_command_runs_as_a_module(small_org, tmp_path):
    """`python -m analysis report` as a script runs it, exit 0."""
    path = small_org.path
    small_org.close()
    out = tmp_path / "m.pptx"
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "report", "--out", str(out), "--db", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert Presentation(str(out)).slides


def test_report_command_reads_while_the_app_runs(small_org, tmp_path, capsys):
    """The app holds the file (shared mode): the command opens it read-only and writes the PDF."""
    path = small_org.path
    small_org.close()
    pdf = tmp_path / "while.pdf"
    with database_held_elsewhere(path, mode="shared"):
        code = main(["report", "--pdf", str(pdf), "--db", str(path)])
    assert code == 0, capsys.readouterr().err
    assert pdf.read_bytes().startswith(b"%PDF")


def test_each_slide_footer_carries_its_own_charts_n(demo_store):
    """A page builds all its charts, each with its own n: a slide's footer says the n its own
    chart's footer says (application by wave counts answers across waves, not the last chart's)."""
    from analysis.report.items import build_items

    pins = [Pin("application", c) for c in ("waves", "variants", "readiness", "likert")]
    for item in build_items(demo_store, PrivacyRule(), pins):
        n_text = item.footer[0].split(" · ")[0]
        drawn = " ".join(a.text or "" for a in item.figure.layout.annotations)
        assert n_text in " ".join(drawn.replace("<br>", " ").split()), item.subject
    assert "across waves" in build_items(demo_store, PrivacyRule(), pins[:1])[0].footer[0]


def _extent(shape, size_of) -> tuple[float, float, float, float]:
    """A shape's left, top, right and bottom in inches, its text's height estimated (a text
    box or table grows downwards with its text)."""
    from analysis.report import layout

    left, top, width = (shape.left or 0) / 914400, (shape.top or 0) / 914400, shape.width / 914400
    height = shape.height / 914400
    if shape.has_text_frame and shape.text_frame.text:
        paras = shape.text_frame.paragraphs
        size = size_of(paras)
        lines = sum(layout.text_lines(p.text, width - 0.2, size) for p in paras)
        height = max(height, lines * size * 1.2 / 72 + 0.1)
    if shape.has_table:
        table = shape.table
        widths = [c.width / 914400 for c in table.columns]
        size = size_of(table.cell(0, 0).text_frame.paragraphs)
        height = sum(
            layout.row_height([c.text for c in row.cells], widths, size) for row in table.rows
        )
    return left, top, left + width, top + height


def _assert_laid_out(deck: bytes) -> None:
    """No title, picture, table or footer runs into another or off the slide, and no table's
    font is under 9 pt."""
    prs = Presentation(__import__("io").BytesIO(deck))

    def size_of(paras) -> float:
        sizes = [r.font.size.pt for p in paras for r in p.runs if r.font.size]
        return max(sizes or [18])

    for number, slide in enumerate(prs.slides, start=1):
        boxes = [_extent(s, size_of) for s in slide.shapes]
        for left, top, right, bottom in boxes:
            assert left >= 0 and top >= 0 and right <= 13.34 and bottom <= 7.5, number
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
                assert apart, f"slide {number}: {a} overlaps {b}"
        for shape in slide.shapes:
            if shape.has_table:
                assert size_of(shape.table.cell(1, 0).text_frame.paragraphs) >= 9


def test_default_deck_shapes_stay_apart_and_on_the_slide(demo_store, chromium):
    """The demo's command-line deck, with its images and without (tables only): every
    slide's parts stay apart and on the slide."""
    from analysis.compare.claims import claims

    rule = PrivacyRule()
    judged = claims(demo_store, rule)
    pins = default_pins(None, judged)
    report = build_report(demo_store, rule, pins, judged=judged)
    assert all(
        img is not None for img, i in zip(report.images, report.items, strict=True) if i.figure
    )
    _assert_laid_out(report.pptx())
    tables_only = build_report(demo_store, rule, pins, judged=judged, with_images=False)
    _assert_laid_out(tables_only.pptx())
