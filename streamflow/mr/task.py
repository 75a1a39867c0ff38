"""MRJobTask: a MapReduce job as a task in the DAG.

``run()`` runs ``job_class`` on the paths of ``input()`` and writes the ``output()`` directory
(part files plus ``_SUCCESS``), with the runner and its options from ``self.config``::

    class CountArtists(MRJobTask):
        date = DateParameter()
        job_class = ArtistCount

        def requires(self):
            return Streams(date=self.date)

        def output(self):
            return LocalTarget(f"data/artist_counts/{self.date}")

A task that requires another MRJobTask reads its output directory: chaining needs no glue.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from streamflow.errors import TaskDefinitionError
from streamflow.mr.runners import runner_class
from streamflow.task import Task, flatten

__all__ = ["MRJobTask"]


class MRJobTask(Task):
    """Runs ``job_class`` (an MRJob subclass) over ``input()`` into ``output()``."""

    job_class: ClassVar[type | None] = None

    def job_args(self) -> list[str]:
        """Extra (passthru) arguments for the job; none by default."""
        return []

    def input_paths(self) -> list[str]:
        """The paths of every input target (directories mean their part files)."""
        return [str(target.path) for target in flatten(self.input())]

    def output_path(self) -> str:
        """The path of the single output target: the job's output directory."""
        outputs = flatten(self.output())
        if len(outputs) != 1 or not hasattr(outputs[0], "path"):
            raise TaskDefinitionError(
                f"{self!r}.output() must return exactly one target (the output directory), "
                f"got {outputs!r}",
                hint="return one LocalTarget or HdfsTarget naming the directory to write",
            )
        return str(outputs[0].path)

    def make_job(self) -> Any:
        """The job instance, built from its command-line arguments like a script run."""
        if self.job_class is None:
            raise TaskDefinitionError(
                f"{type(self).__name__} has no job_class",
                hint="set job_class = YourMRJob on the task class",
            )
        inputs = self.input_paths()
        if not inputs:
            raise TaskDefinitionError(
                f"{self!r} has no inputs: requires() gives no targets to run the job on",
                hint="require the task (or ExternalTask) whose output the job reads",
            )
        return self.job_class([*inputs, *self.job_args(), "-o", self.output_path()])

    def runner_options(self, runner: str) -> dict[str, Any]:
        """Explicit runner options from the run's config."""
        mr = self.config.mr
        tmp_dir = mr.tmp_dir or None
        if runner == "inline":
            return {"tmp_dir": tmp_dir, "shuffle_memory_mb": mr.shuffle_memory_mb}
        if runner == "local":
            return {
                "tmp_dir": tmp_dir,
                "shuffle_memory_mb": mr.shuffle_memory_mb,
                "num_cores": mr.num_cores,
            }
        return {"tmp_dir": tmp_dir, "config": self.config.hadoop}

    def run(self) -> None:
        """Run the job with the configured runner; the output appears only on success."""
        job = self.make_job()
        runner_name = self.config.mr.runner
        options = self.runner_options(runner_name)
        if runner_name == "inline":
            options["job_class"] = type(job)
        parent = os.path.dirname(os.path.abspath(self.output_path()))
        if runner_name != "hadoop":
            os.makedirs(parent, exist_ok=True)
        with runner_class(runner_name)(job.job_spec(), **options) as runner:
            runner.run()
            self.counters = runner.counters()
