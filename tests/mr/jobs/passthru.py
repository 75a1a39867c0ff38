"""Passthru and file arguments: --multiplier scales counts, --stop-words drops words."""

from streamflow.mr import MRJob


class Passthru(MRJob):
    """Word count times --multiplier, without the words listed in --stop-words."""

    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg("--multiplier", type=int, default=1)
        self.add_passthru_arg("--upper", action="store_true")
        self.add_file_arg("--stop-words")

    def mapper_init(self):
        self.stop = set()
        if self.options.stop_words:
            with open(self.options.stop_words, encoding="utf-8") as f:
                self.stop = {line.strip() for line in f}

    def mapper(self, _, line):
        for word in line.split():
            if word not in self.stop:
                yield word.upper() if self.options.upper else word, self.options.multiplier

    def reducer(self, word, counts):
        yield word, sum(counts)


if __name__ == "__main__":
    Passthru.run()
