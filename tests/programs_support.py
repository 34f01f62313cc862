"""Two duplicate cohorts from two exports (and programs), built row by row, for the tests of
editing and merging (tests/test_programs*.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from analysis.store import Store
from tests.ingest_support import write_rows

START = date(2025, 3, 3)
ITEM = ("app", "I used it at work", "application", "agree5", 1, 5, 4)


def _cohort(tag: str, people: list[str], variant: str, sessions: int, shared: list[str]):
    """Rows of one export: its program, cohort, one group, people, attendance, answers."""
    cohort, group = f"C{tag}", f"G{tag}"
    rows = {
        "programs": [(f"P{tag}", f"Feedback skills {tag}", None, "applying_practice", 100, 8)],
        "cohorts": [
            (
                cohort,
                f"P{tag}",
                f"Spring book club {tag}",
                "small_group",
                variant,
                START,
                START + timedelta(weeks=8),
                sessions,
                8,
            )
        ],
        "groups": [(group, cohort, f"Club {tag}", len(people), None)],
        "person_records": [(p, "Eng", "T", "IC", False) for p in people if p not in shared],
        "enrolment_records": [
            (p, cohort, group, START, START + timedelta(weeks=8) if n % 2 else None)
            for n, p in enumerate(people)
        ],
        "attendance": [
            (p, cohort, group, "session", START + timedelta(weeks=w), True, 60.0)
            for n, p in enumerate(people)
            for w in range(sessions - n % 3)
        ],
        "survey_items": [ITEM] if tag == "A" else [],
        "survey_responses": [
            (f"r{tag}{n}", p, cohort, group, "d30", datetime(2025, 6, 2, 9))
            for n, p in enumerate(people)
        ]
        + [(f"r{tag}-loose", None, cohort, None, "d30", datetime(2025, 6, 3, 9))],
        "survey_answers": [(f"r{tag}{n}", "app", 5 - n % 3, None) for n in range(len(people))]
        + [(f"r{tag}-loose", "app", 4, None)],
    }
    return rows


# pX is in both exports: enrolled in both cohorts, at the same first session in each.
PEOPLE_A = ["pX", "pa1", "pa2", "pa3", "pa4"]
PEOPLE_B = ["pX", "pb1", "pb2"]


def build_duplicates(store: Store) -> tuple[int, int]:
    """Import A (5 people, book club, 4 sessions) and import B (3 people, course buddies,
    5 sessions): the same cohort twice. Returns the two import ids."""
    a = _cohort("A", PEOPLE_A, "book_club", 4, [])
    write_rows(store, a, "zoom-spring.csv")
    b = _cohort("B", PEOPLE_B, "course_buddies", 5, ["pX"])
    write_rows(store, b, "forms-spring.csv")
    ids = store.fetch("SELECT import_id FROM imports ORDER BY import_id")
    return ids[0][0], ids[1][0]


def count(store: Store, table: str, where: str = "TRUE", params: list | None = None) -> int:
    """Rows of one table (or view) matching a condition."""
    return store.fetch(f"SELECT count(*) FROM {table} WHERE {where}", params)[0][0]


ROW_TABLES = ("attendance", "enrolment_records", "survey_responses", "survey_answers", "groups")


def per_table(store: Store) -> dict[str, int]:
    """Rows per data table, and the enrolments view."""
    return {t: count(store, t) for t in (*ROW_TABLES, "enrolments", "cohorts", "programs")}
