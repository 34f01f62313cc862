"""A tiny organisation written row by row, whose every metric is counted by hand in the tests."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from analysis.store import Store, write_attendance

START = {"C_A": date(2025, 1, 6), "C_S": date(2025, 2, 3), "C_G": date(2025, 3, 3)}


def build_tiny_store(path: Path) -> Store:
    """Three cohorts (one per format), ten people, hand-countable attendance and answers."""
    store = Store(path)
    with store.transaction() as cur:
        imp = store.new_import(cur, "test", file_name="tiny")
        cur.execute(
            "INSERT INTO programs VALUES ('P1', 'Feedback skills', 'feedback', "
            "'applying_practice', 100, 8, ?)",
            [imp],
        )
        cohorts = [
            ("C_A", "everyone_at_once", "org_wide", 4, 4),
            ("C_S", "self_directed", "self_paced_course", 0, 4),
            ("C_G", "small_group", "book_club", 4, 4),
        ]
        for cid, fmt, variant, sessions, weeks in cohorts:
            start = START[cid]
            cur.execute(
                "INSERT INTO cohorts VALUES (?, 'P1', ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    cid,
                    cid,
                    fmt,
                    variant,
                    start,
                    start + timedelta(weeks=weeks),
                    sessions,
                    weeks,
                    imp,
                ],
            )
            cur.execute(
                "INSERT INTO groups VALUES (?, ?, ?, 3, false, ?)", ["G" + cid, cid, cid, imp]
            )
        for i in range(1, 11):
            dept = "Eng" if i <= 3 else "Sales"
            cur.execute(
                "INSERT INTO person_records VALUES (?, ?, 'T', 'IC', false, ?)",
                [f"p{i}", dept, imp],
            )
        members = {"C_A": [1, 2, 3, 4], "C_S": [5, 6, 7], "C_G": [8, 9, 10]}
        completed = {1, 8, 9}
        for cid, ps in members.items():
            for i in ps:
                cur.execute(
                    "INSERT INTO enrolment_records VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        f"p{i}",
                        cid,
                        "G" + cid,
                        START[cid],
                        START[cid] + timedelta(weeks=4) if i in completed else None,
                        imp,
                    ],
                )
        # sessions attended per person (session cohorts) / active weeks (self-paced)
        sessions = {
            1: [0, 1, 2, 3, 3],
            2: [0, 1, 2],
            3: [0, 2],
            8: [0, 1, 2, 3],
            9: [0, 1, 2, 3],
            10: [1, 2, 3],
        }
        cur.execute(  # the attendance view's rows, written as its keys and days below
            "CREATE TEMP TABLE tiny_attendance AS "
            "SELECT * EXCLUDE (import_id) FROM attendance WITH NO DATA"
        )
        for i, weeks in sessions.items():
            cid = "C_A" if i <= 4 else "C_G"
            for w in weeks:
                cur.execute(
                    "INSERT INTO tiny_attendance VALUES (?, ?, ?, 'session', ?, true, 60)",
                    [f"p{i}", cid, "G" + cid, START[cid] + timedelta(weeks=w)],
                )
        # p5: activity on days 0 and 2 (same week), then weeks 1 and 2: 3 of 4 weeks
        for i, days in {5: [0, 2, 7, 15], 6: [1]}.items():
            for d in days:
                cur.execute(
                    "INSERT INTO tiny_attendance "
                    "VALUES (?, 'C_S', 'GC_S', 'activity', ?, true, 20)",
                    [f"p{i}", START["C_S"] + timedelta(days=d)],
                )
        write_attendance(cur, "tiny_attendance", imp)
        cur.execute("DROP TABLE tiny_attendance")
        cur.execute(
            "INSERT INTO survey_items VALUES ('app', 'I used it', 'application', 'agree5', 1, 5, "
            "4, ?)",
            [imp],
        )
        answers = [
            ("C_A", "p1", 5),
            ("C_A", "p2", 3),
            ("C_A", None, 4),
            ("C_G", "p8", 4),
            ("C_G", "p9", 5),
            ("C_G", "p10", 2),
        ]
        for n, (cid, person, value) in enumerate(answers):
            rid = f"r{n}"
            cur.execute(
                "INSERT INTO survey_responses VALUES (?, ?, ?, ?, 'd30', ?, ?)",
                [rid, person, cid, "G" + cid, START[cid] + timedelta(weeks=9), imp],
            )
            cur.execute(
                "INSERT INTO survey_answers VALUES (?, 'app', ?, NULL, ?)", [rid, value, imp]
            )
    return store
