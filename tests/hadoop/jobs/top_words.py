"""Two steps: count words, then the top 3 as raw text lines (no tab in the output)."""

from streamflow.mr import MRJob, MRStep, RawValueProtocol


class TopWords(MRJob):
    OUTPUT_PROTOCOL = RawValueProtocol

    def steps(self):
        return [
            MRStep(mapper=self.mapper_words, reducer=self.reducer_count),
            MRStep(reducer=self.reducer_top),
        ]

    def mapper_words(self, _, line):
        for word in line.split():
            yield word, 1

    def reducer_count(self, word, counts):
        yield None, (sum(counts), word)

    def reducer_top(self, _, pairs):
        for count, word in sorted(pairs, key=lambda p: (-p[0], p[1]))[:3]:
            yield None, f"{word} {count}"


if __name__ == "__main__":
    TopWords.run()
