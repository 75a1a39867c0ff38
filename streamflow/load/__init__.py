"""Loading results into a database: CopyToTable, PostgreSQL COPY and embedded SQLite."""

from streamflow.load.table import CopyToTable, TableMarker
from streamflow.load.url import DatabaseUrl, parse_database_url, redact_url

__all__ = ["CopyToTable", "DatabaseUrl", "TableMarker", "parse_database_url", "redact_url"]
