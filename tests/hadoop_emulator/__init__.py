"""A stand-in for a Hadoop cluster, for tests only: executables ``hadoop`` and ``yarn``.

See ``cluster.py`` for the environment that describes a cluster and ``sandbox.py`` for the
helper tests use to make one.
"""
