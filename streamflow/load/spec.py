"""What a backend is asked to load: plain data, so backends never look at task classes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from streamflow.errors import DatabaseError

MARKER_TABLE = "streamflow_markers"

# Where a column definition's constraints start: "INT NOT NULL" declares the type "INT".
_CONSTRAINT = re.compile(
    r"\s+(NOT\s+NULL|NULL|PRIMARY|UNIQUE|DEFAULT|CHECK|REFERENCES|COLLATE|GENERATED|CONSTRAINT)\b.*",
    re.I | re.S,
)


@dataclass(frozen=True)
class TsvFile:
    """A tab-separated input file: ``name`` for messages, ``open()`` gives its bytes."""

    name: str
    open: Callable[[], BinaryIO]


@dataclass(frozen=True)
class LoadSpec:
    """One load: rows into ``table`` plus the marker row for ``task_id``, in one transaction.

    The rows are the lines of ``files`` (in order), or else ``rows``, an iterable of value
    sequences. ``task_column``, when set, is an
    extra TEXT column filled with ``task_id``. ``replace_where`` (column -> value, ANDed; an
    empty mapping means every row) selects the rows deleted before loading; None loads only.
    ``post_load(connection)`` runs in the same transaction after the rows are in.
    """

    table: str
    columns: tuple[tuple[str, str], ...]
    task_id: str
    files: tuple[TsvFile, ...] = ()
    rows: Iterable[Sequence[object]] | None = field(default=None, repr=False)
    owner: str = ""
    task_column: str | None = None
    replace_where: Mapping[str, object] | None = None
    post_load: Callable[[Any], None] | None = field(default=None, repr=False)

    @property
    def all_columns(self) -> tuple[tuple[str, str], ...]:
        """The declared columns, plus the task column when there is one."""
        if self.task_column:
            return (*self.columns, (self.task_column, "TEXT"))
        return self.columns

    @property
    def source_name(self) -> str:
        """How messages name where the rows come from."""
        if self.rows is not None:
            return f"rows() of {self.owner or self.task_id}"
        if len(self.files) == 1:
            return self.files[0].name
        return f"{len(self.files)} files ({self.files[0].name}, ...)" if self.files else "no files"


@dataclass(frozen=True)
class LoadResult:
    """How a load ended: rows inserted, rows deleted first, or skipped (marker already there)."""

    rows: int
    deleted: int = 0
    skipped: bool = False


def type_name(declared: str) -> str:
    """The type part of a column declaration, without constraints: "int not null" -> "int"."""
    return _CONSTRAINT.sub("", declared.strip())


def table_parts(table: str) -> tuple[str, ...]:
    """A table name split into schema and table at the first dot: "s.t" -> ("s", "t")."""
    return tuple(table.split(".", 1))


def describe_columns(columns: Sequence[tuple[str, str]]) -> str:
    """Columns as a message shows them: (artist text, streams integer)."""
    return "(" + ", ".join(f"{name} {kind}" for name, kind in columns) + ")"


def columns_mismatch(
    spec: LoadSpec, existing: Sequence[tuple[str, str]], quoted_table: str
) -> DatabaseError:
    """The error for a table that exists with other columns than the task declares."""
    return DatabaseError(
        f"table {spec.table} exists with columns {describe_columns(existing)} but "
        f"{spec.owner or spec.task_id} declares {describe_columns(spec.all_columns)}; "
        "nothing was loaded",
        hint=f"drop or rename the existing table (DROP TABLE {quoted_table}), "
        "or change the task's columns to match it",
    )
