"""Text from a file stays text: the two escapes, and figures built from hostile names."""

from __future__ import annotations

import html
import json
import re
import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from analysis import application as app
from analysis import engagement
from analysis.charts import ChartContext
from analysis.charts_application import heatmap_figure as item_heatmap_figure
from analysis.charts_application import likert_figure
from analysis.charts_engagement import heatmap_figure as cohort_heatmap_figure
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from analysis.text import WORD_JOINER, markdown_text, plotly_text
from tests.tiny import build_tiny_store

HOSTILE = (
    '<a href="https://example.com/x">Click me</a> <b>bold</b> <img src=x onerror=alert(1)> '
    "![x](http://127.0.0.1:9/p.png) <script>window.__pwned=1</script>"
)
SAMPLES = (
    HOSTILE,
    "R&D <team>",
    "my_file__name_v2.final.csv",
    "&lt;b&gt; is how you write <b>",
    ":red[red] :material/home: :material_home: :smile: :streamlit: $x^2$ $$y$$",
    "a -- b -> c <- d <-> e >= f <= g ~= h",
    "*em* **strong** `code` ~~s~~ | a | b | # h1 \\ [link](x) a@b.org www.x.org",
    "line one\nline two\r\nthree",
)
# The rewrites Streamlit 1.67's Markdown (and GFM's autolinks) apply to text after parsing,
# where a backslash no longer counts, copied from the frontend bundle.
TEXT_REWRITES = (
    re.compile(r":[\w+-][\w_+-]*:", re.ASCII),  # emoji, :material_x: icons, the :streamlit: logo
    re.compile(r"(https?://|www(?=\.))", re.IGNORECASE),  # URL autolinks
    re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+", re.ASCII),  # e-mail autolinks
    re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),  # typographic arrows and dashes
)


def commonmark_text(source: str) -> str:
    """The text CommonMark shows for source that must hold no live syntax at all.

    A backslash before ASCII punctuation shows that character; any other ASCII punctuation
    could start syntax, so finding one unescaped fails the test.
    """
    out, i = [], 0
    while i < len(source):
        ch = source[i]
        if ch == "\\":
            assert i + 1 < len(source) and source[i + 1] in string.punctuation, source
            out.append(source[i + 1])
            i += 2
            continue
        assert ch not in string.punctuation, f"unescaped {ch!r} in {source!r}"
        assert ch not in "\r\n", f"line break in {source!r}"
        out.append(ch)
        i += 1
    return "".join(out)


# --- plotly_text ---------------------------------------------------------------------------


def test_plotly_text_escapes_the_three_markup_characters():
    """Only &, < and > change; plotly decodes &amp;, &lt; and &gt; back, so it reads as typed."""
    assert plotly_text("R&D <team>") == "R&amp;D &lt;team&gt;"
    assert plotly_text("&lt;") == "&amp;lt;"  # a typed entity shows as typed, not as '<'
    assert plotly_text('"quoted" it\'s 50% · ≥75%') == '"quoted" it\'s 50% · ≥75%'
    assert plotly_text(42) == "42"


@given(st.text())
def test_plotly_text_holds_no_tag_and_decodes_to_the_original(text: str):
    """No '<' or '>' is left to open a tag, and the entities decode to exactly the input."""
    out = plotly_text(text)
    assert "<" not in out and ">" not in out
    assert re.sub(r"&(amp|lt|gt);", "", out).count("&") == 0
    assert html.unescape(out) == text


# --- markdown_text -------------------------------------------------------------------------


def test_markdown_text_escapes_every_special_character():
    """Hand-written expectations: punctuation escaped, words and spaces untouched."""
    assert markdown_text("my_file.v2.csv") == r"my\_file\.v2\.csv"
    assert markdown_text("R&D <team>") == r"R\&D \<team\>"
    assert markdown_text("![x](y)") == r"\!\[x\]\(y\)"
    assert markdown_text(":red[a] $b$ ~c~ |d| `e` #f \\") == (
        r"\:red\[a\] \$b\$ \~c\~ \|d\| \`e\` \#f \\"
    )
    assert markdown_text("Zürich · 12:30") == r"Zürich · 12\:30"
    assert markdown_text("a\nb\r\nc") == "a b c"


@pytest.mark.parametrize("text", SAMPLES)
def test_markdown_text_reads_as_typed_and_rewrites_nothing(text: str):
    """The shown text is the input (line breaks as spaces); no text rewrite finds a pattern."""
    shown = commonmark_text(markdown_text(text))
    assert shown.replace(WORD_JOINER, "") == re.sub(r"\r\n?|\n", " ", text)
    for pattern in TEXT_REWRITES:
        assert not pattern.search(shown), (pattern.pattern, shown)


@given(st.text(alphabet=st.sampled_from(list("ahpstw:/.@-<>=~_ \n" + string.punctuation))))
@pytest.mark.filterwarnings("ignore")
def test_markdown_text_round_trips_any_text(text: str):
    """Random punctuation-heavy text: escaped, it shows as typed and triggers no rewrite."""
    assume(WORD_JOINER not in text)
    shown = commonmark_text(markdown_text(text))
    assert shown.replace(WORD_JOINER, "") == text.replace("\n", " ")
    for pattern in TEXT_REWRITES:
        assert not pattern.search(shown), (pattern.pattern, shown)


