"""Runners by name: "inline" (in-process), "local" (all cores), "hadoop" (Hadoop Streaming)."""

from __future__ import annotations

import importlib
from typing import Any

from streamflow.errors import UsageError
from streamflow.mr.runners.base import JobSpec, Runner

__all__ = ["JobSpec", "Runner", "make_runner", "runner_class"]

_RUNNERS = {
    "inline": ("streamflow.mr.runners.inline", "InlineRunner"),
    "local": ("streamflow.mr.runners.local", "LocalRunner"),
    "hadoop": ("streamflow.mr.runners.hadoop", "HadoopRunner"),
}


def runner_class(name: str) -> type[Runner]:
    """The runner class called ``name``; its module is imported only now."""
    try:
        module_name, class_name = _RUNNERS[name]
    except KeyError:
        raise UsageError(
            f"unknown runner {name!r}", hint=f"use one of: {', '.join(_RUNNERS)}"
        ) from None
    return getattr(importlib.import_module(module_name), class_name)


def runner_options(name: str, options: Any) -> dict[str, Any]:
    """The keyword options runner ``name`` takes, from a job's parsed command line."""
    common = {"tmp_dir": options.tmp_dir}
    if name == "inline":
        return {**common, "shuffle_memory_mb": options.shuffle_memory_mb}
    if name == "local":
        return {
            **common,
            "shuffle_memory_mb": options.shuffle_memory_mb,
            "num_cores": options.num_cores,
            "python_bin": options.python_bin,
        }
    return {
        **common,
        "python_bin": options.python_bin,
        "hadoop_bin": options.hadoop_bin,
        "streaming_jar": options.hadoop_streaming_jar,
        "hadoop_tmp_dir": options.hadoop_tmp_dir,
        "keep_tmp": options.keep_tmp,
    }


def make_runner(job: Any) -> Runner:
    """A runner for ``job`` (an MRJob instance) as its command-line options ask."""
    name = job.options.runner
    cls = runner_class(name)
    options = runner_options(name, job.options)
    # The job's own stdin, so that "-" inputs work in a sandbox too.
    options["stdin"] = job.stdin
    if name == "inline":
        options["job_class"] = type(job)
    return cls(job.job_spec(), **options)
