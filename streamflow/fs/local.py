"""The local disk behind the filesystem contract.

It calls the OS directly rather than ``pyarrow.fs.LocalFileSystem``: listing a directory
with ``os.scandir`` costs no stat per entry, about four times faster on 10,000 files, and
resolving a large graph of local outputs is dominated by exactly that. A handful of paths
in one directory are stat'ed instead, so checking one output never lists 10,000 files.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Sequence
from typing import BinaryIO

from streamflow.fs.base import Kind, group_by_parent


class LocalFileSystem:
    """Paths on this machine; ``file://`` prefixes are accepted and dropped."""

    def kinds(self, paths: Sequence[str]) -> list[Kind]:
        local = [strip_file_scheme(p) for p in paths]
        result: list[Kind] = [None] * len(local)
        for parent, indexes in group_by_parent(local).items():
            if len(indexes) <= _STAT_AT_MOST:
                # A few paths in a big directory: a stat each beats listing it all.
                for i in indexes:
                    result[i] = _kind_of(local[i])
                continue
            try:
                with os.scandir(parent) as entries:
                    listing = {e.name: e for e in entries}
            except (FileNotFoundError, NotADirectoryError):
                continue
            for i in indexes:
                entry = listing.get(os.path.basename(local[i].rstrip("/")))
                if entry is not None:
                    result[i] = "dir" if entry.is_dir() else "file"
        return result

    def exists(self, path: str) -> bool:
        return os.path.lexists(strip_file_scheme(path))

    def open_input(self, path: str) -> BinaryIO:
        return open(strip_file_scheme(path), "rb")

    def open_output(self, path: str) -> BinaryIO:
        path = strip_file_scheme(path)
        try:
            return open(path, "wb")
        except FileNotFoundError:
            # Create missing parents only when needed: most writes go to existing directories.
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            return open(path, "wb")

    def rename(self, src: str, dst: str) -> None:
        src, dst = strip_file_scheme(src), strip_file_scheme(dst)
        if os.path.lexists(dst):
            raise FileExistsError(f"cannot move {src} to {dst}: {dst} already exists")
        os.rename(src, dst)

    def delete(self, path: str, recursive: bool = False) -> None:
        path = strip_file_scheme(path)
        if os.path.isdir(path) and not os.path.islink(path):
            if not recursive:
                raise IsADirectoryError(f"{path} is a directory; delete it with recursive=True")
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.unlink(path)

    def mkdir(self, path: str) -> None:
        os.makedirs(strip_file_scheme(path), exist_ok=True)

    def listdir(self, path: str) -> list[str]:
        path = strip_file_scheme(path)
        return sorted(os.path.join(path, name) for name in os.listdir(path))


# Up to this many paths in one directory are stat'ed one by one rather than listed.
_STAT_AT_MOST = 8


def _kind_of(path: str) -> Kind:
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    return "dir" if stat.S_ISDIR(mode) else "file"


def strip_file_scheme(path: str) -> str:
    """``file:///tmp/x`` -> ``/tmp/x``; other paths unchanged."""
    return path[len("file://") :] if path.startswith("file://") else path


LOCAL = LocalFileSystem()
