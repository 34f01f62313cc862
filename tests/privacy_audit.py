"""An independent audit of what survey figures reveal, for the privacy property tests.

It knows nothing of how the privacy step chooses its cells. It takes the figures a page shows
(each row with its `coverage`: what it claims to count), the true respondents behind every
piece of coverage (from the test's own organisation), and checks:

- every number a visible figure shows is exactly what its claimed coverage holds;
- every visible figure counts 0 or at least k respondents;
- any two figures (the same figure in two views, or two figures beside each other) whose
  respondents nest differ by 0 or at least k;
- no group of 1 to k − 1 respondents can be worked out exactly from all the figures together
  (exact rational linear algebra over the classes of respondents the figures tell apart);
- no chart shows more precision than whole percentages, whole points and n (`check_precision`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from analysis.privacy import VISIBLE

# Columns that name a figure within a frame (the rest are its values).
KEY_COLS = ("wave", "format", "variant", "level", "item_id", "option", "step", "comparison")


@dataclass(frozen=True)
class Figure:
    """One visible survey figure: where it is, who it counts, and what it shows."""

    name: tuple  # (page, frame, option…, key values…): the same figure in any view
    measure: str
    people: frozenset  # respondent ids (of its measure) it counts
    n: int | None
    applied: int | None


def figures(page: str, figs: Mapping[str, pd.DataFrame], options: Mapping[str, str],
            truth: Mapping[str, frozenset]) -> list[Figure]:  # fmt: skip
    """The visible survey figures of one page view, with the respondents each counts."""
    out = []
    for frame, df in figs.items():
        if df.empty or "coverage" not in df.columns:
            continue
        opts = tuple(sorted(options.items())) if frame == "segment" else ()
        keys = [c for c in KEY_COLS if c in df.columns]
        for _, row in df.iterrows():
            if row.get("status", VISIBLE[0]) not in VISIBLE:
                continue
            pieces = row["coverage"]
            if not pieces and not row.get("survey", True):
                continue  # an operational step beside survey steps (the funnel)
            measures = {p.split("\x1f")[0] for p in pieces}
            assert len(measures) == 1, f"{frame}: a figure mixes measures {measures}"
            people = frozenset().union(*(truth[p] for p in pieces))
            n = row.get("n")
            applied = row.get("applied") if "applied" in df.columns else None
            out.append(
                Figure(
                    name=(page, frame, *opts, *(row[k] for k in keys)),
                    measure=measures.pop(),
                    people=people,
                    n=None if n is None or pd.isna(n) else int(n),
                    applied=None if applied is None or pd.isna(applied) else int(applied),
                )
            )
    return out


def check_numbers(figs: Iterable[Figure], applied_by_person: Mapping[str, int], k: int) -> list:
    """Shown numbers equal their coverage's truth; nothing visible counts 1 to k − 1 people."""
    problems = []
    for f in figs:
        if len(f.people) < k:
            problems.append(f"{f.name}: counts {len(f.people)} respondents (minimum {k})")
        if f.n is not None and f.n != len(f.people):
            problems.append(f"{f.name}: shows n={f.n} but its coverage holds {len(f.people)}")
        if f.applied is not None and f.name[1] not in ("comparisons",):
            truth = sum(applied_by_person[p] for p in f.people)
            if f.applied != truth:
                problems.append(f"{f.name}: shows applied={f.applied}, coverage has {truth}")
    return problems


def check_pairs(figs: list[Figure], k: int) -> list[str]:
    """The same figure in two views, or two nested figures: they differ by 0 or ≥ k people.

    For the same figure, each side's extra respondents count (a swap of one person for another
    would show how their answers differ); for different figures, only nested sets do.
    """
    problems = []
    by_measure: dict[str, list[Figure]] = {}
    for f in figs:
        by_measure.setdefault(f.measure, []).append(f)
    for group in by_measure.values():
        unique = list({(f.name, f.people): f for f in group}.values())
        for i, fa in enumerate(unique):
            for fb in unique[i + 1 :]:
                a, b = fa.people, fb.people
                same = fa.name == fb.name
                if not (same or a <= b or b <= a):
                    continue
                for extra in (a - b, b - a):
                    if 0 < len(extra) < k:
                        problems.append(
                            f"{fa.name} and {fb.name} differ by {len(extra)} respondents"
                        )
    return problems


