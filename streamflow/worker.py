"""Run a graph: one loop that asks the scheduler for ready tasks and hands them to an executor.

The loop is written once; how tasks execute is injected: serially in this process, on threads,
or on forked processes (``--workers N``). Executors receive task ids and return small outcomes,
so a forked process needs nothing but ids over its pipe: it already holds the graph.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import math
import os
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from streamflow.config import Config
from streamflow.console import Console
from streamflow.errors import StreamflowError
from streamflow.graph import COMPLETE, MISSING, Graph, Node, build_graph, outputs_exist
from streamflow.scheduler import BLOCKED, DONE, FAILED, PENDING, RUNNING, LocalScheduler, Scheduler
from streamflow.task import Task, WrapperTask, flatten, uses_output_completeness

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.connection import Connection

# multiprocessing and concurrent.futures are imported by the executors that need them: a run
# with nothing to do, or with one worker, should not pay for them at start-up.

# A batch should take about this long: long enough to make a pipe round trip negligible for
# trivial tasks, short enough that slow tasks are still handed out one at a time.
BATCH_SECONDS = 0.02
MAX_BATCH = 64
# A failure early in a large graph blocks thousands of tasks; the summary names the first few.
SHOW_BLOCKED = 20


@dataclass(frozen=True)
class Outcome:
    """How one task ended: DONE or FAILED, the error text, and how long it took."""

    task_id: str
    status: str
    error: str = ""
    seconds: float = 0.0


RunOne = Callable[[str], Outcome]


class Executor(Protocol):
    """Runs batches of task ids; at most ``size`` batches are in flight at once."""

    size: int

    def submit(self, batch: list[str]) -> None:
        """Start running a batch (the loop never has more than ``size`` in flight)."""

    def results(self) -> list[list[Outcome]]:
        """Wait until at least one batch has finished; the outcomes of finished batches."""

    def close(self) -> None:
        """Stop; tasks still running are interrupted."""


class SerialExecutor:
    """Runs each batch at once, in this process: simplest, and what ``--workers 1`` uses."""

    size = 1

    def __init__(self, run_one: RunOne) -> None:
        self._run_one = run_one
        self._finished: list[list[Outcome]] = []

    def submit(self, batch: list[str]) -> None:
        self._finished.append([self._run_one(task_id) for task_id in batch])

    def results(self) -> list[list[Outcome]]:
        finished, self._finished = self._finished, []
        return finished

    def close(self) -> None:
        pass


class ThreadExecutor:
    """Runs batches on threads: for tasks that mostly wait (on Hadoop, on a database)."""

    def __init__(self, run_one: RunOne, size: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.size = size
        self._run_one = run_one
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="streamflow")
        self._running: set[Future[list[Outcome]]] = set()

    def submit(self, batch: list[str]) -> None:
        self._running.add(self._pool.submit(lambda: [self._run_one(t) for t in batch]))

    def results(self) -> list[list[Outcome]]:
        from concurrent.futures import FIRST_COMPLETED, wait

        finished, self._running = wait(self._running, return_when=FIRST_COMPLETED)
        return [future.result() for future in finished]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Child:
    process: Any
    conn: Connection
    batches: deque[list[str]] = field(default_factory=deque)  # sent, in order, not answered


class ProcessExecutor:
    """Runs batches in ``size`` forked processes, which inherit the graph: only ids travel.

    A process may hold a second batch queued behind the one it runs, so it starts on it
    without waiting for the parent. A process that dies (killed, or a task calling
    ``os._exit``) fails the tasks of its running batch that did not complete, and is
    replaced; its queued batches, never started, go to the replacement.
    """

    def __init__(self, run_one: RunOne, size: int, is_complete: Callable[[str], bool]) -> None:
        import multiprocessing

        self.size = size
        self._run_one = run_one
        self._is_complete = is_complete
        self._context = multiprocessing.get_context("fork")
        self._children: list[_Child] = []
        for _ in range(size):
            self._children.append(self._spawn())

    def _spawn(self) -> _Child:
        parent_end, child_end = self._context.Pipe()
        # The child must not hold the parent's ends of any pipe (its own or its siblings'):
        # then its reads end with EOF as soon as the parent is gone.
        inherited = [parent_end, *(child.conn for child in self._children)]
        process = self._context.Process(
            target=_child_loop,
            args=(child_end, self._run_one, inherited),
            name="streamflow-worker",
        )
        # Keep the collector away from the graph the child inherits: collecting it would
        # write to every object's page and copy the parent's whole heap into each child.
        gc.freeze()
        process.start()
        child_end.close()
        return _Child(process, parent_end)

    def submit(self, batch: list[str]) -> None:
        child = min(self._children, key=lambda c: len(c.batches))
        child.batches.append(batch)
        try:
            child.conn.send(batch)
        except OSError:
            if len(child.batches) > 1:
                return  # it died busy: results() reports its batch and resends this one
            child.batches.clear()  # it died idle (killed from outside): start another
            child = self._respawn(child)
            child.batches.append(batch)
            child.conn.send(batch)

    def results(self) -> list[list[Outcome]]:
        from multiprocessing.connection import wait as wait_connections

        busy = {child.conn: child for child in self._children if child.batches}
        finished = []
        for conn in wait_connections(list(busy)):
            child = busy[conn]  # type: ignore[index]
            try:
                values = conn.recv()
            except (EOFError, OSError):
                finished.append(self._replace_dead(child))
                continue
            child.batches.popleft()
            finished.append([Outcome(*v) for v in values])
        return finished

    def _replace_dead(self, child: _Child) -> list[Outcome]:
        replacement = self._respawn(child)
        code = child.process.exitcode
        how = f"was killed by signal {-code}" if code and code < 0 else f"exited with code {code}"
        outcomes = []
        for task_id in child.batches.popleft():
            if self._is_complete(task_id):
                outcomes.append(Outcome(task_id, DONE))
            else:
                error = (
                    f"the worker process (pid {child.process.pid}) {how} while running this "
                    "task or another of its batch"
                )
                outcomes.append(Outcome(task_id, FAILED, error))
        for batch in child.batches:  # queued behind the batch it died in: never started
            replacement.batches.append(batch)
            replacement.conn.send(batch)
        return outcomes

    def _respawn(self, dead: _Child) -> _Child:
        dead.process.join()
        dead.conn.close()
        replacement = self._spawn()
        self._children[self._children.index(dead)] = replacement
        return replacement

    def close(self) -> None:
        for child in self._children:
            if child.batches:
                child.process.terminate()  # interrupted mid-task; outputs are atomic
            else:
                with contextlib.suppress(OSError):
                    child.conn.send(None)
        for child in self._children:
            child.process.join(timeout=10)
            if child.process.is_alive():
                child.process.kill()
                child.process.join()
            child.conn.close()


class Stopped(BaseException):
    """Raised in a worker process on SIGTERM, so a running task's ``with`` blocks unwind and
    its atomic outputs discard their temporary files before the process dies."""


def _stop(signum: int, frame: Any) -> None:
    raise Stopped(f"stopped by signal {signum}")


def _child_loop(conn: Connection, run_one: RunOne, inherited: list[Connection]) -> None:
    for other in inherited:
        other.close()
    # Ctrl-C reaches the whole process group; the parent decides what stops, and how.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    _die_with_parent()
    try:
        while (batch := conn.recv()) is not None:
            outcomes = [run_one(task_id) for task_id in batch]
            conn.send([(o.task_id, o.status, o.error, o.seconds) for o in outcomes])
    except (EOFError, OSError):
        pass  # the parent is gone
    except Stopped:
        # Cleaned up; now die by the signal, so the parent reports what happened.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this process if the parent dies (even by SIGKILL)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the process still exits when its pipe closes


def execute(node: Node) -> Outcome:
    """Run one task in this process; a task whose outputs are not all there afterwards fails."""
    task = node.task
    if node.state == MISSING:
        return Outcome(task.task_id, FAILED, node.missing_message())
    start = time.perf_counter()
    try:
        task.run()
        error = check_after_run(task)
    except StreamflowError as failure:
        error = str(failure)
    except (Exception, SystemExit) as failure:
        # Skip this function's own frame: the traceback starts in the user's run().
        lines = traceback.format_exception(type(failure), failure, failure.__traceback__.tb_next)
        error = "".join(lines).rstrip()
    seconds = time.perf_counter() - start
    return Outcome(task.task_id, FAILED if error else DONE, error, seconds)


def check_after_run(task: Task) -> str:
    """Why a task that just ran is not complete, or "" when it is."""
    if isinstance(task, WrapperTask) and type(task).complete is WrapperTask.complete:
        return ""  # it ran only because all its requirements were done
    if not uses_output_completeness(task):
        if task.complete():
            return ""
        return f"{task!r}: run() finished but complete() is still false"
    outputs = flatten(task.output())
    if not outputs:
        return (
            f"{task!r}: run() finished but complete() is still false: the task has no "
            "output(), so it can never be complete; give it an output(), or make it a "
            "WrapperTask if it only groups other tasks"
        )
    missing = [
        getattr(target, "path", repr(target))
        for target, found in zip(outputs, outputs_exist(outputs))
        if not found
    ]
    if missing:
        return (
            f"{task!r}: run() finished but complete() is still false: missing output "
            f"{', '.join(missing)}; run() must write every target output() returns"
        )
    return ""


@dataclass
class RunSummary:
    """How a run went: what was already complete, ran, failed (with errors) and was blocked."""

    graph: Graph
    ran: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # task id -> error text
    blocked: dict[str, str] = field(default_factory=dict)  # task id -> the failed task's id
    not_run: list[str] = field(default_factory=list)  # never handed out by the scheduler

    @property
    def already_complete(self) -> list[str]:
        """Tasks that were complete before the run (their requirements were not walked)."""
        return self.graph.ids_in_state(COMPLETE)

    @property
    def exit_code(self) -> int:
        """0 when every root task is complete, else 1."""
        finished = set(self.ran) | set(self.already_complete)
        return 0 if all(root in finished for root in self.graph.roots) else 1

    def text(self) -> str:
        """The summary printed at the end of a run."""
        name = self.graph.name
        total = len(self.graph.nodes)
        if not self.ran and not self.failed and not self.blocked and not self.not_run:
            noun = "task was" if total == 1 else f"all {total} tasks were"
            return f"Nothing to do: {noun} already complete."
        parts = [f"{len(self.already_complete)} already complete", f"{len(self.ran)} ran"]
        parts += [f"{len(self.failed)} failed", f"{len(self.blocked)} blocked by a failure"]
        if self.not_run:
            parts.append(f"{len(self.not_run)} never scheduled")
        lines = [f"Summary of {total} tasks: {', '.join(parts)}."]
        for task_id, error in self.failed.items():
            lines.append(f"Failed: {name(task_id)}")
            lines.extend(f"    {line}" for line in error.splitlines())
        blocked = list(self.blocked.items())
        for task_id, blocker in blocked[:SHOW_BLOCKED]:
            lines.append(f"Blocked: {name(task_id)}, by the failure of {name(blocker)}")
        if len(blocked) > SHOW_BLOCKED:
            lines.append(
                f"Blocked: {len(blocked) - SHOW_BLOCKED} more (streamflow graph lists all)"
            )
        return "\n".join(lines)


def make_executor(kind: str, workers: int, graph: Graph) -> Executor:
    """An executor by name: "serial", "threads" or "processes" ("auto": by ``workers``)."""

    def run_one(task_id: str) -> Outcome:
        return execute(graph.nodes[task_id])

    def is_complete(task_id: str) -> bool:
        try:
            return not check_after_run(graph.nodes[task_id].task)
        except Exception:
            return False

    if kind == "auto":
        kind = "processes" if workers > 1 else "serial"
    if kind == "serial":
        return SerialExecutor(run_one)
    if kind == "threads":
        return ThreadExecutor(run_one, workers)
    if kind == "processes":
        return ProcessExecutor(run_one, workers, is_complete)
    raise ValueError(f"executor must be auto, serial, threads or processes, not {kind!r}")


def run_graph(
    graph: Graph,
    executor: Executor,
    scheduler: Scheduler | None = None,
    console: Console | None = None,
) -> RunSummary:
    """Run every incomplete task of ``graph`` in dependency order; the one scheduling loop."""
    scheduler = scheduler if scheduler is not None else LocalScheduler()
    for task_id in graph.order:
        node = graph.nodes[task_id]
        scheduler.add_task(task_id, node.deps, DONE if node.state == COMPLETE else PENDING)
    total = len(graph.order) - len(graph.ids_in_state(COMPLETE))
    own_console = console is None
    console = Console(level="WARNING") if console is None else console
    summary = RunSummary(graph)
    try:
        _loop(scheduler, executor, console, summary, total)
    finally:
        if own_console:
            console.close()
    state = scheduler.summary()
    blocked_by = getattr(scheduler, "blocked_by", None)
    for task_id in state[BLOCKED]:
        summary.blocked[task_id] = blocked_by(task_id) if blocked_by else ""
    summary.not_run = state[PENDING] + state[RUNNING]
    return summary


def _loop(
    scheduler: Scheduler, executor: Executor, console: Console, summary: RunSummary, total: int
) -> None:
    worker_id = f"{os.uname().nodename}:{os.getpid()}"
    seconds_per_task = 0.0  # a running average, to size batches
    in_flight = 0
    with console.progress(total) as progress:
        while True:
            batch_size = _batch_size(seconds_per_task)
            # Quick tasks: a second batch waits behind each running one, so an executor's
            # process goes on to it at once instead of idling through this loop's round trip.
            # Slow tasks are handed out one at a time, to whichever process is free first.
            free = executor.size * (2 if batch_size > 1 else 1) - in_flight
            if free > 0:
                work = scheduler.get_work(worker_id, free * batch_size)
                for batch in _split(work, free):
                    executor.submit(batch)
                    in_flight += 1
            if in_flight == 0:
                break
            for outcomes in executor.results():
                in_flight -= 1
                for outcome in outcomes:
                    scheduler.task_done(outcome.task_id, outcome.status, outcome.error)
                    if seconds_per_task == 0.0:
                        seconds_per_task = outcome.seconds
                    else:
                        seconds_per_task = 0.8 * seconds_per_task + 0.2 * outcome.seconds
                    _report(summary, progress, outcome)


def _report(summary: RunSummary, progress: Any, outcome: Outcome) -> None:
    name = summary.graph.name(outcome.task_id)
    if outcome.status == DONE:
        summary.ran.append(outcome.task_id)
        progress.advance(f"ran {name} in {outcome.seconds:.2f} s")
    else:
        summary.failed[outcome.task_id] = outcome.error
        progress.advance(f"FAILED {name}: {headline(outcome.error)}", level=logging.ERROR)


def headline(error: str) -> str:
    """The line of an error text that says what went wrong: a traceback's last line, not a hint.

    >>> headline("Traceback ...\\nValueError: bad line 3\\n  hint: fix line 3")
    'ValueError: bad line 3'
    """
    lines = [line for line in error.strip().splitlines() if not line.lstrip().startswith("hint:")]
    return lines[-1].strip() if lines else ""


def _batch_size(seconds_per_task: float) -> int:
    if seconds_per_task <= 0:
        return 1
    return max(1, min(MAX_BATCH, int(BATCH_SECONDS / seconds_per_task)))


def _split(work: Sequence[str], parts: int) -> list[list[str]]:
    """Split ``work`` into at most ``parts`` batches of near-equal size, keeping order."""
    if not work:
        return []
    size = math.ceil(len(work) / parts)
    return [list(work[i : i + size]) for i in range(0, len(work), size)]


def run(
    roots: Sequence[Task],
    config: Config | None = None,
    console: Console | None = None,
    executor: str = "auto",
) -> RunSummary:
    """Build the graph of ``roots`` and run what is incomplete on ``config.core.workers``.

    Without a ``config``, it is loaded from the config file and environment.
    """
    if config is None:
        from streamflow.config import load_config

        config = load_config()
    graph = build_graph(roots, config)
    if len(graph.ids_in_state(COMPLETE)) == len(graph.order):
        return RunSummary(graph)  # nothing to run: no processes, no scheduler to fill
    chosen = make_executor(executor, config.core.workers, graph)
    try:
        return run_graph(graph, chosen, console=console)
    finally:
        chosen.close()
