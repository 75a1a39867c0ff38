"""Loading 1,000,000 rows: CopyToTable against psql's \\copy of the same file (issue 5).

Target: CopyToTable from a file within 1.5x of psql. A throwaway PostgreSQL server (fsync on)
is started from the machine's binaries and removed afterwards; the data is in a temp dir.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import psycopg2

from streamflow import Parameter
from streamflow.config import load_config
from streamflow.load import CopyToTable
from tests.bench.common import Row, median_command_seconds, median_seconds, print_rows
from tests.load.tasks import TsvInput
from tests.pgserver import find_binary, start_server

ROWS = 1_000_000
COLUMNS = [("artist", "TEXT"), ("streams", "INTEGER")]


class BenchLoad(CopyToTable):
    path = Parameter()
    table = "bench_plays"
    columns = COLUMNS

    def requires(self):
        return TsvInput(path=self.path)


class BenchLoadRows(BenchLoad):
    """The same rows as Python tuples through rows(): the per-value encoding path."""

    def rows(self):
        for i in range(ROWS):
            yield (f"artist number {i}", i % 100_003)


def write_input(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for start in range(0, ROWS, 100_000):
            block = range(start, start + 100_000)
            out.write("".join(f"artist number {i}\t{i % 100_003}\n" for i in block))


def run_task(cls: type[BenchLoad], path: str, url: str) -> None:
    task = cls(path=path)
    task.config = load_config(env={}, overrides={"db.url": url})
    task.run()


def main(repeat: int = 5) -> list[Row]:
    """Median seconds of each way to load the file, with ratios to psql in the same run."""
    work = Path(tempfile.mkdtemp(prefix="streamflow-bench-load-"))
    server = start_server(durable=True)
    try:
        data = work / "plays.tsv"
        write_input(data)
        url = server.url(server.create_database())
        conn = psycopg2.connect(url)
        conn.autocommit = True

        def reset() -> None:
            with conn.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS bench_plays")
                cur.execute("DROP TABLE IF EXISTS streamflow_markers")

        def reset_psql() -> None:
            with conn.cursor() as cur:
                cur.execute("DROP TABLE IF EXISTS bench_psql")
                cur.execute("CREATE TABLE bench_psql (artist TEXT, streams INTEGER)")

        psql = shutil.which("psql") or find_binary("psql")
        copy = f"\\copy bench_psql from '{data}'"
        baseline = median_command_seconds([psql, url, "-q", "-c", copy], repeat, setup=reset_psql)
        from_file = median_seconds(lambda: run_task(BenchLoad, str(data), url), repeat, reset)
        from_rows = median_seconds(lambda: run_task(BenchLoadRows, str(data), url), repeat, reset)
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM bench_plays")
            assert cur.fetchone()[0] == ROWS, "the load did not insert every row"
        conn.close()

        sqlite_url = f"sqlite:///{work / 'bench.sqlite3'}"
        sqlite = median_seconds(
            lambda: run_task(BenchLoad, str(data), sqlite_url),
            repeat,
            lambda: (work / "bench.sqlite3").unlink(missing_ok=True),
        )
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    psql_name = "psql \\copy, same file"
    return [
        Row("load: psql \\copy 1M rows (baseline)", baseline),
        Row("load: CopyToTable file -> PostgreSQL 1M", from_file, psql_name,
            from_file / baseline, "<= 1.5x"),
        Row("load: CopyToTable rows() -> PostgreSQL 1M", from_rows, psql_name,
            from_rows / baseline),
        Row("load: CopyToTable file -> SQLite 1M", sqlite, psql_name, sqlite / baseline),
    ]  # fmt: skip


if __name__ == "__main__":
    print_rows(main())
