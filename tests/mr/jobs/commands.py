"""Command steps: shell mappers, reducers and pre-filters (local and hadoop runners only)."""

from streamflow.mr import JSONProtocol, MRJob, MRStep


class MapperCommand(MRJob):
    """awk emits ``"artist"<TAB>1`` lines (JSON); a Python reducer sums them.

    The reducer is the job's first Python substep, so it reads INPUT_PROTOCOL (as in mrjob).
    """

    INPUT_PROTOCOL = JSONProtocol

    def steps(self):
        return [
            MRStep(
                mapper_cmd="""awk -F'\\t' '{print "\\"" $2 "\\"\\t1"}'""",
                reducer=self.reducer,
            )
        ]

    def reducer(self, artist, counts):
        yield artist, sum(counts)


class ReducerCommand(MRJob):
    """A Python mapper, then ``uniq -c`` as the reducer over sorted ``"artist"<TAB>1`` lines."""

    def steps(self):
        return [MRStep(mapper=self.mapper, reducer_cmd="uniq -c")]

    def mapper(self, _, line):
        yield line.split("\t")[1], 1


class PreFilter(MRJob):
    """grep drops comment lines before the Python mapper; the combiner is Python too."""

    def steps(self):
        return [
            MRStep(
                mapper_pre_filter="grep -v '^#'",
                mapper=self.mapper,
                combiner_cmd="cat",
                reducer=self.reducer,
            )
        ]

    def mapper(self, _, line):
        yield line.split("\t")[1], 1

    def reducer(self, artist, counts):
        yield artist, sum(counts)


if __name__ == "__main__":
    MapperCommand.run()
