"""Tasks: parameters plus ``requires()``, ``output()`` and ``run()``.

A task is its class and its parameter values: two tasks built with the same values are
equal, share one node in the graph, and have the same ``task_id`` on every machine.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from streamflow.errors import MissingInput, ParameterError, TaskDefinitionError
from streamflow.parameter import Parameter

if TYPE_CHECKING:
    from streamflow.config import Config

_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


class Task:
    """A unit of work: runs only when its outputs are missing.

    Subclasses declare parameters as class attributes and override ``requires``,
    ``output`` and ``run``::

        class CountWords(Task):
            date = DateParameter()

            def requires(self):
                return Download(date=self.date)

            def output(self):
                return LocalTarget(f"data/counts/{self.date}.tsv")

            def run(self):
                with self.input().open() as src, self.output().open("w") as dst:
                    ...
    """

    #: The name in task ids and messages; defaults to the class name.
    task_family: ClassVar[str] = "Task"
    #: Parameters in declaration order, base classes first (filled in per subclass).
    _params: ClassVar[tuple[tuple[str, Parameter], ...]] = ()
    _param_names: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "task_family" not in cls.__dict__:
            cls.task_family = cls.__name__
        params: dict[str, Parameter] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Parameter):
                    params[name] = value
                elif name in params:
                    del params[name]  # a subclass replaced the parameter with a plain value
        cls._params = tuple(params.items())
        cls._param_names = frozenset(params)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        params = self._params
        if len(args) > len(params):
            raise ParameterError(
                f"{self.task_family} takes {len(params)} parameter(s) but got {len(args)} "
                "positional values",
                hint="pass parameters by name, e.g. "
                f"{self.task_family}({', '.join(f'{n}=...' for n, _ in params)})",
            )
        given = dict(zip((name for name, _ in params), args))
        for name, value in kwargs.items():
            if name in given:
                raise ParameterError(f"{self.task_family} got two values for parameter {name!r}")
            given[name] = value
        if not given.keys() <= self._param_names:
            unknown = sorted(given.keys() - self._param_names)
            raise ParameterError(
                f"{self.task_family} has no parameter {unknown[0]!r}",
                hint=f"its parameters are: {', '.join(sorted(self._param_names)) or '(none)'}",
            )
        values: dict[str, Any] = {}
        for name, param in params:
            if name in given:
                values[name] = param.normalize(given[name])
            elif param.has_default:
                values[name] = param.default
            else:
                raise ParameterError(
                    f"{self.task_family} needs a value for parameter {name!r}",
                    hint=f"pass {name}=... (on the command line --{name.replace('_', '-')})",
                )
        self.param_kwargs: dict[str, Any] = values
        self.__dict__.update(values)
        significant = self.to_str_params(only_significant=True)
        self._identity = (type(self), tuple(significant.items()))
        self.task_id = make_task_id(self.task_family, significant)
        self._hash = hash(self.task_id)
        self._config: Config | None = None

    # ----------------------------------------------------------------- what users override

    def requires(self) -> Any:
        """The tasks this one needs: None, a task, or a list, tuple or dict of tasks."""
        return []

    def output(self) -> Any:
        """What this task produces: None, a target, or a list, tuple or dict of targets."""
        return []

    def run(self) -> None:
        """Do the work, writing every output."""

    def complete(self) -> bool:
        """Whether the work is done: every output exists. A task without outputs never is."""
        from streamflow.target import targets_exist

        outputs = flatten(self.output())
        return bool(outputs) and all(targets_exist(outputs))

    # -------------------------------------------------------------------- what users call

    def input(self) -> Any:
        """The outputs of ``requires()``, in the same shape."""
        return map_structure(lambda task: self._adopt(task).output(), self.requires())

    def deps(self) -> list[Task]:
        """The required tasks as a flat list, checked to be tasks."""
        deps = flatten(self.requires())
        for dep in deps:
            if isinstance(dep, Task):
                self._adopt(dep)
            if not isinstance(dep, Task):
                if hasattr(dep, "exists"):
                    raise TaskDefinitionError(
                        f"{self!r}.requires() returned a target ({dep!r}), not a task",
                        hint="requires() can only return tasks: wrap data made outside "
                        "streamflow in an ExternalTask whose output() returns that target",
                    )
                raise TaskDefinitionError(
                    f"{self!r}.requires() returned {dep!r} ({type(dep).__name__}), not a task",
                    hint="requires() returns None, a task, or a list, tuple or dict of tasks",
                )
        return deps

    @property
    def config(self) -> Config:
        """The run's configuration: bound by the graph builder, else loaded on first use."""
        if self._config is None:
            from streamflow.config import load_config

            self._config = load_config()
        return self._config

    @config.setter
    def config(self, value: Config) -> None:
        self._config = value

    def _adopt(self, task: Task) -> Task:
        # A required task built by requires() runs under the same configuration as this one:
        # its output() may depend on it (the runner, the data directory).
        if task._config is None:
            task._config = self._config
        return task

    @classmethod
    def get_params(cls) -> list[tuple[str, Parameter]]:
        """``(name, Parameter)`` pairs in declaration order."""
        return list(cls._params)

    def to_str_params(self, only_significant: bool = False) -> dict[str, str]:
        """Parameter values as text, e.g. ``{"date_interval": "2012-06"}``."""
        return {
            name: param.serialize(self.param_kwargs[name])
            for name, param in self._params
            if param.significant or not only_significant
        }

    @classmethod
    def from_str_params(cls, params: Mapping[str, str]) -> Task:
        """Build a task from text values, as the command line gives them."""
        return cls(
            **{name: param.parse(params[name]) for name, param in cls._params if name in params}
        )

    # ----------------------------------------------------------------------- identity

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Task) and self._identity == other._identity

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.to_str_params(True).items())
        return f"{self.task_family}({params})"

    def __getstate__(self) -> dict[str, Any]:
        # hash() of a str differs between processes: recompute it after unpickling.
        state = dict(self.__dict__)
        del state["_hash"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._hash = hash(self.task_id)


class ExternalTask(Task):
    """Data made outside streamflow: it is never run, and a missing output is an error."""

    def run(self) -> None:
        from streamflow.target import targets_exist

        outputs = flatten(self.output())
        missing = [t.path for t, ok in zip(outputs, targets_exist(outputs)) if not ok]
        raise MissingInput(
            f"{self!r} is an external input and is missing: {', '.join(missing) or '(no output)'}",
            hint="create or copy that data first (streamflow does not make external inputs), "
            "or fix the path",
        )


class WrapperTask(Task):
    """Groups other tasks: complete when all its requirements are."""

    def complete(self) -> bool:
        from streamflow.graph import completeness

        # One batched check over every requirement, not one listing per requirement.
        return all(completeness(self.deps()))


def flatten(struct: Any) -> list[Any]:
    """Flatten None, one object, or nested lists, tuples and dicts into a list.

    >>> flatten({"a": 1, "b": [2, (3, None)]})
    [1, 2, 3]
    """
    if struct is None:
        return []
    if isinstance(struct, Mapping):
        struct = list(struct.values())
    if isinstance(struct, list | tuple):
        out: list[Any] = []
        for item in struct:
            out.extend(flatten(item))
        return out
    return [struct]


def map_structure(fn: Callable[[Any], Any], struct: Any) -> Any:
    """Apply ``fn`` to every leaf, keeping the shape of lists, tuples and dicts."""
    if struct is None:
        return None
    if isinstance(struct, Mapping):
        return {key: map_structure(fn, value) for key, value in struct.items()}
    if isinstance(struct, list | tuple):
        return type(struct)(map_structure(fn, item) for item in struct)
    return fn(struct)


def make_task_id(family: str, params: Mapping[str, str]) -> str:
    """A stable, filesystem-safe id: family, readable parameter values, and a digest.

    >>> make_task_id("AggregateArtists", {"date_interval": "2012-06"})
    'AggregateArtists_2012-06_7027f3c1c6'
    """
    # Unit and record separators cannot be confused with parameter text.
    canonical = "\x1e".join([family, *(f"{k}\x1f{v}" for k, v in sorted(params.items()))])
    digest = hashlib.sha1(canonical.encode()).hexdigest()[:10]
    readable = _UNSAFE_ID_CHARS.sub("-", "_".join(params.values()))[:60].strip("-_")
    return f"{family}_{readable}_{digest}" if readable else f"{family}_{digest}"


def uses_output_completeness(task: Task) -> bool:
    """Whether ``complete()`` is the default (all outputs exist), so it can be batched."""
    return type(task).complete is Task.complete
