"""The Hadoop runner: each step a Hadoop Streaming job, reading and writing the cluster's FS.

Per run it zips the job's module and the streamflow package (the task side needs nothing
installed but Python), uploads local inputs to a scratch directory, runs one
``hadoop jar <streaming jar>`` per step (steps chain through scratch directories), streams
Hadoop's progress, parses its counters, and moves the last step's output into place only
when it is complete. Paths without a scheme mean what Hadoop says they mean: the cluster's
``fs.defaultFS``, whatever that is. On failure it shows the Python traceback of the task
that failed, found in Hadoop's stderr (local job runner) or in ``yarn logs`` (YARN).
"""

from __future__ import annotations

import glob
import logging
import os
import re
import shutil
import subprocess
import tarfile
import time
import uuid
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import streamflow
from streamflow.config import HadoopConfig
from streamflow.errors import ConfigError, JobError, MissingInput, StreamflowError, UsageError
from streamflow.fs.hadoop_cli import HadoopCliFileSystem, is_log_noise, messages
from streamflow.fs.hdfs import find_hadoop_bin
from streamflow.mr.harness import combines_in_mapper
from streamflow.mr.runners.base import Counters, JobSpec, Runner, split_name

log = logging.getLogger("streamflow.mr")

__all__ = ["HadoopRunner", "find_streaming_jar", "hadoop_quote"]

CODE_ZIP = "streamflow-job.zip"
KEY_FIELD_PARTITIONER = "org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner"
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_PROGRESS = re.compile(r"\bmap \d+% reduce \d+%")
_ATTEMPT = re.compile(r"Task Id : (attempt_\S+), Status : FAILED")
_APPLICATION = re.compile(r"Submitted application (application_\d+_\d+)")
_TRACKING = re.compile(r"The url to track the job: (\S+)")
_LAUNCH_ERROR = re.compile(r"ERROR streaming\.StreamJob: (.*)")

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


def hadoop_quote(word: str) -> str:
    """Quote one word of a task command for Hadoop Streaming, which splits on spaces and
    honours '...' and "..." but no backslash escapes (and runs no shell)."""
    if word and not re.search(r"[\s'\"]", word):
        return word
    if "'" not in word:
        return f"'{word}'"
    if '"' not in word:
        return f'"{word}"'
    raise UsageError(
        f"the argument {word!r} holds both kinds of quote, which Hadoop Streaming cannot pass",
        hint="avoid mixing ' and \" in job arguments and commands run on Hadoop",
    )


def shell_command(command: str) -> str:
    """``sh -c COMMAND`` quoted for Streaming, for pipes and other shell syntax."""
    return f"sh -c {hadoop_quote(command)}"


def sh_quote(word: str) -> str:
    """Quote a word for ``sh`` with single quotes only, so the script can still be passed
    through Streaming's '...' or "..." quoting (shlex.quote may use both kinds)."""
    if word and re.fullmatch(r"[\w@%+=:,./-]+", word):
        return word
    return "'" + word.replace("'", "'\\''") + "'"


def task_command(words: Sequence[str]) -> str:
    """A task command for Streaming: plain words when Streaming's splitting keeps them, else
    through ``sh -c`` (Streaming drops an empty word: ``''`` splits to nothing)."""
    if all(words):
        return " ".join(hadoop_quote(word) for word in words)
    return shell_command(" ".join(sh_quote(word) for word in words))


