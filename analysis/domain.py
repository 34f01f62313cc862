"""The domain vocabulary from PRODUCT.md: formats, variants, item roles, waves, readiness."""

from __future__ import annotations

FORMATS: tuple[str, ...] = ("everyone_at_once", "self_directed", "small_group")

FORMAT_LABELS: dict[str, str] = {
    "everyone_at_once": "Everyone at once",
    "self_directed": "Self-directed",
    "small_group": "Small groups",
}

# Each variant belongs to the format it is usually run as; `other` may sit under any.
VARIANT_FORMAT: dict[str, str] = {
    "org_wide": "everyone_at_once",
    "conference": "everyone_at_once",
    "self_paced_course": "self_directed",
    "self_study_alone": "self_directed",
    "learning_budget": "self_directed",
    "one_to_one_coaching": "self_directed",
    "pilot_team": "small_group",
    "book_club": "small_group",
    "course_buddies": "small_group",
    "group_coaching": "small_group",
    "team_coaching": "small_group",
    "community_of_practice": "small_group",
}
VARIANTS: tuple[str, ...] = (*VARIANT_FORMAT, "other")

VARIANT_LABELS: dict[str, str] = {
    "org_wide": "Org-wide training",
    "conference": "Conference",
    "self_paced_course": "Self-paced course",
    "self_study_alone": "Reading / course alone",
    "learning_budget": "Learning budget",
    "one_to_one_coaching": "1:1 coaching",
    "pilot_team": "Pilot team first",
    "book_club": "Book club",
    "course_buddies": "Course with a buddy or two",
    "group_coaching": "Group coaching",
    "team_coaching": "Team coaching",
    "community_of_practice": "Community of practice",
    "other": "Other",
}

GOALS: dict[str, str] = {
    "shared_language": "Shared language",
    "individual_growth": "Individual growth",
    "applying_practice": "Applying a practice",
    "leader_alignment": "Leader alignment",
}

ITEM_ROLES: tuple[str, ...] = (
    "application",
    "engagement",
    "relevance",
    "readiness",
    "confidence",
    "accountability",
    "motivation",
    "barrier",
    "recommend",
    "comment",
    "demographic",
    "other",
)

WAVES: tuple[str, ...] = ("pre", "post", "d30", "d60", "d90")
WAVE_LABELS: dict[str, str] = {
    "pre": "Before",
    "post": "Right after",
    "d30": "30 days after",
    "d60": "60 days after",
    "d90": "90 days after",
}

# Thalheimer's six readiness options, in order (value 1..6).
READINESS_OPTIONS: tuple[str, ...] = (
    "My current role does not enable me to use what I learned",
    "I am still unclear about what to do and why",
    "I need more guidance before I know how to use it",
    "I need more experience to be good at it",
    "I can be successful now",
    "I can perform at an expert level now",
)

# Short forms for legends and axis labels.
READINESS_SHORT: tuple[str, ...] = (
    "Role doesn't enable me (barrier)",
    "Unclear what to do and why",
    "Need more guidance",
    "Need more experience",
    "Can succeed now",
    "Expert level now",
)

SEGMENTS: dict[str, str] = {
    "relevance": "Relevance to current work",
    "group_size": "Group size",
    "closeness": "Close colleagues or mixed group",
    "leadership": "Leaders or individual contributors",
}
# Levels in reading order; the headline compares the first two. 'unknown' is a level like any
# other (answers that cannot be placed), and 'not a small group' is the reference for group size.
SEGMENT_LEVELS: dict[str, tuple[str, ...]] = {
    "relevance": ("relevant", "not relevant", "unknown"),
    "group_size": ("2–3", "4–6", "7 or more", "not a small group", "unknown"),
    "closeness": ("close colleagues", "mixed", "unknown"),
    "leadership": ("leaders", "individual contributors", "unknown"),
}
# Segments only the comparison arms use (not a page option): levels as above.
ARM_SEGMENT_LEVELS: dict[str, tuple[str, ...]] = {
    "motivation": ("motivated", "not motivated", "unknown"),
}
# The Engagement funnel's survey steps count the answers of people who completed.
FUNNEL_PATH_SHOWN: tuple[str, ...] = ("completed",)
# What two arms are compared on (analysis/compare/): rates, and means in scale points.
RATE_METRICS = ("engagement", "participation", "completion", "application", "momentum")
MEAN_METRICS = ("confidence_gain",)
COMPARE_METRICS = (*RATE_METRICS, *MEAN_METRICS)

# Engaged: attended at least this share of scheduled sessions (or active weeks).
ENGAGED_SHARE = 0.75
DEFAULT_MIN_GROUP_SIZE = 5
MIN_GROUP_SIZE_RANGE = (3, 10)
COMMENT_MIN_RESPONDENTS = 10
LOW_RESPONSE_RATE = 0.60


def format_label(fmt: str) -> str:
    """The on-screen name of a format."""
    return FORMAT_LABELS.get(fmt, fmt)
