"""What the Hadoop runner tests share: small inputs, and running a job on the emulator or
with the inline runner (whose output the Hadoop runner's must match)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from streamflow.config import HadoopConfig
from streamflow.mr.runners.hadoop import HadoopRunner
from tests.hadoop_emulator.sandbox import HadoopSandbox

TEXT = "the cat sat\non the mat\nThe end\n"
MORE = "a cat and a dog\nskip this line\n"


def write_inputs(directory: Path) -> list[str]:
    """Two small text files (TEXT and MORE); their paths."""
    one, two = directory / "one.txt", directory / "two.txt"
    one.write_text(TEXT)
    two.write_text(MORE)
    return [str(one), str(two)]


def sandbox_env(sandbox: HadoopSandbox) -> dict[str, str]:
    """This process's environment with the sandbox's cluster selected (for shared runs, which
    pass it to the runner instead of changing os.environ)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOOP_")}
    return {**env, **sandbox.env}


def hadoop_runner(job_class, args, **options) -> HadoopRunner:
    job = job_class(["-r", "hadoop", *args])
    options.setdefault("python_bin", sys.executable)
    options.setdefault("config", HadoopConfig())
    return HadoopRunner(job.job_spec(), **options)


def run_hadoop(job_class, args, **options) -> bytes:
    with hadoop_runner(job_class, args, **options) as runner:
        runner.run()
        return b"".join(runner.cat_output())


def run_inline(job_class, args) -> bytes:
    with job_class(["-r", "inline", *args]).make_runner() as runner:
        runner.run()
        return b"".join(runner.cat_output())


def jar_commands(commands: list[list[str]]) -> list[list[str]]:
    """The ``hadoop jar`` command lines among those the emulator recorded."""
    return [argv for argv in commands if argv[1:2] == ["jar"]]
