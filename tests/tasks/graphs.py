"""Small graphs for the resolver and worker tests. Every task writes under ``root``.

Tasks that run append a line to ``<root>/runs.log`` (O_APPEND, so it works from any process),
letting tests count how often each task really ran.
"""

from __future__ import annotations

import os
import time

from streamflow import (
    BoolParameter,
    ExternalTask,
    IntParameter,
    LocalTarget,
    Parameter,
    Task,
    WrapperTask,
)
from streamflow.errors import StreamflowError


def record_run(root: str, name: str) -> None:
    """Note that a task ran, safely from several processes at once."""
    os.makedirs(root, exist_ok=True)
    fd = os.open(os.path.join(root, "runs.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        os.write(fd, f"{name}\n".encode())
    finally:
        os.close(fd)


def runs(root: str) -> list[str]:
    """Names recorded by record_run, in order."""
    try:
        with open(os.path.join(root, "runs.log")) as handle:
            return handle.read().split()
    except FileNotFoundError:
        return []


class Writes(Task):
    """A task whose run() writes its one output file; subclasses add requirements."""

    root = Parameter(description="directory for outputs")
    name = Parameter(default="", description="name of the output file")

    def output(self):
        return LocalTarget(os.path.join(self.root, f"{self.name or self.task_family}.txt"))

    def run(self):
        record_run(self.root, self.name or self.task_family)
        with self.output().open("w") as out:
            out.write("done\n")


class Base(Writes):
    pass


class Left(Writes):
    def requires(self):
        return Base(root=self.root)


class Right(Writes):
    def requires(self):
        return {"base": Base(root=self.root)}


class Diamond(Writes):
    """Top of a diamond: Left and Right both need Base."""

    def requires(self):
        return [Left(root=self.root), Right(root=self.root)]


class Boom(Writes):
    def run(self):
        record_run(self.root, "Boom")
        raise RuntimeError("boom: this task always fails")


class NeedsBoom(Writes):
    def requires(self):
        return Boom(root=self.root)


class NeedsNeedsBoom(Writes):
    def requires(self):
        return NeedsBoom(root=self.root)


class Branches(WrapperTask):
    """One branch fails (Boom, then its dependants); the other branch must still run."""

    root = Parameter()

    def requires(self):
        return [NeedsNeedsBoom(root=self.root), Left(root=self.root)]


class ForgetsOutput(Writes):
    """run() returns without writing its output."""

    def run(self):
        record_run(self.root, "ForgetsOutput")


class NoOutput(Task):
    """A task with no output(): it can never be complete."""

    root = Parameter()

    def run(self):
        record_run(self.root, "NoOutput")


class CycleA(Writes):
    def requires(self):
        return CycleB(root=self.root)


class CycleB(Writes):
    def requires(self):
        return CycleC(root=self.root)


class CycleC(Writes):
    def requires(self):
        return CycleA(root=self.root)


class RequiresTarget(Writes):
    def requires(self):
        return LocalTarget(os.path.join(self.root, "input.txt"))


class RawInput(ExternalTask):
    root = Parameter()

    def output(self):
        return LocalTarget(os.path.join(self.root, "input.txt"))


class UsesInput(Writes):
    def requires(self):
        return RawInput(root=self.root)

    def run(self):
        record_run(self.root, "UsesInput")
        with self.input().open() as src, self.output().open("w") as out:
            out.write(src.read().upper())


class SlowWrite(Writes):
    """Writes half its output, says so in ``<root>/started``, then waits to be killed."""

    seconds = IntParameter(default=60, significant=False, description="how long to wait")

    def run(self):
        with self.output().open("w") as out:
            out.write("half of the data\n")
            out.flush()
            with open(os.path.join(self.root, "started"), "w") as flag:
                flag.write(str(os.getpid()))
            time.sleep(self.seconds)
            out.write("the rest\n")


class RaisesMidWrite(Writes):
    def run(self):
        with self.output().open("w") as out:
            out.write("partial\n")
            raise ValueError("failed half way through writing")


class Leaf(Task):
    """A trivial task writing a small file: the unit of the large-graph tests and benchmark."""

    root = Parameter()
    i = IntParameter()

    def output(self):
        return LocalTarget(os.path.join(self.root, f"leaf-{self.i}.txt"))

    def run(self):
        with self.output().open("w") as out:
            out.write(f"{self.i}\n")


class Many(WrapperTask):
    """``n`` independent Leaf tasks."""

    root = Parameter(description="directory for outputs")
    n = IntParameter(default=100, description="how many leaf tasks")

    def requires(self):
        return [Leaf(root=self.root, i=i) for i in range(self.n)]


class Chain(Task):
    """A chain of ``n`` tasks, each needing the previous one."""

    root = Parameter()
    n = IntParameter()

    def requires(self):
        return Chain(root=self.root, n=self.n - 1) if self.n > 0 else []

    def output(self):
        return LocalTarget(os.path.join(self.root, f"chain-{self.n}.txt"))

    def run(self):
        with self.output().open("w") as out:
            out.write(f"{self.n}\n")


class Shout(Writes):
    """A parameter of each kind, echoed into the output, for the command-line tests."""

    times = IntParameter(default=1, description="how many times to write the word")
    loud = BoolParameter(description="write the word in capitals")
    word = Parameter(default="hello", description="the word to write")

    def output(self):
        return LocalTarget(os.path.join(self.root, "shout.txt"))

    def run(self):
        word = self.word.upper() if self.loud else self.word
        with self.output().open("w") as out:
            out.write(" ".join([word] * self.times) + "\n")


class Dies(Writes):
    """Kills its own process mid-run, as an out-of-memory kill would."""

    def run(self):
        record_run(self.root, "Dies")
        os.kill(os.getpid(), 9)


def print_output(task: Task, console) -> None:
    """An ``after`` hook for a fixed-task command: show what the task wrote."""
    with task.output().open() as written:
        console.print(f"wrote: {written.read().strip()}")


class WaitsForRelease(Writes):
    """Holds its run open until ``<root>/release`` exists, so lock tests do not race a clock."""

    def run(self):
        deadline = time.monotonic() + 60
        while not os.path.exists(os.path.join(self.root, "release")):
            if time.monotonic() > deadline:
                raise TimeoutError("nobody created the release file")
            time.sleep(0.02)
        super().run()


class Refuses(Writes):
    """Fails with a streamflow error that carries a hint."""

    def run(self):
        raise StreamflowError("the input has 3 fields on line 7", hint="fix line 7")


class ParameterNamedHelp(Writes):
    """A parameter whose option would hide ``--help``."""

    help = Parameter(default="", description="shadows --help")


class ParameterNamedWorkers(Writes):
    """A parameter whose option would be taken by ``streamflow run --workers``."""

    workers = IntParameter(default=1)
