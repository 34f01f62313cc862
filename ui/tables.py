"""The one wrapper every table goes through: no toolbar download, the app's own safe files.

Streamlit's toolbar "Download as CSV" writes text as it is, so a header or cell such as
`=HYPERLINK(...)` from an uploaded file would run as a formula in Excel. It is turned off for
the whole app (`client.disableDataExport` in .streamlit/config.toml); tables offer CSV and Excel
files from analysis.report.tables instead.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from analysis.charts import export_name, slug
from analysis.report.tables import csv_bytes, xlsx_bytes
from ui.charts import chart_context, download_view
from ui.sidebar import current_filters

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_frame(frame: pd.DataFrame, column_config: Mapping | None = None) -> pd.DataFrame:
    """The table as shown: columns hidden by column_config left out, its labels as headers."""
    labels: dict[str, str] = {}
    hidden: list[str] = []
    for column, config in (column_config or {}).items():
        if column not in frame.columns:
            continue
        if config is None:
            hidden.append(column)
        elif isinstance(config, str):
            labels[column] = config
        elif isinstance(config, Mapping) and config.get("label"):
            labels[column] = config["label"]
    return frame.drop(columns=hidden).rename(columns=labels)


def download_buttons(
    frame: pd.DataFrame, subject: str, key: str | None = None, *, in_view: bool = True
) -> None:
    """CSV and Excel downloads of the frame, named formatfit-<subject>-<view>-<date>, built on
    click. A table in_view (its figures follow the filters) carries the view's context: a row
    above the CSV's header, a second sheet in Excel."""
    name = export_name(subject, view=download_view() if in_view else "")
    key = key or slug(subject)
    context = chart_context(current_filters(), "").rows() if in_view else ()
    with st.container(horizontal=True):
        st.download_button(
            "CSV",
            data=lambda: csv_bytes(frame, context),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            on_click="ignore",
            icon=":material/download:",
            help="Text that a spreadsheet would run as a formula starts with a single quote.",
        )
        st.download_button(
            "Excel",
            data=lambda: xlsx_bytes(frame, context),
            file_name=f"{name}.xlsx",
            mime=XLSX_MIME,
            key=f"{key}_xlsx",
            on_click="ignore",
            icon=":material/download:",
        )


def show_table(
    frame: pd.DataFrame,
    subject: str,
    *,
    column_config: Mapping | None = None,
    key: str | None = None,
    max_rows: int | None = None,
    in_view: bool = True,
) -> None:
    """A table (index hidden) with its CSV and Excel downloads; max_rows limits only the view.

    in_view=False for tables that do not follow the filters (an uploaded file's rows)."""
    shown = frame if max_rows is None else frame.head(max_rows)
    st.dataframe(shown, hide_index=True, column_config=column_config)
    download_buttons(download_frame(frame, column_config), subject, key=key, in_view=in_view)
