"""A local runner task in one process, when its mapper or reducer is a Python method.

    PYTHON -m streamflow.mr.local_task TASK_FILE MODULE:CLASS --step-num N --mapper [ARGS]

does what a Hadoop task JVM does around the harness: a map task reads the byte ranges its
task file lists (several small files packed into one task, like Hadoop's
CombineFileInputFormat), setting ``mapreduce.map.input.file``/``start``/``length`` for each,
runs the mapper (and combiner) on them, and hash-partitions and sorts the output into part
files; a reduce task merges its sorted part files into the reducer. The job code runs exactly
as under the harness (same StepTask methods, counters, tracebacks); the records just skip the
pipes. Commands and pre-filters still run as shell pipelines around the harness.

The task file is JSON. A map task's: ``{"ranges": [[path, start, length], ...], "output":
path, "partitions": N}``, a length of -1 meaning the whole file; with N > 0 the output is
``part-NNNNN`` files in the ``output`` directory, with 0 (no reducer) the file ``output``. A
reduce task's: ``{"inputs": [sorted part file, ...], "output": path}``. Standard library only.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import os
import sys
from collections.abc import Iterable
from functools import partial
from typing import Any

from streamflow.mr.compat import env_name
from streamflow.mr.harness import (
    StepTask,
    groups_of_lines,
    load_job_class,
    open_input_file,
    run_reported,
    sort_memory_bytes,
    write_pairs,
)
from streamflow.mr.shuffle import Shuffle, partition_of

__all__ = ["main", "runs_in_one_process"]

_BUFFER = 1 << 16


def runs_in_one_process(desc: dict, phase: str) -> bool:
    """True when the local runner can run ``phase`` of step ``desc`` with this module.

    That is a Python mapper (no pre-filter, not mapper_raw) whose combiner, if any, is a
    Python method it runs itself; or a Python reducer without a pre-filter.
    """
    sub = desc.get(phase)
    if sub is None or sub["type"] != "script" or "pre_filter" in sub:
        return False
    if phase == "reducer":
        return True
    combiner = desc.get("combiner")
    combiner_ok = combiner is None or (
        combiner["type"] == "script" and "pre_filter" not in combiner
    )
    return phase == "mapper" and combiner_ok and not desc.get("input_manifest")


def _set_input(path: str, start: int, length: int) -> str:
    """Export the input-file settings Hadoop gives a mapper; returns the input's description."""
    size = length if length >= 0 else os.path.getsize(path)
    os.environ[env_name("mapreduce.map.input.file")] = path
    os.environ[env_name("mapreduce.map.input.start")] = str(start)
    os.environ[env_name("mapreduce.map.input.length")] = str(size)
    return f"the split starting at byte {start} of {path}" if start else path


def run_map(task: StepTask, ranges: list[list], output: str, partitions: int) -> None:
    """Map every range in turn; partition and sort the output, or write it as it comes."""
    _read, write = task.protocols("mapper")
    if partitions:
        shuffle = Shuffle(
            write,
            memory_bytes=sort_memory_bytes(),
            sort_values=task.job.SORT_VALUES,
            combine=task.combine if "combiner" in task.desc else None,
        )
        try:
            _map_ranges(task, ranges, shuffle.add_pairs)
            _write_partitions(shuffle.sorted_lines(), output, partitions)
        finally:
            shuffle.cleanup()
    else:
        with open(output, "wb", buffering=_BUFFER) as out:
            _map_ranges(task, ranges, partial(write_pairs, out, write.write))


def _map_ranges(task: StepTask, ranges: list[list], emit: Any) -> None:
    # mapper_init and mapper_final run once per task, as in Hadoop, seeing the first and
    # the last input file.
    if ranges:
        _set_input(*ranges[0])
    task.map_init(emit)
    for path, start, length in ranges:
        location = _set_input(path, start, length)
        with open_input_file(path) as stream:
            if start:
                stream.seek(start)
            task.map_lines(stream, emit, location, limit=length)
    task.map_final(emit)


def _write_partitions(lines: Iterable[bytes], directory: str, partitions: int) -> None:
    """Sorted lines to ``directory/part-NNNNN`` by a stable hash of their key."""
    os.makedirs(directory, exist_ok=True)
    with contextlib.ExitStack() as stack:
        outputs = [
            stack.enter_context(
                open(os.path.join(directory, f"part-{n:05d}"), "wb", buffering=_BUFFER)
            )
            for n in range(partitions)
        ]
        last_key = None
        out = outputs[0]
        for line in lines:
            key = line.partition(b"\t")[0]
            # Lines come sorted by key: hash each key once.
            if key != last_key:
                out = outputs[partition_of(key, partitions)]
                last_key = key
            out.write(line + b"\n")


def run_reduce(task: StepTask, inputs: list[str], output: str) -> None:
    """Merge the sorted map outputs into the reducer, writing its output to ``output``."""
    read, write = task.protocols("reducer")
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(open(path, "rb", buffering=_BUFFER)) for path in inputs]
        lines = (line[:-1] for line in heapq.merge(*files))
        out = stack.enter_context(open(output, "wb", buffering=_BUFFER))
        write_pairs(out, write.write, task.reduce(groups_of_lines(lines, read)))


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``TASK_FILE MODULE:CLASS --step-num N --mapper|--reducer [job args]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2:
        sys.stderr.write(
            "usage: python -m streamflow.mr.local_task TASK_FILE MODULE:CLASS "
            "--step-num N --mapper|--reducer [job args]\n"
        )
        sys.exit(2)
    with open(argv[0], encoding="utf-8") as f:
        spec = json.load(f)
    job = load_job_class(argv[1])(argv[2:])
    task = StepTask(job, job.options.step_num)
    if job.options.mapper:
        work = partial(run_map, task, spec["ranges"], spec["output"], spec["partitions"])
    elif job.options.reducer:
        work = partial(run_reduce, task, spec["inputs"], spec["output"])
    else:
        raise SystemExit("streamflow.mr.local_task runs --mapper or --reducer tasks only")
    run_reported(job, work)


if __name__ == "__main__":
    main()
