"""``hadoop jar <streaming jar> ...``: a Hadoop Streaming job run on this machine.

The job runs the real task commands, one map task per input file, then a sort by key
bytes, then the reduce tasks, each in its own working directory holding the shipped
``-files`` (symlinks, ``#name`` renames) and unpacked ``-archives``, with Streaming's
environment. The client's log goes to stderr in Hadoop's layout: progress lines, counters
and, on failure, Java's stack traces. Where task stderr goes depends on
``mapreduce.framework.name``: ``local`` writes it to our own stderr as Hadoop's local job
runner does; ``yarn`` stores it per container where ``yarn logs`` finds it, and retries
failed attempts like YARN.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from tests.hadoop_emulator.cluster import Cluster, HadoopError, log_line
from tests.hadoop_emulator.options import (
    USAGE,
    GenericOptions,
    JavaException,
    OptionError,
    StreamingOptions,
    parse_generic,
    parse_resource,
    parse_streaming,
    split_command,
)

TEXT_INPUT = ("TextInputFormat", "org.apache.hadoop.mapred.TextInputFormat")
TEXT_OUTPUT = ("TextOutputFormat", "org.apache.hadoop.mapred.TextOutputFormat")
KEY_FIELD_PARTITIONER = "org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner"
DEPRECATED_FILE = "-file option is deprecated, please use generic option -files instead."
JAVA_TASK_FAILURE = (
    "java.lang.RuntimeException: PipeMapRed.waitOutputThreads(): subprocess failed with code {code}"
)
JAVA_MAIN_FRAMES = (
    "\tat org.apache.hadoop.util.GenericOptionsParser.validateFiles(GenericOptionsParser.java)\n"
    "\tat org.apache.hadoop.util.ToolRunner.run(ToolRunner.java:76)\n"
    "\tat org.apache.hadoop.streaming.HadoopStreaming.main(HadoopStreaming.java:50)\n"
)
JAVA_FRAMES = (
    "\tat org.apache.hadoop.streaming.PipeMapRed.waitOutputThreads(PipeMapRed.java:326)\n"
    "\tat org.apache.hadoop.streaming.PipeMapRed.mapRedFinished(PipeMapRed.java:539)\n"
    "\tat org.apache.hadoop.streaming.PipeMapper.close(PipeMapper.java:130)\n"
    "\tat org.apache.hadoop.mapred.MapRunner.run(MapRunner.java:61)\n"
    "\tat org.apache.hadoop.mapred.MapTask.runOldMapper(MapTask.java:465)\n"
)


def log(level: str, source: str, message: str) -> None:
    sys.stderr.write(log_line(level, source, message))
    sys.stderr.flush()


class TaskFailed(Exception):
    """A task's command exited non-zero."""

    def __init__(self, code: int) -> None:
        super().__init__(JAVA_TASK_FAILURE.format(code=code))
        self.code = code
        self.attempt_id = ""


class Job:
    """One streaming job being run: its options, ids and what it has counted.

    (Plain classes, not dataclasses: importing dataclasses would slow every job's start.)
    """

    def __init__(
        self,
        cluster: Cluster,
        generic: GenericOptions,
        opts: StreamingOptions,
        conf: dict[str, str],
        job_id: str,
        app_id: str | None,
        work: Path,
    ) -> None:
        self.cluster = cluster
        self.generic = generic
        self.opts = opts
        self.conf = conf
        self.job_id = job_id
        self.app_id = app_id
        self.work = work
        self.counters: dict[str, dict[str, int]] = defaultdict(dict)
        self.containers = 1

    @property
    def yarn(self) -> bool:
        return self.app_id is not None

    def count(self, group: str, name: str, amount: int = 1) -> None:
        self.counters[group][name] = self.counters[group].get(name, 0) + amount

    def split_map_output(self, line: bytes) -> tuple[bytes, bytes]:
        """A map output line's (key, value), by Streaming's separator and key field count."""
        separator = self.conf["stream.map.output.field.separator"].encode()
        return _split_key(line, separator, int(self.conf["stream.num.map.output.key.fields"]))


