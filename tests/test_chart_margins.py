"""Margins measured on the server (analysis/chart_margins.py)."""

from __future__ import annotations

import plotly.graph_objects as go

from analysis import chart_margins
from analysis.charts import BASE_FONT, TEMPLATE, TITLE_FONT


def _figure(**layout) -> go.Figure:
    fig = go.Figure(layout={"template": TEMPLATE, "height": 640, "margin": {"l": 20, "r": 30}})
    fig.update_layout(**layout)
    return fig


def test_long_category_labels_get_their_measured_width_and_automargin_is_off():
    labels = ["Someone expected me to follow through", "Short"]
    fig = _figure()
    fig.add_bar(x=[0.4, 0.6], y=labels, orientation="h")
    chart_margins.fit(fig, BASE_FONT, TITLE_FONT)
    wide = chart_margins.text_width(labels[0], BASE_FONT)
    assert wide > 250  # DejaVu Sans at 16 px: the measurement is real
    assert fig.layout.margin.l >= wide + chart_margins.TICK_GAP
    assert fig.layout.margin.l < wide * 1.2 + 40  # and not a guess far off
    assert fig.layout.xaxis.automargin is False and fig.layout.yaxis.automargin is False


def test_a_percent_axis_needs_only_the_room_of_its_widest_number():
    fig = _figure(yaxis={"tickformat": ".0%", "range": [0, 1.02]})
    fig.add_bar(x=["A", "B", "C"], y=[0.2, 0.5, 0.9])
    chart_margins.fit(fig, BASE_FONT, TITLE_FONT)
    assert chart_margins.text_width("102%", BASE_FONT) < fig.layout.margin.l < 70


def test_lines_tags_and_entities_are_measured_as_shown():
    one = chart_margins.text_width("I feel confident", BASE_FONT)
    assert chart_margins.text_width("I feel confident<br>ok", BASE_FONT) == one
    assert chart_margins.text_width("<b>I feel confident</b>", BASE_FONT) == one
    # escaped file text shows its brackets: they are measured, not taken for a tag
    shown = chart_margins.text_width("a &lt;b&gt;", BASE_FONT)
    assert shown > chart_margins.text_width("a ", BASE_FONT) + 20


def test_tilted_labels_reach_left_only_and_margins_never_shrink():
    fig = _figure(xaxis={"tickangle": -35}, margin={"l": 20, "r": 30, "b": 200})
    fig.add_bar(x=["Org-wide training", "Course with a buddy or two"], y=[0.3, 0.5])
    chart_margins.fit(fig, BASE_FONT, TITLE_FONT)
    assert fig.layout.margin.r == 30
    assert fig.layout.margin.b == 200


def test_the_title_hangs_its_pad_above_the_plot_in_figure_coordinates():
    fig = _figure(
        title={
            "text": "Line one<br>line two",
            "subtitle": {"text": "Subtitle"},
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "automargin": True,
            "pad": {"b": 28},
        },
        margin={"t": 90, "b": 120},
    )
    fig.add_bar(x=["A"], y=[1])
    chart_margins.fit(fig, BASE_FONT, TITLE_FONT)
    title = fig.layout.title
    block = 28 + chart_margins.LINE_SPACING * (2 * TITLE_FONT + BASE_FONT)
    assert fig.layout.margin.t >= block
    assert title.automargin is False and title.yref == "container"
    # the title's last line stands above the subtitle and the pad, inside the top margin
    bottom_px = title.y * 640
    plot_top_px = 640 - fig.layout.margin.t
    assert plot_top_px + 28 < bottom_px < 640 - chart_margins.LINE_SPACING * TITLE_FONT
