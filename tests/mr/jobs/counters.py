"""Counters and status: counts lines and empty lines, reports a status per task."""

from streamflow.mr import MRJob


class Counters(MRJob):
    """Emits nothing but counters (and one output row per non-empty line's first field)."""

    def mapper_init(self):
        self.set_status("mapping")

    def mapper(self, _, line):
        self.increment_counter("lines", "seen")
        if not line.strip():
            self.increment_counter("lines", "empty")
            return
        self.increment_counter("chars, total", "count", len(line))
        yield line.split("\t")[0], 1

    def reducer(self, key, values):
        self.increment_counter("keys", "reduced")
        yield key, sum(values)


if __name__ == "__main__":
    Counters.run()
