"""Every test here gets its own emulated Hadoop installation, selected by the environment."""

from __future__ import annotations

import pytest

from tests.hadoop_emulator.sandbox import HadoopSandbox, make_sandbox


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> HadoopSandbox:
    """An emulated cluster (default FS ``hdfs://emulated:8020``, local job runner)."""
    box = make_sandbox(tmp_path)
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HADOOP_STREAMING_JAR", raising=False)
    monkeypatch.delenv("HADOOP_EMULATOR_YARN_LOGS", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return box
