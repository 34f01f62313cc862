"""The one wrapper every chart goes through: context footer, pinned theme, PNG download options."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import plotly.graph_objects as go
import streamlit as st

from analysis import views
from analysis.charts import (
    HEIGHT,
    WIDTH,
    ChartContext,
    export_name,
    slug,
    view_words,
)
from analysis.queries import Filters
from analysis.report import render
from analysis.report.pins import Pin
from analysis.text import markdown_text
from analysis.views import Chart
from ui import data, drill
from ui.report import pin_button
from ui.sidebar import current_filters


def download_view() -> str:
    """The current view in a few words, for download file names."""
    filters = current_filters()
    status = data.data_status()
    opts = data.filter_options(data.store().token, status.version)
    return view_words(filters, opts.programs, opts.cohorts, opts.months)


def drill_subject(filters: Filters) -> str | None:
    """The drilled variant or cohort's name, for titles about one format."""
    status = data.data_status()
    opts = data.filter_options(data.store().token, status.version)
    return views.drill_subject(filters, opts.cohorts)


def chart_context(filters: Filters, n_text: str) -> ChartContext:
    """The footer context for a chart under the current filters and dataset."""
    status = data.data_status()
    return ChartContext.for_view(
        filters,
        data.filter_options(data.store().token, status.version),
        n_text,
        data.privacy_rule(),
        data_as_of=status.data_as_of,
        dataset_version=status.version,
        is_demo=status.is_demo,
    )


def show_chart(
    fig: go.Figure,
    subject: str,
    key: str | None = None,
    *,
    present: bool = False,
    more: Callable[[], None] | None = None,
) -> None:
    """Render a figure with our own theme and a 2× PNG download under a meaningful name.

    A chart whose points carry a drill (a format, variant or cohort) applies it when clicked.
    In presentation mode it shows no toolbar and no download buttons, and clicks drill nowhere.
    """
    if present:
        st.plotly_chart(fig, theme=None, key=key, config={"displayModeBar": False})
        return
    select = {}
    if key and drill.clickable(fig):
        key = drill.chart_key(key)
        select = {"on_select": partial(drill.on_select, key), "selection_mode": "points"}
    st.plotly_chart(
        fig,
        theme=None,  # keep the pinned template; Streamlit's theme would restyle screenshots
        key=key,
        **select,
        config={
            "displaylogo": False,
            "toImageButtonOptions": {
                "format": "png",
                "filename": export_name(subject, view=download_view()),
                "width": WIDTH,
                "height": HEIGHT,
                "scale": 2,
            },
            "modeBarButtonsToRemove": ["select2d", "lasso2d"],
        },
    )
    image_buttons(fig, subject, key, more)


def image_buttons(
    fig: go.Figure, subject: str, key: str | None = None, more: Callable[[], None] | None = None
) -> None:
    """PNG (2×) and SVG downloads of the chart, drawn on the server when clicked.

    Named like the camera's PNG: formatfit-<subject>-<view>-<date>. Without Chromium on the
    server the buttons are off and say why (the camera's PNG still works)."""
    name = export_name(subject, view=download_view())
    ready = render.can_render()
    with st.container(horizontal=True, key=f"{key or slug(subject)}_images"):
        for label, fmt, mime in (("PNG", "png", "image/png"), ("SVG", "svg", "image/svg+xml")):
            st.download_button(
                label,
                data=partial(render.chart_file, fig, fmt),
                file_name=f"{name}.{fmt}",
                mime=mime,
                key=f"{key or slug(subject)}_{fmt}",
                on_click="ignore",
                icon=":material/image:",
                disabled=not ready,
                help=f"The chart as {label}"
                + (" at 2× (2560 px wide)" if fmt == "png" else ", for slides and print")
                if ready
                else f"No Chromium at {render.chromium_path()} to draw images with on the "
                "server: the camera in the chart's toolbar still downloads the PNG.",
            )
        if more is not None:  # e.g. "Pin to report", in the same row
            more()


def show_page_chart(
    charts: dict[str, Chart],
    name: str,
    key: str,
    view: tuple[str, dict[str, str]] | None = None,
    filters: Filters | None = None,
) -> None:
    """Show one of a page's charts (analysis.views.page_charts), or its designed empty state.

    `view` (the page and its options) adds "Pin to report" under a chart that has a figure,
    pinned under `filters` (default: the sidebar's).
    """
    chart = charts.get(name)
    if chart is None:
        return
    if chart.figure is not None:
        view_filters = filters if filters is not None else current_filters()
        pin = None if view is None else Pin(view[0], name, view_filters, dict(view[1]))
        more = None if pin is None else partial(pin_button, pin, key)
        show_chart(chart.figure, chart.subject, key=key, more=more)
        return
    with st.container(border=True):
        st.markdown(f"**{markdown_text(chart.title)}**")
        st.info(chart.empty, icon=":material/visibility_off:")


def demo_banner() -> None:
    """The badge every page shows while demo data is loaded."""
    if data.data_status().is_demo:
        st.badge(
            "Demo data: a generated example organisation, not yours. "
            "Remove it in Settings when your own data arrives.",
            icon=":material/science:",
            color="orange",
        )
