"""The demo CSVs in data/demo/: writing them byte-stably and loading them into DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analysis.demo.generate import generate_demo
from analysis.demo.plan import DEMO_SEED
from analysis.demo.schema import TABLE_COLUMNS, TABLES
from analysis.store import (
    PROJECT_ROOT,
    STORAGE_TABLE,
    Store,
    attendance_relation,
    write_attendance,
)

DEMO_DIR = PROJECT_ROOT / "data" / "demo"


def _csv_frame(df: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """Text versions of each column: ISO dates, true/false, integers without '.0', empty NULLs."""
    out = pd.DataFrame(index=df.index)
    for col, kind in types.items():
        s = df[col]
        if kind == "BOOLEAN":
            out[col] = s.map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))
        elif kind == "DATE":
            out[col] = s.map(lambda v: "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d"))
        elif kind == "TIMESTAMP":
            out[col] = s.map(lambda v: "" if pd.isna(v) else v.strftime("%Y-%m-%d %H:%M:%S"))
        elif kind in ("DOUBLE", "INTEGER"):
            out[col] = s.map(_number_text)
        else:
            out[col] = s.map(lambda v: "" if v is None or pd.isna(v) else str(v))
    return out


def _number_text(value: object) -> str:
    """A number as stable text: integers without a decimal point, others to 2 decimals."""
    if value is None or pd.isna(value):
        return ""
    number = round(float(value), 2)
    return str(int(number)) if number.is_integer() else f"{number:.2f}".rstrip("0")


def write_demo(out_dir: Path = DEMO_DIR, seed: int = DEMO_SEED) -> list[Path]:
    """Write <table>.csv for every table (UTF-8, header, byte-stable) and return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, df in generate_demo(seed).items():
        path = out_dir / f"{table}.csv"
        text = _csv_frame(df, TABLE_COLUMNS[table])
        text.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        paths.append(path)
    return paths


def _read_sql(table: str) -> str:
    """read_csv of a demo table with explicit column types (names are code constants)."""
    spec = ", ".join(f"'{c}': '{t}'" for c, t in TABLE_COLUMNS[table].items())
    return (
        "read_csv(?, header = true, delim = ',', quote = '\"', escape = '\"', "
        "dateformat = '%Y-%m-%d', timestampformat = '%Y-%m-%d %H:%M:%S', "
        f"columns = {{{spec}}})"
    )


def _insert(cur: duckdb.DuckDBPyConnection, table: str, path: Path, import_id: int) -> int:
    """Write one demo CSV's rows as the demo import's; returns the rows written."""
    if table == "attendance":  # a view: written as its keys and days
        cur.execute(f"CREATE TEMP TABLE demo_attendance AS SELECT * FROM {_read_sql(table)}",
                    [str(path)])  # fmt: skip
        relation = attendance_relation("demo_attendance", list(TABLE_COLUMNS[table]))
        written = write_attendance(cur, relation, import_id)
        cur.execute("DROP TABLE demo_attendance")
        return written
    cols = ", ".join(f'"{c}"' for c in TABLE_COLUMNS[table])
    return cur.execute(
        f'INSERT INTO "{STORAGE_TABLE.get(table, table)}" ({cols}, import_id) '
        f"SELECT {cols}, ? FROM {_read_sql(table)}",
        [import_id, str(path)],
    ).fetchone()[0]


def load_demo(store: Store, demo_dir: Path = DEMO_DIR) -> int:
    """Load every demo CSV in one transaction as one demo import; returns its import id."""
    demo_dir = Path(demo_dir)
    with store.transaction() as cur:
        if cur.execute("SELECT count(*) FROM imports WHERE is_demo").fetchone()[0]:
            raise ValueError("the demo data is already loaded; remove it before loading it again")
        import_id = store.new_import(
            cur, "demo", file_name="data/demo", tool="generator", is_demo=True
        )
        written = 0
        for table in TABLES:
            path = demo_dir / f"{table}.csv"
            if not path.is_file():
                raise FileNotFoundError(f"demo file missing: {path}")
            written += _insert(cur, table, path, import_id)
        cur.execute("UPDATE imports SET rows_written = ? WHERE import_id = ?", [written, import_id])
    return import_id
