"""What every runner shares: the JobSpec it receives, its life cycle, output and counters.

A runner gets a ``JobSpec`` (plain data, never the job class) plus explicit keyword options,
and is used as a context manager::

    with runner_class(spec, **options) as runner:
        runner.run()                  # raises streamflow.errors.JobError on failure
        for chunk in runner.cat_output(): ...
        runner.counters()             # one {group: {counter: total}} dict per step

``run()`` checks its inputs then calls the subclass's ``_run()``, which must leave the job's
output as ``<output_dir>/part-NNNNN`` files plus ``_SUCCESS``, created atomically (build it in
``self.new_output_dir()``'s temporary directory, then ``self.commit_output(tmp)``). When the
spec has no ``output_dir`` the output goes to a scratch directory removed by ``cleanup()``.

Step descriptions (``spec.steps``) are ``MRStep.description()`` dicts: ``"mapper"``,
``"combiner"``, ``"reducer"`` keys each ``{"type": "script"}`` (run the harness; may carry
``"pre_filter": "shell cmd"``) or ``{"type": "command", "command": "shell cmd"}``; an absent
key means no such substep (no mapper: identity; a combiner without reducer: identity
reducer); ``"input_manifest": True`` means ``mapper_raw``: each map task gets input lines that
are file URIs, one per line; ``"jobconf"`` holds per-step settings. The harness command is
``PYTHON -m streamflow.mr.harness JOB_NAME --step-num N --mapper|--combiner|--reducer
TASK_ARGS...`` with ``spec.python_path`` on PYTHONPATH.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamflow.errors import JobError, MissingInput, UsageError

log = logging.getLogger("streamflow.mr")

__all__ = [
    "JobSpec",
    "Runner",
    "expand_inputs",
    "job_location",
    "make_working_dir",
    "parse_task_stderr",
    "total_counters",
]

Counters = dict[str, dict[str, int]]


@dataclass(frozen=True)
class JobSpec:
    """Everything a runner needs to know about a job, as plain data.

    - ``job_name``: "module:Class", importable once ``python_path`` is on sys.path.
    - ``python_path``: the directory holding the job's top-level module or package.
    - ``job_file``: the job's module file (what to ship; its package root is python_path).
    - ``task_args``: passthru and file arguments every task must get (file args already
      rewritten to the shipped file's name).
    - ``steps``: the steps description (see the module docstring).
    - ``jobconf``: JOBCONF and --jobconf merged, strings.
    - ``input_paths``: local or remote paths; "-" means the job's stdin.
    - ``output_dir``: where the output goes, or None for a runner scratch directory.
    - ``files``/``dirs``/``archives``: local paths to put in each task's working directory,
      optionally "path#name" to rename.
    - ``sort_values``: reducers must see each key's values sorted (mrjob's SORT_VALUES).
    """

    job_name: str
    python_path: str
    job_file: str
    steps: tuple[dict, ...]
    input_paths: tuple[str, ...] = ("-",)
    output_dir: str | None = None
    task_args: tuple[str, ...] = ()
    jobconf: dict[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()
    archives: tuple[str, ...] = ()
    sort_values: bool = False
    hadoop_input_format: str | None = None
    hadoop_output_format: str | None = None
    partitioner: str | None = None


def job_location(job_class: type) -> tuple[str, str, str]:
    """(job_name, python_path, job_file) for a job class defined in an importable file."""
    module_name = job_class.__module__
    module = sys.modules.get(module_name)
    job_file = getattr(module, "__file__", None)
    if not job_file:
        raise UsageError(
            f"job class {job_class.__name__} is not defined in a file, so tasks cannot import it",
            hint="define the job in a module (a .py file) and run it from there",
        )
    job_file = os.path.abspath(job_file)
    if module_name == "__main__":
        spec = getattr(module, "__spec__", None)
        module_name = spec.name if spec is not None else Path(job_file).stem
    depth = module_name.count(".") + 1
    if Path(job_file).name == "__init__.py":
        depth += 1
    python_path = str(Path(job_file).parents[depth - 1])
    return f"{module_name}:{job_class.__qualname__}", python_path, job_file


def expand_inputs(paths: tuple[str, ...] | list[str]) -> list[str]:
    """Input paths with directories replaced by their files (skipping _* and .* like Hadoop)."""
    expanded = []
    for path in paths:
        if path != "-" and os.path.isdir(path):
            expanded.extend(
                os.path.join(path, name)
                for name in sorted(os.listdir(path))
                if not name.startswith(("_", ".")) and os.path.isfile(os.path.join(path, name))
            )
        else:
            expanded.append(path if path == "-" else os.path.abspath(path))
    return expanded


def split_name(entry: str) -> tuple[str, str]:
    """("path", "name") from "path#name" or "path"."""
    path, sep, name = entry.partition("#")
    return path, (name if sep and name else os.path.basename(path.rstrip("/")))


def make_working_dir(directory: str, spec: JobSpec) -> str:
    """A task working directory holding links to the job's FILES, DIRS and file args."""
    os.makedirs(directory, exist_ok=True)
    for entry in (*spec.files, *spec.dirs):
        path, name = split_name(entry)
        if not os.path.exists(path):
            raise MissingInput(
                f"file {path} to ship with the job does not exist",
                hint="check FILES/DIRS and the file arguments of the job",
            )
        link = os.path.join(directory, name)
        if not os.path.lexists(link):
            os.symlink(os.path.abspath(path), link)
    return directory


