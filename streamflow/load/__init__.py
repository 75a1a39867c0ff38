"""Loading results into a database: CopyToTable, PostgreSQL COPY and embedded SQLite.

Names are imported on first use, so that ``streamflow.load.url`` (which the configuration
uses to mask passwords) costs no import of the task machinery.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CopyToTable": "streamflow.load.table",
    "TableMarker": "streamflow.load.table",
    "DatabaseUrl": "streamflow.load.url",
    "parse_database_url": "streamflow.load.url",
    "redact_url": "streamflow.load.url",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'streamflow.load' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
