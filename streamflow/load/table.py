"""CopyToTable: a task that loads rows into a database table exactly once.

The rows and a marker row (task id, table, time) are committed in one transaction, and the
task is complete when its marker exists: a rerun loads nothing, a crash loads nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar

from streamflow.errors import TaskDefinitionError
from streamflow.load.spec import LoadResult, LoadSpec, TsvFile
from streamflow.load.tsv import read_tsv_rows
from streamflow.load.url import DatabaseUrl, parse_database_url, sqlite_url_for
from streamflow.target import FileSystemTarget, join
from streamflow.task import Task, flatten

logger = logging.getLogger(__name__)

DEFAULT_SQLITE_FILE = "streamflow.sqlite3"


def backend_for(url: DatabaseUrl) -> ModuleType:
    """The backend module (``load`` and ``marker_exists``) for a URL's scheme."""
    if url.is_postgres:
        from streamflow.load import postgres

        return postgres
    from streamflow.load import sqlite

    return sqlite


def resolve_db_url(configured: str, class_default: str, data_dir: str) -> str:
    """The URL a load uses: the configured one, else the class's, else SQLite in data_dir."""
    if configured:
        return configured
    if class_default:
        return class_default
    return sqlite_url_for(join(data_dir, DEFAULT_SQLITE_FILE))


@dataclass(frozen=True)
class TableMarker:
    """The output of a CopyToTable: its marker row; ``exists()`` asks the database."""

    url: DatabaseUrl
    table: str
    task_id: str

    @property
    def path(self) -> str:
        """Where the marker lives, for summaries: the redacted URL and the table."""
        return f"{self.url.redacted}#{self.table}"

    def exists(self) -> bool:
        """Whether the load of ``task_id`` into ``table`` has been committed."""
        return backend_for(self.url).marker_exists(self.url, self.task_id, self.table)

    def __str__(self) -> str:
        return f"table {self.table} in {self.url.redacted}"

    def __repr__(self) -> str:
        return f"TableMarker({self.path!r}, task_id={self.task_id!r})"


