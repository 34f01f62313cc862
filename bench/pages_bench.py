"""Page benchmark: the analysis calls each page makes, on a large generated organisation.

Generates (in DuckDB SQL, deterministically) an organisation of 100,000 people, 400 cohorts,
about 3,000 groups and 150,000 enrolments, with 1,000,000 attendance rows and 100,000 survey
responses (about 800,000 answers), then times each page's analysis calls:

- cold: a fresh child process opens the Store and runs the page's calls once (default filters);
- warm: one child process per page, after a warm-up call, runs the calls K times, each time with
  a different filter value (departments, formats, month ranges), so no result is reused;
- peak memory: the largest RSS (ru_maxrss) of any child.

    .venv/bin/python bench/pages_bench.py [--rows N] [--responses N] [--repeat K] [--workdir DIR]
    .venv/bin/python bench/pages_bench.py --explain application_segments   # EXPLAIN ANALYZE
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench.common import environment  # noqa: E402

GENERATOR_VERSION = 2  # bump when the generated data changes, so old files are not reused
N_COHORTS = 400  # at scale 1; the organisation grows with --rows above ROWS_PER_SCALE
N_PEOPLE = 100_000
ROWS_PER_SCALE = 1_000_000  # one scale step's sessions hold about 1.1M attendance rows
MONTHS = 24
FIRST_MONTH = "2024-01-01"
DEMO = ROOT / "data" / "demo"
TARGET_WARM_S = 0.300
TARGET_COLD_S = 2.0
TARGET_PEAK_BYTES = 1.5e9  # 1.5 GB (decimal), as in import_bench

# Per variant: sessions and planned weeks (as in the demo), groups per cohort and group size
# ranges, % of groups of close colleagues, the share who drop out (uniformly over the weeks),
# the chance of attending a session (or of being active on a weekday) before dropping out,
# the chance of finding the learning relevant to one's work, and the programs it runs.
VARIANT_PARAMS: tuple[tuple, ...] = (
    # variant, sessions, weeks, groups lo-hi, size lo-hi, together%, dropout, attend, rel%, programs
    ("org_wide", 8, 8, 1, 1, 2400, 3600, 0, 0.45, 0.88, 50, "P01 P03 P10"),
    ("conference", 2, 1, 1, 1, 80, 220, 0, 0.20, 0.90, 50, "P07"),
    ("self_paced_course", 0, 6, 1, 1, 250, 550, 0, 0.75, 0.75, 60, "P02 P04 P10"),
    ("self_study_alone", 0, 6, 1, 1, 80, 220, 0, 0.80, 0.70, 60, "P05 P04"),
    ("learning_budget", 0, 12, 1, 1, 200, 400, 0, 0.80, 0.65, 65, "P06"),
    ("one_to_one_coaching", 6, 6, 1, 1, 20, 60, 0, 0.25, 0.90, 70, "P11 P03"),
    ("pilot_team", 6, 6, 10, 18, 6, 10, 80, 0.15, 0.95, 75, "P01 P02 P10"),
    ("book_club", 6, 6, 10, 20, 5, 8, 40, 0.20, 0.92, 60, "P05"),
    ("course_buddies", 6, 6, 14, 26, 2, 3, 50, 0.12, 0.95, 70, "P04 P10 P02"),
    ("group_coaching", 6, 6, 10, 20, 4, 6, 60, 0.15, 0.95, 70, "P03 P11"),
    ("team_coaching", 8, 8, 10, 18, 5, 9, 90, 0.15, 0.95, 75, "P08"),
    ("community_of_practice", 10, 10, 8, 14, 8, 14, 30, 0.30, 0.85, 65, "P09"),
)
DEPARTMENTS: tuple[tuple[str, int], ...] = (  # name, weight (the demo's mix)
    ("Engineering", 32), ("Product", 9), ("Sales", 17), ("Marketing", 9),
    ("Customer Support", 18), ("Finance", 14), ("People & HR", 6), ("Operations", 15),
)  # fmt: skip
# Response chance per wave (before thinning to --responses) and the items asked in it.
WAVE_PARAMS: tuple[tuple[str, int, float, int], ...] = (
    ("pre", 0, 0.35, -30), ("post", 1, 0.50, 1), ("d30", 2, 0.40, 30),
    ("d60", 3, 0.30, 60), ("d90", 4, 0.25, 90),
)  # fmt: skip
PRE_ITEMS = ("rel_work", "conf_skill", "mot_chose", "acc_expected", "comment")
FOLLOW_UP_ITEMS = (
    "app_used", "eng_kept", "rel_work", "conf_skill", "acc_expected", "mot_chose", "readiness",
    "nps", "comment",
)  # fmt: skip
COMMENTS = (
    "We tried it on our own project during the sessions, so it stuck.",
    "Good content, but I have not had a chance to use it yet.",
    "Knowing my group would ask how it went made me try it.",
    "Interesting, but I am not sure where it fits in my work.",
    "I need more practice before I use this with my team.",
    "Talking it through with colleagues made it easy to start.",
)
# Per format: % who answer a survey more often, application base rate at 30 days, its change
# per wave after 30 days, and the positive rates of the other agreement items.
FORMAT_PARAMS: tuple[tuple, ...] = (
    # format, resp factor, app30, app decay/wave, eng_kept, accountability, motivation, barrier
    ("everyone_at_once", 0.8, 0.30, 0.07, 0.45, 0.30, 0.30, 0.20),
    ("self_directed", 0.8, 0.38, 0.06, 0.40, 0.25, 0.75, 0.12),
    ("small_group", 1.2, 0.52, 0.02, 0.72, 0.70, 0.55, 0.07),
)


# ---------------------------------------------------------------- the large organisation


def _values(rows: tuple[tuple, ...]) -> str:
    """A VALUES list from code-defined constants (never user text)."""

    def lit(v: object) -> str:
        return "'" + v.replace("'", "''") + "'" if isinstance(v, str) else repr(v)

    return ", ".join("(" + ", ".join(lit(v) for v in row) + ")" for row in rows)


def _setup_sql() -> str:
    """Parameter tables: variants, departments, waves, formats, items per wave."""
    from analysis.domain import VARIANT_FORMAT, VARIANT_LABELS

    variants = tuple(
        (i, v, VARIANT_FORMAT[v], VARIANT_LABELS[v], *rest)
        for i, (v, *rest) in enumerate(VARIANT_PARAMS)
    )
    lo = 0
    depts = []
    for name, weight in DEPARTMENTS:
        depts.append((name, lo, lo + weight))
        lo += weight
    items = tuple(
        (w, i) for w, *_ in WAVE_PARAMS for i in (PRE_ITEMS if w == "pre" else FOLLOW_UP_ITEMS)
    )
    return f"""
    CREATE TEMP TABLE b_variants (ord INTEGER, variant VARCHAR, format VARCHAR, label VARCHAR,
        sessions INTEGER, weeks INTEGER, groups_lo INTEGER, groups_hi INTEGER, size_lo INTEGER,
        size_hi INTEGER, together INTEGER, dropout DOUBLE, attend DOUBLE, relevant INTEGER,
        programs VARCHAR);
    INSERT INTO b_variants VALUES {_values(variants)};
    CREATE TEMP TABLE b_depts (department VARCHAR, lo INTEGER, hi INTEGER);
    INSERT INTO b_depts VALUES {_values(tuple(depts))};
    CREATE TEMP TABLE b_waves (wave VARCHAR, wave_ord INTEGER, p DOUBLE, offset_days INTEGER);
    INSERT INTO b_waves VALUES {_values(WAVE_PARAMS)};
    CREATE TEMP TABLE b_formats (format VARCHAR, resp DOUBLE, app30 DOUBLE, decay DOUBLE,
        eng DOUBLE, acc DOUBLE, mot DOUBLE, barrier DOUBLE);
    INSERT INTO b_formats VALUES {_values(FORMAT_PARAMS)};
    CREATE TEMP TABLE b_wave_items (wave VARCHAR, item_id VARCHAR);
    INSERT INTO b_wave_items VALUES {_values(items)};
    """


# Cohorts: variants cycle, so every month has a mix; ~16–17 cohorts start each month (× scale).
COHORTS_SQL = f"""
CREATE TEMP TABLE b_cohorts AS
WITH base AS (
    SELECT
        i,
        v.*,
        CAST(DATE '{FIRST_MONTH}' + to_months(CAST(i * {MONTHS} // $n_cohorts AS INTEGER))
             AS DATE) + CAST(hash(i, 'day') % 20 AS INTEGER) AS start_date,
        string_split(v.programs, ' ')[
            CAST(hash(i, 'prog') % len(string_split(v.programs, ' ')) AS BIGINT) + 1
        ] AS program_id,
        v.groups_lo + CAST(hash(i, 'groups') % (v.groups_hi - v.groups_lo + 1) AS INTEGER)
            AS n_groups
    FROM range($n_cohorts) t(i)
    JOIN b_variants v ON v.ord = i % (SELECT count(*) FROM b_variants)
)
SELECT
    base.*,
    printf('C%03d-%s-%s', i + 1, replace(variant, '_', '-'), strftime(start_date, '%Y-%m'))
        AS cohort_id,
    start_date + weeks * 7 - 1 AS end_date
FROM base
"""

GROUPS_SQL = """
CREATE TEMP TABLE b_groups AS
WITH g AS (SELECT c.*, unnest(range(c.n_groups)) AS gi FROM b_cohorts c)
SELECT
    g.*,
    printf('G%05d', row_number() OVER (ORDER BY i, gi)) AS group_id,
    size_lo + CAST(hash(i, gi, 'size') % (size_hi - size_lo + 1) AS INTEGER) AS size,
    format = 'small_group' AND hash(i, gi, 'together') % 100 < together AS works_together
FROM g
"""

# Enrolment number `seq` maps to person (seq * 7919) mod N: distinct people within a cohort.
ENROL_SQL = """
CREATE TEMP TABLE b_enrol AS
WITH m AS (SELECT g.*, unnest(range(g.size)) AS member FROM b_groups g),
numbered AS (
    SELECT m.*, row_number() OVER (ORDER BY i, gi, member) - 1 AS seq FROM m
),
dropped AS (
    SELECT numbered.*, (seq * 7919) % $n_people AS person_idx,
           (hash(seq, 'drop') % 10000) / 10000.0 AS u_drop
    FROM numbered
)
SELECT
    dropped.*,
    substr(md5('bench-person-' || person_idx), 1, 16) AS person_key,
    CASE WHEN u_drop < dropout THEN CAST(floor(weeks * u_drop / dropout) AS INTEGER)
         ELSE weeks END AS drop_week,
    hash(person_idx, 'manager') % 100 < 11 AS is_manager
FROM dropped
"""

PEOPLE_SQL = """
INSERT INTO person_records (person_key, department, team, role, is_manager, import_id)
WITH p AS (
    SELECT i, hash(i, 'dept') % 120 AS d, hash(i, 'manager') % 100 < 11 AS is_manager
    FROM range($n_people) t(i)
)
SELECT substr(md5('bench-person-' || i), 1, 16), b.department,
       b.department || ' ' || CAST(hash(i, 'team') % 12 + 1 AS VARCHAR),
       CASE WHEN is_manager THEN 'Manager' ELSE 'Specialist' END, is_manager, $import_id
FROM p JOIN b_depts b ON p.d >= b.lo AND p.d < b.hi
"""

# Completion follows persistence: 90% of those who stayed, 10% of those who dropped out.
WRITE_ORG_SQL = """
INSERT INTO programs (program_id, name, topic, goal, cost_per_person, hours, import_id)
SELECT program_id, name, topic, goal, cost_per_person, hours, $import_id
FROM read_csv($programs_csv, header = true);
INSERT INTO cohorts (cohort_id, program_id, name, format, variant, start_date, end_date,
                     scheduled_sessions, planned_weeks, import_id)
SELECT c.cohort_id, c.program_id,
       p.name || ': ' || c.label || ', ' || strftime(c.start_date, '%b %Y'),
       c.format, c.variant, c.start_date, c.end_date, c.sessions, c.weeks, $import_id
FROM b_cohorts c JOIN programs p ON p.program_id = c.program_id;
INSERT INTO groups (group_id, cohort_id, name, size, works_together, import_id)
SELECT group_id, cohort_id,
       CASE WHEN format = 'small_group' THEN label || ' ' || CAST(gi + 1 AS VARCHAR)
            ELSE 'Whole cohort' END,
       size, works_together, $import_id
FROM b_groups;
INSERT INTO enrolment_records (person_key, cohort_id, group_id, enrolled_on, completed_on,
                               import_id)
SELECT person_key, cohort_id, group_id,
       start_date - CAST(1 + hash(seq, 'enrolled') % 40 AS INTEGER),
       CASE WHEN hash(seq, 'completed') % 100 < CASE WHEN drop_week = weeks THEN 90 ELSE 10 END
            THEN end_date - CAST(hash(seq, 'completed_on') % 5 AS INTEGER) END,
       $import_id
FROM b_enrol;
INSERT INTO survey_items (item_id, text, role, scale, scale_min, scale_max, positive_min,
                          import_id)
SELECT item_id, text, role, scale, scale_min, scale_max, positive_min, $import_id
FROM read_csv($items_csv, header = true);
"""

# Sessions spread over the planned weeks; self-paced cohorts log activity on weekdays. A slot
# is attended before the person drops out, with the variant's chance; then uniform thinning
# (a random order and LIMIT) leaves exactly --rows rows.
ATTENDANCE_SQL = """
CREATE TEMP TABLE b_attendance AS
WITH slots AS (
    SELECT seq, person_key, cohort_id, group_id, start_date, weeks, sessions, attend, drop_week,
           unnest(range(CASE WHEN sessions > 0 THEN sessions ELSE weeks * 5 END)) AS s
    FROM b_enrol
),
placed AS (
    SELECT slots.*,
        CASE WHEN sessions > 0 THEN s * weeks // sessions ELSE s // 5 END AS week,
        CASE WHEN sessions > 0 THEN s * 7 * weeks // sessions ELSE s // 5 * 7 + s % 5 END AS day
    FROM slots
),
present AS (
    SELECT * FROM placed
    WHERE week < drop_week AND hash(seq, s, 'attend') % 10000 < attend * 10000
)
SELECT person_key, cohort_id, group_id,
       CASE WHEN sessions > 0 THEN 'session' ELSE 'activity' END AS kind,
       start_date + CAST(day AS INTEGER) AS session_date, TRUE AS attended,
       CAST(CASE WHEN sessions > 0 THEN 60 + hash(seq, s, 'min') % 31
                 ELSE 10 + hash(seq, s, 'min') % 80 END AS DOUBLE) AS minutes
FROM present
ORDER BY hash(seq, s, 'keep')
LIMIT $rows
"""

# Enrolment × wave; people who dropped out answer less; 4% of answers can't be matched.
RESPONSES_SQL = """
CREATE TEMP TABLE b_resp AS
WITH cand AS (
    SELECT e.*, w.wave, w.wave_ord, w.offset_days,
           w.p * f.resp * CASE WHEN e.drop_week < e.weeks THEN 0.6 ELSE 1.0 END AS p
    FROM b_enrol e
    CROSS JOIN b_waves w
    JOIN b_formats f ON f.format = e.format
),
kept AS (
    SELECT * FROM cand WHERE hash(seq, wave, 'respond') % 10000 < p * 10000
    ORDER BY hash(seq, wave, 'keep')
    LIMIT $responses
)
SELECT kept.*,
    printf('R%07d', row_number() OVER (ORDER BY i, wave_ord, seq)) AS response_id,
    hash(seq, wave, 'unmatched') % 100 < 4 AS unmatched
FROM kept
"""

WRITE_RESPONSES_SQL = """
INSERT INTO survey_responses (response_id, person_key, cohort_id, group_id, wave, submitted_at,
                              import_id)
SELECT response_id,
       CASE WHEN NOT unmatched THEN person_key END,
       cohort_id,
       CASE WHEN NOT unmatched THEN group_id END,
       wave,
       CAST(CASE WHEN wave = 'pre' THEN start_date - CAST(1 + hash(seq, 'sub') % 20 AS INTEGER)
                 ELSE end_date + offset_days + CAST(hash(seq, wave, 'sub') % 14 AS INTEGER)
            END AS TIMESTAMP) + to_seconds(28800 + hash(seq, wave, 'sec') % 39600),
       $import_id
FROM b_resp
"""

# Application: format base rate, small trios more, close colleagues more, relevance and
# managers more, fading after 30 days (slowest in small groups).
ANSWERS_SQL = """
INSERT INTO survey_answers (response_id, item_id, value, text, import_id)
WITH r AS (
    SELECT b.*, f.app30, f.decay, f.eng, f.acc, f.mot, f.barrier,
        hash(coalesce(b.person_key, b.response_id), b.cohort_id, 'rel') % 100 < b.relevant
            AS is_relevant
    FROM b_resp b JOIN b_formats f ON f.format = b.format
),
p AS (
    SELECT r.*, greatest(0.02, least(0.98,
        app30
        + CASE WHEN format <> 'small_group' THEN 0 WHEN size <= 3 THEN 0.10
               WHEN size <= 6 THEN 0.05 ELSE -0.03 END
        + CASE WHEN works_together THEN 0.08 ELSE 0 END
        + CASE WHEN is_relevant THEN 0.12 ELSE -0.18 END
        + CASE WHEN is_manager THEN 0.05 ELSE 0 END
        + CASE WHEN wave = 'post' THEN 0.05 ELSE -decay * greatest(0, wave_ord - 2) END
    )) AS p_app
    FROM r
),
a AS (
    SELECT p.*, wi.item_id, (hash(p.response_id, wi.item_id) % 10000) / 10000.0 AS u,
        CASE wi.item_id
            WHEN 'app_used' THEN p_app
            WHEN 'eng_kept' THEN eng - CASE WHEN drop_week < weeks THEN 0.3 ELSE 0 END
            WHEN 'conf_skill' THEN 0.45 + CASE WHEN format = 'small_group' THEN 0.10 ELSE 0 END
                                        + 0.05 * least(wave_ord, 1)
            WHEN 'acc_expected' THEN acc
            WHEN 'mot_chose' THEN mot
        END AS p_pos
    FROM p JOIN b_wave_items wi ON wi.wave = p.wave
    WHERE wi.item_id <> 'comment' OR hash(p.response_id, 'comment') % 100 < 60
)
SELECT response_id, item_id,
    CASE
        WHEN item_id = 'comment' THEN NULL
        WHEN item_id = 'rel_work' THEN CASE WHEN is_relevant THEN 4 + CAST(u < 0.4 AS INTEGER)
                                            ELSE 1 + least(2, CAST(floor(u * 3) AS INTEGER)) END
        WHEN item_id = 'readiness' THEN CASE
            WHEN u < barrier + CASE WHEN is_relevant THEN 0 ELSE 0.15 END THEN 1
            WHEN u < barrier + 0.12 THEN 2 WHEN u < barrier + 0.30 THEN 3
            WHEN u < barrier + 0.55 THEN 4 WHEN u < barrier + 0.85 THEN 5 ELSE 6 END
        WHEN item_id = 'nps' THEN least(10, CAST(floor(u * 9) AS INTEGER)
                                            + CASE WHEN format = 'small_group' THEN 2 ELSE 1 END)
        WHEN u < p_pos THEN CASE WHEN u < 0.4 * p_pos THEN 5 ELSE 4 END
        ELSE 1 + least(2, CAST(floor((u - p_pos) / (1 - p_pos) * 3) AS INTEGER))
    END,
    CASE WHEN item_id = 'comment' THEN
        $comments[CAST(hash(response_id, 'text') % $n_comments AS BIGINT) + 1] END,
    $import_id
FROM a
"""


def scale_for(rows: int) -> int:
    """How many times the scale-1 organisation (people, cohorts) `rows` attendance rows need."""
    return max(1, -(-rows // ROWS_PER_SCALE))


def _params_key(rows: int, responses: int) -> str:
    return json.dumps({"rows": rows, "responses": responses, "version": GENERATOR_VERSION})


def generate(path: Path, rows: int, responses: int) -> dict[str, int]:
    """Write the large organisation into a new database at `path`; rows per table.

    Above ROWS_PER_SCALE attendance rows the organisation grows: scale_for(rows) times the
    people and the cohorts (10M rows: 1M people, 4,000 cohorts), the same mix of each."""
    from analysis.store import Store, write_attendance

    scale = scale_for(rows)
    size = {"n_cohorts": N_COHORTS * scale, "n_people": N_PEOPLE * scale}
    store = Store(path)
    try:
        with store.transaction() as cur:
            import_id = store.new_import(cur, "bench", file_name="pages_bench (generated)")
            params = {
                "import_id": import_id,
                "programs_csv": str(DEMO / "programs.csv"),
                "items_csv": str(DEMO / "survey_items.csv"),
            }
            cur.execute(_setup_sql())
            cur.execute(COHORTS_SQL, {"n_cohorts": size["n_cohorts"]})
            cur.execute(GROUPS_SQL)
            cur.execute(ENROL_SQL, {"n_people": size["n_people"]})
            cur.execute(PEOPLE_SQL, {"import_id": import_id, "n_people": size["n_people"]})
            for stmt in filter(str.strip, WRITE_ORG_SQL.split(";")):
                used = {k: v for k, v in params.items() if f"${k}" in stmt}
                cur.execute(stmt, used)
            cur.execute(ATTENDANCE_SQL, {"rows": rows})
            write_attendance(cur, "b_attendance", import_id)  # stored as keys and days
            cur.execute(RESPONSES_SQL, {"responses": responses})
            cur.execute(WRITE_RESPONSES_SQL, {"import_id": import_id})
            cur.execute(
                ANSWERS_SQL,
                {"import_id": import_id, "comments": list(COMMENTS), "n_comments": len(COMMENTS)},
            )
            cur.execute("UPDATE imports SET rows_written = ? WHERE import_id = ?",
                        [rows + responses, import_id])  # fmt: skip
        store.set_setting("bench_params", _params_key(rows, responses))
        return store.row_counts()
    finally:
        store.close()


def ensure_database(work: Path, rows: int, responses: int) -> Path:
    """The generated database for these parameters: reused if present, else generated."""
    from analysis.store import Store

    path = work / f"pages_{rows}_{responses}_v{GENERATOR_VERSION}.duckdb"
    if path.exists():
        store = Store(path)
        try:
            if store.get_setting("bench_params") == _params_key(rows, responses):
                print(f"reusing {path}", file=sys.stderr)
                return path
        finally:
            store.close()
        path.unlink()
    Path(str(path) + ".wal").unlink(missing_ok=True)
    start = time.perf_counter()
    counts = generate(path, rows, responses)
    took = time.perf_counter() - start
    print(f"generated {path} in {took:.1f} s (not part of the page figures)")
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    for table, asked in (("attendance", rows), ("survey_responses", responses)):
        if counts[table] < asked:  # the organisation's sessions and waves cap the volume
            print(f"note: {table} has {counts[table]:,} rows, fewer than the {asked:,} asked")
    return path


# ---------------------------------------------------------------- the pages' analysis calls

Step = tuple[str, Callable, bool]  # label, fn(store, filters, rule, earlier results), per filter


def _page_steps(page: str) -> list[Step]:
    """What a page does for a view: all its figures (analysis.views.page_figures, through the
    privacy step), then all its charts (page_charts), exactly as the page calls them."""
    from analysis import views
    from analysis.charts import ChartContext
    from analysis.privacy import PrivacyRule

    def context(n_text: str) -> ChartContext:
        return ChartContext(n_text, "any month", "all", PrivacyRule(), "now", 1, False)

    return [
        ("page_figures", lambda s, f, r, o: views.page_figures(page, s, f, r), True),
        ("page_charts",
         lambda s, f, r, o: views.page_charts(page, o["page_figures"], context, r), True),
    ]  # fmt: skip


def _filter_options_step() -> list[Step]:
    from analysis import metrics

    # the sidebar's choices: cached per dataset version, so timed cold only
    return [("filter_options", lambda s, f, r, o: metrics.filter_options(s), False)]


def _sidebar_steps() -> list[Step]:
    return [
        ("dataset_version", lambda s, f, r, o: s.dataset_version(), False),
        ("row_counts", lambda s, f, r, o: s.row_counts(), False),
        ("imports", lambda s, f, r, o: s.imports(), False),
        ("has_demo/has_real_data", lambda s, f, r, o: (s.has_demo(), s.has_real_data()), False),
    ]


def _context(n_text: str):
    from analysis.charts import ChartContext
    from analysis.privacy import PrivacyRule

    return ChartContext(n_text, "any month", "all", PrivacyRule(), "now", 1, False)


def _compare_steps() -> list[Step]:
    """The Compare page: one preset pair per view (the five cycle), its words and charts."""
    import itertools

    from analysis.compare.charts import compare_charts
    from analysis.compare.page import base_view, compare_texts, comparisons
    from analysis.compare.presets import PRESETS

    pairs = itertools.cycle(list(PRESETS.values()))

    def figures(s, f, r, o):
        p = next(pairs)
        return comparisons(s, p.a, p.b, "application", "d30", r, base_view(f))

    def charts(s, f, r, o):
        found = o["page_figures"]
        compare_texts(found.results, r)
        return compare_charts(found.results[0], _context, r)

    return [("page_figures", figures, True), ("page_charts", charts, True)]


def _claims_steps() -> list[Step]:
    """The Claims page: the ten claims under the view, then their words and charts."""
    from analysis.compare.claims import claims
    from analysis.compare.claims_page import claim_texts
    from analysis.compare.page import base_view

    return [
        ("page_figures", lambda s, f, r, o: claims(s, r, base_view(f)), True),
        ("page_charts", lambda s, f, r, o: claim_texts(o["page_figures"], r, _context), True),
    ]


def _guide_steps() -> list[Step]:
    """The format guide: the claims and the cost table under the view, then the advice."""
    from analysis.compare import guide
    from analysis.compare.claims import claims
    from analysis.compare.page import base_view

    def figures(s, f, r, o):
        return claims(s, r, base_view(f)), guide.costs(s, r, base_view(f))

    def advice(s, f, r, o):
        found, costs = o["page_figures"]
        return guide.recommend("applying_practice", "department", "mixed", "both", found, costs)

    return [("page_figures", figures, True), ("page_charts", advice, True)]


# The comparison pages: their steps, and what of a view they see (the base view), so each
# warm run gets a view they have not seen.
COMPARISON_PAGES: dict[str, Callable[[], list[Step]]] = {
    "Compare": _compare_steps,
    "Claims": _claims_steps,
    "Format guide": _guide_steps,
}
TARGET_WARM_BY_PAGE = {"Claims": 2.0, "Format guide": 2.0}  # the targets; else 300 ms


# Page name -> its steps (built lazily, so a page whose module is mid-edit is skipped, not fatal).
def _pages() -> dict[str, Callable[[], list[Step]]]:
    """The app's pages with figures, from the one page list (ui/page_list.py), and the sidebar."""
    from ui.page_list import PAGES as APP_PAGES

    out: dict[str, Callable[[], list[Step]]] = {}
    for p in APP_PAGES:
        if p.view:
            first = _filter_options_step if p.default else list
            out[p.title] = lambda v=p.view, first=first: [*first(), *_page_steps(v)]
        elif p.title in COMPARISON_PAGES:
            out[p.title] = COMPARISON_PAGES[p.title]
    out["Sidebar (every page)"] = _sidebar_steps
    return out


PAGES: dict[str, Callable[[], list[Step]]] = _pages()


# ---------------------------------------------------------------- the measurements (children)


def _peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


class _Probe:
    """Wraps Store.query: the time per named query and the largest frame that reached pandas."""

    def __init__(self, store) -> None:
        from analysis.queries import SQL_DIR, load_sql

        self.names = {p.stem: load_sql(p.stem) for p in sorted(SQL_DIR.glob("*.sql"))}
        self.times: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.max_rows = 0
        self._query = store.query
        store.query = self.query

    def query(self, sql: str, params=None):
        start = time.perf_counter()
        df = self._query(sql, params)
        name = next((n for n, text in self.names.items() if text in sql), "other SQL")
        self.times[name] += time.perf_counter() - start
        self.calls[name] += 1
        self.max_rows = max(self.max_rows, len(df))
        return df


def _run_steps(steps: list[Step], store, filters, rule, probe, times, only_per_filter=False):
    """Run a page's steps in order; add each step's seconds to `times`; total seconds."""
    done: dict[str, object] = {}
    total = 0.0
    for label, fn, per_filter in steps:
        if only_per_filter and not per_filter:
            continue
        start = time.perf_counter()
        done[label] = fn(store, filters, rule, done)
        took = time.perf_counter() - start
        times[label].append(took)
        total += took
    return total


def default_filters(store):
    """What the sidebar starts with: every month, no other filter."""
    from analysis.metrics import filter_options
    from analysis.queries import Filters

    months = filter_options(store).months
    return Filters(start_from=months[0], start_to=months[-1]) if months else Filters()


def filter_variants(store, k: int, seen_as=None) -> list:
    """K different filter values: cycle departments, format subsets and month ranges.

    `seen_as` maps a filter value to what the page sees of it (the comparison pages see only
    months, departments and programs), so no two runs show a page the same view."""
    from dataclasses import replace

    from analysis.domain import FORMATS
    from analysis.metrics import filter_options

    opts = filter_options(store)
    base = default_filters(store)
    subsets = [(f,) for f in FORMATS] + [tuple(f for f in FORMATS if f != x) for x in FORMATS]
    seen_as = seen_as or (lambda f: f)
    out, seen, j = [], {seen_as(base)}, 0
    months = opts.months
    while len(out) < k and j < 10 * k + 50:
        kind, n = j % 3, j // 3
        if kind == 0 and opts.departments:
            depts = opts.departments
            pick = (depts[n % len(depts)],) if n < len(depts) else tuple(depts[: 2 + n % 3])
            f = replace(base, departments=pick)
        elif kind == 1:
            f = replace(base, formats=subsets[n % len(subsets)], departments=())
        else:
            span = max(3, len(months) // 2 - n)
            first = (n * 2) % max(1, len(months) - span)
            f = replace(base, start_from=months[first],
                        start_to=months[min(len(months) - 1, first + span - 1)])  # fmt: skip
        if seen_as(f) not in seen:
            seen.add(seen_as(f))
            out.append(f)
        j += 1
    return out


def describe(f) -> str:
    """A short label for one filter value."""
    parts = [f"{f.start_from:%Y-%m}..{f.start_to:%Y-%m}"] if f.start_from else []
    if f.departments:
        parts.append("dept " + "+".join(f.departments))
    if f.formats:
        parts.append("formats " + "+".join(f.formats))
    return ", ".join(parts) or "all"


def child(mode: str, page: str, db: Path, repeat: int) -> dict:
    """Cold: the page's calls once in this fresh process. Warm: warm up, then K filter values."""
    start = time.perf_counter()
    from analysis.privacy import PrivacyRule
    from analysis.store import Store

    steps = PAGES[page]()  # imports the page's analysis modules
    store = Store(db)
    probe = _Probe(store)
    rule = PrivacyRule()
    filters = default_filters(store)
    probe.times.clear()
    probe.calls.clear()
    opened = time.perf_counter() - start
    times: dict[str, list[float]] = defaultdict(list)
    variants = []
    if mode == "cold":
        totals = [_run_steps(steps, store, filters, rule, probe, times)]
    else:
        seen_as = None
        if page in COMPARISON_PAGES:
            from analysis.compare.page import base_view as seen_as
        variants = filter_variants(store, repeat, seen_as)
        _run_steps(steps, store, filters, rule, probe, defaultdict(list))  # warm-up, untimed
        probe.times.clear()
        probe.calls.clear()
        totals = [
            _run_steps(steps, store, f, rule, probe, times, only_per_filter=True) for f in variants
        ]
    store.close()
    return {
        "totals": totals,
        "steps": dict(times),
        "queries": dict(probe.times),
        "query_calls": dict(probe.calls),
        "runs": len(totals),
        "filters": [describe(f) for f in variants] if mode == "warm" else [describe(filters)],
        "open_s": opened,
        "max_rows": probe.max_rows,
        "peak_bytes": _peak_bytes(),
    }


def run_child(mode: str, page: str, db: Path, repeat: int) -> dict:
    """One measurement in a fresh interpreter: its figures and its own peak RSS."""
    start = time.perf_counter()
    out = common.run_child(__file__, mode, "--page", page, "--db", str(db), "--repeat", str(repeat))
    if "error" not in out:
        out["process_s"] = time.perf_counter() - start
    return out


def explain(db: Path, name: str, wave: str) -> str:
    """EXPLAIN ANALYZE of one named query under the default filters."""
    from analysis.domain import ENGAGED_SHARE
    from analysis.queries import _PARAM, load_sql
    from analysis.store import Store

    store = Store(db)
    try:
        prelude, bound = default_filters(store).prelude()
        sql = f"WITH {prelude}\nSELECT * FROM (\n{load_sql(name)}\n) AS q"
        bound = {**bound, "wave": wave, "engaged_share": ENGAGED_SHARE}
        used = {k: v for k, v in bound.items() if k in set(_PARAM.findall(sql))}
        rows = store.fetch("EXPLAIN ANALYZE " + sql, used)
        return "\n".join(str(r[-1]) for r in rows)
    finally:
        store.close()


# ---------------------------------------------------------------- the report


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB"


def _ok(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(results: dict[str, tuple[dict, dict]]) -> list[str]:
    """The table per page, the breakdown per step and per query, then one verdict per page."""
    head = f"{'page':<22}{'cold s':>8}{'process s':>11}{'warm med ms':>13}{'warm max ms':>13}"
    lines = [head + f"{'peak RSS':>10}{'max rows':>10}", "-" * len(head + " " * 20)]
    verdicts = []
    for page, (cold, warm) in results.items():
        peak = max(cold["peak_bytes"], warm["peak_bytes"])
        rows = max(cold["max_rows"], warm["max_rows"])
        c = cold["totals"][0]
        has_warm = bool(warm["totals"]) and any(warm["totals"])
        med = statistics.median(warm["totals"]) if has_warm else float("nan")
        mx = max(warm["totals"]) if has_warm else float("nan")
        warm_ms = f"{med * 1e3:>13.0f}{mx * 1e3:>13.0f}" if has_warm else f"{'–':>13}{'–':>13}"
        lines.append(f"{page:<22}{c:>8.2f}{cold['process_s']:>11.2f}{warm_ms}"
                     f"{_gb(peak):>10}{rows:>10,}")  # fmt: skip
        # The targets apply to the analysis (figures through the privacy step), as they did
        # before charts were timed here; building the plotly charts is reported beside them.
        fig_cold = cold["steps"].get("page_figures", [c])[0]
        fig_warm = warm["steps"].get("page_figures")
        fig_med = statistics.median(fig_warm) if fig_warm else med
        charts = warm["steps"].get("page_charts")
        target = TARGET_WARM_BY_PAGE.get(page, TARGET_WARM_S)
        chart_part = f" (+ charts {statistics.median(charts) * 1e3:.0f} ms)" if charts else ""
        warm_part = (
            f"figures warm median {fig_med * 1e3:.0f} ms{chart_part} "
            f"(≤ {target * 1e3:.0f}: {_ok(fig_med <= target)}) | "
            if has_warm
            else "warm: cached per dataset version, not per filter | "
        )
        verdicts.append(
            f"{page}: {warm_part}figures cold {fig_cold:.2f} s, with charts {c:.2f} s "
            f"(≤ {TARGET_COLD_S:g}: {_ok(fig_cold <= TARGET_COLD_S)}) "
            f"| peak {_gb(peak)} (< 1.5 GB: {_ok(peak < TARGET_PEAK_BYTES)})"
        )
    lines.append("")
    for page, (cold, warm) in results.items():
        if any(warm["totals"]):
            runs = ", ".join(
                f"{t * 1e3:.0f} ({d})" for t, d in zip(warm["totals"], warm["filters"], strict=True)
            )
            lines.append(f"{page}: warm runs, ms (filter): {runs}")
        lines.append(f"{page}: per step, cold ms / warm median ms")
        for label, ts in cold["steps"].items():
            w = warm["steps"].get(label)
            ws = f"{statistics.median(w) * 1e3:8.0f}" if w else "       –"
            lines.append(f"  {label:<38}{ts[0] * 1e3:8.0f}{ws}")
        lines.append(
            "  named queries: runs per page view cold / warm mean, then cold ms / warm mean ms"
        )
        runs = max(1, warm["runs"])
        for name, t in sorted(cold["queries"].items(), key=lambda kv: -kv[1]):
            w, wn = warm["queries"].get(name), warm["query_calls"].get(name, 0) / runs
            ws = f"{w / runs * 1e3:8.0f}" if w is not None else "       –"
            n = f"{cold['query_calls'][name]}× / {wn:.1f}×"
            lines.append(f"    {name:<30}{n:>12}{t * 1e3:8.0f}{ws}")
    return [*lines, "", *verdicts]


def _run(args: argparse.Namespace, work: Path) -> int:
    work.mkdir(parents=True, exist_ok=True)
    db = ensure_database(work, args.rows, args.responses)
    if args.explain:
        print(explain(db, args.explain, args.wave))
        return 0
    print(environment())
    print(f"database: {db} ({db.stat().st_size / 1e6:.0f} MB); warm: {args.repeat} filter values")
    results: dict[str, tuple[dict, dict]] = {}
    pages = args.page or list(PAGES)
    for page in pages:
        cold = run_child("cold", page, db, args.repeat)
        warm = run_child("warm", page, db, args.repeat) if "error" not in cold else cold
        if "error" in cold or "error" in warm:
            print(f"{page}: skipped ({(cold if 'error' in cold else warm)['error']})")
            continue
        results[page] = (cold, warm)
    print("\n".join(report(results)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the organisation, measure each page in child processes, print."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000, help="attendance rows")
    p.add_argument("--responses", type=int, default=100_000, help="survey responses")
    p.add_argument("--repeat", type=int, default=7, help="warm runs, each a different filter")
    p.add_argument("--workdir", type=Path, help="where the database goes (default: temp)")
    p.add_argument("--page", action="append", choices=list(PAGES), help="only these pages")
    p.add_argument("--explain", metavar="QUERY", help="EXPLAIN ANALYZE one named query")
    p.add_argument("--wave", default="d30", help="the $wave for --explain")
    p.add_argument("--child", choices=("cold", "warm"), help=argparse.SUPPRESS)
    p.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        page = args.page[0]
        print(json.dumps(child(args.child, page, args.db, args.repeat)))
        return 0
    return common.in_workdir(args.workdir, "pages_bench_", lambda work: _run(args, work))


if __name__ == "__main__":
    sys.exit(main())
