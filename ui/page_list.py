"""The one page list: the app's navigation, the page AppTest and the pages benchmark read it.

Plain data (no Streamlit import), so tests and benchmarks can read it too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    """One page: its file, title, icon, URL path and the view it shows (None: no figures)."""

    file: str
    title: str
    icon: str
    url_path: str
    view: str | None  # the name in analysis.views.PAGE_OPTIONS, for pages with figures
    default: bool = False
    # Pages with options of their own outside analysis.views (the comparison pages): the name of
    # their options in ui/view_state.PAGE_PARAMS. Their arms choose formats, variants and cohorts,
    # so they show no drill-down trail.
    options: str | None = None


PAGES: tuple[PageInfo, ...] = (
    PageInfo("pages/overview.py", "Overview", ":material/insights:", "overview", "overview", True),
    PageInfo(
        "pages/engagement.py", "Engagement", ":material/trending_up:", "engagement", "engagement"
    ),
    PageInfo(
        "pages/application.py", "Application", ":material/work:", "application", "application"
    ),
    PageInfo(
        "pages/compare.py",
        "Compare",
        ":material/compare_arrows:",
        "compare",
        None,
        options="compare",
    ),
    PageInfo(
        "pages/claims.py", "Claims", ":material/fact_check:", "claims", None, options="claims"
    ),
    PageInfo(
        "pages/guide.py", "Format guide", ":material/explore:", "guide", None, options="guide"
    ),
    PageInfo("pages/report.py", "Report", ":material/slideshow:", "report", None),
    PageInfo("pages/programs.py", "Programs", ":material/edit_note:", "programs", None),
    PageInfo("pages/survey_kit.py", "Survey kit", ":material/checklist:", "survey-kit", None),
    PageInfo("pages/health.py", "Data health", ":material/monitor_heart:", "health", None),
    PageInfo("pages/upload.py", "Import", ":material/upload_file:", "upload", None),
    PageInfo("pages/settings.py", "Settings", ":material/settings:", "settings", None),
)


def view_of(title: str) -> str:
    """The name of the page's options in the URL ('overview' for pages without options)."""
    return next(
        (p.view or p.options for p in PAGES if p.title == title and (p.view or p.options)),
        "overview",
    )


def reads_only(title: str) -> bool:
    """Whether the page only shows figures (a view's, or the comparison pages'): it never
    writes, so a dataset version that moves during its run is another session's write."""
    return any(p.title == title and (p.view or p.options) for p in PAGES)


def has_view(title: str) -> bool:
    """Whether the page with this title shows figures (and so the drill-down trail)."""
    return any(p.title == title and p.view for p in PAGES)
