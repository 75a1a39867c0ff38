"""Interrupting a run stops the hadoop client and leaves no output or scratch behind."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

INTERRUPTED_RUN = """
import sys
from streamflow.config import HadoopConfig
from streamflow.mr.runners.hadoop import HadoopRunner
from tests.hadoop.jobs.sleepy import Sleepy

job = Sleepy(["-r", "hadoop", sys.argv[1], "-o", "/out"])
with HadoopRunner(job.job_spec(), config=HadoopConfig(), python_bin=sys.executable) as runner:
    runner.run()
"""


@pytest.mark.parametrize("framework", ["local", "yarn"])
def test_sigint_during_a_step_kills_hadoop_and_cleans_up(sandbox, tmp_path, monkeypatch, framework):
    monkeypatch.setenv("HADOOP_EMULATOR_FRAMEWORK", framework)
    data = tmp_path / "in.txt"
    data.write_text("x\n")
    repo = str(Path(__file__).resolve().parents[2])
    run = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_RUN, str(data)],
        cwd=repo,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not any(argv[1:2] == ["jar"] for argv in sandbox.commands()):
        assert time.monotonic() < deadline, "the job never started"
        assert run.poll() is None, run.stderr.read().decode()
        time.sleep(0.05)
    time.sleep(0.3)  # let the emulator start the map task
    run.send_signal(signal.SIGINT)
    started = time.monotonic()
    assert run.wait(timeout=10) != 0
    assert time.monotonic() - started < 4  # did not wait for the 5 s task
    assert "KeyboardInterrupt" in run.stderr.read().decode()
    leftovers = [p.name for p in sandbox.hdfs_root.iterdir()]
    assert leftovers == ["user"], leftovers  # no /out, no temporary output beside it
    scratch = sandbox.local("/user/tester/tmp/streamflow")
    assert not scratch.exists() or list(scratch.iterdir()) == []
    assert len([argv for argv in sandbox.commands() if argv[1:2] == ["jar"]]) == 1
    # On YARN the job outlives its client: it must be killed on the cluster too.
    kills = [argv for argv in sandbox.commands() if argv[:3] == ["yarn", "application", "-kill"]]
    if framework == "yarn":
        assert kills == [["yarn", "application", "-kill", "application_1700000000001_0001"]]
    else:
        assert kills == []
