"""The survey kit's files: the text (Markdown), a CSV and an Excel template, and Qualtrics TXT.

All of them come from `items.wave_items`, so the wording in every file is the wording the
importer recognises.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from analysis.domain import WAVE_LABELS
from analysis.ingest.mapping_rules import ROLE_LABELS
from analysis.survey_kit.items import (
    CHOICE,
    KIT_WAVES,
    LONG_TEXT,
    TYPE_NAMES,
    WAVE_QUESTION,
    WAVE_WHEN,
    KitItem,
    wave_items,
)

MARKDOWN_NAME, CSV_NAME, XLSX_NAME = "survey-kit.md", "survey-kit.csv", "survey-kit.xlsx"
CSV_COLUMNS = (
    "wave", "wave_name", "order", "question", "type", "required", "options", "role", "scale",
    "why",
)  # fmt: skip
OPTION_SEPARATOR = " | "
_QUALTRICS_TYPES = {
    CHOICE: "[[Question:MC:SingleAnswer:Vertical]]",
    LONG_TEXT: "[[Question:TE:Essay]]",
}


@dataclass(frozen=True)
class KitFile:
    """One file of the kit: its name, what it is for, its media type and its bytes."""

    name: str
    description: str
    mime: str
    data: bytes


def qualtrics_name(wave: str) -> str:
    """The file name of one wave's Qualtrics import file."""
    return f"survey-kit-qualtrics-{wave}.txt"


TOOL_STEPS: dict[str, tuple[str, ...]] = {
    "Google Forms": (
        "Make one form per cohort and wave (build the first, then ⋮ → *Make a copy*).",
        "Add the kit's questions in order, worded exactly as written: *Multiple choice* for "
        "questions with answers, *Short answer* for e-mail, department and role, *Paragraph* "
        "for the comment. Pasting an answer list from the Excel template into the first option "
        "makes one option per line.",
        f"Make every question *Required* except the comment. “{WAVE_QUESTION}” has one answer: "
        "the wave. To spare people the click, send the link from ⋮ → *Get pre-filled link* "
        "with that answer chosen.",
        "With *Settings → Responses → Collect email addresses* on, the export has an *Email "
        "Address* column and you may delete the e-mail question.",
        "Export: *Responses → Download responses (.csv)*, or File → Download → CSV or Excel "
        "from the linked sheet.",
    ),
    "Microsoft Forms": (
        "Make one form per cohort and wave (*Duplicate* the first).",
        "Add the kit's questions in order, worded exactly as written: *Choice* for questions "
        "with answers, *Text* for e-mail, department and role, *Text* with *Long answer* for "
        "the comment.",
        f"Make every question *Required* except the comment. “{WAVE_QUESTION}” has one answer: "
        "the wave (use *Get pre-filled URL* where your Forms offers it).",
        "When only people in your organisation respond and *Record name* is on, the *Email* "
        "column carries their address and you may delete the e-mail question.",
        "Export: *Responses → Open results in Excel* (.xlsx).",
    ),
    "Qualtrics": (
        "Create a blank survey, then *Tools → Import/Export → Import survey* and choose this "
        "wave's `survey-kit-qualtrics-<wave>.txt` (Advanced TXT format). Or add the kit's "
        "questions by hand, worded exactly as written.",
        f"Turn on *Force response* for every question except the comment. Give “{WAVE_QUESTION}” "
        "its one answer as the default choice.",
        "Distributing to a contact list fills *RecipientEmail*; with an anonymous link the "
        "e-mail question does it.",
        "Export: *Data & Analysis → Export & Import → Export data → CSV*, with **Use choice "
        "text** (numeric values would have to be confirmed at import).",
    ),
}


def _answers(item: KitItem) -> str:
    if item.kind != CHOICE:
        return TYPE_NAMES[item.kind]["google"].lower()
    return " / ".join(item.options)


TITLE = "FormatFit survey kit"


def markdown() -> str:
    """The kit as a Markdown document: its title, then `body()`."""
    return f"# {TITLE}\n\n{body()}"


def body() -> str:
    """The kit as text: why, the questions of each wave, the three tools, and the import."""
    lines = [
        "One short survey per wave: before the learning, right after it, and 30, 60 and 90 "
        "days after its end. Every question is worded the way FormatFit's import recognises "
        "it, so the exports of Google Forms, Microsoft Forms and Qualtrics import with every "
        "question on its meaning and no mapping to confirm.",
        "",
        f"- **Keep the first question, “{WAVE_QUESTION}”**, with the wave as its only answer. "
        "It reaches every export (a Google Forms CSV carries no form title), and the import "
        "reads the wave from it, not from the dates.",
        "- **Keep the wording and the answers** as written. You may add questions of your own "
        "after them; the import proposes a meaning for each.",
        "- **One form per cohort and wave.** The import links a whole file to one cohort.",
        "- **The e-mail joins the waves**: the relevance and motivation answers meet the "
        "application answers of the same person, and the answers meet attendance. It is "
        "replaced by a keyed hash at import and never stored. Answers without it still count "
        "in the format-level figures.",
        "- Rated questions use the five agreement answers (*Agree* or *Strongly agree* counts "
        "as positive) or Thalheimer's six readiness options.",
        "",
    ]
    lines += ["## When to send each", ""]
    lines += [f"- **{WAVE_LABELS[w]}**: {WAVE_WHEN[w]}." for w in KIT_WAVES]
    after = [w for w in KIT_WAVES if w != "pre"]
    names = ", ".join(f"*{WAVE_LABELS[w]}*" for w in after[:-1]) + f" or *{WAVE_LABELS[after[-1]]}*"
    for title, wave, first in (
        ("Before", "pre", f"*{WAVE_LABELS['pre']}*"),
        ("After: right after, and 30, 60 and 90 days after", after[0], f"{names}, one per form"),
    ):
        lines += ["", f"## {title}", ""]
        for n, item in enumerate(wave_items(wave), start=1):
            answers = first if item.role == "wave" else _answers(item)
            req = "" if item.required else " (optional)"
            lines.append(f"{n}. **{item.question}**{req} — {answers}. *Feeds: {item.why}.*")
    lines.append("")
    lines += ["## Building the form", ""]
    for tool, steps in TOOL_STEPS.items():
        lines += [f"### {tool}", ""]
        lines += [f"{n}. {step}" for n, step in enumerate(steps, start=1)]
        lines.append("")
    lines += [
        "## Importing the answers",
        "",
        "Import the export unchanged: on the **Import** page, or with "
        "`python -m analysis import FILE --cohort COHORT`. The wave comes from "
        f"“{WAVE_QUESTION}” (leave *Survey wave* at *from the file's wave column*); choose "
        "the cohort the form was sent to.",
        "",
    ]
    return "\n".join(lines)


