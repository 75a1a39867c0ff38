"""The job as a script and as a task: mrjob's command line, the harness, the sandbox."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from streamflow.mr import MRJob, MRStep
from tests.mr.conftest import json_lines, streams_lines
from tests.mr.jobs.artist_count import ArtistCount
from tests.mr.jobs.multi_step import MultiStep

ROOT = Path(__file__).resolve().parents[2]
JOB_SCRIPT = ROOT / "tests" / "mr" / "jobs" / "artist_count.py"
ENV = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}


def test_script_prints_output_to_stdout_without_output_dir(write_input):
    path = write_input("s.tsv", streams_lines(["x", "y", "x"]))
    done = subprocess.run(
        [sys.executable, str(JOB_SCRIPT), path], capture_output=True, env=ENV, check=True
    )
    assert sorted(done.stdout.splitlines()) == json_lines({"x": 2, "y": 1})


def test_script_reports_a_failure_with_nonzero_exit_and_no_output(write_input, tmp_path):
    path = write_input("bad.tsv", ["no tabs here"])
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(JOB_SCRIPT), path, "-r", "local", "-o", str(out)],
        capture_output=True,
        env=ENV,
    )
    assert done.returncode == 1
    assert b"ValueError: not enough values to unpack" in done.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "entry", [["-m", "streamflow.mr.harness", "tests.mr.jobs.artist_count:ArtistCount"], None]
)
def test_task_side_entry_maps_and_reduces_stdin_to_stdout(entry):
    argv = [sys.executable, *(entry or [str(JOB_SCRIPT)])]
    lines = "".join(f"{line}\n" for line in streams_lines(["b", "a", "b"])).encode()
    mapped = subprocess.run(
        [*argv, "--step-num", "0", "--mapper"], input=lines, capture_output=True, env=ENV
    )
    assert mapped.returncode == 0, mapped.stderr
    # The step has a combiner: the mapper task combines its own output.
    assert sorted(mapped.stdout.splitlines()) == [b'"a"\t1', b'"b"\t2']
    reduced = subprocess.run(
        [*argv, "--step-num", "0", "--reducer"],
        input=b'"a"\t1\n"b"\t2\n"b"\t5\n',
        capture_output=True,
        env=ENV,
    )
    assert reduced.stdout == b'"a"\t1\n"b"\t7\n'


def test_harness_writes_counters_and_traceback_to_stderr_on_failure():
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "streamflow.mr.harness",
            "tests.mr.jobs.failing:FailingMapper",
            "--step-num",
            "0",
            "--mapper",
        ],
        input=b"ok\nboom\n",
        capture_output=True,
        env=ENV,
    )
    assert done.returncode == 1
    assert b"mapper of step 1 of 1 failed at line 2 of stdin" in done.stderr
    assert b"ValueError: cannot map 'boom'" in done.stderr


def test_sandbox_and_make_runner_read_stdin_and_parse_output():
    job = MultiStep(["--no-cat-output"])
    job.sandbox(stdin=io.BytesIO(b"apple avocado apple\nbanana\n"))
    with job.make_runner() as runner:
        runner.run()
        output = dict(job.parse_output(runner.cat_output()))
    assert output == {"a": ["apple", 2], "b": ["banana", 1]}


def test_steps_description_is_plain_data_like_mrjob():
    job = MultiStep([])
    assert job.steps_desc() == [
        {
            "type": "streaming",
            "mapper": {"type": "script"},
            "combiner": {"type": "script"},
            "reducer": {"type": "script"},
        },
        {"type": "streaming", "mapper": {"type": "script"}, "reducer": {"type": "script"}},
    ]
    assert json.loads(json.dumps(job.steps_desc())) == job.steps_desc()


def test_command_and_pre_filter_steps_are_described_as_shell_commands():
    step = MRStep(mapper_cmd=["cut", "-f", "2"], reducer_pre_filter="sort -u", reducer=print)
    assert step.description(1) == {
        "type": "streaming",
        "mapper": {"type": "command", "command": "cut -f 2"},
        "reducer": {"type": "script", "pre_filter": "sort -u"},
    }


def test_job_without_any_step_method_says_what_to_override():
    with pytest.raises(ValueError, match="override at least one"):
        MRJob([]).steps()


def test_jobconf_option_and_class_attribute_merge(tmp_path):
    class Conf(ArtistCount):
        JOBCONF = {"mapreduce.job.reduces": 3, "flag": True}

    job = Conf(["--jobconf", "mapreduce.job.reduces=1", "--jobconf", "x.y=z"])
    assert job.jobconf() == {"mapreduce.job.reduces": "1", "flag": "true", "x.y": "z"}
