"""The command line: `python -m analysis import FILE`, `compare`, `claims`, `report`,
`survey-kit`, `forget`, `backup OUT`, `restore IN`, `lake export|push|undo` (one JSON object
on stdout)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from analysis import lake_sync
from analysis.compare.arms import ArmError
from analysis.domain import COMPARE_METRICS, FORMATS, VARIANT_FORMAT, VARIANTS, WAVES
from analysis.ingest import linking, service
from analysis.ingest import mapping_rules as R
from analysis.ingest.mapping import ColumnProposal, profile_from_proposals
from analysis.ingest.model import UnreadableFile
from analysis.ingest.plan import ImportPlan, Link, NewCohort
from analysis.ingest.profiles import MappingProfile
from analysis.ingest.rows import ImportRefused, first_column
from analysis.report import command as report_command
from analysis.store import DatabaseBusyError, DatabaseOutdatedError, Store, default_db_path

# What --kind takes (aliases such as `enrollment` too), in the order the help lists them.
IMPORT_KINDS = (R.SURVEY, R.ATTENDANCE, R.LMS_LOG, R.ROSTER, R.ENROLMENT, R.GRADEBOOK)


class MissingOptions(ValueError):
    """The file was read, but importing it needs options the command did not give."""

    def __init__(self, needs: list[str]) -> None:
        self.needs = needs
        names = [f"--{n}" for n in needs]
        listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        why = ""
        if "kind" in needs:
            why = f" (what the file holds could not be decided: --kind {'|'.join(IMPORT_KINDS)})"
        super().__init__(f"missing {listed}{why}; --dry-run shows what was detected")


def _kind(value: str) -> str:
    """--kind: one of IMPORT_KINDS or an alias of one."""
    kind = R.KIND_ALIASES.get(value.strip().lower(), value.strip().lower())
    if kind not in IMPORT_KINDS:
        raise argparse.ArgumentTypeError(f"choose one of {', '.join(IMPORT_KINDS)}")
    return kind


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="detect, map and import one export file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--profile", help="a saved mapping profile to use (and to save under)")
    imp.add_argument(
        "--kind",
        type=_kind,
        help="what the file holds: survey, attendance, lms_log, roster, "
        "enrolment, gradebook (default: detected)",
    )
    imp.add_argument(
        "--cohort",
        help="an existing cohort's id or name (case and spacing ignored), or a new cohort's name",
    )
    imp.add_argument(
        "--new-cohort",
        action="store_true",
        help="create a new cohort even when one with the --cohort name exists",
    )
    imp.add_argument("--program", help="program of a new cohort (name)")
    imp.add_argument("--format", choices=FORMATS, help="format of a new cohort")
    imp.add_argument("--variant", choices=VARIANTS, help="variant of a new cohort")
    imp.add_argument(
        "--start",
        type=date.fromisoformat,
        help="new cohort's start (YYYY-MM-DD; default: the file's first session day)",
    )
    imp.add_argument(
        "--end",
        type=date.fromisoformat,
        help="new cohort's end (YYYY-MM-DD; default: the file's last session day)",
    )
    imp.add_argument(
        "--sessions",
        type=int,
        help="scheduled sessions of a new cohort (default: the file's session days per group)",
    )
    imp.add_argument(
        "--wave",
        choices=WAVES,
        help="survey wave (default: the file's wave column, else from submission dates)",
    )
    imp.add_argument("--match-names", action="store_true", help="match people by full name")
    imp.add_argument(
        "--accept-partial",
        action="store_true",
        help="import the valid rows when some rows are rejected",
    )
    imp.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    imp.add_argument("--db", type=Path, help="database file (default: $FORMATFIT_DB)")
    cmp = sub.add_parser("compare", help="compare two arms on one metric")
    cmp.add_argument("--a", required=True, help="arm a: KEY=VALUE[,KEY=VALUE…]")
    cmp.add_argument("--b", required=True, help="arm b: KEY=VALUE[,KEY=VALUE…]")
    cmp.add_argument("--metric", choices=COMPARE_METRICS, default="application")
    cmp.add_argument("--wave", choices=("post", "d30", "d60", "d90"), default="d30")
    cmp.add_argument("--week", type=int, default=1, help="momentum: week since start (1 = first)")
    cmp.add_argument("--min-group-size", type=int, help="default: the Settings value")
    cmp.add_argument("--json", action="store_true", help="JSON output (the default)")
    cmp.add_argument("--db", type=Path, help="database file (default: $FORMATFIT_DB)")
    cl = sub.add_parser("claims", help="judge the ten claims of the product brief")
    cl.add_argument("--min-group-size", type=int, help="default: the Settings value")
    cl.add_argument("--json", action="store_true", help="JSON output (the default)")
    cl.add_argument("--db", type=Path, help="database file (default: $FORMATFIT_DB)")
    report_command.add_parser(sub)
    kit = sub.add_parser(
        "survey-kit", help="write the survey kit: text, templates, Qualtrics files"
    )
    kit.add_argument("--out", required=True, type=Path, help="folder to write the files into")
    fg = sub.add_parser(
        "forget", help="delete one person's data everywhere and keep them out of later imports"
    )
    who = fg.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="the person's e-mail address")
    who.add_argument("--employee-id", help="the person's employee id")
    fg.add_argument(
        "--wait",
        type=float,
        default=60.0,
        help="seconds to wait for the running app to carry it out (default 60)",
    )
    fg.add_argument("--db", type=Path, help="database file (default: $FORMATFIT_DB)")
    bk = sub.add_parser("backup", help="write the database and the hashing secret to one file")
    bk.add_argument("out", type=Path, help="the backup file to write (.zip)")
    bk.add_argument("--db", type=Path, help="database file (default: $FORMATFIT_DB)")
    rs = sub.add_parser("restore", help="replace the database and the secret with a backup's")
    rs.add_argument("file", type=Path, help="a backup made by `backup` or in Settings")
    rs.add_argument("--db", type=Path, help="database file (default: $FORMATFIT_DB)")
    lk = sub.add_parser("lake", help="the lake: Parquet tables for FORMATFIT_ENGINE=spark")
    lk_sub = lk.add_subparsers(dest="lake_command", required=True)
    lx = lk_sub.add_parser(
        "export", help="write the database's data tables to a lake folder (all or nothing)"
    )
    lx.add_argument("dir", type=Path, help="the lake folder (created; its tables are replaced)")
    lx.add_argument("--db", type=Path, help="database file (default: $FORMATFIT_DB)")
    lp = lk_sub.add_parser("push", help="add one import of the database to the lake")
    lp.add_argument("import_id", type=int, help="the import's id (the import history's)")
    lp.add_argument("dir", type=Path, help="the lake folder")
    lp.add_argument("--db", type=Path, help="database file (default: $FORMATFIT_DB)")
    lu = lk_sub.add_parser("undo", help="take one pushed import out of the lake")
    lu.add_argument("import_id", type=int, help="the import's id")
    lu.add_argument("dir", type=Path, help="the lake folder")
    return p


def run_lake(args: argparse.Namespace) -> dict:
    """`lake export DIR`, `lake push ID DIR`, `lake undo ID DIR`: the manifest written last."""
    from analysis import lake

    if args.lake_command == "undo":
        manifest = lake.undo(args.dir, args.import_id)
    else:
        store = Store(args.db, mode="read")
        try:
            if args.lake_command == "push":
                manifest = lake.push(store, args.dir, args.import_id)
            else:
                manifest = lake.export(store, args.dir)
        finally:
            store.close()
    return {
        "lake": str(args.dir.resolve()),
        "version": manifest["version"],
        "source_dataset_version": manifest["source_dataset_version"],
        "rows": manifest["rows"],
        "imports": sorted(int(i) for i in manifest["imports"]),
    }


def run_forget(args: argparse.Namespace) -> dict:
    """Forget one person: directly, or through the running app (analysis/people/spool.py)."""
    from analysis.people import forget, spool

    db = Path(args.db) if args.db else default_db_path()
    by, identifier = (
        (forget.BY_EMAIL, args.email) if args.email is not None else
        (forget.BY_EMPLOYEE_ID, args.employee_id)
    )  # fmt: skip
    key = forget.person_key(db, by, identifier)
    result = spool.forget_from_command_line(db, key, args.wait)
    if not result.get("ok"):
        raise ValueError(result.get("error") or "the request was refused; nothing was deleted")
    return {"forgotten_by": by, **{k: v for k, v in result.items() if k != "ok"}}


def run_backup(args: argparse.Namespace) -> dict:
    """Write a backup; works while the app runs (a read-only opening)."""
    from analysis import backup

    db = Path(args.db) if args.db else default_db_path()
    if Path(args.out).exists():
        raise ValueError(f"{args.out} exists: choose a new file name")
    store = Store(db, mode="read")
    try:
        manifest = backup.create(store, args.out)
    finally:
        store.close()
    return {
        "out": str(args.out),
        "bytes": Path(args.out).stat().st_size,
        **{k: manifest[k] for k in ("created_at", "schema_version", "dataset_version")},
        "warning": backup.WARNING,
    }


def run_restore(args: argparse.Namespace) -> dict:
    """Restore a backup when no other process holds the database (else: refused, unchanged)."""
    from analysis import backup
    from analysis.people import spool

    db = Path(args.db) if args.db else default_db_path()
    backup.check(args.file)  # a broken or foreign file is refused before anything is opened
    busy = (
        f"{db} is in use (is the app running?): restore in the app's Settings, or stop the app "
        "and run the command again; nothing was changed"
    )
    if spool.app_running(db):  # never swap the file under a running app, even between writes
        raise DatabaseBusyError(busy)
    try:
        store = Store(db, mode="write")
    except DatabaseBusyError as exc:
        raise DatabaseBusyError(busy) from exc
    try:
        return backup.restore(store, args.file)
    finally:
        store.close()


def run_survey_kit(args: argparse.Namespace) -> dict:
    """Write the kit's files into --out; returns the JSON report (each file and its size)."""
    from analysis.survey_kit import KIT_WAVES, wave_items, write_kit

    files = write_kit(args.out)
    return {
        "out": str(args.out),
        "files": [
            {"name": f.name, "description": f.description, "bytes": len(f.data)} for f in files
        ],
        "questions": {wave: len(wave_items(wave)) for wave in KIT_WAVES},
    }


