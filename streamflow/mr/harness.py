"""The task side of a job: what Hadoop Streaming (and the local runner) runs on each node.

    PYTHON -m streamflow.mr.harness MODULE:CLASS --step-num N --mapper|--combiner|--reducer [ARGS]

reads the task's input lines on stdin and writes encoded lines to stdout. Counters and status
go to stderr as ``reporter:counter:GROUP,COUNTER,AMOUNT`` / ``reporter:status:MSG`` lines; a
failure writes the Python traceback and where it happened, then exits 1. A mapper whose step
has a Python combiner combines its own output in memory before writing it (Hadoop may run the
combiner again; combiners must allow that). The phase functions here are also what the inline
runner calls in-process. Standard library only (runs on cluster nodes).
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import chain, repeat, starmap
from typing import Any, BinaryIO

from streamflow.mr.compat import jobconf_from_env
from streamflow.mr.protocol import TextValueProtocol
from streamflow.mr.shuffle import Group, Shuffle, line_key

__all__ = [
    "TaskFailure",
    "combines_in_mapper",
    "main",
    "read_line_batches",
    "run_task",
]

Emit = Callable[[Iterable[tuple[Any, Any]]], None]
_READ_SIZE = 1 << 20
_DEFAULT_SORT_MB = 100


class TaskFailure(Exception):
    """User code failed in a task; ``where`` says where, ``details`` holds the traceback."""

    def __init__(self, where: str, details: str) -> None:
        super().__init__(f"{where}\n{details}")
        self.where = where
        self.details = details


@contextlib.contextmanager
def open_input_file(path: str) -> Iterator[BinaryIO]:
    """A binary stream over an input file, decompressing ``.gz`` and ``.bz2``."""
    if path.endswith(".gz"):
        import gzip

        opener: Any = gzip.open
    elif path.endswith(".bz2"):
        import bz2

        opener = bz2.open
    else:
        opener = open
    with opener(path, "rb") as f:
        yield f


def combines_in_mapper(step_desc: dict) -> bool:
    """True when the mapper task runs the step's combiner itself (both are Python methods)."""
    mapper = step_desc.get("mapper")
    combiner = step_desc.get("combiner")
    return (
        mapper is not None
        and mapper["type"] == "script"
        and combiner is not None
        and combiner["type"] == "script"
        and "pre_filter" not in combiner
        and not step_desc.get("input_manifest")
    )


def _split_block(block: bytes, text: bool) -> list:
    if text:
        try:
            decoded = block.decode("utf-8")
        except UnicodeDecodeError:
            lines = [TextValueProtocol().read(line)[1] for line in block.split(b"\n")]
            return [line.rstrip("\r") for line in lines]
        lines = decoded.split("\n")
        if "\r" in decoded:
            lines = [line.rstrip("\r") for line in lines]
        return lines
    lines = block.split(b"\n")
    if b"\r" in block:
        lines = [line.rstrip(b"\r") for line in lines]
    return lines


def read_line_batches(stream: BinaryIO, text: bool = False, limit: int = -1) -> Iterator[list]:
    """Lines of ``stream`` without line endings, in batches; decoded to str when ``text``.

    With ``limit`` >= 0, only the stream's next ``limit`` bytes are read.
    """
    carry = b""
    remaining = limit
    while remaining != 0:
        data = stream.read(_READ_SIZE if remaining < 0 else min(_READ_SIZE, remaining))
        if not data:
            break
        if remaining > 0:
            remaining -= len(data)
        end = data.rfind(b"\n")
        if end < 0:
            carry += data
            continue
        block = carry + data[:end] if carry else data[:end]
        carry = data[end + 1 :]
        yield _split_block(block, text)
    if carry:
        yield _split_block(carry, text)


def _failure(where: str) -> TaskFailure:
    return TaskFailure(where, traceback.format_exc())


def _run_hook(func: Callable[[], Iterable | None] | None, emit: Emit, where: str) -> None:
    """Run an init/final method; it may yield pairs or return None."""
    if func is None:
        return
    try:
        result = func()
        if result is not None:
            emit(result)
    except TaskFailure:
        raise
    except Exception:
        raise _failure(where) from None


