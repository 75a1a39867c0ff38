"""Init and final methods: in-mapper counting, a reducer that also emits a grand total."""

from streamflow.mr import MRJob


class InitFinal(MRJob):
    """Counts artists in mapper_final; reducer_final adds a "__total__" row."""

    def mapper_init(self):
        self.counts = {}

    def mapper(self, _, line):
        artist = line.split("\t")[1]
        self.counts[artist] = self.counts.get(artist, 0) + 1
        return iter(())

    def mapper_final(self):
        yield from self.counts.items()

    def reducer_init(self):
        self.total = 0

    def reducer(self, artist, counts):
        count = sum(counts)
        self.total += count
        yield artist, count

    def reducer_final(self):
        yield "__total__", self.total


if __name__ == "__main__":
    InitFinal.run()
