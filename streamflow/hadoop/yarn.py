"""The two ``yarn`` commands the Hadoop runner needs: a failed task's logs, and killing a job
whose client was interrupted (on YARN a job outlives its client)."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Mapping

from streamflow.fs.hadoop_cli import messages
from streamflow.hadoop.output import find_container_traceback

log = logging.getLogger("streamflow.mr")

__all__ = ["fetch_task_traceback", "kill_application"]

LOGS_TIMEOUT_SECONDS = 300
KILL_TIMEOUT_SECONDS = 60


def fetch_task_traceback(
    yarn_bin: str, application: str, env: Mapping[str, str]
) -> tuple[str, str] | str:
    """(container id, traceback) from the application's aggregated task stderr, or the
    reason it could not be had."""
    argv = [yarn_bin, "logs", "-applicationId", application, "-log_files", "stderr"]
    try:
        fetched = subprocess.run(
            argv, capture_output=True, env=dict(env), timeout=LOGS_TIMEOUT_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if fetched.returncode != 0:
        said = messages(fetched.stderr)
        return said[-1] if said else f"yarn logs exited {fetched.returncode}"
    found = find_container_traceback(fetched.stdout.decode("utf-8", "replace"))
    return found or "its task logs hold no Python traceback"


def kill_application(yarn_bin: str, application: str, env: Mapping[str, str]) -> None:
    """``yarn application -kill``; a failure is logged with the command to run by hand."""
    log.warning("killing the YARN application %s", application)
    argv = [yarn_bin, "application", "-kill", application]
    try:
        subprocess.run(
            argv, capture_output=True, env=dict(env), timeout=KILL_TIMEOUT_SECONDS, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning(
            "could not kill %s (%s); kill it with: yarn application -kill %s",
            application,
            exc,
            application,
        )
