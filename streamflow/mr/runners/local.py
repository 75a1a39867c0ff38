"""The local runner: a job on all local cores, each task a separate process, like Hadoop.

Inputs are cut into splits: byte ranges aligned to line starts (a split owns the lines that
start in it), or a whole file when compressed. A Python mapper (with its combiner, if any) runs
as one process, ``streamflow.mr.local_task``, which reads its splits itself, several small ones
packed into one task like Hadoop's CombineFileInputFormat, and writes its output hash-partitioned
by key and sorted. Otherwise a map task is a bash pipeline over one split: a reader (``head``/
``tail``, or ``gzip -dc``/``bzip2 -dc``), the optional pre-filter, the mapper (the harness, or a
shell command), then ``streamflow.mr.shuffle partition``. A reduce task merges its partition from
every map task into the reducer: in one process for a Python reducer, else through
``streamflow.mr.shuffle merge`` and a pipe. This process only starts tasks and reads their
stderr: no record passes through it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import math
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from streamflow.errors import JobError, UsageError
from streamflow.mr.compat import env_name, jobconf_from_env
from streamflow.mr.harness import combines_in_mapper
from streamflow.mr.local_task import runs_in_one_process
from streamflow.mr.runners.base import (
    Counters,
    JobSpec,
    Runner,
    expand_inputs,
    make_working_dir,
    parse_task_stderr,
    total_counters,
)

log = logging.getLogger("streamflow.mr")

__all__ = ["LocalRunner", "Split", "compute_splits", "pack_splits"]

_STREAMFLOW_ROOT = str(Path(__file__).resolve().parents[3])
_MIN_SPLIT = 1 << 20
_MAX_SPLIT = 256 << 20
_COMPRESSED = {".gz": "gzip -dc", ".bz2": "bzip2 -dc"}


@dataclass(frozen=True)
class Split:
    """A map task's input: ``length`` bytes of ``path`` from ``start`` (whole file: -1)."""

    path: str
    start: int = 0
    length: int = -1


def _line_start_at_or_after(f: BinaryIO, offset: int) -> int:
    """The offset of the first line starting at or after ``offset``."""
    f.seek(offset - 1)
    f.readline()
    return f.tell()


