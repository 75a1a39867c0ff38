"""Each test gets its own emulated Hadoop installation, selected by the environment; tests
that only look at one run share it through module fixtures (see test_runner.py)."""

from __future__ import annotations

import pytest

from tests.hadoop.running import write_inputs
from tests.hadoop_emulator.sandbox import HadoopSandbox, make_sandbox


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> HadoopSandbox:
    """An emulated cluster (default FS ``hdfs://emulated:8020``, local job runner)."""
    box = make_sandbox(tmp_path)
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HADOOP_STREAMING_JAR", raising=False)
    monkeypatch.delenv("HADOOP_EMULATOR_YARN_LOGS", raising=False)
    monkeypatch.delenv("HADOOP_EMULATOR_NOISE", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return box


@pytest.fixture
def inputs(tmp_path) -> list[str]:
    """Two small local text files."""
    return write_inputs(tmp_path)
