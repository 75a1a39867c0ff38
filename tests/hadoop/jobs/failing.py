"""A mapper that fails on the line "boom", and with a chained exception on "chained"."""

from streamflow.mr import MRJob


class Failing(MRJob):
    def mapper(self, _, line):
        if line == "boom":
            raise ValueError(f"cannot handle the line {line!r}")
        if line == "chained":
            try:
                int(line)
            except ValueError as exc:
                raise LookupError(f"no count in the line {line!r}") from exc
        yield line, 1


if __name__ == "__main__":
    Failing.run()