def main(cluster: Cluster, jar: str, args: list[str]) -> int:
    """Run ``hadoop jar JAR ARGS``; return the exit code Hadoop would."""
    if not os.path.isfile(jar):
        sys.stderr.write(f"JAR does not exist or is not a normal file: {os.path.abspath(jar)}\n")
        return 255
    if not re.search(r"hadoop-streaming[^/]*\.jar$", jar):
        sys.stderr.write(f"hadoop emulator: only the streaming jar is emulated, not {jar}\n")
        return 255
    try:
        generic, rest = parse_generic(args)
        # GenericOptionsParser checks -files and -archives before Streaming sees its options.
        shipped = _shipped_resources(cluster, generic)
        opts = parse_streaming(rest)
    except JavaException as exc:
        sys.stderr.write(f'Exception in thread "main" {exc}\n{JAVA_MAIN_FRAMES}')
        return 1
    except OptionError as exc:
        log("ERROR", "streaming.StreamJob", str(exc))
        sys.stderr.write(USAGE)
        sys.stderr.write("Streaming Command Failed!\n")
        return 1
    if "help" in opts.flags or "info" in opts.flags:
        sys.stdout.write(USAGE)
        return 0
    conf = {
        "fs.defaultFS": cluster.default_fs,
        "mapreduce.framework.name": cluster.framework,
        "mapreduce.job.reduces": "1",
        "mapreduce.map.maxattempts": "4",
        "mapreduce.reduce.maxattempts": "4",
        "stream.num.map.output.key.fields": "1",
        "stream.map.output.field.separator": "\t",
        "mapreduce.job.user.name": cluster.user,
    }
    conf.update(generic.conf)
    conf.update(opts.jobconf)
    if opts.num_reduce_tasks is not None:
        conf["mapreduce.job.reduces"] = str(opts.num_reduce_tasks)
    cluster.default_fs = conf["fs.defaultFS"].rstrip("/")
    if opts.files:
        log(
            "WARN",
            "streaming.StreamJob",
            "-file option is deprecated, please use generic option -files instead.",
        )
    try:
        _check_formats(opts)
        return _run(cluster, generic, opts, conf, shipped + _deprecated_files(opts))
    except HadoopError as exc:
        log("ERROR", "streaming.StreamJob", f"Error Launching job : {exc}")
        sys.stderr.write("Streaming Command Failed!\n")
        return 5


def _check_formats(opts: StreamingOptions) -> None:
    for value, known in ((opts.inputformat, TEXT_INPUT), (opts.outputformat, TEXT_OUTPUT)):
        if value is not None and value not in known:
            raise HadoopError(f"the emulator only supports text formats, not {value}")
    if opts.partitioner not in (None, KEY_FIELD_PARTITIONER):
        raise HadoopError(f"the emulator does not support the partitioner {opts.partitioner}")


def _run(
    cluster: Cluster,
    generic: GenericOptions,
    opts: StreamingOptions,
    conf: dict,
    shipped: list[tuple[str, Path, str]],
) -> int:
    assert opts.output is not None
    output = cluster.resolve(opts.output)
    if os.path.lexists(output.local):
        raise HadoopError(f"Output directory {output.qualified} already exists")
    inputs = _input_files(cluster, opts.inputs)

    sequence = cluster.next_sequence()
    yarn = conf["mapreduce.framework.name"] == "yarn"
    if yarn:
        stamp = 1700000000000 + sequence
        job_id, app_id = f"job_{stamp}_{sequence:04d}", f"application_{stamp}_{sequence:04d}"
    else:
        job_id, app_id = f"job_local{random.randrange(10**9)}_{sequence:04d}", None
    work = cluster.home / "tasks" / job_id
    work.mkdir(parents=True)
    job = Job(cluster, generic, opts, conf, job_id, app_id, work)

    log("INFO", "mapreduce.JobSubmitter", f"number of splits:{len(inputs)}")
    log("INFO", "mapreduce.JobSubmitter", f"Submitting tokens for job: {job_id}")
    if yarn:
        log("INFO", "impl.YarnClientImpl", f"Submitted application {app_id}")
        url = f"http://emulated-rm:8088/proxy/{app_id}/"
    else:
        url = "http://localhost:8080/"
    log("INFO", "mapreduce.Job", f"The url to track the job: {url}")
    log("INFO", "mapreduce.Job", f"Running job: {job_id}")
    log("INFO", "mapreduce.Job", f"Job {job_id} running in uber mode : false")
    log("INFO", "mapreduce.Job", " map 0% reduce 0%")

    temporary = output.local / "_temporary"
    temporary.mkdir(parents=True)
    reduces = int(conf["mapreduce.job.reduces"])
    try:
        map_outputs = _run_maps(job, inputs, shipped, reduces, temporary)
        if reduces > 0:
            _run_reduces(job, map_outputs, shipped, reduces, temporary)
    except TaskFailed as failure:
        shutil.rmtree(temporary, ignore_errors=True)
        _report_failure(job, failure)
        return 1
    for part in sorted(temporary.iterdir()):
        part.rename(output.local / part.name)
    temporary.rmdir()
    (output.local / "_SUCCESS").touch()
    shutil.rmtree(work, ignore_errors=True)
    log("INFO", "mapreduce.Job", f"Job {job_id} completed successfully")
    _print_counters(job)
    log("INFO", "streaming.StreamJob", f"Output directory: {opts.output}")
    return 0


