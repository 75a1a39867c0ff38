"""MapReduce jobs, mrjob-compatible: port a job by changing its imports to streamflow.mr.

Only the task-side modules (job, step, protocol, compat) are imported here; runners load
lazily when a job is launched.
"""

from streamflow.mr.compat import jobconf_from_env
from streamflow.mr.job import MRJob
from streamflow.mr.protocol import (
    BytesProtocol,
    BytesValueProtocol,
    JSONProtocol,
    JSONValueProtocol,
    PickleProtocol,
    PickleValueProtocol,
    RawProtocol,
    RawValueProtocol,
    ReprProtocol,
    ReprValueProtocol,
    TextProtocol,
    TextValueProtocol,
)
from streamflow.mr.step import MRStep, StepFailedException

__all__ = [
    "BytesProtocol",
    "BytesValueProtocol",
    "JSONProtocol",
    "JSONValueProtocol",
    "MRJob",
    "MRStep",
    "PickleProtocol",
    "PickleValueProtocol",
    "RawProtocol",
    "RawValueProtocol",
    "ReprProtocol",
    "ReprValueProtocol",
    "StepFailedException",
    "TextProtocol",
    "TextValueProtocol",
    "jobconf_from_env",
]
