"""The worker loop with every executor: the same behaviour serially, on threads, on processes."""

from __future__ import annotations

import os
import signal

import pytest

from streamflow.config import Config, load_config
from streamflow.console import Console
from streamflow.graph import build_graph
from streamflow.scheduler import DONE, FAILED
from streamflow.worker import Outcome, ProcessExecutor, make_executor, run, run_graph
from tests.tasks import graphs as g

EXECUTORS = [("serial", 1), ("threads", 2), ("processes", 2)]


def config_for(workers: int) -> Config:
    return load_config(env={}, overrides={"core.workers": workers})


@pytest.fixture(params=EXECUTORS, ids=[name for name, _ in EXECUTORS])
def execute(request):
    kind, workers = request.param

    def go(*roots):
        config = config_for(workers)
        graph = build_graph(list(roots), config)
        executor = make_executor(kind, workers, graph)
        try:
            return run_graph(graph, executor, console=Console(level="ERROR"))
        finally:
            executor.close()

    return go


def test_diamond_runs_the_shared_task_once(tmp_path, execute):
    summary = execute(g.Diamond(root=str(tmp_path)))
    assert sorted(g.runs(str(tmp_path))) == ["Base", "Diamond", "Left", "Right"]
    assert summary.exit_code == 0
    assert len(summary.ran) == 4
    assert (tmp_path / "Diamond.txt").read_text() == "done\n"


def test_requirements_run_before_their_dependants(tmp_path, execute):
    execute(g.Diamond(root=str(tmp_path)))
    order = g.runs(str(tmp_path))
    assert order[0] == "Base" and order[-1] == "Diamond"


def test_failure_in_one_branch_does_not_stop_the_other(tmp_path, execute):
    summary = execute(g.Branches(root=str(tmp_path)))
    assert (tmp_path / "Left.txt").exists()
    assert (tmp_path / "Base.txt").exists()
    assert not (tmp_path / "NeedsBoom.txt").exists()
    failed = [summary.graph.nodes[t].task.task_family for t in summary.failed]
    blocked = sorted(summary.graph.nodes[t].task.task_family for t in summary.blocked)
    assert failed == ["Boom"]
    assert blocked == ["Branches", "NeedsBoom", "NeedsNeedsBoom"]
    assert "RuntimeError: boom" in next(iter(summary.failed.values()))
    assert summary.exit_code == 1
    assert g.runs(str(tmp_path)).count("Boom") == 1  # ran once, not retried


def test_run_that_leaves_its_output_missing_is_a_failure(tmp_path, execute):
    summary = execute(g.ForgetsOutput(root=str(tmp_path)))
    [error] = summary.failed.values()
    assert "run() finished but complete() is still false" in error
    assert str(tmp_path / "ForgetsOutput.txt") in error
    assert summary.ran == []
    assert summary.exit_code == 1


def test_task_without_outputs_fails_after_running(tmp_path, execute):
    summary = execute(g.NoOutput(root=str(tmp_path)))
    assert g.runs(str(tmp_path)) == ["NoOutput"]
    [error] = summary.failed.values()
    assert "has no output()" in error


def test_missing_external_input_fails_naming_path_and_task(tmp_path, execute):
    summary = execute(g.UsesInput(root=str(tmp_path)))
    [error] = summary.failed.values()
    assert str(tmp_path / "input.txt") in error and "RawInput" in error
    assert list(summary.blocked) == [g.UsesInput(root=str(tmp_path)).task_id]
    assert g.runs(str(tmp_path)) == []
    assert summary.exit_code == 1


def test_external_input_present_lets_dependant_run(tmp_path, execute):
    (tmp_path / "input.txt").write_text("abc\n")
    summary = execute(g.UsesInput(root=str(tmp_path)))
    assert summary.exit_code == 0
    assert (tmp_path / "UsesInput.txt").read_text() == "ABC\n"
    assert summary.already_complete == [g.RawInput(root=str(tmp_path)).task_id]


def test_exception_mid_write_leaves_no_output(tmp_path, execute):
    summary = execute(g.RaisesMidWrite(root=str(tmp_path)))
    assert "failed half way through writing" in next(iter(summary.failed.values()))
    assert os.listdir(tmp_path) == []  # neither the output nor a temporary file


def test_second_run_does_nothing_and_says_so(tmp_path, execute):
    execute(g.Diamond(root=str(tmp_path)))
    summary = execute(g.Diamond(root=str(tmp_path)))
    assert summary.ran == [] and summary.exit_code == 0
    assert summary.text() == "Nothing to do: task was already complete."
    assert len(g.runs(str(tmp_path))) == 4


