"""Small inputs share a map task, and every record still sees its own input file."""

from __future__ import annotations

import json

import pytest

from streamflow.errors import JobError
from streamflow.mr.runners.local import Split, pack_splits
from tests.mr.conftest import RUNNERS, json_lines, run_job
from tests.mr.jobs.failing import FailingMapper
from tests.mr.jobs.map_only import TagLines
from tests.mr.jobs.raw_files import InputFileNames

# name -> number of lines, all different so a record counted under the wrong file shows.
FILES = {"a.txt": 3, "b.txt": 11, "c.txt": 1, "d.txt": 40, "e.txt": 7}


@pytest.mark.parametrize("runner", RUNNERS)
def test_each_record_of_a_packed_task_sees_its_own_input_file(runner, write_input, tmp_path):
    paths = [write_input(name, [f"{name} line {i}" for i in range(n)]) for name, n in FILES.items()]
    result = run_job(InputFileNames, [*paths, "--num-cores", "2"], runner, tmp_path / "out")
    assert result.lines == json_lines(FILES)
    map_tasks = result.counters[0]["tasks"]["map"]
    if runner == "local":
        # Five small files, two cores: at most one map task per core.
        assert map_tasks <= 2
    else:
        assert map_tasks == len(FILES)


def test_packed_task_reads_byte_range_splits_and_whole_files_alike(write_input, tmp_path):
    big = write_input("big.txt", [f"big {i:03d}" for i in range(300)])  # 2,400 bytes
    smalls = [write_input(f"s{n}.txt", [f"small {n}"] * (n + 1)) for n in range(4)]
    split = ["--jobconf", "mapreduce.input.fileinputformat.split.maxsize=1000"]
    result = run_job(InputFileNames, [big, *smalls, *split], "local", tmp_path / "out")
    expected = {"big.txt": 300, **{f"s{n}.txt": n + 1 for n in range(4)}}
    assert result.lines == json_lines(expected)
    # Three splits of big.txt and four small files make 3 tasks of about 1,000 bytes.
    assert result.counters[0]["tasks"]["map"] == 3


def test_failure_in_a_packed_task_names_the_file_it_was_reading(write_input, tmp_path):
    good = [write_input(f"good{n}.txt", ["fine"] * 5) for n in range(3)]
    bad = write_input("bad.txt", ["fine", "boom", "fine"])
    with pytest.raises(JobError) as caught:
        run_job(FailingMapper, [*good, bad, "--num-cores", "1"], "local", tmp_path / "out")
    message = str(caught.value)
    assert f"mapper of step 1 of 1 failed at line 2 of {bad}" in message
    assert "ValueError: cannot map 'boom'" in message
    assert not (tmp_path / "out").exists()


def test_pack_splits_keeps_order_and_balances_bytes(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    splits = [Split(str(path), start, 10) for start in range(0, 100, 10)]
    groups = pack_splits(splits, 2)
    assert groups == [splits[:5], splits[5:]]
    assert pack_splits(splits, 1) == [splits]
    assert pack_splits(splits, 20) == [[split] for split in splits]
    # A whole file counts as its size on disk.
    whole = [Split(str(path)), Split(str(path), 0, 100), Split(str(path), 0, 100)]
    assert [len(group) for group in pack_splits(whole, 3)] == [1, 1, 1]


@pytest.mark.parametrize("runner", RUNNERS)
def test_map_only_job_over_packed_files_tags_every_line_with_its_file(
    runner, write_input, tmp_path
):
    contents = {"x.txt": ["a", "b c"], "y.txt": ["d"], "z.txt": ["é", "f", "g\th"]}
    paths = [write_input(name, lines) for name, lines in contents.items()]
    result = run_job(TagLines, paths, runner, tmp_path / "out")
    expected = sorted(
        json.dumps(name).encode() + b"\t" + json.dumps(line.upper()).encode()
        for name, lines in contents.items()
        for line in lines
    )
    assert result.lines == expected
