"""The reference pipeline: daily stream logs -> streams per artist -> top 10 -> database.

    streamflow top-artists --date-interval 2012-06 [--runner inline|local|hadoop]

Every output path is built from the parameters that shape it, so different intervals,
volumes and sources never collide under the data directory.
"""

from __future__ import annotations

import hashlib
import heapq
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from jobs.streams import write_streams
from jobs.streams_per_artist import StreamsPerArtist
from streamflow import (
    DateIntervalParameter,
    DateParameter,
    ExternalTask,
    IntParameter,
    LocalTarget,
    Parameter,
    Task,
)
from streamflow.load import CopyToTable
from streamflow.mr.task import MRJobTask
from streamflow.target import FileSystemTarget

if TYPE_CHECKING:
    from streamflow.console import Console


def target_for(path: str, task: Task) -> FileSystemTarget:
    """A local target, or an HDFS one for ``hdfs://`` paths."""
    if path.startswith("hdfs://"):
        from streamflow.target import HdfsTarget

        return HdfsTarget(path, config=task.config)
    return LocalTarget(path)


class Streams(Task):
    """One day of generated stream logs, ``timestamp<TAB>artist<TAB>track`` lines."""

    date = DateParameter(description="the day")
    lines_per_day = IntParameter(default=100_000, description="lines generated per day")

    def output(self) -> LocalTarget:
        return LocalTarget(
            os.path.join(
                self.config.core.data_dir,
                "streams",
                f"lines-{self.lines_per_day}",
                f"streams_{self.date:%Y-%m-%d}.tsv",
            )
        )

    def run(self) -> None:
        with self.output().open("w") as out:
            write_streams(self.date, self.lines_per_day, out)


class ExternalStreams(ExternalTask):
    """One day of stream logs made elsewhere, found through a path template."""

    date = DateParameter(description="the day")
    streams_path = Parameter(description="path template, e.g. /logs/streams_{date:%Y-%m-%d}.tsv")

    def output(self) -> FileSystemTarget:
        return target_for(self.streams_path.format(date=self.date), self)


class _Interval(Task):
    """Parameters shared by every task that covers a date interval."""

    date_interval = DateIntervalParameter(description="the days to cover, e.g. 2012-06")
    lines_per_day = IntParameter(
        default=100_000, description="lines generated per day (ignored with --streams-path)"
    )
    streams_path = Parameter(
        default="",
        description="read days from this path template instead of generating them, "
        "e.g. /logs/streams_{date:%Y-%m-%d}.tsv (local or hdfs://)",
    )

    def interval_params(self) -> dict[str, object]:
        """This task's parameters, to pass along to the task it requires."""
        return {
            "date_interval": self.date_interval,
            "lines_per_day": self.lines_per_day,
            "streams_path": self.streams_path,
        }

    def output_name(self) -> str:
        """A file name unique to the interval and the data source."""
        if self.streams_path:
            source = "external-" + hashlib.sha1(self.streams_path.encode()).hexdigest()[:8]
        else:
            source = f"lines-{self.lines_per_day}"
        return f"{self.date_interval}_{source}"


class AggregateArtists(MRJobTask, _Interval):
    """Streams per artist over the interval: the MapReduce job, on the configured runner."""

    job_class = StreamsPerArtist

    def requires(self) -> list[Task]:
        if self.streams_path:
            return [
                ExternalStreams(date=d, streams_path=self.streams_path) for d in self.date_interval
            ]
        return [Streams(date=d, lines_per_day=self.lines_per_day) for d in self.date_interval]

    def output(self) -> FileSystemTarget:
        name = f"artist_streams/{self.output_name()}"
        if self.config.mr.runner == "hadoop":
            from streamflow.target import HdfsTarget

            return HdfsTarget(name, config=self.config)
        return LocalTarget(os.path.join(self.config.core.data_dir, name))


class Top10Artists(_Interval):
    """The ten artists with the most streams; ties go to the lower artist id."""

    def requires(self) -> AggregateArtists:
        return AggregateArtists(**self.interval_params())

    def output(self) -> LocalTarget:
        return LocalTarget(
            os.path.join(self.config.core.data_dir, "top10", f"{self.output_name()}.tsv")
        )

    def run(self) -> None:
        top = heapq.nsmallest(10, self._counts(), key=lambda pair: (-pair[1], pair[0]))
        with self.output().open("w") as out:
            for artist, streams in top:
                out.write(
                    f"{self.date_interval.date_a}\t{self.date_interval.date_b}\t"
                    f"{artist}\t{streams}\n"
                )

    def _counts(self) -> Iterator[tuple[str, int]]:
        counts = self.input()
        job = StreamsPerArtist(args=[])
        for path in counts.fs.listdir(counts.path):
            if os.path.basename(path).startswith("part-"):
                with counts.fs.open_input(path) as part:
                    yield from job.parse_output(part)


class ArtistToplistToDatabase(CopyToTable, _Interval):
    """Loads the top 10 into table ``top10``, once per interval and source."""

    table = "top10"
    columns = [("date_from", "DATE"), ("date_to", "DATE"), ("artist", "TEXT"), ("streams", "INT")]

    def requires(self) -> Top10Artists:
        return Top10Artists(**self.interval_params())


def report(root: ArtistToplistToDatabase, console: Console) -> None:
    """Print the top 10 of a finished run and where each output went."""
    top10 = root.deps()[0]
    aggregate = top10.deps()[0]
    with top10.output().open("r") as lines:
        rows = [line.rstrip("\n").split("\t") for line in lines]
    console.table(
        f"Top 10 artists, {root.date_interval.date_a} to {root.date_interval.date_b} (excluded)",
        ["#", "artist", "streams"],
        [(rank, artist, streams) for rank, (_, _, artist, streams) in enumerate(rows, 1)],
    )
    days = aggregate.deps()
    where = [
        ("daily logs", f"{days[0].output().path} ... ({len(days)} days)"),
        ("streams per artist", aggregate.output().path),
        ("top 10", top10.output().path),
        ("database", str(root.output())),
    ]
    for label, place in where:
        console.print(f"{label + ':':<20}{place}")
