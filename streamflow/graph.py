"""The dependency graph of a run: which tasks there are, what they need, and what is complete.

Pure functions over tasks and task ids. ``build_graph`` walks ``requires()`` from the root tasks
one level at a time, so each level's completeness is checked in one batch (one directory listing
per directory, not one call per output). A complete task's requirements are not walked: nothing
below it needs to run.
"""

from __future__ import annotations

import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from streamflow.config import Config
from streamflow.console import TreeNode
from streamflow.errors import StreamflowError, TaskDefinitionError
from streamflow.target import targets_exist
from streamflow.task import ExternalTask, Task, WrapperTask, flatten, uses_output_completeness

COMPLETE = "complete"
TO_RUN = "to run"
MISSING = "missing"  # an ExternalTask whose data is not there
STATES = (COMPLETE, TO_RUN, MISSING)


@dataclass
class Node:
    """One task in the graph: its requirements' ids and its state when the graph was built."""

    task: Task
    deps: list[str] = field(default_factory=list)
    state: str = TO_RUN
    missing: list[str] = field(default_factory=list)  # paths, for a MISSING external task

    def missing_message(self) -> str:
        """Why a MISSING task fails the run, naming the task and the paths."""
        paths = ", ".join(self.missing) or "(its complete() is false)"
        return f"missing input: {self.task!r} is made outside streamflow and is missing: {paths}"


@dataclass
class Graph:
    """Nodes by task id, the root ids, and an order in which dependencies come first."""

    roots: list[str]
    nodes: dict[str, Node]
    order: list[str]

    def ids_in_state(self, state: str) -> list[str]:
        """Task ids in ``state`` (COMPLETE, TO_RUN or MISSING), dependencies first."""
        return [task_id for task_id in self.order if self.nodes[task_id].state == state]

    def name(self, task_id: str) -> str:
        """The readable name of a task, e.g. ``Top(month=2012-06, n=10)``."""
        return repr(self.nodes[task_id].task)


def build_graph(roots: Sequence[Task], config: Config) -> Graph:
    """Walk ``requires()`` from ``roots``, binding ``config`` and checking completeness in batches.

    Equal tasks (same class, same significant parameters) are one node however many tasks
    require them. A WrapperTask is complete when all its requirements are, decided from the
    batched checks of those requirements.
    """
    for root in roots:
        if not isinstance(root, Task):
            raise TaskDefinitionError(f"a root of the run is {root!r}, not a task")
    nodes: dict[str, Node] = {}
    wrappers: list[str] = []
    level = _unique(roots)
    for task in level:
        nodes[task.task_id] = Node(task)
    while level:
        for task in level:
            task.config = config
        wrapper_flags = [_is_plain_wrapper(task) for task in level]
        checked = [task for task, wrapper in zip(level, wrapper_flags) if not wrapper]
        states = dict(zip((t.task_id for t in checked), completeness(checked)))
        next_level: list[Task] = []
        for task, wrapper in zip(level, wrapper_flags):
            node = nodes[task.task_id]
            if wrapper:
                wrappers.append(task.task_id)
            elif states[task.task_id]:
                node.state = COMPLETE
                continue
            elif isinstance(task, ExternalTask):
                node.state = MISSING
                node.missing = missing_paths(task)
                continue
            for dep in _deps(task):
                node.deps.append(dep.task_id)
                if dep.task_id not in nodes:
                    nodes[dep.task_id] = Node(dep)
                    next_level.append(dep)
        level = next_level
    order = toposort(
        {task_id: node.deps for task_id, node in nodes.items()},
        lambda task_id: repr(nodes[task_id].task),  # only for a cycle's message
    )
    # Dependencies come first in `order`, so a wrapper's requirements are decided before it.
    wrapper_set = set(wrappers)
    for task_id in order:
        if task_id in wrapper_set:
            node = nodes[task_id]
            done = all(nodes[dep].state == COMPLETE for dep in node.deps)
            node.state = COMPLETE if done else TO_RUN
    return Graph([root.task_id for root in _unique(roots)], nodes, order)


def completeness(tasks: Sequence[Task]) -> list[bool]:
    """Whether each task is complete; default ``complete()`` methods are answered in one batch.

    Tasks that override ``complete()`` are asked one by one.
    """
    result = [False] * len(tasks)
    batched: list[tuple[int, list[Any]]] = []
    for i, task in enumerate(tasks):
        if uses_output_completeness(task):
            batched.append((i, _outputs(task)))
        else:
            result[i] = _call_complete(task)
    targets = [target for _, outputs in batched for target in outputs]
    exists = iter(outputs_exist(targets))
    for i, outputs in batched:
        found = [next(exists) for _ in outputs]
        result[i] = bool(outputs) and all(found)
    return result


