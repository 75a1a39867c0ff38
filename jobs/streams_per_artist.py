"""Count streams per artist in ``timestamp<TAB>artist<TAB>track`` lines.

A module of its own because the Hadoop runner ships it to the cluster's nodes: it imports
the job API and the standard library only.
"""

from streamflow.mr import MRJob


class StreamsPerArtist(MRJob):
    """Streams per artist: ``"artist"<TAB>count`` lines (JSON key and value)."""

    def mapper(self, _, line):
        artist = line.split("\t", 2)[1]
        yield artist, 1

    def combiner(self, artist, counts):
        yield artist, sum(counts)

    def reducer(self, artist, counts):
        yield artist, sum(counts)


if __name__ == "__main__":
    StreamsPerArtist.run()