class StepTask:
    """One step of a job instance, with the protocols and methods each phase uses."""

    def __init__(self, job: Any, step_num: int) -> None:
        steps = job._steps_cached()
        if not 0 <= step_num < len(steps):
            raise ValueError(f"--step-num {step_num} is out of range: the job has {len(steps)}")
        self.job = job
        self.step_num = step_num
        self.step = steps[step_num]
        self.desc = job._steps_desc_cached()[step_num]
        self.label = f"step {step_num + 1} of {len(steps)}"

    def protocols(self, phase: str) -> tuple[Any, Any]:
        """(read, write) protocol instances for ``phase``."""
        return self.job.pick_protocols(self.step_num, phase)

    # -- mapper -------------------------------------------------------------------------

    def map_stream(self, stream: BinaryIO, emit: Emit, location: str) -> None:
        """Run mapper_init, the mapper over every line of ``stream``, then mapper_final."""
        self.map_init(emit)
        self.map_lines(stream, emit, location)
        self.map_final(emit)

    def map_init(self, emit: Emit) -> None:
        """Run mapper_init, if the step has one."""
        _run_hook(self.step.function("mapper_init"), emit, f"mapper_init of {self.label} failed")

    def map_final(self, emit: Emit) -> None:
        """Run mapper_final, if the step has one."""
        _run_hook(self.step.function("mapper_final"), emit, f"mapper_final of {self.label} failed")

    def map_lines(self, stream: BinaryIO, emit: Emit, location: str, limit: int = -1) -> None:
        """Run the mapper over the lines of ``stream`` (its first ``limit`` bytes if >= 0)."""
        read, _write = self.protocols("mapper")
        mapper = self.step.function("mapper")
        text_input = read.__class__ is TextValueProtocol
        line_no = 0
        for batch in read_line_batches(stream, text=text_input, limit=limit):
            lines = iter(batch)
            if text_input:
                pairs = chain.from_iterable(map(mapper, repeat(None), lines))
            else:
                pairs = chain.from_iterable(starmap(mapper, map(read.read, lines)))
            try:
                emit(pairs)
            except Exception:
                # map() has consumed exactly the lines up to the failing one.
                failed = line_no + len(batch) - lines.__length_hint__()
                where = f"mapper of {self.label} failed at line {failed} of {location}"
                raise _failure(where) from None
            line_no += len(batch)

    def map_raw(self, path: str, uri: str, emit: Emit) -> None:
        """Run mapper_init, mapper_raw(path, uri), mapper_final for one input file."""
        step = self.step
        _run_hook(step.function("mapper_init"), emit, f"mapper_init of {self.label} failed")
        raw = step.function("mapper_raw")
        try:
            emit(raw(path, uri))
        except Exception:
            raise _failure(f"mapper_raw of {self.label} failed on input {uri}") from None
        _run_hook(step.function("mapper_final"), emit, f"mapper_final of {self.label} failed")

    # -- combiner and reducer -------------------------------------------------------------

    def combine(self, groups: Iterator[Group]) -> Iterator[tuple[Any, Any]]:
        """combiner_init, the combiner over each group, combiner_final, as one pair stream."""
        return self._over_groups("combiner", groups)

    def reduce(self, groups: Iterator[Group]) -> Iterator[tuple[Any, Any]]:
        """reducer_init, the reducer over each group, reducer_final, as one pair stream."""
        return self._over_groups("reducer", groups)

    def _over_groups(self, phase: str, groups: Iterator[Group]) -> Iterator[tuple[Any, Any]]:
        step = self.step
        init = step.function(f"{phase}_init")
        final = step.function(f"{phase}_final")
        func = step.function(phase)
        if init is not None:
            yield from self._guard(init, f"{phase}_init of {self.label} failed")
        for key, values in groups:
            try:
                yield from func(key, values) or ()
            except Exception:
                raise _failure(f"{phase} of {self.label} failed on key {key!r}") from None
        if final is not None:
            yield from self._guard(final, f"{phase}_final of {self.label} failed")

    @staticmethod
    def _guard(func: Callable[[], Iterable | None], where: str) -> Iterator[tuple[Any, Any]]:
        try:
            yield from func() or ()
        except Exception:
            raise _failure(where) from None


def read_groups(stream: BinaryIO, protocol: Any) -> Iterator[Group]:
    """Sorted encoded lines from ``stream`` as (key, values) groups of consecutive equal keys."""
    return groups_of_lines(chain.from_iterable(read_line_batches(stream)), protocol)


def groups_of_lines(lines: Iterable[bytes], protocol: Any) -> Iterator[Group]:
    """Sorted encoded lines (no newlines) as (key, values) groups of consecutive equal keys."""
    read = protocol.read
    for _raw, same_key in itertools.groupby(lines, key=line_key):
        first = next(same_key)
        key, value = read(first)
        # The values are read lazily, before groupby moves on to the next key.
        yield key, chain((value,), (read(line)[1] for line in same_key))  # noqa: B031


def write_pairs(out: BinaryIO, write: Callable[[Any, Any], bytes], pairs: Iterable) -> None:
    """Encode pairs and write them as lines."""
    pairs = iter(pairs)
    while True:
        chunk = list(itertools.islice(pairs, 8192))
        if not chunk:
            return
        out.write(b"\n".join(list(starmap(write, chunk))) + b"\n")


