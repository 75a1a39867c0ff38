"""Finding the ``hadoop`` and ``yarn`` commands and the Hadoop Streaming jar.

Each search says, when it fails, every place it looked and how to point streamflow at the
right file.
"""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from streamflow.config import HadoopConfig
from streamflow.errors import ConfigError

__all__ = ["find_hadoop_bin", "find_streaming_jar", "find_yarn_bin"]

# Where distributions put the streaming jar, relative to a Hadoop home.
_JAR_PLACES = (
    "share/hadoop/tools/lib",
    "contrib/streaming",
    "",
    "lib",
)
_DISTRIBUTION_HOMES = (
    "/usr/lib/hadoop-mapreduce",
    "/usr/hdp/current/hadoop-mapreduce-client",
    "/opt/cloudera/parcels/CDH/lib/hadoop-mapreduce",
    "/usr/lib/hadoop",
    "/usr/local/hadoop",
    "/opt/hadoop",
)


def find_hadoop_bin(config: HadoopConfig, env: Mapping[str, str] | None = None) -> str:
    """The ``hadoop`` executable: ``hadoop_bin`` from config, ``$HADOOP_HOME/bin``, PATH."""
    env = os.environ if env is None else env
    searched = []
    if config.hadoop_bin:
        if os.access(config.hadoop_bin, os.X_OK) and os.path.isfile(config.hadoop_bin):
            return config.hadoop_bin
        found = shutil.which(config.hadoop_bin, path=env.get("PATH"))
        if found:
            return found
        raise ConfigError(
            f"[hadoop] hadoop_bin is {config.hadoop_bin!r}, which is not an executable file",
            hint="set it to the full path of the hadoop command, or leave it empty to search",
        )
    for variable in ("HADOOP_HOME", "HADOOP_PREFIX"):
        home = env.get(variable)
        if home:
            candidate = os.path.join(home, "bin", "hadoop")
            searched.append(f"${variable}/bin/hadoop ({candidate})")
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    found = shutil.which("hadoop", path=env.get("PATH"))
    if found:
        return found
    searched.append("every directory on PATH")
    raise ConfigError(
        f"cannot find the hadoop command; looked in {', '.join(searched)}",
        hint="set HADOOP_HOME, put hadoop on PATH, or set [hadoop] hadoop_bin "
        "(STREAMFLOW_HADOOP_HADOOP_BIN)",
    )


def find_streaming_jar(
    configured: str, hadoop_bin: str, env: Mapping[str, str] | None = None
) -> str:
    """The streaming jar: configured, ``$HADOOP_STREAMING_JAR``, else the usual places."""
    env = os.environ if env is None else env
    for origin, value in (
        ("[hadoop] streaming_jar", configured),
        ("HADOOP_STREAMING_JAR", env.get("HADOOP_STREAMING_JAR", "")),
    ):
        if value:
            if os.path.isfile(value):
                return value
            raise ConfigError(
                f"{origin} is {value!r}, which is not a file",
                hint="point it at hadoop-streaming-<version>.jar, or unset it to search",
            )
    homes = [env[v] for v in ("HADOOP_HOME", "HADOOP_PREFIX", "HADOOP_MAPRED_HOME") if env.get(v)]
    homes.append(str(Path(os.path.realpath(hadoop_bin)).parent.parent))
    homes.extend(_DISTRIBUTION_HOMES)
    searched = []
    for home in dict.fromkeys(homes):
        for place in _JAR_PLACES:
            directory = os.path.join(home, place) if place else home
            searched.append(directory)
            jars = [
                jar
                for jar in glob.glob(os.path.join(directory, "hadoop-streaming*.jar"))
                if not jar.endswith(("-sources.jar", "-tests.jar", "-test-sources.jar"))
            ]
            if jars:
                return sorted(jars)[-1]
    raise ConfigError(
        "cannot find the Hadoop streaming jar (hadoop-streaming*.jar); looked in "
        + ", ".join(searched),
        hint="set HADOOP_STREAMING_JAR or [hadoop] streaming_jar "
        "(STREAMFLOW_HADOOP_STREAMING_JAR) to its path",
    )


def find_yarn_bin(hadoop_bin: str, env: Mapping[str, str]) -> str:
    """``yarn`` next to ``hadoop``, else on PATH (else the bare name, for the error)."""
    yarn = os.path.join(os.path.dirname(hadoop_bin), "yarn")
    if os.path.exists(yarn):
        return yarn
    return shutil.which("yarn", path=env.get("PATH")) or "yarn"
