"""Every write a person makes reaches the lake (FORMATFIT_ENGINE=spark with FORMATFIT_LAKE).

The database file's write commits first (`Store.transaction`); then `sync` brings the lake up
to the file, all or nothing, its manifest written last (analysis/lake.py):
- imports added since the lake was written are pushed, each in a folder of its own, and pushed
  imports that were undone are taken out, in one manifest;
- anything else (an edit, a merge, forgetting a person, undoing an import whose rows an export
  holds, a restore, a lake left behind by an earlier failure) exports the data tables again.
The cheap way is taken only when it gives the lake an export would: the file's dataset version
moved once per import added or taken out since the version the lake shows, and every other
import's rows, table by table, are as many as the lake holds.

The manifest records the file it was written from (`source_database_id`) and the dataset
version it shows (`source_dataset_version`). A lake written from another file, or by a
lakehouse's own pipeline, is never written here. When the lake cannot be written, the file's
write stands and the person is told, in words, that the lake is behind and which command
brings it up to date.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from analysis import engine, lake
from analysis.programs.changes import CHANGE_KINDS
from analysis.store import DATA_TABLES, Store

# What `sync` did: the lake shows the file after all of these but the last two.
ACTIONS = ("current", "updated", "exported", "failed", "not_ours")


@dataclass(frozen=True)
class LakeSync:
    """What a write did to the lake."""

    action: str  # one of ACTIONS
    lake: str
    version: int | None  # the lake's manifest version now (None: no readable manifest)
    message: str = ""  # when the lake is behind: why, and the command that brings it up

    @property
    def behind(self) -> bool:
        """True when the lake does not show the database file's data."""
        return self.action in ("failed", "not_ours")

    def to_dict(self) -> dict:
        """The JSON the command line prints (with `behind`)."""
        return {**asdict(self), "behind": self.behind}


def command(lake_dir: Path | str) -> str:
    """The one command that brings the lake up to the database file."""
    return f"python -m analysis lake export {lake_dir}"


def _not_ours(lake_dir: Path) -> str:
    return (
        f"The lake at {lake_dir} was not written from this database file, so this app does "
        "not write it: figures on Spark do not show the changes made here. "
        f"`{command(lake_dir)}` replaces its tables with this file's."
    )


def _failed(lake_dir: Path, exc: Exception) -> str:
    detail = " ".join(str(exc).split())[:200]
    return (
        f"Saved in the database file, but the lake at {lake_dir} could not be written "
        f"({type(exc).__name__}: {detail}). The lake is behind the database file: figures on "
        f"Spark show the data as it was until `{command(lake_dir)}` brings it up to date."
    )


def sync(store: Store, *, full: bool = False) -> LakeSync | None:
    """Bring the configured lake up to `store` after a committed write; None on DuckDB.

    `full`: export the tables even when the lake seems current (a restore puts another file
    in place), and into a lake written from another FormatFit file. Never raises an Exception
    (the database file's write stands): a failure is the result's `message`.
    """
    try:
        spark = engine.current()
    except ValueError:
        return None  # spark without a lake: the engine says so at the first query
    if spark is None:
        return None
    lake_dir = spark.lake
    try:
        return _sync(store, lake_dir, full)
    except Exception as exc:
        return LakeSync("failed", str(lake_dir), _version(lake_dir), _failed(lake_dir, exc))


def _version(lake_dir: Path) -> int | None:
    try:
        return int(lake.read_manifest(lake_dir)["version"])
    except Exception:
        return None


