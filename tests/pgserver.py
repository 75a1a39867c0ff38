"""A throwaway PostgreSQL server for tests and benchmarks, started from the machine's binaries.

One server per test session (the ``postgres_server`` fixture); each test takes a fresh
database from it. Over TCP on 127.0.0.1 the admin role needs no password (trust) and every
other role must give one (scram), so tests can prove both passwordless and password logins.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

ADMIN = "sf_admin"


def find_binary(name: str) -> str:
    """Path of a PostgreSQL server program: on PATH, else the newest /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise RuntimeError(
        f"PostgreSQL program {name!r} not found on PATH or under /usr/lib/postgresql/*/bin; "
        "install the distribution's postgresql package (scripts/test does this)"
    )


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as when we are root (postgres refuses root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' account exists")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server: connection URLs, fresh databases and roles, and ``stop()``."""

    base_dir: Path
    port: int
    process: subprocess.Popen
    host: str = "127.0.0.1"
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, dbname: str = "postgres", user: str = ADMIN, password: str | None = None) -> str:
        """A postgresql:// URL for ``user`` (the password is put in the URL only if given)."""
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"

    def admin_connection(self, dbname: str = "postgres"):
        """An autocommit connection as the admin role."""
        conn = psycopg2.connect(self.url(dbname))
        conn.autocommit = True
        return conn

    def admin_execute(
        self, statement: sql.Composable, params: tuple = (), dbname: str = "postgres"
    ) -> None:
        """Run one statement as the admin role, outside any transaction."""
        conn = self.admin_connection(dbname)
        try:
            with conn.cursor() as cur:
                cur.execute(statement, params or None)
        finally:
            conn.close()

    def create_database(self, owner: str = ADMIN) -> str:
        """Create an empty database and return its name."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.admin_execute(
            sql.SQL("CREATE DATABASE {} OWNER {} TEMPLATE template0 STRATEGY file_copy").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )
        return name

    def create_role(self, name: str, password: str) -> None:
        """Create a login role that must authenticate with ``password``."""
        self.admin_execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(name)), (password,)
        )

    def stop(self) -> None:
        """Fast shutdown (roll back open transactions), then remove the data directory."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.base_dir, ignore_errors=True)

    @property
    def log_text(self) -> str:
        """The server's log so far (for diagnosing a failed start)."""
        log = self.base_dir / "server.log"
        return log.read_text(errors="replace") if log.exists() else ""


HBA = f"""\
local all all trust
host all {ADMIN} 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""


def start_server(durable: bool = False, timeout: float = 30.0) -> PostgresServer:
    """initdb into a temp dir and start a server on a free port; ``durable`` keeps fsync on."""
    user = _server_user()
    base = Path(tempfile.mkdtemp(prefix="streamflow-pg-"))
    data = base / "data"
    as_user: dict = {}
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
        as_user = {"user": user.pw_uid, "group": user.pw_gid}
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    env.pop("PGDATA", None)
    # cwd=base: the server user may not be able to enter the caller's working directory.
    initdb = subprocess.run(
        [find_binary("initdb"), "-D", str(data), "-U", ADMIN, "--auth=trust", "--encoding=UTF8",
         "--locale=C", "--no-sync"],
        cwd=base, env=env, capture_output=True, text=True, **as_user,
    )  # fmt: skip
    if initdb.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"initdb failed:\n{initdb.stdout}\n{initdb.stderr}")
    (data / "pg_hba.conf").write_text(HBA)
    settings = ["listen_addresses=127.0.0.1", f"unix_socket_directories={base}",
                "max_connections=40", "shared_buffers=64MB", "logging_collector=off"]  # fmt: skip
    if not durable:
        settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
    last_error = ""
    for _attempt in range(3):
        port = _free_port()
        argv = [find_binary("postgres"), "-D", str(data), "-p", str(port)]
        for setting in settings:
            argv += ["-c", setting]
        log = open(base / "server.log", "ab")  # noqa: SIM115 - the server keeps it
        process = subprocess.Popen(
            argv, cwd=base, env=env, stdout=log, stderr=log, start_new_session=True, **as_user
        )
        log.close()
        server = PostgresServer(base_dir=base, port=port, process=process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                psycopg2.connect(server.url(), connect_timeout=2).close()
                return server
            except psycopg2.OperationalError as exc:
                last_error = str(exc)
                time.sleep(0.05)
        if process.poll() is None:
            process.kill()
            process.wait()
        last_error = f"{last_error}\n{server.log_text}"
    shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole test session."""
    server = start_server()
    try:
        yield server
    finally:
        server.stop()
