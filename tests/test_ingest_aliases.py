"""A name or employee id learnt beside an e-mail resolves later rows only when it belongs to one
person: a name two colleagues share identifies neither (their rows stay apart), whatever order
the file's rows arrive in."""

from __future__ import annotations

import pandas as pd

from analysis.ingest.rows import _alias_rows, _known_aliases
from analysis.store import Store


def _series(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype=object)


def test_a_name_shared_by_two_people_teaches_no_alias_in_any_order():
    email = ["e:sam1", "e:sam2", "e:ana", "e:ana", "e:sam1"]
    name = ["n:sam lee", "n:sam lee", "n:ana", "n:ana", "n:sam lee"]
    ids = ["i:1", "i:2", "i:3", None, "i:1"]
    seen = set()
    for order in ([0, 1, 2, 3, 4], [1, 0, 4, 3, 2], [4, 3, 2, 1, 0]):
        out = _alias_rows(
            _series([email[i] for i in order]),
            _series([ids[i] for i in order]),
            _series([name[i] for i in order]),
        )
        pairs = frozenset(zip(out["alias_key"], out["person_key"], strict=True))
        seen.add(pairs)
    assert seen == {
        frozenset({("i:1", "e:sam1"), ("i:2", "e:sam2"), ("i:3", "e:ana"), ("n:ana", "e:ana")})
    }  # "Sam Lee" is two people: no alias, and the same answer in every order


def test_an_alias_stored_for_two_people_resolves_to_neither(tmp_path):
    store = Store(tmp_path / "a.duckdb")
    with store.transaction() as cur:
        imp = store.new_import(cur, "test", file_name="roster")
        cur.executemany(
            "INSERT INTO person_aliases VALUES (?, ?, ?)",
            [("n:sam lee", "e:sam1", imp), ("n:sam lee", "e:sam2", imp), ("n:ana", "e:ana", imp)],
        )
    assert _known_aliases(store, ["n:sam lee", "n:ana", "n:nobody"]) == {"n:ana": "e:ana"}
