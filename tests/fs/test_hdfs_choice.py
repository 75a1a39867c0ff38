"""Choosing between libhdfs and the ``hadoop fs`` command, and finding ``hadoop``."""

from __future__ import annotations

import logging
import os

import pytest

from streamflow.config import HadoopConfig
from streamflow.errors import ConfigError
from streamflow.fs.hadoop_cli import HadoopCliFileSystem
from streamflow.fs.hdfs import LibhdfsFileSystem, hdfs_filesystem
from streamflow.hadoop.install import find_hadoop_bin
from tests.hadoop_emulator.sandbox import make_sandbox


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return make_sandbox(tmp_path).env


def test_auto_falls_back_to_the_cli_and_logs_why_libhdfs_failed(env, caplog):
    # No JVM and no libhdfs exist here, so this is pyarrow's real failure.
    with caplog.at_level(logging.INFO, logger="streamflow.fs.hdfs"):
        fs = hdfs_filesystem(HadoopConfig(hdfs_client="auto"), env=env)
    assert isinstance(fs, HadoopCliFileSystem)
    assert fs.hadoop_bin == os.path.join(env["HADOOP_HOME"], "bin", "hadoop")
    (record,) = caplog.records
    assert "libhdfs is unavailable" in record.getMessage()
    assert "libjvm" in record.getMessage()  # pyarrow's own reason, first line only
    assert "\n" not in record.getMessage()


def test_forcing_libhdfs_that_cannot_connect_is_a_config_error(env):
    with pytest.raises(ConfigError, match="pyarrow cannot connect to HDFS") as caught:
        hdfs_filesystem(HadoopConfig(hdfs_client="libhdfs"), env=env)
    assert "hdfs_client = 'cli'" in str(caught.value)


def test_cli_choice_never_tries_libhdfs(env):
    def must_not_connect():
        raise AssertionError("libhdfs was tried")

    fs = hdfs_filesystem(HadoopConfig(hdfs_client="cli"), env=env, connect_libhdfs=must_not_connect)
    assert isinstance(fs, HadoopCliFileSystem)


def test_auto_uses_libhdfs_when_it_connects(env, tmp_path):
    import pyarrow.fs

    local = pyarrow.fs.LocalFileSystem()  # stands in for a connected HadoopFileSystem
    fs = hdfs_filesystem(HadoopConfig(), env=env, connect_libhdfs=lambda: local)
    assert isinstance(fs, LibhdfsFileSystem)
    (tmp_path / "f").write_text("x")
    assert fs.kinds([f"hdfs://nn:8020{tmp_path}/f", str(tmp_path / "g")]) == ["file", None]


def test_missing_hadoop_names_every_place_searched(tmp_path):
    env = {"HADOOP_HOME": str(tmp_path / "no-hadoop"), "PATH": str(tmp_path)}
    with pytest.raises(ConfigError) as caught:
        find_hadoop_bin(HadoopConfig(), env=env)
    message = str(caught.value)
    assert f"$HADOOP_HOME/bin/hadoop ({tmp_path}/no-hadoop/bin/hadoop)" in message
    assert "PATH" in message and "hadoop_bin" in message


def test_configured_hadoop_bin_that_is_not_executable_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not an executable file"):
        find_hadoop_bin(HadoopConfig(hadoop_bin=str(tmp_path / "nope")), env={"PATH": ""})


def test_hadoop_is_found_on_path_without_hadoop_home(env):
    path_only = {"PATH": env["PATH"]}
    assert find_hadoop_bin(HadoopConfig(), env=path_only) == os.path.join(
        env["HADOOP_HOME"], "bin", "hadoop"
    )


def test_shared_client_is_one_per_process_so_forked_workers_make_their_own(env, monkeypatch):
    from streamflow.fs.hdfs import shared_hdfs_filesystem

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = HadoopConfig(hdfs_client="cli")
    parent_client = shared_hdfs_filesystem(config)
    assert shared_hdfs_filesystem(config) is parent_client
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer whether it got the parent's client, then leave
        same = shared_hdfs_filesystem(config) is parent_client
        os.write(write_end, b"same" if same else b"own")
        os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 16)
    os.waitpid(pid, 0)
    assert answer == b"own"
