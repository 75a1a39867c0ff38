"""Maps words through a shipped table file, prefixed by a passthru option that may be empty."""

from streamflow.mr import MRJob


class Lookup(MRJob):
    def configure_args(self):
        super().configure_args()
        self.add_file_arg("--table")
        self.add_passthru_arg("--prefix", default="=")

    def mapper_init(self):
        with open(self.options.table, encoding="utf-8") as lines:
            self.table = dict(line.split() for line in lines)

    def mapper(self, _, line):
        for word in line.split():
            yield self.options.prefix + self.table.get(word, word), 1

    def reducer(self, word, counts):
        yield word, sum(counts)


if __name__ == "__main__":
    Lookup.run()
