"""PostgreSQL COPY text format, produced on the fly by file-like objects that COPY reads from.

Two sources: a tab-separated file whose lines are passed through nearly as bytes (only field
counts are checked, backslashes and carriage returns escaped), and Python rows encoded value by
value. Both keep memory flat: at most one chunk is held at a time.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO

from streamflow.errors import DatabaseError

CHUNK_BYTES = 1 << 20
NULL = "\\N"

# translate() deletes every byte but tab and newline: what is left is the shape of the lines.
_NOT_TAB_OR_NEWLINE = bytes(b for b in range(256) if b not in (9, 10))
_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# Text that str() gives for values it renders wrongly (None, bytes), and specials to escape.
_SUSPECT = ("None", "b'", 'b"', "<memory at", "\\", "\r")
BATCH_ROWS = 4096


def field_count_error(source: str, line_number: int, found: int, expected: int) -> DatabaseError:
    """The error for an input line with the wrong number of tab-separated fields."""
    return DatabaseError(
        f"{source}, line {line_number}: found {found} tab-separated fields, expected {expected}; "
        "nothing was loaded",
        hint="fix that line of the input (one tab between fields, no tab inside a value), "
        "or change the task's columns to match the file",
    )


def row_length_error(source: str, row_number: int, found: int, expected: int) -> DatabaseError:
    """The error for a row from rows() with the wrong number of values."""
    return DatabaseError(
        f"{source}, row {row_number}: found {found} values, expected {expected}; "
        "nothing was loaded",
        hint="make rows() yield one value per declared column, in column order",
    )


class TsvCopyStream:
    """Reads a tab-separated file as COPY text, checking that every line has ``ncols`` fields.

    A value in the file is taken literally: backslashes and carriage returns are escaped, so
    ``\\N`` in a file is that two-character text, not NULL. ``suffix`` (already COPY-encoded)
    is appended to every line, e.g. a constant column.
    """

    def __init__(self, file: BinaryIO, source: str, ncols: int, suffix: str = "") -> None:
        self._file = file
        self._source = source
        self._ncols = ncols
        self._shape = b"\t" * (ncols - 1) + b"\n"
        self._newline = ("\t" + suffix + "\n").encode() if suffix else b""
        self.lines = 0

    def read(self, size: int = -1) -> bytes:
        """The next run of whole lines, about CHUNK_BYTES long; b"" at the end."""
        chunk = self._file.read(CHUNK_BYTES)
        if not chunk:
            return b""
        if not chunk.endswith(b"\n"):
            chunk += self._file.readline()
            if not chunk.endswith(b"\n"):
                chunk += b"\n"  # last line without a newline
        nlines = chunk.count(b"\n")
        if chunk.translate(None, _NOT_TAB_OR_NEWLINE) != self._shape * nlines:
            self._raise_bad_line(chunk)
        self.lines += nlines
        if b"\\" in chunk:
            chunk = chunk.replace(b"\\", b"\\\\")
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r", b"\\r")
        if self._newline:
            chunk = chunk.replace(b"\n", self._newline)
        return chunk

    def _raise_bad_line(self, chunk: bytes) -> None:
        for offset, line in enumerate(chunk.split(b"\n")):
            found = line.count(b"\t") + 1
            if found != self._ncols:
                raise field_count_error(self._source, self.lines + offset + 1, found, self._ncols)


def encode_value(value: object) -> str:
    """One value in COPY text format: None is \\N, bytes are bytea hex, anything else is
    ``str(value)`` with backslash, tab, newline and carriage return escaped."""
    if value is None:
        return NULL
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(value).hex()  # bytea hex input, its backslash escaped
    text = value if isinstance(value, str) else str(value)
    return text.translate(_ESCAPES) if _SPECIAL.search(text) else text


class RowsCopyStream:
    """Reads Python rows (sequences of ``ncols`` values) as COPY text.

    A batch of rows is first rendered with plain ``str()``; only when that text shows
    something needing care (a special character, a wrong field count, what may be a None or
    bytes) is the batch encoded value by value. Both give the same text for plain values.
    """

    def __init__(
        self, rows: Iterable[Sequence[object]], source: str, ncols: int, suffix: str = ""
    ) -> None:
        self._rows: Iterator[Sequence[object]] = iter(rows)
        self._source = source
        self._ncols = ncols
        self._end = ("\t" + suffix + "\n") if suffix else "\n"
        self.rows = 0

    def read(self, size: int = -1) -> bytes:
        """The next batch of rows as encoded text; b"" at the end."""
        batch = list(itertools.islice(self._rows, BATCH_ROWS))
        if not batch:
            return b""
        n = len(batch)
        text = "\n".join(["\t".join(map(str, row)) for row in batch]) + "\n"
        # With every row the right length, the counts of tabs and newlines prove that no
        # value holds one; alone, a short row and a value with a tab could cancel out.
        if (
            set(map(len, batch)) != {self._ncols}
            or any(suspect in text for suspect in _SUSPECT)
            or text.count("\t") != n * (self._ncols - 1)
            or text.count("\n") != n
        ):
            text = self._encode(batch)
        elif self._end != "\n":
            text = text.replace("\n", self._end)
        self.rows += n
        return text.encode()

    def _encode(self, batch: list[Sequence[object]]) -> str:
        lines = []
        for offset, row in enumerate(batch, self.rows + 1):
            if len(row) != self._ncols:
                raise row_length_error(self._source, offset, len(row), self._ncols)
            lines.append("\t".join([encode_value(v) for v in row]) + self._end)
        return "".join(lines)
