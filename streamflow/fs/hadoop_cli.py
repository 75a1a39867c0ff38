"""HDFS (or whatever ``fs.defaultFS`` is) through the ``hadoop fs`` command.

Always available on a gateway, but every call starts a JVM (seconds on a busy gateway), so
each method costs as few ``hadoop`` processes as it can: ``kinds`` answers a whole batch of
paths with one ``hadoop fs -ls`` of all their parent directories.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import subprocess
from collections.abc import Iterable, Sequence
from typing import BinaryIO, cast

from streamflow.errors import StreamflowError
from streamflow.fs.base import Kind

log = logging.getLogger(__name__)

# Lines Hadoop's log4j writes to stderr next to a command's own messages, and the warnings
# the launcher script, the JVM and SLF4J print on many gateways before every command.
_LOG_LINE = re.compile(
    r"^\d{2,4}[-/]\d\d[-/]\d\d \d\d:\d\d:\d\d(,\d+)? (TRACE|DEBUG|INFO|WARN)\b"
    r"|^(SLF4J: |log4j:(WARN|INFO) |WARNING: |Picked up _?JAVA_\w*OPTIONS: )"
)
_MISSING = re.compile(r"^\w+: `(.*)': No such file or directory$")


class HdfsError(StreamflowError):
    """A ``hadoop fs`` command failed for a reason other than a missing path."""


class HadoopCliFileSystem:
    """The filesystem contract over ``HADOOP_BIN fs ...`` subprocesses."""

    def __init__(self, hadoop_bin: str, env: dict[str, str] | None = None) -> None:
        self.hadoop_bin = hadoop_bin
        self.env = env

    # -- running the command ----------------------------------------------------------------

    def run(self, *args: str, ok_codes: Iterable[int] = (0,)) -> subprocess.CompletedProcess:
        """Run ``hadoop fs ARGS``; raise HdfsError unless its exit code is in ``ok_codes``."""
        argv = [self.hadoop_bin, "fs", *args]
        log.debug("running %s", " ".join(argv))
        try:
            result = subprocess.run(argv, capture_output=True, env=self.env)
        except OSError as exc:
            raise HdfsError(
                f"cannot run {self.hadoop_bin}: {exc.strerror}",
                hint="set [hadoop] hadoop_bin or HADOOP_HOME to a Hadoop installation",
            ) from None
        if result.returncode not in ok_codes:
            raise self.failure(argv, result)
        return result

    def failure(self, argv: Sequence[str], result: subprocess.CompletedProcess) -> HdfsError:
        """The error for a failed command, quoting what it said (without log noise)."""
        said = "\n".join(messages(result.stderr)) or f"exit code {result.returncode}"
        return HdfsError(f"{' '.join(argv[1:3])} failed: {said}")

    def missing_or_fail(self, argv: Sequence[str], result: subprocess.CompletedProcess) -> None:
        """Raise FileNotFoundError for a missing path, HdfsError for anything else."""
        said = messages(result.stderr)
        for line in said:
            match = _MISSING.match(line)
            if match:
                raise FileNotFoundError(f"{match.group(1)}: no such file or directory")
        raise self.failure(argv, result)

    # -- the filesystem contract --------------------------------------------------------------

    def kinds(self, paths: Sequence[str]) -> list[Kind]:
        """One ``hadoop fs -ls`` of every parent directory answers the whole batch."""
        result: list[Kind] = [None] * len(paths)
        if not paths:
            return result
        parents = list(dict.fromkeys(listing_parent(p) for p in paths))
        listed = self.run("-ls", *parents, ok_codes=(0, 1))
        problems = [m for m in messages(listed.stderr) if not _MISSING.match(m)]
        if listed.returncode != 0 and problems:
            raise HdfsError(f"fs -ls failed: {'; '.join(problems)}")
        found = parse_ls(listed.stdout)
        for i, path in enumerate(paths):
            parent = listing_parent(path)
            name = posixpath.basename(path.rstrip("/"))
            result[i] = found.get(child_path(parent, name))
        return result

    def exists(self, path: str) -> bool:
        result = self.run("-test", "-e", path, ok_codes=(0, 1))
        if result.returncode == 1 and messages(result.stderr):
            raise self.failure(["hadoop", "fs", "-test"], result)
        return result.returncode == 0

    def open_input(self, path: str) -> BinaryIO:
        """Stream the file's bytes from ``hadoop fs -cat``; errors surface on read."""
        argv = [self.hadoop_bin, "fs", "-cat", path]
        process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env
        )
        reader = _CommandReader(process, lambda result: self.missing_or_fail(argv, result))
        return cast(BinaryIO, io.BufferedReader(reader, buffer_size=1 << 16))

    def open_output(self, path: str) -> BinaryIO:
        """Feed ``hadoop fs -put -f - PATH`` (Hadoop writes ``PATH._COPYING_``, then renames)."""
        parent = posixpath.dirname(path.rstrip("/"))
        if parent:
            self.mkdir(parent)
        argv = [self.hadoop_bin, "fs", "-put", "-f", "-", path]
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=self.env,
        )
        writer = _CommandWriter(process, lambda result: self.failure(argv, result))
        return cast(BinaryIO, io.BufferedWriter(writer, buffer_size=1 << 16))

    def rename(self, src: str, dst: str) -> None:
        # ``-mv`` into an existing directory moves *inside* it; the contract wants an error.
        if self.exists(dst):
            raise FileExistsError(f"cannot move {src} to {dst}: {dst} already exists")
        argv = ["-mv", src, dst]
        result = self.run(*argv, ok_codes=(0, 1))
        if result.returncode:
            self.missing_or_fail(["hadoop", "fs", *argv], result)

    def delete(self, path: str, recursive: bool = False) -> None:
        flags = ["-r"] if recursive else []
        result = self.run("-rm", *flags, "-f", "-skipTrash", path, ok_codes=(0, 1))
        if result.returncode:
            said = " ".join(messages(result.stderr))
            if said.endswith("Is a directory"):
                raise IsADirectoryError(f"{path} is a directory; delete it with recursive=True")
            raise self.failure(["hadoop", "fs", "-rm"], result)

    def mkdir(self, path: str) -> None:
        self.run("-mkdir", "-p", path)

    def listdir(self, path: str) -> list[str]:
        argv = ["-ls", path]
        result = self.run(*argv, ok_codes=(0, 1))
        if result.returncode:
            self.missing_or_fail(["hadoop", "fs", *argv], result)
        children = [p for p in parse_ls(result.stdout) if p != path.rstrip("/")]
        return sorted(children)

    # -- more than the contract, for the Hadoop runner ---------------------------------------

    def put(self, local_paths: Sequence[str], dest_dir: str) -> None:
        """Upload local files or directories into ``dest_dir`` with one ``-put``."""
        self.run("-put", *local_paths, dest_dir)

    def cat(self, paths: Sequence[str]) -> subprocess.Popen:
        """A running ``hadoop fs -cat PATHS`` whose stdout is the files' bytes in order."""
        return subprocess.Popen(
            [self.hadoop_bin, "fs", "-cat", *paths],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
        )


