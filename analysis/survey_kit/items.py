"""The kit's questions: the recommended survey for each wave, worded so its exports map alone.

Every question is worded the way the importer reads it (`analysis.ingest.mapping_rules`) and
every rated question uses a scale it knows (`analysis.ingest.scales_data`), so an export from
Google Forms, Microsoft Forms or Qualtrics lands on its roles with no question asked. The first
question, "Which survey is this?", has the wave as its only answer: the wave reaches the export
even where the export carries no form title (Google Forms CSV).
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.domain import READINESS_OPTIONS, WAVE_LABELS, WAVES

# Question types, as the three tools call them.
CHOICE, SHORT_TEXT, LONG_TEXT = "choice", "short text", "long text"
TYPE_NAMES: dict[str, dict[str, str]] = {
    CHOICE: {"google": "Multiple choice", "microsoft": "Choice", "qualtrics": "Multiple choice"},
    SHORT_TEXT: {"google": "Short answer", "microsoft": "Text", "qualtrics": "Text entry"},
    LONG_TEXT: {
        "google": "Paragraph",
        "microsoft": "Text (long answer)",
        "qualtrics": "Text entry (essay)",
    },
}
AGREE5 = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")
YES_NO = ("Yes", "No")
WAVE_QUESTION = "Which survey is this?"


@dataclass(frozen=True)
class KitItem:
    """One question of the kit: its wording, answers, the role and scale the importer gives it."""

    key: str
    question: str
    kind: str
    role: str
    options: tuple[str, ...] = ()
    scale: str | None = None  # the importer's scale name (analysis.ingest.scales_data)
    why: str = ""  # what the answers feed, in one phrase
    required: bool = True


def wave_item(wave: str) -> KitItem:
    """The first question: the wave, its only answer, so every export says which wave it is."""
    return KitItem(
        "wave",
        WAVE_QUESTION,
        CHOICE,
        "wave",
        (WAVE_LABELS[wave],),
        why="tells the import which wave the answers belong to; leave it as it is",
    )


EMAIL = KitItem(
    "email",
    "Your work e-mail address",
    SHORT_TEXT,
    "person_email",
    why="joins answers across waves and to attendance; replaced by a keyed hash at import",
)
APPLICATION = KitItem(
    "application",
    "I have used what I learned in my real work",
    CHOICE,
    "application",
    AGREE5,
    "agree5",
    "application rate (Agree or Strongly agree counts as applied)",
)
READINESS = KitItem(
    "readiness",
    "Which statement best describes your readiness to use what you learned?",
    CHOICE,
    "readiness",
    READINESS_OPTIONS,
    "readiness6",
    "readiness, Thalheimer's six options; the first is a barrier in the role, not a failure",
)
RELEVANCE = KitItem(
    "relevance",
    "This learning is relevant to my current work",
    CHOICE,
    "relevance",
    AGREE5,
    "agree5",
    "claim 7 (just-in-time relevance)",
)
ENGAGEMENT = KitItem(
    "engagement",
    "The learning kept me engaged until the end",
    CHOICE,
    "engagement",
    AGREE5,
    "agree5",
    "engagement as people felt it, beside attendance",
)
ACCOUNTABILITY = KitItem(
    "accountability",
    "Someone expected me to follow through and would notice if I did not",
    CHOICE,
    "accountability",
    AGREE5,
    "agree5",
    "claim 2 (learning together creates accountability)",
)
MOTIVATION = KitItem(
    "motivation",
    "I chose this learning myself because I wanted it",
    CHOICE,
    "motivation",
    AGREE5,
    "agree5",
    "claim 8 (self-directed learning works for the motivated)",
)
CONFIDENCE = KitItem(
    "confidence",
    "I feel confident using these skills in my work",
    CHOICE,
    "confidence",
    AGREE5,
    "agree5",
    "claim 10 (confidence gain: before and right after)",
)
DEPARTMENT = KitItem(
    "department",
    "Your department",
    SHORT_TEXT,
    "department",
    why="figures per department (a drop-down list of your departments works too)",
)
ROLE = KitItem(
    "role",
    "Your role",
    SHORT_TEXT,
    "job_role",
    why="figures per role (a drop-down list of your job families works too)",
)
MANAGER = KitItem(
    "manager",
    "Are you a people manager?",
    CHOICE,
    "manager_flag",
    YES_NO,
    "yesno",
    "claim 9 (leaders learning with peers)",
)
COMMENT = KitItem(
    "comment",
    "Anything else you would like to tell us?",
    LONG_TEXT,
    "comment",
    why="one comment; shown only for groups of 10 or more respondents",
    required=False,
)

# Before: confidence (for the gain), motivation and relevance; after: the full follow-up.
_BEFORE = (EMAIL, CONFIDENCE, MOTIVATION, RELEVANCE, DEPARTMENT, ROLE, MANAGER, COMMENT)
_FOLLOW_UP = (
    EMAIL, APPLICATION, READINESS, RELEVANCE, ENGAGEMENT, ACCOUNTABILITY, MOTIVATION, CONFIDENCE,
    DEPARTMENT, ROLE, MANAGER, COMMENT,
)  # fmt: skip
KIT_WAVES: tuple[str, ...] = WAVES
WAVE_WHEN: dict[str, str] = {
    "pre": "in the week before the learning starts",
    "post": "on the last day, or within a week of the end",
    "d30": "30 days after the end",
    "d60": "60 days after the end",
    "d90": "90 days after the end",
}


def wave_items(wave: str) -> tuple[KitItem, ...]:
    """The questions of one wave's survey, in order; the wave question first."""
    if wave not in KIT_WAVES:
        raise ValueError(f"unknown wave {wave!r}; use one of {', '.join(KIT_WAVES)}")
    return (wave_item(wave), *(_BEFORE if wave == "pre" else _FOLLOW_UP))
