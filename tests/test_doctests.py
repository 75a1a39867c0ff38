import doctest
import importlib

import pytest

MODULES = [
    "streamflow.parameter",
    "streamflow.task",
    "streamflow.target",
    "streamflow.fs.base",
    "streamflow.config",
    "streamflow.scheduler",
    "streamflow.graph",
    "streamflow.worker",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
