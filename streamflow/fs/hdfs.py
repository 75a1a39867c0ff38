"""Choosing the HDFS client: libhdfs through pyarrow when it connects, else ``hadoop fs``.

``[hadoop] hdfs_client`` decides: ``libhdfs`` insists on pyarrow's HadoopFileSystem (and
fails with the reason if it cannot connect), ``cli`` always uses the ``hadoop fs``
command, ``auto`` tries libhdfs and falls back to the command, logging why.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import BinaryIO

from streamflow.config import HadoopConfig
from streamflow.errors import ConfigError
from streamflow.fs.base import FileSystem, Kind
from streamflow.fs.hadoop_cli import HadoopCliFileSystem
from streamflow.hadoop.install import find_hadoop_bin

log = logging.getLogger(__name__)

_URI_PREFIX = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*")


def hdfs_filesystem(
    config: HadoopConfig,
    env: Mapping[str, str] | None = None,
    connect_libhdfs: Callable[[], object] | None = None,
) -> FileSystem:
    """The HDFS client ``config.hdfs_client`` asks for (``auto`` falls back with a log line).

    ``connect_libhdfs`` returns a ``pyarrow.fs.HadoopFileSystem``; tests may replace it.
    """
    connect = connect_libhdfs or _connect_libhdfs
    choice = config.hdfs_client
    if choice == "cli":
        return HadoopCliFileSystem(find_hadoop_bin(config, env))
    try:
        arrow_fs = connect()
    except Exception as exc:  # pyarrow raises OSError, or worse when no JVM exists
        reason = _first_line(exc)
        if choice == "libhdfs":
            raise ConfigError(
                f"[hadoop] hdfs_client is 'libhdfs' but pyarrow cannot connect to HDFS: {reason}",
                hint="set JAVA_HOME, ARROW_LIBHDFS_DIR and CLASSPATH=$(hadoop classpath --glob), "
                "or use hdfs_client = 'cli'",
            ) from None
        log.info("HDFS through libhdfs is unavailable (%s); using the hadoop fs command", reason)
        return HadoopCliFileSystem(find_hadoop_bin(config, env))
    log.debug("HDFS through libhdfs (pyarrow)")
    return LibhdfsFileSystem(arrow_fs)


def shared_hdfs_filesystem(config: HadoopConfig) -> FileSystem:
    """One client per configuration (and Hadoop installation) and process, shared by every
    HdfsTarget so that their existence checks batch together and libhdfs connects once.

    Per process because a libhdfs client (a JVM and its threads) does not survive a fork:
    a worker process forked by ``--workers N`` makes its own.
    """
    where = tuple(os.environ.get(name, "") for name in ("HADOOP_HOME", "HADOOP_PREFIX", "PATH"))
    return _shared(config, where, os.getpid())


@functools.lru_cache(maxsize=8)
def _shared(config: HadoopConfig, where: tuple[str, ...], pid: int) -> FileSystem:
    return hdfs_filesystem(config)


def _connect_libhdfs() -> object:
    import pyarrow.fs

    return pyarrow.fs.HadoopFileSystem("default")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def strip_uri(path: str) -> str:
    """``hdfs://nn:8020/x`` -> ``/x``: libhdfs wants paths on the connected filesystem.

    >>> strip_uri("hdfs://nn:8020/data/x"), strip_uri("/data/x"), strip_uri("rel/x")
    ('/data/x', '/data/x', 'rel/x')
    """
    return _URI_PREFIX.sub("", path) or "/"


class LibhdfsFileSystem:
    """pyarrow's HadoopFileSystem behind the contract, accepting ``hdfs://`` URIs too."""

    def __init__(self, arrow_fs: object) -> None:
        from streamflow.fs.arrow import ArrowFileSystem

        self._fs = ArrowFileSystem(arrow_fs)  # type: ignore[arg-type]

    def kinds(self, paths: Sequence[str]) -> list[Kind]:
        return self._fs.kinds([strip_uri(p) for p in paths])

    def exists(self, path: str) -> bool:
        return self._fs.exists(strip_uri(path))

    def open_input(self, path: str) -> BinaryIO:
        return self._fs.open_input(strip_uri(path))

    def open_output(self, path: str) -> BinaryIO:
        return self._fs.open_output(strip_uri(path))

    def rename(self, src: str, dst: str) -> None:
        self._fs.rename(strip_uri(src), strip_uri(dst))

    def delete(self, path: str, recursive: bool = False) -> None:
        self._fs.delete(strip_uri(path), recursive)

    def mkdir(self, path: str) -> None:
        self._fs.mkdir(strip_uri(path))

    def listdir(self, path: str) -> list[str]:
        return self._fs.listdir(strip_uri(path))
