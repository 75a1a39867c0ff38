"""Exceptions that carry an exit code and a hint; the CLI turns them into a message."""

from __future__ import annotations

# Exit codes, documented in README.rst.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3


class StreamflowError(Exception):
    """Base of every error streamflow reports to a user.

    ``hint`` says what to do about it; ``exit_code`` is what the command exits with.
    """

    exit_code: int = EXIT_FAILED

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n  hint: {self.hint}"
        return self.message


class UsageError(StreamflowError):
    """Bad command line, parameter value or configuration (exit 2)."""

    exit_code = EXIT_USAGE


class ParameterError(UsageError):
    """A task parameter got a value it cannot accept."""


class ConfigError(UsageError):
    """The configuration file or environment holds something invalid."""


class LockHeld(StreamflowError):
    """Another run of the same command holds the lock (exit 3)."""

    exit_code = EXIT_LOCKED


class TaskDefinitionError(StreamflowError):
    """A task class or instance is declared wrongly (bad requires(), output(), ...)."""


class MissingInput(StreamflowError):
    """An external input a task needs does not exist."""


class JobError(StreamflowError):
    """A MapReduce job failed; the message carries the task's traceback when known."""


class DatabaseError(StreamflowError):
    """A database load failed; the message never contains a password."""