def _link(args: argparse.Namespace, store: Store) -> Link:
    """The cohort the rows belong to: an existing id, or a new cohort from the options."""
    known = set(store.query("SELECT cohort_id FROM cohorts")["cohort_id"])
    if args.cohort in known:
        return Link(cohort_id=args.cohort, wave=args.wave, match_names=args.match_names)
    if args.cohort:
        missing = [o for o in ("program", "start", "end") if getattr(args, o) is None]
        if missing:
            raise ValueError(f"a new cohort needs --{' --'.join(missing)}")
        variant = args.variant or "other"
        fmt = args.format or VARIANT_FORMAT.get(variant)
        if fmt is None:
            raise ValueError("a new cohort needs --format (or a --variant that implies one)")
        new = NewCohort(
            args.cohort,
            fmt,
            variant,
            args.start,
            args.end,
            args.sessions or 0,
            program_name=args.program,
        )
        return Link(new_cohort=new, wave=args.wave, match_names=args.match_names)
    return Link(wave=args.wave, match_names=args.match_names)


def _report(table, proposals: list[ColumnProposal], plan: ImportPlan | None, extra: dict) -> dict:
    d = table.detection
    out = {
        "file": extra.pop("file"),
        "tool": d.tool,
        "kind": d.kind,
        "encoding": d.encoding,
        "delimiter": d.delimiter,
        "decimal_comma": d.decimal_comma,
        "header_rows": d.header_rows,
        "skip_rows": d.skip_rows,
        "day_first": d.day_first,
        "notes": list(d.notes),
        "columns": [
            {
                "column": p.column,
                "role": p.role,
                "personal_data": p.pii_action,
                "confidence": round(p.confidence, 2),
                "reason": p.reason,
                "scale": p.scale.scale.name if p.scale else None,
                "unknown_labels": list(p.unknown_labels),
            }
            for p in proposals
        ],
    }
    if plan is not None:
        out.update(
            {
                "rows_read": plan.rows_read,
                "rows_accepted": plan.rows_accepted,
                "rows_rejected": plan.rows_rejected,
                "nothing_to_import": plan.nothing_to_import,
                "duplicate_of": plan.duplicate_of,
                "rejected": [{"row": r, "reason": why} for r, why in sorted(plan.rejected)],
                "writes": plan.counts(),
                # rows of people forgotten on request in `writes` that a commit drops
                "forgotten_people_to_drop": plan.forgotten_expected,
                "plan_notes": plan.notes,
                "warnings": plan.warnings,
            }
        )
    out.update(extra)
    return out


