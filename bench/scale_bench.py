"""Scale benchmark: each page's analysis on DuckDB and on local Spark, same data, same machine.

Generates (or reuses, as pages_bench does) the large organisation at 10,000,000 attendance rows
and 1,000,000 survey responses into a DuckDB file, exports it to a lake folder beside it (the
Parquet tables Spark reads), then runs one fresh child process per engine:

- start-up: on DuckDB the imports and opening the database; on Spark importing pyspark,
  creating the Spark Connect session (a local server: a JVM), the first trivial query, and
  registering the lake's tables and views;
- per page: an untimed warm-up view, then the default filters and --repeat other filter values,
  each a view no earlier run asked for, with every result memo emptied before each run, so each
  timed run computes every query it needs; median and worst per page and engine;
- every named query's result and every page's figures are compared between the engines
  (floats to 1e-9).

    .venv/bin/python bench/scale_bench.py --workdir /tmp/scale_bench
    .venv/bin/python bench/scale_bench.py --rows 200000 --responses 20000 --workdir /tmp/sb
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import statistics
import sys
import time
from dataclasses import fields, is_dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import common  # noqa: E402
from bench.common import environment  # noqa: E402
from bench.pages_bench import (  # noqa: E402
    COMPARISON_PAGES,
    GENERATOR_VERSION,
    PAGES,
    Step,
    _filter_options_step,
    default_filters,
    describe,
    ensure_database,
    filter_variants,
)

ENGINES = ("duckdb", "spark")
SIDEBAR = "Sidebar filter choices"
CHILD_TIMEOUT_S = 3 * 3600  # a 10M run on local Spark takes long; the figures say how long
TOLERANCE = 1e-9
# What the local Spark ran with (the engine sets none of them: Spark's defaults, as in the app).
SPARK_SETTINGS = (
    "spark.master",
    "spark.driver.memory",
    "spark.sql.shuffle.partitions",
    "spark.sql.adaptive.enabled",
    "spark.sql.adaptive.coalescePartitions.enabled",
)


# ---------------------------------------------------------------- data: database and lake


def ensure_lake(db: Path, lake_dir: Path) -> Path:
    """The database exported to `lake_dir`: reused when its manifest matches the database
    (same dataset version and rows per table, every file present), else exported again."""
    from analysis import lake
    from analysis.store import DATA_TABLES, Store

    store = Store(db, mode="read")
    try:
        counts = {
            t: store.fetch(f"SELECT count(*) FROM {lake.ident(t)}")[0][0] for t in DATA_TABLES
        }
        try:
            manifest = lake.read_manifest(lake_dir)
            files = [f for fs in lake.table_files(lake_dir, manifest).values() for f in fs]
            current = (
                manifest["source_dataset_version"] == store.dataset_version()
                and all(manifest["rows"].get(t) == n for t, n in counts.items())
                and all(f.is_file() for f in files)
            )
        except (lake.LakeError, KeyError):
            current = False
        if current:
            print(f"reusing the lake {lake_dir}", file=sys.stderr)
            return lake_dir
        start = time.perf_counter()
        lake.export(store, lake_dir)
        size = sum(f.stat().st_size for f in lake_dir.rglob("*.parquet"))
        print(f"exported the lake {lake_dir} ({size / 1e6:.0f} MB of Parquet) in "
              f"{time.perf_counter() - start:.1f} s (not part of the figures)")  # fmt: skip
        return lake_dir
    finally:
        store.close()


# ---------------------------------------------------------------- what is timed


def analysis_pages() -> dict[str, list[Step]]:
    """Each page's analysis (its figures through the privacy step; no plotly charts, which do
    not touch the engine), and the sidebar's filter choices, the one engine call it makes."""
    out: dict[str, list[Step]] = {}
    for page, build in PAGES.items():
        steps = [s for s in build() if s[2] and s[0] != "page_charts"]
        if steps:
            out[page] = steps
    out[SIDEBAR] = [(label, fn, True) for label, fn, _ in _filter_options_step()]
    return out


def clear_memos() -> None:
    """Empty every result memo of analysis/ (per dataset version), so the next run computes."""
    from analysis import queries
    from analysis.compare import data
    from analysis.privacy import measures

    for memo in (queries._RESULTS, measures._MEMO, measures._SPLITS, data._MEMO):
        memo.clear()


