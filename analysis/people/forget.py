"""Forget a person: delete every row keyed by them, keep their key on the suppression list.

A person is found by the keyed hash of their e-mail or employee id (the raw identifier is
hashed here and never stored), widened through `person_aliases` to the keys they are known by
(their e-mail key, their employee id key, their confirmed name key). Every base table with a
`person_key` column loses that person's rows, tables keyed by `response_id` lose the rows of
their responses, the aliases go both ways, and the derived tables are dropped (the next reader
rebuilds them). One transaction; the dataset version moves on; `deletions` records when and
how many rows per table, with no key and no identifier.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from analysis import clock
from analysis.derived import DERIVED
from analysis.ingest.keys import EMAIL, EMPLOYEE_ID, PersonHasher, load_or_create_secret
from analysis.ingest.keys import secret_path as _secret_path
from analysis.people import suppression
from analysis.store import KEY_TABLES, Store

# What a person may be forgotten by: the CLI option and the Settings choice name these.
BY_EMAIL, BY_EMPLOYEE_ID = "email", "employee_id"
HASH_KIND = {BY_EMAIL: EMAIL, BY_EMPLOYEE_ID: EMPLOYEE_ID}
SOURCES = ("settings", "command line", "restore")
# Tables that hold no person's rows, whatever their columns: the list itself.
NOT_PERSON_DATA = ("forgotten_people",)
DERIVED_TABLES = tuple(f"derived_{name}" for name in DERIVED)


# What each table's rows are, in words, for the confirmation and the result.
TABLE_LABELS = {
    "person_records": "roster rows (department, team, role)",
    "person_aliases": "aliases (employee id or name linked to the e-mail)",
    "enrolment_records": "enrolments",
    "merged_enrolments": "enrolments kept aside by a merge",
    "attendance": "attendance and activity rows",
    "survey_responses": "survey responses",
    "survey_answers": "survey answers",
    "derived_waves": "survey waves worked out from dates",
}


def table_label(table: str) -> str:
    """A table's rows in words (its name when it has no label)."""
    return TABLE_LABELS.get(table, table.replace("_", " "))


@dataclass(frozen=True)
class ForgetResult:
    """What a deletion removed: rows per table (only tables that lost rows)."""

    rows: dict[str, int]
    already_listed: bool = False  # the person was on the suppression list before

    @property
    def total(self) -> int:
        """Rows removed in all tables."""
        return sum(self.rows.values())

    def to_dict(self) -> dict:
        """For JSON (the CLI, the spool's answer): no key, no identifier."""
        return {
            "rows_removed": self.total,
            "tables": dict(self.rows),
            "already_forgotten": self.already_listed,
        }


def person_key(db_path, by: str, identifier: str) -> str:
    """The key a person's rows carry, from their e-mail or employee id and this deployment's
    secret (created when missing, as the first import would). Raises ValueError for an empty
    identifier or an e-mail without '@'."""
    if by not in HASH_KIND:
        raise ValueError(f"forget by one of {', '.join(HASH_KIND)}")
    secret = load_or_create_secret(_secret_path(db_path))
    key = PersonHasher(secret).key(HASH_KIND[by], identifier)
    if key is None:
        what = "an e-mail address (with @)" if by == BY_EMAIL else "an employee id"
        raise ValueError(f"give {what}; nothing was deleted")
    return key


def forget(store: Store, by: str, identifier: str, source: str) -> ForgetResult:
    """Forget the person with this e-mail or employee id (see the module docstring)."""
    return forget_key(store, person_key(store.path, by, identifier), source)


