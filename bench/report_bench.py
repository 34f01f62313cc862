"""Report benchmark: a ten-chart PowerPoint export on the demo organisation, cold and warm.

- cold: a fresh process loads the demo data into a temporary database, then exports once:
  rebuilding the ten charts from the data, starting kaleido's server on the system Chromium,
  rendering the images, writing the deck;
- warm: the same process exports again K times (the kaleido server already running, as in the
  app after its first export), rebuilding the charts from the data and drawing every image
  anew (the process's recent images are cleared first); the median is reported;
- warm app: as the Report page exports: the charts and the claims cached per dataset version,
  every image drawn anew (the first export of these pins);
- again: the same export once more, the images now among the process's recent images (a
  second build, as after pinning one more chart, draws only that one).

Each phase is timed: items (figures, titles, tables, notes), images, summary (the claims),
pptx, and the PDF once for comparison.

    .venv/bin/python bench/report_bench.py [--repeat K]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import environment  # noqa: E402

TARGET_WARM_S = 5.0


def _export(store, rule, pins, cached: tuple | None = None, fresh: bool = False) -> dict:
    """One export of the deck, timed per phase; `cached` = (items, claims) as the app keeps
    them per dataset version (the Report page's export then only renders and writes);
    `fresh`: every image drawn anew (the process's recent images cleared)."""
    from analysis.report import render
    from analysis.report.items import build_items, summary
    from analysis.report.slides import pptx_bytes

    if fresh:
        render._drawn.clear()
    t0 = time.perf_counter()
    items = cached[0] if cached else build_items(store, rule, pins)
    t1 = time.perf_counter()
    images, message = render.images([i.figure for i in items])
    if message:
        raise SystemExit(message)
    t2 = time.perf_counter()
    head = summary(store, rule, items, judged=cached[1] if cached else None)
    t3 = time.perf_counter()
    deck = pptx_bytes(head, items, images)
    t4 = time.perf_counter()
    return {
        "items": t1 - t0,
        "images": t2 - t1,
        "summary": t3 - t2,
        "pptx": t4 - t3,
        "total": t4 - t0,
        "bytes": len(deck),
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(environment())
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("FORMATFIT_SECRET_FILE", str(Path(tmp) / "secret.key"))
        from analysis.demo import load_demo
        from analysis.privacy import PrivacyRule
        from analysis.report import render
        from analysis.report.pdf import pdf_bytes
        from analysis.report.pins import PINNABLE, Pin
        from analysis.store import Store

        store = Store(Path(tmp) / "bench.duckdb")
        load_demo(store)
        rule = PrivacyRule()
        named = [(page, chart) for page, charts in PINNABLE.items() for chart in charts][:10]
        pins = [Pin(page, chart) for page, chart in named]  # Overview, Engagement, Application
        try:
            from analysis.compare.claims import claims
            from analysis.report.items import build_items

            cold = _export(store, rule, pins)
            warm = [_export(store, rule, pins, fresh=True) for _ in range(args.repeat)]
            cached = (build_items(store, rule, pins), claims(store, rule))
            app = [_export(store, rule, pins, cached, fresh=True) for _ in range(args.repeat)]
            again = [_export(store, rule, pins, cached) for _ in range(args.repeat)]
            from analysis.report.build import build_report

            built = build_report(store, rule, pins)
            t = time.perf_counter()
            pdf = pdf_bytes(built.summary, built.items, built.images)
            pdf_s = time.perf_counter() - t
        finally:
            render.stop()
            store.close()
    phases = ("items", "images", "summary", "pptx", "total")
    print(f"{len(pins)} charts, deck {cold['bytes'] / 1e6:.1f} MB, PDF {len(pdf) / 1e6:.1f} MB")
    print(
        f"medians of {args.repeat} runs; warm = rebuilt from the data, images drawn anew; "
        "app = charts and claims cached, images drawn anew; again = images recent"
    )
    print(f"{'phase':<10}{'cold s':>9}{'warm s':>9}{'app s':>9}{'again s':>9}")
    for phase in phases:
        meds = [statistics.median(w[phase] for w in runs) for runs in (warm, app, again)]
        print(f"{phase:<10}{cold[phase]:>9.2f}" + "".join(f"{m:>9.2f}" for m in meds))
    print(f"PDF writing (images already rendered): {pdf_s:.2f} s")
    warm_total = statistics.median(w["total"] for w in app)
    verdict = "met" if warm_total <= TARGET_WARM_S else "missed"
    print(
        f"target: warm ten-chart export in the app (images drawn anew) ≤ {TARGET_WARM_S:.0f} s: "
        f"{verdict} ({warm_total:.2f} s)"
    )


if __name__ == "__main__":
    main()
