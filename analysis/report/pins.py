"""Charts pinned to the report: stored in the database as what rebuilds them, never as images.

A pin is a setting, not data: its page, the chart's name on that page, the view (the sidebar's
filters and the page's options) and an optional title of the person's own. Writing pins never
moves the dataset version, so caches stay warm, and pins outlive imports and undo.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date

import duckdb

from analysis import clock
from analysis.queries import Filters
from analysis.store import Store
from analysis.views import DEFAULT_OPTIONS, PAGE_OPTIONS

# The charts a pin can name, per page (analysis.views.page_charts), in the pages' order.
PINNABLE: dict[str, tuple[str, ...]] = {
    "overview": ("overview",),
    "engagement": ("momentum", "rates", "funnel", "heatmap"),
    "application": ("waves", "variants", "readiness", "segment", "likert", "item_differences"),
    "claims": tuple(f"claim_{n}" for n in range(1, 11)),  # each claim's chart on Claims
    "compare": ("arms", "departments"),  # options: the arms' text, the metric, wave and shown
    "guide": ("recommendation",),  # options: the goal and audience; the lead claim's chart
}
COMPARE_OPTIONS = ("a", "b", "metric", "wave", "shown")
_DATES = ("start_from", "start_to")


@dataclass(frozen=True)
class Pin:
    """One pinned chart: where it comes from, the view it was pinned under, its own title."""

    page: str
    chart: str
    filters: Filters = field(default_factory=Filters)
    options: dict[str, str] = field(default_factory=dict)
    title: str | None = None  # None: the chart's own finding title, from the current data
    pin_id: int = 0
    position: int = 0

    def __post_init__(self) -> None:
        if self.chart not in PINNABLE.get(self.page, ()):
            raise ValueError(f"no chart {self.chart!r} on page {self.page!r} can be pinned")
        allowed = _allowed_options(self.page)
        for name, value in self.options.items():
            if name in ("a", "b") and self.page == "compare":
                if not _arm_text(value):
                    raise ValueError(f"compare: {name}={value!r} is not an arm")
            elif value not in allowed.get(name, ()):
                raise ValueError(f"{self.page}: {name}={value!r} is not a page option")
        if self.page == "compare" and set(self.options) != set(COMPARE_OPTIONS):
            raise ValueError(f"compare pins need the options {', '.join(COMPARE_OPTIONS)}")

    def view_json(self) -> str:
        """The view as JSON: filters (months as ISO dates) and the page's options."""
        out = {}
        for f in fields(Filters):
            value = getattr(self.filters, f.name)
            if f.name in _DATES:
                out[f.name] = value.isoformat() if value else None
            else:
                out[f.name] = list(value)
        options = {**DEFAULT_OPTIONS.get(self.page, {}), **self.options}
        return json.dumps({"filters": out, "options": options}, sort_keys=True)


def _allowed_options(page: str) -> dict[str, tuple[str, ...]]:
    """The options a pin of this page may hold, and their values (arms are checked apart)."""
    if page == "compare":
        from analysis.compare import presets

        return {
            "metric": tuple(presets.METRICS),
            "wave": tuple(presets.WAVES),
            "shown": tuple(presets.SHOWN),
        }
    if page == "guide":
        from analysis.compare import guide  # the comparison models: only for a guide pin

        return dict(guide.OPTIONS)
    return PAGE_OPTIONS.get(page, {})


def _arm_text(text: object) -> bool:
    """Whether this is arm text the Compare page makes ('variant=book_club', 'cohort=C1,…')."""
    from analysis.compare import presets

    return isinstance(text, str) and bool(presets.choices(text))


def filters_from_json(raw: dict) -> Filters:
    """Filters from a pin's stored view (unknown keys ignored, so older pins still load)."""
    kwargs: dict = {}
    for f in fields(Filters):
        if f.name not in raw:
            continue
        value = raw[f.name]
        if f.name in _DATES:
            kwargs[f.name] = date.fromisoformat(value) if value else None
        else:
            kwargs[f.name] = tuple(str(v) for v in value or ())
    return Filters(**kwargs)


@contextmanager
def _atomic(cur: duckdb.DuckDBPyConnection) -> Iterator[None]:
    cur.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    cur.execute("COMMIT")


def pins(db: Store) -> list[Pin]:
    """Every pin, in the report's order."""
    rows = db.query(
        "SELECT pin_id, position, page, chart, title, view_json FROM report_pins "
        "ORDER BY position, pin_id"
    )
    out = []
    for r in rows.itertuples(index=False):
        view = json.loads(r.view_json)
        title = r.title if isinstance(r.title, str) and r.title else None
        try:
            out.append(
                Pin(
                    r.page,
                    r.chart,
                    filters_from_json(view.get("filters", {})),
                    dict(view.get("options", {})),
                    title,
                    int(r.pin_id),
                    int(r.position),
                )
            )
        except ValueError:  # a chart or option a later version no longer has: skip it
            continue
    return out


def add_pin(db: Store, pin: Pin) -> int:
    """Pin a chart at the end of the report; returns its id."""
    with db.write() as cur, _atomic(cur):
        pin_id, position = cur.execute(
            "SELECT coalesce(max(pin_id), 0) + 1, coalesce(max(position), 0) + 1 FROM report_pins"
        ).fetchone()
        cur.execute(
            "INSERT INTO report_pins VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                pin_id,
                position,
                pin.page,
                pin.chart,
                pin.title,
                pin.view_json(),
                clock.now_utc().replace(tzinfo=None),
            ],
        )
    return int(pin_id)


def is_pinned(db: Store, pin: Pin) -> bool:
    """Whether this chart is already pinned under the same view."""
    rows = db.fetch(  # rows, not a DataFrame: every chart of every page run asks
        "SELECT 1 FROM report_pins WHERE page = ? AND chart = ? AND view_json = ? LIMIT 1",
        [pin.page, pin.chart, pin.view_json()],
    )
    return bool(rows)


def remove_pin(db: Store, pin_id: int) -> None:
    """Unpin a chart."""
    with db.write() as cur:
        cur.execute("DELETE FROM report_pins WHERE pin_id = ?", [pin_id])


def retitle(db: Store, pin_id: int, title: str | None) -> None:
    """Give a pin a title of its own (empty or None: the chart's finding title again)."""
    text = " ".join((title or "").split()) or None
    with db.write() as cur:
        cur.execute("UPDATE report_pins SET title = ? WHERE pin_id = ?", [text, pin_id])


def reorder(db: Store, pin_ids: list[int]) -> None:
    """Put the pins in this order (ids not listed keep their order, after these)."""
    current = [p.pin_id for p in pins(db)]
    order = [i for i in pin_ids if i in current] + [i for i in current if i not in pin_ids]
    with db.write() as cur, _atomic(cur):
        for position, pin_id in enumerate(order, start=1):
            cur.execute("UPDATE report_pins SET position = ? WHERE pin_id = ?", [position, pin_id])


def move(db: Store, pin_id: int, step: int) -> None:
    """Move a pin up (step -1) or down (+1) the report."""
    order = [p.pin_id for p in pins(db)]
    if pin_id not in order:
        return
    i = order.index(pin_id)
    j = max(0, min(len(order) - 1, i + step))
    order.insert(j, order.pop(i))
    reorder(db, order)