class CopyToTable(Task):
    """Load the rows of the input file (or of ``rows()``) into ``table``, exactly once.

    Subclasses set ``table``, ``columns`` (``[(name, sql_type), ...]``) and ``requires()``.
    By default each line of the one input file is a row, tab-separated in column order and
    taken literally (``\\N`` is text, not NULL); override ``rows()`` to yield tuples instead
    (None for NULL). Options: ``replace = True`` deletes this task's earlier rows (those
    ``replace_where()`` selects) in the same transaction; ``post_load_sql`` or
    ``post_load(connection)`` runs after the rows are in, before the commit.
    """

    #: The table to load, optionally schema-qualified ("analytics.top_artists").
    table: ClassVar[str] = ""
    #: ``[(name, sql_type), ...]``: created with these types if missing, else must match.
    columns: ClassVar[Sequence[tuple[str, str]]] = ()
    #: A default database URL, used only when none is configured (--db-url, env, file).
    db_url: ClassVar[str] = ""
    #: Delete the rows ``replace_where()`` selects before loading (for reloads).
    replace: ClassVar[bool] = False
    #: If set, a TEXT column filled with this task's id on every row (attributes rows to it).
    task_column: ClassVar[str | None] = None
    #: SQL statement(s) run after the rows are in, in the same transaction.
    post_load_sql: ClassVar[str | Sequence[str]] = ()

    def database_url(self) -> DatabaseUrl:
        """The parsed database URL this task loads into."""
        config = self.config
        return parse_database_url(resolve_db_url(config.db.url, self.db_url, config.core.data_dir))

    def output(self) -> TableMarker:
        """The marker row this task commits with its rows."""
        return TableMarker(self.database_url(), self.table, self.task_id)

    def complete(self) -> bool:
        """Whether the marker row exists."""
        return self.output().exists()

    def rows(self) -> Iterator[Sequence[object]]:
        """The rows to load: by default the input file's lines split on tabs."""
        for file in self.input_files():
            with file.open() as stream:
                yield from read_tsv_rows(stream, file.name, len(self.columns))

    def replace_where(self) -> Mapping[str, object]:
        """With ``replace``: which earlier rows are this task's, as ``{column: value}``.

        The default uses ``task_column``. Return ``{}`` to empty the whole table.
        """
        if self.task_column:
            return {self.task_column: self.task_id}
        raise TaskDefinitionError(
            f"{self.task_family} sets replace = True but does not say which rows are its own",
            hint="set task_column = 'loaded_by' (a column streamflow fills with the task id), "
            "or override replace_where() to return e.g. {'date': self.date}, or {} to empty "
            "the whole table",
        )

    def post_load(self, connection: Any) -> None:
        """Run after the rows are in, before the commit; by default runs ``post_load_sql``."""
        statements = (
            [self.post_load_sql] if isinstance(self.post_load_sql, str) else self.post_load_sql
        )
        cursor = connection.cursor()
        try:
            for statement in statements:
                cursor.execute(statement)
        finally:
            cursor.close()

    def input_files(self) -> list[TsvFile]:
        """The input's files: the one input file, or the part files of an output directory."""
        targets = flatten(self.input())
        if len(targets) != 1 or not isinstance(targets[0], FileSystemTarget):
            raise TaskDefinitionError(
                f"{self.task_family} loads the lines of one input file, but requires() gives "
                f"{len(targets)} output(s): {', '.join(map(repr, targets)) or '(none)'}",
                hint="require exactly one task whose output is a file, or override rows() "
                "to yield the rows yourself",
            )
        target = targets[0]
        if target.fs.kinds([target.path])[0] != "dir":
            return [TsvFile(target.path, lambda: target.open("rb"))]
        parts = [
            path
            for path in target.fs.listdir(target.path)
            if not path.rsplit("/", 1)[-1].startswith(("_", "."))
        ]
        return [_part_file(path, target) for path in parts]

    def run(self) -> None:
        """Load the rows and the marker in one transaction (nothing if already loaded)."""
        self._check_definition()
        url = self.database_url()
        spec = self._load_spec()
        started = time.perf_counter()
        result: LoadResult = backend_for(url).load(url, spec)
        if result.skipped:
            logger.info(f"{self.task_id}: already loaded into {self.table} at {url.redacted}")
            return
        replaced = f", replacing {result.deleted}" if spec.replace_where is not None else ""
        logger.info(
            f"{self.task_id}: loaded {result.rows} rows into {self.table}{replaced} "
            f"at {url.redacted} in {time.perf_counter() - started:.2f} s"
        )

    def _load_spec(self) -> LoadSpec:
        custom_rows = type(self).rows is not CopyToTable.rows
        has_hook = type(self).post_load is not CopyToTable.post_load or bool(self.post_load_sql)
        return LoadSpec(
            table=self.table,
            columns=tuple((name, kind) for name, kind in self.columns),
            task_id=self.task_id,
            files=() if custom_rows else tuple(self.input_files()),
            rows=self.rows() if custom_rows else None,
            owner=repr(self),
            task_column=self.task_column,
            replace_where=dict(self.replace_where()) if self.replace else None,
            post_load=self.post_load if has_hook else None,
        )

    def _check_definition(self) -> None:
        if not self.table:
            raise TaskDefinitionError(
                f"{self.task_family} has no table",
                hint="set table = 'name' in the class (optionally schema.name)",
            )
        if not self.columns or not all(
            isinstance(c, tuple | list) and len(c) == 2 and all(isinstance(x, str) for x in c)
            for c in self.columns
        ):
            raise TaskDefinitionError(
                f"{self.task_family}.columns must be a list of (name, SQL type) pairs, "
                f"not {self.columns!r}",
                hint="e.g. columns = [('artist', 'TEXT'), ('streams', 'INTEGER')]",
            )
        names = [name for name, _ in self.columns] + (
            [self.task_column] if self.task_column else []
        )
        if len(set(names)) != len(names):
            raise TaskDefinitionError(
                f"{self.task_family} declares a column twice: {', '.join(names)}",
                hint="give every column (and task_column) its own name",
            )


def _part_file(path: str, directory: FileSystemTarget) -> TsvFile:
    part = FileSystemTarget(path, directory.fs)
    return TsvFile(path, lambda: part.open("rb"))
