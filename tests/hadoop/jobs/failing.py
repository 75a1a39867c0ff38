"""A mapper that fails on the line "boom", to test traceback extraction."""

from streamflow.mr import MRJob


class Failing(MRJob):
    def mapper(self, _, line):
        if line == "boom":
            raise ValueError(f"cannot handle the line {line!r}")
        yield line, 1


if __name__ == "__main__":
    Failing.run()
