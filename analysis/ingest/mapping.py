"""Column-meaning proposals: what each column of an export is, and what happens to it at import.

`propose_mapping` reads the header (the tool's own meta columns, then EN/DE/FR/ES wording) and
the values (e-mails, IP addresses, dates, Likert scales, free text), and proposes one role per
column with a confidence, a reason and the personal-data action the person sees before import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from analysis.ingest import mapping_rules as R
from analysis.ingest import tool_columns as T
from analysis.ingest.evidence import MAX_CHOICES, NUMBER, Evidence, column_evidence
from analysis.ingest.mapping_rules import ROLE_LABELS, ROLES, first_match, item_role
from analysis.ingest.multiselect import (
    COLUMNS_SINGLE,
    MultiSelect,
    detect_multi_select,
    question_and_option,
    split_multi,
)
from analysis.ingest.profiles import (
    DROP,
    HASH,
    KEEP,
    ColumnChoice,
    MappingProfile,
    allowed_pii_actions,
    default_pii_action,
    profile_signature,
)
from analysis.ingest.scales import (
    RATING_SCALES,
    SCALES,
    ScaleMatch,
    detect_scale,
    is_not_applicable,
    label_key,
)

__all__ = [
    "DROP", "HASH", "KEEP", "ROLES", "ROLE_LABELS", "ColumnChoice", "ColumnProposal",
    "MappingProfile", "MultiSelect", "apply_profile", "describe_action", "detect_multi_select",
    "item_role", "profile_from_proposals", "profile_signature", "propose_mapping", "split_multi",
]  # fmt: skip

_PLACEHOLDER = re.compile(r"^(column \d+|unnamed: ?\d+|)$")
_RANKING = re.compile(r"\brank|\brang\b|classe[rz]\b|ordena")
_INTENSITY = re.compile(
    r"\b(very|somewhat|extremely|slightly|moderately|not at all|not so|not much|a lot|a little|"
    r"fairly|quite|completely|sehr|eher|etwas|kaum|gar nicht|uberhaupt nicht|ziemlich|tres|"
    r"plutot|assez|peu|pas du tout|muy|algo|poco|nada|bastante)\b"
)
_YOU = re.compile(r"\b(you|your|ihr|ihre|sie|votre|vos|vous|su|tu|usted)\b")
_USES = {
    R.RESPONSE_ID: "used to recognise the same response when a file is imported again",
    R.WAVE: "says which wave (before, right after, 30/60/90 days) each response belongs to",
    R.SESSION_DATE: "the day of each session",
    R.JOIN_TIME: "used with the leave time to count minutes attended",
    R.LEAVE_TIME: "used with the join time to count minutes attended",
    R.MINUTES: "minutes attended",
    R.HOURS: "hours attended, stored as minutes",
    R.USER_ACTION: "pairs joins with leaves, or counts activity",
    R.ATTENDED: "whether the person attended",
    R.ENROLLED_ON: "stored with the enrolment",
    R.COMPLETED_ON: "stored with the enrolment (completion)",
    R.COMPLETION_STATUS: "stored with the enrolment (completion)",
    R.SCORE: "stored with the enrolment",
    R.WORKS_TOGETHER: "whether each group's members work together day to day, taken per group",
}
_SCALE_CANDIDATES = {R.RECOMMEND: ("recommend11", "likelihood5"), R.READINESS: ("readiness6",)}


@dataclass(frozen=True)
class ColumnProposal:
    """The proposed meaning of one column and what the import will do with it."""

    column: str
    role: str
    confidence: float
    reason: str
    scale: ScaleMatch | None = None
    multi_select: str | None = None
    pii_action: str = KEEP
    action: str = ""  # one sentence for the import form ("E-mail: replaced by a keyed hash…")
    question: str = ""
    unknown_labels: tuple[str, ...] = ()  # labels to ask about before values can be stored
    options: tuple[str, ...] = ()
    extra_labels: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class _Guess:
    role: str
    confidence: float
    reason: str
    scale: ScaleMatch | None = None
    unknown: tuple[str, ...] = ()


def _email_guess(key: str, ev: Evidence, header_says: bool, why: str) -> _Guess | None:
    """E-mail columns: confirmed by the values; a manager's e-mail or 'anonymous' is not kept."""
    if ev.email >= 0.5 and R.MANAGER_HEADER.search(key):  # the manager's address
        return _Guess(R.IGNORE, 0.8, "e-mail addresses of the person's manager")
    if ev.email >= 0.5:
        return _Guess(R.PERSON_EMAIL, 0.95 if header_says else 0.85, why or "values are e-mails")
    if header_says and ev.n == 0:
        return _Guess(R.PERSON_EMAIL, 0.7, f"{why or 'header says e-mail'} (no values in sample)")
    if header_says and len(key.split()) <= 4:
        example = ev.distinct[0] if ev.distinct else ""
        return _Guess(R.IGNORE, 0.8, f"no e-mail addresses in the sample (e.g. {example!r})")
    return None


