"""The filesystem contract targets and runners stand on.

Every method takes plain path strings in the filesystem's own form. ``kinds`` is the one
batched call: on HDFS each call is a round trip (or a JVM start), so callers ask about many
paths at once and implementations answer with one listing per parent directory.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import BinaryIO, Literal, Protocol

Kind = Literal["file", "dir"] | None

SUCCESS_MARKER = "_SUCCESS"


class FileSystem(Protocol):
    """What streamflow needs from a filesystem: local disk, HDFS through libhdfs or the CLI."""

    def kinds(self, paths: Sequence[str]) -> list[Kind]:
        """For each path, ``"file"``, ``"dir"`` or None when missing; batched by directory."""
        ...

    def exists(self, path: str) -> bool:
        """Whether anything is at ``path``."""
        ...

    def open_input(self, path: str) -> BinaryIO:
        """Open a file for reading bytes."""
        ...

    def open_output(self, path: str) -> BinaryIO:
        """Create (or truncate) a file for writing bytes; parent directories are created."""
        ...

    def rename(self, src: str, dst: str) -> None:
        """Move ``src`` to ``dst``, which must not exist yet."""
        ...

    def delete(self, path: str, recursive: bool = False) -> None:
        """Remove a file, or a directory with everything in it when ``recursive``."""
        ...

    def mkdir(self, path: str) -> None:
        """Create a directory and its parents; no error if it exists."""
        ...

    def listdir(self, path: str) -> list[str]:
        """Full paths of a directory's entries, sorted."""
        ...


def group_by_parent(paths: Iterable[str]) -> dict[str, list[int]]:
    """Indexes of ``paths`` grouped by parent directory, for one listing per directory.

    >>> group_by_parent(["/a/x", "/b/y", "/a/z", "/top", "here"])
    {'/a': [0, 2], '/b': [1], '/': [3], '.': [4]}
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for i, path in enumerate(paths):
        parent = posixpath.dirname(path.rstrip("/"))
        groups[parent or ("/" if path.startswith("/") else ".")].append(i)
    return dict(groups)
