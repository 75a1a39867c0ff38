"""MRJobTask: two chained MR tasks run through the real worker, with no glue code."""

from __future__ import annotations

import collections
import json

import pytest

from streamflow import ExternalTask, LocalTarget, Parameter
from streamflow.config import load_config
from streamflow.errors import TaskDefinitionError
from streamflow.mr import JSONProtocol, MRJob
from streamflow.mr.task import MRJobTask
from streamflow.worker import run
from tests.mr.conftest import streams_lines
from tests.mr.jobs.artist_count import ArtistCount


class TopArtist(MRJob):
    """Reads ArtistCount's output; yields the artist with the most streams."""

    INPUT_PROTOCOL = JSONProtocol

    def mapper(self, artist, count):
        yield None, [count, artist]

    def reducer(self, _, pairs):
        count, artist = max(pairs)
        yield artist, count


class Streams(ExternalTask):
    path = Parameter()

    def output(self):
        return LocalTarget(self.path)


class CountArtists(MRJobTask):
    path = Parameter()
    out = Parameter()
    job_class = ArtistCount

    def requires(self):
        return Streams(path=self.path)

    def output(self):
        return LocalTarget(f"{self.out}/counts")


class Top(MRJobTask):
    path = Parameter()
    out = Parameter()
    job_class = TopArtist

    def requires(self):
        return CountArtists(path=self.path, out=self.out)

    def output(self):
        return LocalTarget(f"{self.out}/top")


@pytest.mark.parametrize("runner", ["inline", "local"])
def test_two_chained_mr_tasks_run_with_the_configured_runner(runner, tmp_path):
    artists = ["a"] * 5 + ["b"] * 9 + ["c"] * 2
    source = tmp_path / "streams.tsv"
    source.write_text("".join(f"{line}\n" for line in streams_lines(artists)))
    config = load_config(env={}, overrides={"mr.runner": runner, "mr.num_cores": 2})
    root = Top(path=str(source), out=str(tmp_path / "out"))
    summary = run([root], config, executor="serial")
    assert summary.exit_code == 0, summary.text()
    counts_dir = tmp_path / "out" / "counts"
    assert (counts_dir / "_SUCCESS").exists()
    counted = {}
    for part in sorted(counts_dir.glob("part-*")):
        for line in part.read_text().splitlines():
            key, value = line.split("\t")
            counted[json.loads(key)] = json.loads(value)
    assert counted == collections.Counter(artists)
    top = b"".join(p.read_bytes() for p in sorted((tmp_path / "out" / "top").glob("part-*")))
    assert top == b'"b"\t9\n'
    # A second run finds both outputs complete and runs nothing.
    again = run([root], config, executor="serial")
    assert again.ran == []


def test_task_without_job_class_is_a_definition_error(tmp_path):
    class NoJob(MRJobTask):
        def output(self):
            return LocalTarget(str(tmp_path / "o"))

    with pytest.raises(TaskDefinitionError, match="job_class"):
        NoJob().make_job()