def resource_uri(path: str, name: str) -> str:
    """One ``-files``/``-archives`` entry: Hadoop splits the list on commas and parses each
    entry as a URI whose fragment names the link, so path and name are percent-encoded."""
    return f"{quote(os.path.abspath(path))}#{quote(name, safe='')}"


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
        code = self._code_zip()
        temp_output = _temporary_sibling(final)
        try:
            for num, desc in enumerate(self.spec.steps):
                last = num == len(self.spec.steps) - 1
                output = temp_output if last else f"{self.cluster_scratch}/step-{num + 1}"
                if desc.get("input_manifest"):
                    inputs = self._manifest(inputs, num)
                argv = self.step_command(num, desc, inputs, output, code)
                result = self._run_step(num, argv)
                self._counters.append(result.counters)
                if result.returncode != 0:
                    raise self._step_error(num, result, inputs, output)
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
                local.append(path[len("file://") :])
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
        missing = [p for p, kind in zip(checks, kinds) if kind is None and not _has_glob(p)]
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
        files: list[str] = []
        for path in paths:
            if path == "-":
                files.append(self._stdin_file())
            elif os.path.isdir(path):
                files.extend(
                    os.path.join(path, name)
                    for name in sorted(os.listdir(path))
                    if not name.startswith(("_", ".")) and os.path.isfile(os.path.join(path, name))
                )
            else:
                files.append(os.path.abspath(path))
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

    def _code_zip(self) -> str:
        """A zip of the streamflow package and the job's module (with its package's other
        modules), put on the tasks' PYTHONPATH."""
        path = os.path.join(self.scratch_dir, CODE_ZIP)
        package_dir = Path(streamflow.__file__).parent
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for source in sorted(package_dir.rglob("*.py")):
                archive.write(source, str(source.relative_to(package_dir.parent)))
            root = Path(self.spec.python_path)
            job_file = Path(self.spec.job_file)
            module = self.spec.job_name.split(":")[0]
            if module.startswith("streamflow."):
                return path
            parts = module.split(".")
            sources = {job_file}
            if len(parts) > 1:
                sources.update(job_file.parent.glob("*.py"))
                for depth in range(1, len(parts)):
                    init = root.joinpath(*parts[:depth], "__init__.py")
                    if init.exists():
                        sources.add(init)
            for source in sorted(sources):
                archive.write(source, str(source.relative_to(root)))
        return path

    # -- the command ---------------------------------------------------------------------------

    def step_command(
        self, num: int, desc: dict, inputs: Sequence[str], output: str, code_zip: str
    ) -> list[str]:
        """``hadoop jar JAR`` + generic options (-D, -files, -archives) + streaming options."""
        jobconf = {**self.spec.jobconf, **desc.get("jobconf", {})}
        streaming: list[str] = []
        if self.spec.sort_values:
            jobconf.setdefault("stream.num.map.output.key.fields", "2")
            jobconf.setdefault("mapreduce.partition.keypartitioner.options", "-k1,1")
        if "mapreduce.job.name" not in jobconf:
            jobconf["mapreduce.job.name"] = (
                f"streamflow {self.spec.job_name} step {num + 1} of {len(self.spec.steps)}"
            )
        generic = [arg for key, value in jobconf.items() for arg in ("-D", f"{key}={value}")]
        files = [resource_uri(code_zip, CODE_ZIP)]
        for entry in self.spec.files:
            files.append(resource_uri(*_shipped(entry)))
        archives = [self._dir_archive(entry) for entry in self.spec.dirs]
        for entry in self.spec.archives:
            archives.append(resource_uri(*_shipped(entry)))
        generic += ["-files", ",".join(files)]
        if archives:
            generic += ["-archives", ",".join(archives)]

        for path in inputs:
            streaming += ["-input", path]
        streaming += ["-output", output]
        if self.spec.hadoop_input_format and num == 0:
            streaming += ["-inputformat", self.spec.hadoop_input_format]
        if self.spec.hadoop_output_format and num == len(self.spec.steps) - 1:
            streaming += ["-outputformat", self.spec.hadoop_output_format]
        partitioner = self.spec.partitioner
        if self.spec.sort_values and not partitioner:
            partitioner = KEY_FIELD_PARTITIONER
        if partitioner:
            streaming += ["-partitioner", partitioner]
        streaming += ["-mapper", self._substep(num, desc, "mapper") or "cat"]
        if desc.get("combiner") and not combines_in_mapper(desc):
            # (When both are Python, the mapper task has already combined its output.)
            streaming += ["-combiner", self._substep(num, desc, "combiner")]
        if desc.get("reducer"):
            streaming += ["-reducer", self._substep(num, desc, "reducer")]
        elif desc.get("combiner"):
            streaming += ["-reducer", "cat"]
        else:
            streaming += ["-numReduceTasks", "0"]
        streaming += ["-cmdenv", f"PYTHONPATH={CODE_ZIP}"]
        return [self.hadoop_bin, "jar", self.streaming_jar, *generic, *streaming]

    def _substep(self, num: int, desc: dict, phase: str) -> str | None:
        sub = desc.get(phase)
        if sub is None:
            return None
        if sub["type"] == "command":
            return shell_command(sub["command"])
        words = [
            self.python_bin,
            "-m",
            "streamflow.mr.harness",
            self.spec.job_name,
            "--step-num",
            str(num),
            f"--{phase}",
            *self.spec.task_args,
        ]
        if "pre_filter" in sub:
            python = " ".join(sh_quote(word) for word in words)
            return shell_command(f"{sub['pre_filter']} | {python}")
        return task_command(words)

    def _dir_archive(self, entry: str) -> str:
        path, name = split_name(entry)
        if not os.path.isdir(path):
            raise MissingInput(f"directory {path} to ship with the job does not exist")
        archive = os.path.join(self.scratch_dir, f"dir-{len(os.listdir(self.scratch_dir))}.tgz")
        with tarfile.open(archive, "w:gz") as tar:
            for child in sorted(os.listdir(path)):
                tar.add(os.path.join(path, child), arcname=child)
        return resource_uri(archive, name)

    # -- running and reading Hadoop's output ---------------------------------------------------

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
                progress = _PROGRESS.search(line)
                if progress:
                    log.info("%s: %s", label, progress.group(0))
            result.returncode = process.wait()
        except BaseException:
            # Interrupted (Ctrl-C, a signal turned into an exception): stop the client too,
            # and on YARN the job itself, which outlives its client.
            process.kill()
            process.wait()
            application = _APPLICATION.search("\n".join(result.lines))
            if application:
                self._kill_application(application.group(1))
            raise
        result.counters = parse_counters(result.lines)
        return result

    def _step_error(
        self, num: int, result: StepResult, inputs: Sequence[str], output: str
    ) -> StreamflowError:
        label = f"step {num + 1} of {len(self.spec.steps)} of {self.spec.job_name}"
        text = "\n".join(result.lines)
        launch = [m.group(1) for m in map(_LAUNCH_ERROR.search, result.lines) if m]
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
        if launch and not _ATTEMPT.search(text) and "subprocess failed" not in text:
            return JobError(
                f"{label}: Hadoop Streaming rejected the job: {launch[0]}",
                hint=f"the command was: {' '.join(result.argv)}",
            )
        application = _APPLICATION.search(text)
        if application:
            return self._yarn_error(label, result, application.group(1))
        traceback = extract_traceback(result.lines)
        if traceback:
            return JobError(f"{label} failed; the task said:\n{traceback}")
        tail = "\n".join(result.lines[-20:])
        return JobError(
            f"{label} failed (hadoop exit code {result.returncode}); its last lines:\n{tail}"
        )

    def _yarn_bin(self) -> str:
        """``yarn`` next to ``hadoop``, else on PATH."""
        yarn = os.path.join(os.path.dirname(self.hadoop_bin), "yarn")
        if os.path.exists(yarn):
            return yarn
        return shutil.which("yarn", path=self.env.get("PATH")) or "yarn"

    def _kill_application(self, application: str) -> None:
        log.warning("killing the YARN application %s", application)
        argv = [self._yarn_bin(), "application", "-kill", application]
        try:
            subprocess.run(argv, capture_output=True, env=self.env, timeout=60, check=True)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning(
                "could not kill %s (%s); kill it with: yarn application -kill %s",
                application,
                exc,
                application,
            )

    def _yarn_error(self, label: str, result: StepResult, application: str) -> JobError:
        text = "\n".join(result.lines)
        attempts = _ATTEMPT.findall(text)
        tracking = _TRACKING.search(text)
        where = tracking.group(1) if tracking else "the ResourceManager web UI"
        failed = f"failed task attempts: {', '.join(attempts)}" if attempts else ""
        argv = [self._yarn_bin(), "logs", "-applicationId", application, "-log_files", "stderr"]
        try:
            fetched = subprocess.run(argv, capture_output=True, env=self.env, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            reason = str(exc)
        else:
            if fetched.returncode == 0:
                found = find_container_traceback(fetched.stdout.decode("utf-8", "replace"))
                if found:
                    container, traceback = found
                    attempt = attempts[-1] if attempts else "unknown attempt"
                    return JobError(
                        f"{label} failed on YARN ({application}); task attempt {attempt} "
                        f"(container {container}) said:\n{traceback}",
                        hint=failed or None,
                    )
                reason = "its task logs hold no Python traceback"
            else:
                said = messages(fetched.stderr)
                reason = said[-1] if said else f"yarn logs exited {fetched.returncode}"
        return JobError(
            f"{label} failed on YARN ({application}); could not get the task's traceback: {reason}",
            hint=f"look at {where}, or run `yarn logs -applicationId {application}` once log "
            f"aggregation has finished. {failed}".strip(),
        )

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


def _shipped(entry: str) -> tuple[str, str]:
    """(local path, link name) of a FILES/ARCHIVES entry, which must exist here."""
    path, name = split_name(entry)
    if not os.path.exists(path):
        raise MissingInput(
            f"file {path} to ship with the job does not exist",
            hint="check FILES/ARCHIVES and the file arguments of the job",
        )
    return path, name


def _temporary_sibling(path: str) -> str:
    """A new name in the same directory as ``path`` (renames stay within one mount point).

    >>> [_temporary_sibling(p)[:-12] for p in ("/out", "a/out/", "out", "hdfs://nn/out")]
    ['/.out.tmp-', 'a/.out.tmp-', '.out.tmp-', 'hdfs://nn/.out.tmp-']
    """
    parent, slash, name = path.rstrip("/").rpartition("/")
    temp = f".{name}.tmp-{uuid.uuid4().hex[:12]}"
    return f"{parent}{slash}{temp}"


def _has_glob(path: str) -> bool:
    return bool(re.search(r"[*?\[{]", path))


def parse_counters(lines: Sequence[str]) -> Counters:
    """Counters from Hadoop's ``Counters: N`` block (group lines one tab in, counters two)."""
    counters: Counters = {}
    group = None
    inside = False
    for line in lines:
        if re.search(r"\bCounters: \d+$", line):
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


_TRACEBACK_START = "Traceback (most recent call last):"
_CHAINED = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)


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
