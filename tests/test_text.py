"""Text from a file stays text: the two escapes."""

from __future__ import annotations

import html
import re
import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from analysis.text import WORD_JOINER, markdown_text, plotly_text

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
