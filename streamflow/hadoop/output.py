"""Reading what ``hadoop jar`` and ``yarn logs`` print: progress, counters, ids and the
Python traceback of a failed task among Hadoop's own log lines."""

from __future__ import annotations

import re
from collections.abc import Sequence

from streamflow.fs.hadoop_cli import is_log_noise
from streamflow.mr.runners.base import Counters

__all__ = [
    "application_id",
    "extract_traceback",
    "failed_attempts",
    "find_container_traceback",
    "launch_errors",
    "parse_counters",
    "progress",
    "tracking_url",
]

_PROGRESS = re.compile(r"\bmap \d+% reduce \d+%")
_ATTEMPT = re.compile(r"Task Id : (attempt_\S+), Status : FAILED")
_APPLICATION = re.compile(r"Submitted application (application_\d+_\d+)")
_TRACKING = re.compile(r"The url to track the job: (\S+)")
_LAUNCH_ERROR = re.compile(r"ERROR streaming\.StreamJob: (.*)")
_COUNTERS = re.compile(r"\bCounters: \d+$")
_TRACEBACK_START = "Traceback (most recent call last):"
_CHAINED = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)


def progress(line: str) -> str | None:
    """``map 40% reduce 0%`` when the line reports progress."""
    found = _PROGRESS.search(line)
    return found.group(0) if found else None


def application_id(text: str) -> str | None:
    """The YARN application the job was submitted as (None with the local job runner)."""
    found = _APPLICATION.search(text)
    return found.group(1) if found else None


def failed_attempts(text: str) -> list[str]:
    """The task attempt ids YARN reported as FAILED, in order."""
    return _ATTEMPT.findall(text)


def tracking_url(text: str) -> str | None:
    """The job's tracking URL (the ResourceManager's page for it)."""
    found = _TRACKING.search(text)
    return found.group(1) if found else None


def launch_errors(lines: Sequence[str]) -> list[str]:
    """What Streaming logged as ERROR while starting (or failing) the job."""
    return [m.group(1) for m in map(_LAUNCH_ERROR.search, lines) if m]


def parse_counters(lines: Sequence[str]) -> Counters:
    """Counters from Hadoop's ``Counters: N`` block (group lines one tab in, counters two)."""
    counters: Counters = {}
    group = None
    inside = False
    for line in lines:
        if _COUNTERS.search(line):
            counters, group, inside = {}, None, True
            continue
        if not inside:
            continue
        if line.startswith("\t\t") and group is not None:
            name, _, value = line.strip().rpartition("=")
            try:
                counters.setdefault(group, {})[name] = int(value)
            except ValueError:
                continue
        elif line.startswith("\t"):
            group = line.strip()
        else:
            inside = False
    return counters


def extract_traceback(lines: Sequence[str]) -> str:
    """The first Python traceback in task stderr mixed with Hadoop's log lines, with the
    exceptions chained to it and the harness's "streamflow: ... failed" line before it."""
    lines = [line for line in lines if not is_log_noise(line)]
    for start, line in enumerate(lines):
        if line.startswith(_TRACEBACK_START):
            end = _traceback_end(lines, start)
            # "During handling ..." / "The above exception ...": the later exceptions too.
            while lines[end + 1 : end + 4 : 2] == ["", ""] and lines[end + 2] in _CHAINED:
                if not lines[end + 4 : end + 5] or not lines[end + 4].startswith(_TRACEBACK_START):
                    break
                end = _traceback_end(lines, end + 4)
            if start > 0 and lines[start - 1].startswith("streamflow: "):
                start -= 1
            return "\n".join(lines[start : end + 1])
    return ""


def _traceback_end(lines: Sequence[str], start: int) -> int:
    """Index of the exception line (the first one not indented) ending a traceback."""
    for index in range(start + 1, len(lines)):
        if lines[index] and not lines[index].startswith((" ", "\t")):
            return index
    return len(lines) - 1


def find_container_traceback(logs: str) -> tuple[str, str] | None:
    """(container id, traceback) of the last container whose stderr holds a traceback."""
    found = None
    for chunk in re.split(r"^Container: ", logs, flags=re.MULTILINE)[1:]:
        container = chunk.split(None, 1)[0]
        traceback = extract_traceback(chunk.splitlines())
        if traceback:
            found = (container, traceback)
    return found
