"""The ``hadoop fs`` HDFS client against the emulator: contract behaviour and process counts."""

from __future__ import annotations

import time

import pytest

from streamflow.fs.hadoop_cli import HadoopCliFileSystem
from streamflow.target import FileSystemTarget, targets_exist
from tests.hadoop_emulator.sandbox import HadoopSandbox, hadoop_sandbox  # noqa: F401 - fixture


@pytest.fixture
def fs(sandbox) -> HadoopCliFileSystem:
    return HadoopCliFileSystem(str(sandbox.hadoop_bin))


def make(sandbox: HadoopSandbox, path: str, data: bytes | None = b"x") -> None:
    local = sandbox.local(path)
    if data is None:
        local.mkdir(parents=True, exist_ok=True)
    else:
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)


def test_kinds_of_a_month_of_paths_costs_one_hadoop_process(sandbox, fs):
    days = [f"/logs/2012-06/{day:02d}" for day in range(1, 31)]
    for path in days[:20]:
        make(sandbox, path, None)
    make(sandbox, "/other/file.tsv")
    queries = [*days, "/other/file.tsv", "/missing-dir/x", "hdfs://emulated:8020/other/file.tsv"]
    sandbox.clear_commands()
    kinds = fs.kinds(queries)
    assert kinds == ["dir"] * 20 + [None] * 10 + ["file", None, "file"]
    assert len(sandbox.commands()) == 1
    assert sandbox.commands()[0][:3] == ["hadoop", "fs", "-ls"]


def test_kinds_of_relative_paths_resolve_in_the_home_directory(sandbox, fs):
    make(sandbox, "/user/tester/top.tsv")
    make(sandbox, "/user/tester/out/part-00000")
    assert fs.kinds(["top.tsv", "out", "out/part-00000", "nope"]) == ["file", "dir", "file", None]


def test_targets_exist_counts_directories_only_with_success_in_two_processes(sandbox, fs):
    make(sandbox, "/out/done/_SUCCESS", b"")
    make(sandbox, "/out/half/part-00000")
    targets = [FileSystemTarget(f"/out/{name}", fs) for name in ("done", "half", "none")]
    sandbox.clear_commands()
    assert targets_exist(targets) == [True, False, False]
    assert len(sandbox.commands()) == 2  # the paths, then the _SUCCESS markers


def test_written_file_round_trips_and_appears_only_when_closed(sandbox, fs):
    data = b"hello\x00world\n" * 100_000  # more than any buffer on the way
    copying = sandbox.local("/new/dir/data.bin._COPYING_")
    with fs.open_output("/new/dir/data.bin") as out:
        out.write(data)
        out.flush()
        deadline = time.monotonic() + 10
        while not copying.exists():  # hadoop fs -put has started writing
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert not sandbox.local("/new/dir/data.bin").exists()
    assert not copying.exists()
    with fs.open_input("/new/dir/data.bin") as source:
        assert source.read() == data


def test_atomic_target_write_through_the_cli(sandbox, fs):
    target = FileSystemTarget("/reports/top.tsv", fs)
    with target.open("w") as out:
        out.write("a\t1\n")
    assert target.exists()
    assert sandbox.local("/reports/top.tsv").read_text() == "a\t1\n"
    assert [p.name for p in sandbox.local("/reports").iterdir()] == ["top.tsv"]


def test_reading_a_missing_file_raises_file_not_found(fs):
    source = fs.open_input("/nothing.txt")
    with pytest.raises(FileNotFoundError, match=r"/nothing\.txt"):
        source.read()


def test_rename_refuses_an_existing_destination(sandbox, fs):
    make(sandbox, "/a.txt")
    make(sandbox, "/dest", None)
    with pytest.raises(FileExistsError):
        fs.rename("/a.txt", "/dest")
    assert sandbox.local("/a.txt").exists()
    fs.rename("/a.txt", "/b.txt")
    assert sandbox.local("/b.txt").read_bytes() == b"x"


def test_rename_of_a_missing_source_raises_file_not_found(fs):
    with pytest.raises(FileNotFoundError):
        fs.rename("/ghost", "/b")


def test_delete_needs_recursive_for_a_directory_and_ignores_missing(sandbox, fs):
    make(sandbox, "/d/x")
    with pytest.raises(IsADirectoryError):
        fs.delete("/d")
    fs.delete("/d", recursive=True)
    assert not sandbox.local("/d").exists()
    fs.delete("/never-there")


def test_mkdir_exists_and_listdir(sandbox, fs):
    fs.mkdir("/a/b/c")
    make(sandbox, "/a/b/file")
    assert fs.exists("/a/b/c") and not fs.exists("/a/zzz")
    assert fs.listdir("/a/b") == ["/a/b/c", "/a/b/file"]
    with pytest.raises(FileNotFoundError):
        fs.listdir("/nowhere")


def test_scheme_less_paths_follow_a_file_default_fs(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("HADOOP_EMULATOR_DEFAULT_FS", "file:///")
    fs = HadoopCliFileSystem(str(sandbox.hadoop_bin))
    local = tmp_path / "single-node"
    local.mkdir()
    (local / "x.tsv").write_text("1\n")
    assert fs.kinds([str(local / "x.tsv"), str(local / "y.tsv")]) == ["file", None]


def test_a_failing_command_raises_with_what_hadoop_said(sandbox, fs, monkeypatch):
    from streamflow.fs.hadoop_cli import HdfsError

    monkeypatch.setenv("HADOOP_EMULATOR_DEFAULT_FS", "s3a://bucket")
    with pytest.raises(HdfsError, match='No FileSystem for scheme "gs"'):
        fs.kinds(["gs://elsewhere/x"])


def test_java_and_launcher_warnings_on_stderr_are_not_taken_for_errors(sandbox, fs, monkeypatch):
    monkeypatch.setenv("HADOOP_EMULATOR_NOISE", "1")
    make(sandbox, "/logs/a")
    assert fs.kinds(["/logs/a", "/logs/b", "/nowhere/c"]) == ["file", None, None]
    assert fs.exists("/logs/a") and not fs.exists("/nowhere/c")
    with pytest.raises(FileNotFoundError):
        fs.listdir("/nowhere")
    with pytest.raises(FileNotFoundError):
        fs.rename("/ghost", "/b")
    fs.delete("/never-there")
