"""Entry points of the ``hadoop`` and ``yarn`` executables: record argv, then dispatch."""

from __future__ import annotations

import os
import sys

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


# What real installations print on stderr before every command: the launcher script's
# warnings, the JVM's, and SLF4J's complaint about two logging bindings on the classpath.
NOISE = """WARNING: HADOOP_PREFIX has been replaced by HADOOP_HOME. Using value of HADOOP_PREFIX.
Picked up _JAVA_OPTIONS: -Xmx512m
SLF4J: Class path contains multiple SLF4J bindings.
SLF4J: Found binding in [jar:file:/opt/hadoop/slf4j-reload4j-1.7.36.jar!/StaticLoggerBinder.class]
SLF4J: Found binding in [jar:file:/opt/tez/lib/slf4j-log4j12-1.7.10.jar!/StaticLoggerBinder.class]
SLF4J: See http://www.slf4j.org/codes.html#multiple_bindings for an explanation.
SLF4J: Actual binding is of type [org.slf4j.impl.Reload4jLoggerFactory]
log4j:WARN No appenders could be found for logger (org.apache.hadoop.util.Shell).
"""


def _start(program: str, argv: list[str]) -> Cluster:
    cluster = Cluster.from_env()
    cluster.record_argv([program, *argv])
    if os.environ.get("HADOOP_EMULATOR_NOISE"):
        sys.stderr.write(NOISE)
        sys.stderr.flush()
    return cluster


def hadoop_main(argv: list[str]) -> int:
    """``hadoop [--config DIR] [--loglevel LEVEL] fs|jar|version ...``."""
    cluster = _start("hadoop", argv)
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
        from tests.hadoop_emulator import streaming

        return streaming.run_jar(cluster, rest)
    if command in ("fs", "dfs"):
        try:
            generic, rest = parse_generic(rest)
        except OptionError as exc:
            sys.stderr.write(f"{exc}\n")
            return 255
        if "fs.defaultFS" in generic.conf:
            cluster.default_fs = generic.conf["fs.defaultFS"].rstrip("/")
        from tests.hadoop_emulator import fs_shell

        return fs_shell.main(cluster, rest)
    sys.stderr.write(f"ERROR: {command} is not COMMAND nor fully qualified CLASSNAME.\n")
    sys.stderr.write(HADOOP_USAGE)
    return 1


def yarn_main(argv: list[str]) -> int:
    """``yarn logs ...`` and ``yarn application -kill APP`` (what streamflow uses)."""
    cluster = _start("yarn", argv)
    if argv[:2] == ["application", "-kill"] and len(argv) == 3:
        # Jobs run inside the emulated client, so killing the client already stopped it.
        sys.stdout.write(f"Killing application {argv[2]}\n")
        return 0
    if argv[:1] != ["logs"]:
        sys.stderr.write(
            "Usage: yarn [OPTIONS] SUBCOMMAND\n  (the emulator only has: logs, application -kill)\n"
        )
        return 1
    from tests.hadoop_emulator import yarn_logs

    return yarn_logs.main(cluster, argv[1:])
