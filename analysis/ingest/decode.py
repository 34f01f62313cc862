"""Text encoding detection and decoding for uploaded exports.

DuckDB reads only UTF-8, UTF-16 and latin-1, and real exports also come in Windows-1252 (Excel
re-saves) and MacRoman (Excel for Mac, SurveyMonkey Audience), so everything is decoded here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from analysis.ingest.model import ENCODING_LABELS, ENCODINGS, UnreadableFile

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UTF16_BOM = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
_ALIASES: dict[str, str] = {
    "utf8": "utf-8",
    "utf_8": "utf-8",
    "utf-8-bom": "utf-8-sig",
    "utf_8_sig": "utf-8-sig",
    "utf-16": "utf-16-le",
    "utf16": "utf-16-le",
    "utf-16le": "utf-16-le",
    "utf_16_le": "utf-16-le",
    "utf-16be": "utf-16-be",
    "utf_16_be": "utf-16-be",
    "windows-1252": "cp1252",
    "win-1252": "cp1252",
    "1252": "cp1252",
    "macroman": "mac_roman",
    "mac-roman": "mac_roman",
    "macintosh": "mac_roman",
    "latin1": "latin-1",
    "latin_1": "latin-1",
    "iso-8859-1": "latin-1",
    "iso8859-1": "latin-1",
}
# On an exact tie the evidence cannot separate them; stray high bytes beside punctuation
# (no letters around) are what Mac-made SurveyMonkey exports carry, so MacRoman goes first.
_SINGLE_BYTE = ("mac_roman", "cp1252", "latin-1")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_MAX_EVIDENCE = 4000
_CONTRACTION = re.compile(r"[A-Za-z][’'](s|t|d|m|re|ve|ll)(?![A-Za-z])")
_RARE_LETTERS = set("ŒœŠšŽžŸƒıˆ˜ªºﬁﬂÆ")
_TYPOGRAPHIC = set("“”„«»–—…•€£©®°·§¶†‡‹›‰")


def normalise_encoding(name: str) -> str:
    """The canonical name (one of ENCODINGS) for an encoding name or common alias."""
    key = name.strip().lower().replace(" ", "-")
    key = _ALIASES.get(key, key)
    if key not in ENCODINGS:
        choices = ", ".join(ENCODINGS)
        raise UnreadableFile(f"Unsupported encoding {name!r}: choose one of {choices}.")
    return key


def detect_encoding(data: bytes) -> str:
    """Detect the text encoding of `data` (a whole file or a prefix): BOM, UTF-16, UTF-8, 8-bit.

    A file that is UTF-8 except for some lines (rows pasted from a Windows-1252 sheet into a
    UTF-8 export) is UTF-8 when its UTF-8 lines with accents are at least as many as the
    others; `decode_report` then reads the other lines with a single-byte encoding.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    utf16 = _utf16_without_bom(data[:8192])
    if utf16:
        return utf16
    if data.isascii() or _is_utf8(data):
        return "utf-8"
    accented, others = _utf8_line_counts(data)
    if accented >= len(others):
        return "utf-8"
    return _guess_single_byte(data)


@dataclass(frozen=True)
class Decoded:
    """Decoded text (no BOM, `\\n` newlines, no NUL characters) and what decoding had to do."""

    text: str
    replaced: bool = False  # undecodable bytes shown as '�'
    nul_chars: int = 0  # NUL characters removed
    other_lines: tuple[int, ...] = ()  # lines (1-based) of a UTF-8 file that are not UTF-8…
    other_encoding: str | None = None  # …and the single-byte encoding they were read with

    def warnings(self) -> list[str]:
        """What the person should know about the decoding, one sentence each."""
        out = []
        if self.nul_chars:
            n = self.nul_chars
            out.append(
                f"Removed {n:,} NUL byte{'s' if n > 1 else ''} (character 0), which is not "
                "text: a tool or a copy left it in the file. Check the cells around it."
            )
        if self.other_lines:
            n, label = len(self.other_lines), ENCODING_LABELS[self.other_encoding or "cp1252"]
            out.append(
                f"{n:,} line{'s are' if n > 1 else ' is'} not UTF-8 like the rest of the file "
                f"and {'were' if n > 1 else 'was'} read as {label} ({line_list(self.other_lines)})"
                f": check {'their' if n > 1 else 'its'} accented letters."
            )
        return out