def check_solvable(figs: list[Figure], k: int) -> list[str]:
    """No class of respondents under k follows exactly from the figures' counts."""
    problems = []
    by_measure: dict[str, list[Figure]] = {}
    for f in figs:
        by_measure.setdefault(f.measure, []).append(f)
    for measure, group in by_measure.items():
        sets = list({f.people for f in group})
        classes: dict[tuple, set] = {}
        for person in frozenset().union(*sets):
            classes.setdefault(tuple(person in s for s in sets), set()).add(person)
        names = list(classes)
        eqs = [({j: Fraction(1) for j, c in enumerate(names) if c[i]}, Fraction(len(s)))
               for i, s in enumerate(sets)]  # fmt: skip
        basis = _echelon(eqs)
        for j, c in enumerate(names):
            size = len(classes[c])
            if size < k and _solve(basis, {j: Fraction(1)}) is not None:
                problems.append(f"{measure}: a class of {size} respondents follows exactly")
    return problems


def _echelon(eqs: list[tuple[dict[int, Fraction], Fraction]]) -> list:
    basis: list[tuple[int, dict[int, Fraction], Fraction]] = []
    for coeffs, rhs in eqs:
        co, rhs = _reduce(basis, coeffs, rhs)
        if co:
            p = min(co)
            basis.append((p, {v: c / co[p] for v, c in co.items()}, rhs / co[p]))
    return basis


def _reduce(basis: list, coeffs: dict[int, Fraction], rhs: Fraction) -> tuple[dict, Fraction]:
    co = dict(coeffs)
    for p, bco, brhs in basis:
        if f := co.get(p):
            for v, c in bco.items():
                co[v] = co.get(v, Fraction(0)) - f * c
            rhs -= f * brhs
    return {v: c for v, c in co.items() if c != 0}, rhs


def _solve(basis: list, func: dict[int, Fraction]) -> Fraction | None:
    co, rhs = _reduce(basis, func, Fraction(0))
    return None if co else -rhs


# Plotly placeholders may show whole percentages, grouped integers and whole signed points;
# a bare placeholder may only show text or integers.
ALLOWED_SPEC = re.compile(r"^(\.0%|,|[+]?\.0f|,\.0f)$")
PLACEHOLDER = re.compile(r"%\{([^}:]+)(?::([^}]*))?\}")
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")


def _values(trace, ref: str) -> list:
    """The values a placeholder such as x, z or customdata[1] refers to."""
    m = re.fullmatch(r"customdata\[(\d+)\]", ref)
    if m:
        data = np.asarray(trace.customdata, dtype=object)
        return list(data[:, int(m.group(1))]) if data.ndim == 2 else []
    if ref == "customdata":
        return list(np.asarray(trace.customdata, dtype=object).ravel())
    raw = getattr(trace, ref, None)
    return [] if raw is None else list(np.asarray(raw, dtype=object).ravel())


def check_precision(fig) -> list[str]:
    """Anything a chart shows with more precision than a whole point, a whole percent or n."""
    problems = []
    for trace in fig.data:
        template = getattr(trace, "hovertemplate", None) or ""
        for ref, spec in PLACEHOLDER.findall(template):
            if spec and not ALLOWED_SPEC.match(spec):
                problems.append(f"hover {ref} formatted as {spec!r}")
            if not spec and ref not in ("text",):
                for v in _values(trace, ref):
                    if isinstance(v, float) and not float(v).is_integer():
                        problems.append(f"hover {ref} shows raw value {v}")
                        break
        if getattr(trace, "type", "") == "heatmap" and "%{z}" in template:
            problems.append("heat map hover shows raw z")
        texts = getattr(trace, "text", None)
        for t in [] if texts is None else np.asarray(texts, dtype=object).ravel():
            if isinstance(t, str) and DECIMAL.search(t):
                problems.append(f"label {t!r}")
    for ann in fig.layout.annotations:
        if ann.text and DECIMAL.search(re.sub(r"v\d+|\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "", ann.text)):
            problems.append(f"annotation {ann.text!r}")
    return problems
