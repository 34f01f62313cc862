"""The Data health page's vocabulary: statuses, statements, cohorts, programs, claims, steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from analysis.compare import claims as claims_module

OK, INFO, WARN, MISSING = "ok", "info", "warn", "missing"  # a statement's status
WAVE_NAMES = {
    "pre": "before",
    "post": "right-after",
    "d30": "30-day",
    "d60": "60-day",
    "d90": "90-day",
}
WAVE_DAYS = {"post": 0, "d30": 30, "d60": 60, "d90": 90}  # days after the cohort's end
WAVE_WINDOW = 30  # a follow-up wave can still be sent until the next one is due (30 days on)
WAVE_WHEN = {  # when the next cohorts should get each wave
    "pre": "before they start",
    "post": "right after they end",
    "d30": "30 days after they end",
    "d60": "60 days after they end",
    "d90": "90 days after they end",
}
CLAIM_WAVE = claims_module.WAVE
SURVEY_KIT = "(see the Survey kit)"


@dataclass(frozen=True)
class Statement:
    """One thing the page says: its status, the analysis it concerns, the words, and the gap
    it names (what to collect, as a key the summary counts cohorts by; empty when none)."""

    status: str  # ok | info | warn | missing
    topic: str  # Attendance, Enrolment, Survey waves, Groups
    text: str
    gap: str = ""


@dataclass(frozen=True)
class CohortHealth:
    """One cohort's data: its names (file-derived: escape on display) and statements."""

    cohort_id: str
    name: str
    variant: str
    start: date
    end: date
    statements: tuple[Statement, ...]

    @property
    def status(self) -> str:
        """The worst status among its statements."""
        return worst(s.status for s in self.statements)


@dataclass(frozen=True)
class ProgramHealth:
    """One program and its cohorts."""

    program_id: str
    name: str
    cohorts: tuple[CohortHealth, ...]

    @property
    def status(self) -> str:
        """The worst status among its cohorts."""
        return worst(c.status for c in self.cohorts)


@dataclass(frozen=True)
class ClaimHealth:
    """What one claim still needs (nothing: it has the data for a verdict)."""

    claim: int
    title: str
    needs: tuple[str, ...]

    @property
    def ready(self) -> bool:
        """Whether the claim has the data it needs."""
        return not self.needs


@dataclass(frozen=True)
class Step:
    """Something to collect next, and the claims it would help."""

    text: str
    claims: tuple[int, ...] = ()
    rank: int = 9  # ties on claims: lower first
    cohorts: tuple[str, ...] = ()  # the names of the cohorts it concerns (file-derived)


@dataclass(frozen=True)
class Health:
    """Everything the Data health page says."""

    programs: tuple[ProgramHealth, ...]
    claims: tuple[ClaimHealth, ...]
    steps: tuple[Step, ...]
    dataset: tuple[Statement, ...] = field(default_factory=tuple)


ORDER = (MISSING, WARN, INFO, OK)


def worst(statuses) -> str:
    """The most pressing status of several (ok when there are none)."""
    found = set(statuses)
    return next((s for s in ORDER if s in found), OK)


def day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def due(row: pd.Series, wave: str) -> date:
    """When a wave's survey is due: the start for 'before', else days after the end."""
    if wave == "pre":
        return row["start_date"]
    return row["end_date"] + timedelta(days=WAVE_DAYS[wave])


def closes(row: pd.Series, wave: str) -> date:
    """The last day a wave's survey still makes sense for the cohort: the start for 'before'
    (it asks before the learning), else until the next wave is due."""
    if wave == "pre":
        return row["start_date"]
    return due(row, wave) + timedelta(days=WAVE_WINDOW)
