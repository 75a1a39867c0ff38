"""A failing task stops the job with its traceback and location, and leaves no output."""

from __future__ import annotations

import pytest

from streamflow.errors import JobError, MissingInput, UsageError
from tests.mr.conftest import RUNNERS, run_job
from tests.mr.jobs.artist_count import ArtistCount
from tests.mr.jobs.failing import FailingMapper, FailingReducer


@pytest.mark.parametrize("runner", RUNNERS)
def test_mapper_failure_shows_traceback_step_file_and_line(runner, write_input, tmp_path):
    path = write_input("in.txt", ["fine", "also fine", "boom here", "never reached"])
    out = tmp_path / "out"
    with pytest.raises(JobError) as caught:
        run_job(FailingMapper, [path, "--num-cores", "1"], runner, out)
    message = str(caught.value)
    assert "ValueError: cannot map 'boom here'" in message
    assert "Traceback (most recent call last)" in message
    assert "mapper of step 1 of 1" in message
    assert f"line 3 of {path}" in message
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.txt"]


def test_local_mapper_failure_in_a_later_split_names_the_split_offset(write_input, tmp_path):
    lines = [f"line {i:04d}" for i in range(300)]
    lines[250] = "boom"
    path = write_input("in.txt", lines)
    split = ["--jobconf", "mapreduce.input.fileinputformat.split.maxsize=1000"]
    with pytest.raises(JobError) as caught:
        run_job(FailingMapper, [path, *split, "--num-cores", "1"], "local", tmp_path / "out")
    message = str(caught.value)
    # 10-byte lines, 1000-byte splits: line 251 is line 51 of the split at byte 2000.
    assert f"line 51 of the split starting at byte 2000 of {path}" in message


@pytest.mark.parametrize("runner", RUNNERS)
def test_reducer_failure_names_the_key(runner, write_input, tmp_path):
    path = write_input("in.txt", ["good", "bad", "good"])
    with pytest.raises(JobError) as caught:
        run_job(FailingReducer, [path], runner, tmp_path / "out")
    message = str(caught.value)
    assert "reducer of step 1 of 1 failed on key 'bad'" in message
    assert "KeyError: 'no reducing bad keys'" in message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("runner", RUNNERS)
def test_existing_output_dir_is_refused(runner, write_input, tmp_path):
    path = write_input("in.tsv", ["t\ta\tx"])
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(UsageError, match="already exists"):
        run_job(ArtistCount, [path], runner, out)
    assert (out / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize("runner", RUNNERS)
def test_missing_input_is_a_clear_error(runner, tmp_path):
    with pytest.raises(MissingInput, match=r"nope\.tsv"):
        run_job(ArtistCount, [str(tmp_path / "nope.tsv")], runner, tmp_path / "out")