def _meta_guess(role: str, why: str, key: str, ev: Evidence) -> _Guess:
    """A tool's own meta column, with the values checked where they can contradict it."""
    if role in (R.PERSON_EMAIL, R.PERSON_ID) and ev.email >= 0.5:
        return _Guess(R.PERSON_EMAIL, 0.95, f"{why}; values are e-mails")
    if role == R.PERSON_EMAIL:
        return _email_guess(key, ev, True, why) or _Guess(role, 0.9, why)
    return _Guess(role, 0.95, why)


def _scale_for(role: str | None, ev: Evidence) -> ScaleMatch | None:
    """The scale of an item column, restricted to the role's scales where it has them."""
    match = None
    if role in _SCALE_CANDIDATES:
        match = detect_scale(ev.values, _SCALE_CANDIDATES[role])
    match = match or detect_scale(ev.values)
    if match is None:
        return None
    rated = [d for d in ev.distinct if match.mapping.get(d, 0) is not None]
    if match.numeric_only and len(rated) < 3:
        return None  # two numbers say nothing about the scale
    return match


def _item_guess(key: str, role: str | None, ev: Evidence, ms: MultiSelect | None) -> _Guess:
    """A survey question: the role from the header, the scale from the values."""
    said = f"header reads as {ROLE_LABELS[role].lower()}" if role else ""
    if ms is not None:
        match = detect_scale(ms.options) if ms.style == COLUMNS_SINGLE else None
        unknown = match.unknown_labels if match else ()
        return _Guess(role or R.OTHER_ITEM, 0.8, f"{ms.reason}; {said}".strip("; "), match, unknown)
    if _RANKING.search(key):
        return _Guess(R.OTHER_ITEM, 0.6, "ranking question: positions, not a rating scale")
    match = _scale_for(role, ev)
    if match is None and ev.free_text:
        why = "long, varied text answers" + (f" ({said})" if said else "")
        return _Guess(R.COMMENT, 0.85, why)
    if match is not None and match.scale.name == "readiness6":
        role = R.READINESS
    rating = match is not None and match.scale.name in RATING_SCALES and not match.numeric_only
    if role == R.DEMOGRAPHIC and rating:
        role, said = None, ""  # "… our sex life has improved": agreement, not a demographic
    if role == R.DEMOGRAPHIC and match and (match.numeric_only or match.unknown_labels):
        # "What year are you in?" 1–4, or codes such as n / t: categories, not a rating scale
        match = None
    if role is None and ev.dates >= 0.8:
        return _Guess(R.DATE, 0.6, "values are dates")
    on = f"answers on {match.scale.title}" if match else ""
    if match and match.numeric_only:
        on = f"numbers only; looks like {match.scale.title}: confirm the scale"
    unknown = match.unknown_labels if match else ()
    if role in R.RATED_ROLES and match is None:
        unknown = tuple(d for d in ev.distinct if not NUMBER.match(d))
        typed = ev.n >= 8 and len(ev.distinct) >= 0.8 * ev.n  # nearly every answer different
        if len(unknown) > MAX_CHOICES or typed:  # not the options of a scale: typed text
            return _Guess(R.COMMENT, 0.7, f"{len(unknown)} different text answers ({said})")
    if role:
        conf = 0.9 if match and not match.numeric_only else 0.75
        return _Guess(role, conf, "; ".join(x for x in (said, on) if x), match, unknown)
    if match:
        conf = 0.45 if match.numeric_only else 0.6
        return _Guess(R.OTHER_ITEM, conf, on, match, unknown)
    if 3 <= len(ev.distinct) <= 11 and sum(bool(_INTENSITY.search(label_key(d))) for d in
                                           ev.distinct) >= 2:  # fmt: skip
        why = "choices that look like a rating scale the app does not know: give each a number"
        asked = tuple(d for d in ev.distinct if not is_not_applicable(d))
        return _Guess(R.OTHER_ITEM, 0.4, why, None, asked)
    return _Guess(R.OTHER_ITEM, 0.4, "text answers with no known scale")


