"""The scheduler contract, and the in-process scheduler that implements it.

The worker tells a scheduler which tasks exist and how they ended, and asks it what may run
next. Every argument and result is a task id, a plain string or a list of them, so a central
scheduler server can implement the same four calls later without changing the worker.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Protocol

PENDING = "pending"  # waiting for dependencies, or ready and not yet handed out
RUNNING = "running"  # handed to a worker
DONE = "done"  # complete: ran successfully, or was complete before the run
FAILED = "failed"
BLOCKED = "blocked"  # a dependency failed, so this task will not run

STATUSES = (PENDING, RUNNING, DONE, FAILED, BLOCKED)


class Scheduler(Protocol):
    """What the worker loop needs from a scheduler."""

    def add_task(self, task_id: str, deps: Sequence[str], status: str = PENDING) -> None:
        """Declare a task, the ids it depends on, and PENDING (to run) or DONE (complete)."""

    def get_work(self, worker_id: str, max_tasks: int = 1) -> list[str]:
        """Up to ``max_tasks`` ready task ids, now RUNNING for ``worker_id``; [] if none ready."""

    def task_done(self, task_id: str, status: str, error_text: str = "") -> None:
        """Report how a RUNNING task ended: DONE or FAILED (with its error text)."""

    def summary(self) -> dict[str, list[str]]:
        """Task ids by status."""


class LocalScheduler:
    """The in-process scheduler: remaining-dependency counts and a ready queue.

    Each call costs O(1) amortized per task it touches, so a run's scheduling cost grows
    linearly with the graph. Tasks may be added in any order.

    >>> s = LocalScheduler()
    >>> s.add_task("b", ["a"]); s.add_task("a", [])
    >>> s.get_work("w1", 2)
    ['a']
    >>> s.task_done("a", DONE); s.get_work("w1")
    ['b']
    """

    def __init__(self) -> None:
        self._status: dict[str, str] = {}
        self._remaining: dict[str, int] = {}
        self._dependants: dict[str, list[str]] = {}
        self._ready: deque[str] = deque()
        self._errors: dict[str, str] = {}
        self._blocked_by: dict[str, str] = {}
        self._owner: dict[str, str] = {}

    def add_task(self, task_id: str, deps: Sequence[str], status: str = PENDING) -> None:
        """Declare a task; re-adding a known task is ignored (the first declaration wins)."""
        if status not in (PENDING, DONE):
            raise ValueError(f"add_task status must be {PENDING!r} or {DONE!r}, got {status!r}")
        if task_id in self._status:
            return
        self._status[task_id] = PENDING
        self._dependants.setdefault(task_id, [])
        if status == DONE:
            self._finish(task_id)
            return
        remaining = 0
        failed_dep = ""
        for dep in dict.fromkeys(deps):  # a dependency listed twice still counts once
            dep_status = self._status.get(dep)
            if dep_status == DONE:
                continue
            if dep_status in (FAILED, BLOCKED):
                failed_dep = failed_dep or dep
            remaining += 1
            self._dependants.setdefault(dep, []).append(task_id)
        self._remaining[task_id] = remaining
        if failed_dep:
            self._block_from(failed_dep, [task_id])
        elif remaining == 0:
            self._ready.append(task_id)

    def get_work(self, worker_id: str, max_tasks: int = 1) -> list[str]:
        """Hand out up to ``max_tasks`` ready tasks, oldest first."""
        work = []
        while self._ready and len(work) < max_tasks:
            task_id = self._ready.popleft()
            if self._status[task_id] != PENDING:
                continue  # blocked after it became ready
            self._status[task_id] = RUNNING
            self._owner[task_id] = worker_id
            work.append(task_id)
        return work

    def task_done(self, task_id: str, status: str, error_text: str = "") -> None:
        """Record how a task ended; success readies dependants, failure blocks them."""
        current = self._status.get(task_id)
        if current is None:
            raise KeyError(f"task_done for unknown task {task_id!r}")
        if status == DONE:
            self._finish(task_id)
        elif status == FAILED:
            self._status[task_id] = FAILED
            self._errors[task_id] = error_text
            self._block_from(task_id, self._dependants.get(task_id, []))
        else:
            raise ValueError(f"task_done status must be {DONE!r} or {FAILED!r}, got {status!r}")

    def summary(self) -> dict[str, list[str]]:
        """Task ids by status, each list in the order the tasks were added."""
        result: dict[str, list[str]] = {status: [] for status in STATUSES}
        for task_id, status in self._status.items():
            result[status].append(task_id)
        return result

    def error_text(self, task_id: str) -> str:
        """Why a FAILED task failed, as reported to task_done."""
        return self._errors.get(task_id, "")

    def blocked_by(self, task_id: str) -> str:
        """The failed task that blocked a BLOCKED task."""
        return self._blocked_by.get(task_id, "")

    def _finish(self, task_id: str) -> None:
        self._status[task_id] = DONE
        for dependant in self._dependants.get(task_id, []):
            if self._status[dependant] != PENDING:
                continue
            self._remaining[dependant] -= 1
            if self._remaining[dependant] == 0:
                self._ready.append(dependant)

    def _block_from(self, failed: str, dependants: Sequence[str]) -> None:
        # Each task is blocked at most once, so blocking a whole subtree is linear in its size.
        root = self._blocked_by.get(failed, failed)
        stack = list(dependants)
        while stack:
            task_id = stack.pop()
            if self._status.get(task_id) != PENDING:
                continue
            self._status[task_id] = BLOCKED
            self._blocked_by[task_id] = root
            stack.extend(self._dependants.get(task_id, []))
