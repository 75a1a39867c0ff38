"""Fixtures for the load tests: one PostgreSQL server per session, and a fresh database per
test on each backend, with a way to read it back that does not go through streamflow."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from tests.pgserver import PostgresServer, postgres_server  # noqa: F401 - a fixture


@dataclass
class Database:
    """A fresh, empty database and plain DB-API access to it."""

    kind: str  # "postgresql" or "sqlite"
    url: str
    server: PostgresServer | None = None
    name: str = ""

    def connect(self):
        if self.kind == "postgresql":
            return psycopg2.connect(self.url)
        return sqlite3.connect(self.url.removeprefix("sqlite:///"))

    def query(self, statement: str, params: tuple = ()) -> list[tuple]:
        conn = self.connect()
        try:
            cur = conn.cursor()
            if self.kind == "postgresql":
                # psycopg2 reads % as a placeholder only when given parameters.
                cur.execute(statement.replace("?", "%s"), params or None)
            else:
                cur.execute(statement, params)
            return [tuple(row) for row in cur.fetchall()]
        finally:
            conn.close()

    def execute(self, *statements: str) -> None:
        conn = self.connect()
        try:
            cur = conn.cursor()
            for statement in statements:
                cur.execute(statement)
            conn.commit()
        finally:
            conn.close()

    def table_exists(self, table: str) -> bool:
        if self.kind == "postgresql":
            return self.query("SELECT to_regclass(?) IS NOT NULL", (table,))[0][0]
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)))

    def rows(self, table: str, order_by: str = "1") -> list[tuple]:
        if not self.table_exists(table):
            return []
        return self.query(f"SELECT * FROM {table} ORDER BY {order_by}")

    def markers(self) -> list[tuple]:
        if not self.table_exists("streamflow_markers"):
            return []
        return self.query("SELECT task_id, target_table FROM streamflow_markers ORDER BY 1, 2")


def new_postgres_database(server: PostgresServer) -> Database:
    name = server.create_database()
    return Database("postgresql", server.url(name), server=server, name=name)


@pytest.fixture(params=["postgresql", "sqlite"])
def db(request, tmp_path: Path) -> Database:
    """An empty database on each backend in turn."""
    if request.param == "postgresql":
        return new_postgres_database(request.getfixturevalue("postgres_server"))
    (tmp_path / "db").mkdir()
    return Database("sqlite", f"sqlite:///{tmp_path / 'db' / 'streamflow.sqlite3'}")


@pytest.fixture
def pg(request) -> Database:
    """An empty PostgreSQL database (for what only PostgreSQL has: logins, hosts, types)."""
    return new_postgres_database(request.getfixturevalue("postgres_server"))
