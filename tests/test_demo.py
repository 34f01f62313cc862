"""The demo organisation: byte-stable CSVs, the promised shape, an atomic load, visible effects."""

from __future__ import annotations

import shutil
from datetime import date

import pandas as pd
import pytest

from analysis.demo import (
    DATA_AS_OF,
    DEMO_DIR,
    GROUP_SIZE,
    NO_SESSION_VARIANTS,
    TABLE_COLUMNS,
    TABLES,
    generate_demo,
    load_demo,
    write_demo,
)
from analysis.domain import VARIANT_FORMAT, WAVES
from analysis.store import Store

FORMAT_ORDER = ("small_group", "self_directed", "everyone_at_once")
SMALL_GROUP_VARIANTS = sorted(v for v, f in VARIANT_FORMAT.items() if f == "small_group")


def _csv(table: str) -> pd.DataFrame:
    """A committed demo CSV, every column read as text (empty cells as NA)."""
    return pd.read_csv(DEMO_DIR / f"{table}.csv", dtype=str, keep_default_na=False).replace(
        "", pd.NA
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("demo") / "t.duckdb")
    load_demo(store)
    yield store
    store.close()


def _one(db: Store, sql: str, params: list | None = None):
    return db.query(sql, params).iloc[0, 0]


# --- (a) byte-stable files ----------------------------------------------------------------------


def test_regenerating_reproduces_the_committed_files_byte_for_byte(tmp_path):
    """The generator is deterministic and data/demo holds exactly its output."""
    paths = write_demo(tmp_path)
    assert [p.name for p in paths] == [f"{t}.csv" for t in TABLES]
    committed = sorted(p.name for p in DEMO_DIR.glob("*.csv"))
    assert committed == sorted(p.name for p in paths)
    for path in paths:
        assert path.read_bytes() == (DEMO_DIR / path.name).read_bytes(), path.name


def test_another_seed_gives_another_organisation():
    """The seed drives every draw (so the byte-for-byte test above is not vacuous)."""
    other = generate_demo(seed=7)
    assert other["people"]["person_key"].iloc[0] != _csv("people")["person_key"].iloc[0]
    assert len(other["survey_responses"]) != len(_csv("survey_responses"))


def test_csv_headers_are_the_store_columns_without_import_id(db):
    """Each CSV has exactly its table's columns, in the loader's order."""
    for table in TABLES:
        header = (DEMO_DIR / f"{table}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == list(TABLE_COLUMNS[table])
        cols = db.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        )["column_name"].tolist()
        assert sorted(cols) == sorted([*TABLE_COLUMNS[table], "import_id"])


# --- (b) the shape the issue asks for ----------------------------------------------------------


