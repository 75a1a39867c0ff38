"""streamflow: Python MapReduce jobs on Hadoop, chained into dependable pipelines."""