def _person_guess(role: str, key: str, ev: Evidence, kind: str) -> _Guess | None:
    """A who/where/when header, unless the values say it is something else."""
    if role == R.MANAGER_FLAG:
        yn = detect_scale(ev.values, ("yesno",))
        if ev.n and (yn is None or yn.unknown_labels):
            if kind == R.SURVEY and detect_scale(ev.values):
                return None  # a rating about the manager: a survey item
            return _Guess(R.IGNORE, 0.7, "names the person's manager, not a yes/no flag")
        return _Guess(role, 0.85, "header says manager; yes/no values", yn)
    if role == R.WORKS_TOGETHER:
        yn = detect_scale(ev.values, ("yesno",))
        if ev.n and (yn is None or yn.unknown_labels):
            if kind == R.SURVEY and detect_scale(ev.values):
                return None  # "We work together well", rated: a survey item
            return _Guess(role, 0.5, "header says works together; not every value is yes/no")
        return _Guess(role, 0.85, "header says works together; yes/no values")
    if kind == R.SURVEY and role in (*R.ORG_ROLES, *R.LEARNING_ROLES):
        match = detect_scale(ev.values)
        if match and match.scale.name in RATING_SCALES and not match.numeric_only:
            return None  # "My team …" rated on a scale: a survey item
    return _Guess(role, 0.8, f"header reads as {ROLE_LABELS[role].lower()}")


# Kinds with one row per response or person: an identifier there is (nearly) unique per row.
_ONE_ROW_EACH = (R.SURVEY, R.ROSTER, R.GRADEBOOK, R.UNKNOWN)


def _classify(col: str, label: str, ev: Evidence, kind: str, tool: str,
              ms: MultiSelect | None) -> _Guess:  # fmt: skip
    """The role of one column; an identifier whose values are a category is not one."""
    guess = _classify_header(col, label, ev, kind, tool, ms)
    if guess.role != R.PERSON_ID or kind not in _ONE_ROW_EACH or not ev.category:
        return guess
    why = (f"{len(ev.distinct)} values repeated over {ev.n} rows: a category (such as a "
           "department), not a person identifier")  # fmt: skip
    role = R.DEMOGRAPHIC if kind in (R.SURVEY, R.UNKNOWN) else R.IGNORE
    return _Guess(role, 0.6, f"{guess.reason}, but {why}")


def _classify_header(col: str, label: str, ev: Evidence, kind: str, tool: str,
                     ms: MultiSelect | None) -> _Guess:  # fmt: skip
    """The role of one column from its header: tool meta, personal data, items, who/when."""
    prefix, option = question_and_option(col)
    question = label or prefix
    header = f"{question} | {option}" if option else question
    key = R.ALL_THAT_APPLY.sub("", label_key(header)).strip()
    ckey = label_key(col)
    if _PLACEHOLDER.match(ckey) and not label:
        return _Guess(R.IGNORE, 0.9, "no header")
    meta = T.TOOL_META.get(tool, {})
    for k in (ckey, label_key(label)):
        if k in meta:
            return _meta_guess(*meta[k], key, ev)
    for role, pattern, why in T.TOOL_PATTERNS.get(tool, []):
        if pattern.search(ckey):
            return (
                _meta_guess(role, why, key, ev)
                if role in R.PERSON_ROLES
                else _Guess(role, 0.9, why)
            )
    if ev.files >= 0.8:
        return _Guess(R.IGNORE, 0.8, "file names of attachments")
    if R.IP_HEADER.search(key) or ev.ip >= 0.8:
        return _Guess(R.IP_ADDRESS, 0.9, "IP addresses")
    email_header = bool(R.EMAIL_HEADER.search(key))
    if email_header or ev.email >= 0.8:
        guess = _email_guess(key, ev, email_header, "header says e-mail" if email_header else "")
        if guess:
            return guess
    address = len(key.split()) <= 4 and R.ADDRESS_HEADER.search(key) and not email_header
    if R.LOCATION_HEADER.search(key) or address or ev.geo >= 0.8:
        return _Guess(R.LOCATION, 0.85, "precise location (coordinates, address or postcode)")
    qkey = R.ALL_THAT_APPLY.sub("", label_key(ms.question)).strip() if ms else key
    item_role_hint = first_match(R.ITEM_RULES, qkey) if kind in (R.SURVEY, R.UNKNOWN) else None
    if ms is not None or item_role_hint:
        return _item_guess(key, item_role_hint, ev, ms)
    rules = []
    if kind in (R.ATTENDANCE, R.LMS_LOG, R.UNKNOWN):
        rules += R.ATTENDANCE_RULES
    if kind in (R.GRADEBOOK, R.ROSTER, R.ENROLMENT, R.LMS_LOG, R.UNKNOWN):
        rules += R.ENROLMENT_RULES
    short = len(key.split()) <= 4 or (len(key.split()) <= 8 and _YOU.search(key))
    if kind != R.SURVEY or short:
        rules += R.PERSON_RULES
    role = first_match(rules, key)
    if role is None and re.search(r"\byour (job |current )?role\b", key):
        role = R.JOB_ROLE
    if role is not None:
        guess = _person_guess(role, key, ev, kind)
        if guess is not None:
            return guess
    if kind in (R.SURVEY, R.UNKNOWN):
        return _item_guess(key, None, ev, None)
    if ev.dates >= 0.8:
        return _Guess(R.DATE, 0.6, "values are dates")
    return _Guess(R.IGNORE, 0.4, "not recognised; not imported unless you choose a meaning")


