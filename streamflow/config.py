"""One typed configuration, loaded once by the CLI and passed explicitly to whatever needs it.

Precedence, highest first: command line (``overrides``), environment
(``STREAMFLOW_<SECTION>_<KEY>``, ``STREAMFLOW_DB_URL``), the config file (TOML), defaults.
The file is ``path`` if given, else ``$STREAMFLOW_CONFIG``, else
``conf/streamflow.toml`` in the current directory or a parent.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamflow.errors import ConfigError
from streamflow.load.url import redact_url

ENV_PREFIX = "STREAMFLOW_"
CONFIG_ENV = "STREAMFLOW_CONFIG"
PROJECT_CONFIG = Path("conf") / "streamflow.toml"

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
RUNNERS = ("inline", "local", "hadoop")
HDFS_CLIENTS = ("auto", "libhdfs", "cli")


def default_lock_pid_dir() -> str:
    """A per-user directory for lock files, so users on a shared gateway never collide."""
    return os.path.join(tempfile.gettempdir(), f"streamflow-locks-{os.getuid()}")


@dataclass(frozen=True)
class CoreConfig:
    """``[core]``: how a run behaves as a whole."""

    workers: int = 1
    lock: bool = True
    lock_pid_dir: str = field(default_factory=default_lock_pid_dir)
    log_level: str = "INFO"
    log_file: str = ""
    data_dir: str = "data"


@dataclass(frozen=True)
class MrConfig:
    """``[mr]``: how MapReduce jobs run when not on Hadoop."""

    runner: str = "inline"
    num_cores: int = 0
    shuffle_memory_mb: int = 256
    tmp_dir: str = ""


@dataclass(frozen=True)
class HadoopConfig:
    """``[hadoop]``: where Hadoop is and how jobs are shipped to it."""

    hadoop_bin: str = ""
    streaming_jar: str = ""
    python_bin: str = "python3"
    tmp_dir: str = "tmp/streamflow"
    hdfs_client: str = "auto"
    hdfs_root: str = ""
    keep_tmp: bool = False


@dataclass(frozen=True)
class DbConfig:
    """``[db]``: where loads go; an empty url means the embedded SQLite database."""

    url: str = ""

    def __repr__(self) -> str:
        # Configs end up in tracebacks and debug logs; the password must not.
        return f"DbConfig(url={redact_url(self.url)!r})"


@dataclass(frozen=True)
class Config:
    """The whole configuration of one run: ``config.core.workers``, ``config.db.url``, ..."""

    core: CoreConfig = field(default_factory=CoreConfig)
    mr: MrConfig = field(default_factory=MrConfig)
    hadoop: HadoopConfig = field(default_factory=HadoopConfig)
    db: DbConfig = field(default_factory=DbConfig)
    source: str = ""  # the config file read, if any; for messages

    def replace(self, **sections: Any) -> Config:
        """A copy with some sections replaced."""
        return dataclasses.replace(self, **sections)


SECTIONS: dict[str, type] = {
    "core": CoreConfig,
    "mr": MrConfig,
    "hadoop": HadoopConfig,
    "db": DbConfig,
}

# Values that must come from a fixed set; checked wherever the value came from.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("core", "log_level"): LOG_LEVELS,
    ("mr", "runner"): RUNNERS,
    ("hadoop", "hdfs_client"): HDFS_CLIENTS,
}
MINIMUMS: dict[tuple[str, str], int] = {
    ("core", "workers"): 1,
    ("mr", "num_cores"): 0,
    ("mr", "shuffle_memory_mb"): 1,
}


def _field_types(section: str) -> dict[str, type]:
    types = {"int": int, "bool": bool, "str": str}
    return {f.name: types[str(f.type)] for f in dataclasses.fields(SECTIONS[section])}


def find_config_file(path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read: ``path``, else ``$STREAMFLOW_CONFIG``, else the project's own."""
    explicit = path or env.get(CONFIG_ENV)
    if explicit:
        chosen = Path(explicit)
        if not chosen.is_file():
            origin = "--config" if path else CONFIG_ENV
            raise ConfigError(
                f"config file {str(chosen)!r} (from {origin}) does not exist",
                hint="give the path of a TOML file, e.g. conf/streamflow.toml",
            )
        return chosen
    here = Path.cwd()
    for directory in (here, *here.parents):
        candidate = directory / PROJECT_CONFIG
        if candidate.is_file():
            return candidate
    return None