def _input_files(cluster: Cluster, patterns: list[str]) -> list[tuple[str, Path]]:
    """The files to map, as (qualified path, local file); missing inputs fail like Hadoop."""
    files: list[tuple[str, Path]] = []
    problems = []
    for pattern in patterns:
        matches = cluster.expand(pattern)
        if not matches or not os.path.lexists(matches[0][1].local):
            qualified = cluster.resolve(pattern).qualified
            if matches:
                problems.append(f"Input path does not exist: {qualified}")
            else:
                problems.append(f"Input Pattern {qualified} matches 0 files")
            continue
        for _, location in matches:
            if location.local.is_dir():
                for child in sorted(location.local.iterdir()):
                    if child.name.startswith(("_", ".")):
                        continue
                    if child.is_dir():
                        raise HadoopError(f"Not a file: {location.qualified}/{child.name}")
                    files.append((f"{location.qualified}/{child.name}", child))
            else:
                files.append((location.qualified, location.local))
    if problems:
        raise HadoopError("\n".join(problems))
    return files


def _shipped_resources(cluster: Cluster, generic: GenericOptions) -> list[tuple[str, Path, str]]:
    """(name in the task dir, source, how) for every -files and -archives entry."""
    shipped = []
    for how, entries in (("file", generic.files), ("archive", generic.archives)):
        for entry in entries:
            uri, name = parse_resource(entry)
            if "://" in uri:
                source = cluster.resolve(uri).local
            else:
                source = Path(uri[len("file:") :] if uri.startswith("file:") else uri).absolute()
            if not source.exists():
                raise JavaException(
                    "java.io.FileNotFoundException", f"File {entry} does not exist."
                )
            shipped.append((name or source.name, source, how))
    return shipped


def _deprecated_files(opts: StreamingOptions) -> list[tuple[str, Path, str]]:
    """(name, source, "copy") for Streaming's own, deprecated, ``-file`` entries."""
    shipped = []
    for entry in opts.files:
        source = Path(entry).absolute()
        if not source.exists():
            raise HadoopError(f"File: {source} does not exist, or is not readable.")
        shipped.append((source.name, source, "copy"))
    return shipped


def _task_dir(job: Job, attempt: str, shipped: list[tuple[str, Path, str]]) -> Path:
    directory = job.work / attempt
    directory.mkdir()
    for name, source, how in shipped:
        target = directory / name
        if how == "archive":
            _unpack(source, target)
        elif how == "copy":
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                shutil.copy(source, target)
        else:
            target.symlink_to(source)
    return directory


def _unpack(archive: Path, target: Path) -> None:
    target.mkdir()
    name = archive.name.lower()
    if name.endswith((".zip", ".jar")):
        import zipfile

        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(target)
    elif name.endswith((".tar", ".tar.gz", ".tgz")):
        import tarfile

        with tarfile.open(archive) as tarred:
            tarred.extractall(target, filter="data")
    else:
        shutil.copy(archive, target / archive.name)


# -- running tasks ------------------------------------------------------------------------


def _task_env(job: Job, extra: dict[str, str]) -> dict[str, str]:
    if job.yarn:
        # Containers start from a clean environment, not the client's; Hadoop's own
        # variables (HADOOP_HOME, HADOOP_CONF_DIR, ...) are set by the NodeManager.
        keep = ("PATH", "LANG", "LC_ALL", "HOME", "USER", "TMPDIR")
        env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("HADOOP_")}
    else:
        env = dict(os.environ)
    for key, value in job.conf.items():
        env[re.sub(r"[^A-Za-z0-9]", "_", key)] = value
    env.update(extra)
    env.update(job.opts.cmdenv)
    return env


