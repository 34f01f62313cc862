"""One way to say a rate, a count, an interval and a difference (pages show these words).

Rates on screen are whole percentage points, counts have thousands separators, and whether a
difference is real is said in plain words defined once here; the exact statistics stay in the
details. The comparison and claims pages reuse the same words.
"""

from __future__ import annotations

import math

from analysis.domain import format_label

MISSING = "–"

# Holm-adjusted p below these: the words a leadership team reads (exact p in the details).
VERY_UNLIKELY = 0.01
UNLIKELY = 0.05


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def pct(x: float | None) -> str:
    """A share as whole percentage points: 0.3772 → '38%'."""
    return MISSING if _missing(x) else f"{x * 100:.0f}%"


def count(n: float | int | None) -> str:
    """A count with thousands separators: 1721 → '1,721'."""
    return MISSING if _missing(n) else f"{int(n):,}"


def interval(low: float | None, high: float | None) -> str:
    """A 95% interval in whole points: '95% CI 32%–42%' (empty when there is none)."""
    if _missing(low) or _missing(high):
        return ""
    return f"95% CI {pct(low)}–{pct(high)}"


def of(k: float | int, n: float | int, noun: str) -> str:
    """'119 of 324 who answered'."""
    return f"{count(k)} of {count(n)} {noun}"


def chance(p_holm: float) -> str:
    """Whether a difference could be chance, from the Holm-adjusted p."""
    if p_holm < VERY_UNLIKELY:
        return "very unlikely to be chance"
    if p_holm < UNLIKELY:
        return "unlikely to be chance"
    return "could be chance"


def points(x: float) -> str:
    """A difference in whole percentage points, without a sign: 30.6 → '31 points'."""
    n = abs(round(x))
    return f"{n} point" if n == 1 else f"{n} points"


def difference(
    a: str, b: str, diff_pts: float, low_pts: float, high_pts: float, p_holm: float, enough: bool
) -> str:
    """'Small groups: 31 points higher than everyone at once (25 to 36); very unlikely to be
    chance'. a and b are formats (or labels); the 95% interval is in whole points, in the
    direction of the words."""
    name_a, name_b = _label(a), _label(b).lower()
    if not enough:
        return f"{name_a} vs {name_b}: not enough answers to tell (fewer than 20 on one side)"
    lower = diff_pts < 0
    if round(diff_pts) == 0:
        where = f"about the same as {name_b}"
    else:
        where = f"{points(diff_pts)} {'lower' if lower else 'higher'} than {name_b}"
    lo, hi = (-high_pts, -low_pts) if lower else (low_pts, high_pts)  # in the words' direction
    return f"{name_a}: {where} ({round(lo)} to {round(hi)}); {chance(p_holm)}"


def scale_difference(
    a: str, b: str, diff: float, low: float, high: float, p_holm: float, enough: bool
) -> str:
    """'Self-directed: 0.5 scale points more gain than everyone at once (0.3 to 0.7); very
    unlikely to be chance' (a difference of means on a rating scale, one decimal)."""
    name_a, name_b = _label(a), _label(b).lower()
    if not enough:
        return f"{name_a} vs {name_b}: not enough answers to tell (fewer than 20 on one side)"
    if round(diff, 1) == 0:
        where = f"about the same gain as {name_b}"
    else:
        where = f"{abs(diff):.1f} scale points {'less' if diff < 0 else 'more'} gain than {name_b}"
    lo, hi = (-high, -low) if diff < 0 else (low, high)
    return f"{name_a}: {where} ({lo:.1f} to {hi:.1f}); {chance(p_holm)}"


def _label(x: str) -> str:
    return format_label(x)


def formats_list(labels: list[str]) -> str:
    """'everyone at once, self-directed and small groups'."""
    words = [x.lower() for x in labels]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