def _read_file(path: Path) -> dict[str, dict[str, Any]]:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"config file {str(path)!r} is not valid TOML: {error}",
            hint="fix the syntax; conf/streamflow.toml in the project shows every key",
        ) from None
    except OSError as error:
        raise ConfigError(f"cannot read config file {str(path)!r}: {error.strerror}") from None
    for section, values in data.items():
        if section not in SECTIONS:
            raise ConfigError(
                f"unknown section [{section}] in config file {str(path)!r}",
                hint=f"known sections: {', '.join(SECTIONS)}",
            )
        if not isinstance(values, dict):
            raise ConfigError(f"{section!r} in config file {str(path)!r} must be a [section]")
    return data


def _check_value(section: str, key: str, value: Any, origin: str) -> Any:
    """Validate a typed value (from TOML or the command line) for ``section.key``."""
    types = _field_types(section)
    if key not in types:
        raise ConfigError(
            f"unknown key {key!r} in [{section}] ({origin})",
            hint=f"keys of [{section}]: {', '.join(types)}",
        )
    expected = types[key]
    # bool is an int subclass in Python; a TOML `workers = true` is still a mistake.
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ConfigError(
            f"{section}.{key} must be {expected.__name__}, got {value!r} ({origin})",
            hint=f"e.g. {key} = {_example(expected)} under [{section}]",
        )
    if (section, key) == ("core", "log_level"):
        value = value.upper()  # as --log-level accepts it: debug, Debug, DEBUG
    choices = CHOICES.get((section, key))
    if choices and value not in choices:
        raise ConfigError(
            f"{section}.{key} must be one of {', '.join(choices)}, got {value!r} ({origin})"
        )
    minimum = MINIMUMS.get((section, key))
    if minimum is not None and value < minimum:
        raise ConfigError(f"{section}.{key} must be at least {minimum}, got {value} ({origin})")
    return value


def _example(kind: type) -> str:
    return {int: "4", bool: "true", str: '"text"'}[kind]


def _parse_env_value(section: str, key: str, text: str, name: str) -> Any:
    expected = _field_types(section)[key]
    if expected is int:
        try:
            return int(text)
        except ValueError:
            raise ConfigError(
                f"{name} must be an integer, got {text!r}", hint=f"e.g. {name}=4"
            ) from None
    if expected is bool:
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{name} must be true or false, got {text!r}", hint=f"e.g. {name}=true")
    return text


def _from_env(env: Mapping[str, str]) -> dict[tuple[str, str], Any]:
    """Settings from ``STREAMFLOW_<SECTION>_<KEY>`` variables.

    A variable naming a known section but an unknown key is an error (it is almost surely a
    typo); other ``STREAMFLOW_*`` variables are left alone for other tools.
    """
    found: dict[tuple[str, str], Any] = {}
    for name, text in env.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        rest = name[len(ENV_PREFIX) :].lower()
        section, _, key = rest.partition("_")
        if section not in SECTIONS or not key:
            continue
        if key not in _field_types(section):
            raise ConfigError(
                f"unknown setting {name} in the environment",
                hint=f"keys of [{section}]: {', '.join(_field_types(section))}; "
                f"unset it or fix the name",
            )
        value = _parse_env_value(section, key, text, name)
        found[(section, key)] = _check_value(section, key, value, f"environment {name}")
    return found


def _split_override(name: str) -> tuple[str, str]:
    section, dot, key = name.partition(".")
    if not dot or section not in SECTIONS:
        raise ConfigError(f"override {name!r} must look like 'section.key', e.g. 'core.workers'")
    return section, key


def load_config(
    path: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """Load the configuration: ``overrides`` (``{"core.workers": 2}``) > env > file > defaults.

    >>> load_config(env={}, overrides={"core.workers": 2}).core.workers
    2
    """
    env = os.environ if env is None else env
    settings: dict[tuple[str, str], Any] = {}
    file = find_config_file(path, env)
    if file is not None:
        for section, values in _read_file(file).items():
            for key, value in values.items():
                settings[(section, key)] = _check_value(section, key, value, f"file {file}")
    settings.update(_from_env(env))
    for name, value in (overrides or {}).items():
        if value is None:
            continue  # an option not given on the command line
        section, key = _split_override(name)
        settings[(section, key)] = _check_value(section, key, value, "command line")
    sections = {}
    for section, cls in SECTIONS.items():
        values = {key: value for (sec, key), value in settings.items() if sec == section}
        sections[section] = cls(**values)
    return Config(**sections, source=str(file) if file else "")
