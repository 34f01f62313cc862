"""What the held-out organisation may hold: per claim, the kinds of truth and their ranges.

The code holds ranges and rules, never the answer. `draw_kinds` picks, from the seed, for
each of the ten claims one kind of truth, and `draw_sizes` the size of each real effect:
- "true": a real effect in the claimed direction, of a size drawn from the claim's range;
- "null": no difference at all (the same probability on both sides);
- "reversed": a real effect of a size drawn from the range, the opposite way;
- "thin": too few people (or the survey item missing) to decide; claim 1 is never thin
  (without small-group answers no claim about small groups could be decided).
Sometimes (CONFOUND_CHANCE) one claim that is "true" or "reversed" and can be confounded
(5 or 6) gets a Simpson-style department confounding: its two arms come from departments
whose application rates differ so much that the pooled difference points the other way.

Sizes are in percentage points of application (or completion, participation, the active
share in week 5); claim 10's self-directed part is a confidence gain in scale points.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

KINDS = ("true", "null", "reversed", "thin")
KIND_CHANCE = {"true": 0.35, "null": 0.30, "reversed": 0.25, "thin": 0.10}


@dataclass(frozen=True)
class Rule:
    """One claim: what it is measured as, the size of a real effect, how it can be thin."""

    measured: str
    points: tuple[float, float]
    thin: str | None


RULES: dict[int, Rule] = {
    1: Rule(
        "application at 30 days, small groups vs everyone at once and vs self-directed",
        (12.0, 22.0),
        None,
    ),
    2: Rule(
        "active share in week 5, shared-session formats vs self-directed",
        (12.0, 25.0),
        "self-directed courses run only 4 weeks (no week 5)",
    ),
    3: Rule(
        "application, pilot teams vs org-wide", (15.0, 28.0), "only 18 people in 2 pilot teams"
    ),
    4: Rule(
        "completion and application, course buddies vs self-paced course",
        (15.0, 28.0),
        "only 16 people took the course with buddies",
    ),
    5: Rule(
        "application, book club vs reading alone", (15.0, 28.0), "only 16 people in 2 book clubs"
    ),
    6: Rule(
        "application, close-colleague vs mixed coaching circles",
        (15.0, 28.0),
        "only 2 coaching circles of close colleagues",
    ),
    7: Rule(
        "application, found it relevant vs not, inside each format",
        (12.0, 25.0),
        "the survey never asked about relevance",
    ),
    8: Rule(
        "application, motivated vs not, inside self-directed learning",
        (15.0, 28.0),
        "the survey never asked about motivation",
    ),
    9: Rule(
        "leaders' small-group gain minus individual contributors' gain",
        (20.0, 30.0),
        "only 12 of the small-group learners are leaders",
    ),
    10: Rule(
        "participation (everyone at once), confidence gain (self-directed), application "
        "(small groups: claim 1's comparison), each vs the other two formats",
        (10.0, 15.0),
        "confidence was asked only after the course, not before",
    ),
}
CONFIDENCE_GAIN = (0.3, 0.6)  # claim 10's self-directed part, in scale points (1–5)
CONFOUNDABLE = (5, 6)
CONFOUND_CHANCE = 0.5
CONFOUNDED_POINTS = (12.0, 20.0)  # the within-department effect of a confounded claim
CONFOUND_DEPT_POINTS = 20.0  # the low department is this far below, the high one above
CONFOUND_TILT = 0.75  # share of the high minus share of the low department, per arm


@dataclass
class Draw:
    """The drawn truth: per claim a kind and a signed within-department effect."""

    kinds: dict[int, str]
    points: dict[int, float]  # signed, points; 0 for null and thin
    gain: float  # claim 10's confidence part, signed scale points (0 for null and thin)
    confounded: int | None = None
    low_dept: str | None = None
    high_dept: str | None = None
    dept_points: dict[str, float] = field(default_factory=dict)

    def sign(self, claim: int) -> int:
        """+1 for a true effect, −1 for a reversed one, 0 otherwise."""
        return {"true": 1, "reversed": -1}.get(self.kinds[claim], 0)

    def to_dict(self) -> dict:
        """The draw for truth.json."""
        return asdict(self)


def _kind(rng: np.random.Generator, claim: int) -> str:
    kinds = [k for k in KINDS if k != "thin" or RULES[claim].thin]
    chance = np.array([KIND_CHANCE[k] for k in kinds])
    return str(rng.choice(kinds, p=chance / chance.sum()))


def draw_kinds(rng: np.random.Generator) -> tuple[dict[int, str], int | None]:
    """Each claim's kind, and the claim confounded by department (or None)."""
    kinds = {c: _kind(rng, c) for c in RULES}
    eligible = [c for c in CONFOUNDABLE if kinds[c] in ("true", "reversed")]
    confounded = None
    if eligible and rng.random() < CONFOUND_CHANCE:
        confounded = int(rng.choice(eligible))
    return kinds, confounded


def draw_sizes(
    rng: np.random.Generator,
    kinds: dict[int, str],
    confounded: int | None,
    departments: tuple[str, ...],
) -> Draw:
    """The sizes of the drawn kinds' effects, and the departments' own differences."""
    points = {}
    for c, rule in RULES.items():
        size = float(np.round(rng.uniform(*rule.points), 1))
        points[c] = {"true": size, "reversed": -size}.get(kinds[c], 0.0)
    gain_size = float(np.round(rng.uniform(*CONFIDENCE_GAIN), 2))
    gain = {"true": gain_size, "reversed": -gain_size}.get(kinds[10], 0.0)
    out = Draw(dict(kinds), points, gain)
    if confounded is not None:
        size = float(np.round(rng.uniform(*CONFOUNDED_POINTS), 1))
        out.points[confounded] = size * out.sign(confounded)
        low, high = (str(d) for d in rng.choice(departments, size=2, replace=False))
        out.confounded, out.low_dept, out.high_dept = confounded, low, high
        out.dept_points = {d: 0.0 for d in departments}
        out.dept_points.update({low: -CONFOUND_DEPT_POINTS, high: CONFOUND_DEPT_POINTS})
    else:  # small department differences, balanced across every arm: no confounding
        spread = rng.uniform(-6.0, 6.0, size=len(departments))
        spread -= spread.mean()
        pairs = zip(departments, spread, strict=True)
        out.dept_points = {d: float(np.round(v, 1)) for d, v in pairs}
    return out


def combined_kind(draw_: Draw, claim: int) -> str:
    """The kind a claim's verdict should follow. Claim 10 is its own parts (participation,
    confidence) and claim 1's application comparison: thin when its item is missing, else
    reversed if either is, else null if either is, else true."""
    kind = draw_.kinds[claim]
    if claim != 10 or kind == "thin":
        return kind
    parts = (kind, draw_.kinds[1])
    return next(k for k in ("reversed", "null", "true") if k in parts)
