"""The Hadoop emulator behaves like Hadoop 3 where streamflow depends on it."""

from __future__ import annotations

import subprocess
import zipfile

import pytest


def run(*argv: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, input=stdin, capture_output=True)


def put(sandbox, hdfs_path: str, data: bytes) -> None:
    local = sandbox.local(hdfs_path)
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_bytes(data)


def streaming(sandbox, *args: str) -> subprocess.CompletedProcess:
    return run("hadoop", "jar", str(sandbox.streaming_jar), *args)


def test_fs_ls_missing_path_reports_each_argument_and_exits_1(sandbox):
    put(sandbox, "/data/a.txt", b"x\n")
    result = run("hadoop", "fs", "-ls", "-d", "/data/a.txt", "/data/none.txt")
    assert result.returncode == 1
    assert result.stdout.decode().rstrip().endswith(" /data/a.txt")
    assert result.stderr.decode() == "ls: `/data/none.txt': No such file or directory\n"


def test_fs_relative_paths_live_in_the_users_home(sandbox):
    assert run("hadoop", "fs", "-mkdir", "-p", "logs/2012").returncode == 0
    assert sandbox.local("/user/tester/logs/2012").is_dir()
    result = run("hadoop", "fs", "-ls", "hdfs://emulated:8020/user/tester/logs")
    assert result.stdout.decode().splitlines()[0] == "Found 1 items"
    assert (
        result.stdout.decode()
        .splitlines()[1]
        .endswith(" hdfs://emulated:8020/user/tester/logs/2012")
    )


