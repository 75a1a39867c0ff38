"""Every fixture job gives the same output on inline and local, and the expected one.

Expectations are computed here from the input with plain Python, not with streamflow.
"""

from __future__ import annotations

import collections
import json

import pytest

from tests.mr.conftest import RUNNERS, json_lines, run_job, streams_lines
from tests.mr.jobs.artist_count import ArtistCount
from tests.mr.jobs.commands import MapperCommand, PreFilter, ReducerCommand
from tests.mr.jobs.counters import Counters
from tests.mr.jobs.group_values import GroupValues
from tests.mr.jobs.init_final import InitFinal
from tests.mr.jobs.multi_step import MultiStep
from tests.mr.jobs.passthru import Passthru
from tests.mr.jobs.protocols import Protocols
from tests.mr.jobs.raw_files import InputFileNames, RawFiles

ARTISTS = ["Abba", "Beyoncé", "Ćevapi Band", "Abba", "Daft Punk", "Abba", "Beyoncé"] * 5
# Small splits and two reducers make the local runner use several map and reduce tasks.
SPLIT = ["--jobconf", "mapreduce.input.fileinputformat.split.maxsize=600", "--num-cores", "2"]
WORDS = "the cat sat on the mat\nthe dog ate the cat\n\nzebra"


def artist_counts(artists):
    return collections.Counter(artists)


def run_both(job_class, args, tmp_path):
    """Run on both runners; assert they agree; return the inline result."""
    results = [run_job(job_class, [*SPLIT, *args], r, tmp_path / r) for r in RUNNERS]
    assert results[0].lines == results[1].lines
    return results


def test_streams_per_artist(write_input, tmp_path):
    path = write_input("streams.tsv", streams_lines(ARTISTS))
    inline, _local = run_both(ArtistCount, [path], tmp_path)
    assert inline.lines == json_lines(artist_counts(ARTISTS))


def test_empty_input_gives_empty_output(write_input, tmp_path):
    path = write_input("empty.tsv", "")
    for result in run_both(ArtistCount, [path], tmp_path):
        assert result.lines == []
        assert (result.output_dir / "_SUCCESS").exists()


def test_very_skewed_key(write_input, tmp_path):
    artists = ["Hot"] * 3000 + ["Cold", "Lukewarm"] * 3
    path = write_input("skew.tsv", streams_lines(artists))
    # Bigger splits for the bigger input: a handful of map tasks, not hundreds.
    split = ["--jobconf", "mapreduce.input.fileinputformat.split.maxsize=30000"]
    inline, _ = run_both(ArtistCount, [path, *split], tmp_path)
    assert inline.lines == json_lines(artist_counts(artists))


def test_multi_step(write_input, tmp_path):
    path = write_input("words.txt", WORDS)
    counts = collections.Counter(WORDS.lower().split())
    best = {}
    for word, count in counts.items():
        best[word[0]] = max(best.get(word[0], (0, "")), (count, word))
    expected = {letter: [word, count] for letter, (count, word) in best.items()}
    inline, _ = run_both(MultiStep, [path], tmp_path)
    assert inline.lines == json_lines(expected)


def test_init_and_final_methods(write_input, tmp_path):
    path = write_input("streams.tsv", streams_lines(ARTISTS))
    # One reducer, so that reducer_final's total is one row on both runners.
    args = [path, "--jobconf", "mapreduce.job.reduces=1"]
    inline, _ = run_both(InitFinal, args, tmp_path)
    expected = {**artist_counts(ARTISTS), "__total__": len(ARTISTS)}
    assert inline.lines == json_lines(expected)


def test_counters_are_totalled_across_tasks(write_input, tmp_path):
    lines = ["a\t1", "", "b\t2", "a\t3", "  "] * 20
    path = write_input("lines.tsv", lines)
    results = run_both(Counters, [path], tmp_path)
    expected = {
        "lines": {"seen": 100, "empty": 40},
        "chars; total": {"count": sum(len(line) for line in lines if line.strip())},
        "keys": {"reduced": 2},
    }
    for result in results:
        assert result.counters == [expected]


@pytest.mark.parametrize("protocol", ["json", "pickle", "repr", "raw", "text"])
def test_each_protocol_as_internal_protocol(protocol, write_input, tmp_path):
    path = write_input("words.txt", WORDS)
    inline, _ = run_both(Protocols, [path, "--protocol", protocol], tmp_path)
    assert inline.lines == json_lines(collections.Counter(WORDS.split()))


OUTPUTS = {
    # output protocol -> how one (word, count) row is written, computed by hand
    "json": lambda w, c: f'"{w}"\t{c}',
    "repr": lambda w, c: f"'{w}'\t{c}",
    "raw": lambda w, c: f"{w}\t{c}",
    "text": lambda w, c: f"{w}\t{c}",
    "json_value": lambda w, c: f'{{"word": "{w}", "count": {c}}}',
    "repr_value": lambda w, c: f"{{'word': '{w}', 'count': {c}}}",
    "text_value": lambda w, c: f"{w}={c}",
    "raw_value": lambda w, c: f"{w}={c}",
}