def _resolve_program(argv: list[str], cwd: Path, env_path: str) -> list[str]:
    program = argv[0]
    if os.path.isabs(program):
        return argv
    local = cwd / program
    if local.is_file():
        local.chmod(local.stat().st_mode | 0o111)
    for directory in [str(cwd), *env_path.split(os.pathsep)]:
        candidate = os.path.join(directory, program)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return [candidate, *argv[1:]]
    return argv


def _run_command(
    job: Job, command: str, stdin: Path, stdout: Path, cwd: Path, env: dict, log_dir: Path | None
) -> None:
    """Run one task command; stderr goes to our stderr (local) or a container log (yarn)."""
    argv = _resolve_program(split_command(command), cwd, os.environ.get("PATH", ""))
    with contextlib.ExitStack() as stack:
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            task_log = stack.enter_context(open(log_dir / "stderr", "a", encoding="utf-8"))
        else:
            log("INFO", "streaming.PipeMapRed", f"PipeMapRed exec [{', '.join(argv)}]")
            task_log = sys.stderr
        source = stack.enter_context(open(stdin, "rb"))
        sink = stack.enter_context(open(stdout, "wb"))
        try:
            process = subprocess.Popen(
                argv, stdin=source, stdout=sink, stderr=subprocess.PIPE, cwd=cwd, env=env
            )
        except OSError as exc:
            message = f'Cannot run program "{argv[0]}": error={exc.errno}, {exc.strerror}'
            task_log.write(f"java.io.IOException: {message}\n")
            raise TaskFailed(exc.errno or 1) from None
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace")
            if line.startswith("reporter:counter:"):
                items = line[len("reporter:counter:") :].rstrip("\n").split(",")
                if len(items) == 3 and items[2].strip().lstrip("-").isdigit():
                    job.count(items[0], items[1], int(items[2]))
                    continue
            if line.startswith("reporter:status:"):
                continue
            task_log.write(line)
            task_log.flush()
        code = process.wait()
    if code != 0:
        raise TaskFailed(code)


def _run_attempts(job: Job, task: Task) -> None:
    """Run a task, retrying on YARN as ``mapreduce.<map|reduce>.maxattempts`` allows."""
    phase = "map" if task.kind == "m" else "reduce"
    attempts = int(job.conf[f"mapreduce.{phase}.maxattempts"]) if job.yarn else 1
    for attempt in range(attempts):
        attempt_id = f"attempt{job.job_id[3:]}_{task.kind}_{task.index:06d}_{attempt}"
        job.containers += 1
        container = None
        if job.yarn:
            serial = str(job.app_id).split("_", 1)[1]
            container = f"container_{serial}_01_{job.containers:06d}"
        else:
            log("INFO", "mapred.LocalJobRunner", f"Starting task: {attempt_id}")
        try:
            _run_task(job, task, attempt_id, container)
        except TaskFailed as failure:
            job.count("Job Counters ", f"Failed {phase} tasks")
            failure.attempt_id = attempt_id
            if job.yarn:
                _report_attempt(attempt_id, failure)
            if not job.yarn or attempt == attempts - 1:
                raise
            continue
        if not job.yarn:
            done = f"Task:{attempt_id} is done. And is in the process of committing"
            log("INFO", "mapred.Task", done)
        return


def _report_attempt(attempt_id: str, failure: TaskFailed) -> None:
    log("INFO", "mapreduce.Job", f"Task Id : {attempt_id}, Status : FAILED")
    sys.stderr.write(f"Error: {failure}\n{JAVA_FRAMES}\n")


def _container_log_dir(job: Job, container: str | None) -> Path | None:
    if container is None:
        return None
    return job.cluster.home / "yarn-logs" / str(job.app_id) / container


def _write_syslog(log_dir: Path | None, message: str) -> None:
    if log_dir is None:
        return
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "syslog", "a", encoding="utf-8") as syslog:
        syslog.write(log_line("INFO", "[main] org.apache.hadoop.mapred.YarnChild", message))


def _read_records(path: Path) -> list[bytes]:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        import gzip

        data = gzip.decompress(data)
    lines = re.split(rb"\r\n|\n|\r", data)
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _split_key(line: bytes, separator: bytes, fields: int) -> tuple[bytes, bytes]:
    position = -1
    for _ in range(fields):
        position = line.find(separator, position + 1)
        if position < 0:
            return line, b""
    return line[:position], line[position + len(separator) :]