def forget_key(store: Store, key: str, source: str) -> ForgetResult:
    """Forget the person whose (e-mail or employee id) key is `key`, in one transaction.

    The key goes on the file copy of the suppression list first: if the transaction then
    fails, a later restore forgets the person anyway, which is what they asked for.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    secret_id = suppression.secret_fingerprint(store.path) or ""
    with store.reading() as cur:
        keys = _keys_of(cur, key)
    suppression.add_to_list(store.path, keys, secret_id)
    with store.transaction() as cur:
        keys = _keys_of(cur, key) | keys  # again, inside the transaction
        listed = cur.execute(
            "SELECT count(*) FROM forgotten_people WHERE person_key = ?", [key]
        ).fetchall()[0][0]
        rows = _delete_keys(cur, sorted(keys))
        drop_derived(cur)
        record_deletion(cur, rows, source)
    suppression.add_to_list(store.path, keys, secret_id)  # the aliases found inside, too
    if rows:
        store.compact()  # the deleted rows' bytes must not stay in the file's freed blocks
    return ForgetResult(rows, already_listed=bool(listed))


def _keys_of(cur: duckdb.DuckDBPyConnection, key: str) -> set[str]:
    """The key and every key the same person is known by through aliases.

    By employee id: the e-mail key it is an alias of; then every alias of those (the id key,
    a confirmed name key). A name key shared with someone else is removed only as an alias
    and from rows keyed by that name, never the other person's e-mail-keyed rows.
    """
    canon = {key} | {
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT person_key FROM person_aliases WHERE alias_key = ?", [key]
        ).fetchall()
    }
    aliases = cur.execute(
        "SELECT DISTINCT alias_key FROM person_aliases WHERE person_key IN (SELECT unnest(?))",
        [sorted(canon)],
    ).fetchall()
    return canon | {r[0] for r in aliases}


def _delete_keys(cur, keys: list[str]) -> dict[str, int]:
    """Inside a transaction: delete every row of these keys, take their responses out of the
    edit records and put the keys on the suppression list; rows deleted per table."""
    _load_keys(cur, keys)
    rows = remove_rows(cur)
    _scrub_edits(cur, rows.pop("_responses", []))
    cur.execute(
        "INSERT INTO forgotten_people SELECT k FROM forget_keys "
        "WHERE k NOT IN (SELECT person_key FROM forgotten_people)"
    )
    cur.execute("DROP TABLE forget_keys")
    return rows


def _load_keys(cur: duckdb.DuckDBPyConnection, keys: list[str]) -> None:
    cur.execute("CREATE OR REPLACE TEMP TABLE forget_keys (k VARCHAR PRIMARY KEY)")
    cur.execute("INSERT INTO forget_keys SELECT DISTINCT unnest(?)", [keys])


def _person_tables(cur: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Base tables of the database (not derived, not the list) and their column names."""
    found: dict[str, set[str]] = {}
    for table, column in cur.execute(
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "AND NOT internal AND table_name IN (SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary)"
    ).fetchall():
        if table in NOT_PERSON_DATA or table in DERIVED_TABLES:
            continue
        found.setdefault(table, set()).add(column)
    return found


def remove_rows(cur: duckdb.DuckDBPyConnection, import_id: int | None = None) -> dict[str, int]:
    """Delete the rows of the keys in temp table forget_keys (only `import_id`'s when given).

    Returns rows removed per table (tables that lost none are left out), and under
    "_responses" the ids of the removed survey responses.
    """
    tables = _person_tables(cur)
    only = "" if import_id is None else f" AND import_id = {int(import_id)}"
    responses = [
        r[0]
        for r in cur.execute(
            "SELECT response_id FROM survey_responses "
            f"WHERE person_key IN (SELECT k FROM forget_keys){only}"
        ).fetchall()
    ]
    removed: dict[str, int] = {}
    # children first: the rows keyed by a response of the person, then the person's own rows
    for table, cols in sorted(tables.items()):
        if "response_id" in cols and "person_key" not in cols and responses:
            removed[table] = cur.execute(
                f'DELETE FROM "{table}" WHERE response_id IN (SELECT unnest(?))', [responses]
            ).fetchall()[0][0]
    # attendance days follow their keys (analysis/store.py): counted as the attendance rows
    removed["attendance"] = cur.execute(
        "DELETE FROM attendance_days WHERE (import_id, pid) IN (SELECT (import_id, pid) "
        f"FROM attendance_keys WHERE person_key IN (SELECT k FROM forget_keys){only})"
    ).fetchall()[0][0]
    for table, cols in sorted(tables.items()):
        if "person_key" not in cols:
            continue
        alias = " OR alias_key IN (SELECT k FROM forget_keys)" if "alias_key" in cols else ""
        scope = only if "import_id" in cols else ""
        removed[table] = cur.execute(
            f'DELETE FROM "{table}" WHERE (person_key IN (SELECT k FROM forget_keys){alias}){scope}'
        ).fetchall()[0][0]
    out: dict = {t: n for t, n in removed.items() if n and t not in KEY_TABLES}
    out["_responses"] = responses
    return out


