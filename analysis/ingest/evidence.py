"""What a column's sample values look like: e-mails, IP addresses, dates, numbers, free text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from analysis.ingest.scales import distinct_labels

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
GEO = re.compile(r"^-?\d{1,3}\.\d{3,}( -?\d{1,3}\.\d{3,})( -?\d+(\.\d+)?){0,2}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
DMY = re.compile(
    r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}(,?\s+\d{1,2}:\d{2}(:\d{2})?(\s?[ap]\.?\s?m\.?)?)?$", re.I
)  # \s: no-break spaces too (3/11/2026, 4:08:12 p. m.)
FILE = re.compile(r"\.(jpe?g|png|gif|heic|webp|mp4|mov|m4a|mp3|wav|pdf|docx?)$", re.I)
NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?$")
MAX_CHOICES = 11  # the most options an answer scale has (0–10 for recommending)
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Evidence:
    """What the sample values of one column look like (shares of the non-empty cells)."""

    values: list[object]
    distinct: list[str]
    email: float = 0.0
    ip: float = 0.0
    geo: float = 0.0
    dates: float = 0.0
    times: float = 0.0
    numeric: float = 0.0
    mean_len: float = 0.0
    files: float = 0.0
    mean_words: float = 0.0

    @property
    def n(self) -> int:
        """Number of non-empty cells in the sample."""
        return len(self.values)

    @property
    def category(self) -> bool:
        """A few values repeated over the rows ("Sales", "IT", …): a category, not one value
        per person. E-mail addresses and codes with digits (E1001) are not categories."""
        if self.n < 5 or self.email >= 0.5 or len(self.distinct) > self.n / 2:
            return False
        coded = sum(1 for d in self.distinct if _DIGIT.search(d))
        return coded < 0.5 * len(self.distinct)

    @property
    def free_text(self) -> bool:
        """Typed answers, not choices: long and varied, or sentences, most given once."""
        if self.n < 3 or self.numeric > 0.5 or self.dates > 0.5:
            return False
        ratio = len(self.distinct) / self.n
        return (
            (self.mean_len >= 25 and ratio >= 0.5)
            or (self.n >= 5 and self.mean_len >= 12 and ratio >= 0.8)
            or (self.n >= 5 and self.mean_words >= 3 and ratio >= 0.8)
        )


def column_evidence(sample: pd.DataFrame, column: str) -> Evidence:
    """Value shares for one column of the sample (empty evidence when the column is absent)."""
    if column not in sample:
        return Evidence([], [])
    col = sample[column]
    if isinstance(col, pd.DataFrame):  # duplicate names: look at the first
        col = col.iloc[:, 0]
    values = [v for v in col.tolist() if v is not None and v == v and str(v).strip()]
    if not values:
        return Evidence([], [])
    texts = [str(v).strip() for v in values]
    n = len(texts)

    def share(pred: Callable[[str], bool]) -> float:
        return sum(1 for t in texts if pred(t)) / n

    is_dt = [isinstance(v, datetime | date | pd.Timestamp) for v in values]
    dates = max(sum(is_dt) / n, share(lambda t: bool(ISO.match(t) or DMY.match(t))))
    times = share(lambda t: ":" in t) if dates else 0.0
    return Evidence(
        values, distinct_labels(values), share(lambda t: bool(EMAIL.match(t))),
        share(lambda t: bool(IPV4.match(t))), share(lambda t: bool(GEO.match(t))), dates,
        times, share(lambda t: bool(NUMBER.match(t))), sum(len(t) for t in texts) / n,
        share(lambda t: bool(FILE.search(t))), sum(len(t.split()) for t in texts) / n,
    )  # fmt: skip
