"""Reading Hadoop's client output: tracebacks among log lines, counters, container logs."""

from __future__ import annotations

from streamflow.hadoop.output import extract_traceback

LOG = "2024-06-01 10:00:0{} INFO mapreduce.Job:  map 0% reduce 0%"


def test_hadoop_log_lines_inside_a_traceback_are_left_out():
    # The client's progress thread may log between the lines a task writes to stderr.
    lines = [
        LOG.format(1),
        "streamflow: mapper of step 1 of 1 failed at line 2",
        "Traceback (most recent call last):",
        '  File "job.py", line 9, in mapper',
        LOG.format(2),
        "    raise ValueError(line)",
        "ValueError: boom",
        LOG.format(3),
    ]
    assert extract_traceback(lines) == "\n".join(
        [
            "streamflow: mapper of step 1 of 1 failed at line 2",
            "Traceback (most recent call last):",
            '  File "job.py", line 9, in mapper',
            "    raise ValueError(line)",
            "ValueError: boom",
        ]
    )


def test_without_a_traceback_nothing_is_extracted():
    assert extract_traceback([LOG.format(1), "usage: job.py [-h]", "error: bad option"]) == ""
