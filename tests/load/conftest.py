"""Fixtures for the load tests: one PostgreSQL server per session, and a fresh, empty place to
load into per test on each backend, with a way to read it back that does not go through
streamflow.

On PostgreSQL that place is a schema of its own in a shared database, made the first entry
of the connection's search_path through the URL (creating a database per test costs ten
times more); tests about logins, privileges and schemas get a whole database (``pg``).
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import sql

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


_schemas = itertools.count()


@pytest.fixture(scope="session")
def shared_database(request) -> str:
    """One database for the tests that each load into a schema of their own."""
    return request.getfixturevalue("postgres_server").create_database()


def new_postgres_schema(server: PostgresServer, dbname: str) -> Database:
    schema = f"load_test_{next(_schemas)}"
    server.admin_execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)), dbname=dbname)
    url = f"{server.url(dbname)}?options=-csearch_path%3D{schema}"
    return Database("postgresql", url, server=server, name=dbname)


@pytest.fixture(params=["postgresql", "sqlite"])
def db(request, tmp_path: Path) -> Database:
    """An empty place to load into on each backend in turn (a schema on PostgreSQL)."""
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")
        return new_postgres_schema(server, request.getfixturevalue("shared_database"))
    (tmp_path / "db").mkdir()
    return Database("sqlite", f"sqlite:///{tmp_path / 'db' / 'streamflow.sqlite3'}")


@pytest.fixture
def pg(request) -> Database:
    """An empty PostgreSQL database (for what only PostgreSQL has: logins, hosts, types)."""
    return new_postgres_database(request.getfixturevalue("postgres_server"))
