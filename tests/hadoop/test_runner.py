"""The Hadoop runner against the emulator: the same output as the inline runner, Hadoop-correct
command lines, shipped code and files, and scratch handling.

Tests that only look at one run of a job share that run (module fixtures): each run starts
a dozen processes, so the suite stays quick without asserting less.
"""

from __future__ import annotations

import datetime
import gc
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

from streamflow.mr.runners.hadoop import HadoopRunner
from tests.hadoop.jobs.filtered import Filtered
from tests.hadoop.jobs.lookup import Lookup
from tests.hadoop.jobs.top_words import TopWords
from tests.hadoop.jobs.word_count import WordCount
from tests.hadoop.running import (
    MORE,
    TEXT,
    hadoop_runner,
    jar_commands,
    run_hadoop,
    run_inline,
    sandbox_env,
    write_inputs,
)
from tests.hadoop_emulator.sandbox import HadoopSandbox, make_sandbox
from tests.mr.jobs.raw_files import RawFiles


@dataclass
class Run:
    """One finished run of a job on its own emulated cluster, and what it left behind."""

    sandbox: HadoopSandbox
    inputs: list[str]
    output: bytes
    commands: list[list[str]]
    runner: HadoopRunner | None = None


def new_cluster(tmp_path_factory, name: str) -> tuple[HadoopSandbox, list[str]]:
    root = tmp_path_factory.mktemp(name)
    return make_sandbox(root), write_inputs(root)


@pytest.fixture(scope="module")
def word_count(tmp_path_factory):
    """WordCount with a passthru option, a jobconf and an output on the cluster; the runner
    stays open for the tests that read its output."""
    box, inputs = new_cluster(tmp_path_factory, "word-count")
    args = [*inputs, "--jobconf", "my.key=a b", "-o", "hdfs://emulated:8020/results/wc"]
    with hadoop_runner(WordCount, [*args, "--min-count", "2"], env=sandbox_env(box)) as runner:
        runner.run()
        output = b"".join(runner.cat_output())
        yield Run(box, inputs, output, box.commands(), runner)


@pytest.fixture(scope="module")
def top_words(tmp_path_factory) -> Run:
    """A finished two-step run on local inputs (its scratch directory already cleaned up)."""
    box, inputs = new_cluster(tmp_path_factory, "top-words")
    with hadoop_runner(TopWords, inputs, env=sandbox_env(box)) as runner:
        runner.run()
        output = b"".join(runner.cat_output())
    return Run(box, inputs, output, box.commands(), runner)


def test_word_count_output_matches_the_inline_runner(word_count):
    expected = run_inline(WordCount, [*word_count.inputs, "--min-count", "2"])
    assert expected  # the comparison means something
    assert word_count.output == expected


def test_counters_come_from_hadoops_output(word_count):
    assert word_count.runner is not None
    (counters,) = word_count.runner.counters()
    assert counters["words"] == {"seen": len((TEXT + MORE).split())}
    assert counters["Map-Reduce Framework"]["Map input records"] == 5


def test_command_line_puts_generic_options_before_streaming_options(word_count):
    (argv,) = jar_commands(word_count.commands)
    assert argv[:3] == ["hadoop", "jar", str(word_count.sandbox.streaming_jar)]
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
    results = word_count.sandbox.local("/results")
    assert (results / "wc" / "_SUCCESS").exists()
    assert [p.name for p in results.iterdir()] == ["wc"]


def test_output_read_only_in_part_stops_the_cat_process(word_count):
    assert word_count.runner is not None
    lines = word_count.runner.cat_output()
    assert next(lines)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lines.close()
        del lines
        gc.collect()
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []


def test_two_step_job_with_raw_output_matches_inline(top_words):
    expected = run_inline(TopWords, top_words.inputs)
    assert expected.count(b"\n") == 3
    assert top_words.output == expected
    assert len(jar_commands(top_words.commands)) == 2


def test_local_inputs_are_uploaded_and_scratch_is_removed(top_words):
    puts = [argv for argv in top_words.commands if argv[2:3] == ["-put"]]
    assert len(puts) == 1 and puts[0][3:5] == top_words.inputs
    scratch = top_words.sandbox.local("/user/tester/tmp/streamflow")
    assert scratch.is_dir() and list(scratch.iterdir()) == []


def test_keep_tmp_keeps_the_scratch_directory_with_step_outputs(sandbox, inputs):
    run_hadoop(TopWords, inputs, keep_tmp=True)
    (scratch,) = sandbox.local("/user/tester/tmp/streamflow").iterdir()
    assert (scratch / "step-1" / "_SUCCESS").exists()
    assert (scratch / "input").is_dir()


def test_shell_pre_filter_and_command_steps_run_through_sh(sandbox, inputs):
    # grep -v drops the "skip" line, the mapper upper-cases each line as its key, and the
    # reducer (uniq) sees the keys in Hadoop's byte order.
    kept = [line.upper() for line in (TEXT + MORE).splitlines() if "skip" not in line]
    expected = sorted({f'"{line}"\tnull' for line in kept}, key=str.encode)
    assert run_hadoop(Filtered, inputs).decode().splitlines() == expected


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
    # With the environment a container gets (no PYTHONPATH), it cannot import streamflow:
    bare = subprocess.run(
        [bare_python, "-c", "import streamflow"],
        capture_output=True,
        cwd="/",
        env={"PATH": os.environ.get("PATH", "")},
    )
    assert bare.returncode != 0, "this interpreter can import streamflow: the test proves nothing"
    assert run_hadoop(WordCount, inputs, python_bin=bare_python) == run_inline(WordCount, inputs)


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


@pytest.fixture(scope="module")
def lookup(tmp_path_factory) -> Run:
    """Lookup with its table file in a folder whose name Hadoop's -files parsing would
    break (a space, a comma, a %), and an empty --prefix, which Streaming's splitting drops."""
    box, inputs = new_cluster(tmp_path_factory, "lookup")
    folder = Path(inputs[0]).parent / "look up, 100%"
    folder.mkdir()
    table = folder / "table v1.txt"
    table.write_text("cat feline\ndog canine\n")
    args = [*inputs, "--table", str(table), "--prefix", ""]
    output = run_hadoop(Lookup, args, env=sandbox_env(box))
    return Run(box, inputs, output, box.commands())


def test_shipped_file_whose_path_has_a_space_comma_and_percent_reaches_the_tasks(lookup):
    words = (TEXT + MORE).replace("cat", "feline").replace("dog", "canine").split()
    expected = {f'"{word}"': str(words.count(word)) for word in words}
    assert dict(line.split("\t") for line in lookup.output.decode().splitlines()) == expected


def test_an_empty_job_argument_reaches_the_tasks(lookup):
    keys = [line.split("\t")[0] for line in lookup.output.decode().splitlines()]
    assert keys and not [key for key in keys if key.startswith('"=')]  # "=" is the default


def test_whole_file_mapper_on_qualified_paths_matches_inline(sandbox, inputs):
    output = run_hadoop(RawFiles, inputs, hadoop_tmp_dir="hdfs://emulated:8020/tmp/sf")
    assert output.decode().splitlines() == ['"one.txt"\t3', '"two.txt"\t2']
