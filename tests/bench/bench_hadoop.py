"""Hadoop benchmark: what batching saves when every ``hadoop`` call is a process start.

python -m tests.bench.bench_hadoop [REPEAT]

Against the emulator (a Python process per ``hadoop`` call; a real one starts a JVM and is
slower still): checking a month of daily outputs with the CLI client's batched ``kinds``
(one ``hadoop fs -ls`` of the parent directory), next to the baseline of one
``hadoop fs -test -e`` per path, measured in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from streamflow.fs.hadoop_cli import HadoopCliFileSystem
from tests.bench.common import Row, median_seconds, print_rows
from tests.hadoop_emulator.sandbox import make_sandbox

DAYS = 30


def main(repeat: int = 5) -> list[Row]:
    """Median seconds of a batched month check and of the per-path baseline."""
    with tempfile.TemporaryDirectory(prefix="bench-hadoop-") as tmp:
        sandbox = make_sandbox(Path(tmp))
        env = {**os.environ, **sandbox.env}
        paths = [f"/data/streams/2012-06-{day:02d}" for day in range(1, DAYS + 1)]
        for path in paths[::2]:
            sandbox.local(path).mkdir(parents=True)
        fs = HadoopCliFileSystem(str(sandbox.hadoop_bin), env=env)

        def per_path() -> None:
            for path in paths:
                subprocess.run(
                    [str(sandbox.hadoop_bin), "fs", "-test", "-e", path], env=env, check=False
                )

        expected = [("dir" if i % 2 == 0 else None) for i in range(DAYS)]
        if fs.kinds(paths) != expected:
            raise AssertionError("batched kinds gave a wrong answer; the benchmark is void")
        baseline = median_seconds(per_path, repeat)
        batched = median_seconds(lambda: fs.kinds(paths), repeat)
    return [
        Row(f"hadoop: {DAYS} paths, one -test -e each", baseline),
        Row(
            f"hadoop: {DAYS} paths, batched kinds (one -ls)",
            batched,
            baseline=f"{DAYS} x -test -e",
            ratio=batched / baseline,
            target=f"one process per batch (~1/{DAYS})",
        ),
    ]


if __name__ == "__main__":
    print_rows(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
