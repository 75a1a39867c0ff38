"""The reference pipeline: a month at 100,000 lines per day, on each runner.

The month's logs are generated once (timed on its own); each timed run then starts from a
data directory holding only those logs, so it measures the MapReduce count, the top 10 and
the database load. The hadoop runner runs against the emulator in tests/hadoop_emulator,
whose map and reduce tasks are real processes on this machine.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.common import Row, median_seconds, print_rows
from tests.hadoop_emulator.sandbox import make_sandbox

STREAMFLOW = str(Path(sys.executable).with_name("streamflow"))
INTERVAL = "2012-06"
LINES = 100_000


def _command(data_dir: Path, runner: str, env: dict[str, str]) -> None:
    argv = [
        STREAMFLOW,
        "top-artists",
        "--date-interval",
        INTERVAL,
        "--lines-per-day",
        str(LINES),
        "--data-dir",
        str(data_dir),
        "--runner",
        runner,
        "--no-lock",
    ]
    subprocess.run(
        argv,
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )


def main(repeat: int = 3) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="streamflow-bench-pipeline-") as tmp:
        root = Path(tmp)
        logs = root / "logs"
        start = time.perf_counter()
        _command(logs, "inline", dict(os.environ))
        generate_and_run = time.perf_counter() - start
        for name in ("artist_streams", "top10", "streamflow.sqlite3"):
            path = logs / name
            shutil.rmtree(path) if path.is_dir() else path.unlink()

        data = root / "data"

        def fresh_data_dir() -> None:
            shutil.rmtree(data, ignore_errors=True)
            data.mkdir()
            os.symlink(logs / "streams", data / "streams")

        cluster = make_sandbox(root / "cluster")
        baseline = None
        for runner in ("inline", "local", "hadoop"):
            env = dict(os.environ)
            if runner == "hadoop":
                env.update(cluster.env, STREAMFLOW_HADOOP_HDFS_ROOT="/user/tester/bench")

            def setup(runner: str = runner) -> None:
                fresh_data_dir()
                if runner == "hadoop":
                    shutil.rmtree(cluster.local("/user/tester/bench"), ignore_errors=True)

            seconds = median_seconds(functools.partial(_command, data, runner, env), repeat, setup)
            baseline = baseline or seconds
            rows.append(
                Row(
                    f"top-artists {INTERVAL}, 3M lines, --runner {runner}",
                    seconds,
                    "inline" if runner != "inline" else "",
                    seconds / baseline if runner != "inline" else None,
                )
            )
        rows.append(
            Row(
                f"top-artists {INTERVAL} from nothing (generate 30 days + inline)", generate_and_run
            )
        )
    return rows


if __name__ == "__main__":
    print_rows(main(int(sys.argv[1]) if len(sys.argv) > 1 else 3))
