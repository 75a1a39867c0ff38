"""Console: plain timestamped lines without a terminal, results on stdout and in the log file."""

from __future__ import annotations

import io
import logging
import re

import pytest

from streamflow.console import Console, TreeNode

TIMESTAMPED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) ")


def test_without_a_terminal_every_line_is_plain_and_timestamped():
    err, out = io.StringIO(), io.StringIO()
    console = Console(stream=err, out=out)
    try:
        console.info("starting")
        with console.progress(2) as progress:
            progress.advance("ran A()")
            progress.advance("FAILED B()", level=logging.ERROR)
        console.warning("careful")
    finally:
        console.close()
    lines = err.getvalue().splitlines()
    assert len(lines) == 4
    assert all(TIMESTAMPED.match(line) for line in lines)
    assert lines[1].endswith("INFO [1/2] ran A()")
    assert lines[2].endswith("ERROR [2/2] FAILED B()")
    assert "\x1b" not in err.getvalue()


def test_log_level_filters_lines():
    err = io.StringIO()
    console = Console(level="WARNING", stream=err, out=io.StringIO())
    console.info("hidden")
    console.error("shown")
    console.close()
    assert "hidden" not in err.getvalue() and "shown" in err.getvalue()


def test_log_file_gets_log_lines_and_printed_results(tmp_path):
    log_file = tmp_path / "run.log"
    out = io.StringIO()
    console = Console(log_file=str(log_file), stream=io.StringIO(), out=out)
    console.info("a log line")
    console.print("Summary: all good")
    console.close()
    assert out.getvalue() == "Summary: all good\n"
    text = log_file.read_text()
    assert "INFO a log line" in text and "INFO Summary: all good" in text


def test_unwritable_log_file_is_a_usage_error(tmp_path):
    with pytest.raises(Exception, match="cannot open log file") as caught:
        Console(log_file=str(tmp_path / "no" / "such" / "dir.log"), stream=io.StringIO())
    assert caught.value.exit_code == 2


def test_a_new_console_replaces_one_never_closed():
    first, second = io.StringIO(), io.StringIO()
    Console(stream=first, out=io.StringIO())
    console = Console(stream=second, out=io.StringIO())
    console.info("once")
    console.close()
    assert first.getvalue() == "" and second.getvalue().count("once") == 1


def test_plain_tree_is_ascii_with_states():
    out = io.StringIO()
    console = Console(stream=io.StringIO(), out=out, fancy=False)
    leaf = TreeNode("Base()", "complete")
    root = TreeNode("Top()", "to run", [TreeNode("Left()", "to run", [leaf]), TreeNode("X()")])
    console.tree([root])
    console.close()
    assert out.getvalue().splitlines() == [
        "Top() (to run)",
        "|-- Left() (to run)",
        "|   `-- Base() (complete)",
        "`-- X()",
    ]


def test_fancy_console_draws_with_rich():
    err, out = io.StringIO(), io.StringIO()
    console = Console(stream=err, out=out, fancy=True)
    with console.progress(1) as progress:
        progress.advance("ran A()")
    console.tree([TreeNode("Top()", "complete")])
    console.close()
    assert "1/1" in err.getvalue()
    assert "Top()" in out.getvalue() and "complete" in out.getvalue()
