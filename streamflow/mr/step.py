"""MRStep: one map/combine/reduce step of a job, and its plain-data description.

A step's ``description(step_num)`` is what runners see: a JSON-able dict such as
``{"type": "streaming", "mapper": {"type": "script"}, "reducer": {"type": "command",
"command": "sort -u"}, "jobconf": {...}}``. Standard library only (runs on cluster nodes).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["MRStep", "StepFailedException"]

PHASES = ("mapper", "combiner", "reducer")

# The Python methods a step may have (and an MRJob may define for its one default step).
STEP_METHODS = (
    "mapper",
    "mapper_init",
    "mapper_final",
    "mapper_raw",
    "combiner",
    "combiner_init",
    "combiner_final",
    "reducer",
    "reducer_init",
    "reducer_final",
)
# Shell-command substeps a step may have instead of (or before) a Python method.
COMMAND_OPTIONS = (
    "mapper_cmd",
    "mapper_pre_filter",
    "combiner_cmd",
    "combiner_pre_filter",
    "reducer_cmd",
    "reducer_pre_filter",
)
_PARAMS = (*STEP_METHODS, *COMMAND_OPTIONS, "jobconf")


class StepFailedException(Exception):
    """Kept for mrjob compatibility: streamflow runners raise JobError instead."""


def _identity_mapper(key: Any, value: Any):
    yield key, value


def _as_command(cmd: str | Sequence[str]) -> str:
    # mrjob accepts a list of arguments as well as a shell string.
    if isinstance(cmd, str):
        return cmd
    return " ".join(shlex.quote(str(part)) for part in cmd)


class MRStep:
    """A step made of any of mapper, combiner, reducer (methods or shell commands).

    Keyword arguments are mrjob's: ``mapper``, ``mapper_init``, ``mapper_final``,
    ``mapper_raw``, ``mapper_cmd``, ``mapper_pre_filter``, the same for ``combiner`` and
    ``reducer``, and ``jobconf``.
    """

    def __init__(self, **kwargs: Any) -> None:
        unknown = sorted(set(kwargs) - set(_PARAMS))
        if unknown:
            raise TypeError(
                f"MRStep got unexpected keyword arguments {', '.join(unknown)}; "
                f"it takes {', '.join(_PARAMS)}"
            )
        self.steps: dict[str, Any] = {name: kwargs.get(name) for name in _PARAMS}
        for phase in PHASES:
            if self.steps[phase] and self.steps[f"{phase}_cmd"]:
                raise ValueError(f"MRStep: give {phase} or {phase}_cmd, not both")
            if self.steps[f"{phase}_cmd"] and self.steps[f"{phase}_pre_filter"]:
                raise ValueError(
                    f"MRStep: {phase}_pre_filter cannot be combined with {phase}_cmd; "
                    f"put the filter in the command itself"
                )
        if self.steps["mapper_raw"] and (self.steps["mapper"] or self.steps["mapper_cmd"]):
            raise ValueError("MRStep: mapper_raw replaces mapper; give only one of them")

    def __getitem__(self, name: str) -> Any:
        return self.steps[name]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MRStep) and self.steps == other.steps

    def __repr__(self) -> str:
        given = ", ".join(f"{k}={v!r}" for k, v in self.steps.items() if v is not None)
        return f"MRStep({given})"

    def has_explicit(self, phase: str) -> bool:
        """True when the user gave anything for ``phase`` (method, init/final, command...)."""
        return any(
            value is not None
            for name, value in self.steps.items()
            if name == phase or name.startswith(f"{phase}_")
        )

    def _render(self, phase: str) -> dict[str, Any]:
        cmd = self.steps[f"{phase}_cmd"]
        if cmd is not None:
            return {"type": "command", "command": _as_command(cmd)}
        desc: dict[str, Any] = {"type": "script"}
        pre_filter = self.steps[f"{phase}_pre_filter"]
        if pre_filter is not None:
            desc["pre_filter"] = _as_command(pre_filter)
        return desc

    def description(self, step_num: int = 0) -> dict[str, Any]:
        """The JSON-able description runners receive for this step."""
        desc: dict[str, Any] = {"type": "streaming"}
        # The first step always maps, so the job's input protocol decodes its input.
        if step_num == 0 or self.has_explicit("mapper") or self.has_explicit("combiner"):
            desc["mapper"] = self._render("mapper")
        if self.has_explicit("combiner"):
            desc["combiner"] = self._render("combiner")
        if self.has_explicit("reducer"):
            desc["reducer"] = self._render("reducer")
        if self.steps["mapper_raw"]:
            desc["input_manifest"] = True
        if self.steps["jobconf"]:
            desc["jobconf"] = {str(k): str(v) for k, v in self.steps["jobconf"].items()}
        return desc

    def function(self, name: str) -> Callable[..., Any] | None:
        """The method for ``name`` (e.g. "mapper_init"); the identity for an implicit mapper."""
        func = self.steps.get(name)
        if func is None and name == "mapper" and not self.steps["mapper_raw"]:
            return _identity_mapper
        return func
