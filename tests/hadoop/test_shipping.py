"""The code zip a job ships: the streamflow package and the job's modules, sources and
bytecode, importable by a bare Python on any version."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from streamflow.hadoop.shipping import write_code_zip
from tests.hadoop.jobs.word_count import WordCount

IMPORT = "import streamflow.mr.harness, tests.hadoop.jobs.word_count as m; print(m.__file__)"


@pytest.fixture
def code_zip(tmp_path) -> str:
    spec = WordCount(["-r", "hadoop", "in.txt"]).job_spec()
    return write_code_zip(str(tmp_path / "code.zip"), spec)


def bare_import(zip_path: str) -> subprocess.CompletedProcess:
    """Import the harness and the job from the zip alone, as a task does."""
    bare_python = os.path.join(sys.base_prefix, "bin", "python3")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": zip_path}
    return subprocess.run(
        [bare_python, "-c", IMPORT], capture_output=True, text=True, env=env, cwd="/"
    )


def test_the_zip_holds_the_package_and_the_jobs_package_as_sources_and_bytecode(code_zip):
    names = set(zipfile.ZipFile(code_zip).namelist())
    for module in ("streamflow/__init__", "streamflow/mr/harness", "streamflow/mr/job"):
        assert {f"{module}.py", f"{module}.pyc"} <= names
    for module in ("tests/__init__", "tests/hadoop/__init__", "tests/hadoop/jobs/word_count"):
        assert {f"{module}.py", f"{module}.pyc"} <= names
    imported = bare_import(code_zip)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip().endswith("code.zip/tests/hadoop/jobs/word_count.pyc")


def test_tasks_on_another_python_version_compile_the_sources(code_zip, tmp_path):
    # Bytecode from another version has another magic number: zipimport must skip it.
    foreign = str(tmp_path / "foreign.zip")
    with zipfile.ZipFile(code_zip) as source, zipfile.ZipFile(foreign, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(
                info, b"\x00\x00\r\n" + data[4:] if info.filename.endswith(".pyc") else data
            )
    imported = bare_import(foreign)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip().endswith("foreign.zip/tests/hadoop/jobs/word_count.py")
