"""Streams per artist on 1M and 3M generated lines: a hand-written loop, inline, local.

Targets (issue 3): inline within 2x the hand-written ``collections.Counter`` loop on 1M
lines; local faster than inline on 3M lines (2 cores). Run alone with
``python -m tests.bench.bench_mr``.
"""

from __future__ import annotations

import collections
import itertools
import os
import random
import shutil
import tempfile

from tests.bench.common import Row, median_seconds, print_rows
from tests.mr.jobs.artist_count import ArtistCount

SIZES = (1_000_000, 3_000_000)
ARTISTS = 5_000


def generate(path: str, lines: int, seed: int = 1) -> None:
    """``timestamp<TAB>artist<TAB>track`` lines with Zipf-like artist popularity."""
    rnd = random.Random(seed)
    names = [f"artist{i}" for i in range(ARTISTS)]
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(ARTISTS)))
    with open(path, "w", encoding="utf-8") as f:
        for start in range(0, lines, 100_000):
            count = min(100_000, lines - start)
            picks = rnd.choices(names, cum_weights=weights, k=count)
            f.writelines(
                f"2012-06-{(start + i) % 30 + 1:02d} 12:{i % 60:02d}:00\t{artist}"
                f"\ttrack{rnd.randrange(100_000)}\n"
                for i, artist in enumerate(picks)
            )


def hand_written(path: str) -> collections.Counter:
    """The baseline: one process, one Counter, no framework."""
    counts: collections.Counter = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            counts[line.split("\t")[1]] += 1
    return counts


def run_job(path: str, runner: str, output_dir: str) -> None:
    """Run the job to ``output_dir`` (removed first, so each run starts clean)."""
    shutil.rmtree(output_dir, ignore_errors=True)
    job = ArtistCount([path, "-r", runner, "-o", output_dir])
    with job.make_runner() as mr_runner:
        mr_runner.run()


def main(repeat: int = 5) -> list[Row]:
    """Median times and ratios to the hand-written loop measured in the same run."""
    rows = []
    work = tempfile.mkdtemp(prefix="bench-mr-")
    out = os.path.join(work, "out")
    try:
        for size in SIZES:
            path = os.path.join(work, f"streams-{size}.tsv")
            generate(path, size)
            label = f"{size // 1_000_000}M lines"
            loop = median_seconds(lambda path=path: hand_written(path), repeat)
            rows.append(Row(f"mr loop {label}", loop))
            inline = median_seconds(lambda path=path: run_job(path, "inline", out), repeat)
            rows.append(Row(f"mr inline {label}", inline, "loop", inline / loop, "<= 2x loop (1M)"))
            local = median_seconds(lambda path=path: run_job(path, "local", out), repeat)
            rows.append(
                Row(
                    f"mr local {label}",
                    local,
                    "loop",
                    local / loop,
                    f"< inline (3M); {local / inline:.2f}x inline",
                )
            )
            os.unlink(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    print_rows(main())
