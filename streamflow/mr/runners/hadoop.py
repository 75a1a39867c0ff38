"""The Hadoop runner: each step a Hadoop Streaming job, reading and writing the cluster's FS.

Per run it ships the job's code (``streamflow.hadoop.shipping``), uploads local inputs to a
scratch directory, runs one ``hadoop jar <streaming jar>`` per step (steps chain through
scratch directories; ``streamflow.hadoop.command`` builds the command line), streams
Hadoop's progress, parses its counters, and moves the last step's output into place only
when it is complete. Paths without a scheme mean what Hadoop says they mean: the cluster's
``fs.defaultFS``, whatever that is. On failure it shows the Python traceback of the task
that failed, found in Hadoop's stderr (local job runner) or in ``yarn logs`` (YARN).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from streamflow.config import HadoopConfig
from streamflow.errors import JobError, MissingInput, StreamflowError, UsageError
from streamflow.fs.hadoop_cli import HadoopCliFileSystem, messages
from streamflow.fs.local import strip_file_scheme
from streamflow.hadoop.command import hadoop_quote, streaming_command
from streamflow.hadoop.install import find_hadoop_bin, find_streaming_jar, find_yarn_bin
from streamflow.hadoop.output import (
    application_id,
    extract_traceback,
    failed_attempts,
    launch_errors,
    parse_counters,
    progress,
    tracking_url,
)
from streamflow.hadoop.shipping import job_resources
from streamflow.hadoop.yarn import fetch_task_traceback, kill_application
from streamflow.mr.runners.base import Counters, JobSpec, Runner, expand_inputs
from streamflow.target import temporary_sibling

log = logging.getLogger("streamflow.mr")

__all__ = ["HadoopRunner", "find_streaming_jar", "hadoop_quote"]

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_GLOB = re.compile(r"[*?\[{]")


@dataclass
class StepResult:
    """What one ``hadoop jar`` run printed, parsed."""

    argv: list[str]
    returncode: int = 0
    lines: list[str] = field(default_factory=list)
    counters: Counters = field(default_factory=dict)


class HadoopRunner(Runner):
    """Runs every step as a Hadoop Streaming job; paths are on the cluster's filesystem."""

    name = "hadoop"

    def __init__(
        self,
        spec: JobSpec,
        *,
        tmp_dir: str | None = None,
        python_bin: str | None = None,
        hadoop_bin: str | None = None,
        streaming_jar: str | None = None,
        hadoop_tmp_dir: str | None = None,
        keep_tmp: bool | None = None,
        config: HadoopConfig | None = None,
        env: Mapping[str, str] | None = None,
        stdin: BinaryIO | None = None,
    ) -> None:
        super().__init__(spec, tmp_dir=tmp_dir)
        self.stdin = stdin
        if config is None:
            from streamflow.config import load_config

            config = load_config().hadoop
        self.env = dict(os.environ if env is None else env)
        self.python_bin = python_bin or config.python_bin
        self.hadoop_bin = find_hadoop_bin(
            HadoopConfig(hadoop_bin=hadoop_bin or config.hadoop_bin), self.env
        )
        self.streaming_jar = find_streaming_jar(
            streaming_jar or config.streaming_jar, self.hadoop_bin, self.env
        )
        self.keep_tmp = config.keep_tmp if keep_tmp is None else keep_tmp
        self.fs = HadoopCliFileSystem(self.hadoop_bin, env=self.env)
        stamp = time.strftime("%Y%m%d.%H%M%S")
        job = spec.job_name.split(":")[-1].lower()
        base = (hadoop_tmp_dir or config.tmp_dir).rstrip("/")
        self.cluster_scratch = f"{base}/{job}.{stamp}.{uuid.uuid4().hex[:8]}"
        self._scratch_created = False

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> None:
        """Check inputs and output on the cluster, then run every step."""
        if self._ran:
            raise UsageError("this runner has already run its job; make a new runner")
        if not self.spec.steps:
            raise UsageError(f"job {self.spec.job_name} has no steps")
        final = self.output_dir or f"{self.cluster_scratch}/output"
        local_inputs, cluster_inputs = self._classify_inputs()
        self._scratch_created = True  # from here on cleanup() removes it (-f: if it exists)
        inputs = cluster_inputs + self._upload(local_inputs)
        files, archives = job_resources(self.spec, self.scratch_dir)
        temp_output = temporary_sibling(final)
        try:
            for num, desc in enumerate(self.spec.steps):
                last = num == len(self.spec.steps) - 1
                output = temp_output if last else f"{self.cluster_scratch}/step-{num + 1}"
                if desc.get("input_manifest"):
                    inputs = self._manifest(inputs, num)
                argv = streaming_command(
                    self.spec,
                    num,
                    hadoop_bin=self.hadoop_bin,
                    streaming_jar=self.streaming_jar,
                    python_bin=self.python_bin,
                    inputs=inputs,
                    output=output,
                    files=files,
                    archives=archives,
                )
                result = self._run_step(num, argv)
                self._counters.append(result.counters)
                if result.returncode != 0:
                    raise self._step_error(num, result, inputs)
                inputs = [output]
            self._commit(temp_output, final)
        except BaseException:
            self._remove_quietly(temp_output)
            raise
        self.output_dir = final
        self._ran = True
        log.info("job %s finished; output in %s", self.spec.job_name, final)

    def _commit(self, temp_output: str, final: str) -> None:
        try:
            self.fs.rename(temp_output, final)
        except FileExistsError:
            raise JobError(
                f"could not move the finished output to {final}: it appeared while the job ran",
                hint="another run may have created it meanwhile; remove it and rerun",
            ) from None

    def _remove_quietly(self, path: str) -> None:
        """Delete a cluster path; a failure is logged, never raised over the job's own error."""
        try:
            self.fs.delete(path, recursive=True)
        except Exception as exc:
            log.warning("could not remove %s: %s", path, exc)

    # -- inputs ---------------------------------------------------------------------------

    def _classify_inputs(self) -> tuple[list[str], list[str]]:
        """(local files to upload, paths already on the cluster); missing ones are an error.

        A path with a scheme other than ``file://`` is the cluster's. A scheme-less path that
        exists here is local (uploaded); otherwise Hadoop resolves it on ``fs.defaultFS``.
        """
        local, remote, unknown = [], [], []
        for path in self.spec.input_paths:
            if path == "-":
                local.append(path)
            elif path.startswith("file://"):
                local.append(strip_file_scheme(path))
            elif _SCHEME.match(path):
                remote.append(path)
            elif os.path.exists(path):
                local.append(path)
            else:
                unknown.append(path)
        checks = remote + unknown
        # One listing answers both: is the output free, and do the cluster inputs exist?
        output = [self.output_dir] if self.output_dir else []
        kinds = self.fs.kinds(output + checks)
        if output and kinds[0] is not None:
            raise JobError(
                f"output directory {self.output_dir} already exists on the cluster",
                hint="remove it (hadoop fs -rm -r) or choose another output; "
                "jobs never overwrite output",
            )
        kinds = kinds[len(output) :]
        missing = [p for p, kind in zip(checks, kinds) if kind is None and not _GLOB.search(p)]
        if missing:
            raise MissingInput(
                f"input path(s) not found here or on the cluster: {', '.join(missing)}",
                hint="check the paths; scheme-less paths are looked up locally, then on the "
                "cluster's default filesystem",
            )
        return local, checks

    def _upload(self, paths: Sequence[str]) -> list[str]:
        """Copy local inputs into the scratch directory, one ``-put`` per batch of unique
        names (Hadoop picks the codec by file extension, so names are kept)."""
        if not paths:
            return []
        files = [self._stdin_file() if p == "-" else p for p in expand_inputs(list(paths))]
        batches: list[list[str]] = []
        for path in files:
            name = os.path.basename(path)
            batch = next((b for b in batches if name not in map(os.path.basename, b)), None)
            if batch is None:
                batch = []
                batches.append(batch)
            batch.append(path)
        uploaded = [f"{self.cluster_scratch}/input/{n}" for n in range(len(batches))]
        self.fs.run("-mkdir", "-p", *uploaded)
        for directory, batch in zip(uploaded, batches):
            log.info("uploading %d input file(s) to %s", len(batch), directory)
            self.fs.put(batch, directory)
        return uploaded

    def _stdin_file(self) -> str:
        path = os.path.join(self.scratch_dir, "stdin")
        with open(path, "wb") as out:
            if self.stdin is not None:
                shutil.copyfileobj(self.stdin, out)
        return path

    def _manifest(self, inputs: list[str], num: int) -> list[str]:
        """For ``mapper_raw`` steps: one manifest file (one line, the input's path) per input
        file, so each file becomes its own map task."""
        listed = []
        for path, kind in zip(inputs, self.fs.kinds(inputs)):
            listed.extend(self.fs.listdir(path) if kind == "dir" else [path])
        files = [p for p in listed if not os.path.basename(p).startswith(("_", "."))]
        unqualified = [p for p in files if not _SCHEME.match(p)]
        if unqualified:
            # The task fetches each listed file with hadoop fs only when it has a scheme;
            # a bare path would be looked for on the task node's local disk.
            raise UsageError(
                f"step {num + 1} of {self.spec.job_name} reads whole files (mapper_raw), which "
                f"on Hadoop needs full URIs, but its input {unqualified[0]} has no scheme",
                hint="give inputs as URIs (hdfs://namenode:8020/path, or file:///path on a "
                "single node) and set [hadoop] tmp_dir to one too (it holds uploaded local "
                "inputs and the outputs of earlier steps)",
            )
        local = Path(self.scratch_dir, f"manifest-{num}")
        local.mkdir()
        for index, path in enumerate(files):
            (local / f"input-{index:05d}").write_text(f"{path}\n")
        target = f"{self.cluster_scratch}/manifest-{num}"
        self.fs.mkdir(self.cluster_scratch)
        self.fs.put([str(local)], target)
        return [target]

    # -- running a step and reading what Hadoop said ----------------------------------------

    def _run_step(self, num: int, argv: list[str]) -> StepResult:
        label = f"step {num + 1} of {len(self.spec.steps)}"
        log.info("running %s on Hadoop: %s", label, " ".join(argv))
        process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=self.env,
            text=True,
            errors="replace",
        )
        result = StepResult(argv)
        assert process.stdout is not None
        try:
            for line in process.stdout:
                line = line.rstrip("\n")
                result.lines.append(line)
                shown = progress(line)
                if shown:
                    log.info("%s: %s", label, shown)
            result.returncode = process.wait()
        except BaseException:
            # Interrupted (Ctrl-C, a signal turned into an exception): stop the client too,
            # and on YARN the job itself, which outlives its client.
            process.kill()
            process.wait()
            application = application_id("\n".join(result.lines))
            if application:
                kill_application(self._yarn_bin(), application, self.env)
            raise
        result.counters = parse_counters(result.lines)
        return result

    def _step_error(self, num: int, result: StepResult, inputs: Sequence[str]) -> StreamflowError:
        label = f"step {num + 1} of {len(self.spec.steps)} of {self.spec.job_name}"
        text = "\n".join(result.lines)
        launch = launch_errors(result.lines)
        if "already exists" in text and result.returncode == 5:
            return JobError(
                f"{label}: Hadoop refused to start: {launch[-1] if launch else text}",
                hint="another run may have written it meanwhile; remove it and rerun",
            )
        if ("does not exist" in text and result.returncode == 5) or "matches 0 files" in text:
            return MissingInput(
                f"{label}: Hadoop cannot find an input: {launch[-1] if launch else text}",
                hint=f"inputs were: {', '.join(inputs)}",
            )
        if launch and not failed_attempts(text) and "subprocess failed" not in text:
            return JobError(
                f"{label}: Hadoop Streaming rejected the job: {launch[0]}",
                hint=f"the command was: {' '.join(result.argv)}",
            )
        application = application_id(text)
        if application:
            return self._yarn_error(label, text, application)
        traceback = extract_traceback(result.lines)
        if traceback:
            return JobError(f"{label} failed; the task said:\n{traceback}")
        tail = "\n".join(result.lines[-20:])
        return JobError(
            f"{label} failed (hadoop exit code {result.returncode}); its last lines:\n{tail}"
        )

    def _yarn_error(self, label: str, text: str, application: str) -> JobError:
        attempts = failed_attempts(text)
        failed = f"failed task attempts: {', '.join(attempts)}" if attempts else ""
        found = fetch_task_traceback(self._yarn_bin(), application, self.env)
        if isinstance(found, tuple):
            container, traceback = found
            attempt = attempts[-1] if attempts else "unknown attempt"
            return JobError(
                f"{label} failed on YARN ({application}); task attempt {attempt} "
                f"(container {container}) said:\n{traceback}",
                hint=failed or None,
            )
        where = tracking_url(text) or "the ResourceManager web UI"
        return JobError(
            f"{label} failed on YARN ({application}); could not get the task's traceback: {found}",
            hint=f"look at {where}, or run `yarn logs -applicationId {application}` once log "
            f"aggregation has finished. {failed}".strip(),
        )

    def _yarn_bin(self) -> str:
        return find_yarn_bin(self.hadoop_bin, self.env)

    # -- output and cleanup ----------------------------------------------------------------------

    def output_files(self) -> list[str]:
        if not self._ran or self.output_dir is None:
            raise UsageError("call run() before reading the output")
        return [p for p in self.fs.listdir(self.output_dir) if "/part-" in f"/{p}"]

    def cat_output(self) -> Iterator[bytes]:
        """The output's lines, as bytes with newlines, from one ``hadoop fs -cat``.

        Streaming writes a line without a tab as ``line<TAB>`` (a key with an empty value);
        that tab is dropped so output reads as the job wrote it.
        """
        if not self._ran or self.output_dir is None:
            raise UsageError("call run() before reading the output")
        process = self.fs.cat([f"{self.output_dir}/part-*"])
        assert process.stdout is not None and process.stderr is not None
        try:
            for line in process.stdout:
                if line.endswith(b"\t\n") and line.count(b"\t") == 1:
                    line = line[:-2] + b"\n"
                yield line
            said = messages(process.stderr.read())
            if process.wait() != 0 and not all("No such file" in line for line in said):
                raise JobError(f"could not read the output {self.output_dir}: {' '.join(said)}")
        finally:
            if process.poll() is None:  # the reader stopped early
                process.kill()
                process.wait()
            process.stdout.close()
            process.stderr.close()

    def cleanup(self) -> None:
        """Remove the cluster scratch directory (unless keep_tmp) and the local one."""
        if self._scratch_created:
            if self.keep_tmp:
                log.info("keeping the job's scratch directory %s", self.cluster_scratch)
            else:
                self._remove_quietly(self.cluster_scratch)
            self._scratch_created = False
        super().cleanup()