def _profile(store: Store, args, table, proposals, kind: str) -> MappingProfile:
    """The named profile when given and saved; else the proposals (saved under --profile)."""
    if args.profile:
        saved = store.query(
            "SELECT mapping_json FROM mapping_profiles WHERE name = $n", {"n": args.profile}
        )
        if len(saved):
            return MappingProfile.from_json(saved["mapping_json"].iloc[0])
    name = args.profile or f"{table.detection.tool} {args.file.name}"
    return profile_from_proposals(name, table.detection.tool, kind, proposals)


def _resolve_link(args: argparse.Namespace, store: Store, table, profile, source) -> dict:
    """What --cohort and --program name, as the Import page does: an existing cohort or
    program by name (case and spacing ignored) instead of a duplicate, and a new cohort's
    missing dates and sessions from the file. Fills `args`; returns the JSON's `link`."""
    out: dict = {}
    if not args.cohort:
        return out
    known = store.query("SELECT 1 FROM cohorts WHERE cohort_id = $c", {"c": args.cohort})
    if len(known):
        return {"cohort": {"id": args.cohort, "existing": True, "matched": "id"}}
    same = linking.existing_cohorts(store, args.cohort)
    if len(same) and not args.new_cohort:
        if len(same) > 1:
            ids = ", ".join(f"{i} (starts {d})" for i, d in zip(same["cohort_id"],
                            same["start_date"], strict=True))  # fmt: skip
            raise ValueError(
                f"{len(same)} cohorts are named {args.cohort!r}: give one's id with --cohort "
                f"({ids}), or --new-cohort for another"
            )
        row = same.iloc[0]
        args.cohort = str(row["cohort_id"])
        return {
            "cohort": {
                "id": args.cohort,
                "name": str(row["name"]),
                "existing": True,
                "matched": "name",
            }
        }
    out["cohort"] = {"name": args.cohort, "existing": False}
    if args.program:
        prog = linking.existing_program(store, args.program)
        out["program"] = (
            {"id": prog[0], "name": prog[1], "existing": True}
            if prog
            else {"name": args.program, "existing": False}
        )
    if args.start is None or args.end is None or args.sessions is None:
        kind = R.KIND_ALIASES.get(profile.kind, profile.kind)
        roles = {r: first_column(profile, r) for r in (*linking.DATE_ROLES.get(kind, ()), R.GROUP)}
        found = service.proposed_dates(
            table, {r: c for r, c in roles.items() if c}, kind, source, None, args.file.name
        )
        if found is not None:
            used = []
            for option, value in (
                ("start", found.start),
                ("end", found.end),
                ("sessions", found.sessions),
            ):
                if getattr(args, option) is None:
                    setattr(args, option, value)
                    used.append(option)
            out["dates_from_file"] = {**found.to_dict(), "used_for": used}
    return out


