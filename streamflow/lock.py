"""One run at a time per command: an OS file lock, so a crashed run never leaves a stale lock.

The lock is ``fcntl.flock`` on ``<lock_pid_dir>/<hash of the command>.lock``; the file holds the
holder's pid for the message a second run prints. The kernel releases the lock when the holding
process exits however it exits, so there is nothing to clean up after a crash.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from streamflow.errors import ConfigError, LockHeld


def lock_path(pid_dir: str | os.PathLike[str], command: Sequence[str]) -> Path:
    """The lock file for a command given as words, e.g. ``["run", "jobs.x.Task(date=...)"]``."""
    digest = hashlib.sha256("\0".join(command).encode()).hexdigest()[:20]
    return Path(pid_dir) / f"{digest}.lock"


@dataclass
class RunLock:
    """A held lock; release it with ``release()`` or by leaving a ``with`` block."""

    path: Path
    fd: int

    def release(self) -> None:
        """Drop the lock. The file stays: deleting it would race with a run opening it."""
        if self.fd >= 0:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> RunLock:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()


def acquire(pid_dir: str | os.PathLike[str], command: Sequence[str]) -> RunLock:
    """Take the lock for ``command`` or raise LockHeld (exit 3) naming the holder's pid."""
    path = lock_path(pid_dir, command)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise ConfigError(
            f"cannot create lock file {str(path)!r}: {error.strerror}",
            hint="choose a writable directory with --lock-pid-dir (or core.lock_pid_dir)",
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        who = f"process {holder}" if holder else "another process"
        raise LockHeld(
            f"another run of this command is in progress ({who} holds {path})",
            hint="wait for it to finish; use --no-lock only if overlapping runs are safe",
        ) from None
    record = f"{os.getpid()}\n{' '.join(command)}\n".encode()
    os.pwrite(fd, record, 0)  # then cut what an earlier holder left: never an empty file
    os.ftruncate(fd, len(record))
    return RunLock(path, fd)


def _read_pid(fd: int) -> str:
    # The holder writes its pid just after taking the lock: give it a moment to appear.
    for _ in range(25):
        text = os.pread(fd, 4096, 0).decode(errors="replace")
        first = text.split("\n", 1)[0].strip()
        if first.isdigit():
            return first
        time.sleep(0.01)
    return ""
