"""SQLite backend (standard library): the same load semantics as PostgreSQL, in one file.

Rows and the marker row commit in one transaction; a crash leaves SQLite's rollback journal,
which the next connection uses to restore the table as it was.
"""

from __future__ import annotations

import datetime
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from streamflow.errors import DatabaseError
from streamflow.load.copytext import row_length_error
from streamflow.load.spec import (
    MARKER_TABLE,
    LoadResult,
    LoadSpec,
    columns_mismatch,
    table_parts,
    type_name,
)
from streamflow.load.tsv import read_tsv_rows
from streamflow.load.url import DatabaseUrl

BUSY_TIMEOUT_SECONDS = 60.0


def quote(name: str) -> str:
    """A quoted SQLite identifier: "name", with inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_table(table: str) -> str:
    """A possibly schema-qualified table name, each part quoted."""
    return ".".join(quote(part) for part in table_parts(table))


_MARKER_ROW = f"FROM {quote(MARKER_TABLE)} WHERE task_id = ? AND target_table = ?"


def _connect(url: DatabaseUrl) -> sqlite3.Connection:
    path = Path(url.sqlite_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN and COMMIT ourselves, the same on 3.11-3.13.
        return sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseError(
            f"cannot open the SQLite database {path}: {exc}",
            hint="check that the directory exists and is writable, or set another database "
            "URL with --db-url, STREAMFLOW_DB_URL or [db] url",
        ) from None


def marker_exists(url: DatabaseUrl, task_id: str, table: str) -> bool:
    """True when the marker row of ``task_id`` loading ``table`` is committed."""
    if not Path(url.sqlite_path).exists():
        return False
    conn = _connect(url)
    try:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MARKER_TABLE,)
        ).fetchone()
        if found is None:
            return False
        return conn.execute(f"SELECT 1 {_MARKER_ROW}", (task_id, table)).fetchone() is not None
    except sqlite3.Error as exc:
        raise DatabaseError(
            f"checking the load marker in {url.sqlite_path} failed: {exc}"
        ) from None
    finally:
        conn.close()


def load(url: DatabaseUrl, spec: LoadSpec) -> LoadResult:
    """Create the table if needed, insert the rows and the marker, in one transaction."""
    conn = _connect(url)
    try:
        # IMMEDIATE: take the write lock now, so concurrent loads queue instead of failing.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {quote(MARKER_TABLE)} (task_id TEXT NOT NULL, "
            "target_table TEXT NOT NULL, inserted_at TEXT NOT NULL, "
            "PRIMARY KEY (task_id, target_table))"
        )
        marker = conn.execute(f"SELECT 1 {_MARKER_ROW}", (spec.task_id, spec.table)).fetchone()
        deleted = 0
        if marker is not None:
            if spec.replace_where is None:
                conn.execute("ROLLBACK")
                return LoadResult(rows=0, skipped=True)
            conn.execute(f"DELETE {_MARKER_ROW}", (spec.task_id, spec.table))
        _ensure_table(conn, spec)
        if spec.replace_where is not None:
            deleted = _delete_earlier(conn, spec)
        rows = _insert(conn, spec)
        if spec.post_load is not None:
            spec.post_load(conn)
        conn.execute(
            f"INSERT INTO {quote(MARKER_TABLE)} (task_id, target_table, inserted_at) "
            "VALUES (?, ?, ?)",
            (spec.task_id, spec.table, _now()),
        )
        conn.execute("COMMIT")
        return LoadResult(rows=rows, deleted=deleted)
    except sqlite3.Error as exc:
        _rollback(conn)
        raise DatabaseError(
            f"loading {spec.source_name} into {spec.table} at {url.redacted} failed: {exc}; "
            "nothing was loaded"
        ) from None
    except BaseException:
        _rollback(conn)
        raise
    finally:
        conn.close()


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")


def _ensure_table(conn: sqlite3.Connection, spec: LoadSpec) -> None:
    parts = table_parts(spec.table)
    schema = quote(parts[0]) + "." if len(parts) == 2 else ""
    existing = [
        (row[1], row[2])
        for row in conn.execute(f"PRAGMA {schema}table_info({quote(parts[-1])})").fetchall()
    ]
    declared = list(spec.all_columns)
    if not existing:
        columns = ", ".join(f"{quote(name)} {kind}" for name, kind in declared)
        conn.execute(f"CREATE TABLE {quote_table(spec.table)} ({columns})")
        return
    if [(n, _normal_type(k)) for n, k in existing] != [(n, _normal_type(k)) for n, k in declared]:
        raise columns_mismatch(spec, existing, quote_table(spec.table))


def _normal_type(declared: str) -> str:
    return re.sub(r"\s+", " ", type_name(declared)).upper()


def _delete_earlier(conn: sqlite3.Connection, spec: LoadSpec) -> int:
    where = spec.replace_where or {}
    statement = f"DELETE FROM {quote_table(spec.table)}"
    if where:
        statement += " WHERE " + " AND ".join(f"{quote(column)} = ?" for column in where)
    return conn.execute(statement, [_value(v) for v in where.values()]).rowcount


def _insert(conn: sqlite3.Connection, spec: LoadSpec) -> int:
    names = [name for name, _ in spec.all_columns]
    statement = (
        f"INSERT INTO {quote_table(spec.table)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' for _ in names)})"
    )
    ncols = len(spec.columns)
    extra = (spec.task_id,) if spec.task_column else ()
    total = 0
    for file in spec.files:
        with file.open() as stream:
            cursor = conn.executemany(
                statement, _with_extra(read_tsv_rows(stream, file.name, ncols), extra)
            )
            total += cursor.rowcount
    if spec.rows is not None:
        cursor = conn.executemany(statement, _checked_rows(spec.rows, spec, extra))
        total += cursor.rowcount
    return total


def _with_extra(rows: Iterable[list[str]], extra: tuple[str, ...]) -> Iterator[Sequence[object]]:
    if not extra:
        return iter(rows)
    return (row + list(extra) for row in rows)


def _checked_rows(
    rows: Iterable[Sequence[object]], spec: LoadSpec, extra: tuple[str, ...]
) -> Iterator[list[object]]:
    ncols = len(spec.columns)
    for number, row in enumerate(rows, 1):
        if len(row) != ncols:
            raise row_length_error(spec.source_name, number, len(row), ncols)
        yield [_value(v) for v in row] + list(extra)


def _value(value: object) -> object:
    # sqlite3 stores these natively; anything else (dates, decimals) is stored as str(value),
    # the text the PostgreSQL backend sends through COPY.
    if value is None or isinstance(value, (int, float, str, bytes)):
        return value
    return str(value)
