"""Counts words (mapper, combiner, reducer), with a passthru option and a counter."""

from streamflow.mr import MRJob


class WordCount(MRJob):
    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg("--min-count", type=int, default=1)

    def mapper(self, _, line):
        for word in line.split():
            self.increment_counter("words", "seen")
            yield word.lower(), 1

    def combiner(self, word, counts):
        yield word, sum(counts)

    def reducer(self, word, counts):
        total = sum(counts)
        if total >= self.options.min_count:
            yield word, total


if __name__ == "__main__":
    WordCount.run()