def _scrub_edits(cur: duckdb.DuckDBPyConnection, responses: list[str]) -> None:
    """Take the removed responses' ids out of what edits and merges recorded as moved."""
    if not responses:
        return
    gone = set(responses)
    for import_id, moved_json in cur.execute(
        "SELECT import_id, moved_json FROM edits WHERE moved_json IS NOT NULL"
    ).fetchall():
        moved = json.loads(moved_json)
        changed = False
        if isinstance(moved.get("responses"), list):
            kept = [r for r in moved["responses"] if r not in gone]
            changed |= len(kept) != len(moved["responses"])
            moved["responses"] = kept
        if isinstance(moved.get("waves"), dict):
            kept_waves = {r: w for r, w in moved["waves"].items() if r not in gone}
            changed |= len(kept_waves) != len(moved["waves"])
            moved["waves"] = kept_waves
        if changed:
            cur.execute(
                "UPDATE edits SET moved_json = ? WHERE import_id = ?",
                [json.dumps(moved), import_id],
            )


def drop_derived(cur: duckdb.DuckDBPyConnection) -> None:
    """Drop every derived table and its version mark: the next reader builds it afresh."""
    for table in DERIVED_TABLES:
        cur.execute(f'DROP TABLE IF EXISTS "{table}"')
    cur.execute("DELETE FROM meta WHERE key LIKE 'derived:%'")


def record_deletion(cur: duckdb.DuckDBPyConnection, rows: dict[str, int], source: str) -> None:
    """One row in `deletions`: when, from where, how many rows per table (no key)."""
    next_id = cur.execute("SELECT coalesce(max(deletion_id), 0) + 1 FROM deletions").fetchall()[0][
        0
    ]
    cur.execute(
        "INSERT INTO deletions VALUES (?, ?, ?, ?, ?)",
        [
            next_id,
            clock.now_utc(),
            source,
            sum(rows.values()),
            json.dumps(dict(sorted(rows.items()))),
        ],
    )


def drop_forgotten(cur: duckdb.DuckDBPyConnection, import_id: int) -> dict[str, int]:
    """Inside an import's transaction: remove the rows it wrote for forgotten people.

    Returns rows dropped per table (empty when nobody on the list was in the file).
    """
    if not cur.execute("SELECT count(*) FROM forgotten_people").fetchall()[0][0]:
        return {}
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE forget_keys AS SELECT person_key AS k FROM forgotten_people"
    )
    rows = remove_rows(cur, import_id)
    rows.pop("_responses", None)
    cur.execute("DROP TABLE forget_keys")
    return rows


def plan_drops(store: Store, tables: dict) -> dict[str, int]:
    """Rows of a prepared import (table -> pandas, Arrow or staged rows) that belong to forgotten
    people and will be dropped when it is committed (read only; empty when nobody is listed).
    """
    with store.reading() as cur:
        if not cur.execute("SELECT count(*) FROM forgotten_people").fetchall()[0][0]:
            return {}
        found: dict[str, int] = {}
        responses = tables.get("survey_responses")
        for table, rows in tables.items():
            cols = set(getattr(rows, "column_names", None) or getattr(rows, "columns", ()))
            if "person_key" in cols:
                alias = " OR alias_key IN (SELECT person_key FROM forgotten_people)"
                where = "person_key IN (SELECT person_key FROM forgotten_people)" + (
                    alias if "alias_key" in cols else ""
                )
            elif "response_id" in cols and responses is not None and len(responses):
                cur.register("plan_responses", responses)
                where = (
                    "response_id IN (SELECT response_id FROM plan_responses WHERE person_key "
                    "IN (SELECT person_key FROM forgotten_people))"
                )
            else:
                continue
            if hasattr(rows, "attached"):  # rows staged in the import's scratch file
                with rows.attached(cur) as relation:
                    sql = f"SELECT count(*) FROM {relation} WHERE {where}"
                    found[table] = cur.execute(sql).fetchall()[0][0]
            else:
                cur.register("plan_rows", rows)
                sql = f"SELECT count(*) FROM plan_rows WHERE {where}"
                found[table] = cur.execute(sql).fetchall()[0][0]
                cur.unregister("plan_rows")
            if "person_key" not in cols:
                cur.unregister("plan_responses")
    return {t: n for t, n in sorted(found.items()) if n}


