"""Column helpers for building rows: people's keys, dates, numbers, yes/no, per-row rejections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from analysis.ingest import mapping_rules as R
from analysis.ingest.datetimes import parse_dates
from analysis.ingest.keys import EMAIL, EMPLOYEE_ID, NAME, PersonHasher
from analysis.ingest.model import DecodedTable
from analysis.ingest.plan import Link
from analysis.ingest.profiles import DROP, MappingProfile
from analysis.store import Store

YES = R.YES_WORDS
NO = R.NO_WORDS
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

# Why an attendance or enrolment row has no group: the file names none and the person is not
# enrolled in one of the cohort's (several) groups.
NO_GROUP = (
    "no group: the row names none and the person is not enrolled in one of the cohort's "
    "groups (import the enrolment list first, or map a group column)"
)


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
    through aliases learnt from files that carry both, else hashed on its own. Of several
    e-mail columns (Qualtrics' empty RecipientEmail beside an e-mail question), the first one
    filled in each row counts.
    """
    id_col = first_column(profile, R.PERSON_ID)
    name = _full_names(frame, profile)
    by_email = _none(frame)
    for email_col in columns_for(profile, R.PERSON_EMAIL):
        if profile.columns[email_col].pii_action != DROP:
            by_email = by_email.where(by_email.notna(), _hash(frame[email_col], EMAIL, hasher))
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
    """alias (id or name key) → e-mail key, where a row carries both.

    An alias beside two different e-mails (two colleagues called Sam Lee) identifies neither:
    it is left out, rather than given to whichever row came first (the rows of a large file
    arrive in no fixed order, so that would change from one import of the file to the next).
    """
    parts = []
    for other in (by_id, by_name):
        both = by_email.notna() & other.notna()
        parts.append(pd.DataFrame({"alias_key": other[both], "person_key": by_email[both]}))
    pairs = pd.concat(parts, ignore_index=True).drop_duplicates()
    out = pairs[~pairs["alias_key"].duplicated(keep=False)]
    return out.sort_values("alias_key", ignore_index=True).astype(object)


def _known_aliases(store: Store, alias_keys: Iterable[str]) -> dict[str, str]:
    keys = list(alias_keys)
    if not keys:
        return {}
    df = store.query(  # an alias stored for two people (imports apart) identifies neither
        "SELECT alias_key, min(person_key) AS person_key FROM person_aliases "
        "WHERE alias_key IN (SELECT unnest($keys)) GROUP BY alias_key "
        "HAVING count(DISTINCT person_key) = 1",
        {"keys": keys},
    )
    return dict(zip(df["alias_key"], df["person_key"], strict=True))


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