def _sync(store: Store, lake_dir: Path, full: bool) -> LakeSync:
    try:
        manifest = lake.read_manifest(lake_dir)
    except lake.LakeError:
        if (lake_dir / lake.MANIFEST).exists() or (lake_dir.is_dir() and any(lake_dir.iterdir())):
            # a newer format, or a folder with other things in it: not ours to fill
            return LakeSync("not_ours", str(lake_dir), None, _not_ours(lake_dir))
        new = lake.export(store, lake_dir)  # the first write makes the lake
        return LakeSync("exported", str(lake_dir), new["version"])
    source = manifest.get("source_database_id")
    if source is None or (source != store.get_setting("database_id") and not full):
        return LakeSync("not_ours", str(lake_dir), manifest["version"], _not_ours(lake_dir))
    version = store.dataset_version()
    if not full and manifest.get("source_dataset_version") == version:
        return LakeSync("current", str(lake_dir), manifest["version"])
    steps = None if full else increment(store, manifest)
    if steps is None:
        new = lake.export(store, lake_dir)
        return LakeSync("exported", str(lake_dir), new["version"])
    add, remove = steps
    new = lake.update(store, lake_dir, add=add, remove=remove, source_version=version)
    return LakeSync("updated", str(lake_dir), new["version"])


def increment(store: Store, manifest: dict) -> tuple[list[int], list[int]] | None:
    """(imports to push, pushed imports to take out) that bring the lake up to `store`, or
    None when only an export does (see the module's docstring)."""
    if set(manifest["tables"]) != set(DATA_TABLES) or "rows" not in manifest:
        return None
    with store.reading() as cur:
        kinds = dict(cur.execute("SELECT import_id, kind FROM imports").fetchall())
        counts = {
            t: dict(
                cur.execute(
                    f"SELECT import_id, count(*) FROM {lake.ident(t)} GROUP BY import_id"
                ).fetchall()
            )
            for t in DATA_TABLES
        }
    pushed = {int(k): e for k, e in manifest["imports"].items()}
    exported = set(manifest["exported_imports"])
    add = sorted(set(kinds) - exported - set(pushed))
    remove = sorted((exported | set(pushed)) - set(kinds))
    moved = store.dataset_version() - int(manifest["source_dataset_version"])
    if moved != len(add) + len(remove) or any(kinds[i] in CHANGE_KINDS for i in add):
        return None  # a write that changed rows of imports already in the lake
    if any(i not in pushed for i in remove):
        return None  # an export's files hold the undone import's rows
    kept = {i: e for i, e in pushed.items() if i not in remove}
    for table, n in counts.items():
        if sum(n.get(i, 0) for i in exported) != manifest["rows"][table]:
            return None
        if any(n.get(i, 0) != e["rows"].get(table, 0) for i, e in kept.items()):
            return None
        if sum(n.values()) != manifest["rows"][table] + sum(
            e["rows"].get(table, 0) for e in kept.values()
        ) + sum(n.get(i, 0) for i in add):
            return None  # rows under an import id the lake does not know
    return add, remove


def status(store: Store) -> str | None:
    """When the lake does not show the database file (on Spark): why, and the command that
    brings it up to date; None when it does, or on DuckDB. For the app's data-status panel."""
    try:
        spark = engine.current()
    except ValueError:
        return None
    if spark is None:
        return None
    try:
        manifest = lake.read_manifest(spark.lake)
    except Exception:
        return None  # no lake: the engine's own error says so, with the command
    if manifest.get("source_database_id") != store.get_setting("database_id"):
        # a lake another file (or a pipeline) wrote: only imports made here are missing from it
        return _not_ours(spark.lake) if store.fetch("SELECT count(*) FROM imports")[0][0] else None
    if manifest.get("source_dataset_version") != store.dataset_version():
        return (
            f"The lake at {spark.lake} is behind the database file (it shows dataset version "
            f"{manifest.get('source_dataset_version')}, the file is at "
            f"{store.dataset_version()}): figures on Spark miss the latest changes until "
            f"`{command(spark.lake)}` brings it up to date."
        )
    return None


def report(store: Store) -> dict:
    """`{"lake": …}` for a command's JSON after a write on Spark; {} on DuckDB."""
    done = store.lake_sync
    return {"lake": done.to_dict()} if done is not None else {}
