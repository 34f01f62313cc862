"""Text encoding detection and decoding for uploaded exports.

DuckDB reads only UTF-8, UTF-16 and latin-1, and real exports also come in Windows-1252 (Excel
re-saves) and MacRoman (Excel for Mac, SurveyMonkey Audience), so everything is decoded here.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from analysis.ingest.model import ENCODINGS, UnreadableFile

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
    """Detect the text encoding of `data` (a whole file or a prefix): BOM, UTF-16, UTF-8, 8-bit."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    utf16 = _utf16_without_bom(data[:8192])
    if utf16:
        return utf16
    if data.isascii() or _is_utf8(data):
        return "utf-8"
    return _guess_single_byte(data)


def decode(data: bytes, encoding: str | None = None) -> str:
    """Decode `data` (detected when `encoding` is None), without BOM and with `\\n` newlines."""
    return decode_with_report(data, encoding)[0]


def decode_with_report(data: bytes, encoding: str | None = None) -> tuple[str, bool]:
    """Decode like `decode`, also saying whether undecodable bytes had to be replaced by '�'."""
    name = normalise_encoding(encoding) if encoding else detect_encoding(data)
    body = data
    if name in ("utf-8", "utf-8-sig") and body.startswith(codecs.BOM_UTF8):
        body, name = body[3:], "utf-8"
    elif body.startswith(_UTF16_BOM.get(name, b"\x00\x00\x00")):
        body = body[2:]
    try:
        text, replaced = body.decode(name), False
    except UnicodeDecodeError:
        text, replaced = body.decode(name, errors="replace"), True
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, replaced


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
