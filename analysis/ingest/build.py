"""Turn a decoded, mapped table into the rows of an import plan, kind by kind (nothing written)."""

from __future__ import annotations

import pandas as pd

from analysis.domain import WAVE_LABELS, WAVES
from analysis.ingest import mapping_rules as R
from analysis.ingest.keys import PersonHasher
from analysis.ingest.model import DecodedTable
from analysis.ingest.multiselect import (
    COLUMNS,
    COLUMNS_SINGLE,
    question_and_option,
    split_multi,
)
from analysis.ingest.plan import ImportPlan, Link, stable_id
from analysis.ingest.profiles import MappingProfile
from analysis.ingest.rows import (
    DONE,
    NO_GROUP,
    ImportRefused,
    Rejections,
    columns_for,
    date_or_none,
    first_column,
    kept,
    need_person,
    need_rows,
    parse_dates,
    person_keys,
    yes_no,
)
from analysis.ingest.scales import apply_scale, label_key
from analysis.ingest.targets import Target, resolve_target, target_tables
from analysis.store import Store

WAVE_WORDS = {
    "pre": "pre",
    "before": "pre",
    "baseline": "pre",
    "post": "post",
    "after": "post",
    "right after": "post",
    "30": "d30",
    "d30": "d30",
    "30 days": "d30",
    "60": "d60",
    "d60": "d60",
    "60 days": "d60",
    "90": "d90",
    "d90": "d90",
    "90 days": "d90",
    # the wave names the app shows ("30 days after"): the survey kit's wave answers
    **{label_key(label): wave for wave, label in WAVE_LABELS.items()},
}


DERIVED = "derived_waves"


def build_plan(
    store: Store,
    table: DecodedTable,
    profile: MappingProfile,
    link: Link,
    hasher: PersonHasher,
    *,
    file_name: str,
    file_sha256: str,
) -> ImportPlan:
    """The rows one import would write and the rows it rejects, with reasons; writes nothing."""
    kind = R.KIND_ALIASES.get(profile.kind, profile.kind)
    need_rows(table)
    plan = ImportPlan(
        file_name, file_sha256, table.detection.tool, kind, profile.name, rows_read=table.n_rows
    )
    plan.rejected.extend(table.dropped_rows)
    plan.rows_read += len(table.dropped_rows)
    plan.notes.extend(table.detection.notes)
    plan.warnings.extend(table.warnings)
    dup = store.query(
        "SELECT min(import_id) AS i FROM imports WHERE file_sha256 = $h", {"h": file_sha256}
    )["i"]
    if len(dup) and pd.notna(dup.iloc[0]):
        plan.duplicate_of = int(dup.iloc[0])
        plan.notes.append(f"this exact file was already imported (import {plan.duplicate_of})")
        return plan
    frame = table.frame.copy()
    frame["_row"] = pd.Series(table.source_rows(), index=frame.index, dtype="int64")
    rej = Rejections()
    keys, aliases = person_keys(frame, profile, hasher, store, link.match_names)
    frame["_person"] = keys
    builders = {
        R.SURVEY: _survey,
        R.ROSTER: _roster,
        R.ENROLMENT: _enrolment,
        R.GRADEBOOK: _gradebook,
    }
    if kind in (R.ATTENDANCE, R.LMS_LOG):  # shaped in SQL: see presence_sql.build_presence_plan
        raise ValueError("attendance and LMS files are planned by service.prepare")
    if kind not in builders:
        kinds = ", ".join([*builders, R.ATTENDANCE, R.LMS_LOG])
        raise ImportRefused(f"choose what this file holds: {kinds}")
    target = resolve_target(store, link, frame, profile, rej, needs_cohort=kind != R.ROSTER)
    tables = builders[kind](store, frame, profile, link, target, rej, table)
    derived = tables.pop(DERIVED, None)
    if derived is not None:
        plan.derived_waves = derived["response_id"].tolist()
    tables["person_aliases"] = aliases
    tables.update(target_tables(target))
    plan.tables = {t: df for t, df in tables.items() if len(df)}
    plan.rejected.extend(rej.items)
    if target.notes:
        plan.notes.extend(target.notes)
    plan.warnings.extend(target.warnings)
    return plan


def derive_waves(submitted: pd.Series, start: pd.Series, end: pd.Series) -> pd.Series:
    """Each answer's wave from its submission date and its cohort's start and end: before the
    start pre; up to 14 days after the end post; then 30, 60 and 90 days (up to 45, 75, later).
    None where the date is missing."""
    submitted = pd.to_datetime(submitted)
    days = (submitted - pd.to_datetime(end)).dt.days
    wave = pd.Series(None, index=submitted.index, dtype=object)
    wave[submitted < pd.to_datetime(start)] = "pre"
    after = submitted >= pd.to_datetime(start)
    for limit, name in ((14, "post"), (45, "d30"), (75, "d60"), (10**6, "d90")):
        wave[after & wave.isna() & (days <= limit)] = name
    return wave


