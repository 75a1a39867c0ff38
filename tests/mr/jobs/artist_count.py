"""Streams per artist: the reference job (mapper, combiner and reducer that sum)."""

from streamflow.mr import MRJob


class ArtistCount(MRJob):
    """Counts lines per artist in ``timestamp<TAB>artist<TAB>track`` input."""

    def mapper(self, _, line):
        _timestamp, artist, _track = line.split("\t")
        yield artist, 1

    def combiner(self, artist, counts):
        yield artist, sum(counts)

    def reducer(self, artist, counts):
        yield artist, sum(counts)


if __name__ == "__main__":
    ArtistCount.run()