def test_people_departments_roles_and_managers():
    """About 1,200 pseudonymous people in 8 departments, ~12% managers, no names."""
    people = _csv("people")
    assert 1100 <= len(people) <= 1300
    assert people["person_key"].is_unique
    assert people["person_key"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert people["department"].nunique() == 8
    assert people["role"].notna().all() and people["team"].notna().all()
    manager_share = (people["is_manager"] == "true").mean()
    assert 0.10 <= manager_share <= 0.14
    assert set(people["is_manager"]) == {"true", "false"}


def test_cohorts_cover_every_variant_over_eighteen_months():
    """About 40 cohorts, every variant but `other`, the right format, starts over 18 months."""
    cohorts = _csv("cohorts")
    assert 35 <= len(cohorts) <= 45
    assert set(cohorts["variant"]) == set(VARIANT_FORMAT)
    assert (cohorts["format"] == cohorts["variant"].map(VARIANT_FORMAT)).all()
    starts = pd.to_datetime(cohorts["start_date"])
    months = (starts.max().year - starts.min().year) * 12 + starts.max().month - starts.min().month
    assert 16 <= months <= 19
    assert date(2026, 8, 1) <= starts.max().date() <= date(2026, 9, 30)
    assert (pd.to_datetime(cohorts["end_date"]) >= starts).all()
    sessions = cohorts["scheduled_sessions"].astype(int)
    no_sessions = cohorts["variant"].isin(NO_SESSION_VARIANTS)
    assert (sessions[no_sessions] == 0).all() and (sessions[~no_sessions] > 0).all()
    assert (cohorts["planned_weeks"].astype(int) >= 1).all()
    assert (sessions[cohorts["variant"] == "conference"] == 2).all()


def test_groups_sizes_and_close_or_mixed_membership():
    """~150 groups; every small-group variant has 15+ groups over 3+ cohorts, both kinds."""
    groups = _csv("groups").merge(_csv("cohorts"), on="cohort_id")
    groups["size"] = groups["size"].astype(int)
    assert 130 <= len(groups) <= 170
    for variant in SMALL_GROUP_VARIANTS:
        g = groups[groups["variant"] == variant]
        lo, hi = GROUP_SIZE[variant]
        assert len(g) >= 15, variant
        assert g["cohort_id"].nunique() >= 3, variant
        assert g["size"].between(lo, hi).all(), variant
        assert set(g["works_together"]) == {"true", "false"}, variant
    single = groups[groups["format"] != "small_group"]
    assert single.groupby("cohort_id").size().eq(1).all()
    assert (single["works_together"] == "false").all()
    assert (groups.loc[groups["variant"] == "org_wide", "size"] >= 300).all()


def test_enrolments_are_unique_per_cohort_and_match_group_sizes():
    """2,000-3,000 enrolments, a person at most once per cohort, sizes agree with members."""
    enrolments = _csv("enrolments")
    assert 2000 <= len(enrolments) <= 3000
    assert not enrolments.duplicated(["person_key", "cohort_id"]).any()
    sizes = _csv("groups").set_index("group_id")["size"].astype(int)
    assert enrolments.groupby("group_id").size().sort_index().equals(sizes.sort_index())
    cohorts = _csv("cohorts").set_index("cohort_id")
    merged = enrolments.join(cohorts, on="cohort_id")
    assert (pd.to_datetime(merged["enrolled_on"]) < pd.to_datetime(merged["start_date"])).all()
    done = merged.dropna(subset=["completed_on"])
    assert (pd.to_datetime(done["completed_on"]) >= pd.to_datetime(done["start_date"])).all()
    assert (pd.to_datetime(done["completed_on"]) <= pd.to_datetime(done["end_date"])).all()


def test_attendance_is_presence_rows_inside_the_cohort_dates():
    """Only attended rows; sessions for session cohorts, weekly activity for the others."""
    att = _csv("attendance").merge(_csv("cohorts"), on="cohort_id")
    assert (att["attended"] == "true").all()
    expected_kind = (
        att["scheduled_sessions"].astype(int).gt(0).map({True: "session", False: "activity"})
    )
    assert (att["kind"] == expected_kind).all()
    day = pd.to_datetime(att["session_date"])
    assert (day >= pd.to_datetime(att["start_date"])).all()
    assert (day <= pd.to_datetime(att["end_date"])).all()
    assert not att.duplicated(["person_key", "cohort_id", "session_date"]).any()


def test_surveys_waves_timing_and_falling_response_rates():
    """Responses fall by wave, ~5% are unmatched (small groups' keep their group), and none is
    dated after the data cut-off."""
    resp = _csv("survey_responses").merge(_csv("cohorts"), on="cohort_id")
    assert set(resp["wave"]) == set(WAVES)
    counts = resp["wave"].value_counts()
    assert counts["pre"] > counts["post"] > counts["d30"] > counts["d60"] > counts["d90"]
    assert 0.03 <= resp["person_key"].isna().mean() <= 0.07
    # an unmatched answer keeps its small group (each group has its own link), no other group
    unmatched = resp[resp["person_key"].isna()]
    small = unmatched["format"] == "small_group"
    assert unmatched.loc[small, "group_id"].notna().all()
    assert unmatched.loc[~small, "group_id"].isna().all()
    submitted = pd.to_datetime(resp["submitted_at"])
    assert submitted.max().date() <= DATA_AS_OF
    pre = resp["wave"] == "pre"
    assert (submitted[pre] < pd.to_datetime(resp.loc[pre, "start_date"])).all()
    assert (submitted[~pre] > pd.to_datetime(resp.loc[~pre, "end_date"])).all()
    assert (
        not resp.dropna(subset=["person_key"]).duplicated(["person_key", "cohort_id", "wave"]).any()
    )


def test_the_latest_cohorts_have_no_late_waves_yet():
    """A wave whose window has not closed by the cut-off is absent, as in real data."""
    resp = _csv("survey_responses")
    latest = _csv("cohorts").sort_values("start_date")["cohort_id"].iloc[-1]
    assert set(resp.loc[resp["cohort_id"] == latest, "wave"]) == {"pre", "post"}


def test_items_and_answers_fit_their_scales():
    """Every answer's value is on its item's scale; comments carry text and no value."""
    items = _csv("survey_items").set_index("item_id")
    assert set(items["role"]) >= {
        "application",
        "engagement",
        "relevance",
        "readiness",
        "confidence",
        "accountability",
        "motivation",
        "recommend",
        "comment",
    }
    answers = _csv("survey_answers").merge(
        items.reset_index(), on="item_id", suffixes=("", "_item")
    )
    numeric = answers[answers["scale"] != "text"]
    value = numeric["value"].astype(float)
    assert value.between(
        numeric["scale_min"].astype(float), numeric["scale_max"].astype(float)
    ).all()
    comments = answers[answers["scale"] == "text"]
    assert comments["value"].isna().all() and comments["text"].notna().all()
    assert not answers.duplicated(["response_id", "item_id"]).any()


def test_the_files_stay_small():
    """All demo CSVs together stay under 8 MB."""
    assert sum(p.stat().st_size for p in DEMO_DIR.glob("*.csv")) < 8_000_000


# --- (c) loading and the built-in effects -------------------------------------------------------


def test_load_writes_every_row_under_one_demo_import(db):
    """Row counts equal the CSVs; one demo import records the total."""
    counts = db.row_counts()
    for table in TABLES:
        assert counts[table] == len(_csv(table)), table
    imports = db.imports()
    assert len(imports) == 1 and bool(imports["is_demo"].iloc[0])
    assert imports["rows_written"].iloc[0] == sum(counts.values())
    assert imports["kind"].iloc[0] == "demo" and imports["tool"].iloc[0] == "generator"
    assert db.has_demo() and not db.has_real_data()


def test_every_enrolment_points_at_an_existing_person_cohort_and_group(db):
    """No dangling keys: people, cohorts and groups exist, and the group is in the cohort."""
    orphans = _one(
        db,
        """
        SELECT count(*) FROM enrolments e
        LEFT JOIN people p ON p.person_key = e.person_key
        LEFT JOIN cohorts c ON c.cohort_id = e.cohort_id
        LEFT JOIN groups g ON g.group_id = e.group_id AND g.cohort_id = e.cohort_id
        WHERE p.person_key IS NULL OR c.cohort_id IS NULL OR g.group_id IS NULL
        """,
    )
    assert orphans == 0
    stray = _one(
        db,
        """
        SELECT count(*) FROM survey_responses r
        LEFT JOIN enrolments e ON e.person_key = r.person_key AND e.cohort_id = r.cohort_id
        WHERE r.person_key IS NOT NULL AND e.person_key IS NULL
        """,
    )
    assert stray == 0


APPLIED_SQL = """
    WITH applied AS (
        SELECT r.response_id, r.person_key, r.cohort_id, r.wave, c.format, c.variant,
               g.works_together, p.department, p.is_manager,
               CASE WHEN a.value >= i.positive_min THEN 1.0 ELSE 0.0 END AS applied
        FROM survey_responses r
        JOIN cohorts c ON c.cohort_id = r.cohort_id
        JOIN survey_answers a ON a.response_id = r.response_id
        JOIN survey_items i ON i.item_id = a.item_id AND i.role = 'application'
        LEFT JOIN groups g ON g.group_id = r.group_id
        LEFT JOIN people p ON p.person_key = r.person_key
    )
"""


def _rates(db: Store, by: str, where: str = "wave = 'd30'") -> dict:
    """Application rate (and n) per value of `by` among matching responses."""
    df = db.query(
        APPLIED_SQL + f"SELECT {by} AS k, avg(applied) AS rate, count(*) AS n "
        f"FROM applied WHERE {where} GROUP BY 1"
    )
    return {row.k: (row.rate, row.n) for row in df.itertuples()}


def test_application_at_30_days_small_groups_then_self_directed_then_everyone(db):
    """Built in: small groups 55-65%, self-directed 33-42%, everyone at once 25-35%."""
    rates = _rates(db, "format")
    small, self_directed, everyone = (rates[f][0] for f in FORMAT_ORDER)
    assert 0.55 <= small <= 0.65
    assert 0.33 <= self_directed <= 0.42
    assert 0.25 <= everyone <= 0.35
    assert small > self_directed > everyone


def test_engagement_and_completion_follow_shared_sessions(db):
    """Engaged (>=75% of sessions or planned weeks) and completed: small > everyone > self."""
    df = db.query(
        """
        WITH presence AS (
            SELECT person_key, cohort_id, count(DISTINCT session_date) AS n
            FROM attendance WHERE attended GROUP BY 1, 2
        )
        SELECT c.format,
               avg(CASE WHEN coalesce(p.n, 0) >= 0.75 * CASE WHEN c.scheduled_sessions > 0
                   THEN c.scheduled_sessions ELSE c.planned_weeks END THEN 1.0 ELSE 0.0 END)
                   AS engaged,
               avg(CASE WHEN e.completed_on IS NOT NULL THEN 1.0 ELSE 0.0 END) AS completed
        FROM enrolments e
        JOIN cohorts c ON c.cohort_id = e.cohort_id
        LEFT JOIN presence p ON p.person_key = e.person_key AND p.cohort_id = e.cohort_id
        GROUP BY 1
        """
    ).set_index("format")
    assert 0.60 <= df.loc["small_group", "engaged"] <= 0.70
    assert 0.35 <= df.loc["everyone_at_once", "engaged"] <= 0.45
    assert 0.20 <= df.loc["self_directed", "engaged"] <= 0.30
    completed = df["completed"]
    assert completed["small_group"] > completed["everyone_at_once"] > completed["self_directed"]


def test_course_buddies_finish_more_than_people_alone_on_the_course(db):
    """Duos and trios complete clearly more often than self-paced learners."""
    df = db.query(
        "SELECT c.variant, avg(CASE WHEN e.completed_on IS NOT NULL THEN 1.0 ELSE 0.0 END) AS r "
        "FROM enrolments e JOIN cohorts c USING (cohort_id) GROUP BY 1"
    ).set_index("variant")["r"]
    assert df["course_buddies"] - df["self_paced_course"] >= 0.2


def test_shared_sessions_keep_people_active_week_after_week(db):
    """Active share in week 4 relative to week 0: small groups keep most, self-directed least."""
    df = db.query(
        """
        SELECT c.format, floor((a.session_date - c.start_date) / 7) AS week,
               count(DISTINCT (a.person_key, a.cohort_id)) AS active
        FROM attendance a JOIN cohorts c USING (cohort_id)
        WHERE c.variant <> 'conference' GROUP BY 1, 2
        """
    ).pivot(index="format", columns="week", values="active")
    kept = df[4.0] / df[0.0]
    assert kept["small_group"] > kept["everyone_at_once"] > kept["self_directed"]


def test_finance_reverses_the_overall_direction(db):
    """Overall small groups beat self-directed; in Finance self-directed clearly applies more."""
    overall = _rates(db, "format")
    assert overall["small_group"][0] - overall["self_directed"][0] >= 0.15
    finance = _rates(db, "format", "wave = 'd30' AND department = 'Finance'")
    assert finance["small_group"][1] >= 30 and finance["self_directed"][1] >= 30
    assert finance["self_directed"][0] - finance["small_group"][0] >= 0.12
    others = _rates(db, "format", "wave = 'd30' AND department <> 'Finance'")
    assert others["small_group"][0] > others["self_directed"][0]


def test_null_claim_leaders_gain_no_more_from_peers_than_individual_contributors(db):
    """Deliberately null: the small-group advantage is about the same for managers and ICs."""
    rates = _rates(
        db,
        "is_manager || '/' || (format = 'small_group')",
        "wave = 'd30' AND is_manager IS NOT NULL",
    )
    gap_managers = rates["true/true"][0] - rates["true/false"][0]
    gap_ics = rates["false/true"][0] - rates["false/false"][0]
    assert abs(gap_managers - gap_ics) < 0.08
    assert min(n for _, n in rates.values()) >= 80


def test_relevance_to_current_work_predicts_application_in_every_format(db):
    """Respondents who say the learning fits their current work apply more, in each format."""
    df = db.query(
        APPLIED_SQL
        + """
        SELECT format, rel.value >= 4 AS relevant, avg(applied) AS rate
        FROM applied JOIN survey_answers rel
          ON rel.response_id = applied.response_id AND rel.item_id = 'rel_work'
        WHERE wave = 'd30' GROUP BY 1, 2
        """
    ).pivot(index="format", columns="relevant", values="rate")
    assert ((df[True] - df[False]) >= 0.12).all()
    assert len(df) == 3


def test_application_decays_wave_by_wave_in_every_format(db):
    """Post > 30 > 60 > 90 days after, in each format."""
    df = db.query(
        APPLIED_SQL + "SELECT format, wave, avg(applied) AS rate FROM applied GROUP BY 1, 2"
    ).pivot(index="format", columns="wave", values="rate")
    assert ((df["post"] > df["d30"]) & (df["d30"] > df["d60"]) & (df["d60"] > df["d90"])).all()


def test_variant_comparisons_from_the_product_claims(db):
    """Pilots beat org-wide, buddies beat the course alone, book clubs beat reading alone."""
    v = {k: r for k, (r, _) in _rates(db, "variant").items()}
    assert v["pilot_team"] - v["org_wide"] >= 0.2
    assert v["course_buddies"] - v["self_paced_course"] >= 0.12
    assert v["book_club"] - v["self_study_alone"] >= 0.12


def test_close_colleague_coaching_circles_beat_mixed_ones_also_per_group(db):
    """Group coaching of people who work together applies clearly more, by person and by group."""
    people = _rates(db, "works_together", "wave = 'd30' AND variant = 'group_coaching'")
    assert people[True][0] - people[False][0] >= 0.2
    per_group = db.query(
        APPLIED_SQL
        + """, per_group AS (
            SELECT r.group_id, g.works_together, avg(applied) AS rate
            FROM applied JOIN survey_responses r USING (response_id)
            JOIN groups g ON g.group_id = r.group_id
            WHERE applied.wave = 'd30' AND applied.variant = 'group_coaching'
            GROUP BY 1, 2
        )
        SELECT works_together, avg(rate) AS rate, count(*) AS groups FROM per_group GROUP BY 1
        """
    ).set_index("works_together")
    assert per_group.loc[True, "rate"] - per_group.loc[False, "rate"] >= 0.2
    assert per_group["groups"].min() >= 10


def test_motivated_self_directed_learners_apply_like_small_groups(db):
    """Self-directed with mot_chose 4-5 (asked before) ~ small groups; the rest far below."""
    df = db.query(
        APPLIED_SQL
        + """, motivation AS (
            SELECT r.person_key, r.cohort_id, a.value
            FROM survey_responses r JOIN survey_answers a USING (response_id)
            WHERE r.wave = 'pre' AND a.item_id = 'mot_chose' AND r.person_key IS NOT NULL
        )
        SELECT m.value >= 4 AS motivated, avg(applied) AS rate
        FROM applied JOIN motivation m USING (person_key, cohort_id)
        WHERE applied.wave = 'd30' AND applied.format = 'self_directed' GROUP BY 1
        """
    ).set_index("motivated")["rate"]
    small = _rates(db, "format")["small_group"][0]
    assert abs(df[True] - small) <= 0.08
    assert small - df[False] >= 0.25


def test_role_not_enabling_is_most_common_after_everyone_at_once(db):
    """Readiness option 1 ('my role does not enable me') is most frequent for everyone-at-once."""
    df = db.query(
        """
        SELECT c.format, avg(CASE WHEN a.value = 1 THEN 1.0 ELSE 0.0 END) AS blocked
        FROM survey_answers a JOIN survey_responses r USING (response_id)
        JOIN cohorts c USING (cohort_id)
        WHERE a.item_id = 'readiness' GROUP BY 1
        """
    ).set_index("format")["blocked"]
    assert df.idxmax() == "everyone_at_once"
    assert df["everyone_at_once"] >= 2 * df["small_group"]


# --- (d) atomic load ----------------------------------------------------------------------------


def test_a_corrupt_file_leaves_no_rows_and_no_import(tmp_path):
    """A bad value in the last file rolls back every table loaded before it and the import."""
    broken = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, broken)
    with (broken / "survey_answers.csv").open("a", encoding="utf-8") as f:
        f.write("R00001,not_an_item,not-a-number,\n")
    store = Store(tmp_path / "t.duckdb")
    with pytest.raises(Exception, match=r"(?i)conver|cast|could not"):
        load_demo(store, broken)
    assert sum(store.row_counts().values()) == 0
    assert store.imports().empty
    assert store.dataset_version() == 0
    store.close()


def test_a_missing_file_leaves_nothing_either(tmp_path):
    """Loading a demo folder without one of the tables fails as a whole."""
    partial = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, partial)
    (partial / "attendance.csv").unlink()
    store = Store(tmp_path / "t.duckdb")
    with pytest.raises(FileNotFoundError):
        load_demo(store, partial)
    assert sum(store.row_counts().values()) == 0 and store.imports().empty
    store.close()


def test_loading_the_demo_twice_is_refused(db):
    """A second load is refused and the first stays intact."""
    before = db.row_counts()
    with pytest.raises(ValueError, match="already loaded"):
        load_demo(db)
    assert db.row_counts() == before and len(db.imports()) == 1