def rows() -> list[dict[str, str]]:
    """One row per wave and question: the template's rows."""
    out = []
    for wave in KIT_WAVES:
        for n, item in enumerate(wave_items(wave), start=1):
            out.append(
                {
                    "wave": wave,
                    "wave_name": WAVE_LABELS[wave],
                    "order": str(n),
                    "question": item.question,
                    "type": item.kind,
                    "required": "yes" if item.required else "no",
                    "options": OPTION_SEPARATOR.join(item.options),
                    "role": ROLE_LABELS[item.role],
                    "scale": item.scale or "",
                    "why": item.why,
                }
            )
    return out


def csv_bytes() -> bytes:
    """The template as CSV (UTF-8 with BOM, so Excel shows the apostrophes right)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows())
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes() -> bytes:
    """The template as Excel: a read-me sheet, then one sheet per wave (answers one per line)."""
    wb = Workbook()
    readme = wb.active
    readme.title = "Read me"
    readme.column_dimensions["A"].width = 110
    text = [
        "FormatFit survey kit: one sheet per wave.",
        f"Keep the first question, “{WAVE_QUESTION}”, with the wave as its only answer.",
        "Keep the wording and the answers: the import recognises them.",
        "Answers are one per line: pasted into the first option of a Google Forms question, "
        "each line becomes an option.",
        "",
    ]
    for tool, steps in TOOL_STEPS.items():
        plain = (s.replace("*", "").replace("`", "") for s in steps)
        text += [tool, *(f"{n}. {s}" for n, s in enumerate(plain, start=1)), ""]
    for line in text:
        readme.append([line])
        readme.cell(readme.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    for row in readme.iter_rows():
        if row[0].value in TOOL_STEPS:
            row[0].font = Font(bold=True)
    headers = (
        "Order", "Question", "Google Forms type", "Microsoft Forms type", "Qualtrics type",
        "Required", "Answers", "Meaning", "Feeds",
    )  # fmt: skip
    for wave in KIT_WAVES:
        ws = wb.create_sheet(WAVE_LABELS[wave])
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for n, item in enumerate(wave_items(wave), start=1):
            ws.append(
                [
                    n,
                    item.question,
                    *(TYPE_NAMES[item.kind][tool] for tool in ("google", "microsoft", "qualtrics")),
                    "yes" if item.required else "no",
                    "\n".join(item.options),
                    ROLE_LABELS[item.role],
                    item.why,
                ]
            )
        for col, width in zip("ABCDEFGHI", (7, 60, 16, 18, 18, 9, 55, 16, 50), strict=True):
            ws.column_dimensions[col].width = width
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def qualtrics_txt(wave: str) -> str:
    """One wave's survey in Qualtrics' Advanced TXT import format."""
    lines = ["[[AdvancedFormat]]", "", f"[[Block:{WAVE_LABELS[wave]}]]", ""]
    for item in wave_items(wave):
        lines.append(_QUALTRICS_TYPES.get(item.kind, "[[Question:TE:SingleLine]]"))
        lines.append(item.question)
        if item.kind == CHOICE:
            lines.append("[[Choices]]")
            lines += list(item.options)
        lines.append("")
    return "\n".join(lines)


def kit_files() -> list[KitFile]:
    """Every file of the kit, in the order the page and the command line offer them."""
    files = [
        KitFile(MARKDOWN_NAME, "The kit as text (Markdown), steps per tool", "text/markdown",
                markdown().encode("utf-8")),
        KitFile(CSV_NAME, "CSV template: a row per wave and question", "text/csv", csv_bytes()),
        KitFile(XLSX_NAME, "Excel template: a sheet per wave",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_bytes()),
    ]  # fmt: skip
    for wave in KIT_WAVES:
        files.append(
            KitFile(
                qualtrics_name(wave),
                f"Qualtrics import file: {WAVE_LABELS[wave].lower()}",
                "text/plain",
                qualtrics_txt(wave).encode("utf-8"),
            )
        )
    return files


def write_kit(out: Path) -> list[KitFile]:
    """Write every file of the kit into `out` (created if missing); returns what it wrote."""
    out.mkdir(parents=True, exist_ok=True)
    files = kit_files()
    for f in files:
        (out / f.name).write_bytes(f.data)
    return files
