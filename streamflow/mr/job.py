"""MRJob: the class a MapReduce job inherits from, mrjob-compatible.

The same class is the program a user runs (``python my_job.py INPUT -r local``) and the task
Hadoop Streaming runs on each node (``--step-num N --mapper``). Standard library only at import
time: runners are imported lazily, when a job is launched, never on the task side.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from streamflow.mr.protocol import JSONProtocol, RawValueProtocol
from streamflow.mr.step import COMMAND_OPTIONS, STEP_METHODS, MRStep

__all__ = ["MRJob"]

RUNNERS = ("inline", "local", "hadoop")


def _parse_jobconf(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"--jobconf takes KEY=VALUE, got {text!r}")
    return key, value


class MRJob:
    """Base class of MapReduce jobs: override mapper/combiner/reducer or steps()."""

    INPUT_PROTOCOL: type = RawValueProtocol
    INTERNAL_PROTOCOL: type = JSONProtocol
    OUTPUT_PROTOCOL: type = JSONProtocol
    JOBCONF: dict[str, Any] = {}
    SORT_VALUES: bool = False
    FILES: list[str] = []
    DIRS: list[str] = []
    ARCHIVES: list[str] = []
    HADOOP_INPUT_FORMAT: str | None = None
    HADOOP_OUTPUT_FORMAT: str | None = None
    PARTITIONER: str | None = None

    def __init__(self, args: list[str] | None = None) -> None:
        self.stdin = sys.stdin.buffer
        self.stdout = sys.stdout.buffer
        self.stderr = sys.stderr.buffer
        self._passthru: list[argparse.Action] = []
        self._file_args: list[argparse.Action] = []
        self.arg_parser = argparse.ArgumentParser(
            usage=f"{type(self).__name__} [options] [INPUT ...]", allow_abbrev=False
        )
        self.configure_args()
        self._raw_args = list(sys.argv[1:] if args is None else args)
        self.options = self.arg_parser.parse_args(self._raw_args)
        self.load_args(self._raw_args)
        self._counters: dict[str, dict[str, int]] = {}
        self._steps_list: list[MRStep] | None = None
        self._steps_description: list[dict] | None = None

    # -- command line -----------------------------------------------------------------------

    def configure_args(self) -> None:
        """Define command-line options; override and call super() to add your own."""
        add = self.arg_parser.add_argument
        add("args", nargs="*", metavar="INPUT", help="input paths ('-' or none: stdin)")
        add("-r", "--runner", choices=RUNNERS, default="inline", help="where to run the job")
        add("-o", "--output-dir", help="write output here instead of to stdout")
        add("--cat-output", dest="cat_output", action="store_true", default=None)
        add("--no-cat-output", dest="cat_output", action="store_false")
        add("--num-cores", type=int, default=0, help="local runner processes (0: all cores)")
        add("--jobconf", action="append", type=_parse_jobconf, default=[], metavar="KEY=VALUE")
        add("--shuffle-memory-mb", type=float, default=256.0, help="memory for the shuffle")
        add("--tmp-dir", default=None, help="local scratch directory (default: system)")
        add("--python-bin", default=None, help="Python interpreter for tasks")
        add("--hadoop-bin", default=None)
        add("--hadoop-streaming-jar", default=None)
        add("--hadoop-tmp-dir", default=None)
        add("--keep-tmp", action="store_true", default=False)
        add("--steps", action="store_true", help="print the steps description as JSON")
        add("--step-num", type=int, default=0, help=argparse.SUPPRESS)
        phases = self.arg_parser.add_mutually_exclusive_group()
        phases.add_argument("--mapper", action="store_true", help=argparse.SUPPRESS)
        phases.add_argument("--combiner", action="store_true", help=argparse.SUPPRESS)
        phases.add_argument("--reducer", action="store_true", help=argparse.SUPPRESS)

    def load_args(self, args: list[str]) -> None:
        """Hook called after parsing (mrjob compatibility); the default does nothing."""

    def add_passthru_arg(self, *args: Any, **kwargs: Any) -> None:
        """An option that is also passed to every task (like argparse's add_argument)."""
        self._passthru.append(self.arg_parser.add_argument(*args, **kwargs))

    def add_file_arg(self, *args: Any, **kwargs: Any) -> None:
        """An option naming a local file that is shipped to every task's working directory."""
        kwargs.setdefault("type", str)
        self._file_args.append(self.arg_parser.add_argument(*args, **kwargs))

    def _task_args_and_files(self) -> tuple[list[str], list[str]]:
        """The raw passthru/file arguments tasks get, and the files to ship for file args."""
        actions = {}
        for action in self._passthru + self._file_args:
            for option in action.option_strings:
                actions[option] = action
        task_args: list[str] = []
        files: list[str] = []
        raw = self._raw_args
        i = 0
        while i < len(raw):
            token = raw[i]
            option, eq, inline_value = token.partition("=")
            action = actions.get(option if eq else token)
            if action is None:
                i += 1
                continue
            takes_value = action.nargs != 0
            value = None
            if takes_value:
                if eq:
                    value = inline_value
                elif i + 1 < len(raw):
                    value = raw[i + 1]
                    i += 1
            if action in self._file_args and value is not None:
                name = os.path.basename(value)
                files.append(f"{os.path.abspath(value)}#{name}")
                value = name
            task_args.extend([option if eq else token] if value is None else [option, value])
            i += 1
        return task_args, files

    # -- steps and protocols ------------------------------------------------------------------

    def steps(self) -> list[MRStep]:
        """The job's steps; by default one step from the methods this class overrides."""
        kwargs: dict[str, Any] = {}
        for name in STEP_METHODS:
            if getattr(type(self), name) is not getattr(MRJob, name):
                kwargs[name] = getattr(self, name)
        for name in COMMAND_OPTIONS:
            value = getattr(self, name)()
            if value is not None:
                kwargs[name] = value
        if not kwargs:
            raise ValueError(
                f"{type(self).__name__} defines no mapper, combiner or reducer: "
                f"override at least one, or steps()"
            )
        return [MRStep(**kwargs)]

    def _steps_cached(self) -> list[MRStep]:
        if self._steps_list is None:
            self._steps_list = list(self.steps())
        return self._steps_list

    def _steps_desc_cached(self) -> list[dict]:
        if self._steps_description is None:
            self._steps_description = [
                step.description(num) for num, step in enumerate(self._steps_cached())
            ]
        return self._steps_description

    def steps_desc(self) -> list[dict]:
        """The steps as plain JSON-able data, what runners receive."""
        return [dict(desc) for desc in self._steps_desc_cached()]

    def input_protocol(self) -> Any:
        """An instance of INPUT_PROTOCOL."""
        return self.INPUT_PROTOCOL()

    def internal_protocol(self) -> Any:
        """An instance of INTERNAL_PROTOCOL."""
        return self.INTERNAL_PROTOCOL()

    def output_protocol(self) -> Any:
        """An instance of OUTPUT_PROTOCOL."""
        return self.OUTPUT_PROTOCOL()

    def _script_substeps(self) -> list[tuple[int, str]]:
        order = []
        for num, desc in enumerate(self._steps_desc_cached()):
            for phase in ("mapper", "reducer"):
                if phase in desc and desc[phase]["type"] == "script":
                    order.append((num, phase))
        return order

    def pick_protocols(self, step_num: int, step_type: str) -> tuple[Any, Any]:
        """(read, write) protocol instances for a phase, chosen the way mrjob does.

        The first Python substep of the job reads INPUT_PROTOCOL, the last writes
        OUTPUT_PROTOCOL, everything between uses INTERNAL_PROTOCOL; a combiner reads and
        writes what its mapper writes.
        """
        order = self._script_substeps()
        if step_type == "combiner":
            if (step_num, "mapper") not in order:
                proto = RawValueProtocol()
            elif order.index((step_num, "mapper")) == len(order) - 1:
                proto = self.output_protocol()
            else:
                proto = self.internal_protocol()
            return proto, proto
        if (step_num, step_type) not in order:
            raise ValueError(f"step {step_num} has no Python {step_type}")
        index = order.index((step_num, step_type))
        read = self.input_protocol() if index == 0 else self.internal_protocol()
        write = self.output_protocol() if index == len(order) - 1 else self.internal_protocol()
        return read, write

    # -- methods a job overrides ---------------------------------------------------------

    def mapper(self, key: Any, value: Any) -> Iterable[tuple[Any, Any]]:
        """Yield (key, value) pairs for one input record."""
        raise NotImplementedError

    def mapper_init(self) -> Iterable[tuple[Any, Any]] | None:
        """Called once per map task before the first record."""

    def mapper_final(self) -> Iterable[tuple[Any, Any]] | None:
        """Called once per map task after the last record; may yield pairs."""

    def mapper_raw(self, input_path: str, input_uri: str) -> Iterable[tuple[Any, Any]]:
        """Yield pairs for one whole input file (given as a local path)."""
        raise NotImplementedError

    def combiner(self, key: Any, values: Iterator[Any]) -> Iterable[tuple[Any, Any]]:
        """Pre-reduce the values of one key within a map task."""
        raise NotImplementedError

    def combiner_init(self) -> Iterable[tuple[Any, Any]] | None:
        """Called once per combine pass before the first key."""

    def combiner_final(self) -> Iterable[tuple[Any, Any]] | None:
        """Called once per combine pass after the last key."""

    def reducer(self, key: Any, values: Iterator[Any]) -> Iterable[tuple[Any, Any]]:
        """Yield pairs for one key and all its values."""
        raise NotImplementedError

    def reducer_init(self) -> Iterable[tuple[Any, Any]] | None:
        """Called once per reduce task before the first key."""

    def reducer_final(self) -> Iterable[tuple[Any, Any]] | None:
        """Called once per reduce task after the last key."""

    def mapper_cmd(self) -> str | None:
        """A shell command to use as the mapper instead of mapper()."""
        return None

    def mapper_pre_filter(self) -> str | None:
        """A shell command the mapper's input goes through first."""
        return None

    def combiner_cmd(self) -> str | None:
        """A shell command to use as the combiner."""
        return None

    def combiner_pre_filter(self) -> str | None:
        """A shell command the combiner's input goes through first."""
        return None

    def reducer_cmd(self) -> str | None:
        """A shell command to use as the reducer."""
        return None

    def reducer_pre_filter(self) -> str | None:
        """A shell command the reducer's input goes through first."""
        return None

    # -- counters and status ------------------------------------------------------------

    def increment_counter(self, group: str, counter: str, amount: int = 1) -> None:
        """Add ``amount`` to a counter; runners total counters across tasks."""
        if not isinstance(amount, int):
            raise TypeError(f"counter amount must be an int, got {amount!r}")
        # Commas would break the reporter line format, as in mrjob.
        group = str(group).replace(",", ";")
        counter = str(counter).replace(",", ";")
        counters = self._counters.setdefault(group, {})
        counters[counter] = counters.get(counter, 0) + amount

    def set_status(self, msg: str) -> None:
        """Report a status message (also keeps a Hadoop task alive)."""
        self.stderr.write(f"reporter:status:{msg}\n".encode())
        self.stderr.flush()

    def _flush_counters(self) -> None:
        lines = [
            f"reporter:counter:{group},{name},{amount}\n"
            for group, counters in self._counters.items()
            for name, amount in counters.items()
        ]
        if lines:
            self.stderr.write("".join(lines).encode())
            self.stderr.flush()
        self._counters = {}

    # -- configuration -----------------------------------------------------------------

    def jobconf(self) -> dict[str, str]:
        """JOBCONF merged with --jobconf options (command line wins), as strings."""
        conf = {str(k): _jobconf_str(v) for k, v in self.JOBCONF.items()}
        conf.update(dict(self.options.jobconf))
        return conf

    # -- running -------------------------------------------------------------------------

    def job_spec(self) -> Any:
        """The plain-data description of this job that runners receive."""
        from streamflow.mr.runners.base import JobSpec, job_location

        job_name, python_path, job_file = job_location(type(self))
        task_args, arg_files = self._task_args_and_files()
        return JobSpec(
            job_name=job_name,
            python_path=python_path,
            job_file=job_file,
            task_args=tuple(task_args),
            steps=tuple(self.steps_desc()),
            jobconf=self.jobconf(),
            input_paths=tuple(self.options.args or ["-"]),
            output_dir=self.options.output_dir,
            files=tuple(list(self.FILES) + arg_files),
            dirs=tuple(self.DIRS),
            archives=tuple(self.ARCHIVES),
            sort_values=bool(self.SORT_VALUES),
            hadoop_input_format=self.HADOOP_INPUT_FORMAT,
            hadoop_output_format=self.HADOOP_OUTPUT_FORMAT,
            partitioner=self.PARTITIONER,
        )

    def make_runner(self) -> Any:
        """A runner (context manager) for this job, chosen and configured by the options."""
        from streamflow.mr.runners import make_runner

        return make_runner(self)

    def parse_output(self, chunks: Iterable[bytes]) -> Iterator[tuple[Any, Any]]:
        """Decode a runner's cat_output() with OUTPUT_PROTOCOL into (key, value) pairs."""
        read = self.output_protocol().read
        pending = b""
        for chunk in chunks:
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield read(line.rstrip(b"\r"))
        if pending:
            yield read(pending.rstrip(b"\r"))

    def sandbox(self, stdin: Any = None, stdout: Any = None, stderr: Any = None) -> MRJob:
        """Redirect the job's stdin/stdout/stderr to in-memory streams (for tests)."""
        import io

        self.stdin = stdin if stdin is not None else io.BytesIO()
        self.stdout = stdout if stdout is not None else io.BytesIO()
        self.stderr = stderr if stderr is not None else io.BytesIO()
        return self

    def _task_phase(self) -> str | None:
        for phase in ("mapper", "combiner", "reducer"):
            if getattr(self.options, phase):
                return phase
        return None

    def execute(self) -> None:
        """Do what the command line asks: run one task, print steps, or run the whole job."""
        phase = self._task_phase()
        if phase is not None:
            self.run_task(phase, self.options.step_num)
        elif self.options.steps:
            import json

            self.stdout.write(json.dumps(self.steps_desc()).encode() + b"\n")
            self.stdout.flush()
        else:
            self.run_job()

    def run_task(self, phase: str, step_num: int) -> None:
        """Run one task over stdin/stdout, as Hadoop Streaming does; exit 1 on failure."""
        from streamflow.mr.harness import run_reported, run_task

        run_reported(self, lambda: run_task(self, phase, step_num))

    def run_job(self) -> None:
        """Run the job with the chosen runner; print output unless it went to -o."""
        from streamflow.errors import StreamflowError

        try:
            with self.make_runner() as runner:
                runner.run()
                cat = self.options.cat_output
                if cat is None:
                    cat = not self.options.output_dir
                if cat:
                    for chunk in runner.cat_output():
                        self.stdout.write(chunk)
                    self.stdout.flush()
                summary = runner.counters_summary()
                if summary:
                    self.stderr.write(summary.encode())
                    self.stderr.flush()
        except StreamflowError as error:
            self.stderr.write(f"error: {error}\n".encode())
            self.stderr.flush()
            sys.exit(error.exit_code)

    @classmethod
    def run(cls) -> None:
        """Entry point for ``python my_job.py ...``."""
        cls(sys.argv[1:]).execute()


def _jobconf_str(value: Any) -> str:
    # Hadoop spells booleans in lower case.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
