"""mapper_raw and jobconf_from_env: line counts per input file, two ways."""

import os

from streamflow.mr import MRJob, MRStep, jobconf_from_env


class RawFiles(MRJob):
    """mapper_raw counts each file's lines from the path it is given."""

    def steps(self):
        return [MRStep(mapper_raw=self.count_file, reducer=self.total)]

    def count_file(self, path, uri):
        with open(path, "rb") as f:
            yield os.path.basename(uri), sum(1 for _ in f)

    def total(self, name, counts):
        yield name, sum(counts)


class InputFileNames(MRJob):
    """Counts lines per input file name, as the task sees it in mapreduce.map.input.file.

    Also counts its map tasks (mapper_init calls) in the counter "tasks", "map".
    """

    def mapper_init(self):
        self.increment_counter("tasks", "map")

    def mapper(self, _, line):
        yield os.path.basename(jobconf_from_env("mapreduce.map.input.file")), 1

    def combiner(self, name, counts):
        yield name, sum(counts)

    def reducer(self, name, counts):
        yield name, sum(counts)


if __name__ == "__main__":
    RawFiles.run()
