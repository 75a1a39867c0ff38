"""The inline runner: every step in this process, fast, for development and small data.

Each input file is one map task; mapper output is grouped in memory by key (combined when the
step has a combiner) and handed to the reducer in encoded-key order, spilling sorted runs to
disk past ``shuffle_memory_mb``. Python steps only: shell-command steps need ``-r local``.

With the default JSON internal protocol, values are not encoded until they are shuffled to
disk: a mapper must not change an object after yielding it (yield a copy instead).
"""

from __future__ import annotations

import io
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any, BinaryIO

from streamflow.errors import JobError, UsageError
from streamflow.mr.compat import env_name
from streamflow.mr.harness import (
    StepTask,
    TaskFailure,
    load_job_class,
    open_input_file,
    read_line_batches,
    write_lines,
    write_pairs,
)
from streamflow.mr.runners.base import (
    Counters,
    JobSpec,
    Runner,
    expand_inputs,
    make_working_dir,
    parse_task_stderr,
    total_counters,
)
from streamflow.mr.shuffle import Shuffle

log = logging.getLogger("streamflow.mr")

__all__ = ["InlineRunner", "open_input"]


@contextmanager
def open_input(path: str, stdin: BinaryIO | None = None) -> Iterator[BinaryIO]:
    """A binary stream over an input file, decompressing .gz and .bz2; "-" is ``stdin``."""
    if path == "-":
        # The job's stdin stays open: a sandbox may still be read afterwards.
        yield stdin if stdin is not None else io.BytesIO()
        return
    with open_input_file(path) as f:
        yield f


