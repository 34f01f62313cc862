"""JSON learning records: Open edX tracking-log events and xAPI statements, flattened to rows."""

from __future__ import annotations

import json
from typing import Any

from analysis.ingest.model import GENERIC, OPENEDX_TRACKING, XAPI, UnreadableFile

LOG_COLUMNS: list[str] = [
    "actor",
    "verb",
    "verb_id",
    "timestamp",
    "object",
    "object_name",
    "object_type",
    "course",
    "completion",
    "success",
    "score_scaled",
    "score_raw",
    "score_min",
    "score_max",
    "grade",
    "duration",
]


def looks_like_json(text: str) -> bool:
    """True when the text starts like a JSON object or array."""
    return text.lstrip()[:1] in ("{", "[")


def parse_json(text: str) -> tuple[str, list[str], list[list[str | None]], list[str]]:
    """(tool, columns, rows, notes) for statements/events or a list of flat records."""
    items = _load(text)
    if not items:
        raise UnreadableFile("The JSON file holds no records.")
    if all(isinstance(i, dict) and _is_xapi(i) for i in items):
        rows = [_xapi_row(i) for i in items]
        return XAPI, list(LOG_COLUMNS), rows, [f"{len(rows)} xAPI statement(s) flattened to rows"]
    if all(isinstance(i, dict) and _is_openedx(i) for i in items):
        rows = [_openedx_row(i) for i in items]
        note = f"{len(rows)} Open edX tracking event(s) flattened to rows"
        return OPENEDX_TRACKING, list(LOG_COLUMNS), rows, [note]
    if all(isinstance(i, dict) for i in items) and _flat_enough(items):
        columns: list[str] = []
        for item in items:
            columns.extend(k for k in item if k not in columns)
        rows = [[_text(item.get(c)) for c in columns] for item in items]
        return GENERIC, columns, rows, ["a JSON list of records"]
    raise UnreadableFile(
        "This JSON file is neither xAPI statements, Open edX tracking events nor a list of "
        "records, so it holds no attendance or completion data to import."
    )


def _load(text: str) -> list[Any]:
    """A JSON document (object, array or LRS {"statements": [...]}) or JSON Lines."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as first_error:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        try:  # JSON Lines, as tracking logs are written; a syslog prefix may precede the `{`
            return [json.loads(line[line.index("{") :]) for line in lines]
        except (json.JSONDecodeError, ValueError):
            raise UnreadableFile(
                f"Not valid JSON (line {first_error.lineno}: {first_error.msg})."
            ) from first_error
    if isinstance(doc, dict):
        for key in ("statements", "events", "data", "records", "results"):
            if isinstance(doc.get(key), list):
                return doc[key]
        return [doc]
    if isinstance(doc, list):
        return doc
    raise UnreadableFile("The JSON file holds a single value, not records.")


def _is_xapi(item: dict[str, Any]) -> bool:
    return isinstance(item.get("actor"), dict) and isinstance(item.get("verb"), dict)


def _is_openedx(item: dict[str, Any]) -> bool:
    named = isinstance(item.get("name") or item.get("event_type"), str)
    timed = "time" in item or "timestamp" in item
    return named and timed and isinstance(item.get("context"), dict)


def _flat_enough(items: list[Any]) -> bool:
    """Records whose values are mostly scalars: a table, not a nested document."""
    values = [v for item in items for v in item.values()]
    nested = sum(1 for v in values if isinstance(v, dict | list))
    return bool(values) and nested <= len(values) / 4


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _lang(value: Any) -> str | None:
    """The English (else the first) entry of an xAPI language map."""
    if not isinstance(value, dict) or not value:
        return None
    for key in ("en", "en-US", "en-GB"):
        if key in value:
            return str(value[key])
    return str(next(iter(value.values())))


def _xapi_row(s: dict[str, Any]) -> list[str | None]:
    actor = s.get("actor") or {}
    account = actor.get("account") or {}
    mbox = str(actor.get("mbox") or "")
    mbox = mbox[7:] if mbox.lower().startswith("mailto:") else mbox  # the e-mail address
    who = account.get("name") or mbox or actor.get("mbox_sha1sum") or actor.get("name")
    verb = s.get("verb") or {}
    obj = s.get("object") or {}
    definition = obj.get("definition") or {}
    result = s.get("result") or {}
    score = result.get("score") or {}
    parents = ((s.get("context") or {}).get("contextActivities") or {}).get("parent") or []
    course = next(
        (p.get("id") for p in parents if "course" in str((p.get("definition") or {}).get("type"))),
        obj.get("id") if "course" in str(definition.get("type")) else None,
    )
    extensions = result.get("extensions") or {}
    grade = next((v for k, v in extensions.items() if k.endswith("grade_classification")), None)
    values = [
        who,
        _lang(verb.get("display")) or verb.get("id"),
        verb.get("id"),
        s.get("timestamp"),
        obj.get("id"),
        _lang(definition.get("name")),
        definition.get("type") or obj.get("objectType"),
        course,
        result.get("completion"),
        result.get("success"),
        score.get("scaled"),
        score.get("raw"),
        score.get("min"),
        score.get("max"),
        grade,
        result.get("duration"),
    ]
    return [_text(v) for v in values]


def _openedx_row(e: dict[str, Any]) -> list[str | None]:
    context = e.get("context") or {}
    data = e.get("data") if isinstance(e.get("data"), dict) else e.get("event")
    data = data if isinstance(data, dict) else {}
    name = e.get("name") or e.get("event_type")
    who = e.get("username") or context.get("username") or context.get("user_id")
    course = context.get("course_id") or data.get("course_id")
    percent = data.get("percent_grade")
    values = [
        who,
        name,
        name,
        e.get("timestamp") or e.get("time"),
        course,
        None,
        "course" if course else None,
        course,
        None,
        None,
        percent,
        None,
        None,
        None,
        data.get("letter_grade"),
        None,
    ]
    return [_text(v) for v in values]
