"""The Hadoop runner against the emulator: same output as inline, Hadoop-correct commands,
scratch handling, and failures that show the task's Python traceback."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import warnings

import pytest

from streamflow.config import HadoopConfig
from streamflow.errors import ConfigError, JobError, MissingInput, UsageError
from streamflow.mr.runners.hadoop import HadoopRunner
from tests.hadoop.jobs.failing import Failing
from tests.hadoop.jobs.filtered import Filtered
from tests.hadoop.jobs.lookup import Lookup
from tests.hadoop.jobs.racing import OUTPUT, Racing
from tests.hadoop.jobs.top_words import TopWords
from tests.hadoop.jobs.word_count import WordCount
from tests.mr.jobs.raw_files import RawFiles

TEXT = "the cat sat\non the mat\nThe end\n"
MORE = "a cat and a dog\nskip this line\n"


@pytest.fixture
def inputs(tmp_path):
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text(TEXT)
    two.write_text(MORE)
    return [str(one), str(two)]


def hadoop_runner(job_class, args, **options) -> HadoopRunner:
    job = job_class(["-r", "hadoop", *args])
    options.setdefault("python_bin", sys.executable)
    options.setdefault("config", HadoopConfig())
    return HadoopRunner(job.job_spec(), **options)


def run_hadoop(job_class, args, **options) -> bytes:
    with hadoop_runner(job_class, args, **options) as runner:
        runner.run()
        return b"".join(runner.cat_output())


def run_inline(job_class, args) -> bytes:
    with job_class(["-r", "inline", *args]).make_runner() as runner:
        runner.run()
        return b"".join(runner.cat_output())


def jar_commands(sandbox) -> list[list[str]]:
    return [argv for argv in sandbox.commands() if argv[1:2] == ["jar"]]


def test_word_count_output_matches_the_inline_runner(sandbox, inputs):
    args = [*inputs, "--min-count", "2"]
    expected = run_inline(WordCount, args)
    assert expected  # the comparison means something
    assert run_hadoop(WordCount, args) == expected


def test_counters_come_from_hadoops_output(sandbox, inputs):
    with hadoop_runner(WordCount, inputs) as runner:
        runner.run()
        (counters,) = runner.counters()
    words = len((TEXT + MORE).split())
    assert counters["words"] == {"seen": words}
    assert counters["Map-Reduce Framework"]["Map input records"] == 5


def test_two_step_job_with_raw_output_matches_inline(sandbox, inputs):
    expected = run_inline(TopWords, inputs)
    assert expected.count(b"\n") == 3
    assert run_hadoop(TopWords, inputs) == expected
    assert len(jar_commands(sandbox)) == 2


def test_shell_pre_filter_and_command_steps_run_through_sh(sandbox, inputs):
    # grep -v drops the "skip" line, the mapper upper-cases each line as its key, and the
    # reducer (uniq) sees the keys in Hadoop's byte order.
    kept = [line.upper() for line in (TEXT + MORE).splitlines() if "skip" not in line]
    expected = sorted({f'"{line}"\tnull' for line in kept}, key=str.encode)
    assert run_hadoop(Filtered, inputs).decode().splitlines() == expected


def test_command_line_puts_generic_options_before_streaming_options(sandbox, inputs):
    output_dir = "hdfs://emulated:8020/results/wc"
    args = [*inputs, "--jobconf", "my.key=a b", "-o", output_dir, "--min-count", "2"]
    run_hadoop(WordCount, args)
    (argv,) = jar_commands(sandbox)
    assert argv[:3] == ["hadoop", "jar", str(sandbox.streaming_jar)]
    options = argv[3:]
    generic = {"-D", "-files", "-archives", "-libjars"}
    first_streaming = options.index("-input")
    assert all(options[i] in generic for i in range(0, first_streaming, 2))
    assert all(arg not in generic for arg in options[first_streaming:])
    assert options[options.index("-D", 0) + 1] == "my.key=a b"
    files = options[options.index("-files") + 1]
    assert files.split(",")[0].endswith("/streamflow-job.zip#streamflow-job.zip")
    python = sys.executable
    assert options[options.index("-mapper") + 1] == (
        f"{python} -m streamflow.mr.harness tests.hadoop.jobs.word_count:WordCount "
        "--step-num 0 --mapper --min-count 2"
    )
    assert options[options.index("-reducer") + 1].endswith("--reducer --min-count 2")
    assert options[-2:] == ["-cmdenv", "PYTHONPATH=streamflow-job.zip"]
    output_arg = options[options.index("-output") + 1]
    assert output_arg.startswith("hdfs://emulated:8020/results/.wc.tmp-")
    assert sandbox.local("/results/wc/_SUCCESS").exists()
    assert not [p for p in sandbox.local("/results").iterdir() if p.name != "wc"]


def test_local_inputs_are_uploaded_and_scratch_is_removed(sandbox, inputs):
    run_hadoop(TopWords, inputs)
    puts = [argv for argv in sandbox.commands() if argv[2:3] == ["-put"]]
    assert len(puts) == 1 and puts[0][3:5] == inputs
    scratch = sandbox.local("/user/tester/tmp/streamflow")
    assert scratch.is_dir() and list(scratch.iterdir()) == []


def test_keep_tmp_keeps_the_scratch_directory_with_step_outputs(sandbox, inputs):
    run_hadoop(TopWords, inputs, keep_tmp=True)
    (scratch,) = sandbox.local("/user/tester/tmp/streamflow").iterdir()
    assert (scratch / "step-1" / "_SUCCESS").exists()
    assert (scratch / "input").is_dir()


def test_cluster_inputs_are_used_in_place(sandbox):
    data = sandbox.local("/data/words/part-1")
    data.parent.mkdir(parents=True)
    data.write_text(TEXT)
    local = sandbox.home.parent / "same.txt"
    local.write_text(TEXT)
    output = run_hadoop(WordCount, ["hdfs://emulated:8020/data/words"])
    assert output == run_inline(WordCount, [str(local)])
    assert not [argv for argv in sandbox.commands() if argv[2:3] == ["-put"]]


def test_file_default_fs_runs_on_scheme_less_local_paths(sandbox, inputs, monkeypatch, tmp_path):
    monkeypatch.setenv("HADOOP_EMULATOR_DEFAULT_FS", "file:///")
    out = tmp_path / "single-node-out"
    scratch = str(tmp_path / "scratch")
    with hadoop_runner(WordCount, [*inputs, "-o", str(out)], hadoop_tmp_dir=scratch) as runner:
        runner.run()
    assert (out / "_SUCCESS").exists()
    assert b"".join(p.read_bytes() for p in sorted(out.glob("part-*"))) == run_inline(
        WordCount, inputs
    )


def test_tasks_need_only_python_because_the_code_is_shipped(sandbox, inputs, monkeypatch):
    # YARN containers get a clean environment, and this interpreter has no streamflow.
    monkeypatch.setenv("HADOOP_EMULATOR_FRAMEWORK", "yarn")
    bare_python = os.path.join(sys.base_prefix, "bin", "python3")
    bare = subprocess.run([bare_python, "-c", "import streamflow"], capture_output=True, cwd="/")
    assert bare.returncode != 0, "this interpreter can import streamflow: the test proves nothing"
    assert run_hadoop(WordCount, inputs, python_bin=bare_python) == run_inline(WordCount, inputs)


def test_existing_output_is_refused_before_anything_runs(sandbox, inputs):
    sandbox.local("/out").mkdir()
    with pytest.raises(JobError, match="output directory /out already exists"):
        run_hadoop(WordCount, [*inputs, "-o", "/out"])
    assert jar_commands(sandbox) == []


def test_missing_input_names_the_path(sandbox, tmp_path):
    with pytest.raises(MissingInput, match=r"nowhere\.txt"):
        run_hadoop(WordCount, [str(tmp_path / "nowhere.txt")])
    assert jar_commands(sandbox) == []


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


def test_yarn_failure_fetches_the_traceback_with_the_attempt_id(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("HADOOP_EMULATOR_FRAMEWORK", "yarn")
    data = tmp_path / "in.txt"
    data.write_text("boom\n")
    with pytest.raises(JobError) as caught:
        run_hadoop(Failing, [str(data), "--jobconf", "mapreduce.map.maxattempts=2"])
    message = str(caught.value)
    assert "ValueError: cannot handle the line 'boom'" in message
    assert "task attempt attempt_1700000000001_0001_m_000000_1" in message
    assert "container container_1700000000001_0001_01_" in message
    (logs,) = [argv for argv in sandbox.commands() if argv[0] == "yarn"]
    assert logs[1:4] == ["logs", "-applicationId", "application_1700000000001_0001"]


def test_yarn_failure_without_logs_says_why_and_where_to_look(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("HADOOP_EMULATOR_FRAMEWORK", "yarn")
    monkeypatch.setenv("HADOOP_EMULATOR_YARN_LOGS", "unavailable")
    data = tmp_path / "in.txt"
    data.write_text("boom\n")
    with pytest.raises(JobError) as caught:
        run_hadoop(Failing, [str(data), "--jobconf", "mapreduce.map.maxattempts=1"])
    message = str(caught.value)
    assert "could not get the task's traceback" in message
    assert "Can not find the logs for the application" in message
    assert "http://emulated-rm:8088/proxy/application_1700000000001_0001/" in message
    assert "yarn logs -applicationId application_1700000000001_0001" in message


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


def test_job_make_runner_picks_the_hadoop_runner(sandbox, inputs, monkeypatch):
    monkeypatch.setenv("STREAMFLOW_HADOOP_PYTHON_BIN", sys.executable)
    job = WordCount(["-r", "hadoop", *inputs])
    with job.make_runner() as runner:
        assert isinstance(runner, HadoopRunner)
        runner.run()
        counts = dict(job.parse_output(runner.cat_output()))
    words = (TEXT + MORE).lower().split()
    assert counts == {word: words.count(word) for word in words}


def test_reference_job_on_cluster_inputs_matches_inline(sandbox, tmp_path):
    import datetime

    from jobs.streams import write_streams
    from jobs.streams_per_artist import StreamsPerArtist

    local_days = []
    for day in (1, 2, 3):
        date = datetime.date(2012, 6, day)
        local = tmp_path / f"streams_{date}.tsv"
        with open(local, "w", encoding="utf-8") as out:
            write_streams(date, 200, out)
        remote = sandbox.local(f"/data/streams/streams_{date}.tsv")
        remote.parent.mkdir(parents=True, exist_ok=True)
        remote.write_bytes(local.read_bytes())
        local_days.append(str(local))
    expected = run_inline(StreamsPerArtist, local_days)
    remote_days = [f"/data/streams/streams_2012-06-0{day}.tsv" for day in (1, 2, 3)]
    one_reducer = run_hadoop(StreamsPerArtist, remote_days)
    assert one_reducer == expected
    two = run_hadoop(StreamsPerArtist, [*remote_days, "--jobconf", "mapreduce.job.reduces=2"])
    assert sorted(two.splitlines()) == sorted(expected.splitlines())


def lookup_table(tmp_path, folder: str, name: str = "table.txt"):
    directory = tmp_path / folder
    directory.mkdir()
    table = directory / name
    table.write_text("cat feline\ndog canine\n")
    return table


def test_shipped_file_whose_path_has_a_space_comma_and_percent_reaches_the_tasks(
    sandbox, tmp_path, inputs
):
    # Hadoop splits -files on commas and parses each entry as a URI.
    table = lookup_table(tmp_path, "look up, 100%", "table v1.txt")
    output = run_hadoop(Lookup, [*inputs, "--table", str(table)])
    words = (TEXT + MORE).replace("cat", "feline").replace("dog", "canine").split()
    expected = {f'"={word}"': words.count(word) for word in words}
    assert dict(line.split("\t") for line in output.decode().splitlines()) == {
        key: str(count) for key, count in expected.items()
    }


def test_an_empty_job_argument_reaches_the_tasks(sandbox, tmp_path, inputs):
    # Streaming's command splitting drops '' ; the task must still get an empty --prefix.
    table = lookup_table(tmp_path, "tables")
    output = run_hadoop(Lookup, [*inputs, "--table", str(table), "--prefix", ""])
    keys = {line.split("\t")[0] for line in output.decode().splitlines()}
    assert '"feline"' in keys and '"canine"' in keys
    assert not [key for key in keys if key.startswith('"=')]


def test_chained_exception_shows_both_tracebacks(sandbox, tmp_path):
    data = tmp_path / "in.txt"
    data.write_text("chained\n")
    with pytest.raises(JobError) as caught:
        run_hadoop(Failing, [str(data)])
    message = str(caught.value)
    assert "ValueError: invalid literal for int() with base 10: 'chained'" in message
    assert "direct cause of the following exception" in message
    assert message.rstrip().endswith("LookupError: no count in the line 'chained'")


def test_output_created_meanwhile_by_another_run_is_a_job_error(sandbox, inputs):
    with pytest.raises(JobError, match=f"could not move the finished output to {OUTPUT}"):
        run_hadoop(Racing, [*inputs, "-o", OUTPUT])
    assert list(sandbox.local(OUTPUT).iterdir()) == []  # the other run's directory, untouched
    assert not [p for p in sandbox.hdfs_root.rglob("*.tmp-*")]


def test_a_failing_cleanup_does_not_hide_why_the_job_failed(sandbox, tmp_path, caplog):
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
    data = tmp_path / "in.txt"
    data.write_text("boom\n")
    with pytest.raises(JobError, match="ValueError: cannot handle the line 'boom'"):
        run_hadoop(Failing, [str(data), "-o", "/failed"], hadoop_bin=str(hadoop))
    assert "Name node is in safe mode" in caplog.text


def test_output_read_only_in_part_stops_the_cat_process(sandbox, inputs):
    with hadoop_runner(WordCount, inputs) as runner:
        runner.run()
        lines = runner.cat_output()
        assert next(lines)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lines.close()
            del lines
            gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []


def test_whole_file_mapper_on_qualified_paths_matches_inline(sandbox, inputs):
    output = run_hadoop(RawFiles, inputs, hadoop_tmp_dir="hdfs://emulated:8020/tmp/sf")
    assert output.decode().splitlines() == ['"one.txt"\t3', '"two.txt"\t2']


def test_whole_file_mapper_on_scheme_less_paths_says_to_use_uris(sandbox, inputs):
    # Its tasks would look for a bare path on their own local disk.
    with pytest.raises(UsageError, match="needs full URIs") as caught:
        run_hadoop(RawFiles, inputs)
    assert "[hadoop] tmp_dir" in caught.value.hint
    assert jar_commands(sandbox) == []
