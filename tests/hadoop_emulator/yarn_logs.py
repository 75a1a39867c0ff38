"""``yarn logs -applicationId APP [-containerId C] [-log_files a,b]``: aggregated task logs.

Task containers of an emulated YARN job leave ``stderr`` and ``syslog`` under
``$HADOOP_EMULATOR_HOME/yarn-logs/<application>/<container>/``; this prints them in the
layout Hadoop 3 uses. With ``HADOOP_EMULATOR_YARN_LOGS=unavailable`` it fails the way it
does before log aggregation has finished.
"""

from __future__ import annotations

import datetime
import os
import sys

from tests.hadoop_emulator.cluster import Cluster

RULE = "=" * 90
STARS = "*" * 71


def main(cluster: Cluster, args: list[str]) -> int:
    """Print the logs asked for; exit 255 when there are none to show."""
    options: dict[str, str] = {}
    while args:
        if len(args) < 2 or not args[0].startswith("-"):
            sys.stderr.write(f"Invalid arguments: {' '.join(args)}\n")
            return 255
        options[args[0][1:]] = args[1]
        del args[:2]
    app = options.get("applicationId")
    if not app:
        sys.stderr.write("ApplicationId cannot be null!\n")
        return 255
    app_dir = cluster.home / "yarn-logs" / app
    if os.environ.get("HADOOP_EMULATOR_YARN_LOGS") == "unavailable" or not app_dir.is_dir():
        sys.stderr.write(
            f"File /tmp/logs/{cluster.user}/logs-tfile/{app} does not exist.\n"
            "Can not find any log file matching the pattern: [ALL] "
            f"for the application: {app}\n"
            "Can not find the logs for the application: "
            f"{app} with the appOwner: {cluster.user}\n"
        )
        return 255
    wanted = options.get("log_files", "ALL").split(",")
    containers = sorted(os.listdir(app_dir))
    if "containerId" in options:
        containers = [c for c in containers if c == options["containerId"]]
    out = sys.stdout
    for container in containers:
        out.write(f"Container: {container} on emulated-nm_45454\n")
        out.write("LogAggregationType: AGGREGATED\n")
        out.write(f"{RULE}\n")
        for log_type in sorted(os.listdir(app_dir / container)):
            if "ALL" not in wanted and log_type not in wanted:
                continue
            path = app_dir / container / log_type
            contents = path.read_text(encoding="utf-8", errors="replace")
            modified = datetime.datetime.fromtimestamp(path.stat().st_mtime)
            out.write(f"LogType:{log_type}\n")
            out.write(f"LogLastModifiedTime:{modified:%a %b %d %H:%M:%S %z %Y}\n")
            out.write(f"LogLength:{len(contents.encode())}\n")
            out.write(f"LogContents:\n{contents}\n")
            out.write(f"End of LogType:{log_type}\n{STARS}\n\n")
    return 0
