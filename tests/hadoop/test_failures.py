"""The Hadoop runner when things go wrong: the task's Python traceback (local job runner and
YARN), clear messages for configuration, inputs and outputs, and nothing left behind."""

from __future__ import annotations

import pytest

from streamflow.errors import ConfigError, JobError, MissingInput, UsageError
from tests.hadoop.jobs.failing import Failing
from tests.hadoop.jobs.racing import OUTPUT, Racing
from tests.hadoop.jobs.word_count import WordCount
from tests.hadoop.running import hadoop_runner, jar_commands, run_hadoop
from tests.mr.jobs.raw_files import RawFiles


@pytest.fixture
def boom(tmp_path) -> str:
    """An input whose one line makes Failing's mapper raise."""
    data = tmp_path / "in.txt"
    data.write_text("boom\n")
    return str(data)


def test_local_job_runner_failure_shows_the_python_traceback(sandbox, tmp_path):
    data = tmp_path / "in.txt"
    data.write_text("fine\nboom\n")
    with pytest.raises(JobError) as caught:
        run_hadoop(Failing, [str(data), "-o", "/failed"])
    message = str(caught.value)
    assert "Traceback (most recent call last):" in message
    assert "ValueError: cannot handle the line 'boom'" in message
    assert "mapper of step 1 of 1 failed at line 2" in message
    assert "INFO" not in message  # Hadoop's own log lines are left out
    assert not sandbox.local("/failed").exists()
    assert not [p for p in sandbox.hdfs_root.rglob("*.tmp-*")]


def test_chained_exception_shows_both_tracebacks(sandbox, tmp_path):
    data = tmp_path / "in.txt"
    data.write_text("chained\n")
    with pytest.raises(JobError) as caught:
        run_hadoop(Failing, [str(data)])
    message = str(caught.value)
    assert "ValueError: invalid literal for int() with base 10: 'chained'" in message
    assert "direct cause of the following exception" in message
    assert message.rstrip().endswith("LookupError: no count in the line 'chained'")


def test_yarn_failure_fetches_the_traceback_with_the_attempt_id(sandbox, boom, monkeypatch):
    monkeypatch.setenv("HADOOP_EMULATOR_FRAMEWORK", "yarn")
    with pytest.raises(JobError) as caught:
        run_hadoop(Failing, [boom, "--jobconf", "mapreduce.map.maxattempts=2"])
    message = str(caught.value)
    assert "ValueError: cannot handle the line 'boom'" in message
    assert "task attempt attempt_1700000000001_0001_m_000000_1" in message
    assert "container container_1700000000001_0001_01_" in message
    (logs,) = [argv for argv in sandbox.commands() if argv[0] == "yarn"]
    assert logs[1:4] == ["logs", "-applicationId", "application_1700000000001_0001"]


def test_yarn_failure_without_logs_says_why_and_where_to_look(sandbox, boom, monkeypatch):
    monkeypatch.setenv("HADOOP_EMULATOR_FRAMEWORK", "yarn")
    monkeypatch.setenv("HADOOP_EMULATOR_YARN_LOGS", "unavailable")
    with pytest.raises(JobError) as caught:
        run_hadoop(Failing, [boom, "--jobconf", "mapreduce.map.maxattempts=1"])
    message = str(caught.value)
    assert "could not get the task's traceback" in message
    assert "Can not find the logs for the application" in message
    assert "http://emulated-rm:8088/proxy/application_1700000000001_0001/" in message
    assert "yarn logs -applicationId application_1700000000001_0001" in message


def test_a_failing_cleanup_does_not_hide_why_the_job_failed(sandbox, boom, tmp_path, caplog):
    # A NameNode in safe mode refuses deletes; the task's traceback is still what is raised.
    hadoop = tmp_path / "hadoop-in-safe-mode"
    hadoop.write_text(
        "#!/bin/sh\n"
        'if [ "$1 $2" = "fs -rm" ]; then\n'
        '  echo "rm: Cannot delete /x. Name node is in safe mode." >&2; exit 1\n'
        "fi\n"
        f'exec "{sandbox.hadoop_bin}" "$@"\n'
    )
    hadoop.chmod(0o755)
    with pytest.raises(JobError, match="ValueError: cannot handle the line 'boom'"):
        run_hadoop(Failing, [boom, "-o", "/failed"], hadoop_bin=str(hadoop))
    assert "Name node is in safe mode" in caplog.text


def test_existing_output_is_refused_before_anything_runs(sandbox, inputs):
    sandbox.local("/out").mkdir()
    with pytest.raises(JobError, match="output directory /out already exists"):
        run_hadoop(WordCount, [*inputs, "-o", "/out"])
    assert jar_commands(sandbox.commands()) == []


def test_output_created_meanwhile_by_another_run_is_a_job_error(sandbox, inputs):
    with pytest.raises(JobError, match=f"could not move the finished output to {OUTPUT}"):
        run_hadoop(Racing, [*inputs, "-o", OUTPUT])
    assert list(sandbox.local(OUTPUT).iterdir()) == []  # the other run's directory, untouched
    assert not [p for p in sandbox.hdfs_root.rglob("*.tmp-*")]


def test_missing_input_names_the_path(sandbox, tmp_path):
    with pytest.raises(MissingInput, match=r"nowhere\.txt"):
        run_hadoop(WordCount, [str(tmp_path / "nowhere.txt")])
    assert jar_commands(sandbox.commands()) == []


def test_whole_file_mapper_on_scheme_less_paths_says_to_use_uris(sandbox, inputs):
    # Its tasks would look for a bare path on their own local disk.
    with pytest.raises(UsageError, match="needs full URIs") as caught:
        run_hadoop(RawFiles, inputs)
    assert "[hadoop] tmp_dir" in caught.value.hint
    assert jar_commands(sandbox.commands()) == []


def test_missing_hadoop_says_where_it_looked(tmp_path, monkeypatch, inputs):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("HADOOP_HOME", str(tmp_path / "hadoop"))
    expected = r"cannot find the hadoop command; looked in \$HADOOP_HOME"
    with pytest.raises(ConfigError, match=expected):
        hadoop_runner(WordCount, inputs)


def test_missing_streaming_jar_says_where_it_looked(sandbox, inputs):
    sandbox.streaming_jar.unlink()
    with pytest.raises(ConfigError) as caught:
        hadoop_runner(WordCount, inputs)
    message = str(caught.value)
    assert f"{sandbox.hadoop_home}/share/hadoop/tools/lib" in message
    assert "/usr/lib/hadoop-mapreduce" in message
    assert "HADOOP_STREAMING_JAR" in message


def test_configured_streaming_jar_that_is_missing_is_named(sandbox, inputs, monkeypatch):
    monkeypatch.setenv("HADOOP_STREAMING_JAR", "/opt/nothing/streaming.jar")
    with pytest.raises(ConfigError, match=r"HADOOP_STREAMING_JAR is '/opt/nothing/streaming\.jar'"):
        hadoop_runner(WordCount, inputs)