class Task:
    """One map or reduce task (kind "m" or "r"): what it reads, its environment, and the
    lines it output."""

    def __init__(
        self,
        kind: str,
        index: int,
        stdin: bytes,
        env: dict[str, str],
        syslog: str,
        shipped: list[tuple[str, Path, str]],
    ) -> None:
        self.kind = kind
        self.index = index
        self.stdin = stdin
        self.env = env
        self.syslog = syslog
        self.shipped = shipped
        self.lines: list[bytes] = []


def _run_task(job: Job, task: Task, attempt_id: str, container: str | None) -> None:
    """Run one attempt of a map (mapper, then combiner) or reduce task into ``task.lines``."""
    task_dir = _task_dir(job, attempt_id, task.shipped)
    stdin, stdout = job.work / f"{attempt_id}.in", job.work / f"{attempt_id}.out"
    stdin.write_bytes(task.stdin)
    log_dir = _container_log_dir(job, container)
    _write_syslog(log_dir, task.syslog)
    env = {
        **task.env,
        "mapreduce_task_id": f"task{job.job_id[3:]}_{task.kind}_{task.index:06d}",
        "mapreduce_task_attempt_id": attempt_id,
    }
    command = job.opts.mapper if task.kind == "m" else job.opts.reducer
    if command:
        _run_command(job, command, stdin, stdout, task_dir, _task_env(job, env), log_dir)
    else:
        shutil.copy(stdin, stdout)
    task.lines = _read_records(stdout)
    if task.kind == "m" and job.opts.combiner and int(job.conf["mapreduce.job.reduces"]):
        pairs = sorted(map(job.split_map_output, task.lines), key=lambda pair: pair[0])
        stdin.write_bytes(b"".join(k + b"\t" + v + b"\n" for k, v in pairs))
        job.count("Map-Reduce Framework", "Combine input records", len(pairs))
        _run_command(job, job.opts.combiner, stdin, stdout, task_dir, _task_env(job, env), log_dir)
        task.lines = _read_records(stdout)
        job.count("Map-Reduce Framework", "Combine output records", len(task.lines))


def _run_maps(job: Job, inputs, shipped, reduces: int, temporary: Path) -> list[list[tuple]]:
    """Run a map task per input file; return each one's (key, value) pairs."""
    outputs = []
    for index, (qualified, local) in enumerate(inputs):
        records = _read_records(local)
        size = local.stat().st_size
        job.count("Map-Reduce Framework", "Map input records", len(records))
        job.count("File Input Format Counters ", "Bytes Read", size)
        task = Task(
            kind="m",
            index=index,
            stdin=b"".join(r + b"\n" for r in records),
            env={
                "mapreduce_map_input_file": qualified,
                "mapreduce_map_input_start": "0",
                "mapreduce_map_input_length": str(size),
                "mapreduce_task_partition": str(index),
                "mapreduce_task_ismap": "true",
                "mapreduce_job_id": job.job_id,
            },
            syslog=f"Processing split: {qualified}:0+{size}",
            shipped=shipped,
        )
        _run_attempts(job, task)
        job.count("Map-Reduce Framework", "Map output records", len(task.lines))
        if reduces == 0:
            _write_part(job, temporary / f"part-{index:05d}", task.lines)
        else:
            outputs.append([job.split_map_output(line) for line in task.lines])
        done = (index + 1) * 100 // len(inputs)
        log("INFO", "mapreduce.Job", f" map {done}% reduce 0%")
    job.count("Job Counters ", "Launched map tasks", len(inputs))
    return outputs


def _partition(job: Job, key: bytes, reduces: int) -> int:
    if job.opts.partitioner == KEY_FIELD_PARTITIONER:
        options = job.conf.get("mapreduce.partition.keypartitioner.options", "-k1")
        match = re.match(r"-k(\d+)(?:,(\d+))?", options)
        first = int(match.group(1)) if match else 1
        last = int(match.group(2)) if match and match.group(2) else None
        parts = key.split(job.conf.get("mapreduce.map.output.key.field.separator", "\t").encode())
        chosen = parts[first - 1 : last]
        hashed = 0
        for part in chosen:
            for byte in part:
                hashed = _int32(31 * hashed + _signed(byte))
        return (hashed & 0x7FFFFFFF) % reduces
    hashed = 1
    for byte in key:
        hashed = _int32(31 * hashed + _signed(byte))
    return (hashed & 0x7FFFFFFF) % reduces


def _signed(byte: int) -> int:
    return byte - 256 if byte > 127 else byte


