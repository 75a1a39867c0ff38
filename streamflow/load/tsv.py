"""Rows from a tab-separated file: one row per line, every value a str, field counts checked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from streamflow.errors import DatabaseError
from streamflow.load.copytext import field_count_error


def read_tsv_rows(file: BinaryIO, source: str, ncols: int) -> Iterator[list[str]]:
    """Yield each line of ``file`` split on tabs; DatabaseError names a bad line of ``source``."""
    for number, raw in enumerate(file, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DatabaseError(
                f"{source}, line {number}: not valid UTF-8 (byte {exc.start + 1}); "
                "nothing was loaded",
                hint="re-encode the input as UTF-8",
            ) from None
        fields = line[:-1].split("\t") if line.endswith("\n") else line.split("\t")
        if len(fields) != ncols:
            raise field_count_error(source, number, len(fields), ncols)
        yield fields
