"""The suppression list: hashed keys of forgotten people, in the database and in a file.

The database table `forgotten_people` is what imports consult. A copy lives in a file beside
the hashing secret (`<secret file>.forgotten`), so that restoring an older backup, whose table
predates a deletion, still forgets that person again. Each line of the file is one key and the
fingerprint of the secret it was hashed with (a key means nothing under another secret). No
line holds an identifier, a name or a date.
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Iterable
from pathlib import Path

from analysis.ingest.keys import load_or_create_secret, secret_path

SUFFIX = ".forgotten"


def list_path(db_path: Path) -> Path:
    """Where the file copy of the suppression list lives: beside the hashing secret."""
    secret = secret_path(db_path)
    return secret.with_name(secret.name + SUFFIX)


def fingerprint(secret: bytes) -> str:
    """A short public name for a secret (it reveals nothing of the secret itself)."""
    return hmac.digest(secret, b"formatfit secret fingerprint", "sha256").hex()[:16]


def secret_fingerprint(db_path: Path) -> str | None:
    """The fingerprint of the deployment's secret, or None when there is no secret yet."""
    path = secret_path(db_path)
    return fingerprint(load_or_create_secret(path)) if path.is_file() else None


def read_list(db_path: Path) -> set[tuple[str, str]]:
    """The (key, secret fingerprint) pairs in the file copy (empty when there is no file).

    A malformed line is an error, not a silent skip: a forgotten person must not come back
    because a line could not be read.
    """
    path = list_path(db_path)
    if not path.is_file():
        return set()
    out: set[tuple[str, str]] = set()
    for n, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            out.add((str(entry["key"]), str(entry["secret"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"line {n} of the suppression list {path} is not readable") from exc
    return out


def add_to_list(db_path: Path, keys: Iterable[str], secret_id: str) -> None:
    """Add keys to the file copy (kept sorted and without repeats; written atomically)."""
    entries = read_list(db_path) | {(k, secret_id) for k in keys}
    write_list(db_path, entries)


def write_list(db_path: Path, entries: set[tuple[str, str]]) -> None:
    """Replace the file copy with these entries (mode 600, via a temporary file and a rename)."""
    path = list_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(
        json.dumps({"key": k, "secret": s}, sort_keys=True) + "\n" for k, s in sorted(entries)
    )
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
