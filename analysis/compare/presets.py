"""The Compare page's choices: the seed's preset pairs, the kinds of arm, metrics and waves.

An arm chosen on the page is written as the command line's arm text (`variant=book_club`,
`variant=group_coaching,works_together=yes`, `cohort=C1,cohort=C2`), so the URL, the command
line and `parse_arm` share one form. `spec` builds it from the page's choices and `choices`
reads it back into them.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.compare.arms import SEGMENT_KEYS
from analysis.domain import FORMATS, VARIANT_FORMAT, WAVE_LABELS


@dataclass(frozen=True)
class Preset:
    """One of the seed's pairs: its name and the two arms as arm text."""

    label: str
    a: str
    b: str


PRESETS: dict[str, Preset] = {
    "pilot": Preset("Pilot teams first vs org-wide", "variant=pilot_team", "variant=org_wide"),
    "book_club": Preset(
        "Book club vs reading alone", "variant=book_club", "variant=self_study_alone"
    ),
    "buddies": Preset(
        "Course with a buddy or two vs a course alone",
        "variant=course_buddies",
        "variant=self_paced_course",
    ),
    "coaching": Preset(
        "Group coaching vs 1:1 coaching", "variant=group_coaching", "variant=one_to_one_coaching"
    ),
    "close": Preset(
        "Close-colleague vs mixed coaching groups",
        "variant=group_coaching,works_together=yes",
        "variant=group_coaching,works_together=no",
    ),
}
DEFAULT_PRESET = "pilot"

# How an arm is chosen on the page.
KINDS: dict[str, str] = {
    "what": "A format or variant",
    "program": "A program",
    "cohorts": "A set of cohorts",
    "segment": "A segment within a variant",
}
# 'format:small_group' / 'variant:book_club': the one list the 'format or variant' box offers.
WHAT_CHOICES: tuple[str, ...] = (
    *(f"format:{f}" for f in FORMATS),
    *(f"variant:{v}" for v in VARIANT_FORMAT),
)
# Segment levels a page arm can take, as arm text, with their words.
SEGMENT_CHOICES: dict[str, str] = {
    "works_together=yes": "Close colleagues",
    "works_together=no": "Mixed groups",
    "leader=yes": "Leaders",
    "leader=no": "Individual contributors",
    "relevant=yes": "Found it relevant",
    "relevant=no": "Did not find it relevant",
}
METRICS: dict[str, str] = {
    "engagement": "Engagement",
    "completion": "Completion",
    "application": "Application",
}
WAVES: tuple[str, ...] = ("post", "d30", "d60", "d90")
WAVE_CHOICES: dict[str, str] = {w: WAVE_LABELS[w] for w in WAVES}
SHOWN: dict[str, str] = {
    "pair": "This pair",
    "all": "This pair and the five presets together",
}


def spec(
    kind: str,
    *,
    what: str | None = None,
    program: str | None = None,
    cohorts: tuple[str, ...] | list[str] = (),
    variant: str | None = None,
    segment: str | None = None,
) -> str | None:
    """The arm text for the page's choices, or None while the arm is not fully chosen."""
    if kind == "what" and what in WHAT_CHOICES:
        key, _, value = what.partition(":")
        return f"{key}={value}"
    if kind == "program" and program:
        return f"program={program}"
    if kind == "cohorts" and cohorts:
        return ",".join(f"cohort={c}" for c in cohorts)
    if kind == "segment" and variant and segment in SEGMENT_CHOICES:
        return f"variant={variant},{segment}"
    return None


def choices(text: str) -> dict:
    """The page's choices for an arm text written by `spec` ({} when it is not one of them)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    pairs = [p.partition("=")[::2] for p in parts]
    keys = [k for k, _ in pairs]
    if len(pairs) == 1 and keys[0] in ("format", "variant"):
        what = f"{keys[0]}:{pairs[0][1]}"
        return {"kind": "what", "what": what} if what in WHAT_CHOICES else {}
    if len(pairs) == 1 and keys[0] == "program":
        return {"kind": "program", "program": pairs[0][1]}
    if pairs and set(keys) == {"cohort"}:
        return {"kind": "cohorts", "cohorts": [v for _, v in pairs]}
    if len(pairs) == 2 and keys[0] == "variant" and keys[1] in SEGMENT_KEYS:
        segment = f"{keys[1]}={pairs[1][1]}"
        if segment in SEGMENT_CHOICES and pairs[0][1] in VARIANT_FORMAT:
            return {"kind": "segment", "variant": pairs[0][1], "segment": segment}
    return {}


def preset_of(a: str, b: str) -> str | None:
    """The preset these two arms make, if any."""
    return next((k for k, p in PRESETS.items() if (p.a, p.b) == (a, b)), None)
