"""Tasks the load tests run, importable by the subprocesses some tests start."""

from __future__ import annotations

import sys

from streamflow import ExternalTask, LocalTarget, Parameter
from streamflow.config import load_config
from streamflow.load import CopyToTable


class TsvInput(ExternalTask):
    path = Parameter()

    def output(self):
        return LocalTarget(self.path)


class LoadPlays(CopyToTable):
    """Loads artist<TAB>streams lines from ``path``."""

    path = Parameter()
    table = "plays"
    columns = [("artist", "TEXT"), ("streams", "INTEGER")]

    def requires(self):
        return TsvInput(path=self.path)


class LoadPlaysTagged(LoadPlays):
    """Rows carry the loading task's id, so replace mode can find this task's rows."""

    task_column = "loaded_by"


class ReloadPlaysTagged(LoadPlaysTagged):
    replace = True
    task_family = "LoadPlaysTagged"  # the same task id as LoadPlaysTagged: a reload of it


class LoadPlaysIndexed(LoadPlays):
    post_load_sql = "CREATE INDEX plays_by_artist ON plays (artist)"


class LoadValues(CopyToTable):
    """Loads whatever rows the ``values`` class attribute of a subclass holds."""

    name = Parameter()
    table = "items"
    columns = [("label", "TEXT"), ("n", "INTEGER")]
    values: list[tuple] = []

    def rows(self):
        yield from self.values


def bind(task: CopyToTable, url: str, data_dir: str = "data") -> CopyToTable:
    """Give ``task`` a config whose database URL is ``url`` (as --db-url would)."""
    task.config = load_config(env={}, overrides={"db.url": url, "core.data_dir": data_dir})
    return task


if __name__ == "__main__":
    # python -m tests.load.tasks URL PATH [Tagged]: run one load, as a worker process would.
    cls = LoadPlaysTagged if sys.argv[3:] == ["Tagged"] else LoadPlays
    bind(cls(path=sys.argv[2]), sys.argv[1]).run()
