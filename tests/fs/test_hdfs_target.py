"""HdfsTarget on the ``hadoop fs`` client against the emulator."""

from __future__ import annotations

import pytest

from streamflow.config import Config, HadoopConfig
from streamflow.target import HdfsTarget, targets_exist
from tests.hadoop_emulator.sandbox import hadoop_sandbox  # noqa: F401 - the sandbox fixture


def config(root: str = "") -> Config:
    return Config(hadoop=HadoopConfig(hdfs_client="cli", hdfs_root=root))


def test_relative_paths_are_under_the_configured_root(sandbox):
    target = HdfsTarget("reports/top.tsv", config=config("hdfs://emulated:8020/warehouse"))
    assert target.path == "hdfs://emulated:8020/warehouse/reports/top.tsv"
    assert HdfsTarget("/abs/x", config=config("/warehouse")).path == "/abs/x"
    assert HdfsTarget("rel/x", config=config()).path == "rel/x"


def test_write_is_atomic_and_reads_back(sandbox):
    target = HdfsTarget("/reports/top.tsv", config=config())
    with target.open("w") as out:
        out.write("artist\t12\n")
        assert not target.exists()
    assert target.exists()
    with target.open("r") as back:
        assert back.read() == "artist\t12\n"


def test_failed_write_leaves_nothing(sandbox):
    target = HdfsTarget("/reports/top.tsv", config=config())
    with pytest.raises(RuntimeError), target.open("w") as out:
        out.write("half")
        raise RuntimeError("task failed")
    reports = sandbox.local("/reports")
    assert not reports.exists() or list(reports.iterdir()) == []


def test_directory_counts_only_with_success_and_a_month_costs_two_processes(sandbox):
    cfg = config("/data/aggregated")
    days = [HdfsTarget(f"2012-06-{day:02d}", config=cfg) for day in range(1, 31)]
    for day in range(1, 16):
        part = sandbox.local(f"/data/aggregated/2012-06-{day:02d}/part-00000")
        part.parent.mkdir(parents=True)
        part.write_text("x\n")
        if day <= 10:
            (part.parent / "_SUCCESS").touch()
    sandbox.clear_commands()
    assert targets_exist(days) == [True] * 10 + [False] * 20
    assert len(sandbox.commands()) == 2


def test_targets_with_the_same_config_share_one_client(sandbox):
    cfg = config()
    assert HdfsTarget("/a", config=cfg).fs is HdfsTarget("/b", config=cfg).fs
