"""streamflow: Python MapReduce jobs on Hadoop, chained into dependable pipelines.

The public API is imported lazily, so that ``streamflow.mr``'s task-side modules, which
run on cluster nodes with the standard library only, can be imported without it.
"""

from __future__ import annotations

from streamflow.lazy import lazy_exports

_EXPORTS = {
    "Task": "streamflow.task",
    "ExternalTask": "streamflow.task",
    "WrapperTask": "streamflow.task",
    "Parameter": "streamflow.parameter",
    "IntParameter": "streamflow.parameter",
    "FloatParameter": "streamflow.parameter",
    "BoolParameter": "streamflow.parameter",
    "ChoiceParameter": "streamflow.parameter",
    "DateParameter": "streamflow.parameter",
    "MonthParameter": "streamflow.parameter",
    "DateIntervalParameter": "streamflow.parameter",
    "DateInterval": "streamflow.parameter",
    "LocalTarget": "streamflow.target",
    "HdfsTarget": "streamflow.target",
    "CopyToTable": "streamflow.load.table",
    "StreamflowError": "streamflow.errors",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