def _waves(
    frame: pd.DataFrame,
    profile: MappingProfile,
    link: Link,
    target: Target,
    rej: Rejections,
    submitted: pd.Series,
) -> pd.Series:
    """Each row's wave: from the form, a wave column, or the submission date vs the cohort."""
    if link.wave:
        return pd.Series(link.wave, index=frame.index)
    col = first_column(profile, R.WAVE)
    if col:
        wave = frame[col].map(lambda v: WAVE_WORDS.get(label_key(v)) if v else None)
        rej.add_mask(frame, wave.isna(), f"{col}: not a known wave ({', '.join(WAVES)})")
        return wave
    start = frame["_cohort"].map(target.cohort_start)
    end = frame["_cohort"].map(target.cohort_end)
    wave = derive_waves(submitted, start, end)
    unknown = wave.isna() & ~frame["_row"].isin(rej.rows)  # not again for an unreadable date
    rej.add_mask(frame, unknown, "no wave chosen and no submission date to derive it from")
    return wave


def _survey(store, frame, profile, link, target, rej, table) -> dict[str, pd.DataFrame]:
    """survey_responses, survey_answers, survey_items and respondents' org data."""
    date_col = first_column(profile, R.DATE)
    submitted = (
        parse_dates(frame[date_col], table.detection.day_first)
        if date_col
        else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    )
    if date_col:
        bad = frame[date_col].notna() & submitted.isna()
        rej.add_mask(frame, bad, f"{date_col}: unreadable date")
    frame["_wave"] = _waves(frame, profile, link, target, rej, submitted)
    frame["_submitted"] = submitted
    items, answers = _answers(frame, profile, table, rej)
    frame = kept(frame, rej)
    has_answer = frame["_row"].isin(answers["_row"])
    frame = rej.add_mask(frame, ~has_answer, "no answers")
    frame["_response"] = _response_ids(frame, profile, answers)
    dup_in_file = frame["_response"].duplicated()
    frame = rej.add_mask(frame, dup_in_file, "duplicate of an earlier row in this file")
    existing = set(
        store.query(
            "SELECT response_id FROM survey_responses WHERE response_id IN (SELECT unnest($ids))",
            {"ids": frame["_response"].tolist()},
        )["response_id"]
    )
    frame = rej.add_mask(
        frame, frame["_response"].isin(existing), "duplicate of a response already imported"
    )
    responses = pd.DataFrame(
        {
            "response_id": frame["_response"],
            "person_key": frame["_person"],
            "cohort_id": frame["_cohort"],
            # Only a group the file or form names: else the group is resolved when figures
            # are computed (the person's enrolment), so a later enrolment list counts too.
            "group_id": frame["_group_named"],
            "wave": frame["_wave"],
            "submitted_at": frame["_submitted"],
        }
    )
    answers = answers.merge(
        frame[["_row", "_response"]].rename(columns={"_response": "response_id"}), on="_row"
    )
    answers = answers[["response_id", "item_id", "value", "text"]]
    known = set(store.query("SELECT item_id FROM survey_items")["item_id"])
    items = items[~items["item_id"].isin(known) & items["item_id"].isin(answers["item_id"])]
    derived = link.wave is None and not first_column(profile, R.WAVE)
    return {
        "survey_responses": responses,
        "survey_answers": answers,
        "survey_items": items,
        "person_records": _org_records(frame, profile),
        # bookkeeping, not a table of the plan: which waves the dates worked out
        DERIVED: responses[["response_id"]] if derived else responses.iloc[:0, :1],
    }