def test_fs_put_refuses_to_overwrite_without_f(sandbox, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("one\n")
    assert run("hadoop", "fs", "-put", str(source), "/a.txt").returncode == 0
    again = run("hadoop", "fs", "-put", str(source), "/a.txt")
    assert again.returncode == 1
    assert again.stderr.decode() == "put: `/a.txt': File exists\n"
    source.write_text("two\n")
    assert run("hadoop", "fs", "-put", "-f", str(source), "/a.txt").returncode == 0
    assert run("hadoop", "fs", "-cat", "/a.txt").stdout == b"two\n"


def test_fs_rm_of_a_directory_needs_r(sandbox):
    put(sandbox, "/d/x", b"")
    refused = run("hadoop", "fs", "-rm", "/d")
    assert (refused.returncode, refused.stderr) == (1, b"rm: `/d': Is a directory\n")
    assert run("hadoop", "fs", "-rm", "-r", "/d").returncode == 0
    assert not sandbox.local("/d").exists()


def test_fs_unknown_command_exits_255(sandbox):
    result = run("hadoop", "fs", "-frobnicate", "/")
    assert result.returncode == 255
    assert result.stderr.decode().startswith("-frobnicate: Unknown command")


def test_file_default_fs_makes_scheme_less_paths_local(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("HADOOP_EMULATOR_DEFAULT_FS", "file:///")
    target = tmp_path / "plain.txt"
    target.write_text("local\n")
    assert run("hadoop", "fs", "-cat", str(target)).stdout == b"local\n"


def test_every_command_line_is_recorded(sandbox):
    run("hadoop", "fs", "-test", "-e", "/x")
    run("hadoop", "version")
    assert sandbox.commands() == [["hadoop", "fs", "-test", "-e", "/x"], ["hadoop", "version"]]


def test_generic_option_after_streaming_option_is_rejected(sandbox):
    put(sandbox, "/in/a", b"a\n")
    result = streaming(sandbox, "-input", "/in", "-output", "/out", "-mapper", "cat", "-D", "a=b")
    assert result.returncode == 1
    stderr = result.stderr.decode()
    assert "ERROR streaming.StreamJob: Unrecognized option: -D" in stderr
    assert stderr.endswith("Streaming Command Failed!\n")
    assert not sandbox.local("/out").exists()


def test_unexpected_positional_arguments_are_rejected(sandbox):
    result = streaming(sandbox, "-input", "/in", "stray", "-output", "/out")
    assert result.returncode == 1
    assert "Found 1 unexpected arguments on the command line [stray]" in result.stderr.decode()


def test_existing_output_exits_5(sandbox):
    put(sandbox, "/in/a", b"a\n")
    sandbox.local("/out").mkdir()
    result = streaming(sandbox, "-input", "/in", "-output", "/out", "-mapper", "cat")
    assert result.returncode == 5
    assert "Output directory hdfs://emulated:8020/out already exists" in result.stderr.decode()


def test_missing_input_exits_5(sandbox):
    result = streaming(sandbox, "-input", "/nothing", "-output", "/out", "-mapper", "cat")
    assert result.returncode == 5
    assert "Input path does not exist: hdfs://emulated:8020/nothing" in result.stderr.decode()


def test_job_sorts_by_key_bytes_and_writes_parts_and_success(sandbox):
    # Byte order puts "B" before "a" and "é" (0xC3...) after "z".
    put(sandbox, "/in/one", b"z\t1\na\t2\n")
    put(sandbox, "/in/two", "é\t3\nB\t4\na\t5\n".encode())
    result = streaming(sandbox, "-input", "/in", "-output", "/out", "-mapper", "cat")
    assert result.returncode == 0, result.stderr.decode()
    out = sandbox.local("/out")
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS", "part-00000"]
    expected = sorted(["z\t1", "a\t2", "é\t3", "B\t4", "a\t5"], key=lambda s: s.encode())
    assert (out / "part-00000").read_text().splitlines() == expected
    assert " map 100% reduce 100%" in result.stderr.decode()


def test_task_sees_shipped_files_archives_and_streaming_environment(sandbox, tmp_path):
    script = tmp_path / "show.sh"
    script.write_text(
        "#!/bin/sh\n"
        'echo "file=$(cat renamed.txt) lib=$(cat lib.zip/inner.txt)"\n'
        'echo "input=$mapreduce_map_input_file color=$COLOR conf=$my_setting"\n'
    )
    (tmp_path / "data.txt").write_text("shipped")
    with zipfile.ZipFile(tmp_path / "lib.zip", "w") as archive:
        archive.writestr("inner.txt", "unpacked")
    put(sandbox, "/in/a", b"x\n")
    result = streaming(
        sandbox,
        "-D", "my.setting=42",
        "-files", f"{script},{tmp_path / 'data.txt'}#renamed.txt",
        "-archives", str(tmp_path / "lib.zip"),
        "-input", "/in/a", "-output", "/out", "-numReduceTasks", "0",
        "-mapper", "sh show.sh", "-cmdenv", "COLOR=blue",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode()
    assert sandbox.local("/out/part-00000").read_text().splitlines() == [
        "file=shipped lib=unpacked\t",
        "input=hdfs://emulated:8020/in/a color=blue conf=42\t",
    ]


def test_counters_from_task_stderr_are_printed_in_hadoop_layout(sandbox):
    put(sandbox, "/in/a", b"x\ny\n")
    mapper = "sh -c 'while read l; do echo reporter:counter:Mine,lines seen,1 >&2; done'"
    result = streaming(
        sandbox, "-input", "/in", "-output", "/out", "-mapper", mapper, "-numReduceTasks", "0"
    )
    assert result.returncode == 0, result.stderr.decode()
    assert "\tMine\n\t\tlines seen=2\n" in result.stderr.decode()
    assert not [line for line in result.stderr.decode().splitlines() if line.startswith("reporter")]


@pytest.mark.parametrize("framework", ["local", "yarn"])
def test_failing_task_stderr_goes_where_the_framework_puts_it(sandbox, monkeypatch, framework):
    monkeypatch.setenv("HADOOP_EMULATOR_FRAMEWORK", framework)
    put(sandbox, "/in/a", b"x\n")
    mapper = "sh -c 'echo boom-from-task >&2; exit 3'"
    result = streaming(
        sandbox, "-D", "mapreduce.map.maxattempts=2", "-input", "/in", "-output", "/out",
        "-mapper", mapper,
    )  # fmt: skip
    stderr = result.stderr.decode()
    assert result.returncode == 1
    assert "subprocess failed with code 3" in stderr
    assert sandbox.local("/out").is_dir()  # Hadoop leaves the empty output dir behind
    assert list(sandbox.local("/out").iterdir()) == []
    if framework == "local":
        assert "boom-from-task" in stderr
        return
    assert "boom-from-task" not in stderr
    assert "Task Id : attempt_1700000000001_0001_m_000000_1, Status : FAILED" in stderr
    logs = run("yarn", "logs", "-applicationId", "application_1700000000001_0001")
    assert logs.returncode == 0
    assert logs.stdout.decode().count("boom-from-task") == 2  # one per attempt


def test_yarn_logs_unavailable_fails_like_yarn(sandbox, monkeypatch):
    monkeypatch.setenv("HADOOP_EMULATOR_YARN_LOGS", "unavailable")
    result = run("yarn", "logs", "-applicationId", "application_1_0001")
    assert result.returncode == 255
    assert "Can not find the logs for the application: application_1_0001" in (
        result.stderr.decode()
    )


def test_commas_inside_a_brace_glob_do_not_split_the_input(sandbox):
    # Hadoop splits -input on commas, except inside {a,b} alternatives.
    put(sandbox, "/in/one", b"1\n")
    put(sandbox, "/in/two", b"2\n")
    put(sandbox, "/in/three", b"3\n")
    result = streaming(
        sandbox, "-input", "/in/{one,two},/in/three", "-output", "/out", "-numReduceTasks", "0"
    )
    assert result.returncode == 0, result.stderr.decode()
    parts = sorted(sandbox.local("/out").glob("part-*"))
    assert sorted(b"".join(p.read_bytes() for p in parts).split()) == [b"1", b"2", b"3"]


def test_files_entries_are_parsed_as_uris_like_hadoop(sandbox, tmp_path):
    spaced = tmp_path / "with space.txt"
    spaced.write_text("x")
    put(sandbox, "/in/a", b"a\n")
    args = ["-input", "/in/a", "-output", "/out", "-mapper", "cat"]
    refused = streaming(sandbox, "-files", str(spaced), *args)
    assert refused.returncode == 1
    assert "URISyntaxException: Illegal character in path" in refused.stderr.decode()
    encoded = str(spaced).replace(" ", "%20")
    assert streaming(sandbox, "-files", f"{encoded}#renamed", *args).returncode == 0
    missing = streaming(sandbox, "-files", str(tmp_path / "nothing.txt"), *args)
    assert missing.returncode == 1
    assert "java.io.FileNotFoundException: File " in missing.stderr.decode()
