"""Database URLs: which backend they name, and a redacted form that is safe to print."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from streamflow.errors import ConfigError

POSTGRES_SCHEMES = ("postgresql", "postgres")
SQLITE_SCHEME = "sqlite"
MASK = "***"

# Anything that looks like a password in free text: "user:secret@" in a URL's authority,
# and password=... as a query or keyword/value parameter.
# Greedy up to the last "@": an unencoded "@" or "/" in a password must not leak its tail.
_AUTHORITY_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)\S*(?=@)", re.I)
_PASSWORD_PARAM = re.compile(r"(?P<head>\bpassword\s*=\s*)('[^']*'|[^&\s]*)", re.I)
# The same in one whole URL, where a password may also hold spaces.
_URL_PASSWORD = re.compile(r"^(?P<head>[a-z][a-z0-9+.-]*://[^:/@]*:).*(?=@)", re.I | re.S)
_URL_PASSWORD_PARAM = re.compile(r"(?P<head>[?&]password=)[^&]*", re.I)
_BAD_PERCENT = re.compile(r"%(?![0-9a-fA-F]{2})")
ENCODING_HINT = (
    "percent-encode these characters in the user name and password: @ as %40, / as %2F, "
    "? as %3F, # as %23, % as %25; or leave the password out of the URL and put it in "
    "PGPASSWORD or ~/.pgpass"
)


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed database URL; ``str()`` and ``repr()`` show only the redacted form."""

    url: str = field(repr=False)
    scheme: str
    redacted: str
    host: str = ""
    port: int | None = None
    sqlite_path: str = ""
    password: str = field(default="", repr=False)

    @property
    def is_postgres(self) -> bool:
        """True for postgresql:// and postgres:// URLs."""
        return self.scheme in POSTGRES_SCHEMES

    def __str__(self) -> str:
        return self.redacted

    def __repr__(self) -> str:
        return f"DatabaseUrl({self.redacted!r})"

    def scrub(self, text: str) -> str:
        """``text`` with this URL's password (raw or percent-encoded) and URL passwords masked."""
        text = redact_text(text)
        if self.password:
            for secret in {self.password, unquote(self.password)}:
                if secret:
                    text = text.replace(secret, MASK)
        return text


def redact_text(text: str) -> str:
    """Mask anything shaped like a password in ``text`` (URL authority, password=...)."""
    text = _AUTHORITY_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
    return _PASSWORD_PARAM.sub(lambda m: m.group("head") + MASK, text)


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (``postgresql://user:***@host:port/db``).

    Everything between ``user:`` and the last ``@`` is masked, so a password left with a
    raw ``@``, ``/`` or space in it is hidden whole.
    """
    url = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, url)
    return _URL_PASSWORD_PARAM.sub(lambda m: m.group("head") + MASK, url)


def parse_database_url(url: str) -> DatabaseUrl:
    """Parse a ``postgresql://`` or ``sqlite:///path`` URL; ConfigError for anything else."""
    redacted = redact_url(url)
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme == SQLITE_SCHEME:
        return _parse_sqlite(url, redacted)
    if scheme in POSTGRES_SCHEMES:
        return _parse_postgres(url, scheme, redacted)
    # Without a scheme we cannot tell where a password would be: do not echo the text.
    shown = f"database URL {redacted!r}" if scheme else "a database URL without a scheme"
    raise ConfigError(
        f"unsupported {shown}: expected postgresql://user@host:port/dbname "
        "or sqlite:///path/to/file.sqlite3",
        hint="fix --db-url, STREAMFLOW_DB_URL or [db] url in the config file",
    )


def _parse_sqlite(url: str, redacted: str) -> DatabaseUrl:
    # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy spells them.
    rest = url[len("sqlite://") :]
    if not rest.startswith("/") or rest == "/":
        raise ConfigError(
            f"SQLite URL {redacted!r} has no file path",
            hint="write sqlite:///relative/path.sqlite3 or sqlite:////absolute/path.sqlite3",
        )
    path = unquote(rest[1:].split("?", 1)[0])
    return DatabaseUrl(url=url, scheme=SQLITE_SCHEME, redacted=redacted, sqlite_path=path)


def _check_postgres_syntax(url: str, redacted: str) -> None:
    """Refuse URLs that libpq and urlsplit() would read differently.

    libpq ends the user and password at the first ``@`` and the host at the first ``/``;
    urlsplit() takes the last ``@`` before the first ``/``, ``?`` or ``#``. Either way a raw
    special character in the password would put part of it in the host or database name,
    where error messages show it.
    """
    rest = url.split("://", 1)[1]
    authority, _, after = rest.partition("/")
    credentials = authority.rpartition("@")[0]
    path = after.split("?", 1)[0]
    if authority.count("@") > 1 or "@" in path or any(c in credentials for c in "?#"):
        raise ConfigError(
            f"database URL {redacted!r} is ambiguous: its user name or password holds a raw "
            "'@', '/', '?' or '#'",
            hint=ENCODING_HINT,
        )
    if _BAD_PERCENT.search(url):
        raise ConfigError(
            f"database URL {redacted!r} holds a '%' that does not start a %XX escape",
            hint=ENCODING_HINT,
        )


def _parse_postgres(url: str, scheme: str, redacted: str) -> DatabaseUrl:
    _check_postgres_syntax(url, redacted)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(
            f"database URL {redacted!r} has an invalid port",
            hint="write postgresql://user@host:5432/dbname",
        ) from None
    host = parts.hostname or query.get("host", "")
    password = parts.password or query.get("password", "")
    if port is None and query.get("port", "").isdigit():
        port = int(query["port"])
    return DatabaseUrl(
        url=url,
        scheme=scheme,
        redacted=redacted,
        host=host,
        port=port,
        password=password,
    )


def sqlite_url_for(path: str | Path) -> str:
    """The sqlite:/// URL of a file path (relative or absolute)."""
    return f"sqlite:///{path}"