def _answers(frame, profile, table, rej) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long answers (row, item, value, text) and the item catalogue entries they need."""
    items, parts = [], []
    taken: set[str] = set()
    for col in columns_for(profile, R.ITEM_ROLES):
        choice = profile.columns[col]
        text = _item_text(col, table.labels, taken)
        scale = choice.resolve_scale()
        item_id = stable_id("q", label_key(text), choice.scale or "text")
        items.append(
            {
                "item_id": item_id,
                "text": text,
                "role": R.item_role(choice.role),
                "scale": choice.scale or "text",
                "scale_min": scale.scale_min if scale else None,
                "scale_max": scale.scale_max if scale else None,
                "positive_min": scale.positive_min if scale else None,
            }
        )
        values = frame[col]
        part = pd.DataFrame(
            {"_row": frame["_row"], "item_id": item_id, "value": None, "text": None}
        )
        if scale is not None and choice.multi_select not in (COLUMNS,):
            scaled = apply_scale(values.tolist(), scale, choice.extra_labels)
            part["value"] = scaled.values
            for off in scaled.off_scale:
                rej.add([frame["_row"].iloc[off.row]], f"{col}: {off.reason}")
        elif choice.multi_select in (COLUMNS, COLUMNS_SINGLE):
            part["value"] = values.notna().astype(float)
        elif choice.multi_select:
            part["text"] = values.map(
                lambda v, ch=choice: (
                    "; ".join(split_multi(v, ch.multi_select, ch.options))
                    if v is not None
                    else None
                )
            )
        else:
            part["text"] = values
        parts.append(part[part["value"].notna() | part["text"].notna()])
    cols = ["_row", "item_id", "value", "text"]
    answers = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    answers["_row"] = answers["_row"].astype("int64")  # also when there is no answer at all
    answers["value"] = pd.to_numeric(answers["value"], errors="coerce")
    answers = answers.astype({"text": object})
    item_cols = ["item_id", "text", "role", "scale", "scale_min", "scale_max", "positive_min"]
    items_df = pd.DataFrame(items, columns=item_cols).drop_duplicates("item_id")
    return items_df, answers


def _item_text(col: str, labels: dict[str, str], taken: set[str]) -> str:
    """A column's question text, with its option (matrix row, checkbox) and unique in the file.

    Options of one question share the question text, and duplicated headers share all of it:
    without the option, or the (unique) column name, they would become one item.
    """
    question, option = question_and_option(col)
    text = labels.get(col) or question
    if option and not label_key(text).endswith(label_key(option)):
        text = f"{text} | {option}"
    if label_key(text) in taken:
        text = col if label_key(col) not in taken else f"{text} [{col}]"
    taken.add(label_key(text))
    return text


def _response_ids(frame: pd.DataFrame, profile: MappingProfile, answers: pd.DataFrame) -> pd.Series:
    """The tool's response id when mapped, else a digest of who, when and what was answered."""
    id_col = first_column(profile, R.RESPONSE_ID)
    if id_col:
        return frame.apply(lambda r: stable_id("r", r["_cohort"], r["_wave"], r[id_col]), axis=1)
    content = (
        answers.sort_values(["_row", "item_id"])
        .groupby("_row")
        .apply(
            lambda g: tuple(
                zip(g["item_id"], g["value"].fillna(-1), g["text"].fillna(""), strict=True)
            ),
            include_groups=False,
        )
    )
    return frame.apply(
        lambda r: stable_id(
            "r",
            r["_cohort"],
            r["_wave"],
            r["_person"] or "",
            r["_submitted"],
            content.get(r["_row"], ()),
        ),
        axis=1,
    )


def _org_records(frame: pd.DataFrame, profile: MappingProfile) -> pd.DataFrame:
    """person_records from department, team, job role and manager columns (when mapped)."""
    cols = {role: first_column(profile, role) for role in R.ORG_ROLES}
    if not any(cols.values()):
        return pd.DataFrame()
    people = frame[frame["_person"].notna()]
    out = pd.DataFrame({"person_key": people["_person"]})
    for role, target in ((R.DEPARTMENT, "department"), (R.TEAM, "team"), (R.JOB_ROLE, "role")):
        out[target] = people[cols[role]] if cols[role] else None
    manager = cols[R.MANAGER_FLAG]
    out["is_manager"] = yes_no(people[manager]) if manager else None
    return out.drop_duplicates("person_key", keep="last")


def _roster(store, frame, profile, link, target, rej, table) -> dict[str, pd.DataFrame]:
    """An HR people list: department, team, role, manager per person."""
    frame = need_person(frame, profile, link, rej)
    if not any(first_column(profile, r) for r in R.ORG_ROLES):
        raise ImportRefused("a people list needs a department, team, job role or manager column")
    return {"person_records": _org_records(frame, profile)}


def _enrolment(store, frame, profile, link, target, rej, table) -> dict[str, pd.DataFrame]:
    """Who is in which cohort and group, with enrolment and completion dates."""
    frame = need_person(kept(frame, rej), profile, link, rej)
    frame = rej.add_mask(frame, frame["_group"].isna(), NO_GROUP)
    day_first = table.detection.day_first
    enrolled = date_or_none(frame, first_column(profile, R.ENROLLED_ON), day_first, rej)
    completed = date_or_none(frame, first_column(profile, R.COMPLETED_ON), day_first, rej)
    status_col = first_column(profile, R.COMPLETION_STATUS)
    if status_col:
        done = frame[status_col].map(lambda v: bool(v) and label_key(v) in DONE)
        end = pd.to_datetime(frame["_cohort"].map(target.cohort_end))
        completed = completed.where(completed.notna() | ~done, end)
    out = pd.DataFrame(
        {
            "person_key": frame["_person"],
            "cohort_id": frame["_cohort"],
            "group_id": frame["_group"],
            "enrolled_on": enrolled.dt.date,
            "completed_on": completed.dt.date,
        }
    )
    out = out.drop_duplicates(["person_key", "cohort_id"], keep="last")
    return {"enrolment_records": out, "person_records": _org_records(frame, profile)}


def _gradebook(store, frame, profile, link, target, rej, table) -> dict[str, pd.DataFrame]:
    """A gradebook imports only where it says who completed; scores alone are refused."""
    if not (first_column(profile, R.COMPLETION_STATUS) or first_column(profile, R.COMPLETED_ON)):
        raise ImportRefused(
            "a gradebook holds scores, not attendance or completion: map a completion column, "
            "or import the LMS completion report or an enrolment list instead"
        )
    return _enrolment(store, frame, profile, link, target, rej, table)


__all__ = ["ImportRefused", "build_plan"]
