"""Core benchmark: resolving large complete graphs, and running many trivial tasks.

python -m tests.bench.bench_core [REPEAT]

Every figure is the median of ``repeat`` runs of the installed ``streamflow`` command (the
in-process resolve excepted), next to a baseline measured in the same run: the interpreter
starting (``python -c pass``), or a plain Python loop writing the same files through the same
atomic targets with no scheduling at all.

Creating files is most of a trivial task's cost, so on a disk shared with other work the
run figures swing with it (the plain loop shows how much). ``TMPDIR=/dev/shm`` measures
streamflow's own overhead on memory-backed files instead.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from streamflow.config import Config
from streamflow.graph import build_graph
from tests.bench.common import Row, median_command_seconds, median_seconds, print_rows
from tests.tasks.graphs import Many

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
STREAMFLOW = str(Path(PYTHON).with_name("streamflow"))
MANY = "tests.tasks.graphs:Many"

# The same files, written by a loop with no graph, scheduler or worker: the floor. With a
# third argument of 2, two forked processes share the loop: what the disk allows in parallel
# (creating files in one directory partly serializes in the kernel).
PLAIN_LOOP = """
import os, sys
from tests.tasks.graphs import Leaf
root, n, procs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pids = []
for k in range(procs):
    pid = os.fork()
    if pid == 0:
        for i in range(k, n, procs):
            Leaf(root=root, i=i).run()
        os._exit(0)
    pids.append(pid)
for pid in pids:
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
"""


def _quiet(argv: list[str], repeat: int) -> float:
    return median_command_seconds(argv, repeat, cwd=REPO, stderr=subprocess.DEVNULL)


def _quiet_fresh(
    make_argv: Callable[[], list[str]], repeat: int, fresh: Callable[[], None]
) -> float:
    """Median time of a command whose arguments name a fresh directory made before each run."""
    argv: list[str] = []

    def setup() -> None:
        fresh()
        argv[:] = make_argv()

    def run() -> None:
        subprocess.run(
            argv, check=True, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    return median_seconds(run, repeat, setup)


def _alternating(
    makers: dict[int, Callable[[], list[str]]], repeat: int, fresh: Callable[[], None]
) -> dict[int, float]:
    """Median times of several commands run in turn within each round, so that a change in
    the machine's load or the disk's state weighs on all of them alike."""
    times: dict[int, list[float]] = {key: [] for key in makers}
    for _ in range(repeat):
        for key, make_argv in makers.items():
            times[key].append(_quiet_fresh(make_argv, 1, fresh))
    return {key: statistics.median(values) for key, values in times.items()}


def resolve_rows(repeat: int, scratch: Path) -> list[Row]:
    """Resolving 10,000 complete tasks whose outputs are local files."""
    root = scratch / "complete"
    root.mkdir()
    for i in range(10_000):
        (root / f"leaf-{i}.txt").write_text(f"{i}\n")
    interpreter = _quiet([PYTHON, "-c", "pass"], repeat)
    command = [STREAMFLOW, "run", MANY, "--root", str(root), "--n", "10000", "--no-lock"]
    whole = _quiet(command, repeat)
    config = Config()
    in_process = median_seconds(
        lambda: build_graph([Many(root=str(root), n=10_000)], config), repeat
    )
    return [
        Row("python -c pass", interpreter),
        Row(
            "resolve 10,000 complete tasks: streamflow run",
            whole,
            "python -c pass",
            whole / interpreter,
        ),
        Row(
            "resolve 10,000 complete: beyond interpreter start",
            whole - interpreter,
            target="< 0.5 s (Luigi: 2.6 s)",
        ),
        Row("resolve 10,000 complete: build_graph in-process", in_process),
    ]


def run_rows(repeat: int, scratch: Path) -> list[Row]:
    """Running 1,000 and 10,000 trivial tasks with 1 and 2 workers."""
    rows = []
    counter = iter(range(1_000_000))
    current: list[Path] = []

    def fresh() -> None:
        for old in current:
            shutil.rmtree(old, ignore_errors=True)
        current[:] = [scratch / f"run-{next(counter)}"]

    per_thousand: dict[tuple[int, int], float] = {}
    interpreter = _quiet([PYTHON, "-c", "pass"], repeat)
    for n in (1_000, 10_000):
        plain = _alternating(
            {
                procs: lambda n=n, procs=procs: [
                    PYTHON,
                    "-c",
                    PLAIN_LOOP,
                    str(current[0]),
                    str(n),
                    str(procs),
                ]
                for procs in (1, 2)
            },
            repeat,
            fresh,
        )
        rows.append(Row(f"write {n:,} files, plain loop in 1 process", plain[1]))
        rows.append(
            Row(
                f"write {n:,} files, plain loop in 2 processes",
                plain[2],
                "plain loop in 1 process",
                plain[2] / plain[1],
                "the disk's own gain from 2 processes",
            )
        )
        measured = _alternating(
            {
                workers: lambda n=n, w=workers: [
                    STREAMFLOW,
                    "run",
                    MANY,
                    "--root",
                    str(current[0]),
                    "--n",
                    str(n),
                    "--workers",
                    str(w),
                    "--no-lock",
                ]
                for workers in (1, 2)
            },
            repeat,
            fresh,
        )
        for workers in (1, 2):
            seconds = measured[workers]
            target = "< 10 s (Luigi: > 5 min)" if n == 10_000 else ""
            if workers == 2:
                target = (target + "; " if target else "") + "not slower than 1 worker"
            if workers == 1:
                baseline, ratio = "plain loop in 1 process", seconds / plain[1]
            else:
                baseline, ratio = "--workers 1", seconds / measured[1]
            rows.append(
                Row(
                    f"run {n:,} trivial tasks, --workers {workers}",
                    seconds,
                    baseline,
                    ratio,
                    target,
                )
            )
            per_thousand[(n, workers)] = (seconds - interpreter) / n * 1000
    for workers in (1, 2):
        small, large = per_thousand[(1_000, workers)], per_thousand[(10_000, workers)]
        rows.append(
            Row(
                f"seconds per 1,000 tasks within a 10,000 run, --workers {workers}",
                large,
                "same within a 1,000 run",
                large / small,
                "ratio ~1: per-task cost flat",
            )
        )
    return rows


def main(repeat: int = 5) -> list[Row]:
    """Every core figure; generated files live in a temporary directory, removed at the end."""
    scratch = Path(tempfile.mkdtemp(prefix="streamflow-bench-core-"))
    try:
        return resolve_rows(repeat, scratch) + run_rows(repeat, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    print_rows(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
