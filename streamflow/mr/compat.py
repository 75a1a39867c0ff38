"""Reading the job configuration a task sees, as Hadoop Streaming exports it to the environment.

Standard library only (runs on cluster nodes).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

__all__ = ["jobconf_from_env", "translate_jobconf"]

# Hadoop 1 names and their Hadoop 2+ equivalents, both directions; the commonly read ones.
_OLD_TO_NEW = {
    "map.input.file": "mapreduce.map.input.file",
    "map.input.start": "mapreduce.map.input.start",
    "map.input.length": "mapreduce.map.input.length",
    "mapred.task.partition": "mapreduce.task.partition",
    "mapred.task.id": "mapreduce.task.attempt.id",
    "mapred.tip.id": "mapreduce.task.id",
    "mapred.job.id": "mapreduce.job.id",
    "mapred.task.is.map": "mapreduce.task.ismap",
    "mapred.map.tasks": "mapreduce.job.maps",
    "mapred.reduce.tasks": "mapreduce.job.reduces",
    "mapred.work.output.dir": "mapreduce.task.output.dir",
    "mapred.output.dir": "mapreduce.output.fileoutputformat.outputdir",
    "mapred.local.dir": "mapreduce.cluster.local.dir",
    "mapred.job.name": "mapreduce.job.name",
    "io.sort.mb": "mapreduce.task.io.sort.mb",
}
_EQUIVALENTS = {**_OLD_TO_NEW, **{new: old for old, new in _OLD_TO_NEW.items()}}
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]")


def env_name(name: str) -> str:
    """The environment variable Hadoop Streaming uses for jobconf ``name``."""
    return _NON_ALNUM.sub("_", name)


def translate_jobconf(name: str) -> str | None:
    """The other Hadoop version's name for ``name``, when there is one."""
    return _EQUIVALENTS.get(name)


def jobconf_from_env(
    variable: str, default: str | None = None, env: Mapping[str, str] | None = None
) -> str | None:
    """The value of jobconf ``variable`` in this task (e.g. "mapreduce.map.input.file")."""
    env = os.environ if env is None else env
    names = [variable]
    other = translate_jobconf(variable)
    if other:
        names.append(other)
    for name in names:
        for candidate in (env_name(name), name):
            if candidate in env:
                return env[candidate]
    return default
