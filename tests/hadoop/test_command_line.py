"""Pieces of the ``hadoop jar`` command line, checked against how Hadoop reads them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from streamflow.errors import UsageError
from streamflow.hadoop.command import hadoop_quote, task_command
from streamflow.hadoop.shipping import resource_uri
from streamflow.target import temporary_sibling
from tests.hadoop_emulator.options import parse_resource, split_command

PRINT_ARGS = "import json, sys; print(json.dumps(sys.argv[1:]))"


@pytest.mark.parametrize(
    "args",
    [
        ["jobs.wc:WC", "--step-num", "0", "--mapper"],
        ["--name", "it's mine", "--quote", 'say "hi"', "--tab", "a\tb", "--star", "*"],
        ["--prefix", "", "--next", "x"],
        ["--prefix", "", "--name", "it's", "--dollar", "$HOME"],
    ],
)
def test_task_commands_reach_the_task_as_the_same_arguments(args):
    # Split as Hadoop Streaming splits a -mapper string, then run without a shell, as it does.
    argv = split_command(task_command([sys.executable, "-c", PRINT_ARGS, *args]))
    shown = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    assert json.loads(shown) == args


def test_an_argument_with_both_kinds_of_quote_is_a_usage_error():
    with pytest.raises(UsageError, match="both kinds of quote"):
        hadoop_quote("""it's "this" one""")


@pytest.mark.parametrize(
    ("path", "name"),
    [("/tmp/look up, 100%/table v1.txt", "table v1.txt"), ("/srv/ünï/data.txt", "dåta.txt")],
)
def test_shipped_resources_survive_hadoops_uri_parsing(path, name):
    assert parse_resource(resource_uri(path, name)) == (path, name)


@pytest.mark.parametrize(
    ("output", "directory"),
    [
        ("/out", "/"),
        ("a/out/", "a/"),
        ("out", ""),
        ("hdfs://nn:8020/data/out", "hdfs://nn:8020/data/"),
    ],
)
def test_temporary_output_is_in_the_outputs_own_directory(output, directory):
    temp = temporary_sibling(output)
    assert temp.startswith(f"{directory}.out.tmp-")
    assert "/" not in temp[len(directory) :]