def describe_action(role: str, pii_action: str, kind: str, scale: ScaleMatch | None = None) -> str:
    """The sentence the import form shows for a column: what will be stored, hashed or dropped."""
    label = ROLE_LABELS.get(role, role)
    if pii_action == HASH:
        what = "address" if role == R.PERSON_EMAIL else "identifier"
        return (
            f"{label}: replaced by a keyed hash, so rows join per person; the {what} is not stored."
        )
    if pii_action == DROP:
        if role == R.IGNORE:
            return "Not imported."
        if role in (R.PERSON_NAME, R.FIRST_NAME, R.LAST_NAME) and kind != R.SURVEY:
            return f"{label}: used only to match people once you confirm each match; not stored."
        if role in (R.PERSON_EMAIL, R.PERSON_ID):
            return f"{label}: dropped; rows from this file will not join to people."
        return f"{label}: dropped; not stored."
    if role == R.COMMENT:
        return "Comment: stored as free text; shown only for groups of 10 or more respondents."
    if role in R.ITEM_ROLES and scale is not None:
        s = scale.scale
        if s.kind == "yesno":
            return f"{label}: stored as 1 for yes and 0 for no; yes counts as positive."
        top = s.display_label(s.positive_min, scale.language or "en")
        top = top if NUMBER.match(top) else f"'{top}'"
        return (f"{label}: stored as {s.scale_min:g}–{s.scale_max:g} on {s.title}; "
                f"{top} or higher counts as positive.")  # fmt: skip
    if role == R.DEMOGRAPHIC:
        return "Demographic: stored to split figures; groups below the minimum size stay hidden."
    if role in R.ITEM_ROLES:
        return f"{label}: stored as text answers."
    if role in (*R.ORG_ROLES, *R.LEARNING_ROLES):
        return f"{label}: stored with the pseudonymous person or response, to filter and compare."
    if role == R.DATE:
        when = "the submission time" if kind in (R.SURVEY, R.UNKNOWN) else "the time of each event"
        return f"Date and time: used as {when}."
    return f"{label}: {_USES.get(role, 'stored')}."


def _one_date(props: list[ColumnProposal]) -> list[ColumnProposal]:
    """Keep one submission/event time; other date columns (e.g. the start time) are ignored."""
    dates = [p for p in props if p.role == R.DATE]
    if len(dates) < 2:
        return props

    def rank(p: ColumnProposal) -> int:
        k = label_key(p.column)
        return 2 if R.SUBMITTED_WORDS.search(k) else 0 if R.START_WORDS.search(k) else 1

    chosen = max(dates, key=rank)  # the first of the best rank
    return [
        replace(p, role=R.IGNORE, confidence=0.7,
                reason=f"{p.reason}; '{chosen.column}' is used as the time instead")
        if p.role == R.DATE and p is not chosen else p
        for p in props
    ]  # fmt: skip


def _finish(p: ColumnProposal, kind: str, has_action: bool) -> ColumnProposal:
    """Kind restrictions, attendance dates, the personal-data action and its sentence."""
    role, reason = p.role, p.reason
    if kind == R.ATTENDANCE and role == R.DATE and not has_action:
        role = R.SESSION_DATE
    if role not in R.KIND_ROLES[kind]:
        what = kind.replace("_", " ")
        article = "an" if what[:1] in "aeiou" else "a"
        reason = f"{reason}; {ROLE_LABELS[role].lower()} is not used in {article} {what} import"
        role = R.IGNORE
    pii = default_pii_action(role)
    scale = p.scale if role in R.ITEM_ROLES or role == R.MANAGER_FLAG else None
    return replace(p, role=role, reason=reason, pii_action=pii, scale=scale,
                   action=describe_action(role, pii, kind, scale))  # fmt: skip


