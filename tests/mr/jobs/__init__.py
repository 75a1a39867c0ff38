"""Small fixture jobs for the MapReduce tests."""