def compute_splits(paths: list[str], split_size: int) -> list[Split]:
    """Byte-range splits aligned to line starts (a split owns the lines starting in it).

    Compressed files cannot be split: each is one split.
    """
    splits = []
    for path in paths:
        size = os.path.getsize(path)
        if os.path.splitext(path)[1] in _COMPRESSED or size <= split_size:
            splits.append(Split(path))
            continue
        count = math.ceil(size / split_size)
        with open(path, "rb") as f:
            bounds = [0]
            for n in range(1, count):
                bound = _line_start_at_or_after(f, n * size // count)
                if bound > bounds[-1] and bound < size:
                    bounds.append(bound)
            bounds.append(size)
        for start, end in itertools.pairwise(bounds):
            splits.append(Split(path, start, end - start))
    return splits


def _size(split: Split) -> int:
    return os.path.getsize(split.path) if split.length < 0 else split.length


def pack_splits(splits: list[Split], count: int) -> list[list[Split]]:
    """Consecutive splits in ``count`` groups of about the same number of bytes."""
    total = sum(_size(split) for split in splits) or 1
    groups: list[list[Split]] = [[] for _ in range(max(count, 1))]
    offset = 0
    for split in splits:
        size = _size(split)
        # The group whose share of the bytes holds the split's middle byte.
        groups[min((offset + size // 2) * len(groups) // total, len(groups) - 1)].append(split)
        offset += size
    return [group for group in groups if group]


def _reader_command(split: Split) -> str:
    """A shell command writing the split's bytes (decompressed) to stdout."""
    quoted = shlex.quote(split.path)
    decompress = _COMPRESSED.get(os.path.splitext(split.path)[1])
    if decompress:
        return f"{decompress} {quoted}"
    if split.length < 0:
        return f"cat {quoted}"
    if split.start == 0:
        return f"head -c {split.length} {quoted}"
    # tail is cut off by SIGPIPE (status 141) once head has its bytes: that is success.
    return f"(tail -c +{split.start + 1} {quoted} || [ $? -eq 141 ]) | head -c {split.length}"


@dataclass
class _Task:
    name: str
    script: str
    env: dict[str, str]
    stderr_path: str
    step_num: int


class LocalRunner(Runner):
    """Runs each map and reduce task as a separate process, ``num_cores`` at a time."""

    name = "local"

    def __init__(
        self,
        spec: JobSpec,
        *,
        tmp_dir: str | None = None,
        shuffle_memory_mb: float = 256,
        num_cores: int = 0,
        python_bin: str | None = None,
        stdin: BinaryIO | None = None,
    ) -> None:
        super().__init__(spec, tmp_dir=tmp_dir)
        if num_cores < 0:
            raise UsageError(f"--num-cores must be 0 (all cores) or more, got {num_cores}")
        self.num_cores = num_cores or os.cpu_count() or 1
        self.memory_mb = float(shuffle_memory_mb)
        self.python = python_bin or sys.executable
        self.stdin = stdin
        self._lock = threading.Lock()
        self._running: list[subprocess.Popen] = []

    # -- commands ------------------------------------------------------------------------

    def _harness(self, num: int, phase: str) -> str:
        return self._task_command("streamflow.mr.harness", num, phase)

    def _task_command(self, module: str, num: int, phase: str, *leading: str) -> str:
        args = [
            self.python,
            "-m",
            module,
            *leading,
            self.spec.job_name,
            "--step-num",
            str(num),
            f"--{phase}",
            *self.spec.task_args,
        ]
        return shlex.join(args)

    def _substep(self, num: int, desc: dict, phase: str) -> str | None:
        """The shell pipeline for one substep, or None when the step has none."""
        sub = desc.get(phase)
        if sub is None:
            return None
        if sub["type"] == "command":
            return f"( {sub['command']} )"
        command = self._harness(num, phase)
        if "pre_filter" in sub:
            return f"( {sub['pre_filter']} ) | {command}"
        return command

    def _python(self, *args: str) -> str:
        return shlex.join([self.python, "-m", *args])

    def _task_memory_mb(self) -> float:
        return max(self.memory_mb / self.num_cores, 1.0)

    def _partition(self, directory: str, partitions: int) -> str:
        return self._python(
            "streamflow.mr.shuffle",
            "partition",
            "--partitions",
            str(partitions),
            "--memory-mb",
            str(self._task_memory_mb()),
            "--tmp-dir",
            self.scratch_dir,
            directory,
        )

    def _base_env(self, num: int, desc: dict) -> dict[str, str]:
        env = dict(os.environ)
        paths = [self.spec.python_path, _STREAMFLOW_ROOT]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(paths)
        env["TMPDIR"] = self.scratch_dir
        for name, value in {**self.spec.jobconf, **desc.get("jobconf", {})}.items():
            env[env_name(name)] = value
        env["mapreduce_task_io_sort_mb"] = str(self._task_memory_mb())
        return env

    def _step_conf(self, desc: dict, name: str, default: str) -> str:
        conf = {env_name(k): v for k, v in {**self.spec.jobconf, **desc.get("jobconf", {})}.items()}
        return jobconf_from_env(name, default, env=conf) or default

    # -- running -------------------------------------------------------------------------

    def _run(self) -> None:
        inputs = expand_inputs(self.spec.input_paths)
        if "-" in inputs:
            stdin_copy = os.path.join(self.scratch_dir, "stdin")
            with open(stdin_copy, "wb") as out:
                if self.stdin is not None:
                    shutil.copyfileobj(self.stdin, out)
            inputs = [stdin_copy if p == "-" else p for p in inputs]
        self.output_dir = os.path.abspath(self.output_dir)
        self.workdir = make_working_dir(os.path.join(self.scratch_dir, "work"), self.spec)
        final_dir = self.new_output_dir()
        try:
            for num, desc in enumerate(self.spec.steps):
                last = num == len(self.spec.steps) - 1
                step_out = final_dir if last else os.path.join(self.scratch_dir, f"step-{num}")
                os.makedirs(step_out, exist_ok=True)
                self._counters.append({})
                self._run_step(num, desc, inputs, step_out)
                inputs = expand_inputs([step_out])
        except BaseException:
            shutil.rmtree(final_dir, ignore_errors=True)
            raise
        self.commit_output(final_dir)

    def _run_step(self, num: int, desc: dict, inputs: list[str], out_dir: str) -> None:
        base_env = self._base_env(num, desc)
        shuffles = "reducer" in desc or "combiner" in desc
        reducers = int(self._step_conf(desc, "mapreduce.job.reduces", str(self.num_cores)))
        reducers = max(reducers, 1) if shuffles else 0
        map_root = os.path.join(self.scratch_dir, f"step-{num}-map")

        map_tasks = []
        for index, splits in enumerate(self._map_inputs(desc, inputs)):
            map_dir = os.path.join(map_root, f"{index:05d}")
            output = map_dir if shuffles else os.path.join(out_dir, f"part-{index:05d}")
            if runs_in_one_process(desc, "mapper"):
                ranges = [[split.path, split.start, split.length] for split in splits]
                task_file = {"ranges": ranges, "output": output, "partitions": reducers}
                script = self._one_process(num, "mapper", f"map-{index:05d}", task_file)
            else:
                script = self._map_pipeline(num, desc, index, splits[0], output, reducers)
                if "combiner" in desc and not combines_in_mapper(desc):
                    script += self._combine_partitions(num, desc, map_root, index, reducers)
            env = dict(base_env)
            # A packed task's own process sets these for each of its splits.
            env.update(
                {
                    "mapreduce_map_input_file": splits[0].path,
                    "mapreduce_map_input_start": str(splits[0].start),
                    "mapreduce_map_input_length": str(_size(splits[0])),
                    "mapreduce_task_partition": str(index),
                    "mapreduce_task_ismap": "true",
                }
            )
            map_tasks.append(self._task(f"map {index}", script, env, num))
        self._run_tasks(map_tasks)
        if not shuffles:
            return

        reduce_tasks = []
        for part in range(reducers):
            files = [
                os.path.join(map_root, f"{index:05d}", f"part-{part:05d}")
                for index in range(len(map_tasks))
            ]
            target = os.path.join(out_dir, f"part-{part:05d}")
            if runs_in_one_process(desc, "reducer"):
                task_file = {"inputs": files, "output": target}
                script = self._one_process(num, "reducer", f"reduce-{part:05d}", task_file)
            else:
                stages = [self._python("streamflow.mr.shuffle", "merge", *files)]
                reducer = self._substep(num, desc, "reducer")
                if reducer is not None:
                    stages.append(reducer)
                script = " | ".join(stages) + f" > {shlex.quote(target)}"
            env = dict(base_env)
            env.update({"mapreduce_task_partition": str(part), "mapreduce_task_ismap": "false"})
            reduce_tasks.append(self._task(f"reduce {part}", script, env, num))
        self._run_tasks(reduce_tasks)
        shutil.rmtree(map_root, ignore_errors=True)

    def _map_inputs(self, desc: dict, inputs: list[str]) -> list[list[Split]]:
        """The splits of each map task: packed together when one process reads them."""
        if desc.get("input_manifest"):
            return [[Split(path)] for path in inputs]
        max_split = int(
            self._step_conf(desc, "mapreduce.input.fileinputformat.split.maxsize", str(_MAX_SPLIT))
        )
        total = sum(os.path.getsize(p) for p in inputs)
        split_size = max(min(max(math.ceil(total / self.num_cores), _MIN_SPLIT), max_split), 1)
        splits = compute_splits(inputs, split_size)
        if not runs_in_one_process(desc, "mapper"):
            return [[split] for split in splits]
        return pack_splits(splits, math.ceil(total / split_size))

    def _one_process(self, num: int, phase: str, name: str, task_file: dict) -> str:
        """The command of a task run by streamflow.mr.local_task, described by ``task_file``."""
        path = os.path.join(self.scratch_dir, f"step-{num}-{name}.json")
        Path(path).write_text(json.dumps(task_file), encoding="utf-8")
        # Anything the job prints to stdout goes to the task's log, not among its records.
        return self._task_command("streamflow.mr.local_task", num, phase, path) + " >&2"

    def _map_pipeline(
        self, num: int, desc: dict, index: int, split: Split, output: str, reducers: int
    ) -> str:
        """A bash pipeline: the split's reader, the pre-filter and mapper, the partitioner."""
        if desc.get("input_manifest"):
            manifest = os.path.join(self.scratch_dir, f"manifest-{num}-{index:05d}")
            Path(manifest).write_text(split.path + "\n")
            stages = [f"cat {shlex.quote(manifest)}"]
        else:
            stages = [_reader_command(split)]
        mapper = self._substep(num, desc, "mapper")
        if mapper is not None:
            stages.append(mapper)
        if reducers:
            return " | ".join([*stages, self._partition(output, reducers)])
        return " | ".join(stages) + f" > {shlex.quote(output)}"

    def _combine_partitions(
        self, num: int, desc: dict, map_root: str, index: int, reducers: int
    ) -> str:
        """Shell commands running the combiner over each sorted partition of one map task."""
        combiner = self._substep(num, desc, "combiner")
        script = ""
        for part in range(reducers):
            path = shlex.quote(os.path.join(map_root, f"{index:05d}", f"part-{part:05d}"))
            resorted = os.path.join(map_root, f"{index:05d}-{part:05d}")
            script += (
                f" && {combiner} < {path} | {self._partition(resorted, 1)}"
                f" && mv {shlex.quote(os.path.join(resorted, 'part-00000'))} {path}"
            )
        return script

    def _task(self, name: str, script: str, env: dict[str, str], num: int) -> _Task:
        safe = name.replace(" ", "-")
        stderr_path = os.path.join(self.scratch_dir, f"step-{num}-{safe}.stderr")
        return _Task(name, script, env, stderr_path, num)

    def _run_tasks(self, tasks: list[_Task]) -> None:
        """Run tasks ``num_cores`` at a time; on the first failure stop the rest and raise."""
        failures: list[tuple[_Task, int]] = []
        pending = list(reversed(tasks))
        done = threading.Event()

        def worker() -> None:
            while True:
                with self._lock:
                    if not pending or failures:
                        return
                    task = pending.pop()
                code = self._run_one(task)
                if code != 0:
                    with self._lock:
                        failures.append((task, code))
                        running = list(self._running)
                    for proc in running:
                        _kill(proc)

        threads = [threading.Thread(target=worker) for _ in range(min(self.num_cores, len(tasks)))]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                thread.join()
        except BaseException:
            with self._lock:
                pending.clear()
                for proc in self._running:
                    _kill(proc)
            raise
        finally:
            done.set()
        for task in tasks:
            if os.path.exists(task.stderr_path):
                self._collect(task)
        if failures:
            task, code = failures[0]
            raise self._failure(task, code)

    def _run_one(self, task: _Task) -> int:
        with open(task.stderr_path, "wb") as stderr:
            proc = subprocess.Popen(
                ["bash", "-c", f"set -o pipefail; {task.script}"],
                cwd=self.workdir,
                env=task.env,
                stdin=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
            with self._lock:
                self._running.append(proc)
            try:
                return proc.wait()
            finally:
                with self._lock:
                    self._running.remove(proc)

    def _collect(self, task: _Task) -> None:
        text = Path(task.stderr_path).read_text(encoding="utf-8", errors="replace")
        counters, statuses, _ = parse_task_stderr(text)
        step_counters: Counters = self._counters[task.step_num]
        total_counters(step_counters, counters)
        for status in statuses:
            log.info("%s of step %d: %s", task.name, task.step_num + 1, status)

    def _failure(self, task: _Task, code: int) -> JobError:
        text = Path(task.stderr_path).read_text(encoding="utf-8", errors="replace")
        _, _, other = parse_task_stderr(text)
        lines = other.rstrip().splitlines()
        if len(lines) > 60:
            lines = ["...", *lines[-60:]]
        detail = "\n".join(lines) or "(the task wrote nothing to stderr)"
        how = f"exited with status {code}" if code > 0 else f"was killed by signal {-code}"
        return JobError(
            f"job {self.spec.job_name} failed: {task.name} of step {task.step_num + 1} {how}\n"
            f"{detail}",
            hint="fix the error shown above and rerun",
        )


def _kill(proc: subprocess.Popen) -> None:
    """Stop a task's whole process group (bash and its pipeline)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
