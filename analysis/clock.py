"""Today's date and the current time, pinnable through one setting (FORMATFIT_TODAY).

Everything that needs "today" (default cohort dates at import, download file names, import
timestamps) asks here, never the system clock directly. Tests set FORMATFIT_TODAY so that a
suite that passes today passes next year too.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

TODAY_ENV_VAR = "FORMATFIT_TODAY"


def today() -> date:
    """Today's date: FORMATFIT_TODAY (YYYY-MM-DD) when set, else the system date."""
    pinned = os.environ.get(TODAY_ENV_VAR, "").strip()
    if not pinned:
        return date.today()
    try:
        return date.fromisoformat(pinned)
    except ValueError as exc:
        raise ValueError(f"{TODAY_ENV_VAR} must be a date like 2026-12-03, not {pinned!r}") from exc


def now_utc() -> datetime:
    """The current UTC time without tzinfo; on the pinned day when FORMATFIT_TODAY is set.

    The time of day stays real, so events within one run keep their order.
    """
    real = datetime.now(UTC).replace(tzinfo=None)
    if not os.environ.get(TODAY_ENV_VAR, "").strip():
        return real
    return datetime.combine(today(), real.time())
