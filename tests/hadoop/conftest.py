"""Each test gets its own emulated Hadoop installation, selected by the environment; tests
that only look at one run share it through module fixtures (see test_runner.py)."""

from __future__ import annotations

import pytest

from tests.hadoop.running import write_inputs
from tests.hadoop_emulator.sandbox import hadoop_sandbox  # noqa: F401 - the sandbox fixture


@pytest.fixture
def inputs(tmp_path) -> list[str]:
    """Two small local text files."""
    return write_inputs(tmp_path)
