"""What only PostgreSQL has: logins, unreachable servers, type checks, libpq's password sources."""

from __future__ import annotations

import logging
import socket

import pytest

from streamflow.errors import DatabaseError
from tests.load.tasks import LoadPlays, LoadValues, bind

SECRET = "s3cr3t-Pa55word"


def write_plays(tmp_path, text: str = "Abba\t3\nBach\t12\n") -> str:
    path = tmp_path / "plays.tsv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def role(pg):
    """A login role that must give SECRET, owning the test database."""
    name = f"loader_{pg.name}"
    pg.server.create_role(name, SECRET)
    pg.execute(
        f'GRANT ALL ON DATABASE "{pg.name}" TO "{name}"', f'GRANT ALL ON SCHEMA public TO "{name}"'
    )
    return name


def test_unreachable_server_names_host_and_port_but_not_the_password(tmp_path, caplog):
    port = closed_port()
    url = f"postgresql://loader:{SECRET}@127.0.0.1:{port}/warehouse"
    task = bind(LoadPlays(path=write_plays(tmp_path)), url)
    caplog.set_level(logging.DEBUG)
    for attempt in (task.complete, task.run):
        with pytest.raises(DatabaseError) as caught:
            attempt()
        text = f"{caught.value}\n{caught.value.hint}"
        assert f"cannot reach PostgreSQL at 127.0.0.1:{port}" in text
        assert "running" in caught.value.hint
        assert "loader:***@127.0.0.1" in text
        assert SECRET not in text
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert SECRET not in caplog.text


def test_wrong_password_is_reported_as_a_refused_login(pg, role, tmp_path, caplog):
    url = pg.server.url(pg.name, user=role, password="not-" + SECRET)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DatabaseError) as caught:
        bind(LoadPlays(path=write_plays(tmp_path)), url).run()
    assert "refused the login" in str(caught.value)
    assert "password authentication failed" in str(caught.value)
    assert "PGPASSWORD" in caught.value.hint and ".pgpass" in caught.value.hint
    assert SECRET not in str(caught.value) and SECRET not in caplog.text


def test_missing_password_is_reported_as_a_refused_login(pg, role, tmp_path, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pgpass"))
    with pytest.raises(DatabaseError, match="refused the login"):
        bind(LoadPlays(path=write_plays(tmp_path)), pg.server.url(pg.name, user=role)).run()


def test_password_in_the_url_works_and_never_reaches_logs_or_reprs(pg, role, tmp_path, caplog):
    url = pg.server.url(pg.name, user=role, password=SECRET)
    task = bind(LoadPlays(path=write_plays(tmp_path)), url)
    caplog.set_level(logging.DEBUG)
    task.run()
    assert task.complete()
    assert pg.rows("plays") == [("Abba", 3), ("Bach", 12)]
    assert "loaded 2 rows into plays" in caplog.text
    shown = [caplog.text, repr(task.output()), str(task.output()), task.output().path]
    shown += [repr(task.database_url()), str(task.database_url()), repr(task.config)]
    for text in shown:
        assert SECRET not in text
    assert f"{role}:***@" in task.output().path


def test_pgpassword_from_the_environment_is_used(pg, role, tmp_path, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", SECRET)
    bind(LoadPlays(path=write_plays(tmp_path)), pg.server.url(pg.name, user=role)).run()
    assert pg.rows("plays") == [("Abba", 3), ("Bach", 12)]


def test_pgpass_file_in_home_is_used(pg, role, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    pgpass = home / ".pgpass"
    pgpass.write_text(f"127.0.0.1:{pg.server.port}:{pg.name}:{role}:{SECRET}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.delenv("PGPASSFILE", raising=False)
    bind(LoadPlays(path=write_plays(tmp_path)), pg.server.url(pg.name, user=role)).run()
    assert pg.rows("plays") == [("Abba", 3), ("Bach", 12)]


def test_missing_database_says_how_to_create_it(pg, tmp_path):
    url = pg.server.url("no_such_db")
    with pytest.raises(DatabaseError) as caught:
        bind(LoadPlays(path=write_plays(tmp_path)), url).run()
    assert 'database "no_such_db" does not exist' in str(caught.value)
    assert "createdb" in caught.value.hint


def test_value_the_column_type_rejects_names_file_line_and_column(pg, tmp_path):
    path = write_plays(tmp_path, "Abba\t3\nBach\ttwelve\n")
    task = bind(LoadPlays(path=path), pg.url)
    with pytest.raises(DatabaseError) as caught:
        task.run()
    message = str(caught.value)
    assert f"{path}, line 2" in message
    assert "column streams" in message and "twelve" in message
    assert not pg.table_exists("plays") and pg.markers() == []


def test_declared_types_are_compared_by_meaning_not_spelling(pg, tmp_path):
    class Typed(LoadPlays):
        table = "typed"
        columns = [("artist", "varchar(40) NOT NULL"), ("streams", "INT")]

    bind(Typed(path=write_plays(tmp_path, "Abba\t3\n")), pg.url).run()
    other = tmp_path / "other.tsv"
    other.write_text("Bach\t12\n")
    bind(Typed(path=str(other)), pg.url).run()  # same table, created by the first load
    assert pg.rows("typed") == [("Abba", 3), ("Bach", 12)]


def test_schema_qualified_table_is_quoted_per_part(pg, tmp_path):
    pg.execute('CREATE SCHEMA "Analytics"')

    class IntoSchema(LoadPlays):
        table = "Analytics.Top plays"

    bind(IntoSchema(path=write_plays(tmp_path)), pg.url).run()
    assert pg.query('SELECT * FROM "Analytics"."Top plays" ORDER BY 1') == [
        ("Abba", 3),
        ("Bach", 12),
    ]


def test_role_without_create_privilege_loads_into_existing_tables(pg, tmp_path):
    bind(LoadPlays(path=write_plays(tmp_path, "Abba\t3\n")), pg.url).run()  # as the admin
    name = f"inserter_{pg.name}"
    pg.server.create_role(name, SECRET)
    pg.execute(
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f'GRANT SELECT, INSERT ON plays, streamflow_markers TO "{name}"',
    )
    other = tmp_path / "other.tsv"
    other.write_text("Bach\t12\n")
    bind(LoadPlays(path=str(other)), pg.server.url(pg.name, user=name, password=SECRET)).run()
    assert pg.rows("plays") == [("Abba", 3), ("Bach", 12)]
    assert len(pg.markers()) == 2


def test_text_arrives_intact_whatever_client_encoding_the_environment_sets(
    pg, tmp_path, monkeypatch
):
    # COPY data is UTF-8; a LATIN1 client encoding would turn "Björk" into "BjÃ¶rk".
    monkeypatch.setenv("PGCLIENTENCODING", "LATIN1")
    bind(LoadPlays(path=write_plays(tmp_path, "Björk\t3\n")), pg.url).run()
    cls = type("LoadOdd", (LoadValues,), {"values": [("Sigur Rós ✓", 1)]})
    bind(cls(name="utf8"), pg.url).run()
    monkeypatch.delenv("PGCLIENTENCODING")
    assert pg.rows("plays") == [("Björk", 3)]
    assert pg.rows("items") == [("Sigur Rós ✓", 1)]
