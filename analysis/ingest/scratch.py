"""The scratch database an attendance or LMS import is shaped in, bounded by a memory setting.

Each `prepare` gets a private DuckDB file in its own temporary folder, opened with
`memory_limit` ($FORMATFIT_IMPORT_MEMORY) and a `temp_directory` inside that folder. The work
tables are TEMP tables: what does not fit the limit spills to the folder, so memory does not
grow with the file. Only the rows to write go into the file (`StagedRows`), which stays until
the commit attaches it to the database and copies them with one INSERT … SELECT, inside the
import's transaction.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

IMPORT_MEMORY_ENV_VAR = "FORMATFIT_IMPORT_MEMORY"
DEFAULT_IMPORT_MEMORY = "500MB"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B)\s*$", re.IGNORECASE)


def import_memory() -> str:
    """DuckDB's memory limit for shaping and committing an import ($FORMATFIT_IMPORT_MEMORY,
    e.g. "500MB" or "2GB"; default 500MB). A value DuckDB would not read gives the default."""
    value = os.environ.get(IMPORT_MEMORY_ENV_VAR, "").strip()
    return value if _SIZE.match(value) else DEFAULT_IMPORT_MEMORY


@contextmanager
def bounded_memory(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB's memory limit lowered to the import's setting for the block, then restored.

    For the commit on the app's database, which no other work of this process uses meanwhile
    (the store's write lock); what does not fit goes to the database's own temp directory.
    """
    before = _memory_limit(con)
    con.execute(f"SET memory_limit = '{import_memory()}'")
    try:
        yield
    finally:
        con.execute("RESET memory_limit")  # exact, where SET of the shown value rounds
        if _memory_limit(con) != before:  # a limit set on purpose: as near as it is shown
            con.execute(f"SET memory_limit = '{before}'")


def _memory_limit(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


_PREFIX = "formatfit-import-"


def sweep_orphans() -> None:
    """Delete the scratch folders of processes that are gone (an import killed midway leaves
    its folder behind: no finalizer runs on SIGKILL)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class Scratch:
    """A private DuckDB file for shaping one upload (never the app's database), in its own
    temporary folder that `remove` deletes."""

    def __init__(self) -> None:
        sweep_orphans()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        self.path = self.folder / "scratch.duckdb"
        config = {
            "memory_limit": import_memory(),
            "temp_directory": str(self.folder / "spill"),
        }
        self.con: duckdb.DuckDBPyConnection | None = duckdb.connect(str(self.path), config=config)
        self._closed = threading.Event()
        self._close_error: BaseException | None = None

    def close(self) -> None:
        """Close the connection; the file stays for the commit."""
        if self.con is not None:
            self.con.close()
            self.con = None
        self._closed.set()

    def close_in_background(self) -> None:
        """Close the connection in a thread; the file stays for the commit.

        Closing frees the work tables and writes the rows to the file: 30 ms at 1M rows, which
        DuckDB spends without Python's lock, so a commit that follows at once (the command
        line) gets on with its first tables meanwhile. Whoever reads the file waits for it
        first (`wait_closed`).
        """
        con, self.con = self.con, None
        if con is None:
            self._closed.set()
            return

        def run() -> None:
            try:
                con.close()
            except BaseException as exc:  # raised to whoever reads the file
                self._close_error = exc
            finally:
                self._closed.set()

        threading.Thread(target=run, name="formatfit-scratch-close").start()

    def wait_closed(self) -> None:
        """Return once the connection is closed and the file complete; raise what closing it
        raised (the file is then not to be read)."""
        self._closed.wait()
        if self._close_error is not None:  # a new error each time: the kept one holds no frames
            raise RuntimeError(
                f"the import's scratch file could not be written: {self._close_error}"
            ) from self._close_error

    def remove(self) -> None:
        """Close the connection and delete the folder with the file."""
        if self.con is not None:
            self.close()
        self._closed.wait()  # closing in the background: its thread still writes the file
        shutil.rmtree(self.folder, ignore_errors=True)


class StagedRows:
    """Rows of an import plan that stay in its scratch file until the commit.

    Stands in for a frame in `ImportPlan.tables`: `len()` is the number of rows and
    `column_names` their columns. `select` is a query over the scratch's tables, written with
    `{db}` for the attached file's name. The folder is deleted with the last reference to
    this object (a plan prepared and never committed leaves nothing behind).
    """

    def __init__(
        self,
        scratch: Scratch,
        select: str,
        columns: list[str],
        rows: int,
        parts: dict[str, tuple[list[str], str]] | None = None,
    ) -> None:
        self.path = scratch.path
        self.select = select
        self.column_names = list(columns)
        self.rows = rows
        # Where the commit writes them when the table is stored across tables: per storage
        # table, its columns and a query over the scratch's tables (with `{db}` as in select).
        self.parts = dict(parts or {})
        self._ready = scratch.wait_closed
        self._cleanup = weakref.finalize(self, scratch.remove)

    def __len__(self) -> int:
        return self.rows

    @property
    def columns(self) -> list[str]:
        """The columns, as a frame names them."""
        return self.column_names

    def attach(self, cur: duckdb.DuckDBPyConnection) -> str:
        """Attach the file read-only to `cur`'s database; returns the rows as a SQL relation.

        DETACH it (`detach`) once the transaction that read it is over.
        """
        self._ready()
        alias = "formatfit_plan_" + uuid.uuid4().hex[:12]
        path = "'" + str(self.path).replace("'", "''") + "'"
        cur.execute(f"ATTACH {path} AS {alias} (READ_ONLY)")
        self._alias = alias
        return f"({self.select.format(db=alias)})"

    @property
    def alias(self) -> str:
        """The attached file's name while it is attached (see attach)."""
        if getattr(self, "_alias", None) is None:
            raise RuntimeError("the scratch file is not attached")
        return self._alias

    def detach(self, cur: duckdb.DuckDBPyConnection) -> None:
        """Detach the file attached by `attach`."""
        alias = getattr(self, "_alias", None)
        if alias is not None:
            cur.execute(f"DETACH DATABASE IF EXISTS {alias}")  # gone if a rollback undid ATTACH
            self._alias = None

    @contextmanager
    def attached(self, cur: duckdb.DuckDBPyConnection) -> Iterator[str]:
        """`attach` for a read outside a transaction, detached afterwards."""
        relation = self.attach(cur)
        try:
            yield relation
        finally:
            self.detach(cur)

    def to_arrow(self) -> pa.Table:
        """All the rows as Arrow (for tests and small plans: this reads them all into memory)."""
        self._ready()
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.sql(self.select.format(db=self.path.stem)).to_arrow_table()

    def to_pandas(self) -> pd.DataFrame:
        """All the rows as a DataFrame (see to_arrow)."""
        return self.to_arrow().to_pandas()

    def discard(self) -> None:
        """Delete the scratch folder now."""
        self._cleanup()
