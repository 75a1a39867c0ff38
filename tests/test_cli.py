"""The `streamflow` command, in-process through click's runner and as the installed script."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from streamflow.cli import cli
from tests.tasks import graphs as g

REPO = Path(__file__).resolve().parents[1]
SCRIPT = str(Path(sys.executable).with_name("streamflow"))
# The installed console script; a virtual environment without streamflow installed (the code
# on PYTHONPATH) runs the same main() as a module.
COMMAND = [SCRIPT] if os.path.exists(SCRIPT) else [sys.executable, "-m", "streamflow.cli"]
TIMESTAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) ")


@pytest.fixture
def invoke(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    runner = CliRunner()

    def go(*args: str):
        locks = ["--lock-pid-dir", str(tmp_path / "locks")] if args[0] == "run" else []
        return runner.invoke(cli, [*args, *locks])

    return go


def streamflow(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [*COMMAND, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def start_slow_write(tmp_path: Path, *options: str, **popen) -> subprocess.Popen:
    """``streamflow run`` of SlowWrite under ``tmp_path/out``, with its own lock directory."""
    out = str(tmp_path / "out")
    locks = str(tmp_path / "locks")
    args = ("run", "tests.tasks.graphs:SlowWrite", "--root", out, "--lock-pid-dir", locks)
    return streamflow(*args, *options, **popen)


def wait_for_task_pid(started: Path, process: subprocess.Popen) -> int:
    """The pid SlowWrite writes into its ``started`` file, once the task is in run()."""
    deadline = time.monotonic() + 30
    while True:
        text = started.read_text() if started.exists() else ""
        if text.isdigit():
            return int(text)
        assert time.monotonic() < deadline and process.poll() is None, "task never started"
        time.sleep(0.02)


def test_run_passes_every_kind_of_parameter(tmp_path, invoke):
    result = invoke(
        "run",
        "tests.tasks.graphs:Shout",
        "--root",
        str(tmp_path),
        "--times",
        "3",
        "--loud",
        "--word",
        "hey",
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shout.txt").read_text() == "HEY HEY HEY\n"


def test_task_help_lists_its_parameters_with_their_help(invoke):
    result = CliRunner().invoke(cli, ["run", "tests.tasks.graphs:Shout", "--help"])
    assert result.exit_code == 0
    for text in (
        "--times",
        "how many times to write the word",
        "--loud / --no-loud",
        "--root",
        "--workers",
        "--dry-run",
        "--no-lock",
        "--db-url",
    ):
        assert text in result.output


@pytest.mark.parametrize("clash", ["help", "workers"])
def test_task_parameter_may_not_hide_a_streamflow_option(clash):
    task = f"tests.tasks.graphs:ParameterNamed{clash.title()}"
    result = CliRunner().invoke(cli, ["run", task, "--help"])
    assert result.exit_code == 2
    assert f"has a parameter named {clash!r}, which is also a streamflow option" in (result.output)


def test_top_level_help_lists_commands_and_exit_codes():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "run" in result.output and "graph" in result.output
    assert "3  another run of the same command holds the lock" in result.output


def test_second_run_does_nothing_and_says_so(tmp_path, invoke):
    assert invoke("run", "tests.tasks.graphs:Diamond", "--root", str(tmp_path)).exit_code == 0
    again = invoke("run", "tests.tasks.graphs:Diamond", "--root", str(tmp_path))
    assert again.exit_code == 0
    assert "Nothing to do" in again.output
    assert len(g.runs(str(tmp_path))) == 4


def test_failed_task_exits_1_with_its_traceback_in_the_summary(tmp_path, invoke):
    result = invoke("run", "tests.tasks.graphs:Branches", "--root", str(tmp_path))
    assert result.exit_code == 1
    assert "1 failed, 3 blocked by a failure" in result.output
    assert "RuntimeError: boom: this task always fails" in result.output
    assert 'graphs.py", line' in result.output


def test_bad_parameter_value_exits_2_naming_parameter_and_value(tmp_path, invoke):
    result = invoke("run", "tests.tasks.graphs:Shout", "--root", str(tmp_path), "--times", "lots")
    assert result.exit_code == 2
    assert "'lots'" in result.output and "'times'" in result.output
    assert not (tmp_path / "shout.txt").exists()


def test_missing_required_parameter_exits_2(invoke):
    result = invoke("run", "tests.tasks.graphs:Shout")
    assert result.exit_code == 2
    assert "--root" in result.output


def test_unknown_module_exits_2_with_a_hint(invoke):
    result = invoke("run", "no_such_module:Task")
    assert result.exit_code == 2
    assert "cannot import module 'no_such_module'" in result.output


def test_module_that_raises_on_import_exits_2_showing_where(invoke):
    result = invoke("run", "tests.tasks.broken_import:Anything")
    assert result.exit_code == 2
    assert "importing module 'tests.tasks.broken_import' failed with KeyError: 'weeks'" in (
        result.output
    )
    assert 'broken_import.py", line 4' in result.output
    assert "Traceback" not in result.output.split("Error:")[0]  # a message, not a crash


def test_module_importing_a_missing_package_names_that_package(invoke):
    result = invoke("run", "tests.tasks.missing_dependency:Anything")
    assert result.exit_code == 2
    assert "No module named 'streamflow_no_such_package'" in result.output
    assert "add it to PYTHONPATH" not in result.output  # the module itself was found


def test_module_with_a_syntax_error_exits_2_as_a_real_process(tmp_path):
    (tmp_path / "typo_tasks.py").write_text("def run(:\n    pass\n")
    process = subprocess.run(
        [*COMMAND, "run", "typo_tasks:Anything"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode == 2, process.stderr
    assert "importing module 'typo_tasks' failed with SyntaxError" in process.stderr
    assert 'typo_tasks.py", line 1' in process.stderr


def test_name_that_is_not_a_task_exits_2(invoke):
    result = invoke("run", "tests.tasks.graphs:record_run")
    assert result.exit_code == 2
    assert "not a Task class" in result.output


def test_bad_config_file_exits_2_naming_the_key(tmp_path, invoke):
    config = tmp_path / "bad.toml"
    config.write_text("[core]\nwokers = 2\n")
    result = invoke(
        "run", "tests.tasks.graphs:Diamond", "--root", str(tmp_path), "--config", str(config)
    )
    assert result.exit_code == 2
    assert "'wokers'" in result.output and str(config) in result.output


def test_dry_run_lists_what_would_run_and_runs_nothing(tmp_path, invoke):
    (tmp_path / "Base.txt").write_text("done\n")
    result = invoke("run", "tests.tasks.graphs:Diamond", "--root", str(tmp_path), "--dry-run")
    assert result.exit_code == 0
    assert "Would run 3 task(s)" in result.output
    lines = result.output.splitlines()
    assert any(line.strip().startswith("Left(") for line in lines)
    assert not any(line.strip().startswith("Base(") for line in lines)
    assert sorted(os.listdir(tmp_path)) == ["Base.txt"]


def test_graph_prints_the_tree_with_states_and_runs_nothing(tmp_path, invoke):
    (tmp_path / "Left.txt").write_text("done\n")
    result = invoke("graph", "tests.tasks.graphs:Branches", "--root", str(tmp_path))
    assert result.exit_code == 0
    assert re.search(r"Left\(.*\) \(complete\)", result.output)
    assert re.search(r"`-- Boom\(.*\) \(to run\)", result.output)
    assert "1 complete, 4 to run, 0 missing" in result.output
    assert g.runs(str(tmp_path)) == []


def test_graph_marks_missing_external_input(tmp_path, invoke):
    result = invoke("graph", "tests.tasks.graphs:UsesInput", "--root", str(tmp_path))
    assert "missing" in result.output and str(tmp_path / "input.txt") in result.output


def test_workers_option_runs_everything(tmp_path, invoke):
    out = tmp_path / "out"
    result = invoke(
        "run", "tests.tasks.graphs:Many", "--root", str(out), "--n", "40", "--workers", "2"
    )
    assert result.exit_code == 0, result.output
    assert len(os.listdir(out)) == 40


def test_zero_workers_is_a_usage_error(tmp_path, invoke):
    result = invoke("run", "tests.tasks.graphs:Many", "--root", str(tmp_path), "--workers", "0")
    assert result.exit_code == 2


def test_database_password_is_never_printed(tmp_path, invoke):
    result = invoke(
        "run",
        "tests.tasks.graphs:Diamond",
        "--root",
        str(tmp_path),
        "--db-url",
        "postgresql://etl:hunter2@db.example.com/warehouse",
        "--log-level",
        "debug",
    )
    assert result.exit_code == 0
    assert "hunter2" not in result.output
    assert "postgresql://etl:***@db.example.com/warehouse" in result.output


def diamond_run(tmp_path: Path) -> tuple[str, ...]:
    """Arguments running the Diamond graph into ``tmp_path/out``."""
    out, locks = str(tmp_path / "out"), str(tmp_path / "locks")
    return ("run", "tests.tasks.graphs:Diamond", "--root", out, "--lock-pid-dir", locks)


def test_installed_script_runs_and_logs_plain_lines_without_a_terminal(tmp_path):
    log_file = tmp_path / "run.log"
    process = streamflow(*diamond_run(tmp_path), "--log-file", str(log_file))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "4 ran" in out
    lines = err.splitlines()
    assert lines and all(TIMESTAMPED.match(line) for line in lines), err
    assert "\x1b[" not in err + out  # no colour codes or cursor movement
    logged = log_file.read_text()
    assert "ran Base(" in logged and "4 ran" in logged


def test_terminal_gets_rich_output(tmp_path):
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*COMMAND, *diamond_run(tmp_path)],
        cwd=REPO,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "200"},
    )
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=30) == 0
    assert b"\x1b[" in output  # rich styles the terminal output
    assert b"4/4" in output  # the progress bar's count


def test_two_runs_racing_for_the_lock_one_runs_one_exits_3(tmp_path):
    out = tmp_path / "out"
    args = ("run", "tests.tasks.graphs:WaitsForRelease", "--root", str(out))
    args += ("--lock-pid-dir", str(tmp_path / "locks"))
    racers = [streamflow(*args), streamflow(*args)]
    try:
        # The winner waits in run() for the release file, so the loser must fail while it holds.
        deadline = time.monotonic() + 60
        while all(p.poll() is None for p in racers):
            assert time.monotonic() < deadline, "neither run exited"
            time.sleep(0.05)
        loser = next(p for p in racers if p.poll() is not None)
        winner = next(p for p in racers if p is not loser)
        assert loser.returncode == 3
        loser_err = loser.stderr.read()
        assert "another run of this command is in progress" in loser_err
        assert f"process {winner.pid} holds" in loser_err
    finally:
        out.mkdir(parents=True, exist_ok=True)
        (out / "release").touch()
    assert winner.wait(timeout=60) == 0
    assert g.runs(str(out)) == ["WaitsForRelease"]


def test_no_lock_lets_overlapping_runs_start(tmp_path):
    first = start_slow_write(tmp_path, "--no-lock")
    second = None
    try:
        first_pid = wait_for_task_pid(tmp_path / "out" / "started", first)
        second = start_slow_write(tmp_path, "--no-lock")
        deadline = time.monotonic() + 30
        # The second run gets into run() too (it rewrites `started`) while the first is in it.
        while wait_for_task_pid(tmp_path / "out" / "started", second) == first_pid:
            assert time.monotonic() < deadline, "the second run never started its task"
            time.sleep(0.02)
        assert first.poll() is None
    finally:
        for process in (first, second):
            if process is not None:
                process.terminate()
                process.communicate(timeout=30)


def test_sigkill_during_run_leaves_no_output_and_rerun_completes(tmp_path):
    out = tmp_path / "out"
    process = start_slow_write(tmp_path, "--seconds", "60")
    wait_for_task_pid(out / "started", process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert not (out / "SlowWrite.txt").exists()
    rerun = start_slow_write(tmp_path, "--seconds", "0")
    _, stderr = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, stderr  # the dead run's lock is gone with it
    assert (out / "SlowWrite.txt").read_text() == "half of the data\nthe rest\n"


def test_a_fixed_task_command_is_one_entry_and_runs_its_after_hook(tmp_path, monkeypatch):
    from streamflow import cli as cli_module

    monkeypatch.setitem(
        cli_module.TASK_COMMANDS,
        "shout",
        cli_module.TaskCommand(
            "tests.tasks.graphs:Shout", "Write a word.", after="tests.tasks.graphs:print_output"
        ),
    )
    monkeypatch.chdir(REPO)
    listing = CliRunner().invoke(cli, ["--help"])
    assert re.search(r"shout\s+Write a word\.", listing.output)
    result = CliRunner().invoke(
        cli,
        ["shout", "--root", str(tmp_path), "--word", "hi", "--lock-pid-dir", str(tmp_path / "l")],
    )
    assert result.exit_code == 0, result.output
    assert "wrote: hi" in result.output


def test_lock_held_by_another_process_exits_3_naming_it(tmp_path, invoke):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from streamflow import lock\n"
            "from tests.tasks.graphs import Diamond\n"
            "held = lock.acquire(sys.argv[1], [Diamond(root=sys.argv[2]).task_id])\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
            str(tmp_path / "locks"),
            str(tmp_path / "out"),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = invoke("run", "tests.tasks.graphs:Diamond", "--root", str(tmp_path / "out"))
        assert result.exit_code == 3
        assert f"process {holder.pid} holds" in result.output
        assert not (tmp_path / "out").exists()
        # Another root task (other parameter values) has its own lock and runs meanwhile.
        other = invoke("run", "tests.tasks.graphs:Diamond", "--root", str(tmp_path / "other"))
        assert other.exit_code == 0, other.output
        assert len(g.runs(str(tmp_path / "other"))) == 4
    finally:
        holder.kill()
        holder.wait()


def process_alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_worker_processes_die_with_a_killed_parent(tmp_path):
    out = tmp_path / "out"
    process = start_slow_write(tmp_path, "--workers", "2")
    child = wait_for_task_pid(out / "started", process)
    assert child != process.pid
    process.kill()
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while process_alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(child), "the worker process outlived its parent"
    assert sorted(os.listdir(out)) == ["started"]  # its temporary file was removed too


@pytest.mark.parametrize(
    ("how", "workers"),
    [("ctrl-c", "1"), ("ctrl-c", "2"), ("sigterm", "1"), ("sigterm", "2")],
)
def test_interrupt_stops_the_run_leaves_no_file_at_all_and_exits_1(tmp_path, how, workers):
    out = tmp_path / "out"
    process = start_slow_write(tmp_path, "--workers", workers, start_new_session=True)
    task_pid = wait_for_task_pid(out / "started", process)
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)  # a terminal sends it to the whole group
    else:
        process.send_signal(signal.SIGTERM)  # what kill, timeout and cron daemons send
    _, err = process.communicate(timeout=30)
    assert process.returncode == 1, err
    assert "interrupted" in err
    # Neither the output nor the temporary file its half-written data went to.
    assert sorted(os.listdir(out)) == ["started"]
    assert not process_alive(task_pid)
