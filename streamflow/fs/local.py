"""The local disk behind the filesystem contract.

It calls the OS directly rather than ``pyarrow.fs.LocalFileSystem``: listing a directory
with ``os.scandir`` costs no stat per entry, about four times faster on 10,000 files, and
resolving a large graph of local outputs is dominated by exactly that.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from typing import BinaryIO

from streamflow.fs.base import Kind, group_by_parent


class LocalFileSystem:
    """Paths on this machine; ``file://`` prefixes are accepted and dropped."""

    def kinds(self, paths: Sequence[str]) -> list[Kind]:
        local = [strip_file_scheme(p) for p in paths]
        result: list[Kind] = [None] * len(local)
        for parent, indexes in group_by_parent(local).items():
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


def strip_file_scheme(path: str) -> str:
    """``file:///tmp/x`` -> ``/tmp/x``; other paths unchanged."""
    return path[len("file://") :] if path.startswith("file://") else path


LOCAL = LocalFileSystem()
