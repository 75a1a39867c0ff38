"""PostgreSQL backend: COPY FROM STDIN and the marker row, committed together or not at all."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence

import psycopg2
from psycopg2 import sql

from streamflow.errors import DatabaseError
from streamflow.load.copytext import CHUNK_BYTES, RowsCopyStream, TsvCopyStream, encode_value
from streamflow.load.spec import (
    MARKER_TABLE,
    LoadResult,
    LoadSpec,
    columns_mismatch,
    table_parts,
    type_name,
)
from streamflow.load.url import DatabaseUrl

CONNECT_TIMEOUT_SECONDS = 10
URL_HINT = "set the database URL with --db-url, STREAMFLOW_DB_URL or [db] url in the config file"
# Types PostgreSQL accepts in CREATE TABLE that to_regtype() does not know.
_SERIALS = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}
_AUTH_FAILED = re.compile(
    r"password authentication failed|no password supplied|authentication failed|"
    r"role \".*\" does not exist|password is required",
    re.I,
)
_NO_DATABASE = re.compile(r"database \".*\" does not exist", re.I)


def connect(url: DatabaseUrl):
    """Open a psycopg2 connection; DatabaseError names host and port, never the password.

    The URL goes to libpq unchanged, so PGPASSWORD, ~/.pgpass and PG* variables apply.
    """
    # COPY data is sent as UTF-8, whatever PGCLIENTENCODING or the database's encoding say.
    options = {"application_name": "streamflow", "client_encoding": "UTF8"}
    if "connect_timeout" not in url.url:
        options["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    try:
        return psycopg2.connect(url.url, **options)
    except psycopg2.Error as exc:
        raise _connect_error(url, exc) from None


def _connect_error(url: DatabaseUrl, exc: psycopg2.Error) -> DatabaseError:
    detail = url.scrub(str(exc).strip())
    host = url.host or os.environ.get("PGHOST", "") or "the local socket"
    port = url.port or os.environ.get("PGPORT", "") or 5432
    where = f"{host}:{port}"
    if _AUTH_FAILED.search(detail):
        return DatabaseError(
            f"PostgreSQL at {where} refused the login ({url.redacted}): {detail}",
            hint="check the user name and password: put the password in PGPASSWORD or in "
            "~/.pgpass (host:port:dbname:user:password), not in code",
        )
    if _NO_DATABASE.search(detail):
        return DatabaseError(
            f"PostgreSQL at {where} has no such database ({url.redacted}): {detail}",
            hint=f"create it (createdb -h {host} -p {port} NAME) or {URL_HINT}",
        )
    return DatabaseError(
        f"cannot reach PostgreSQL at {where} ({url.redacted}): {detail}",
        hint=f"check that the server is running and accepts connections on {where}, or {URL_HINT}",
    )


def _failure(
    url: DatabaseUrl, what: str, exc: psycopg2.Error, hint: str | None = None
) -> DatabaseError:
    message = getattr(getattr(exc, "diag", None), "message_primary", None) or str(exc).strip()
    return DatabaseError(f"{what} at {url.redacted} failed: {url.scrub(message)}", hint=hint)


def marker_exists(url: DatabaseUrl, task_id: str, table: str) -> bool:
    """True when the marker row of ``task_id`` loading ``table`` is committed."""
    conn = connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s) IS NOT NULL", (MARKER_TABLE,))
            if not cur.fetchone()[0]:
                return False
            return _has_marker(cur, task_id, table)
    except psycopg2.Error as exc:
        raise _failure(url, "checking the load marker", exc) from None
    finally:
        conn.close()


def load(url: DatabaseUrl, spec: LoadSpec) -> LoadResult:
    """Create the table if needed, COPY the rows and insert the marker, in one transaction."""
    conn = connect(url)
    try:
        _ensure_marker_table(conn, url)
        with conn.cursor() as cur:
            # Concurrent loads of the same task queue here; the later one then finds the marker.
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{spec.table}|{spec.task_id}",)
            )
            deleted = 0
            if _has_marker(cur, spec.task_id, spec.table):
                if spec.replace_where is None:
                    conn.rollback()
                    return LoadResult(rows=0, skipped=True)
                _delete_marker(cur, spec.task_id, spec.table)
            _ensure_table(cur, spec)
            if spec.replace_where is not None:
                deleted = _delete_earlier(cur, spec)
            rows = _copy(cur, spec)
            if spec.post_load is not None:
                _post_load(conn, url, spec)
            cur.execute(
                sql.SQL("INSERT INTO {} (task_id, target_table) VALUES (%s, %s)").format(
                    sql.Identifier(MARKER_TABLE)
                ),
                (spec.task_id, spec.table),
            )
        conn.commit()
        return LoadResult(rows=rows, deleted=deleted)
    except psycopg2.Error as exc:
        _rollback_quietly(conn)
        raise _failure(url, f"loading {spec.source_name} into {spec.table}", exc) from None
    except BaseException:
        _rollback_quietly(conn)
        raise
    finally:
        conn.close()


def _rollback_quietly(conn) -> None:
    # After a lost connection rollback() itself fails; the server rolls back on its own.
    with contextlib.suppress(psycopg2.Error):
        conn.rollback()


def _post_load(conn, url: DatabaseUrl, spec: LoadSpec) -> None:
    try:
        spec.post_load(conn)
    except psycopg2.Error as exc:
        raise _failure(
            url,
            f"the post-load hook of {spec.owner or spec.task_id}",
            exc,
            hint="fix post_load_sql or post_load(); the rows were not committed",
        ) from None


def _ensure_marker_table(conn, url: DatabaseUrl) -> None:
    # Only when missing (CREATE ... IF NOT EXISTS still needs the CREATE privilege), and in
    # its own transaction, so that two first loads racing to create it do not fail each other.
    statement = sql.SQL(
        "CREATE TABLE IF NOT EXISTS {} (task_id TEXT NOT NULL, target_table TEXT NOT NULL, "
        "inserted_at TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (task_id, target_table))"
    ).format(sql.Identifier(MARKER_TABLE))
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s) IS NULL", (MARKER_TABLE,))
            if cur.fetchone()[0]:
                cur.execute(statement)
        conn.commit()
    except (psycopg2.errors.UniqueViolation, psycopg2.errors.DuplicateTable):
        conn.rollback()
    except psycopg2.Error as exc:
        conn.rollback()
        raise _failure(url, f"creating the marker table {MARKER_TABLE}", exc) from None


def _committed_table_oid(cur, spec: LoadSpec) -> int | None:
    """The table's oid read from pg_class with this statement's snapshot.

    (to_regclass() may answer from a per-session cache that has not yet seen a table
    another session just committed.)
    """
    *schema, name = table_parts(spec.table)
    cur.execute(
        "SELECT c.oid FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relname = %s AND n.nspname = coalesce(%s, current_schema())",
        (name, schema[0] if schema else None),
    )
    row = cur.fetchone()
    return row[0] if row else None


def _ensure_table(cur, spec: LoadSpec) -> None:
    table = sql.Identifier(*table_parts(spec.table))
    name = table.as_string(cur)
    cur.execute("SELECT to_regclass(%s)::oid", (name,))
    oid = cur.fetchone()[0]
    if oid is None:
        # Loads of two tasks into one new table: the second waits here until the first
        # commits, then finds the table (two CREATE TABLEs would fail one of them).
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"create table {name}",))
        oid = _committed_table_oid(cur, spec)
    if oid is None:
        cur.execute(
            sql.SQL("CREATE TABLE {} ({})").format(
                table,
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(kind))
                    for name, kind in spec.all_columns
                ),
            )
        )
        return
    cur.execute(
        "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
        "WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (oid,),
    )
    existing = [(name, kind) for name, kind in cur.fetchall()]
    declared = list(spec.all_columns)
    if [n for n, _ in existing] != [n for n, _ in declared] or not _same_types(
        cur, [k for _, k in existing], [k for _, k in declared]
    ):
        raise columns_mismatch(spec, existing, name)


def _same_types(cur, existing: Sequence[str], declared: Sequence[str]) -> bool:
    names = [type_name(kind).lower() for kind in declared]
    names = [_SERIALS.get(name, name) for name in names]
    # to_regtype() raises on text that is not a type name; keep the load transaction usable.
    cur.execute("SAVEPOINT streamflow_types")
    try:
        cur.execute(
            "SELECT coalesce(format_type(to_regtype(t), NULL), t) "
            "FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, n) ORDER BY n",
            (names,),
        )
        normalized = [row[0] for row in cur.fetchall()]
    except psycopg2.Error:
        cur.execute("ROLLBACK TO SAVEPOINT streamflow_types")
        normalized = names
    else:
        cur.execute("RELEASE SAVEPOINT streamflow_types")
    return list(existing) == normalized


_MARKER_ROW = sql.SQL("FROM {} WHERE task_id = %s AND target_table = %s").format(
    sql.Identifier(MARKER_TABLE)
)


def _has_marker(cur, task_id: str, table: str) -> bool:
    cur.execute(sql.SQL("SELECT 1 ") + _MARKER_ROW, (task_id, table))
    return cur.fetchone() is not None


def _delete_marker(cur, task_id: str, table: str) -> None:
    cur.execute(sql.SQL("DELETE ") + _MARKER_ROW, (task_id, table))


def _delete_earlier(cur, spec: LoadSpec) -> int:
    where = spec.replace_where or {}
    statement = sql.SQL("DELETE FROM {}").format(sql.Identifier(*table_parts(spec.table)))
    if where:
        statement += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(
            sql.SQL("{} = %s").format(sql.Identifier(column)) for column in where
        )
    cur.execute(statement, list(where.values()))
    return cur.rowcount


def _copy(cur, spec: LoadSpec) -> int:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(*table_parts(spec.table)),
        sql.SQL(", ").join(sql.Identifier(name) for name, _ in spec.all_columns),
    )
    suffix = encode_value(spec.task_id) if spec.task_column else ""
    ncols = len(spec.columns)
    total = 0
    for file in spec.files:
        with file.open() as stream:
            reader = _Guarded(TsvCopyStream(stream, file.name, ncols, suffix))
            _run_copy(cur, statement, reader, file.name, spec)
        total += cur.rowcount
    if spec.rows is not None:
        reader = _Guarded(RowsCopyStream(spec.rows, spec.source_name, ncols, suffix))
        _run_copy(cur, statement, reader, "", spec)
        total += cur.rowcount
    return total


class _Guarded:
    """Keeps the exception a read() raised: psycopg2 turns it into a generic COPY failure."""

    def __init__(self, stream: TsvCopyStream | RowsCopyStream) -> None:
        self.stream = stream
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self.stream.read(size)
        except BaseException as exc:
            self.error = exc
            raise


def _run_copy(cur, statement: sql.Composed, reader: _Guarded, file: str, spec: LoadSpec) -> None:
    try:
        cur.copy_expert(statement, reader, size=CHUNK_BYTES)
    except psycopg2.Error as exc:
        if reader.error is not None:
            raise reader.error from None
        if isinstance(exc, (psycopg2.DataError, psycopg2.IntegrityError)):
            raise _copy_error(spec, file, exc) from None
        raise


def _copy_error(spec: LoadSpec, file: str, exc: psycopg2.Error) -> DatabaseError:
    # One COPY line per input line or row, so PostgreSQL's line number is the input's.
    diag = exc.diag
    context = diag.context or ""
    message = diag.message_primary or str(exc).strip()
    line = re.search(r"line (\d+)", context)
    where = file or spec.source_name
    if line:
        where += f", line {line.group(1)}" if file else f", row {line.group(1)}"
    column = re.search(r"column (\S+?):", context)
    detail = f" (column {column.group(1)})" if column else ""
    return DatabaseError(
        f"{where}: PostgreSQL rejected a value{detail}: {message}; nothing was loaded",
        hint=f"fix the input, or change the column types of {spec.table} to accept it",
    )