def test_many_independent_tasks_all_run_once(tmp_path, execute):
    summary = execute(g.Many(root=str(tmp_path), n=300))
    assert len(summary.ran) == 301
    assert sorted(os.listdir(tmp_path)) == sorted(f"leaf-{i}.txt" for i in range(300))


def test_summary_counts_every_kind_of_ending(tmp_path, execute):
    (tmp_path / "Left.txt").write_text("done\n")
    summary = execute(g.Branches(root=str(tmp_path)))
    first = summary.text().splitlines()[0]
    assert first == (
        "Summary of 5 tasks: 1 already complete, 0 ran, 1 failed, 3 blocked by a failure."
    )


def test_killed_worker_process_fails_its_task_and_others_go_on(tmp_path):
    config = config_for(2)
    roots = [g.Dies(root=str(tmp_path)), g.Many(root=str(tmp_path), n=20)]
    summary = run(roots, config, Console(level="ERROR"))
    [(task_id, error)] = summary.failed.items()
    assert summary.graph.nodes[task_id].task.task_family == "Dies"
    assert "killed by signal 9" in error
    assert all((tmp_path / f"leaf-{i}.txt").exists() for i in range(20))


def test_run_uses_processes_for_more_than_one_worker(tmp_path):
    class RecordsPid(g.Writes):
        def run(self):
            g.record_run(self.root, str(os.getpid()))
            super().run()

    roots = [RecordsPid(root=str(tmp_path), name=f"t{i}") for i in range(4)]
    run(roots, config_for(2), Console(level="ERROR"))
    pids = {int(line) for line in g.runs(str(tmp_path)) if line.isdigit()}
    assert pids and os.getpid() not in pids


def test_summary_names_the_first_blocked_tasks_and_counts_the_rest(tmp_path):
    class NeedsBoomToo(g.Writes):
        def requires(self):
            return g.Boom(root=self.root)

    roots = [NeedsBoomToo(root=str(tmp_path), name=f"t{i}") for i in range(30)]
    summary = run(roots, config_for(1), Console(level="ERROR"))
    text = summary.text()
    assert text.count("Blocked: NeedsBoomToo(") == 20
    assert "Blocked: 10 more" in text
    assert len(summary.blocked) == 30


def test_failure_log_line_says_what_went_wrong_not_just_the_hint(tmp_path):
    import io

    log = io.StringIO()
    console = Console(level="INFO", stream=log, fancy=False)
    try:
        summary = run([g.Refuses(root=str(tmp_path))], config_for(1), console)
    finally:
        console.close()
    failed_lines = [line for line in log.getvalue().splitlines() if "FAILED" in line]
    assert summary.exit_code == 1
    assert len(failed_lines) == 1
    assert failed_lines[0].endswith("the input has 3 fields on line 7")
    assert "hint: fix line 7" in summary.text()


def run_by_file(root):
    """A run_one for ProcessExecutor: "die" kills its process, any other id writes root/<id>."""

    def run_one(task_id: str) -> Outcome:
        if task_id == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        (root / task_id).write_text(str(os.getpid()))
        return Outcome(task_id, DONE)

    return run_one


def collect(executor, batches: int) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    for _ in range(batches):
        for finished in executor.results():
            outcomes.update((o.task_id, o) for o in finished)
    return outcomes


def test_batch_queued_behind_a_killed_task_runs_in_the_replacement_process(tmp_path):
    executor = ProcessExecutor(run_by_file(tmp_path), 1, lambda t: (tmp_path / t).exists())
    try:
        executor.submit(["a", "die", "b"])
        executor.submit(["c", "d"])  # queued behind the first batch in the same process
        outcomes = collect(executor, 2)
    finally:
        executor.close()
    assert {t: o.status for t, o in outcomes.items()} == {
        "a": DONE,
        "die": FAILED,
        "b": FAILED,
        "c": DONE,
        "d": DONE,
    }
    assert "killed by signal 9" in outcomes["die"].error
    assert (tmp_path / "c").read_text() == (tmp_path / "d").read_text()  # one new process
    assert (tmp_path / "c").read_text() != (tmp_path / "a").read_text()


def test_worker_process_killed_while_idle_is_replaced_before_its_next_batch(tmp_path):
    executor = ProcessExecutor(run_by_file(tmp_path), 1, lambda t: (tmp_path / t).exists())
    try:
        [idle] = executor._children
        os.kill(idle.process.pid, signal.SIGKILL)
        idle.process.join()
        executor.submit(["a"])
        outcomes = collect(executor, 1)
    finally:
        executor.close()
    assert outcomes["a"].status == DONE
    assert int((tmp_path / "a").read_text()) != idle.process.pid
