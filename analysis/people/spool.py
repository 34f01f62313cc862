"""Forget requests from the command line, carried out by the process that holds the database.

While the app runs it holds the database file (read-only between its writes), so another
process cannot open it to write. The command line then leaves a request in the spool folder
beside the database (`<database file>.requests/`, mode 700): the person's hashed key and the
fingerprint of the secret it was hashed with, never the identifier. The app's watcher thread
carries it out through the app's own Store (one transaction, like a deletion from Settings) and
answers with a result file the command waits for. When no process holds the file, the command
opens it itself and carries out every waiting request, its own included.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path

from analysis import lake_sync
from analysis.people import forget, suppression
from analysis.store import DatabaseBusyError, Store

LOG = logging.getLogger(__name__)
REQUEST, RESULT = ".request", ".result"
POLL_SECONDS = 0.5
# A result nobody came back for (the command gave up waiting) is removed after a day.
STALE_RESULT_SECONDS = 24 * 3600


APP_LOCK = "app.lock"


def spool_dir(db_path: Path) -> Path:
    """The spool folder of a database file."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".requests")


def _lock_file(db_path: Path):
    folder = spool_dir(db_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return open(folder / APP_LOCK, "a+b")  # the app holds it open for its lifetime


def app_running(db_path: Path) -> bool:
    """Whether an app process watches this database's spool (it holds the lock file).

    The command line must not write the file behind a running app's back, even in the instant
    between two of the app's connections when the file is free: the app's in-memory dataset
    version and its open connection would not see it.
    """
    with _lock_file(db_path) as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return False


def _write_atomically(path: Path, payload: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def submit(db_path: Path, key: str) -> str:
    """Leave a forget request for `key`; returns its id."""
    folder = spool_dir(db_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    request_id = uuid.uuid4().hex
    payload = {
        "op": "forget",
        "key": key,
        "secret": suppression.secret_fingerprint(Path(db_path)) or "",
    }
    _write_atomically(folder / f"{request_id}{REQUEST}", payload)
    return request_id


def take_result(db_path: Path, request_id: str) -> dict | None:
    """The answer to a request, once it is there (the file is removed when read)."""
    path = spool_dir(db_path) / f"{request_id}{RESULT}"
    if not path.is_file():
        return None
    result = json.loads(path.read_text(encoding="utf-8"))
    path.unlink(missing_ok=True)
    return result


def pending(db_path: Path) -> list[Path]:
    """Waiting requests, oldest first."""
    folder = spool_dir(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"*{REQUEST}"), key=lambda p: (p.stat().st_mtime, p.name))


def process_pending(store: Store, applied_by: str) -> int:
    """Carry out every waiting request with this (writable) Store; returns how many.

    Each gets a result file: what was removed per table, or why nothing was. A busy database
    leaves the request waiting for the next round.
    """
    done = 0
    own_secret = suppression.secret_fingerprint(store.path) or ""
    for path in pending(store.path):
        result_path = path.with_name(path.name[: -len(REQUEST)] + RESULT)
        try:
            request = json.loads(path.read_text(encoding="utf-8"))
            if request.get("op") != "forget" or not isinstance(request.get("key"), str):
                raise ValueError("not a forget request")
            if request.get("secret") != own_secret:
                raise ValueError(
                    "the command line and the app use different hashing secrets "
                    "(FORMATFIT_SECRET_FILE): nothing was deleted"
                )
            outcome = forget.forget_key(store, request["key"], "command line").to_dict()
            result = {"ok": True, "applied_by": applied_by, **outcome, **lake_sync.report(store)}
        except DatabaseBusyError:
            return done  # try again next round
        except FileNotFoundError:
            continue  # another process took it meanwhile
        except Exception as exc:  # one bad request must not stop the others
            result = {"ok": False, "error": str(exc)}
        _write_atomically(result_path, result)
        path.unlink(missing_ok=True)
        done += 1
    _drop_stale_results(store.path)
    return done


def _drop_stale_results(db_path: Path) -> None:
    folder = spool_dir(db_path)
    cutoff = time.time() - STALE_RESULT_SECONDS
    for path in folder.glob(f"*{RESULT}") if folder.is_dir() else ():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


class Watcher(threading.Thread):
    """The app's background thread: carries out requests as they arrive (every 0.5 s)."""

    def __init__(self, store: Store) -> None:
        super().__init__(name="formatfit-forget-requests", daemon=True)
        self.store = store
        self.stopping = threading.Event()
        # held while the app runs (released by the OS if it dies): see app_running()
        self._lock = _lock_file(store.path)
        # another app process on the same file may hold it already: both watch the spool
        with contextlib.suppress(OSError):
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def run(self) -> None:
        while not self.stopping.wait(POLL_SECONDS):
            try:
                if pending(self.store.path):
                    process_pending(self.store, "app")
            except Exception:  # keep watching: the next request may well work
                LOG.exception("a forget request could not be carried out")


_WATCHERS: list[Watcher] = []


def start_watcher(store: Store) -> Watcher:
    """Start watching the spool folder of this Store's database (stopped at exit)."""
    watcher = Watcher(store)
    watcher.start()
    _WATCHERS.append(watcher)
    return watcher


@atexit.register
def _stop_watchers() -> None:
    """Let the threads end before the interpreter does, dropping their Store (and connection)."""
    for watcher in _WATCHERS:
        watcher.stopping.set()
    for watcher in _WATCHERS:
        watcher.join(timeout=5)
        watcher._lock.close()
    _WATCHERS.clear()


def _open_unless_app(db_path: Path) -> Store | None:
    """The database opened for writing, or None while an app runs or another process holds it."""
    if app_running(db_path):
        return None
    try:
        return Store(db_path, mode="write")  # fails at once while another process holds it
    except DatabaseBusyError:
        return None


def forget_from_command_line(db_path: Path, key: str, wait: float) -> dict:
    """Forget `key` now when the database is free, else through the process that holds it.

    Returns the result (rows removed per table, who applied it). Raises TimeoutError when no
    answer came within `wait` seconds: the request stays queued.
    """
    store = _open_unless_app(db_path)
    if store is not None:
        try:
            outcome = forget.forget_key(store, key, "command line").to_dict()
            lake = lake_sync.report(store)
            process_pending(store, "command line")  # requests left while nobody was there
        finally:
            store.close()
        return {"ok": True, "applied_by": "command line", **outcome, **lake}
    request_id = submit(db_path, key)
    deadline = time.monotonic() + wait
    while True:
        result = take_result(db_path, request_id)
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"the database is in use and no answer came within {wait:g} s; the request "
                f"waits in {spool_dir(db_path)} and is carried out when the app or this "
                "command next gets to it"
            )
        time.sleep(POLL_SECONDS)
        store = _open_unless_app(db_path)  # the holder may have been a command-line read
        if store is None:
            continue
        try:
            process_pending(store, "command line")
        finally:
            store.close()
