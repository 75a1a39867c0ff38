"""Keys with unicode, values with tabs: groups each key's values (sorted) into a list."""

from streamflow.mr import MRJob


class GroupValues(MRJob):
    """Input ``key<TAB>rest``; output key -> sorted list of rests (rests may hold tabs)."""

    SORT_VALUES = True

    def mapper(self, _, line):
        key, _, rest = line.partition("\t")
        yield key, rest

    def reducer(self, key, values):
        values = list(values)
        yield key, [values == sorted(values), values]


if __name__ == "__main__":
    GroupValues.run()