def write_lines(out: BinaryIO, lines: Iterable[bytes]) -> None:
    """Write encoded lines, adding newlines."""
    out.writelines(line + b"\n" for line in lines)


def sort_memory_bytes() -> int:
    """The task's sort/combine memory budget (Hadoop's mapreduce.task.io.sort.mb)."""
    value = jobconf_from_env("mapreduce.task.io.sort.mb", str(_DEFAULT_SORT_MB))
    try:
        return int(float(value) * 1024 * 1024)
    except ValueError:
        return _DEFAULT_SORT_MB * 1024 * 1024


def _input_location() -> str:
    path = jobconf_from_env("mapreduce.map.input.file") or "stdin"
    start = jobconf_from_env("mapreduce.map.input.start") or "0"
    if start not in ("", "0"):
        return f"the split starting at byte {start} of {path}"
    return path


def _local_copy(uri: str, tmp_dir: str) -> str:
    """A local path for a manifest entry: the path itself, or a copy fetched with hadoop fs."""
    if "://" not in uri or uri.startswith("file://"):
        return uri[len("file://") :] if uri.startswith("file://") else uri
    import shutil
    import subprocess

    hadoop = os.environ.get("HADOOP_BIN") or shutil.which("hadoop") or "hadoop"
    target = os.path.join(tmp_dir, os.path.basename(uri.rstrip("/")) or "input")
    subprocess.run([hadoop, "fs", "-copyToLocal", uri, target], check=True)
    return target


def _map_manifest(task: StepTask, stdin: BinaryIO, emit: Emit) -> None:
    """mapper_raw over each file named in the manifest lines on ``stdin``."""
    # Imported here: only mapper_raw tasks need them, and every task pays for its imports.
    import shutil
    import tempfile

    tmp_dir = tempfile.mkdtemp(prefix="streamflow-manifest-")
    try:
        for batch in read_line_batches(stdin, text=True):
            for line in batch:
                if not line:
                    continue
                uri = line.rsplit("\t", 1)[-1]
                task.map_raw(_local_copy(uri, tmp_dir), uri, emit)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def run_task(job: Any, phase: str, step_num: int) -> None:
    """Run one phase of one step over the job's stdin and stdout (raises TaskFailure)."""
    task = StepTask(job, step_num)
    stdin, stdout = job.stdin, job.stdout
    if phase == "mapper":
        _read, write = task.protocols("mapper")
        if task.desc.get("input_manifest"):
            _map_manifest(task, stdin, partial(write_pairs, stdout, write.write))
        elif combines_in_mapper(task.desc):
            shuffle = Shuffle(
                write,
                memory_bytes=sort_memory_bytes(),
                sort_values=job.SORT_VALUES,
                combine=task.combine,
            )
            try:
                task.map_stream(stdin, shuffle.add_pairs, _input_location())
                write_lines(stdout, shuffle.sorted_lines())
            finally:
                shuffle.cleanup()
        else:
            task.map_stream(
                stdin, lambda pairs: write_pairs(stdout, write.write, pairs), _input_location()
            )
    elif phase in ("combiner", "reducer"):
        read, write = task.protocols(phase)
        over_groups = task.combine if phase == "combiner" else task.reduce
        write_pairs(stdout, write.write, over_groups(read_groups(stdin, read)))
    else:
        raise ValueError(f"unknown task phase {phase!r}: use mapper, combiner or reducer")
    stdout.flush()


def run_reported(job: Any, work: Callable[[], None]) -> None:
    """Run ``work()`` as one of ``job``'s tasks: counters, and a failure's traceback, go to
    the job's stderr; a failure exits 1."""
    try:
        work()
    except TaskFailure as failure:
        job._flush_counters()
        job.stderr.write(f"streamflow: {failure.where}\n{failure.details}".encode())
        job.stderr.flush()
        sys.exit(1)
    job._flush_counters()


def load_job_class(name: str) -> type:
    """Import ``module:Class``."""
    module_name, sep, class_name = name.partition(":")
    if not sep or not module_name or not class_name:
        raise ValueError(f"job {name!r} is not MODULE:CLASS (e.g. jobs.word_count:MRWordCount)")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, class_name)
    except AttributeError:
        raise ValueError(f"module {module_name} has no class {class_name}") from None


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``MODULE:CLASS --step-num N --mapper [job args]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-"):
        sys.stderr.write(
            "usage: python -m streamflow.mr.harness MODULE:CLASS --step-num N "
            "--mapper|--combiner|--reducer [job args]\n"
        )
        sys.exit(2)
    job_class = load_job_class(argv[0])
    job_class(argv[1:]).execute()


if __name__ == "__main__":
    main()
