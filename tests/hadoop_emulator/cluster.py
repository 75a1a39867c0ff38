"""The emulated cluster's state: where "HDFS" lives, its default filesystem, and path rules.

Everything is read from the environment, so each test gets its own cluster:

- ``HADOOP_EMULATOR_HOME`` (required): a directory holding ``hdfs/`` (the stand-in for
  HDFS), ``argv.log`` (one JSON line per command run), ``yarn-logs/`` and task dirs.
- ``HADOOP_EMULATOR_DEFAULT_FS``: the cluster's ``fs.defaultFS``, default
  ``hdfs://emulated:8020``; ``file:///`` makes scheme-less paths local, as on a
  single-node setup. ``-D fs.defaultFS=...`` or ``-fs`` on a command line override it.
- ``HADOOP_EMULATOR_FRAMEWORK``: ``local`` (default) or ``yarn``, the cluster's
  ``mapreduce.framework.name``.
- ``HADOOP_EMULATOR_YARN_LOGS``: ``unavailable`` makes ``yarn logs`` fail as it does when log
  aggregation has not finished.
- ``HADOOP_EMULATOR_NOISE``: when set, every command first prints the warnings real gateways
  print on stderr (SLF4J bindings, ``Picked up _JAVA_OPTIONS``, launcher ``WARNING:`` lines).
"""

from __future__ import annotations

import fnmatch
import getpass
import json
import os
import posixpath
import re
import sys
from collections import namedtuple
from pathlib import Path

DEFAULT_FS = "hdfs://emulated:8020"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$")
_GLOB_CHARS = re.compile(r"[*?\[{]")


class HadoopError(Exception):
    """A failure a Hadoop command reports as ``<cmd>: <message>`` and exits non-zero on."""


# Every hadoop command starts a fresh interpreter: the emulator keeps its imports light
# (no dataclasses, datetime or archive modules unless a command needs them).
Location = namedtuple("Location", "qualified local")
Location.__doc__ = """A Hadoop path resolved: how Hadoop would print it qualified, and the
local file (a Path) standing in for it."""


