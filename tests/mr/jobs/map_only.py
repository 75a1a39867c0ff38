"""A map-only job: each line tagged with the input file its task says it came from."""

import os

from streamflow.mr import MRJob, jobconf_from_env


class TagLines(MRJob):
    """Writes (input file name, line in upper case) for every line; no reducer."""

    def mapper(self, _, line):
        yield os.path.basename(jobconf_from_env("mapreduce.map.input.file")), line.upper()


if __name__ == "__main__":
    TagLines.run()
