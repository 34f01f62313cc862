"""Sessions asking for the same new-version result at once compute it once (after an import).

The server runs each session's script in a thread of one interpreter; twenty sessions asking
for the same result side by side used to compute it twenty times. These tests start the
threads together and count the computations.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from analysis import derived, queries
from analysis.privacy import measures
from analysis.privacy.rule import PrivacyRule
from analysis.queries import Filters
from analysis.single_flight import SingleFlight
from analysis.store import Store
from tests.tiny import build_tiny_store

THREADS = 8


def _together(fn, n: int = THREADS) -> list:
    """Call fn in n threads released at the same moment; their results."""
    start = threading.Barrier(n)

    def one(_):
        start.wait()
        return fn()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def _counting(monkeypatch, owner, name: str, pause_s: float = 0.2) -> list:
    """Count calls of owner.name, each made slow enough for the threads to meet."""
    calls = []
    real = getattr(owner, name)

    def slow(*args, **kwargs):
        calls.append(threading.get_ident())
        time.sleep(pause_s)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, slow)
    return calls


def test_a_named_query_asked_by_many_sessions_at_once_runs_once(tmp_path, monkeypatch):
    db = build_tiny_store(tmp_path / "t.duckdb")
    runs = _counting(monkeypatch, queries, "_run")
    frames = _together(lambda: queries.run_query(db, "row_counts", Filters()))
    assert len(runs) == 1
    assert all(f.equals(frames[0]) for f in frames)
    assert queries._FLIGHTS.waiting() == 0  # every turn given back


def test_a_new_version_runs_the_query_again(tmp_path, monkeypatch):
    db = build_tiny_store(tmp_path / "t.duckdb")
    runs = _counting(monkeypatch, queries, "_run", pause_s=0)
    queries.run_query(db, "row_counts", Filters())
    with db.transaction():
        pass
    queries.run_query(db, "row_counts", Filters())
    assert len(runs) == 2


def test_privacy_cells_asked_by_many_sessions_at_once_are_built_once(tmp_path, monkeypatch):
    db = build_tiny_store(tmp_path / "t.duckdb")
    builds = []

    def build():
        builds.append(1)
        time.sleep(0.2)
        return object()

    cells = _together(lambda: measures._memo(db, PrivacyRule(5), "test-measure", build))
    assert len(builds) == 1 and all(c is cells[0] for c in cells)


def test_a_stale_derived_table_is_rebuilt_by_one_session_in_one_write(tmp_path, monkeypatch):
    path = tmp_path / "t.duckdb"
    build_tiny_store(path).close()
    db = Store(path, mode="shared")  # as the app holds it: each write reopens the file
    name = next(iter(derived.DERIVED))
    builds = _counting(monkeypatch, db, "_build_derived")
    assert all(_together(lambda: db.ensure_derived(name, derived.DERIVED[name])))
    assert len(builds) == 1
    assert db.get_setting(f"derived:{name}") == str(db.dataset_version())


def test_a_failed_computation_lets_the_next_session_try(tmp_path):
    flights = SingleFlight()
    memo: dict = {}
    attempts = []

    def ask():
        with flights.turn("k"):
            if "k" not in memo:
                attempts.append(1)
                if len(attempts) == 1:
                    raise RuntimeError("the first try fails")
                memo["k"] = "value"
        return memo["k"]

    outcomes = []
    for _ in range(2):
        try:
            outcomes.append(ask())
        except RuntimeError as exc:
            outcomes.append(str(exc))
    assert outcomes == ["the first try fails", "value"] and flights.waiting() == 0


def test_settings_are_read_again_after_every_write(tmp_path):
    db = Store(tmp_path / "t.duckdb")
    db.set_setting("min_group_size", "5")
    assert db.get_setting("min_group_size") == "5"
    db.set_setting("min_group_size", "7")
    assert db.get_setting("min_group_size") == "7"  # not the kept value
    with db.write() as cur:  # inside a write, the table itself is read
        cur.execute("INSERT OR REPLACE INTO meta VALUES ('min_group_size', '9')")
        assert db.get_setting("min_group_size") == "9"
    assert db.get_setting("min_group_size") == "9"
    assert db.get_setting("no such key", "default") == "default"


def test_a_value_read_before_a_write_ended_is_not_kept(tmp_path):
    db = Store(tmp_path / "t.duckdb")
    before = db._lock.writes
    db.set_setting("x", "1")
    assert not db._lock.settled(before)  # a read begun before this write may be stale
    assert db._lock.settled(db._lock.writes)
