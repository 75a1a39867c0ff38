"""Each protocol as internal and output protocol, chosen with --protocol and --output."""

from streamflow.mr import (
    JSONProtocol,
    JSONValueProtocol,
    MRJob,
    PickleProtocol,
    PickleValueProtocol,
    RawProtocol,
    RawValueProtocol,
    ReprProtocol,
    ReprValueProtocol,
    TextProtocol,
    TextValueProtocol,
)

KEYED = {
    "json": JSONProtocol,
    "pickle": PickleProtocol,
    "repr": ReprProtocol,
    "raw": RawProtocol,
    "text": TextProtocol,
}
VALUE_ONLY = {
    "json_value": JSONValueProtocol,
    "pickle_value": PickleValueProtocol,
    "repr_value": ReprValueProtocol,
    "raw_value": RawValueProtocol,
    "text_value": TextValueProtocol,
}
TEXT_ONLY = {"raw", "text", "raw_value", "text_value"}


class Protocols(MRJob):
    """Counts words, carrying them through the chosen protocols."""

    def configure_args(self):
        super().configure_args()
        self.add_passthru_arg("--protocol", default="json", choices=sorted(KEYED))
        self.add_passthru_arg("--output", default="json", choices=sorted({**KEYED, **VALUE_ONLY}))

    def internal_protocol(self):
        return KEYED[self.options.protocol]()

    def output_protocol(self):
        return {**KEYED, **VALUE_ONLY}[self.options.output]()

    def _value(self, count):
        return str(count) if self.options.protocol in TEXT_ONLY else count

    def mapper(self, _, line):
        for word in line.split():
            yield word, self._value(1)

    def reducer(self, word, counts):
        total = sum(int(count) for count in counts)
        if self.options.output in TEXT_ONLY:
            yield word, f"{word}={total}" if self.options.output.endswith("value") else str(total)
        else:
            yield word, {"word": word, "count": total} if "value" in self.options.output else total


if __name__ == "__main__":
    Protocols.run()