class Cluster:
    """One emulated cluster, described by the environment of the command."""

    def __init__(self, home: Path, default_fs: str, framework: str, user: str) -> None:
        self.home = home
        self.default_fs = default_fs
        self.framework = framework
        self.user = user

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Cluster:
        env = dict(os.environ if env is None else env)
        home = env.get("HADOOP_EMULATOR_HOME")
        if not home:
            sys.stderr.write("hadoop emulator: set HADOOP_EMULATOR_HOME to a directory\n")
            sys.exit(255)
        cluster = cls(
            home=Path(home),
            default_fs=env.get("HADOOP_EMULATOR_DEFAULT_FS", DEFAULT_FS).rstrip("/"),
            framework=env.get("HADOOP_EMULATOR_FRAMEWORK", "local"),
            user=env.get("HADOOP_USER_NAME") or getpass.getuser(),
        )
        cluster.hdfs_root.mkdir(parents=True, exist_ok=True)
        return cluster

    @property
    def hdfs_root(self) -> Path:
        return self.home / "hdfs"

    def record_argv(self, argv: list[str]) -> None:
        """Append the command line to ``argv.log`` so tests can assert on exact commands."""
        line = json.dumps({"argv": argv, "cwd": os.getcwd()}) + "\n"
        with open(self.home / "argv.log", "a", encoding="utf-8") as log:
            log.write(line)

    def next_sequence(self) -> int:
        """A job number that grows across commands, like a ResourceManager's."""
        counter = self.home / "job-sequence"
        number = int(counter.read_text()) + 1 if counter.exists() else 1
        counter.write_text(str(number))
        return number

    # -- paths ---------------------------------------------------------------------------

    def _default_is_local(self) -> bool:
        return self.default_fs.startswith("file:")

    def _remote_prefix(self) -> str:
        return self.default_fs if not self._default_is_local() else DEFAULT_FS

    def resolve(self, path: str) -> Location:
        """Map a Hadoop path (``hdfs://h/x``, ``file:///x``, ``/x`` or ``x``) to a location."""
        if not path:
            raise HadoopError("Can not create a Path from an empty string")
        match = _SCHEME.match(path)
        if match and "/" not in match.group(1):
            scheme, rest = match.group(1).lower(), match.group(2)
            if scheme == "file":
                local = posixpath.normpath("/" + rest.lstrip("/")) if rest else os.getcwd()
                return Location(f"file:{local}", Path(local))
            default_scheme = self.default_fs.split(":", 1)[0].lower()
            if scheme not in ("hdfs", default_scheme):
                raise HadoopError(f'No FileSystem for scheme "{scheme}"')
            if not rest.startswith("//"):
                raise HadoopError(f"Incomplete HDFS URI, no host: {path}")
            authority, _, fspath = rest[2:].partition("/")
            fspath = posixpath.normpath("/" + fspath)
            return self._remote(f"{scheme}://{authority}", fspath)
        if self._default_is_local():
            local = posixpath.normpath(os.path.join(os.getcwd(), path))
            return Location(f"file:{local}", Path(local))
        if not path.startswith("/"):
            path = f"/user/{self.user}/{path}"
        return self._remote(self.default_fs, posixpath.normpath(path))

    def _remote(self, prefix: str, fspath: str) -> Location:
        fspath = "/" + fspath.lstrip("/")
        local = self.hdfs_root / fspath.lstrip("/")
        return Location(f"{prefix}{fspath}" if fspath != "/" else f"{prefix}/", local)

    def expand(self, pattern: str) -> list[tuple[str, Location]]:
        """Expand a glob like Hadoop: ``(display path, location)`` for each match, sorted.

        A pattern without glob characters is returned as is, whether or not it exists.
        """
        if not _GLOB_CHARS.search(pattern):
            return [(pattern, self.resolve(pattern))]
        results: list[tuple[str, Location]] = []
        for variant in _expand_braces(pattern):
            results.extend(self._expand_one(variant))
        return sorted(set(results), key=lambda item: item[0])

    def _expand_one(self, pattern: str) -> list[tuple[str, Location]]:
        match = _SCHEME.match(pattern)
        prefix, rest = "", pattern
        if match and match.group(2).startswith("//"):
            authority, _, path = match.group(2)[2:].partition("/")
            prefix, rest = f"{match.group(1)}://{authority}", "/" + path
        elif match and match.group(1).lower() == "file":
            prefix, rest = "file:", match.group(2)
        absolute = rest.startswith("/")
        parts = [p for p in rest.split("/") if p]
        displays = [prefix + ("/" if absolute else "")]
        for part in parts:
            grown = []
            for display in displays:
                base = display if display.endswith("/") or not display else display + "/"
                if not _GLOB_CHARS.search(part):
                    grown.append(base + part)
                    continue
                directory = self.resolve(display or ".").local
                if not directory.is_dir():
                    continue
                for name in sorted(os.listdir(directory)):
                    if fnmatch.fnmatchcase(name, part) and not name.startswith("."):
                        grown.append(base + name)
            displays = grown
        found = []
        for display in displays:
            location = self.resolve(display)
            if os.path.lexists(location.local):
                found.append((display, location))
        return found


def _expand_braces(pattern: str) -> list[str]:
    """``a{b,c}d`` -> ``["abd", "acd"]`` (one level of nesting at a time)."""
    match = re.search(r"\{([^{}]*)\}", pattern)
    if not match:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    variants = []
    for choice in match.group(1).split(","):
        variants.extend(_expand_braces(head + choice + tail))
    return variants


def log_line(level: str, source: str, message: str) -> str:
    """A client log line in Hadoop 3's log4j layout: ``2024-06-01 10:00:00,123 INFO x: msg``."""
    import datetime

    now = datetime.datetime.now()
    stamp = now.strftime("%Y-%m-%d %H:%M:%S") + f",{now.microsecond // 1000:03d}"
    return f"{stamp} {level} {source}: {message}\n"
