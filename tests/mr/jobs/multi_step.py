"""Two steps: count words, then pick the most frequent word per first letter."""

from streamflow.mr import MRJob, MRStep


class MultiStep(MRJob):
    """Step 1 counts words; step 2 (reducer only after a mapper) keeps each letter's top word."""

    def steps(self):
        return [
            MRStep(mapper=self.mapper_words, combiner=self.sum_counts, reducer=self.sum_counts),
            MRStep(mapper=self.by_letter, reducer=self.top_word),
        ]

    def mapper_words(self, _, line):
        for word in line.split():
            yield word.lower(), 1

    def sum_counts(self, word, counts):
        yield word, sum(counts)

    def by_letter(self, word, count):
        yield word[0], [count, word]

    def top_word(self, letter, pairs):
        count, word = max(pairs)
        yield letter, [word, count]


if __name__ == "__main__":
    MultiStep.run()
