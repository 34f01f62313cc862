"""Column helpers for building rows: people's keys, dates, numbers, yes/no, per-row rejections."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.ingest import mapping_rules as R
from analysis.ingest.keys import EMAIL, EMPLOYEE_ID, NAME, PersonHasher
from analysis.ingest.model import DecodedTable
from analysis.ingest.plan import Link
from analysis.ingest.profiles import DROP, MappingProfile
from analysis.store import Store

YES = frozenset({"yes", "y", "true", "1", "x", "ja", "oui", "si", "sí", "wahr", "vrai"})
NO = frozenset({"no", "n", "false", "0", "nein", "non", "falsch", "faux"})
DONE = frozenset(
    {
        "complete",
        "completed",
        "passed",
        "pass",
        "done",
        "finished",
        "abgeschlossen",
        "bestanden",
        "terminé",
        "termine",
        "completado",
        "aprobado",
    }
)


# A UTC offset after a time ("10:00:09.772+06:00", "06:36:01Z"): dropped, keeping wall-clock time
_TZ_SUFFIX = re.compile(r"(\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$")
_ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}"


class ImportRefused(ValueError):
    """The file cannot be imported as mapped; the message says why in one line."""


def need_rows(table: DecodedTable) -> None:
    """Refuse a file without a single row of data (a header alone, or blank lines under it)."""
    if table.n_rows == 0 and not table.dropped_rows and not table.truncated:
        raise ImportRefused("the file has no rows of data under its header")


class Rejections:
    """Rejected source rows with reasons; a row rejected once stays out of every table."""

    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []
        self.rows: set[int] = set()

    def add(self, rows: Iterable[int], reason: str) -> None:
        """Reject these row numbers for one reason."""
        for row in rows:
            self.items.append((int(row), reason))
            self.rows.add(int(row))

    def add_mask(self, frame: pd.DataFrame, mask: pd.Series, reason: str) -> pd.DataFrame:
        """Reject the rows where mask is true and return the others."""
        self.add(frame.loc[mask, "_row"], reason)
        return frame.loc[~mask]


def columns_for(profile: MappingProfile, roles: str | tuple[str, ...]) -> list[str]:
    """The columns mapped to a role (or roles), in column order, excluding dropped ones."""
    wanted = (roles,) if isinstance(roles, str) else roles
    return [c for c, ch in profile.columns.items() if ch.role in wanted]


def first_column(profile: MappingProfile, role: str) -> str | None:
    """The first column mapped to a role."""
    cols = columns_for(profile, role)
    return cols[0] if cols else None


def person_keys(
    frame: pd.DataFrame,
    profile: MappingProfile,
    hasher: PersonHasher,
    store: Store,
    match_names: bool,
) -> tuple[pd.Series, pd.DataFrame]:
    """Each row's person key (None when unknown) and the aliases this file teaches.

    E-mail wins; an employee id or (when the person confirmed it) a full name is resolved
    through aliases learnt from files that carry both, else hashed on its own.
    """
    email_col = first_column(profile, R.PERSON_EMAIL)
    id_col = first_column(profile, R.PERSON_ID)
    name = _full_names(frame, profile)
    by_email = _hash(frame[email_col], EMAIL, hasher) if email_col else _none(frame)
    if email_col and profile.columns[email_col].pii_action == DROP:
        by_email = _none(frame)
    by_id = _hash(frame[id_col], EMPLOYEE_ID, hasher) if id_col else _none(frame)
    if id_col and profile.columns[id_col].pii_action == DROP:
        by_id = _none(frame)
    by_name = _hash(name, NAME, hasher) if name is not None else _none(frame)
    aliases = _alias_rows(by_email, by_id, by_name)
    known = _known_aliases(store, pd.concat([by_id, by_name]).dropna().unique())
    known.update(dict(zip(aliases["alias_key"], aliases["person_key"], strict=True)))
    resolved_id = by_id.map(lambda k: known.get(k, k) if k else None)
    resolved_name = by_name.map(lambda k: known.get(k, k) if k else None)
    if not match_names:
        resolved_name = _none(frame)
    key = by_email.where(by_email.notna(), resolved_id)
    key = key.where(key.notna(), resolved_name)
    return key, aliases


def _none(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _hash(values: pd.Series, kind: str, hasher: PersonHasher) -> pd.Series:
    """Hash each distinct value once."""
    lookup = hasher.keys(kind, values.tolist())
    return values.map(lambda v: lookup.get(v)).astype(object)


def _full_names(frame: pd.DataFrame, profile: MappingProfile) -> pd.Series | None:
    """One full-name series from a name column, or first + last name columns."""
    name_col = first_column(profile, R.PERSON_NAME)
    if name_col:
        return frame[name_col]
    first, last = first_column(profile, R.FIRST_NAME), first_column(profile, R.LAST_NAME)
    if first and last:
        return (frame[first].fillna("") + " " + frame[last].fillna("")).str.strip()
    return None


def _alias_rows(by_email: pd.Series, by_id: pd.Series, by_name: pd.Series) -> pd.DataFrame:
    """alias (id or name key) → e-mail key, where a row carries both."""
    parts = []
    for other in (by_id, by_name):
        both = by_email.notna() & other.notna()
        parts.append(pd.DataFrame({"alias_key": other[both], "person_key": by_email[both]}))
    out = pd.concat(parts, ignore_index=True).drop_duplicates("alias_key")
    return out.astype(object)


def _known_aliases(store: Store, alias_keys: Iterable[str]) -> dict[str, str]:
    keys = list(alias_keys)
    if not keys:
        return {}
    df = store.query(
        "SELECT alias_key, min(person_key) AS person_key FROM person_aliases "
        "WHERE alias_key IN (SELECT unnest($keys)) GROUP BY alias_key",
        {"keys": keys},
    )
    return dict(zip(df["alias_key"], df["person_key"], strict=True))


def parse_dates(values: pd.Series, day_first: bool | None) -> pd.Series:
    """Timestamps from text (ISO, day- or month-first, Teams' "d/m/yyyy, hh:mm"); NaT if not."""
    text = values.astype(object).where(values.notna(), None)
    uniq = pd.Series(pd.unique(text.dropna()), dtype=object)
    if uniq.empty:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    cleaned = uniq.str.replace(r"(\d), (\d)", r"\1 \2", regex=True).str.strip()
    # Mixed offsets would not parse together; ISO dates are year-month-day in any file.
    cleaned = cleaned.str.replace(_TZ_SUFFIX, r"\1", regex=True)
    iso = cleaned.str.match(_ISO_DATE).astype(bool)
    other = _to_datetime(cleaned[~iso], dayfirst=bool(day_first))
    iso_parsed = _to_datetime(cleaned[iso])
    parsed = pd.concat([iso_parsed, other]).reindex(cleaned.index)
    lookup = dict(zip(uniq, parsed, strict=True))
    return pd.to_datetime(text.map(lookup), errors="coerce")


def _to_datetime(text: pd.Series, dayfirst: bool = False) -> pd.Series:
    """Wall-clock timestamps, NaT where not a date. The clean-up removed every real offset, so
    text still read with one is not a date ('06/01/2025;2025-01-06' reads as 20:25 -06:00):
    NaT, and it no longer fails the whole column for mixing time zones."""
    try:
        parsed = pd.to_datetime(text, format="mixed", dayfirst=dayfirst, errors="coerce")
    except ValueError:  # naive and offset values mixed: one by one (rare, and few values)
        return pd.Series(
            [_naive_or_nat(v, dayfirst) for v in text], index=text.index, dtype="datetime64[ns]"
        )
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):  # every value read with an offset
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    return parsed


