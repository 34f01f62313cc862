"""Text from a file shown as text: one escape for plotly labels, one for Streamlit Markdown.

Survey headers, answer labels, program, cohort, group and department names, file names and
mapping-profile names are data. Each is escaped once, where it becomes display text, with the
helper for the renderer that shows it; the code's own markup around it stays markup.
"""

from __future__ import annotations

import re

# plotly.js reads <tag ...> as markup and decodes &amp; &lt; &gt; (and numeric references) back
# to characters, so these three are all a label needs.
_PLOTLY_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PLOTLY_SPECIAL = re.compile("[&<>]")

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one is
# always a literal: no emphasis, link, image, HTML, entity, table, math ($) or directive (:red[).
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAK = re.compile(r"\r\n?|\n")
# Some rewrites run on the parsed text, where escapes no longer count: GFM turns `www.x.org`,
# `https://…` and `a@b.org` into links; Streamlit turns `:smile:` into an emoji, `:material_x:`
# into an icon, `:streamlit:` into a logo image, and a lone `--`, `->`, `<-`, `<->`, `>=`, `<=`
# or `~=` into a typographic symbol. An invisible word joiner inside each pattern breaks it.
WORD_JOINER = "\u2060"
_ARROW = re.compile(r"(?<!\S)(?:<->|->|<-|--|>=|<=|~=)(?!\S)")
_TEXT_REWRITE = re.compile(
    r"(?<=:)(?=[\w+-]+:)"  # :shortcode:
    r"|(?i:(?<=https:)|(?<=http:))(?=//)"  # links from URLs
    r"|(?i:(?<=www))(?=\.)"  # links from www.
    r"|(?<=@)"  # links from e-mail addresses
)


def plotly_text(text: object) -> str:
    """Text for a plotly title, axis, legend, hover or annotation: <, > and & shown as typed."""
    return _PLOTLY_SPECIAL.sub(lambda m: _PLOTLY_ENTITIES[m.group()], str(text))


def markdown_text(text: object) -> str:
    """Text for Streamlit Markdown (st.markdown, captions, headers, alerts): shown as typed.

    Line breaks become spaces, so a value never starts a new Markdown block. Where text would
    otherwise become a link, emoji, icon or symbol, an invisible word joiner keeps it as typed.
    """
    s = _LINE_BREAK.sub(" ", str(text))
    s = _ARROW.sub(lambda m: m.group()[0] + WORD_JOINER + m.group()[1:], s)
    s = _TEXT_REWRITE.sub(WORD_JOINER, s)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", s)
