"""LocalScheduler: dependency counts, a ready queue, failures blocking only dependants."""

from __future__ import annotations

import sys
import time

import pytest

from streamflow import scheduler as scheduler_module
from streamflow.scheduler import BLOCKED, DONE, FAILED, PENDING, RUNNING, LocalScheduler


def drain(scheduler: LocalScheduler, fail: frozenset[str] = frozenset()) -> list[str]:
    """Run everything one task at a time; return the order tasks were handed out."""
    order = []
    while work := scheduler.get_work("w"):
        for task_id in work:
            order.append(task_id)
            scheduler.task_done(task_id, FAILED if task_id in fail else DONE, "boom")
    return order


def test_task_is_handed_out_only_after_its_dependencies_are_done():
    s = LocalScheduler()
    s.add_task("c", ["a", "b"])
    s.add_task("a", [])
    s.add_task("b", ["a"])
    order = drain(s)
    assert order.index("a") < order.index("b") < order.index("c")


def test_dependency_added_later_as_done_releases_the_dependant():
    s = LocalScheduler()
    s.add_task("b", ["a"])
    assert s.get_work("w") == []
    s.add_task("a", [], status=DONE)
    assert s.get_work("w") == ["b"]


def test_diamond_hands_out_the_shared_task_once():
    s = LocalScheduler()
    s.add_task("top", ["left", "right"])
    s.add_task("left", ["base"])
    s.add_task("right", ["base"])
    s.add_task("base", [])
    s.add_task("base", [])  # required twice, declared twice: still one task
    order = drain(s)
    assert order.count("base") == 1
    assert sorted(order) == ["base", "left", "right", "top"]


def test_failure_blocks_dependants_transitively_but_not_other_branches():
    s = LocalScheduler()
    s.add_task("bad", [])
    s.add_task("mid", ["bad"])
    s.add_task("top", ["mid", "good"])
    s.add_task("good", [])
    s.add_task("other", ["good"])
    order = drain(s, fail=frozenset({"bad"}))
    summary = s.summary()
    assert summary[FAILED] == ["bad"]
    assert sorted(summary[BLOCKED]) == ["mid", "top"]
    assert sorted(summary[DONE]) == ["good", "other"]
    assert "top" not in order
    assert s.blocked_by("top") == "bad"
    assert s.error_text("bad") == "boom"


def test_task_added_after_its_dependency_failed_is_blocked_at_once():
    s = LocalScheduler()
    s.add_task("a", [])
    s.get_work("w")
    s.task_done("a", FAILED, "x")
    s.add_task("b", ["a"])
    assert s.summary()[BLOCKED] == ["b"]


def test_get_work_returns_a_batch_of_ready_tasks_and_marks_them_running():
    s = LocalScheduler()
    for i in range(5):
        s.add_task(f"t{i}", [])
    assert s.get_work("w1", max_tasks=3) == ["t0", "t1", "t2"]
    assert s.get_work("w2", max_tasks=3) == ["t3", "t4"]
    assert s.summary()[RUNNING] == ["t0", "t1", "t2", "t3", "t4"]
    assert s.summary()[PENDING] == []


def test_bad_status_is_rejected():
    s = LocalScheduler()
    s.add_task("a", [])
    with pytest.raises(ValueError, match="task_done status"):
        s.task_done("a", "finished")
    with pytest.raises(KeyError):
        s.task_done("nope", DONE)


def test_contract_is_plain_data():
    s = LocalScheduler()
    s.add_task("a", [])
    work = s.get_work("w")
    summary = s.summary()
    assert all(isinstance(t, str) for t in work)
    assert all(isinstance(k, str) and isinstance(v, list) for k, v in summary.items())


def build_and_drain_chain(n: int) -> None:
    s = LocalScheduler()
    for i in range(n):
        s.add_task(f"t{i}", [f"t{i - 1}"] if i else [])
    assert len(drain(s)) == n


def lines_per_task(n: int) -> float:
    """Lines of scheduler code executed per task: an exact count, whatever the machine's load."""
    executed = 0

    def tracer(frame, event, arg):
        nonlocal executed
        if event == "line" and frame.f_code.co_filename == scheduler_module.__file__:
            executed += 1
        return tracer

    sys.settrace(tracer)
    try:
        build_and_drain_chain(n)
    finally:
        sys.settrace(None)
    return executed / n


def cpu_seconds_per_task(n: int) -> float:
    # CPU time of this process, not wall time: other processes on a busy machine do not count.
    start = time.process_time()
    build_and_drain_chain(n)
    return (time.process_time() - start) / n


def test_scheduler_work_per_task_does_not_grow_with_the_graph():
    # A chain is the worst case for a scheduler that rescans pending tasks: quadratic there.
    small, large = lines_per_task(500), lines_per_task(5_000)
    assert large <= small * 1.01, f"{large:.1f} lines/task at 5,000 vs {small:.1f} at 500"


def test_scheduler_cpu_time_per_task_does_not_grow_with_the_graph():
    # Catches what line counts cannot see: a scan hidden inside one C call (list.remove, in).
    small = min(cpu_seconds_per_task(2_000) for _ in range(3))
    large = min(cpu_seconds_per_task(40_000) for _ in range(3))
    assert large < small * 5, f"{large * 1e6:.1f} us/task at 40k vs {small * 1e6:.1f} at 2k"
