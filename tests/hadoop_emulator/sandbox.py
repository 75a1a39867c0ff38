"""Make an emulated Hadoop installation for one test: HADOOP_HOME, HDFS, argv log."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

EMULATOR_DIR = Path(__file__).resolve().parent
STREAMING_JAR = "share/hadoop/tools/lib/hadoop-streaming-3.3.6.jar"


@dataclass
class HadoopSandbox:
    """One emulated cluster: where its files are and the environment that selects it."""

    home: Path
    hadoop_home: Path
    env: dict[str, str]

    @property
    def hdfs_root(self) -> Path:
        """The local directory standing in for HDFS's ``/``."""
        return self.home / "hdfs"

    @property
    def streaming_jar(self) -> Path:
        return self.hadoop_home / STREAMING_JAR

    @property
    def hadoop_bin(self) -> Path:
        return self.hadoop_home / "bin" / "hadoop"

    def local(self, hdfs_path: str) -> Path:
        """The local file behind an absolute HDFS path such as ``/user/me/x``."""
        return self.hdfs_root / hdfs_path.lstrip("/")

    def commands(self) -> list[list[str]]:
        """Every command line the emulator ran, oldest first."""
        log = self.home / "argv.log"
        if not log.exists():
            return []
        with open(log, encoding="utf-8") as lines:
            return [json.loads(line)["argv"] for line in lines]

    def clear_commands(self) -> None:
        (self.home / "argv.log").unlink(missing_ok=True)


def make_sandbox(
    root: Path,
    default_fs: str = "hdfs://emulated:8020",
    framework: str = "local",
    user: str = "tester",
) -> HadoopSandbox:
    """Create an emulated installation under ``root``; ``env`` holds the variables to set.

    The fake HADOOP_HOME has ``bin/hadoop`` and ``bin/yarn`` (running the emulator) and an
    empty streaming jar where distributions put it; ``env`` puts that ``bin`` on PATH.
    """
    home = root / "emulator"
    hadoop_home = root / "hadoop-3.3.6"
    (hadoop_home / "bin").mkdir(parents=True)
    for name in ("hadoop", "yarn"):
        # Naming this interpreter, without site-packages (-S -E: the emulator is standard
        # library only), starts several times faster than ``env python3`` through shims.
        wrapper = hadoop_home / "bin" / name
        command = f'exec "{sys.executable}" -S -E "{EMULATOR_DIR / name}" "$@"'
        wrapper.write_text(f"#!/bin/sh\n{command}\n")
        wrapper.chmod(0o755)
    jar = hadoop_home / STREAMING_JAR
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"")
    home.mkdir(parents=True)
    (home / "hdfs" / "user" / user).mkdir(parents=True)
    env = {
        "HADOOP_EMULATOR_HOME": str(home),
        "HADOOP_EMULATOR_DEFAULT_FS": default_fs,
        "HADOOP_EMULATOR_FRAMEWORK": framework,
        "HADOOP_USER_NAME": user,
        "HADOOP_HOME": str(hadoop_home),
        "PATH": f"{hadoop_home / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return HadoopSandbox(home=home, hadoop_home=hadoop_home, env=env)


@pytest.fixture(name="sandbox")
def hadoop_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> HadoopSandbox:
    """An emulated cluster (default FS ``hdfs://emulated:8020``, local job runner) that this
    test's environment selects, run from a fresh working directory.

    Import it where needed (``from tests.hadoop_emulator.sandbox import hadoop_sandbox``):
    it is the fixture ``sandbox``.
    """
    box = make_sandbox(tmp_path)
    for key in ("HADOOP_STREAMING_JAR", "HADOOP_EMULATOR_YARN_LOGS", "HADOOP_EMULATOR_NOISE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in box.env.items():
        monkeypatch.setenv(key, value)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return box