def line_list(numbers: tuple[int, ...] | list[int], limit: int = 10) -> str:
    """'line 3', 'lines 3, 7 and 9' or 'lines 3, 7, … (and 40 more)' for a message."""
    shown = [f"{n:,}" for n in numbers[:limit]]
    if len(numbers) == 1:
        return f"line {shown[0]}"
    if len(numbers) <= limit:
        return f"lines {', '.join(shown[:-1])} and {shown[-1]}"
    return f"lines {', '.join(shown)} and {len(numbers) - limit:,} more"


def decode(data: bytes, encoding: str | None = None) -> str:
    """Decode `data` (detected when `encoding` is None), without BOM and with `\\n` newlines."""
    return decode_report(data, encoding).text


def decode_report(data: bytes, encoding: str | None = None, *, final: bool = True) -> Decoded:
    """Decode like `decode`, saying what had to be done: bytes replaced, NULs, other lines.

    `final=False`: `data` is the start of a file; a character cut off at its end is left out.
    In a UTF-8 file, a line that is not UTF-8 is read with the single-byte encoding that fits
    such lines best (Windows-1252, MacRoman or Latin-1) rather than shown as '�'.
    """
    name = normalise_encoding(encoding) if encoding else detect_encoding(data)
    body = data
    if name in ("utf-8", "utf-8-sig") and body.startswith(codecs.BOM_UTF8):
        body, name = body[3:], "utf-8"
    elif body.startswith(_UTF16_BOM.get(name, b"\x00\x00\x00")):
        body = body[2:]
    other_lines: tuple[int, ...] = ()
    other = None
    replaced = False
    try:
        text = codecs.getincrementaldecoder(name)().decode(body, final=final)
    except UnicodeDecodeError:
        if name in ("utf-8", "utf-8-sig"):
            text, other_lines, other = _mixed_utf8(body, final)
        else:
            text = codecs.getincrementaldecoder(name)("replace").decode(body, final=final)
            replaced = True
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    nul = text.count("\x00")
    if nul:
        text = text.replace("\x00", "")
    return Decoded(text, replaced, nul, other_lines, other)


_HIGH_LINE = re.compile(rb"^[^\n]*?[\x80-\xff]", re.MULTILINE)


def _bad_lines(data: bytes, final: bool = True):
    """Yield (start, end) of each line of normalised `data` that is not valid UTF-8, in order."""
    view = memoryview(data)
    pos = 0
    while True:
        try:
            codecs.utf_8_decode(view[pos:], "strict", final)
            return
        except UnicodeDecodeError as exc:
            bad = pos + exc.start
            start = data.rfind(b"\n", pos, bad) + 1
            end = data.find(b"\n", bad)
            end = len(data) if end < 0 else end
            yield start, end
            pos = end