class Recorder:
    """Wraps the engine's query call: counts the queries and keeps each result frame."""

    def __init__(self, owner, attr: str) -> None:
        from analysis.queries import SQL_DIR, load_sql

        self.names = {p.stem: load_sql(p.stem) for p in sorted(SQL_DIR.glob("*.sql"))}
        self.frames: dict[str, object] = {}
        self.calls = 0
        self._query = getattr(owner, attr)
        setattr(owner, attr, self.query)

    def query(self, sql: str, params=None):
        df = self._query(sql, params)
        name = next((n for n, text in self.names.items() if text in sql), "other SQL")
        # each distinct (query, parameters) result once: the whole-dataset cell queries run
        # again in every run, and keeping every copy would bound the size we can measure
        self.frames.setdefault(f"{name} {sorted((params or {}).items())!r}", df)
        self.calls += 1
        return df

    def take(self) -> int:
        n, self.calls = self.calls, 0
        return n


def _views(store, repeat: int) -> dict[str, tuple[object, list]]:
    """Per page: the warm-up view, then the timed views (default filters + `repeat` others)."""
    base = default_filters(store)
    out = {}
    for page in analysis_pages():
        seen_as = None
        if page in COMPARISON_PAGES:
            from analysis.compare.page import base_view as seen_as
        others = filter_variants(store, repeat + 1, seen_as)
        out[page] = (others[-1], [base, *others[:repeat]])
    return out


def _log(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"{time.strftime('%H:%M:%S')} {text}\n")


def _jvm_peak_bytes() -> int:
    """The largest peak RSS (VmHWM) of this process's descendants: the local Spark JVM."""
    me, peak = os.getpid(), 0
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields_ = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields_[1])
        except (OSError, IndexError, ValueError):
            continue
    for pid in parents:
        p, hops = pid, 0
        while p not in (0, 1, me) and hops < 20:
            p, hops = parents.get(p, 0), hops + 1
        if p == me and pid != me:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) * 1024)
            except OSError:
                continue
    return peak


