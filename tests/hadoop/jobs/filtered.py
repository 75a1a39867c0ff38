"""A mapper behind a shell pre-filter, and a reducer that is a shell command."""

from streamflow.mr import MRJob, MRStep


class Filtered(MRJob):
    def steps(self):
        return [
            MRStep(
                mapper=self.mapper,
                mapper_pre_filter="grep -v skip",
                reducer_cmd="uniq",
            )
        ]

    def mapper(self, _, line):
        yield line.upper(), None


if __name__ == "__main__":
    Filtered.run()
