"""Cron locks: one holder at a time, a clear LockHeld for the other, nothing stale after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from streamflow import lock
from streamflow.errors import EXIT_LOCKED, LockHeld

HOLDER = textwrap.dedent(
    """
    import sys, time
    from streamflow import lock
    held = lock.acquire(sys.argv[1], ["run", "jobs.X()"])
    print("locked", flush=True)
    time.sleep(60)
    """
)


def start_holder(pid_dir) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(pid_dir)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "locked"
    return process


def test_second_acquire_raises_lock_held_naming_the_holder_pid(tmp_path):
    holder = start_holder(tmp_path)
    try:
        with pytest.raises(LockHeld) as caught:
            lock.acquire(tmp_path, ["run", "jobs.X()"])
        assert f"process {holder.pid}" in str(caught.value)
        assert caught.value.exit_code == EXIT_LOCKED == 3
    finally:
        holder.kill()
        holder.wait()


def test_different_commands_do_not_share_a_lock(tmp_path):
    holder = start_holder(tmp_path)
    try:
        with lock.acquire(tmp_path, ["run", "jobs.Y()"]) as held:
            assert held.path.exists()
    finally:
        holder.kill()
        holder.wait()


def test_lock_of_a_killed_process_is_free_at_once(tmp_path):
    holder = start_holder(tmp_path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    with lock.acquire(tmp_path, ["run", "jobs.X()"]) as held:
        assert held.path.read_text().split("\n")[0] == str(os.getpid())


def test_released_lock_can_be_taken_again(tmp_path):
    first = lock.acquire(tmp_path, ["graph", "t"])
    first.release()
    second = lock.acquire(tmp_path, ["graph", "t"])
    second.release()
    assert first.path == second.path


RACER = textwrap.dedent(
    """
    import os, sys, time
    from streamflow import lock
    from streamflow.errors import LockHeld
    pid_dir, go, release = sys.argv[1:]
    print("ready", flush=True)
    while not os.path.exists(go):  # both racers wait here, then try at the same moment
        time.sleep(0.001)
    try:
        held = lock.acquire(pid_dir, ["run", "race"])
    except LockHeld:
        sys.exit(3)
    while not os.path.exists(release):  # hold the lock until the test has seen the loser
        time.sleep(0.01)
    """
)


def test_two_processes_racing_one_gets_the_lock_and_the_other_exits_3(tmp_path):
    go, release = tmp_path / "go", tmp_path / "release"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(tmp_path / "locks"), str(go), str(release)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        assert [racer.stdout.readline().strip() for racer in racers] == ["ready", "ready"]
        go.touch()
        # The winner holds the lock until `release` exists, so the first to exit is the loser,
        # however slowly either process runs.
        deadline = time.monotonic() + 60
        while all(racer.poll() is None for racer in racers):
            assert time.monotonic() < deadline, "neither racer exited"
            time.sleep(0.01)
        [loser] = [racer for racer in racers if racer.poll() is not None]
        assert loser.returncode == 3
    finally:
        release.touch()
    [winner] = [racer for racer in racers if racer is not loser]
    assert winner.wait(timeout=60) == 0


def test_unwritable_lock_directory_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(Exception, match="cannot create lock file") as caught:
        lock.acquire(blocker / "locks", ["run", "x"])
    assert caught.value.exit_code == 2
