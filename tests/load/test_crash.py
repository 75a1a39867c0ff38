"""A load killed with SIGKILL in the middle of copying leaves the table as it was."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.load.tasks import LoadPlays, LoadValues, bind

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 30


def open_fifo_for_writing(path: Path, child: subprocess.Popen) -> int:
    """Open the writing end once the child has opened the reading end (without hanging)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        try:
            return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            assert child.poll() is None, f"loader exited early with {child.returncode}"
            assert time.monotonic() < deadline, "loader never opened its input"
            time.sleep(0.01)


def feed(fd: int, data: bytes) -> None:
    """Write all of ``data``; returns once the reader has taken all but a pipe buffer of it."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        assert remaining > 0, "loader stopped reading its input"
        _, writable, _ = select.select([], [fd], [], remaining)
        if writable:
            view = view[os.write(fd, view) :]


def wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def load_in_progress(db) -> bool:
    """Seen from outside the loader: a COPY running, or SQLite's rollback journal in use."""
    if db.kind == "postgresql":
        return bool(
            db.query(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = 'streamflow' "
                "AND state = 'active' AND query LIKE 'COPY%'"
            )
        )
    return Path(db.url.removeprefix("sqlite:///") + "-journal").exists()


def tsv_lines(start: int, stop: int) -> bytes:
    return "".join(f"artist {i}\t{i}\n" for i in range(start, stop)).encode()


def test_kill_9_mid_copy_leaves_table_as_it_was_and_rerun_loads_once(db, tmp_path):
    earlier_file = tmp_path / "earlier.tsv"
    earlier_file.write_text("Earlier\t1\n")
    bind(LoadPlays(path=str(earlier_file)), db.url).run()
    before = db.rows("plays")
    markers_before = db.markers()

    # The loader reads a named pipe, so it is provably mid-COPY while we hold the rest back.
    source = tmp_path / "plays.tsv"
    os.mkfifo(source)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.load.tasks", db.url, str(source)], cwd=tmp_path, env=env
    )
    try:
        fd = open_fifo_for_writing(source, child)
        try:
            feed(fd, tsv_lines(0, 150_000))  # several read chunks: COPY is under way
            wait_until(lambda: load_in_progress(db), "the load is in progress")
            assert child.poll() is None
            child.send_signal(signal.SIGKILL)
            assert child.wait(timeout=DEADLINE_SECONDS) == -signal.SIGKILL
        finally:
            os.close(fd)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    assert db.rows("plays") == before
    assert db.markers() == markers_before
    task = bind(LoadPlays(path=str(source)), db.url)
    assert not task.complete()

    source.unlink()
    source.write_bytes(tsv_lines(0, 200_000))
    task.run()
    task.run()
    assert task.complete()
    assert db.query("SELECT count(*), count(DISTINCT artist) FROM plays") == [(200_001, 200_001)]
    assert sorted(db.markers()) == sorted([*markers_before, (task.task_id, "plays")])


def waiting_for_a_lock(db) -> bool:
    return bool(
        db.query(
            "SELECT 1 FROM pg_stat_activity WHERE application_name = 'streamflow' "
            "AND wait_event_type = 'Lock'"
        )
    )


def start_load(task, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            task.run()
        except BaseException as exc:  # reported by the tests' assertions
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def held_open_load(release: threading.Event) -> type[LoadValues]:
    """A task whose load inserts a row, then waits for ``release`` before the next one."""

    class HeldOpen(LoadValues):
        def rows(self):
            yield ("first", 1)
            release.wait(DEADLINE_SECONDS)
            yield ("first", 2)

    return HeldOpen


def run_second_while_first_is_loading(
    db, first, second, release: threading.Event
) -> list[BaseException]:
    """Start ``first`` (a held_open_load); once it is mid-load, start ``second``, and
    ``release`` the first only when the second waits for it. The errors either raised."""
    errors: list[BaseException] = []
    threads = [start_load(first, errors)]
    try:
        wait_until(lambda: load_in_progress(db), "the first load is under way")
        threads.append(start_load(second, errors))
        if db.kind == "postgresql":
            wait_until(lambda: waiting_for_a_lock(db), "the second load waits for the first")
        else:
            time.sleep(0.3)  # SQLite cannot show who waits; the second must still be running
        assert threads[1].is_alive()
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=DEADLINE_SECONDS)
    return errors


def test_concurrent_runs_of_one_task_load_it_once(db):
    release = threading.Event()
    task_class = held_open_load(release)
    first, second = (bind(task_class(name="once"), db.url) for _ in range(2))
    assert run_second_while_first_is_loading(db, first, second, release) == []
    assert db.rows("items") == [("first", 1), ("first", 2)]
    assert db.markers() == [(first.task_id, "items")]


def test_first_loads_of_two_tasks_into_one_new_table_both_succeed(db):
    # The first load holds its newly created table uncommitted while the second one starts.
    release = threading.Event()
    first = bind(held_open_load(release)(name="a"), db.url)
    second = bind(type("Quick", (LoadValues,), {"values": [("second", 3)]})(name="b"), db.url)
    assert run_second_while_first_is_loading(db, first, second, release) == []
    assert db.rows("items") == [("first", 1), ("first", 2), ("second", 3)]
    assert len(db.markers()) == 2
