"""What every benchmark module shares: timing by median, and the row it reports."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One measured figure; ``ratio`` is ``seconds / baseline seconds`` from the same run."""

    benchmark: str
    seconds: float
    baseline: str = ""
    ratio: float | None = None
    target: str = ""


def median_seconds(
    run: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None
) -> float:
    """Median wall time of ``run()`` over ``repeat`` runs; ``setup()`` runs untimed before each."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_command_seconds(
    argv: Sequence[str],
    repeat: int,
    setup: Callable[[], object] | None = None,
    **popen: object,
) -> float:
    """Median wall time of a command run to completion; a failing command aborts the bench."""

    def run() -> None:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, **popen)

    return median_seconds(run, repeat, setup)


def print_rows(rows: Sequence[Row], file=sys.stdout) -> None:
    """Print rows as one aligned table."""
    header = ("benchmark", "median s", "baseline", "ratio", "target")
    lines = [header] + [
        (
            r.benchmark,
            f"{r.seconds:.3f}",
            r.baseline,
            "" if r.ratio is None else f"{r.ratio:.2f}x",
            r.target,
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip(), file=file)
