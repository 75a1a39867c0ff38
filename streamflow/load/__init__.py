"""Loading results into a database: CopyToTable, PostgreSQL COPY and embedded SQLite.

Names are imported on first use, so that ``streamflow.load.url`` (which the configuration
uses to mask passwords) costs no import of the task machinery.
"""

from __future__ import annotations

from streamflow.lazy import lazy_exports

_EXPORTS = {
    "CopyToTable": "streamflow.load.table",
    "TableMarker": "streamflow.load.table",
    "DatabaseUrl": "streamflow.load.url",
    "parse_database_url": "streamflow.load.url",
    "redact_url": "streamflow.load.url",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_exports(__name__, _EXPORTS)
