"""Streams per artist on generated lines: a hand-written loop, inline, local.

1M and 3M lines in one file, and 3M lines as 30 files of 100,000 (a month of days). Targets
(issue 3): inline within 2x the hand-written ``collections.Counter`` loop on 1M lines; local
faster than inline on 3M lines (2 cores), one file or many. Run alone with
``python -m tests.bench.bench_mr``.
"""

from __future__ import annotations

import collections
import itertools
import os
import random
import shutil
import statistics
import tempfile
from functools import partial

from tests.bench.common import Row, median_seconds, print_rows
from tests.mr.jobs.artist_count import ArtistCount

# (lines, files): one file, and a month of days like the reference pipeline's.
CASES = ((1_000_000, 1), (3_000_000, 1), (3_000_000, 30))
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


def hand_written(paths: list[str]) -> collections.Counter:
    """The baseline: one process, one Counter, no framework."""
    counts: collections.Counter = collections.Counter()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                counts[line.split("\t")[1]] += 1
    return counts


def run_job(paths: list[str], runner: str, output_dir: str) -> None:
    """Run the job to ``output_dir`` (removed first, so each run starts clean)."""
    shutil.rmtree(output_dir, ignore_errors=True)
    job = ArtistCount([*paths, "-r", runner, "-o", output_dir])
    with job.make_runner() as mr_runner:
        mr_runner.run()


def make_inputs(work: str, lines: int, files: int) -> list[str]:
    """``files`` generated files of ``lines / files`` lines each (a month of days, say)."""
    paths = []
    for n in range(files):
        path = os.path.join(work, f"streams-{lines}-{n:02d}.tsv")
        generate(path, lines // files, seed=n + 1)
        paths.append(path)
    return paths


def main(repeat: int = 5) -> list[Row]:
    """Median times and ratios to the hand-written loop measured in the same run."""
    rows = []
    work = tempfile.mkdtemp(prefix="bench-mr-")
    out = os.path.join(work, "out")
    try:
        for lines, files in CASES:
            paths = make_inputs(work, lines, files)
            label = f"{lines // 1_000_000}M lines" + (f" in {files} files" if files > 1 else "")
            # Rounds of loop, inline, local: a change in the machine's load hits all three.
            runs = {
                "loop": partial(hand_written, paths),
                "inline": partial(run_job, paths, "inline", out),
                "local": partial(run_job, paths, "local", out),
            }
            times: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(repeat):
                for name, run in runs.items():
                    times[name].append(median_seconds(run, 1))
            loop, inline, local = (statistics.median(times[name]) for name in runs)
            rows.append(Row(f"mr loop {label}", loop))
            rows.append(Row(f"mr inline {label}", inline, "loop", inline / loop, "<= 2x loop (1M)"))
            rows.append(
                Row(
                    f"mr local {label}",
                    local,
                    "loop",
                    local / loop,
                    f"< inline (3M); {local / inline:.2f}x inline",
                )
            )
            for path in paths:
                os.unlink(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    print_rows(main())