@pytest.mark.parametrize("output", sorted(OUTPUTS))
def test_each_protocol_as_output_protocol(output, write_input, tmp_path):
    path = write_input("words.txt", WORDS)
    inline, _ = run_both(Protocols, [path, "--output", output], tmp_path)
    counts = collections.Counter(WORDS.split())
    assert inline.lines == sorted(OUTPUTS[output](w, c).encode() for w, c in counts.items())


@pytest.mark.parametrize("output", ["pickle", "pickle_value"])
def test_pickle_output_parses_back(output, write_input, tmp_path):
    path = write_input("words.txt", WORDS)
    args = [path, "--output", output]
    inline, _ = run_both(Protocols, args, tmp_path)
    decoded = list(Protocols(args).parse_output(line + b"\n" for line in inline.lines))
    counts = collections.Counter(WORDS.split())
    if output == "pickle":
        assert dict(decoded) == dict(counts)
    else:
        assert sorted((v["word"], v["count"]) for _, v in decoded) == sorted(counts.items())


def test_passthru_and_file_args(write_input, tmp_path):
    path = write_input("words.txt", WORDS)
    stop = write_input("stop.txt", ["the", "on"])
    inline, _ = run_both(
        Passthru, [path, "--multiplier", "3", "--upper", "--stop-words", stop], tmp_path
    )
    counts = collections.Counter(w for w in WORDS.split() if w not in {"the", "on"})
    assert inline.lines == json_lines({w.upper(): 3 * c for w, c in counts.items()})


def test_unicode_keys_and_tabs_in_values_with_sort_values(write_input, tmp_path):
    lines = ["ключ\tz\tlast", "ключ\ta\tfirst", "键\tm", "ключ\tb", "键\tc\t\td"]
    path = write_input("tabs.tsv", lines)
    inline, _ = run_both(GroupValues, [path], tmp_path)
    groups = collections.defaultdict(list)
    for line in lines:
        key, _, rest = line.partition("\t")
        groups[key].append(rest)
    assert inline.lines == json_lines({k: [True, sorted(v)] for k, v in groups.items()})


def test_mapper_raw_gets_each_whole_file(write_input, tmp_path):
    one = write_input("one.txt", ["x"] * 7)
    two = write_input("two.txt", ["y"] * 300)
    inline, _ = run_both(RawFiles, [one, two], tmp_path)
    assert inline.lines == json_lines({"one.txt": 7, "two.txt": 300})


def test_jobconf_from_env_names_the_input_file(write_input, tmp_path):
    one = write_input("one.txt", ["x"] * 7)
    two = write_input("two.txt", ["y"] * 300)
    inline, _ = run_both(InputFileNames, [one, two], tmp_path)
    assert inline.lines == json_lines({"one.txt": 7, "two.txt": 300})


def test_compressed_inputs_are_read_transparently(tmp_path):
    import bz2
    import gzip

    text = "".join(f"{line}\n" for line in streams_lines(ARTISTS)).encode()
    (tmp_path / "a.tsv.gz").write_bytes(gzip.compress(text))
    (tmp_path / "b.tsv.bz2").write_bytes(bz2.compress(text))
    inline, _ = run_both(
        ArtistCount, [str(tmp_path / "a.tsv.gz"), str(tmp_path / "b.tsv.bz2")], tmp_path
    )
    assert inline.lines == json_lines(artist_counts(ARTISTS * 2))


@pytest.mark.parametrize("job_class", [MapperCommand, ReducerCommand, PreFilter])
def test_command_steps_run_on_local(job_class, write_input, tmp_path):
    lines = streams_lines(ARTISTS)
    if job_class is PreFilter:
        lines = [*lines, "# a comment\tNobody\tnothing"]
    path = write_input("streams.tsv", lines)
    result = run_job(job_class, [path, *SPLIT], "local", tmp_path / "out")
    counts = artist_counts(ARTISTS)
    if job_class is ReducerCommand:
        parsed = {}
        for line in result.lines:
            count, rest = line.decode().split(None, 1)
            key = json.loads(rest.split("\t")[0])
            parsed[key] = parsed.get(key, 0) + int(count)
        assert parsed == dict(counts)
    else:
        assert result.lines == json_lines(counts)


@pytest.mark.parametrize("job_class", [MapperCommand, PreFilter])
def test_inline_refuses_command_steps(job_class, write_input, tmp_path):
    from streamflow.errors import UsageError

    path = write_input("streams.tsv", streams_lines(ARTISTS))
    with pytest.raises(UsageError, match="-r local"):
        run_job(job_class, [path], "inline", tmp_path / "out")
    assert not (tmp_path / "out").exists()