def child(
    name: str, db: Path, lake_dir: Path, remote: str, repeat: int, out: Path, pages: list[str]
) -> dict:
    """One engine in this fresh process: start-up, then every page's runs; results to `out`."""
    start = time.perf_counter()
    from analysis import engine
    from analysis.privacy import PrivacyRule
    from analysis.store import Store

    os.environ.pop(engine.ENGINE_ENV_VAR, None)
    store = Store(db)
    startup = {"open the database file (Store)": time.perf_counter() - start}
    log = out.with_suffix(".log")
    views = _views(store, repeat)  # on DuckDB in both children, untimed: the same views
    clear_memos()
    if name == "spark":
        os.environ.update({engine.ENGINE_ENV_VAR: "spark", engine.LAKE_ENV_VAR: str(lake_dir),
                           engine.REMOTE_ENV_VAR: remote})  # fmt: skip
        t = time.perf_counter()
        from pyspark.sql import SparkSession

        startup["import pyspark"] = time.perf_counter() - t
        t = time.perf_counter()
        spark = engine.session_builder(SparkSession, remote, engine.driver_memory()).getOrCreate()
        startup[f"session {remote} (JVM + Spark Connect server)"] = time.perf_counter() - t
        t = time.perf_counter()
        spark.sql("SELECT 1 AS one").collect()
        startup["first query (SELECT 1)"] = time.perf_counter() - t
        settings = {k: _conf(spark, k) for k in SPARK_SETTINGS}
        lake = engine.current()
        t = time.perf_counter()
        assert lake.session() is spark, "the engine made a second session"
        startup["lake registration (tables + views)"] = time.perf_counter() - t
        recorder = Recorder(lake, "query")
    else:
        recorder = Recorder(store, "query")
        settings = {}
    _log(log, f"{name}: started, {startup}")
    rule = PrivacyRule()
    runs: dict[str, dict] = {}
    kept: dict[str, list] = {}
    done: dict = {"environment": environment(), "startup": startup, "settings": settings}
    done.update(pages=runs, peak_bytes=0, jvm_peak_bytes=0, process_s=0.0)
    for page, steps in analysis_pages().items():
        if pages and page not in pages:
            continue
        warm, timed = views[page]
        try:
            clear_memos()
            _run(steps, store, warm, rule)  # warm-up, untimed
            recorder.take()
            totals, calls, found = [], [], []
            for f in timed:
                clear_memos()
                t = time.perf_counter()
                figures = _run(steps, store, f, rule)
                totals.append(time.perf_counter() - t)
                n = recorder.take()
                calls.append(n)
                found.append(figures)
                _log(log, f"{name} {page} [{describe(f)}]: {totals[-1]:.2f} s, {n} queries")
            runs[page] = {"totals": totals, "calls": calls, "filters": [describe(f) for f in timed]}
            kept[page] = found
        except Exception as exc:  # a page that fails is reported, not fatal
            runs[page] = {"error": f"{type(exc).__name__}: {exc}"[:600]}
            _log(log, f"{name} {page}: FAILED {runs[page]['error']}")
        # saved after every page, so a run stopped midway keeps the pages it finished
        done = {"environment": environment(), "startup": startup, "settings": settings,
                "pages": runs, "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                * 1024, "jvm_peak_bytes": 0, "process_s": time.perf_counter() - start}  # fmt: skip
        _save(out, {"queries": recorder.frames, "figures": kept}, done)
    done["jvm_peak_bytes"] = _jvm_peak_bytes() if name == "spark" else 0
    if name == "spark":
        engine.current().stop()
    store.close()
    _save(out, {"queries": recorder.frames, "figures": kept}, done)
    return done


def _save(out: Path, kept: dict, result: dict) -> None:
    """The results (pickle, for the comparison) and the figures (JSON) of one engine's run."""
    with open(out.with_suffix(".tmp"), "wb") as dump:
        pickle.dump(kept, dump)
    out.with_suffix(".tmp").replace(out)
    out.with_suffix(".json").write_text(json.dumps(result), encoding="utf-8")


def _conf(spark, key: str) -> str:
    """One setting of the Spark session, or "(not set)" (then Spark's built-in default)."""
    try:
        return str(spark.conf.get(key))
    except Exception:  # a setting with no value and no default
        return "(not set)"


def _run(steps: list[Step], store, filters, rule) -> object:
    """A page's steps in order; the last step's result (its figures)."""
    done: dict[str, object] = {}
    for label, fn, _ in steps:
        done[label] = fn(store, filters, rule, done)
    return done[steps[-1][0]]


# ---------------------------------------------------------------- the same figures?


def differences(a: object, b: object, path: str = "", ordered: bool = False) -> list[str]:
    """Where a and b differ, walking dataclasses, frames and containers; floats to 1e-9.
    Frames are compared after sorting their rows unless `ordered`."""
    import numpy as np
    import pandas as pd

    if is_dataclass(a) and not isinstance(a, type):
        if type(a) is not type(b):
            return [f"{path}: {type(a).__name__} vs {type(b).__name__}"]
        return [d for f in fields(a) for d in differences(
            getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")]  # fmt: skip
    if isinstance(a, pd.DataFrame):
        if not isinstance(b, pd.DataFrame):
            return [f"{path}: a frame vs {type(b).__name__}"]
        if not ordered:
            a, b = _sorted(a), _sorted(b)
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=TOLERANCE, atol=TOLERANCE)
        except AssertionError as exc:
            return [f"{path}: {str(exc).strip()[:300]}"]
        return []
    if isinstance(a, dict):
        if not isinstance(b, dict) or a.keys() != b.keys():
            return [f"{path}: keys differ"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}[{k!r}]", ordered)]
    if isinstance(a, list | tuple):
        if not isinstance(b, list | tuple) or len(a) != len(b):
            return [f"{path}: lengths differ"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{path}[{i}]", ordered)]  # fmt: skip
    if isinstance(a, float | np.floating) and not isinstance(a, bool):
        same = (np.isnan(a) and np.isnan(b)) or np.isclose(a, b, rtol=TOLERANCE, atol=1e-12)
        return [] if same else [f"{path}: {a!r} vs {b!r}"]
    try:
        return [] if a == b else [f"{path}: {a!r} vs {b!r}"[:300]]
    except ValueError:  # an array's ==
        return [] if np.array_equal(a, b) else [f"{path}: arrays differ"]


def _sorted(df):
    try:
        return df.sort_values(list(df.columns), na_position="first").reset_index(drop=True)
    except TypeError:  # columns that do not order (lists): keep the engine's order
        return df.reset_index(drop=True)


def compare(duck: dict, spark: dict) -> tuple[dict[str, list[str]], int, int]:
    """The differences between the engines: per page its figures, and every query's result
    (under "named queries"); the frames and figure sets compared."""
    out: dict[str, list[str]] = {}
    n_figures = 0
    for page, runs in duck["figures"].items():
        other = spark["figures"].get(page)
        if other is None:
            continue
        out[page] = [d for i, (a, b) in enumerate(zip(runs, other, strict=True))
                     for d in differences(a, b, f"run {i} figures", ordered=True)]  # fmt: skip
        n_figures += len(runs)
    a, b = duck["queries"], spark["queries"]
    # with the same pages run on both, both must have asked the same queries
    same_pages = duck["figures"].keys() == spark["figures"].keys()
    out["named queries"] = [f"{k}: asked on one engine only" for k in a.keys() ^ b.keys()
                            if same_pages]  # fmt: skip
    for key in a.keys() & b.keys():
        out["named queries"] += differences(a[key], b[key], key)
    return out, len(a.keys() & b.keys()), n_figures


# ---------------------------------------------------------------- the report


def report(results: dict[str, dict], same: dict[str, list[str]], counts: tuple[int, int]) -> list:
    """The start-up lines, the table per page and engine, the equality verdict, the memory."""
    lines = ["start-up (s):"]
    for name in ENGINES:
        r = results[name]
        if "error" in r:
            lines.append(f"  {name}: FAILED {r['error']}")
            continue
        lines += [f"  {name:<7}{label:<46}{s:>8.2f}" for label, s in r["startup"].items()]
        if name == "spark":
            first = sum(s for label, s in r["startup"].items() if "lake" not in label)
            lines.append(
                f"  {name:<7}{'from nothing to the first query answered':<46}{first:>8.2f}"
            )
    for key, value in results["spark"].get("settings", {}).items():
        lines.append(f"  spark  setting {key} = {value}")
    head = (f"{'page':<24}{'runs':>5}{'queries':>8}{'DuckDB med':>12}{'worst':>9}"
            f"{'Spark med':>12}{'worst':>9}{'ratio':>8}  same figures")  # fmt: skip
    lines += ["", "per page, seconds (median and worst of the timed runs):", head, "-" * len(head)]
    duck, spark = (results[n].get("pages", {}) for n in ENGINES)
    for page in [*duck, *(p for p in spark if p not in duck)]:
        a, b = duck.get(page, {"error": "not run"}), spark.get(page, {"error": "not run"})
        if "error" in a or "error" in b:
            why = [
                f"{n} {r['error']}" for n, r in zip(ENGINES, (a, b), strict=True) if "error" in r
            ]
            lines.append(f"{page:<24} FAILED: " + "; ".join(why))
            continue
        am, aw = statistics.median(a["totals"]), max(a["totals"])
        bm, bw = statistics.median(b["totals"]), max(b["totals"])
        n = (
            a["calls"][0]
            if len(set(a["calls"] + b["calls"])) == 1
            else f"{a['calls']}/{b['calls']}"
        )
        ok = "yes" if not same.get(page) else f"NO ({len(same[page])} differences)"
        lines.append(f"{page:<24}{len(a['totals']):>5}{n!s:>8}{am:>12.3f}{aw:>9.3f}"
                     f"{bm:>12.2f}{bw:>9.2f}{bm / am:>8.0f}  {ok}")  # fmt: skip
    lines.append("")
    bad = {p: d for p, d in same.items() if d}
    if bad:
        lines.append("THE ENGINES DIFFER:")
        lines += [f"  {p}: {d}" for p, ds in bad.items() for d in ds[:5]]
    elif same:
        lines.append(
            f"Same results on both engines: {counts[0]} distinct named-query results and "
            f"{counts[1]} page figure sets compared (floats to 1e-9), no difference."
        )
    for name in ENGINES:
        r = results[name]
        if "error" not in r:
            jvm = f", JVM peak {r['jvm_peak_bytes'] / 1e9:.2f} GB" if r["jvm_peak_bytes"] else ""
            lines.append(f"{name}: child process {r['process_s']:.0f} s, Python peak RSS "
                         f"{r['peak_bytes'] / 1e9:.2f} GB (with the results kept for the "
                         f"comparison){jvm}")  # fmt: skip
    return lines


def _run_all(args: argparse.Namespace, work: Path) -> int:
    work.mkdir(parents=True, exist_ok=True)
    db = ensure_database(work, args.rows, args.responses)
    lake_dir = ensure_lake(db, work / f"lake_{args.rows}_{args.responses}_v{GENERATOR_VERSION}")
    print(environment())
    print(
        f"database: {db} ({db.stat().st_size / 1e6:.0f} MB); lake: {lake_dir}; Spark: "
        f"{args.remote}; timed runs per page: default filters + {args.repeat} others"
    )
    results, kept = {}, {}
    for name in ENGINES:
        out = work / f"scale_{name}.pkl"
        if name in (args.engine or ENGINES) and not args.report:
            out.with_suffix(".log").unlink(missing_ok=True)
            print(f"{name}: running (progress in {out.with_suffix('.log')}) ...", flush=True)
            found = common.run_child(
                __file__, name, "--db", str(db), "--lake", str(lake_dir), "--remote",
                args.remote, "--repeat", str(args.repeat), "--out", str(out),
                *[a for page in args.page or () for a in ("--page", page)],
                timeout=CHILD_TIMEOUT_S,
            )  # fmt: skip
            if "error" in found:
                print(f"{name}: {found['error']}; the pages it finished are reported")
        elif out.with_suffix(".json").is_file():
            print(f"{name}: the figures of an earlier run in {work}")
        if out.is_file() and out.with_suffix(".json").is_file():
            results[name] = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
            with open(out, "rb") as dump:
                kept[name] = pickle.load(dump)
            print(f"{name} ran at: {results[name].get('environment', 'not recorded')}")
        else:
            results[name] = {"error": "not run"}
    same, counts = {}, (0, 0)
    if len(kept) == 2:
        same, *rest = compare(kept["duckdb"], kept["spark"])
        counts = tuple(rest)
    print("\n".join(report(results, same, counts)))
    print(environment())  # the load after the runs too
    return 1 if any(same.values()) else 0


def main(argv: list[str] | None = None) -> int:
    """Generate (or reuse) the organisation and its lake, run each engine in a child, print."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=10_000_000, help="attendance rows")
    p.add_argument("--responses", type=int, default=1_000_000, help="survey responses")
    p.add_argument("--repeat", type=int, default=3, help="filtered runs beside the default view")
    p.add_argument("--workdir", type=Path, help="where the database and lake go (default: temp)")
    p.add_argument("--remote", default="local[*]", help="Spark Connect remote (default local[*])")
    p.add_argument("--driver-memory", default="",
                   help="the local Spark server's heap, e.g. 6g (FORMATFIT_SPARK_DRIVER_MEMORY; "
                   "default: Spark's 1g)")  # fmt: skip
    p.add_argument("--engine", action="append", choices=ENGINES,
                   help="run only this engine; the other's figures come from an earlier run "
                   "in --workdir, if any")  # fmt: skip
    p.add_argument("--report", action="store_true",
                   help="run nothing: the report of the runs saved in --workdir")  # fmt: skip
    p.add_argument("--page", action="append", choices=list(analysis_pages()), help="only these")
    p.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    p.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--lake", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.driver_memory:  # the Spark child inherits it
        from analysis.engine import DRIVER_MEMORY_ENV_VAR

        os.environ[DRIVER_MEMORY_ENV_VAR] = args.driver_memory
    if args.child:
        found = child(
            args.child, args.db, args.lake, args.remote, args.repeat, args.out, args.page or []
        )
        print(json.dumps(found))
        return 0
    return common.in_workdir(args.workdir, "scale_bench_", lambda work: _run_all(args, work))


if __name__ == "__main__":
    sys.exit(main())