def _naive_or_nat(value: str, dayfirst: bool) -> pd.Timestamp:
    """One value as a timestamp; NaT when it is not a date or reads with an offset."""
    stamp = pd.to_datetime(value, format="mixed", dayfirst=dayfirst, errors="coerce")
    return pd.NaT if stamp is pd.NaT or stamp.tzinfo is not None else stamp


def yes_no(values: pd.Series, truthy: frozenset[str] = YES) -> pd.Series:
    """True / False / None from yes-no text in several languages."""
    low = (
        values.astype(object)
        .where(values.notna(), None)
        .map(lambda v: None if v is None else str(v).strip().casefold())
    )
    return low.map(lambda v: True if v in truthy else (False if v in NO else None))


def numbers(values: pd.Series, decimal_comma: bool) -> pd.Series:
    """Floats from text, honouring a decimal comma; NaN where not a number."""
    text = values.astype(object).where(values.notna(), None).astype("string")
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(text.str.strip(), errors="coerce")


def lookup_ids(values: pd.Series, known: Mapping[str, str], ignore_case: bool = True) -> pd.Series:
    """Map names or ids to known ids (case-insensitively); None where unknown."""
    table = {(k.casefold() if ignore_case else k): v for k, v in known.items()}
    return values.map(
        lambda v: None if v is None or pd.isna(v) else table.get(str(v).strip().casefold())
    )


def kept(frame: pd.DataFrame, rej: Rejections) -> pd.DataFrame:
    return frame[~frame["_row"].isin(rej.rows)]


def need_person(
    frame: pd.DataFrame, profile: MappingProfile, link: Link, rej: Rejections
) -> pd.DataFrame:
    """Reject rows without a person; say why when only a name was there."""
    has_name = bool(columns_for(profile, (R.PERSON_NAME, R.FIRST_NAME, R.LAST_NAME)))
    reason = "no e-mail or employee id"
    if has_name and not link.match_names:
        reason += " (only a name: confirm matching people by full name to use it)"
    return rej.add_mask(frame, frame["_person"].isna(), reason)


def date_or_none(frame, col, day_first, rej) -> pd.Series:
    if not col:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    parsed = parse_dates(frame[col], day_first)
    rej.add(frame.loc[frame[col].notna() & parsed.isna(), "_row"], f"{col}: unreadable date")
    return parsed
