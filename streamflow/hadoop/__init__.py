"""Talking to a Hadoop installation: finding it, the ``hadoop jar`` command lines streamflow
builds, what ships with them, and reading what Hadoop and YARN print back.

The Hadoop runner (``streamflow.mr.runners.hadoop``) puts these together; the ``hadoop fs``
client lives with the other filesystems (``streamflow.fs.hadoop_cli``).
"""
