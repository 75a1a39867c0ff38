"""A mapper and a reducer that fail on purpose, to test error reports."""

from streamflow.mr import MRJob


class FailingMapper(MRJob):
    """Raises on the line that contains "boom"."""

    def mapper(self, _, line):
        if "boom" in line:
            raise ValueError(f"cannot map {line!r}")
        yield line, 1

    def reducer(self, key, values):
        yield key, sum(values)


class FailingReducer(MRJob):
    """Raises in the reducer for key "bad"."""

    def mapper(self, _, line):
        yield line, 1

    def reducer(self, key, values):
        if key == "bad":
            raise KeyError("no reducing bad keys")
        yield key, sum(values)


if __name__ == "__main__":
    FailingMapper.run()