def _int32(value: int) -> int:
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def _run_reduces(job: Job, map_outputs, shipped, reduces: int, temporary: Path) -> None:
    """Partition and sort the map outputs by key bytes, then run each reduce task."""
    partitions: list[list[tuple[bytes, bytes]]] = [[] for _ in range(reduces)]
    for output in map_outputs:
        for key, value in output:
            partitions[_partition(job, key, reduces)].append((key, value))
    for index, pairs in enumerate(partitions):
        pairs.sort(key=lambda pair: pair[0])  # stable: values keep map order within a key
        job.count("Map-Reduce Framework", "Reduce input records", len(pairs))
        job.count("Map-Reduce Framework", "Reduce input groups", len({k for k, _ in pairs}))
        task = Task(
            kind="r",
            index=index,
            stdin=b"".join(k + b"\t" + v + b"\n" for k, v in pairs),
            env={
                "mapreduce_task_partition": str(index),
                "mapreduce_task_ismap": "false",
                "mapreduce_job_id": job.job_id,
            },
            syslog=f"Starting reduce task {index}",
            shipped=shipped,
        )
        _run_attempts(job, task)
        job.count("Map-Reduce Framework", "Reduce output records", len(task.lines))
        _write_part(job, temporary / f"part-{index:05d}", task.lines, b"\t", 1)
        done = (index + 1) * 100 // reduces
        log("INFO", "mapreduce.Job", f" map 100% reduce {done}%")
    job.count("Job Counters ", "Launched reduce tasks", reduces)


def _write_part(
    job: Job, path: Path, lines: list[bytes], separator: bytes | None = None, fields: int = 1
) -> None:
    """Write task output as TextOutputFormat does: key TAB value, so a line without a
    separator gets a trailing tab (Streaming reads it as a key with an empty value)."""
    if separator is None:
        separator = job.conf["stream.map.output.field.separator"].encode()
        fields = int(job.conf["stream.num.map.output.key.fields"])
    data = b"".join(b"\t".join(_split_key(line, separator, fields)) + b"\n" for line in lines)
    path.write_bytes(data)
    job.count("File Output Format Counters ", "Bytes Written", len(data))


# -- reporting ----------------------------------------------------------------------------


def _report_failure(job: Job, failure: TaskFailed) -> None:
    attempt_id = failure.attempt_id
    if job.yarn:
        task_id = "task" + attempt_id[len("attempt") :].rsplit("_", 1)[0]
        kind = (
            "failedMaps:1 failedReduces:0"
            if "_m_" in attempt_id
            else "failedMaps:0 failedReduces:1"
        )
        log(
            "INFO",
            "mapreduce.Job",
            f"Job {job.job_id} failed with state FAILED due to: Task failed {task_id}\n"
            f"Job failed as tasks failed. {kind} killedMaps:0 killedReduces: 0\n",
        )
    else:
        log("INFO", "streaming.PipeMapRed", "PipeMapRed failed!")
        sys.stderr.write(f"{failure}\n{JAVA_FRAMES}")
        log("INFO", "mapred.LocalJobRunner", "map task executor complete.")
        log("WARN", "mapred.LocalJobRunner", job.job_id)
        sys.stderr.write(
            f"java.lang.Exception: {failure}\n"
            "\tat org.apache.hadoop.mapred.LocalJobRunner$Job.runTasks(LocalJobRunner.java:492)\n"
            "\tat org.apache.hadoop.mapred.LocalJobRunner$Job.run(LocalJobRunner.java:552)\n"
            f"Caused by: {failure}\n{JAVA_FRAMES}"
        )
        log("INFO", "mapreduce.Job", f"Job {job.job_id} failed with state FAILED due to: NA")
    _print_counters(job)
    log("ERROR", "streaming.StreamJob", "Job not successful!")
    sys.stderr.write("Streaming Command Failed!\n")


def _print_counters(job: Job) -> None:
    total = sum(len(group) for group in job.counters.values())
    lines = [log_line("INFO", "mapreduce.Job", f"Counters: {total}")]
    for group in sorted(job.counters):
        lines.append(f"\t{group}\n")
        for name, value in sorted(job.counters[group].items()):
            lines.append(f"\t\t{name}={value}\n")
    sys.stderr.write("".join(lines))
    sys.stderr.flush()


def run_jar(cluster: Cluster, args: list[str]) -> int:
    """``hadoop jar JAR [args]`` as the ``hadoop`` command dispatches it."""
    if not args:
        sys.stderr.write("RunJar jarFile [mainClass] args...\n")
        return 255
    return main(cluster, args[0], args[1:])