# Evidence reads a cell's first characters only: a longer cell is free text, whatever follows
# (and a 10 MB comment would otherwise be normalised character by character, label by label).
EVIDENCE_CHARS = 1000


SPARSE_VALUES = 10  # fewer non-empty cells in the preview: judge the column on `wide`


def _clipped(sample: pd.DataFrame) -> pd.DataFrame:
    """The sample with cells cut to EVIDENCE_CHARS."""
    n = EVIDENCE_CHARS
    return sample.map(lambda v: v[:n] if isinstance(v, str) and len(v) > n else v)


def propose_mapping(
    columns: list[str],
    labels: dict[str, str],
    sample: pd.DataFrame,
    kind: str,
    tool: str,
    wide: pd.DataFrame | None = None,
) -> list[ColumnProposal]:
    """One proposal per column, in column order, for the person to confirm or change.

    `wide`: more rows of the file, for the columns with fewer than SPARSE_VALUES non-empty
    cells in `sample` (a question asked only in later rounds of a survey export)."""
    kind = R.KIND_ALIASES.get(kind, kind)
    kind = kind if kind in R.KIND_ROLES else R.UNKNOWN
    tool = T.TOOL_ALIASES.get(tool, tool)
    sample = _clipped(sample)
    multi = {c: m for m in detect_multi_select(columns, labels, sample, tool) for c in m.columns}
    props = []
    for col in columns:
        label = labels.get(col, "")
        ms = multi.get(col)
        ev = column_evidence(sample, col)
        if wide is not None and ev.n < SPARSE_VALUES and col in wide:
            ev = column_evidence(_clipped(wide[[col]]), col)
        g = _classify(col, label, ev, kind, tool, ms)
        props.append(ColumnProposal(
            col, g.role, g.confidence, g.reason, g.scale,
            ms.style if ms and g.role in R.ITEM_ROLES else None,
            question=label or question_and_option(col)[0], unknown_labels=g.unknown,
            options=ms.options if ms else (),
        ))  # fmt: skip
    props = _one_date(props)
    has_action = any(p.role == R.USER_ACTION for p in props)
    return [_finish(p, kind, has_action) for p in props]


def profile_from_proposals(
    name: str, tool: str, kind: str, proposals: Iterable[ColumnProposal]
) -> MappingProfile:
    """A profile that remembers the confirmed proposals for the next export of the same form."""
    proposals = list(proposals)
    choices = {
        p.column: ColumnChoice(p.role, p.pii_action, p.scale.scale.name if p.scale else None,
                               dict(p.extra_labels), p.multi_select, p.options)
        for p in proposals
    }  # fmt: skip
    return MappingProfile(name, tool, kind, profile_signature(p.column for p in proposals), choices)


def apply_profile(
    proposals: list[ColumnProposal], profile: MappingProfile, kind: str | None = None
) -> list[ColumnProposal]:
    """Proposals with the saved choices applied (columns the profile does not know keep theirs).

    `kind`: what this import is (default: the profile's); a saved role that kind does not use
    leaves the column's own proposal in place.
    """
    kind = R.KIND_ALIASES.get(kind or profile.kind, kind or profile.kind)
    allowed = R.KIND_ROLES.get(kind, R.KIND_ROLES[R.UNKNOWN])
    out = []
    for p in proposals:
        c = profile.choice_for(p.column)
        if c is None or c.role not in allowed:
            out.append(p)
            continue
        pii = c.pii_action if c.pii_action in allowed_pii_actions(c.role) else DROP
        scale = p.scale
        if c.scale in SCALES and (scale is None or scale.scale.name != c.scale):
            seen = [*scale.mapping, *scale.unknown_labels] if scale else []
            scale = detect_scale(seen, (c.scale,))
        out.append(replace(
            p, role=c.role, pii_action=pii, confidence=1.0, scale=scale,
            reason=f"saved profile '{profile.name}'", extra_labels=dict(c.extra_labels),
            multi_select=c.multi_select, options=c.options or p.options,
            action=describe_action(c.role, pii, kind if kind in R.KIND_ROLES else R.UNKNOWN, scale),
        ))  # fmt: skip
    return out
