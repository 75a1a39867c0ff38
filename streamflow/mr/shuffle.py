"""Grouping map output by key within a memory budget, the way Hadoop's shuffle does.

``Shuffle`` collects (key, value) pairs or encoded lines, hands them back grouped by key in
the byte order of the encoded key, and past its memory budget spills sorted runs to temporary
files that are merged with ``heapq.merge``. Standard library only (runs on cluster nodes).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import os
import sys
import tempfile
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from streamflow.mr.protocol import JSONProtocol

__all__ = ["Shuffle", "line_key", "partition_of", "sort_into_partitions"]

Pairs = Iterable[tuple[Any, Any]]
Group = tuple[Any, Iterator[Any]]
Combine = Callable[[Iterator[Group]], Pairs]

# Values of these types survive a JSON round trip unchanged, so the fast path keeps them as
# objects; groups holding anything else are round-tripped when handed out, so combiners and
# reducers see what they would after a real shuffle (lists for tuples, for instance).
_JSON_EXACT = frozenset({str, int, float, bool, type(None)})
_encode = json.JSONEncoder().encode
_decode = json.JSONDecoder().decode

# Rough per-entry overheads (list slot, object header) used to estimate memory.
_LINE_OVERHEAD = 80
_KEY_OVERHEAD = 200
_RUN_BUFFER = 1 << 16
_CHUNK = 1 << 15


def line_key(line: bytes) -> bytes:
    """The key of an encoded line: up to its first tab, or the whole line (Hadoop's rule)."""
    return line.partition(b"\t")[0]


def partition_of(key: bytes, num_partitions: int) -> int:
    """Stable partition of an encoded key (crc32, the same in every process)."""
    return zlib.crc32(key) % num_partitions


class Shuffle:
    """Map output grouped by encoded key, within ``memory_bytes``; spills past it.

    ``combine`` (optional) runs a combiner over groups; it is applied to what is held in
    memory before each spill and before groups are handed out, like Hadoop's combiner.
    """

    def __init__(
        self,
        protocol: Any,
        *,
        memory_bytes: int,
        tmp_dir: str | None = None,
        sort_values: bool = False,
        combine: Combine | None = None,
    ) -> None:
        self.protocol = protocol
        self.memory_bytes = max(int(memory_bytes), 1)
        self.tmp_dir = tmp_dir
        self.sort_values = sort_values
        self.combine = combine
        # Fast path: JSON with str/int keys grouped by object, values kept as objects.
        self._fast = protocol.__class__ is JSONProtocol and not sort_values
        self._by_object: defaultdict[Any, list] = defaultdict(list)
        self._by_encoded: defaultdict[bytes, list] = defaultdict(list)
        self._records = 0
        self._line_bytes = 0
        self._bytes_per_record = 0
        self._runs: list[str] = []
        self.spill_count = 0

    # -- filling -------------------------------------------------------------------------

    def add_pairs(self, pairs: Pairs) -> None:
        """Add decoded (key, value) pairs (a mapper's or combiner's output)."""
        if not self._fast:
            self.add_lines(_encode_pairs(self.protocol.write, pairs))
            return
        # One pass without chunking: callers hand over bounded batches (a read block's
        # mapper output), so checking the budget once per call is enough.
        by_object = self._by_object
        by_encoded = self._by_encoded
        count = 0
        for count, (key, value) in enumerate(pairs, 1):  # noqa: B007
            # str and int keys never compare equal to each other, and equal ones encode
            # the same; any other key (1.0 == 1 == True...) is grouped by its encoding.
            if key.__class__ is str or key.__class__ is int:
                by_object[key].append(value)
            else:
                by_encoded[_encode(key).encode()].append(value)
        self._records += count
        self._maybe_spill()

    def add_lines(self, lines: Iterable[bytes]) -> None:
        """Add encoded lines (no newline), e.g. the output of a command mapper."""
        if self._fast:
            # Keep one representation: decode into the object groups.
            self.add_pairs(map(self.protocol.read, lines))
            return
        lines = iter(lines)
        while True:
            chunk = list(itertools.islice(lines, _CHUNK))
            if not chunk:
                return
            by_encoded = self._by_encoded
            size = 0
            for line in chunk:
                by_encoded[line.partition(b"\t")[0]].append(line)
                size += len(line)
            self._records += len(chunk)
            self._line_bytes += size
            self._maybe_spill()

    def _estimated_bytes(self) -> int:
        keys = len(self._by_object) + len(self._by_encoded)
        if not self._fast:
            return self._line_bytes + self._records * _LINE_OVERHEAD + keys * _KEY_OVERHEAD
        if not self._bytes_per_record:
            self._bytes_per_record = self._sample_record_size()
        return self._records * self._bytes_per_record + keys * _KEY_OVERHEAD

    def _sample_record_size(self) -> int:
        sample = []
        for values in itertools.islice(
            itertools.chain(self._by_object.values(), self._by_encoded.values()), 50
        ):
            sample.extend(values[:4])
        if not sample:
            return 16
        return 8 + sum(sys.getsizeof(v) for v in sample) // len(sample)

    def _maybe_spill(self) -> None:
        if self._estimated_bytes() > self.memory_bytes:
            self._spill()

    def _spill(self) -> None:
        lines = list(self._held_lines())
        self._clear()
        if not lines:
            return
        lines.sort()
        fd, path = tempfile.mkstemp(prefix="streamflow-spill-", dir=self.tmp_dir)
        with os.fdopen(fd, "wb", buffering=_RUN_BUFFER) as out:
            for line in lines:
                out.write(line)
                out.write(b"\n")
        self._runs.append(path)
        self.spill_count += 1

    def _clear(self) -> None:
        self._by_object = defaultdict(list)
        self._by_encoded = defaultdict(list)
        self._records = 0
        self._line_bytes = 0

    # -- reading back ----------------------------------------------------------------------

    def _memory_groups(self) -> Iterator[tuple[bytes, Any, list]]:
        """(encoded key, decoded key, held values or lines), sorted by encoded key."""
        entries: list[tuple[bytes, Any, list]] = []
        if self._fast:
            for key, values in self._by_object.items():
                entries.append((_encode(key).encode(), key, values))
            for raw, values in self._by_encoded.items():
                entries.append((raw, _decode(raw.decode()), values))
        else:
            for raw, lines in self._by_encoded.items():
                entries.append((raw, None, lines))
        entries.sort(key=_first)
        return iter(entries)

    def _decoded_groups(self) -> Iterator[Group]:
        """Held data as (key, values) groups, without combining."""
        read = self.protocol.read
        for _raw, key, held in self._memory_groups():
            if self._fast:
                if not _JSON_EXACT.issuperset(map(type, held)):
                    held = [_decode(_encode(value)) for value in held]
                yield key, iter(held)
            else:
                if self.sort_values:
                    held.sort()
                first_key, _ = read(held[0])
                yield first_key, (read(line)[1] for line in held)

    def _held_lines(self) -> Iterator[bytes]:
        """Everything held, combined if there is a combiner, as encoded lines."""
        if self.combine is not None:
            yield from _encode_pairs(self.protocol.write, self.combine(self._decoded_groups()))
        elif self._fast:
            write = self.protocol.write
            for _raw, key, values in self._memory_groups():
                for value in values:
                    yield write(key, value)
        else:
            for _raw, _key, lines in self._memory_groups():
                yield from lines

    def groups(self) -> Iterator[Group]:
        """All data as (key, values) in encoded-key order; consumes the shuffle."""
        if self._runs:
            self._spill()
            return self._merged_groups()
        if self.combine is not None:
            combined = Shuffle(
                self.protocol,
                memory_bytes=self.memory_bytes,
                tmp_dir=self.tmp_dir,
                sort_values=self.sort_values,
            )
            combined.add_pairs(self.combine(self._decoded_groups()))
            self._clear()
            return combined.groups()
        return self._decoded_groups()

    def sorted_lines(self) -> Iterator[bytes]:
        """All data as encoded lines sorted by key (combined if there is a combiner)."""
        if self._runs:
            self._spill()
            return self._merged_lines()
        lines = list(self._held_lines())
        self._clear()
        lines.sort()
        return iter(lines)

    def _merged_lines(self) -> Iterator[bytes]:
        try:
            with contextlib.ExitStack() as stack:
                files = [stack.enter_context(open(p, "rb", _RUN_BUFFER)) for p in self._runs]
                for line in heapq.merge(*files):
                    yield line[:-1]
        finally:
            self.cleanup()

    def _merged_groups(self) -> Iterator[Group]:
        read = self.protocol.read
        for _raw, lines in itertools.groupby(self._merged_lines(), key=line_key):
            first = next(lines)
            key, value = read(first)
            # The values are read lazily, before groupby moves on to the next key.
            yield key, itertools.chain((value,), (read(line)[1] for line in lines))  # noqa: B031

    def cleanup(self) -> None:
        """Remove spill files (safe to call twice)."""
        for path in self._runs:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        self._runs = []


def _first(entry: tuple) -> bytes:
    return entry[0]


def _encode_pairs(write: Callable[[Any, Any], bytes], pairs: Pairs) -> Iterator[bytes]:
    for key, value in pairs:
        yield write(key, value)


def sort_into_partitions(
    lines: Iterable[bytes],
    outputs: list[BinaryIO],
    *,
    memory_bytes: int,
    tmp_dir: str | None = None,
) -> None:
    """Hash-partition encoded lines by key and write each partition sorted to its output.

    Lines past ``memory_bytes`` go to sorted runs on disk, merged at the end.
    """
    count = len(outputs)
    held: list[list[bytes]] = [[] for _ in range(count)]
    runs: list[list[str]] = [[] for _ in range(count)]
    size = 0
    limit = max(int(memory_bytes), 1)
    crc32 = zlib.crc32

    def spill() -> None:
        for index, part in enumerate(held):
            if not part:
                continue
            part.sort()
            fd, path = tempfile.mkstemp(prefix="streamflow-sort-", dir=tmp_dir)
            with os.fdopen(fd, "wb", buffering=_RUN_BUFFER) as out:
                out.writelines(line + b"\n" for line in part)
            runs[index].append(path)
            held[index] = []

    for line in lines:
        held[crc32(line.partition(b"\t")[0]) % count].append(line)
        size += len(line) + _LINE_OVERHEAD
        if size > limit:
            spill()
            size = 0
    if not any(runs):
        for part, out in zip(held, outputs):
            part.sort()
            out.writelines(line + b"\n" for line in part)
        return
    spill()
    for paths, out in zip(runs, outputs):
        with contextlib.ExitStack() as stack:
            files = [stack.enter_context(open(path, "rb", _RUN_BUFFER)) for path in paths]
            out.writelines(heapq.merge(*files))
        for path in paths:
            os.unlink(path)


def _main(argv: list[str] | None = None) -> None:
    """``partition`` stdin into sorted part files, or ``merge`` sorted files to stdout.

    The local runner's map and reduce tasks use these between the harness processes.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m streamflow.mr.shuffle")
    commands = parser.add_subparsers(dest="command", required=True)
    part = commands.add_parser("partition", help="hash-partition and sort stdin")
    part.add_argument("--partitions", type=int, required=True)
    part.add_argument("--memory-mb", type=float, default=100.0)
    part.add_argument("--tmp-dir", default=None)
    part.add_argument("directory", help="where part-NNNNN files are written")
    merge = commands.add_parser("merge", help="merge sorted files to stdout")
    merge.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "partition":
        from streamflow.mr.harness import read_line_batches

        os.makedirs(args.directory, exist_ok=True)
        with contextlib.ExitStack() as stack:
            outputs = [
                stack.enter_context(open(os.path.join(args.directory, f"part-{n:05d}"), "wb"))
                for n in range(args.partitions)
            ]
            lines = itertools.chain.from_iterable(read_line_batches(sys.stdin.buffer))
            sort_into_partitions(
                lines,
                outputs,
                memory_bytes=int(args.memory_mb * 1024 * 1024),
                tmp_dir=args.tmp_dir,
            )
    else:
        with contextlib.ExitStack() as stack:
            files = [stack.enter_context(open(path, "rb", _RUN_BUFFER)) for path in args.files]
            out = sys.stdout.buffer
            out.writelines(heapq.merge(*files))
            out.flush()


if __name__ == "__main__":
    _main()
