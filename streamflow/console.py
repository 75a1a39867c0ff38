"""Everything a user sees: log lines, progress, the summary and trees. The only rich importer.

With a terminal, messages go through rich (colour, a progress bar). Without one (cron), every
message is a plain timestamped line, with no colour and nothing redrawn. Other modules log through
``logging.getLogger("streamflow....")``; the Console decides where those lines go.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

LOGGER_NAME = "streamflow"
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(message)s"
STATE_STYLES = {
    "complete": "green",
    "done": "green",
    "to run": "yellow",
    "missing": "red",
    "failed": "red",
    "blocked": "magenta",
}


@dataclass
class TreeNode:
    """One line of a printed tree: a label, its state, and children."""

    label: str
    state: str = ""
    children: list[TreeNode] = field(default_factory=list)


class Console:
    """Where user-facing output goes; build one per command run and ``close()`` it at the end."""

    def __init__(
        self,
        level: str = "INFO",
        log_file: str = "",
        stream: IO[str] | None = None,
        out: IO[str] | None = None,
        fancy: bool | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.out_stream = out if out is not None else sys.stdout
        self.fancy = _isatty(self.stream) if fancy is None else fancy
        self.logger = logging.getLogger(LOGGER_NAME)
        self.logger.setLevel(level)
        self.logger.propagate = False
        for stale in [h for h in self.logger.handlers if getattr(h, "streamflow_console", False)]:
            # A console that was never closed (a test, an embedding program): one at a time.
            self.logger.removeHandler(stale)
        self._handlers: list[logging.Handler] = []
        self._rich: Any = None
        self._progress: Any = None
        if self.fancy:
            self._add_handler(self._rich_handler())
        else:
            self._add_handler(_plain_handler(logging.StreamHandler(self.stream)))
        if log_file:
            try:
                file_handler = logging.FileHandler(log_file, encoding="utf-8")
            except OSError as error:
                from streamflow.errors import ConfigError

                self.close()
                raise ConfigError(
                    f"cannot open log file {log_file!r}: {error.strerror}",
                    hint="give a writable path with --log-file (or core.log_file)",
                ) from None
            self._add_handler(_plain_handler(file_handler))

    def _add_handler(self, handler: logging.Handler) -> None:
        handler.streamflow_console = True  # type: ignore[attr-defined]
        self.logger.addHandler(handler)
        self._handlers.append(handler)

    def _rich_handler(self) -> logging.Handler:
        from rich.console import Console as RichConsole
        from rich.logging import RichHandler

        self._rich = RichConsole(file=self.stream)
        return RichHandler(console=self._rich, show_path=False, markup=False)

    def close(self) -> None:
        """Detach this console's handlers, so a later Console starts clean."""
        for handler in self._handlers:
            self.logger.removeHandler(handler)
            handler.close()
        self._handlers.clear()

    def debug(self, message: str) -> None:
        """Log at DEBUG."""
        self.logger.debug(message)

    def info(self, message: str) -> None:
        """Log at INFO."""
        self.logger.info(message)

    def warning(self, message: str) -> None:
        """Log at WARNING."""
        self.logger.warning(message)

    def error(self, message: str) -> None:
        """Log at ERROR."""
        self.logger.error(message)

    def print(self, text: str = "") -> None:
        """Print a result (a summary, a plan) to standard output, and into the log file."""
        print(text, file=self.out_stream, flush=True)
        for handler in self._handlers:
            if isinstance(handler, logging.FileHandler):
                handler.handle(
                    self.logger.makeRecord(LOGGER_NAME, logging.INFO, "", 0, text, (), None)
                )

    @contextmanager
    def progress(self, total: int, description: str = "tasks") -> Iterator[Progress]:
        """Track ``total`` steps: a bar on a terminal, plain log lines otherwise."""
        if not self.fancy or total == 0:
            yield Progress(self, total)
            return
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        # No refresh thread: the worker may fork processes, and forking with threads is unsafe.
        bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._rich,
            auto_refresh=False,
            transient=False,
        )
        with bar:
            handle = bar.add_task(description, total=total)
            yield Progress(self, total, bar, handle)

    def table(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """Print a table of results: boxed on a terminal, aligned plain text otherwise."""
        cells = [[str(cell) for cell in row] for row in rows]
        if self.fancy:
            from rich.console import Console as RichConsole
            from rich.table import Table

            table = Table(title=title)
            for header in headers:
                table.add_column(header)
            for row in cells:
                table.add_row(*row)
            RichConsole(file=self.out_stream).print(table)
            return
        widths = [
            max(len(line[i]) for line in [list(headers), *cells]) for i in range(len(headers))
        ]
        self.print(title)
        for line in [list(headers), *cells]:
            self.print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())

    def tree(self, roots: Sequence[TreeNode]) -> None:
        """Print a tree of labelled nodes with their states."""
        if self.fancy:
            from rich.console import Console as RichConsole
            from rich.tree import Tree

            out = RichConsole(file=self.out_stream)
            for root in roots:
                tree = Tree(_styled(root))
                _add_rich_children(tree, root.children)
                out.print(tree)
            return
        for root in roots:
            for line in _plain_tree_lines(root):
                self.print(line)


class Progress:
    """A run's progress: ``advance()`` once per finished step."""

    def __init__(self, console: Console, total: int, bar: Any = None, handle: Any = None) -> None:
        self.console = console
        self.total = total
        self.done = 0
        self._bar = bar
        self._handle = handle
        self._last_refresh = 0.0

    def advance(self, message: str, level: int = logging.INFO) -> None:
        """Count one finished step; ``message`` is logged (above the bar on a terminal)."""
        self.done += 1
        if self._bar is None:
            self.console.logger.log(level, f"[{self.done}/{self.total}] {message}")
            return
        if level >= logging.WARNING:
            self.console.logger.log(level, message)
        self._bar.update(self._handle, advance=1, description=message)
        now = time.monotonic()
        # Redrawing on every one of 10,000 quick tasks would cost more than the tasks.
        if now - self._last_refresh > 0.1 or self.done == self.total:
            self._bar.refresh()
            self._last_refresh = now


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _plain_handler(handler: logging.Handler) -> logging.Handler:
    handler.setFormatter(logging.Formatter(PLAIN_FORMAT))
    return handler


def _styled(node: TreeNode) -> str:
    from rich.markup import escape

    if not node.state:
        return escape(node.label)
    style = STATE_STYLES.get(node.state, "")
    return f"{escape(node.label)} [{style}]({escape(node.state)})[/]"


def _add_rich_children(tree: Any, children: Sequence[TreeNode]) -> None:
    for child in children:
        branch = tree.add(_styled(child))
        _add_rich_children(branch, child.children)


def _plain_tree_lines(root: TreeNode) -> Iterator[str]:
    # ASCII only: cron mail and log files may not be UTF-8.
    def label(node: TreeNode) -> str:
        return f"{node.label} ({node.state})" if node.state else node.label

    yield label(root)
    stack = [(child, "", i == len(root.children) - 1) for i, child in enumerate(root.children)]
    stack.reverse()
    while stack:
        node, prefix, last = stack.pop()
        yield f"{prefix}{'`-- ' if last else '|-- '}{label(node)}"
        child_prefix = prefix + ("    " if last else "|   ")
        kids = node.children
        stack.extend(
            (child, child_prefix, i == len(kids) - 1)
            for i, child in reversed(list(enumerate(kids)))
        )
