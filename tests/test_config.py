"""Config: defaults, file, environment and command line, in that order of precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamflow.config import Config, load_config
from streamflow.errors import ConfigError, UsageError
from streamflow.load.url import redact_url


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture(autouse=True)
def no_project_config(tmp_path, monkeypatch):
    # Tests run in an empty directory so the repository's own conf/ is not picked up.
    monkeypatch.chdir(tmp_path)


def test_defaults_when_nothing_is_configured():
    config = load_config(env={})
    assert config.core.workers == 1
    assert config.core.lock is True
    assert config.mr.runner == "inline"
    assert config.hadoop.python_bin == "python3"
    assert config.db.url == ""
    assert config.source == ""
    assert str(Path(config.core.lock_pid_dir)).startswith("/")


def test_file_overrides_defaults(tmp_path):
    file = write(tmp_path / "c.toml", "[core]\nworkers = 3\n[mr]\nrunner = 'local'\n")
    config = load_config(path=file, env={})
    assert (config.core.workers, config.mr.runner) == (3, "local")
    assert config.source == str(file)


def test_environment_overrides_file(tmp_path):
    file = write(tmp_path / "c.toml", "[core]\nworkers = 3\nlock = true\n")
    env = {"STREAMFLOW_CORE_WORKERS": "5", "STREAMFLOW_CORE_LOCK": "false"}
    config = load_config(path=file, env=env)
    assert (config.core.workers, config.core.lock) == (5, False)


def test_command_line_overrides_environment(tmp_path):
    file = write(tmp_path / "c.toml", "[core]\nworkers = 3\n")
    env = {"STREAMFLOW_CORE_WORKERS": "5"}
    config = load_config(path=file, env=env, overrides={"core.workers": 7, "core.lock": None})
    assert config.core.workers == 7
    assert config.core.lock is True  # None means "not given on the command line"


def test_db_url_from_environment_variable():
    config = load_config(env={"STREAMFLOW_DB_URL": "postgresql://u:pw@h/db"})
    assert config.db.url == "postgresql://u:pw@h/db"


def test_project_config_is_found_from_a_subdirectory(tmp_path, monkeypatch):
    write(tmp_path / "conf" / "streamflow.toml", "[hadoop]\nkeep_tmp = true\n")
    (tmp_path / "jobs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "jobs" / "deep")
    config = load_config(env={})
    assert config.hadoop.keep_tmp is True
    assert config.source == str(tmp_path / "conf" / "streamflow.toml")


def test_streamflow_config_variable_names_the_file(tmp_path):
    file = write(tmp_path / "elsewhere.toml", "[mr]\nnum_cores = 2\n")
    assert load_config(env={"STREAMFLOW_CONFIG": str(file)}).mr.num_cores == 2


def test_missing_explicit_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml.*does not exist"):
        load_config(path=tmp_path / "nope.toml", env={})


def test_unknown_key_in_file_names_key_and_file(tmp_path):
    file = write(tmp_path / "c.toml", "[core]\nworkres = 3\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path=file, env={})
    assert "'workres'" in str(caught.value)
    assert str(file) in str(caught.value)
    assert caught.value.exit_code == 2


def test_unknown_section_in_file_is_an_error(tmp_path):
    file = write(tmp_path / "c.toml", "[spark]\nmaster = 'x'\n")
    with pytest.raises(ConfigError, match=r"unknown section \[spark\]") as caught:
        load_config(path=file, env={})
    assert str(file) in str(caught.value)


def test_wrong_type_in_file_names_key_and_file(tmp_path):
    file = write(tmp_path / "c.toml", "[core]\nworkers = 'four'\n")
    with pytest.raises(ConfigError, match=r"core.workers must be int, got 'four' \(file .*c.toml"):
        load_config(path=file, env={})


def test_bool_is_not_accepted_as_an_int(tmp_path):
    file = write(tmp_path / "c.toml", "[core]\nworkers = true\n")
    with pytest.raises(ConfigError, match=r"core\.workers must be int"):
        load_config(path=file, env={})


def test_invalid_toml_is_a_config_error(tmp_path):
    file = write(tmp_path / "c.toml", "[core\nworkers = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path=file, env={})


def test_unknown_choice_is_an_error():
    with pytest.raises(ConfigError, match=r"mr\.runner must be one of inline, local, hadoop"):
        load_config(env={"STREAMFLOW_MR_RUNNER": "spark"})


def test_log_level_is_case_insensitive_in_file_and_environment_as_on_the_command_line(tmp_path):
    file = write(tmp_path / "c.toml", "[core]\nlog_level = 'debug'\n")
    assert load_config(path=file, env={}).core.log_level == "DEBUG"
    assert load_config(env={"STREAMFLOW_CORE_LOG_LEVEL": "Warning"}).core.log_level == "WARNING"
    with pytest.raises(ConfigError, match=r"core\.log_level must be one of DEBUG"):
        load_config(env={"STREAMFLOW_CORE_LOG_LEVEL": "loud"})


def test_zero_workers_is_an_error():
    with pytest.raises(ConfigError, match=r"core\.workers must be at least 1"):
        load_config(env={}, overrides={"core.workers": 0})


def test_unknown_environment_key_of_a_known_section_is_an_error():
    with pytest.raises(ConfigError, match="STREAMFLOW_CORE_WORKRES"):
        load_config(env={"STREAMFLOW_CORE_WORKRES": "2"})


def test_unrelated_streamflow_environment_variables_are_ignored():
    config = load_config(env={"STREAMFLOW_TEST_SOMETHING": "x"})
    assert config == load_config(env={})


def test_bad_integer_in_environment_names_the_variable():
    with pytest.raises(UsageError, match="STREAMFLOW_MR_NUM_CORES must be an integer"):
        load_config(env={"STREAMFLOW_MR_NUM_CORES": "many"})


def test_config_repr_hides_the_database_password():
    config = load_config(env={"STREAMFLOW_DB_URL": "postgresql://ann:s3cret@db:5432/music"})
    assert "s3cret" not in repr(config)
    assert "postgresql://ann:***@db:5432/music" in repr(config)


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("postgresql://ann:pa/ss@db:5432/music", "pa/ss"),  # a raw '/' in the password
        ("postgresql://ann:p@ss@db/music", "ss@db"),  # a raw '@': mask up to the last one
        ("postgresql://ann@db/music?password=s3cret", "s3cret"),  # libpq's query parameter
    ],
)
def test_config_repr_hides_awkward_passwords_whole(url, secret):
    shown = repr(load_config(env={"STREAMFLOW_DB_URL": url}))
    assert secret not in shown and "***" in shown
    assert "@db" in shown  # the host is still shown


def test_redact_url_leaves_urls_without_password_alone():
    assert redact_url("postgresql://ann@db/music") == "postgresql://ann@db/music"
    assert redact_url("sqlite:///data/x.sqlite3") == "sqlite:///data/x.sqlite3"


def test_config_is_frozen():
    config = Config()
    with pytest.raises(AttributeError):
        config.core.workers = 4  # type: ignore[misc]


def test_example_config_lists_every_key_with_its_default():
    example = Path(__file__).resolve().parents[1] / "conf" / "streamflow.toml"
    config = load_config(path=example, env={})
    defaults = Config()
    assert config.mr == defaults.mr
    assert config.hadoop == defaults.hadoop
    assert config.db == defaults.db
    assert config.core.workers == defaults.core.workers
    text = example.read_text()
    for section in ("core", "mr", "hadoop", "db"):
        for key in getattr(defaults, section).__dataclass_fields__:
            assert f"{key} =" in text, f"{section}.{key} is missing from conf/streamflow.toml"