def apply_list(store: Store, source: str = "restore") -> dict:
    """Bring the database in line with the file copy of the suppression list (after a restore).

    Entries hashed with this deployment's secret join the table; every row of a listed key is
    removed; the file gets the table's keys too. Writes only when something is missing.
    Returns {"added": keys added to the table, "rows": rows removed per table,
    "other_secret": file entries made with another secret (they cannot apply here)}.
    """
    secret_id = suppression.secret_fingerprint(store.path) or ""
    entries = suppression.read_list(store.path)
    from_file = {k for k, s in entries if s == secret_id}
    other = len({k for k, s in entries if s != secret_id})
    listed = {r[0] for r in store.fetch("SELECT person_key FROM forgotten_people")}
    missing = from_file - listed
    keys = sorted(listed | from_file)
    if keys:
        suppression.add_to_list(store.path, listed, secret_id)
    if not keys or (not missing and not _any_rows(store, keys)):
        return {"added": 0, "rows": {}, "other_secret": other}
    with store.transaction() as cur:
        rows = _delete_keys(cur, keys)
        if rows:
            drop_derived(cur)
            record_deletion(cur, rows, source)
    if rows:
        store.compact()
    return {"added": len(missing), "rows": rows, "other_secret": other}


def preview(store: Store, key: str) -> dict[str, int]:
    """Rows per table a deletion of this key would remove (read only; for the confirmation)."""
    with store.reading() as cur:
        keys = sorted(_keys_of(cur, key))
        tables = _person_tables(cur)
        found: dict[str, int] = {}
        for table, cols in sorted(tables.items()):
            if "person_key" not in cols:
                continue
            alias = " OR alias_key IN (SELECT unnest($k))" if "alias_key" in cols else ""
            table = KEY_TABLES.get(table, table)  # attendance: its days, not its keys
            found[table] = cur.execute(
                f'SELECT count(*) FROM "{table}" WHERE person_key IN (SELECT unnest($k)){alias}',
                {"k": keys},
            ).fetchall()[0][0]
        for table, cols in sorted(tables.items()):
            if "response_id" in cols and "person_key" not in cols:
                found[table] = cur.execute(
                    f'SELECT count(*) FROM "{table}" WHERE response_id IN (SELECT response_id '
                    "FROM survey_responses WHERE person_key IN (SELECT unnest($k)))",
                    {"k": keys},
                ).fetchall()[0][0]
    return {t: n for t, n in sorted(found.items()) if n}


def _any_rows(store: Store, keys: list[str]) -> bool:
    """Whether any row of the database still carries one of these keys."""
    with store.reading() as cur:
        for table, cols in _person_tables(cur).items():
            if "person_key" in cols:
                alias = " OR alias_key IN (SELECT unnest($k))" if "alias_key" in cols else ""
                sql = (
                    f'SELECT count(*) FROM "{table}" WHERE person_key IN (SELECT unnest($k)){alias}'
                )
                if cur.execute(sql, {"k": keys}).fetchall()[0][0]:
                    return True
    return False


def deletions(store: Store) -> list[dict]:
    """The deletion record, newest first: when, from where, rows per table."""
    return [
        {"deleted_at": at, "source": src, "rows_removed": n, "tables": json.loads(rows)}
        for at, src, n, rows in store.fetch(
            "SELECT deleted_at, source, rows_removed, rows_json FROM deletions "
            "ORDER BY deletion_id DESC"
        )
    ]
