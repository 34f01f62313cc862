"""`python -m analysis report`: the deck and/or PDF with the default charts, from a script."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.compare.arms import ArmError, parse_arm
from analysis.domain import DEFAULT_MIN_GROUP_SIZE
from analysis.privacy import PrivacyRule
from analysis.queries import Filters
from analysis.store import Store


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The `report` command's options."""
    rep = sub.add_parser("report", help="write the report deck (and/or PDF) with default charts")
    rep.add_argument("--out", type=Path, help="PowerPoint file to write (.pptx)")
    rep.add_argument("--pdf", type=Path, help="PDF file to write")
    rep.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="narrow the view, with the keys of compare's arms (format, variant, program, "
        "cohort, department); repeat a key to take either value",
    )
    rep.add_argument("--min-group-size", type=int, help="default: the Settings value")
    rep.add_argument("--db", type=Path, help="database file (default: $FORMATFIT_DB)")


def filters_from(values: list[str], store: Store) -> Filters:
    """The view from --filter KEY=VALUE options (segments such as leader=yes are not views)."""
    if not values:
        return Filters()
    chosen = parse_arm(",".join(values), store)
    if chosen.segment:
        raise ArmError("report filters take format, variant, program, cohort or department")
    return chosen.filters()


def run(args: argparse.Namespace) -> dict:
    """Build the report and write the files asked for; returns what was written."""
    if not args.out and not args.pdf:
        raise ValueError("give --out FILE.pptx, --pdf FILE.pdf or both")
    store = Store(args.db, mode="read")  # read-only: works while the app runs
    try:
        size = args.min_group_size or int(
            store.get_setting("min_group_size", str(DEFAULT_MIN_GROUP_SIZE))
        )
        rule = PrivacyRule(size)
        filters = filters_from(args.filter, store)
        # the deck loads the comparison models (statsmodels, scipy): only when a report is built
        from analysis.compare.claims import claims
        from analysis.compare.page import base_view
        from analysis.report.build import build_report, default_pins

        judged = claims(store, rule, base_view(filters))
        pins = default_pins(filters, judged)
        report = build_report(store, rule, pins, filters, judged=judged)
    finally:
        store.close()
    written = {}
    if args.out:
        args.out.write_bytes(report.pptx())
        written["pptx"] = str(args.out)
    if args.pdf:
        args.pdf.write_bytes(report.pdf())
        written["pdf"] = str(args.pdf)
    if report.message and any(i.figure is not None for i in report.items):
        print(f"warning: {report.message}", file=sys.stderr)
    return {
        **written,
        "charts": [i.title for i in report.items],
        "findings": list(report.summary.findings),
        "images": any(img is not None for img in report.images),
        "message": report.message,
    }
