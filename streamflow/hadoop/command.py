"""The ``hadoop jar <streaming jar>`` command line of one step, quoted for Hadoop 3.

Generic options (``-D``, ``-files``, ``-archives``) come first: Hadoop's GenericOptionsParser
takes them off the front, and Streaming's own parser rejects any it meets later. Task
commands are split by Streaming itself (on spaces, honouring '...' and "...", no escapes,
no shell), so each word is quoted for that, and commands it cannot carry go through ``sh -c``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from streamflow.errors import UsageError
from streamflow.hadoop.shipping import CODE_ZIP
from streamflow.mr.harness import combines_in_mapper
from streamflow.mr.runners.base import JobSpec

__all__ = [
    "hadoop_quote",
    "sh_quote",
    "shell_command",
    "streaming_command",
    "task_command",
]

KEY_FIELD_PARTITIONER = "org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner"


def hadoop_quote(word: str) -> str:
    """Quote one word of a task command for Hadoop Streaming, which splits on spaces and
    honours '...' and "..." but no backslash escapes (and runs no shell)."""
    if word and not re.search(r"[\s'\"]", word):
        return word
    if "'" not in word:
        return f"'{word}'"
    if '"' not in word:
        return f'"{word}"'
    raise UsageError(
        f"the argument {word!r} holds both kinds of quote, which Hadoop Streaming cannot pass",
        hint="avoid mixing ' and \" in job arguments and commands run on Hadoop",
    )


def sh_quote(word: str) -> str:
    """Quote a word for ``sh`` with single quotes only, so the script can still be passed
    through Streaming's '...' or "..." quoting (shlex.quote may use both kinds)."""
    if word and re.fullmatch(r"[\w@%+=:,./-]+", word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def shell_command(command: str) -> str:
    """``sh -c COMMAND`` quoted for Streaming, for pipes and other shell syntax."""
    return f"sh -c {hadoop_quote(command)}"


def task_command(words: Sequence[str]) -> str:
    """A task command for Streaming: plain words when Streaming's splitting keeps them, else
    through ``sh -c`` (Streaming drops an empty word: ``''`` splits to nothing)."""
    if all(words):
        return " ".join(hadoop_quote(word) for word in words)
    return shell_command(" ".join(sh_quote(word) for word in words))


def streaming_command(
    spec: JobSpec,
    num: int,
    *,
    hadoop_bin: str,
    streaming_jar: str,
    python_bin: str,
    inputs: Sequence[str],
    output: str,
    files: Sequence[str],
    archives: Sequence[str],
) -> list[str]:
    """``hadoop jar JAR`` + generic options (-D, -files, -archives) + streaming options for
    step ``num``; ``files`` and ``archives`` are shipping.resource_uri() entries."""
    desc = spec.steps[num]
    last = num == len(spec.steps) - 1
    jobconf = {**spec.jobconf, **desc.get("jobconf", {})}
    if spec.sort_values:
        jobconf.setdefault("stream.num.map.output.key.fields", "2")
        jobconf.setdefault("mapreduce.partition.keypartitioner.options", "-k1,1")
    jobconf.setdefault(
        "mapreduce.job.name", f"streamflow {spec.job_name} step {num + 1} of {len(spec.steps)}"
    )
    generic = [arg for key, value in jobconf.items() for arg in ("-D", f"{key}={value}")]
    generic += ["-files", ",".join(files)]
    if archives:
        generic += ["-archives", ",".join(archives)]

    streaming: list[str] = []
    for path in inputs:
        streaming += ["-input", path]
    streaming += ["-output", output]
    if spec.hadoop_input_format and num == 0:
        streaming += ["-inputformat", spec.hadoop_input_format]
    if spec.hadoop_output_format and last:
        streaming += ["-outputformat", spec.hadoop_output_format]
    partitioner = spec.partitioner or (KEY_FIELD_PARTITIONER if spec.sort_values else None)
    if partitioner:
        streaming += ["-partitioner", partitioner]

    def substep(phase: str) -> str | None:
        return _substep_command(spec, num, phase, python_bin)

    streaming += ["-mapper", substep("mapper") or "cat"]
    if desc.get("combiner") and not combines_in_mapper(desc):
        # (When both are Python, the mapper task has already combined its output.)
        streaming += ["-combiner", substep("combiner") or "cat"]
    if desc.get("reducer"):
        streaming += ["-reducer", substep("reducer") or "cat"]
    elif desc.get("combiner"):
        streaming += ["-reducer", "cat"]
    else:
        streaming += ["-numReduceTasks", "0"]
    streaming += ["-cmdenv", f"PYTHONPATH={CODE_ZIP}"]
    return [hadoop_bin, "jar", streaming_jar, *generic, *streaming]


def _substep_command(spec: JobSpec, num: int, phase: str, python_bin: str) -> str | None:
    """The task command of one phase: the harness, a shell command, or None (identity)."""
    sub = spec.steps[num].get(phase)
    if sub is None:
        return None
    if sub["type"] == "command":
        return shell_command(sub["command"])
    words = [
        python_bin,
        "-m",
        "streamflow.mr.harness",
        spec.job_name,
        "--step-num",
        str(num),
        f"--{phase}",
        *spec.task_args,
    ]
    if "pre_filter" in sub:
        python = " ".join(sh_quote(word) for word in words)
        return shell_command(f"{sub['pre_filter']} | {python}")
    return task_command(words)
