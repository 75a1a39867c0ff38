"""A task module importing a package that is not installed."""

import streamflow_no_such_package  # noqa: F401
