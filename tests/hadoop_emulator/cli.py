"""Entry points of the ``hadoop`` and ``yarn`` executables: record argv, then dispatch."""

from __future__ import annotations

import sys

from tests.hadoop_emulator import fs_shell, streaming, yarn_logs
from tests.hadoop_emulator.cluster import Cluster
from tests.hadoop_emulator.options import OptionError, parse_generic

HADOOP_USAGE = """Usage: hadoop [OPTIONS] SUBCOMMAND [SUBCOMMAND OPTIONS]
  SUBCOMMAND is one of:
    fs       run a generic filesystem user client
    jar      run a jar file
    version  print the version
"""

VERSION = """Hadoop 3.3.6
Source code repository https://github.com/apache/hadoop.git -r \
1be78238728da9266a4f88195058f08fd012bf9c
Compiled by emulator on 2023-06-18T08:22Z
Compiled with protoc 3.7.1
From source with checksum 00000000000000000000000000000000
This command was run using /opt/hadoop/share/hadoop/common/hadoop-common-3.3.6.jar
"""


def hadoop_main(argv: list[str]) -> int:
    """``hadoop [--config DIR] [--loglevel LEVEL] fs|jar|version ...``."""
    cluster = Cluster.from_env()
    cluster.record_argv(["hadoop", *argv])
    args = list(argv)
    while args and args[0] in ("--config", "--loglevel"):
        del args[:2]
    if not args:
        sys.stderr.write(HADOOP_USAGE)
        return 1
    command, rest = args[0], args[1:]
    if command == "version":
        sys.stdout.write(VERSION)
        return 0
    if command == "jar":
        return streaming.run_jar(cluster, rest)
    if command in ("fs", "dfs"):
        try:
            generic, rest = parse_generic(rest)
        except OptionError as exc:
            sys.stderr.write(f"{exc}\n")
            return 255
        if "fs.defaultFS" in generic.conf:
            cluster.default_fs = generic.conf["fs.defaultFS"].rstrip("/")
        return fs_shell.main(cluster, rest)
    sys.stderr.write(f"ERROR: {command} is not COMMAND nor fully qualified CLASSNAME.\n")
    sys.stderr.write(HADOOP_USAGE)
    return 1


def yarn_main(argv: list[str]) -> int:
    """``yarn logs ...`` (the only yarn command streamflow uses)."""
    cluster = Cluster.from_env()
    cluster.record_argv(["yarn", *argv])
    if argv[:1] != ["logs"]:
        sys.stderr.write("Usage: yarn [OPTIONS] SUBCOMMAND\n  (the emulator only has: logs)\n")
        return 1
    return yarn_logs.main(cluster, argv[1:])