def outputs_exist(targets: Sequence[Any]) -> list[bool]:
    """Existence of many targets: filesystem targets in batches, any other kind one by one."""
    on_fs = [i for i, t in enumerate(targets) if hasattr(t, "fs") and hasattr(t, "path")]
    result = [False] * len(targets)
    if on_fs:
        for i, found in zip(on_fs, targets_exist([targets[i] for i in on_fs])):
            result[i] = found
    fs_set = set(on_fs)
    for i, target in enumerate(targets):
        if i not in fs_set:
            result[i] = bool(target.exists())
    return result


def missing_paths(task: Task) -> list[str]:
    """The paths (or reprs) of a task's outputs that do not exist."""
    outputs = _outputs(task)
    return [getattr(t, "path", repr(t)) for t, ok in zip(outputs, outputs_exist(outputs)) if not ok]


def toposort(deps: Mapping[str, Sequence[str]], name: Callable[[str], str] = str) -> list[str]:
    """Order ids so that each comes after everything it depends on; a cycle is an error.

    Every dependency must itself be a key of ``deps``. Ties keep the mapping's order.

    >>> toposort({"report": ["counts"], "counts": ["logs"], "logs": []})
    ['logs', 'counts', 'report']
    >>> try:
    ...     toposort({"a": ["b"], "b": ["a"]})
    ... except TaskDefinitionError as error:
    ...     print(error.message)
    dependency cycle: a -> b -> a
    """
    remaining = {key: len(set(values)) for key, values in deps.items()}
    dependants: dict[str, list[str]] = {key: [] for key in deps}
    for key, values in deps.items():
        for dep in set(values):
            dependants[dep].append(key)
    ready = deque(key for key, count in remaining.items() if count == 0)
    order: list[str] = []
    while ready:
        key = ready.popleft()
        order.append(key)
        for dependant in dependants[key]:
            remaining[dependant] -= 1
            if remaining[dependant] == 0:
                ready.append(dependant)
    if len(order) < len(deps):
        cycle = find_cycle({k: v for k, v in deps.items() if remaining[k] > 0})
        raise TaskDefinitionError(
            f"dependency cycle: {' -> '.join(name(key) for key in cycle)}",
            hint="a task cannot require itself, directly or through other tasks; "
            "change one requires() to break the cycle",
        )
    return order


def find_cycle(deps: Mapping[str, Sequence[str]]) -> list[str]:
    """A cycle in ``deps`` as ``[a, b, ..., a]``, or [] if there is none.

    >>> find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]})
    ['a', 'b', 'c', 'a']
    """
    visiting: dict[str, int] = {}  # key -> position on the current path
    finished: set[str] = set()
    for start in deps:
        if start in finished:
            continue
        path = [start]
        visiting[start] = 0
        stack = [iter(deps.get(start, ()))]
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                stack.pop()
                done = path.pop()
                del visiting[done]
                finished.add(done)
            elif dep in visiting:
                return [*path[visiting[dep] :], dep]
            elif dep not in finished and dep in deps:
                visiting[dep] = len(path)
                path.append(dep)
                stack.append(iter(deps[dep]))
    return []


def tree(graph: Graph) -> list[TreeNode]:
    """The graph as trees from its roots, for printing; shared tasks are expanded once."""
    shown: set[str] = set()
    roots: list[TreeNode] = []
    # Depth-first without recursion: a chain of thousands of tasks is a normal graph.
    stack: list[tuple[str, list[TreeNode]]] = [(root, roots) for root in reversed(graph.roots)]
    while stack:
        task_id, siblings = stack.pop()
        node = graph.nodes[task_id]
        label = graph.name(task_id)
        if task_id in shown and node.deps:
            siblings.append(TreeNode(label, f"{node.state}, see above"))
            continue
        shown.add(task_id)
        if node.state == MISSING:
            label = f"{label} [external, missing {', '.join(node.missing)}]"
        item = TreeNode(label, node.state)
        siblings.append(item)
        stack.extend((dep, item.children) for dep in reversed(node.deps))
    return roots


def _is_plain_wrapper(task: Task) -> bool:
    return isinstance(task, WrapperTask) and type(task).complete is WrapperTask.complete


def _unique(tasks: Iterable[Task]) -> list[Task]:
    return list({task.task_id: task for task in tasks}.values())


def _deps(task: Task) -> list[Task]:
    return _user_call(task, "requires()", task.deps)


def _outputs(task: Task) -> list[Any]:
    return _user_call(task, "output()", lambda: flatten(task.output()))


def _call_complete(task: Task) -> bool:
    return bool(_user_call(task, "complete()", task.complete))


def _user_call(task: Task, method: str, call: Callable[[], Any]) -> Any:
    """``call()``, a user method run to build the graph; what it raises names task and method."""
    try:
        return call()
    except StreamflowError:
        raise
    except Exception as error:
        raise _user_code_error(task, method, error) from error


def _user_code_error(task: Task, method: str, error: Exception) -> TaskDefinitionError:
    where = traceback.format_exception(type(error), error, error.__traceback__)
    return TaskDefinitionError(
        f"{task!r}.{method} raised {type(error).__name__}: {error}\n{''.join(where).rstrip()}",
        hint=f"fix {type(task).__name__}.{method}: it runs first, to build the graph",
    )