def _normalised(data: bytes) -> bytes:
    """Line breaks as `\\n` (so line numbers are the same as in the decoded text)."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in data else data


def _utf8_line_counts(data: bytes) -> tuple[int, list[tuple[int, int]]]:
    """(lines that are UTF-8 with non-ASCII characters, spans of the lines that are not UTF-8)."""
    data = _normalised(data)
    bad = list(_bad_lines(data, final=False))
    high = sum(1 for _ in _HIGH_LINE.finditer(data))
    return high - len(bad), bad


def _mixed_utf8(data: bytes, final: bool) -> tuple[str, tuple[int, ...], str]:
    """UTF-8 text whose non-UTF-8 lines are decoded with the best-fitting single-byte encoding."""
    data = _normalised(data)
    spans = list(_bad_lines(data, final))
    other = _guess_single_byte(b"\n".join(data[s:e] for s, e in spans))
    parts, lines, pos, line = [], [], 0, 1
    for start, end in spans:
        parts.append(data[pos:start].decode("utf-8"))
        line += data.count(b"\n", pos, start)
        lines.append(line)
        parts.append(data[start:end].decode(other, errors="replace"))
        pos = end
    tail = codecs.getincrementaldecoder("utf-8")().decode(data[pos:], final=final)
    return "".join(parts) + tail, tuple(lines), other


def _is_utf8(data: bytes) -> bool:
    """Valid UTF-8, tolerating a multi-byte character cut off at the end of a prefix."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 told apart by its NUL bytes: ASCII text has a NUL in every other byte."""
    n = len(head) // 2
    if n < 2:
        return None
    even = head[0 : 2 * n : 2].count(0) / n
    odd = head[1 : 2 * n : 2].count(0) / n
    if odd >= 0.3 and even <= 0.05:
        name = "utf-16-le"
    elif even >= 0.3 and odd <= 0.05:
        name = "utf-16-be"
    else:
        return None
    try:
        text = codecs.getincrementaldecoder(name)().decode(head[: 2 * n], final=False)
    except UnicodeDecodeError:
        return None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\r\n")
    return name if text and printable / len(text) > 0.9 else None


def _guess_single_byte(data: bytes) -> str:
    """Pick cp1252, MacRoman or latin-1 by how plausible each decoding of the high bytes is."""
    windows = []
    for match in _HIGH_RUN.finditer(data):
        windows.append(data[max(0, match.start() - 3) : match.end() + 3])
        if len(windows) >= _MAX_EVIDENCE:
            break
    best, best_key = "latin-1", None
    for rank, name in enumerate(_SINGLE_BYTE):
        score = _plausibility(windows, name)
        if score is None:
            continue
        key = (score, -_mess(data[:65536], name), -rank)
        if best_key is None or key > best_key:
            best, best_key = name, key
    return best


def _plausibility(windows: list[bytes], encoding: str) -> float | None:
    """Sum of per-character plausibility over the decoded windows; None if it cannot decode."""
    total = 0.0
    for window in windows:
        try:
            text = window.decode(encoding)
        except UnicodeDecodeError:
            return None
        total += 4 * len(_CONTRACTION.findall(text))
        for i, ch in enumerate(text):
            if ord(ch) >= 0x80:
                prev = text[i - 1] if i else " "
                nxt = text[i + 1] if i + 1 < len(text) else " "
                total += _char_score(prev, ch, nxt)
    return total


def _char_score(prev: str, ch: str, nxt: str) -> float:
    """How likely `ch` is in real text between `prev` and `nxt` (positive is plausible)."""
    category = unicodedata.category(ch)
    if category in ("Cc", "Cn", "Co"):
        return -5
    if ch == "\xa0":
        return 1 if not (prev.isspace() or nxt.isspace()) else 0
    if ch in "’‘":
        return 1
    if ch in _TYPOGRAPHIC:
        return 1
    if ch in _RARE_LETTERS:
        return -2
    if category.startswith("L"):
        prev_ascii = prev.isascii() and prev.isalpha()
        next_ascii = nxt.isascii() and nxt.isalpha()
        if ch.islower():
            return 2 if prev_ascii or next_ascii else -1
        if next_ascii and nxt.islower():
            return 2
        if (prev_ascii and prev.isupper()) or (next_ascii and nxt.isupper()):
            return 1
        return -2 if prev_ascii and prev.islower() else -1
    if category.startswith("S") or ch in "¡¿¦¨¯´¸":
        return -2
    return 0


def _mess(sample: bytes, encoding: str) -> float:
    """charset-normalizer's chaos measure of the decoded sample (0 is clean text)."""
    try:
        from charset_normalizer.md import mess_ratio

        return float(mess_ratio(sample.decode(encoding, errors="replace"), 1.0))
    except Exception:  # an internal helper of charset-normalizer: never let it break detection
        return 0.0
