"""The shuffle groups by encoded key within its memory budget; splits follow line starts."""

from __future__ import annotations

import collections
import random

import pytest

from streamflow.mr.protocol import JSONProtocol, ReprProtocol
from streamflow.mr.runners.local import compute_splits
from streamflow.mr.shuffle import Shuffle
from tests.mr.conftest import RUNNERS, json_lines, run_job, streams_lines
from tests.mr.jobs.artist_count import ArtistCount


def pairs(n: int, seed: int = 3) -> list[tuple[str, int]]:
    rnd = random.Random(seed)
    return [(f"k{rnd.randrange(50)}", rnd.randrange(10)) for _ in range(n)]


@pytest.mark.parametrize("protocol", [JSONProtocol, ReprProtocol])
def test_tiny_budget_spills_and_still_groups_every_key(protocol, tmp_path):
    data = pairs(5000)
    shuffle = Shuffle(protocol(), memory_bytes=2000, tmp_dir=str(tmp_path))
    for start in range(0, len(data), 100):
        shuffle.add_pairs(data[start : start + 100])
    groups = [(key, sorted(values)) for key, values in shuffle.groups()]
    assert shuffle.spill_count > 1
    expected = collections.defaultdict(list)
    for key, value in data:
        expected[key].append(value)
    assert groups == sorted((k, sorted(v)) for k, v in expected.items())
    assert list(tmp_path.iterdir()) == []


def test_groups_come_in_byte_order_of_the_encoded_key():
    shuffle = Shuffle(JSONProtocol(), memory_bytes=1 << 20)
    shuffle.add_pairs([("b", 1), (10, 1), ("a", 1), (2, 1), ([1, "x"], 1), ("A", 1)])
    keys = [key for key, _ in shuffle.groups()]
    encoded = sorted([b'"b"', b"10", b'"a"', b"2", b'[1, "x"]', b'"A"'])
    assert [JSONProtocol()._dumps(k) for k in keys] == encoded


def test_equal_keys_of_different_types_stay_apart_like_their_encodings():
    shuffle = Shuffle(JSONProtocol(), memory_bytes=1 << 20)
    shuffle.add_pairs([(1, "int"), (1.0, "float"), (True, "bool"), ((1, 2), "t"), ([1, 2], "l")])
    groups = {JSONProtocol()._dumps(k): sorted(v) for k, v in shuffle.groups()}
    assert groups == {
        b"1": ["int"],
        b"1.0": ["float"],
        b"true": ["bool"],
        b"[1, 2]": ["l", "t"],
    }


def test_tuple_values_reach_the_reducer_as_lists_like_after_a_real_shuffle():
    shuffle = Shuffle(JSONProtocol(), memory_bytes=1 << 20)
    shuffle.add_pairs([("k", (1, 2))])
    assert [(k, list(v)) for k, v in shuffle.groups()] == [("k", [[1, 2]])]


@pytest.mark.parametrize("runner", RUNNERS)
def test_job_with_tiny_shuffle_memory_gives_the_same_counts(runner, write_input, tmp_path):
    artists = [f"artist{i % 37}" for i in range(3000)]
    path = write_input("streams.tsv", streams_lines(artists))
    result = run_job(ArtistCount, [path, "--shuffle-memory-mb", "0.002"], runner, tmp_path / "o")
    assert result.lines == json_lines(collections.Counter(artists))


def test_splits_cover_each_line_exactly_once_and_start_at_line_starts(tmp_path):
    rnd = random.Random(5)
    lines = [("x" * rnd.randrange(0, 40)).encode() for _ in range(500)]
    data = b"".join(line + b"\n" for line in lines) + b"no newline at end"
    path = tmp_path / "in.txt"
    path.write_bytes(data)
    splits = compute_splits([str(path)], 700)
    assert len(splits) > 5
    pieces = [data[s.start : s.start + s.length] for s in splits]
    assert b"".join(pieces) == data
    for piece in pieces[1:]:
        assert data[data.index(piece) - 1 : data.index(piece)] == b"\n"
    assert compute_splits([str(path)], 10**9)[0].length == -1
