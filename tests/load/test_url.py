"""Database URLs: parsing, redaction, and which URL a task loads into."""

from __future__ import annotations

import pytest

from streamflow.config import load_config
from streamflow.errors import ConfigError
from streamflow.load.url import parse_database_url, redact_text, redact_url
from tests.load.tasks import LoadPlays


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ann:pw@db.example:5433/dw", "postgresql://ann:***@db.example:5433/dw"),
        ("postgresql://ann:p%40ss%2Fw@db/dw?sslmode=require", "postgresql://ann:***@db/dw?sslmode=require"),
        ("postgresql://ann:my secret@db/dw", "postgresql://ann:***@db/dw"),
        ("postgresql://ann@db/dw?password=pw&sslmode=require", "postgresql://ann@db/dw?password=***&sslmode=require"),
        ("postgresql://ann@db/dw", "postgresql://ann@db/dw"),
        ("sqlite:///data/streamflow.sqlite3", "sqlite:///data/streamflow.sqlite3"),
    ],
)  # fmt: skip
def test_redacted_url_hides_only_the_password(url, shown):
    assert redact_url(url) == shown
    parsed = parse_database_url(url)
    assert str(parsed) == shown and shown in repr(parsed)


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        ("postgresql://ann:p@ss@db/dw", "%40"),
        ("postgres://ann:p@ss/w:rd@db/dw", "%2F"),
        ("postgresql://ann:pa/ss@db:5432/dw", "%2F"),
        ("postgresql://ann:12/34@db/dw", "%2F"),
        ("postgresql://ann:50%off@db/dw", "%25"),
    ],
)
def test_special_characters_left_raw_in_a_password_are_refused_without_showing_it(url, fix):
    # libpq and a URL parser would split these differently: parts of the password would
    # end up as the host or the database name, and in their error messages.
    with pytest.raises(ConfigError) as caught:
        parse_database_url(url)
    text = f"{caught.value}\n{caught.value.hint}"
    assert fix in caught.value.hint
    for piece in ("p@ss", "ss/w", "w:rd", "pa/ss", "12/34", "50%off", ":p@", "/34", "%off"):
        assert piece not in text


def test_password_is_scrubbed_from_free_text_raw_and_percent_encoded():
    parsed = parse_database_url("postgresql://ann:p%40ss@db:5432/dw")
    text = parsed.scrub("failed for p@ss and p%40ss at postgresql://bob:other@h/x")
    assert "p@ss" not in text and "p%40ss" not in text and "other" not in text
    assert redact_text("host=h password=pw dbname=x") == "host=h password=*** dbname=x"


def test_postgres_url_parts_are_parsed():
    parsed = parse_database_url("postgresql://ann:pw@db.example:5433/dw")
    assert (parsed.is_postgres, parsed.host, parsed.port) == (True, "db.example", 5433)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///data/x.sqlite3", "data/x.sqlite3"),
        ("sqlite:////var/x.sqlite3", "/var/x.sqlite3"),
    ],
)
def test_sqlite_urls_give_relative_and_absolute_paths(url, path):
    parsed = parse_database_url(url)
    assert not parsed.is_postgres and parsed.sqlite_path == path


@pytest.mark.parametrize("url", ["mysql://ann:pw@db/dw", "ann:pw@db/dw", "sqlite://", "sqlite:///"])
def test_unsupported_urls_are_config_errors_without_the_password(url):
    with pytest.raises(ConfigError) as caught:
        parse_database_url(url)
    assert caught.value.exit_code == 2
    assert ":pw@" not in str(caught.value)


def task_url(tmp_path, env=None, overrides=None, cls=LoadPlays, file_url="") -> str:
    config_file = tmp_path / "streamflow.toml"
    config_file.write_text(f'[db]\nurl = "{file_url}"\n')
    task = cls(path="plays.tsv")
    task.config = load_config(path=config_file, env=env or {}, overrides=overrides)
    return task.database_url().url


class WithDefault(LoadPlays):
    db_url = "postgresql://class@default/dw"


def test_command_line_url_beats_environment_file_and_class_default(tmp_path):
    url = task_url(
        tmp_path,
        env={"STREAMFLOW_DB_URL": "postgresql://env@h/dw"},
        overrides={"db.url": "postgresql://cli@h/dw"},
        cls=WithDefault,
        file_url="postgresql://file@h/dw",
    )
    assert url == "postgresql://cli@h/dw"


def test_environment_url_beats_file_and_class_default(tmp_path):
    env = {"STREAMFLOW_DB_URL": "postgresql://env@h/dw"}
    url = task_url(tmp_path, env=env, cls=WithDefault, file_url="postgresql://file@h/dw")
    assert url == "postgresql://env@h/dw"


def test_config_file_url_beats_class_default(tmp_path):
    url = task_url(tmp_path, cls=WithDefault, file_url="postgresql://file@h/dw")
    assert url == "postgresql://file@h/dw"


def test_class_default_applies_when_nothing_is_configured(tmp_path):
    assert task_url(tmp_path, cls=WithDefault) == "postgresql://class@default/dw"


def test_embedded_sqlite_under_the_data_dir_is_the_last_resort(tmp_path):
    url = task_url(tmp_path, overrides={"core.data_dir": str(tmp_path)})
    assert url == f"sqlite:///{tmp_path}/streamflow.sqlite3"
    assert parse_database_url(url).sqlite_path == f"{tmp_path}/streamflow.sqlite3"