@given(st.text())
def test_markdown_text_round_trips_unicode(text: str):
    """Any text at all (accents, emoji, control characters) comes back as typed."""
    assume(WORD_JOINER not in text)
    shown = commonmark_text(markdown_text(text))
    assert shown.replace(WORD_JOINER, "") == re.sub(r"\r\n?|\n", " ", text)


# --- figures from hostile names ------------------------------------------------------------

RULE3 = PrivacyRule(min_group_size=3)
PROGRAM = f"Prog {HOSTILE}"
DEPARTMENT = "R&D <team>"
COHORT = f"Cohort {HOSTILE}"


@pytest.fixture
def hostile_store(tmp_path):
    """The tiny organisation, its program, a cohort, a department and its item renamed."""
    store = build_tiny_store(tmp_path / "tiny.duckdb")
    with store.transaction() as cur:
        cur.execute("UPDATE programs SET name = ?", [PROGRAM])
        cur.execute("UPDATE cohorts SET name = ? WHERE cohort_id = 'C_G'", [COHORT])
        cur.execute(
            "UPDATE person_records SET department = ? WHERE department = 'Eng'", [DEPARTMENT]
        )
        cur.execute("UPDATE survey_items SET text = ?", [f"{HOSTILE} I used it"])
    yield store
    store.close()


def _context() -> ChartContext:
    """A footer naming the hostile department and program as the active filters."""
    filters = Filters(departments=(DEPARTMENT,), programs=("P1",))
    return ChartContext(
        n_text="n = 6 answers",
        period="Jan 2025 – Mar 2025",
        filters_text=filters.describe({"P1": PROGRAM}),
        rule=RULE3,
        data_as_of="2026-01-01 00:00 UTC",
        dataset_version=1,
        is_demo=True,
    )


def _strings(node: object) -> list[str]:
    """Every string in a figure's JSON: titles, labels, categories, hover data, annotations."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def _assert_escaped(fig) -> str:
    """No raw markup from the hostile names anywhere in the figure; all its text, joined."""
    text = " ".join(_strings(json.loads(fig.to_json())))
    for raw in ("<a ", "<b>bold", "<img", "<script", "</a>", "<team>"):
        assert raw not in text
    return text


def _footer(fig) -> str:
    """The footer as the chart shows it: its lines joined, plotly's entities decoded."""
    lines = [a.text for a in fig.layout.annotations if a.yref == "paper"]
    return html.unescape(" ".join(lines))


def test_application_figures_carry_escaped_item_text_and_footer(hostile_store):
    """The Likert chart's axis, title and footer, and the item heat map, escape the file's text."""
    likert = app.likert_items(hostile_store, Filters(), RULE3, wave="d30")
    title = app.likert_headline(likert)
    assert "<a href=" in title  # the headline is plain text; the figure escapes it
    fig = likert_figure(likert, title, _context())
    text = _assert_escaped(fig)
    assert "“&lt;a href=" in fig.layout.title.text
    # wrapped on the text as typed, then escaped line by line (an entity is never cut)
    label = (
        '&lt;a href="https://example.com/x<br>"&gt;Click me&lt;/a&gt; &lt;b&gt;bold&lt;/b&gt;<br>'
        "&lt;img src=x onerror=alert(1)&gt;<br>![x](http://127.0.0.1:9/p.png)<br>"
        "&lt;script&gt;window.__pwned=1&lt;/scri<br>pt&gt; I used it"
    )  # the whole text, wrapped (never cut), each line escaped
    assert list(fig.layout.yaxis.ticktext) == [label]  # one row per item, labelled by its text
    assert f"Program: {PROGRAM}" in _footer(fig) and f"Dept: {DEPARTMENT}" in _footer(fig)
    assert "<b>DEMO DATA" in text  # the code's own markup is still markup
    diff = app.item_format_differences(hostile_store, Filters(), RULE3, wave="d30")
    heat = item_heatmap_figure(diff, "Where the formats differ", _context())
    _assert_escaped(heat)
    (label,) = heat.data[0].y  # wrapped whole, every line escaped
    assert label.startswith("&lt;a<br>href=") and label.endswith("&lt;/script&gt;<br>I used it")
    assert "<a" not in label and "<b>" not in label
    assert f"Program: {PROGRAM}" in _footer(heat)


def test_cohort_heat_map_hover_carries_the_escaped_cohort_name(hostile_store):
    """The cohort × week heat map names each cohort on hover: escaped, like every label."""
    heat = engagement.attendance_heatmap(hostile_store, Filters())
    fig = cohort_heatmap_figure(heat, "Attendance week by week", _context())
    _assert_escaped(fig)
    hover = [row[0] for trace in fig.data for row in trace.customdata]
    assert plotly_text(COHORT) in hover and COHORT not in hover
