"""The reference pipeline end to end, through the installed ``streamflow`` command.

The expected top 10 is counted here, independently, from the generated day files.
"""

import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import psycopg2
import pytest

from tests.hadoop_emulator.sandbox import make_sandbox
from tests.pgserver import postgres_server  # noqa: F401  (fixture)

STREAMFLOW = str(Path(sys.executable).with_name("streamflow"))
INTERVAL = "2012-06-01-2012-06-04"
LINES = 3000


def expected_top10(data_dir: Path) -> list[tuple[str, str, str, int]]:
    days = sorted((data_dir / "streams" / f"lines-{LINES}").glob("streams_2012-06-0*.tsv"))
    assert [d.name for d in days] == [f"streams_2012-06-0{i}.tsv" for i in (1, 2, 3)]
    counts: Counter[str] = Counter()
    for day in days:
        for line in day.read_text().splitlines():
            counts[line.split("\t")[1]] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
    return [("2012-06-01", "2012-06-04", artist, n) for artist, n in ranked]


def top_artists(work: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            STREAMFLOW,
            "top-artists",
            "--date-interval",
            INTERVAL,
            "--lines-per-day",
            str(LINES),
            "--data-dir",
            str(work / "data"),
            "--lock-pid-dir",
            str(work / "locks"),
            *args,
        ],
        cwd=work,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def sqlite_rows(work: Path) -> list[tuple]:
    with sqlite3.connect(work / "data" / "streamflow.sqlite3") as db:
        return db.execute(
            "SELECT date_from, date_to, artist, streams FROM top10 ORDER BY streams DESC, artist"
        ).fetchall()


def hadoop_env(work: Path) -> dict[str, str]:
    box = make_sandbox(work / "cluster")
    return {**box.env, "STREAMFLOW_HADOOP_HDFS_ROOT": "/user/tester/streamflow"}


@pytest.mark.parametrize("runner", ["inline", "local", "hadoop"])
def test_pipeline_loads_the_true_top10_and_a_rerun_does_nothing(tmp_path, runner):
    env = hadoop_env(tmp_path) if runner == "hadoop" else {}
    first = top_artists(tmp_path, "--runner", runner, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    expected = expected_top10(tmp_path / "data")
    assert sqlite_rows(tmp_path) == expected
    top_file = next((tmp_path / "data" / "top10").glob("*.tsv"))
    assert [tuple(line.split("\t")) for line in top_file.read_text().splitlines()] == [
        (a, b, artist, str(n)) for a, b, artist, n in expected
    ]
    for _, _, artist, n in expected:
        assert artist in first.stdout and str(n) in first.stdout

    second = top_artists(tmp_path, "--runner", runner, env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing to do" in (second.stdout + second.stderr).lower()
    assert sqlite_rows(tmp_path) == expected


def test_runners_write_identical_counts(tmp_path):
    outputs = {}
    for runner in ("inline", "hadoop"):
        work = tmp_path / runner
        work.mkdir()
        env = hadoop_env(work) if runner == "hadoop" else {}
        result = top_artists(work, "--runner", runner, env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        outputs[runner] = sqlite_rows(work)
    assert outputs["inline"] == outputs["hadoop"]


def test_pipeline_loads_postgresql_exactly_once(tmp_path, postgres_server):  # noqa: F811
    url = postgres_server.url(postgres_server.create_database())
    for _ in range(2):
        result = top_artists(tmp_path, "--db-url", url)
        assert result.returncode == 0, result.stdout + result.stderr
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT date_from::text, date_to::text, artist, streams FROM top10 "
            "ORDER BY streams DESC, artist"
        )
        assert cursor.fetchall() == expected_top10(tmp_path / "data")


def test_missing_external_day_is_reported_not_generated(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "2012-06-01.tsv").write_text("1338508800\tartist-1\tartist-1/t\n")
    template = str(logs / "{date:%Y-%m-%d}.tsv")
    result = top_artists(tmp_path, "--streams-path", template)
    assert result.returncode == 1
    assert str(logs / "2012-06-02.tsv") in result.stdout + result.stderr
    assert not (tmp_path / "data" / "top10").exists()
    assert not (tmp_path / "data" / "streams").exists()


def test_external_days_are_counted(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    for day, artists in (("01", "aab"), ("02", "bbc"), ("03", "b")):
        (logs / f"2012-06-{day}.tsv").write_text(
            "".join(f"1338508800\t{a}\t{a}/t\n" for a in artists)
        )
    result = top_artists(tmp_path, "--streams-path", str(logs / "{date:%Y-%m-%d}.tsv"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert sqlite_rows(tmp_path) == [
        ("2012-06-01", "2012-06-04", "b", 4),
        ("2012-06-01", "2012-06-04", "a", 2),
        ("2012-06-01", "2012-06-04", "c", 1),
    ]