def _needs(args: argparse.Namespace, store: Store, profile: MappingProfile) -> list[str]:
    """The options still needed to import (cohort, new cohort's details, kind), in that order."""
    kind = R.KIND_ALIASES.get(profile.kind, profile.kind)
    needs = []
    if args.cohort is None:
        if kind != R.ROSTER and not first_column(profile, R.COHORT):
            needs.append("cohort")
    elif store.query("SELECT 1 FROM cohorts WHERE cohort_id = $c", {"c": args.cohort}).empty:
        needs += [o for o in ("program", "start", "end") if getattr(args, o) is None]
        if not (args.format or VARIANT_FORMAT.get(args.variant or "other")):
            needs.append("format")
    if kind not in IMPORT_KINDS:
        needs.append("kind")
    return needs


def run_import(args: argparse.Namespace) -> dict:
    """Detect, map, plan and (unless --dry-run) commit one file; returns the JSON report.

    A dry run always answers once the file is read: without the options an import needs, it
    is the preview with `needs`; when the import would be refused, it says why (`refused`).
    """
    # Only the file's start is read here; DuckDB reads a large UTF-8 CSV file itself.
    table, data = service.preview_file(args.file)
    # a dry run of an existing database only reads it, so it works while the app runs
    db = Path(args.db) if args.db else default_db_path()
    store = Store(db, mode="read" if args.dry_run and db.is_file() else "write")
    try:
        source = data if data is not None else Path(args.file)
        proposals, saved = service.propose(
            store, table, args.kind, source=source, file_name=Path(args.file).name
        )
        kind = args.kind or service.default_kind(table, saved)
        profile = _profile(store, args, table, proposals, kind)
        linked = _resolve_link(args, store, table, profile, source)
        needs = _needs(args, store, profile)
        kind = R.KIND_ALIASES.get(profile.kind, profile.kind)
        extra: dict = {
            "file": str(args.file),
            "kind": kind if kind in IMPORT_KINDS else R.UNKNOWN,
            "needs": needs,
            "profile": profile.name,
            "imported": False,
            "link": linked,
        }
        preview_only = {**extra, "warnings": list(table.warnings)}
        if needs:
            if not args.dry_run:
                raise MissingOptions(needs)
            return _report(table, proposals, None, preview_only)
        try:
            link = _link(args, store)
            plan = service.prepare(
                store, data, args.file.name, profile, link, path=args.file, head=table
            )
        except UnreadableFile:
            raise
        except (ImportRefused, ValueError) as exc:
            if not args.dry_run:
                raise
            return _report(table, proposals, None, {**preview_only, "refused": str(exc)})
        # The cohort the rows went to (None: each row's cohort column), for the next file.
        extra["cohort_id"] = link.new_cohort.cohort_id if link.new_cohort else link.cohort_id
        extra["cohort_created"] = False
        if not args.dry_run and plan.duplicate_of is None:
            extra["import_id"] = service.commit(store, plan, accept_partial=args.accept_partial)
            extra["imported"] = True
            # rows of people forgotten on request, dropped again (per table; none: {})
            extra["forgotten_people_dropped"] = {
                "rows": plan.forgotten_rows,
                "tables": plan.forgotten_dropped,
            }
            extra["cohort_created"] = "cohorts" in plan.tables
            extra.update(lake_sync.report(store))  # on Spark: whether the lake has it too
            if args.profile:
                service.save_profile(store, profile)
        return _report(table, proposals, plan, extra)
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point: one JSON object on stdout; one line on stderr and exit 1 on failure."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "import":
            report = run_import(args)
        elif args.command == "report":
            report = report_command.run(args)
        elif args.command == "survey-kit":
            report = run_survey_kit(args)
        elif args.command == "forget":
            report = run_forget(args)
        elif args.command == "backup":
            report = run_backup(args)
        elif args.command == "restore":
            report = run_restore(args)
        elif args.command == "lake":
            report = run_lake(args)
        else:  # the models load statsmodels and scipy: about 1.5 s an import need not wait
            from analysis.compare import output

            report = output.run(args.command, args)
    except TimeoutError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except DatabaseBusyError as exc:
        if args.command == "restore":
            print(f"error: {exc}", file=sys.stderr)
            return 3
        if args.command != "import":
            print(f"error: {exc}; try again when it is done", file=sys.stderr)
            return 3
        print(
            f"error: {exc}; nothing was changed (stop the app or import through it)",
            file=sys.stderr,
        )
        return 3
    except (
        UnreadableFile,
        ImportRefused,
        ArmError,
        service.RejectedRowsNotAccepted,
        ValueError,
        OSError,
        DatabaseOutdatedError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a defect, not the file's fault: still one line, never a traceback
        detail = " ".join(str(exc).split())[:200]
        what = (
            f"{args.file.name} could not be imported"
            if args.command == "import"
            else (f"{args.command} failed")
        )
        print(f"error: {what} ({type(exc).__name__}: {detail})", file=sys.stderr)
        return 1
    lake = report.get("lake") if isinstance(report, dict) else None
    if isinstance(lake, dict) and lake.get("behind"):
        # the database file's write stands: a warning, not an error
        print(f"warning: {lake['message']}", file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False, default=str, indent=2))
    return 0