def is_log_noise(line: str) -> bool:
    """Whether a line of Hadoop's stderr is a log line or a JVM/launcher warning."""
    return bool(_LOG_LINE.match(line))


def messages(stderr: bytes) -> list[str]:
    """What a command said on stderr, without Hadoop's log lines."""
    lines = stderr.decode("utf-8", "replace").splitlines()
    return [line for line in lines if line.strip() and not is_log_noise(line)]


def listing_parent(path: str) -> str:
    """The directory to list to learn about ``path`` (``.`` for a bare relative name)."""
    stripped = path.rstrip("/")
    parent = posixpath.dirname(stripped)
    if not parent:
        return "/" if path.startswith("/") else "."
    if parent.endswith("//") or parent.endswith(":"):  # "hdfs://nn:8020" -> the root
        return parent.rstrip("/") + "/"
    return parent


def child_path(parent: str, name: str) -> str:
    """How ``hadoop fs -ls PARENT`` prints the path of the entry ``name``."""
    if parent == ".":
        return name
    return parent + name if parent.endswith("/") else f"{parent}/{name}"


def parse_ls(stdout: bytes) -> dict[str, Kind]:
    """``{printed path: "file" | "dir"}`` from ``hadoop fs -ls`` output."""
    found: dict[str, Kind] = {}
    for line in stdout.decode("utf-8", "replace").splitlines():
        fields = line.split(None, 7)
        if len(fields) < 8 or line.startswith("Found "):
            continue
        path = fields[7]
        if path.startswith("./"):
            path = path[2:]
        found[path.rstrip("/") or "/"] = "dir" if fields[0].startswith("d") else "file"
    return found


class _CommandReader(io.RawIOBase):
    """A subprocess's stdout as a file; a failed exit raises when the data runs out."""

    def __init__(self, process: subprocess.Popen, on_failure) -> None:
        super().__init__()
        self._process = process
        self._on_failure = on_failure
        self._checked = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        assert self._process.stdout is not None
        count = self._process.stdout.readinto(buffer)
        if count == 0:
            self._finish()
        return count

    def _finish(self) -> None:
        if self._checked:
            return
        self._checked = True
        assert self._process.stderr is not None
        stderr = self._process.stderr.read()
        code = self._process.wait()
        if code != 0:
            self._on_failure(subprocess.CompletedProcess(self._process.args, code, b"", stderr))

    def close(self) -> None:
        if self.closed:
            return
        try:
            if not self._checked:
                self._process.kill()  # closed before the end: the rest is not wanted
                self._process.wait()
                self._checked = True
        finally:
            for stream in (self._process.stdout, self._process.stderr):
                if stream is not None:
                    stream.close()
            super().close()


class _CommandWriter(io.RawIOBase):
    """A subprocess's stdin as a file; closing waits for it and raises if it failed."""

    def __init__(self, process: subprocess.Popen, failure) -> None:
        super().__init__()
        self._process = process
        self._failure = failure

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        assert self._process.stdin is not None
        self._process.stdin.write(data)
        return len(data)

    def close(self) -> None:
        if self.closed:
            return
        try:
            assert self._process.stdin is not None and self._process.stderr is not None
            self._process.stdin.close()
            stderr = self._process.stderr.read()
            self._process.stderr.close()
            code = self._process.wait()
            if code != 0:
                raise self._failure(
                    subprocess.CompletedProcess(self._process.args, code, b"", stderr)
                )
        finally:
            super().close()
