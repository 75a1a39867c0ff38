"""Helpers for the MapReduce tests: small inputs and running a job to its output lines."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

RUNNERS = ("inline", "local")


@dataclass
class Result:
    """A finished job: its output lines (sorted, as bytes) and counters."""

    lines: list[bytes]
    counters: list[dict]
    output_dir: Path


def run_job(job_class: type, args: list[str], runner: str, out: Path) -> Result:
    """Run ``job_class`` with ``args`` on ``runner``, writing to ``out``."""
    job = job_class([*args, "-r", runner, "-o", str(out)])
    with job.make_runner() as mr_runner:
        mr_runner.run()
        lines = sorted(b"".join(mr_runner.cat_output()).splitlines())
        counters = mr_runner.counters()
    return Result(lines, counters, out)


@pytest.fixture
def write_input(tmp_path):
    """Write text lines to a file under tmp_path and return its path as str."""

    def write(name: str, lines: list[str] | str) -> str:
        path = tmp_path / name
        text = lines if isinstance(lines, str) else "".join(f"{line}\n" for line in lines)
        path.write_bytes(text.encode("utf-8"))
        return str(path)

    return write


def streams_lines(artists: list[str]) -> list[str]:
    """``timestamp<TAB>artist<TAB>track`` lines, one per artist given."""
    return [f"2012-06-01 00:{i % 60:02d}:00\t{a}\ttrack{i % 7}" for i, a in enumerate(artists)]


def json_lines(counts: dict) -> list[bytes]:
    """Expected JSONProtocol output for a {key: value} dict, sorted like Result.lines."""
    import json

    return sorted(f"{json.dumps(k)}\t{json.dumps(v)}".encode() for k, v in counts.items())


@pytest.fixture(autouse=True)
def _no_leaked_env():
    """Runners must restore the environment they change for tasks."""
    before = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    yield
    assert {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"} == before