def parse_task_stderr(text: str) -> tuple[Counters, list[str], str]:
    """Split a task's stderr into (counters, status messages, everything else)."""
    counters: Counters = {}
    statuses: list[str] = []
    other: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("reporter:counter:"):
            parts = line[len("reporter:counter:") :].rstrip("\n").split(",")
            if len(parts) == 3:
                group, name, amount = parts
                try:
                    add_counter(counters, group, name, int(amount))
                    continue
                except ValueError:
                    pass
        elif line.startswith("reporter:status:"):
            statuses.append(line[len("reporter:status:") :].rstrip("\n"))
            continue
        other.append(line)
    return counters, statuses, "".join(other)


def add_counter(counters: Counters, group: str, name: str, amount: int) -> None:
    """Add to one counter in place."""
    by_name = counters.setdefault(group, {})
    by_name[name] = by_name.get(name, 0) + amount


def total_counters(into: Counters, more: Counters) -> None:
    """Add every counter of ``more`` into ``into``."""
    for group, by_name in more.items():
        for name, amount in by_name.items():
            add_counter(into, group, name, amount)


def format_counters(per_step: list[Counters]) -> str:
    """Counters as indented text, one block per step that has any."""
    lines = []
    for num, counters in enumerate(per_step, start=1):
        if not counters:
            continue
        lines.append(f"Counters of step {num}:\n")
        for group in sorted(counters):
            lines.append(f"  {group}\n")
            for name in sorted(counters[group]):
                lines.append(f"    {name}={counters[group][name]}\n")
    return "".join(lines)


class Runner:
    """Base of the inline, local and hadoop runners: life cycle, output, counters."""

    name = "base"

    def __init__(self, spec: JobSpec, *, tmp_dir: str | None = None) -> None:
        self.spec = spec
        self.tmp_root = tmp_dir or None
        self._scratch: str | None = None
        self._counters: list[Counters] = []
        self._ran = False
        self.output_dir = spec.output_dir

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.cleanup()

    @property
    def scratch_dir(self) -> str:
        """A private temporary directory for this run, removed by cleanup()."""
        if self._scratch is None:
            if self.tmp_root:
                os.makedirs(self.tmp_root, exist_ok=True)
            self._scratch = tempfile.mkdtemp(prefix=f"streamflow-{self.name}-", dir=self.tmp_root)
        return self._scratch

    def run(self) -> None:
        """Run the job to completion; raises JobError (or MissingInput/UsageError)."""
        if self._ran:
            raise UsageError("this runner has already run its job; make a new runner")
        if not self.spec.steps:
            raise UsageError(f"job {self.spec.job_name} has no steps")
        self._check_output_dir()
        self._check_inputs()
        if self.output_dir is None:
            self.output_dir = os.path.join(self.scratch_dir, "output")
        self._run()
        self._ran = True
        log.info("job %s finished; output in %s", self.spec.job_name, self.output_dir)

    def _run(self) -> None:
        raise NotImplementedError

    def _check_output_dir(self) -> None:
        if self.output_dir and os.path.exists(self.output_dir):
            raise UsageError(
                f"output directory {self.output_dir} already exists",
                hint="remove it or choose another --output-dir; jobs never overwrite output",
            )

    def _check_inputs(self) -> None:
        missing = [p for p in self.spec.input_paths if p != "-" and not os.path.exists(p)]
        if missing:
            raise MissingInput(
                f"input path(s) not found: {', '.join(missing)}",
                hint="check the paths; a job's inputs must exist before it runs",
            )

    def new_output_dir(self) -> str:
        """A temporary directory next to the output path, to be committed when complete."""
        assert self.output_dir is not None
        parent = os.path.dirname(os.path.abspath(self.output_dir))
        os.makedirs(parent, exist_ok=True)
        name = os.path.basename(self.output_dir.rstrip("/"))
        return tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=parent)

    def commit_output(self, tmp_dir: str) -> None:
        """Mark ``tmp_dir`` complete with _SUCCESS and move it to the output path."""
        assert self.output_dir is not None
        Path(tmp_dir, "_SUCCESS").touch()
        try:
            os.rename(tmp_dir, self.output_dir)
        except OSError as error:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            raise JobError(
                f"could not move the finished output to {self.output_dir}: {error}",
                hint="another run may have created it meanwhile; remove it and rerun",
            ) from None

    def output_files(self) -> list[str]:
        """The output's part files, in name order."""
        if not self._ran or self.output_dir is None:
            raise UsageError("call run() before reading the output")
        return sorted(
            os.path.join(self.output_dir, name)
            for name in os.listdir(self.output_dir)
            if name.startswith("part-")
        )

    def cat_output(self) -> Iterator[bytes]:
        """The output's lines, as bytes (with newlines), part file by part file."""
        for path in self.output_files():
            with open(path, "rb") as f:
                yield from f

    def counters(self) -> list[Counters]:
        """Counters totalled across tasks: one {group: {counter: amount}} per step."""
        return [dict(step) for step in self._counters]

    def counters_summary(self) -> str:
        """The counters as text for the end of a job (empty when there are none)."""
        return format_counters(self._counters)

    def cleanup(self) -> None:
        """Remove this runner's scratch directory (and the output, if it lives there)."""
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
