"""What an import will do before it does it: the link to the learning, the rows, the rejections."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.domain import FORMATS, VARIANT_FORMAT, VARIANTS, WAVES
from analysis.store import Store


@dataclass(frozen=True)
class NewCohort:
    """A cohort created by the import form (with its program and, optionally, one group)."""

    name: str
    format: str
    variant: str
    start_date: date
    end_date: date
    scheduled_sessions: int = 0
    planned_weeks: int | None = None
    program_id: str | None = None  # an existing program, or…
    program_name: str | None = None  # …a new one by name
    program_goal: str | None = None
    group_name: str | None = None  # one group for the whole cohort when given
    works_together: bool | None = None

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ValueError(f"unknown format {self.format!r}")
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown variant {self.variant!r}")
        if self.variant != "other" and VARIANT_FORMAT[self.variant] != self.format:
            raise ValueError(f"{self.variant} is a {VARIANT_FORMAT[self.variant]} variant")
        if self.end_date < self.start_date:
            raise ValueError("the cohort ends before it starts")
        if not (self.program_id or self.program_name):
            raise ValueError("a new cohort needs a program")

    @property
    def cohort_id(self) -> str:
        """A stable id from the cohort's name and start date."""
        return "c-" + _digest(self.name, self.start_date.isoformat())

    @property
    def weeks(self) -> int:
        """Planned weeks: given, or the whole weeks between start and end (at least 1)."""
        return self.planned_weeks or max(1, -(-((self.end_date - self.start_date).days + 1) // 7))


@dataclass(frozen=True)
class Link:
    """Where the rows of an upload belong, chosen in the form or on the command line."""

    cohort_id: str | None = None
    new_cohort: NewCohort | None = None
    group_id: str | None = None
    wave: str | None = None  # None: from a wave column, else derived from submission dates
    match_names: bool = False  # the person confirmed matching people by full name

    def __post_init__(self) -> None:
        if self.wave is not None and self.wave not in WAVES:
            raise ValueError(f"unknown wave {self.wave!r}; use one of {', '.join(WAVES)}")


# The tables that hold what a file says (the others only make it fit: cohorts, aliases…).
DATA_TABLES = (
    "person_records",
    "enrolment_records",
    "attendance",
    "survey_responses",
    "survey_answers",
)


@dataclass
class ImportPlan:
    """Everything one import would write, and every row it could not take with the reason."""

    file_name: str
    file_sha256: str
    tool: str
    kind: str
    profile_name: str | None
    rows_read: int
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # large ones may be Arrow
    rejected: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What will import but probably not as meant (a cohort's calendar that does not fit the file)
    warnings: list[str] = field(default_factory=list)
    duplicate_of: int | None = None  # the import id of the same file imported before
    # Responses whose wave was worked out from their submission date and the cohort's dates
    derived_waves: list[str] = field(default_factory=list)
    # Rows of people forgotten on request that the commit will drop, per table (set by
    # prepare), and that it did drop (set by commit)
    forgotten_expected: dict[str, int] = field(default_factory=dict)
    forgotten_dropped: dict[str, int] = field(default_factory=dict)

    @property
    def forgotten_rows(self) -> int:
        """Rows of forgotten people the commit dropped (derived-wave bookkeeping not counted)."""
        return sum(n for t, n in self.forgotten_dropped.items() if t != "derived_waves")

    @property
    def rows_rejected(self) -> int:
        """Source rows that will not be imported."""
        return len({row for row, _ in self.rejected})

    @property
    def rows_accepted(self) -> int:
        """Source rows that will be imported."""
        return max(self.rows_read - self.rows_rejected, 0)

    @property
    def nothing_to_import(self) -> bool:
        """True when no row can be taken: importing would write only a cohort or aliases."""
        return self.rows_accepted == 0 or not any(len(self.tables.get(t, ())) for t in DATA_TABLES)

    def nothing_reason(self) -> str:
        """Why nothing can be imported, in one line: the rows and their commonest reason."""
        if not self.rows_read:
            return "the file has no data rows"
        reasons = Counter(why for _, why in self.rejected)
        if not reasons:
            return f"none of the {self.rows_read:,} rows holds anything to import"
        why, n = reasons.most_common(1)[0]
        return (
            f"none of the {self.rows_read:,} rows can be imported; "
            f"the commonest reason ({n:,} {'row' if n == 1 else 'rows'}): {why}"
        )

    def rejected_frame(self) -> pd.DataFrame:
        """Rejected rows (row number in the file, reason), for display and download."""
        return pd.DataFrame(self.rejected, columns=["row", "reason"]).sort_values("row")

    def counts(self) -> dict[str, int]:
        """Rows to write per table."""
        return {t: len(df) for t, df in self.tables.items() if len(df)}


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:12]


def stable_id(prefix: str, *parts: object) -> str:
    """A short id that is the same for the same parts on every import (for de-duplication)."""
    return f"{prefix}-{_digest(*parts)}"


def previous_import(store: Store, file_sha256: str) -> int | None:
    """The import that already brought in this exact file, if any."""
    row = store.query(
        "SELECT min(import_id) AS i FROM imports WHERE file_sha256 = $h", {"h": file_sha256}
    )["i"]
    return int(row.iloc[0]) if len(row) and pd.notna(row.iloc[0]) else None


def file_digest(data: bytes | None, path: Path | None = None) -> str:
    """SHA-256 of an uploaded file: the same file twice is recognised and adds nothing.

    Without `data`, the file at `path` is hashed as it is read, never held whole in memory.
    """
    if data is not None:
        return hashlib.sha256(data).hexdigest()
    if path is None:
        raise ValueError("file_digest needs the file's bytes or its path")
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def file_scan(data: bytes | None, path: Path | None = None) -> tuple[str, int]:
    """(SHA-256, number of NUL bytes) of an upload, from one pass over it (see file_digest)."""
    if data is not None:
        return hashlib.sha256(data).hexdigest(), _nuls(data)
    if path is None:
        raise ValueError("file_scan needs the file's bytes or its path")
    digest, nul = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            nul += _nuls(chunk)
    return digest.hexdigest(), nul


def _nuls(chunk: bytes) -> int:
    """NUL bytes in a chunk: looked for with memchr first (a clean file is the rule), counted
    only when there is one; counting every byte of a 100 MB file slowed the import by 0.1 s."""
    return chunk.count(0) if chunk.find(0) != -1 else 0


def whole_file(data: bytes | None, path: Path | None) -> bytes:
    """An upload's bytes: as given, else read from `path` (the command line reads only what
    it needs, and DuckDB reads a UTF-8 file itself)."""
    if data is not None:
        return data
    if path is None:
        raise ValueError("whole_file needs the file's bytes or its path")
    return path.read_bytes()