@contextmanager
def task_environment(values: dict[str, str]) -> Iterator[None]:
    """Export jobconf values as Hadoop Streaming does (dots as underscores), then restore."""
    saved = {}
    for name, value in values.items():
        key = env_name(name)
        saved[key] = os.environ.get(key)
        os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class InlineRunner(Runner):
    """Runs a job's Python steps in this process."""

    name = "inline"

    def __init__(
        self,
        spec: JobSpec,
        *,
        tmp_dir: str | None = None,
        shuffle_memory_mb: float = 256,
        stdin: BinaryIO | None = None,
        job_class: type | None = None,
    ) -> None:
        super().__init__(spec, tmp_dir=tmp_dir)
        self.memory_bytes = int(shuffle_memory_mb * 1024 * 1024)
        self.stdin = stdin
        self.job_class = job_class

    def _check_python_only(self) -> None:
        for num, desc in enumerate(self.spec.steps, start=1):
            for phase in ("mapper", "combiner", "reducer"):
                sub = desc.get(phase)
                if sub is None:
                    continue
                if sub["type"] == "command" or "pre_filter" in sub:
                    what = f"{phase}_cmd" if sub["type"] == "command" else f"{phase}_pre_filter"
                    raise UsageError(
                        f"step {num} of {self.spec.job_name} uses {what}, a shell command; "
                        f"the inline runner runs Python methods only",
                        hint="run it with -r local (or -r hadoop)",
                    )

    def _run(self) -> None:
        self._check_python_only()
        if self.job_class is None:
            self.job_class = load_job_class(self.spec.job_name)
        inputs = expand_inputs(self.spec.input_paths)
        self.output_dir = os.path.abspath(self.output_dir)
        workdir = make_working_dir(os.path.join(self.scratch_dir, "work"), self.spec)
        final_dir = self.new_output_dir()
        cwd = os.getcwd()
        os.chdir(workdir)
        try:
            for num, desc in enumerate(self.spec.steps):
                last = num == len(self.spec.steps) - 1
                step_dir = final_dir if last else os.path.join(self.scratch_dir, f"step-{num}")
                os.makedirs(step_dir, exist_ok=True)
                out_path = os.path.join(step_dir, "part-00000")
                self._counters.append({})
                self._run_step(num, desc, inputs, out_path)
                inputs = [out_path]
        except TaskFailure as failure:
            shutil.rmtree(final_dir, ignore_errors=True)
            raise JobError(
                f"job {self.spec.job_name} failed: {failure.where}\n{failure.details.rstrip()}",
                hint="fix the error shown in the traceback and rerun",
            ) from None
        except BaseException:
            shutil.rmtree(final_dir, ignore_errors=True)
            raise
        finally:
            os.chdir(cwd)
        self.commit_output(final_dir)

    def _new_task(self, num: int) -> StepTask:
        job = self.job_class(list(self.spec.task_args))
        job.sandbox(stdin=self.stdin if self.stdin is not None else io.BytesIO())
        return StepTask(job, num)

    def _finish_task(self, task: StepTask, num: int) -> None:
        """Collect a task's counters and status messages."""
        counters: Counters = task.job._counters
        total_counters(self._counters[num], counters)
        task.job._counters = {}
        _, statuses, _ = parse_task_stderr(task.job.stderr.getvalue().decode("utf-8", "replace"))
        for status in statuses:
            log.info("status: %s", status)

    def _step_env(self, desc: dict) -> dict[str, str]:
        return {**self.spec.jobconf, **desc.get("jobconf", {})}

    def _run_step(self, num: int, desc: dict, inputs: list[str], out_path: str) -> None:
        env = self._step_env(desc)
        shuffles = "reducer" in desc or "combiner" in desc
        with open(out_path, "wb") as out:
            shuffle = None
            if shuffles:
                combiner_task = self._new_task(num) if "combiner" in desc else None
                if "mapper" in desc:
                    protocol = combiner_task or self._new_task(num)
                    protocol = protocol.protocols("mapper")[1]
                else:
                    protocol = self._new_task(num).job.internal_protocol()
                shuffle = Shuffle(
                    protocol,
                    memory_bytes=self.memory_bytes,
                    tmp_dir=self.scratch_dir,
                    sort_values=self.spec.sort_values,
                    combine=combiner_task.combine if combiner_task else None,
                )
            try:
                self._map(num, desc, inputs, env, out, shuffle)
                if shuffle is None:
                    return
                with task_environment({**env, "mapreduce.task.ismap": "false"}):
                    if "reducer" in desc:
                        task = self._new_task(num)
                        _read, write = task.protocols("reducer")
                        write_pairs(out, write.write, task.reduce(shuffle.groups()))
                        self._finish_task(task, num)
                    else:
                        write_lines(out, shuffle.sorted_lines())
                if combiner_task is not None:
                    self._finish_task(combiner_task, num)
            finally:
                if shuffle is not None:
                    shuffle.cleanup()

    def _map(
        self,
        num: int,
        desc: dict,
        inputs: list[str],
        env: dict[str, str],
        out: BinaryIO,
        shuffle: Shuffle | None,
    ) -> None:
        if "mapper" not in desc:
            # No mapper: the previous step's encoded lines go straight to the shuffle.
            assert shuffle is not None
            for path in inputs:
                with open_input(path, self.stdin) as f:
                    shuffle.add_lines(chain.from_iterable(read_line_batches(f)))
            return
        for index, path in enumerate(inputs):
            task = self._new_task(num)
            if shuffle is not None:
                emit = shuffle.add_pairs
            else:
                write = task.protocols("mapper")[1].write

                def emit(pairs: Any, write: Any = write) -> None:
                    write_pairs(out, write, pairs)

            size = str(os.path.getsize(path)) if path != "-" else "0"
            task_env = {
                **env,
                "mapreduce.map.input.file": path,
                "mapreduce.map.input.start": "0",
                "mapreduce.map.input.length": size,
                "mapreduce.task.partition": str(index),
                "mapreduce.task.ismap": "true",
            }
            with task_environment(task_env):
                if desc.get("input_manifest"):
                    task.map_raw(path, path, emit)
                else:
                    with open_input(path, self.stdin) as f:
                        task.map_stream(f, emit, "stdin" if path == "-" else path)
            self._finish_task(task, num)
