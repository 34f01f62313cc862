"""Saved column mappings: a signature of an export's columns and the choices made for them.

The signature ignores column order, case, spacing and accents, so the next export of the same
survey (columns reordered, re-saved by Excel) is offered the saved mapping automatically.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from analysis.ingest.mapping_rules import (
    FIRST_NAME,
    IGNORE,
    IP_ADDRESS,
    LAST_NAME,
    LOCATION,
    PERSON_EMAIL,
    PERSON_ID,
    PERSON_NAME,
    ROLES,
)
from analysis.ingest.multiselect import STYLES
from analysis.ingest.scales import SCALES, Scale, custom_scale, label_key

KEEP, HASH, DROP = "keep", "hash", "drop"
PII_ACTIONS: tuple[str, ...] = (KEEP, HASH, DROP)
PROFILE_VERSION = 1
_SIGNATURE_PREFIX = "v1:"


def allowed_pii_actions(role: str) -> tuple[str, ...]:
    """What may happen to a column of this role: identifiers hash or drop, names and places drop."""
    if role in (PERSON_EMAIL, PERSON_ID):
        return (HASH, DROP)
    if role in (PERSON_NAME, FIRST_NAME, LAST_NAME, IP_ADDRESS, LOCATION, IGNORE):
        return (DROP,)
    return (KEEP, DROP)


def default_pii_action(role: str) -> str:
    """The action proposed for a role: hash identifiers, drop names/IP/location, keep the rest."""
    return allowed_pii_actions(role)[0]


def profile_signature(columns: Iterable[str]) -> str:
    """A stable hash of the normalised column names; order-insensitive, duplicates counted."""
    keys = sorted(label_key(c) for c in columns)
    digest = hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()
    return _SIGNATURE_PREFIX + digest[:20]


@dataclass(frozen=True)
class ColumnChoice:
    """What the person confirmed for one column."""

    role: str
    pii_action: str = KEEP
    scale: str | None = None
    extra_labels: Mapping[str, float | None] = field(default_factory=dict)
    multi_select: str | None = None
    options: tuple[str, ...] = ()
    positive_min: float | None = None  # only for a custom scale the person defined

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.pii_action not in allowed_pii_actions(self.role):
            raise ValueError(f"{self.role} columns cannot be kept as {self.pii_action!r}")
        custom = self.scale is not None and self.scale not in SCALES
        if custom and (not self.extra_labels or self.positive_min is None):
            raise ValueError(f"custom scale {self.scale!r} needs its labels and positive_min")
        if self.multi_select is not None and self.multi_select not in STYLES:
            raise ValueError(f"unknown multi-select style {self.multi_select!r}")
        for label, value in self.extra_labels.items():
            if value is not None and not (isinstance(value, int | float) and math.isfinite(value)):
                raise ValueError(f"label {label!r} needs a finite number or null")

    def resolve_scale(self) -> Scale | None:
        """The Scale to apply: a known one by name, or the custom one built from extra_labels."""
        if self.scale is None:
            return None
        if self.scale in SCALES:
            return SCALES[self.scale]
        labels = {k: v for k, v in self.extra_labels.items() if v is not None}
        return custom_scale(self.scale, labels, float(self.positive_min or 0))


@dataclass(frozen=True)
class MappingProfile:
    """A named, saved mapping for one tool's exports with the same columns."""

    name: str
    tool: str
    kind: str
    signature: str
    columns: Mapping[str, ColumnChoice]
    version: int = PROFILE_VERSION

    def matches(self, columns: Iterable[str]) -> bool:
        """True when an export has the columns this profile was saved for."""
        return profile_signature(columns) == self.signature

    def choice_for(self, column: str) -> ColumnChoice | None:
        """The saved choice for a column, matched like the signature (case, spacing, accents)."""
        wanted = label_key(column)
        for name, choice in self.columns.items():
            if label_key(name) == wanted:
                return choice
        return None

    def to_json(self) -> str:
        """The profile as JSON (stable key order), for storage."""
        cols = {
            name: {
                "role": c.role,
                "pii_action": c.pii_action,
                "scale": c.scale,
                "extra_labels": dict(c.extra_labels),
                "multi_select": c.multi_select,
                "options": list(c.options),
                "positive_min": c.positive_min,
            }
            for name, c in self.columns.items()
        }
        doc = {
            "version": self.version,
            "name": self.name,
            "tool": self.tool,
            "kind": self.kind,
            "signature": self.signature,
            "columns": cols,
        }
        return json.dumps(doc, ensure_ascii=False, sort_keys=True, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> MappingProfile:
        """A profile from `to_json` output; ValueError when it is not a valid profile."""
        try:
            doc = json.loads(text)
            if doc.get("version") != PROFILE_VERSION:
                raise ValueError(f"unsupported profile version {doc.get('version')!r}")
            columns = {
                str(name): ColumnChoice(
                    role=c["role"],
                    pii_action=c.get("pii_action", KEEP),
                    scale=c.get("scale"),
                    extra_labels=dict(c.get("extra_labels") or {}),
                    multi_select=c.get("multi_select"),
                    options=tuple(c.get("options") or ()),
                    positive_min=c.get("positive_min"),
                )
                for name, c in doc["columns"].items()
            }
            return cls(
                str(doc["name"]), str(doc["tool"]), str(doc["kind"]), str(doc["signature"]),
                columns,
            )  # fmt: skip
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a mapping profile: {exc}") from exc
