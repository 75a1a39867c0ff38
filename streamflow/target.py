"""Targets: the outputs tasks produce, which appear atomically or not at all."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import os
import posixpath
import uuid
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from streamflow.fs.base import SUCCESS_MARKER, FileSystem
from streamflow.fs.local import LOCAL

if TYPE_CHECKING:
    from streamflow.config import Config


class FileSystemTarget:
    """A file, or a Hadoop-style output directory, at ``path`` on a filesystem.

    A directory counts as existing only once it holds ``_SUCCESS``: Hadoop writes that
    marker last, so a directory without it is a job that did not finish.
    """

    def __init__(self, path: str, fs: FileSystem) -> None:
        self.path = path
        self.fs = fs

    def exists(self) -> bool:
        """Whether the output is complete: a file, or a directory with ``_SUCCESS``."""
        return targets_exist([self])[0]

    def open(self, mode: str = "r") -> IO[Any]:
        """Open for reading (``r``, ``rb``) or atomic writing (``w``, ``wb``).

        Written data goes to a temporary file beside ``path`` and is renamed into place
        when the ``with`` block exits cleanly (or ``close()`` is called); after an exception
        nothing appears at ``path``. ``.gz`` and ``.bz2`` paths are (de)compressed.
        """
        if mode not in ("r", "rb", "w", "wb"):
            raise ValueError(f"mode must be 'r', 'rb', 'w' or 'wb', not {mode!r}")
        if mode.startswith("r"):
            return _wrap(self.fs.open_input(self.path), self.path, mode)
        temp = temporary_sibling(self.path)
        raw = AtomicFile(self.fs, temp, self.path)
        return _wrap(raw, self.path, mode)

    @contextlib.contextmanager
    def temporary_path(self) -> Iterator[str]:
        """Yield a path beside this one to write (a file or a whole directory) and rename it
        into place when the block exits cleanly; on an exception the temporary is removed.

        Used for directory outputs: write ``part-*`` files and ``_SUCCESS`` under the
        temporary path and they appear at ``path`` together.
        """
        temp = temporary_sibling(self.path)
        try:
            yield temp
        except BaseException:
            self.fs.delete(temp, recursive=True)
            raise
        self.fs.rename(temp, self.path)

    def remove(self) -> None:
        """Delete the file or directory, if there is one."""
        self.fs.delete(self.path, recursive=True)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and self.path == other.path  # type: ignore[attr-defined]
            and self.fs is other.fs  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self), self.path))


class LocalTarget(FileSystemTarget):
    """A file or output directory on the local disk."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(os.fspath(path), LOCAL)


class HdfsTarget(FileSystemTarget):
    """A file or output directory on HDFS, or whatever the cluster's default filesystem is.

    ``path`` is absolute (``hdfs://nn:8020/x``, ``/x``) or relative to ``[hadoop] hdfs_root``
    (or, when that is empty, to the user's home directory on the cluster).
    """

    def __init__(
        self, path: str, config: Config | None = None, fs: FileSystem | None = None
    ) -> None:
        from streamflow.fs.hdfs import shared_hdfs_filesystem

        if config is None:
            from streamflow.config import load_config

            config = load_config()
        root = config.hadoop.hdfs_root
        if root and not path.startswith("/") and "://" not in path:
            path = join(root, path)
        super().__init__(path, fs or shared_hdfs_filesystem(config.hadoop))


def targets_exist(targets: Sequence[FileSystemTarget]) -> list[bool]:
    """Whether each target exists, asking each filesystem once per directory.

    Directories are then asked for their ``_SUCCESS`` markers, again in one batch.
    """
    result = [False] * len(targets)
    by_fs: dict[int, list[int]] = {}
    for i, target in enumerate(targets):
        by_fs.setdefault(id(target.fs), []).append(i)
    for indexes in by_fs.values():
        fs = targets[indexes[0]].fs
        kinds = fs.kinds([targets[i].path for i in indexes])
        dirs = []
        for i, kind in zip(indexes, kinds):
            if kind == "file":
                result[i] = True
            elif kind == "dir":
                dirs.append(i)
        if dirs:
            markers = fs.kinds([join(targets[i].path, SUCCESS_MARKER) for i in dirs])
            for i, kind in zip(dirs, markers):
                result[i] = kind == "file"
    return result


def temporary_sibling(path: str) -> str:
    """A fresh hidden name in the same directory, so the final rename stays on one volume.

    >>> temporary_sibling("/data/out.tsv").startswith("/data/.out.tsv.tmp-")
    True
    """
    parent, name = posixpath.split(path.rstrip("/"))
    temp = f".{name}.tmp-{uuid.uuid4().hex[:12]}"
    return join(parent, temp) if parent else temp


def join(parent: str, name: str) -> str:
    """Join path parts with ``/``, keeping any scheme (``hdfs://host/x``) intact."""
    return f"{parent.rstrip('/')}/{name}" if parent else name


class AtomicFile(io.RawIOBase):
    """A binary file written at a temporary path and renamed to its final path on close."""

    def __init__(self, fs: FileSystem, temp: str, final: str) -> None:
        super().__init__()
        self._fs = fs
        self._temp = temp
        self._final = final
        self._stream = fs.open_output(temp)
        self.failed = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._stream.write(data)
        return len(data)

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._stream.close()
            if self.failed:
                self._fs.delete(self._temp)
            elif self._fs is LOCAL:
                os.replace(self._temp, self._final)  # atomic even over an older file
            else:
                if self._fs.exists(self._final):
                    self._fs.delete(self._final)
                self._fs.rename(self._temp, self._final)
        finally:
            super().close()


class _Layers:
    """The stream a user holds: text and compression layers over a file.

    Closing closes every layer, outermost first (``GzipFile`` leaves the file under it
    open). Leaving a ``with`` block through an exception discards an atomic file instead
    of committing it.
    """

    def __init__(self, layers: list[Any], atomic: AtomicFile | None) -> None:
        self._layers = layers
        self._atomic = atomic

    def __getattr__(self, name: str) -> Any:
        return getattr(self._layers[-1], name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._layers[-1])

    def __enter__(self) -> _Layers:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is not None and self._atomic is not None:
            self._atomic.failed = True
        self.close()

    def close(self) -> None:
        try:
            for layer in reversed(self._layers):
                layer.close()
        except BaseException:
            if self._atomic is not None:
                self._atomic.failed = True
                self._atomic.close()
            raise


def _wrap(raw: BinaryIO | AtomicFile, path: str, mode: str) -> IO[Any]:
    atomic = raw if isinstance(raw, AtomicFile) else None
    layers: list[Any] = [raw]
    if atomic is not None:
        layers.append(io.BufferedWriter(atomic, buffer_size=1 << 16))
    binary_mode = mode[0] + "b"
    if path.endswith(".gz"):
        layers.append(gzip.GzipFile(fileobj=layers[-1], mode=binary_mode))
    elif path.endswith(".bz2"):
        layers.append(bz2.BZ2File(layers[-1], mode=binary_mode))
    if "b" not in mode:
        layers.append(io.TextIOWrapper(layers[-1], encoding="utf-8", newline="\n"))
    return _Layers(layers, atomic)  # type: ignore[return-value]
