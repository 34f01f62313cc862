"""Pseudonymous person keys: a keyed hash (HMAC-SHA256) of e-mail, employee id or full name.

The secret is created on first use beside the database (`formatfit.key`, git-ignored) or taken
from $FORMATFIT_SECRET_FILE. Without it, nobody can turn a person key back into an address.
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable
from pathlib import Path

SECRET_ENV_VAR = "FORMATFIT_SECRET_FILE"
SECRET_FILE_NAME = "formatfit.key"
KEY_HEX_CHARS = 16  # 64 bits: no collision to expect among an organisation's people

EMAIL, EMPLOYEE_ID, NAME = "email", "id", "name"
_SPACES = re.compile(r"\s+")
_BRACKETS = re.compile(r"\([^)]*\)")
_ROSTER_PREFIX = re.compile(r"^\d+[_\-.\s]+")  # Zoom names like "011_Green Goblin"


def secret_path(db_path: Path) -> Path:
    """Where the hashing secret lives: $FORMATFIT_SECRET_FILE, else beside the database."""
    env = os.environ.get(SECRET_ENV_VAR)
    return Path(env).expanduser().resolve() if env else db_path.parent / SECRET_FILE_NAME


def load_or_create_secret(path: Path) -> bytes:
    """Read the secret, creating a random 32-byte one (mode 600) on first use."""
    if path.is_file():
        data = bytes.fromhex(path.read_text(encoding="ascii").strip())
        if len(data) < 16:
            raise ValueError(f"the hashing secret in {path} is too short")
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    data = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(data.hex() + "\n")
    return data


def normalise_identifier(kind: str, raw: object) -> str | None:
    """The comparable form of an identifier, or None when it is empty.

    E-mails compare case-insensitively; names ignore case, accents' composition, bracketed
    parts ("(Norman Osborn)"), roster prefixes and word order ("Mustermann Max" = "Max
    Mustermann").
    """
    if raw is None:
        return None
    text = unicodedata.normalize("NFC", str(raw)).strip()
    if not text or text.lower() in {"nan", "none", "null", "-", "anonymous"}:
        return None
    if kind == EMAIL:
        return text.casefold() if "@" in text else None
    if kind == NAME:
        text = _ROSTER_PREFIX.sub("", _BRACKETS.sub(" ", text))
        words = sorted(_SPACES.split(text.casefold().replace(",", " ").strip()))
        return " ".join(w for w in words if w) or None
    return _SPACES.sub(" ", text)


class PersonHasher:
    """Turns identifiers into person keys with one secret; the raw values are never kept."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def key(self, kind: str, raw: object) -> str | None:
        """The person key for one identifier (None when it is empty)."""
        norm = normalise_identifier(kind, raw)
        if norm is None:
            return None
        digest = hmac.digest(self._secret, f"{kind}:{norm}".encode(), "sha256")  # one-shot, in C
        return digest.hex()[:KEY_HEX_CHARS]

    def keys(self, kind: str, values: Iterable[object]) -> dict[object, str | None]:
        """Keys for the distinct values of a column (hash each distinct value once)."""
        return {v: self.key(kind, v) for v in dict.fromkeys(values)}
