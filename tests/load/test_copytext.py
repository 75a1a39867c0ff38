"""COPY text format: values and file lines encoded as PostgreSQL's COPY FROM reads them."""

from __future__ import annotations

import datetime
import io

import pytest

from streamflow.errors import DatabaseError
from streamflow.load.copytext import CHUNK_BYTES, RowsCopyStream, TsvCopyStream, encode_value


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (None, r"\N"),
        ("plain", "plain"),
        ("a\tb\nc\rd\\e", r"a\tb\nc\rd\\e"),
        (r"\N", r"\\N"),
        ("", ""),
        ("Björk ✓", "Björk ✓"),
        (True, "True"),
        (42, "42"),
        (2.5, "2.5"),
        (b"\x00\xff", r"\\x00ff"),
        (datetime.date(2012, 6, 1), "2012-06-01"),
        (datetime.datetime(2012, 6, 1, 12, 30), "2012-06-01 12:30:00"),
    ],
)
def test_values_are_encoded_for_copy_text_format(value, encoded):
    assert encode_value(value) == encoded


def read_all(stream) -> bytes:
    out = []
    while chunk := stream.read(8192):
        out.append(chunk)
    return b"".join(out)


def test_file_lines_pass_through_with_backslashes_and_crs_escaped():
    data = b"a\\b\t1\nc\rd\t2\n"
    stream = TsvCopyStream(io.BytesIO(data), "in.tsv", 2)
    assert read_all(stream) == b"a\\\\b\t1\nc\\rd\t2\n"
    assert stream.lines == 2


def test_suffix_is_appended_to_every_line():
    stream = TsvCopyStream(io.BytesIO(b"a\t1\nb\t2"), "in.tsv", 2, suffix="task-7")
    assert read_all(stream) == b"a\t1\ttask-7\nb\t2\ttask-7\n"


def test_chunks_end_on_whole_lines():
    data = b"".join(b"line %d\t%d\n" % (i, i) for i in range(CHUNK_BYTES // 8))
    stream = TsvCopyStream(io.BytesIO(data), "in.tsv", 2)
    first = stream.read()
    assert first.endswith(b"\n") and len(first) >= CHUNK_BYTES
    assert first + read_all(stream) == data


@pytest.mark.parametrize(
    ("data", "line", "found"),
    [(b"a\t1\nb\n", 2, 1), (b"a\t1\tx\n", 1, 3), (b"a\t1\n\n", 2, 1)],
)
def test_wrong_field_count_names_the_line(data, line, found):
    with pytest.raises(DatabaseError, match=rf"in.tsv, line {line}: found {found} "):
        read_all(TsvCopyStream(io.BytesIO(data), "in.tsv", 2))


@pytest.mark.parametrize(
    ("row", "line"),
    [
        (("plain", 1), "plain\t1"),
        (("tab\there", 2), "tab\\there\t2"),
        ((None, 3), "\\N\t3"),
        (("x", b"\x01"), "x\t\\\\x01"),
        (("None", 2.5), "None\t2.5"),
        (("a\\b", True), "a\\\\b\tTrue"),
    ],
)
def test_a_batch_with_one_unusual_row_encodes_every_row_right(row, line):
    # Plain rows take a fast path; one unusual row sends its whole batch the careful way.
    plain = [("p", 0)] * 3
    text = read_all(RowsCopyStream(iter([*plain, row]), "rows()", 2, suffix="t1"))
    assert text.decode().split("\n") == ["p\t0\tt1"] * 3 + [f"{line}\tt1", ""]


def test_rows_are_encoded_line_by_line_and_checked_for_length():
    stream = RowsCopyStream(iter([("a\tb", None), ("c", 3)]), "rows()", 2)
    assert read_all(stream) == b"a\\tb\t\\N\nc\t3\n"
    with pytest.raises(DatabaseError, match="row 2: found 3 values, expected 2"):
        read_all(RowsCopyStream(iter([("a", 1), ("b", 2, 3)]), "rows()", 2))


def test_a_short_row_is_refused_even_when_another_of_its_values_holds_a_tab():
    # One value too few, one tab too many: the batch still has the right number of tabs.
    with pytest.raises(DatabaseError, match="row 2: found 1 values, expected 2"):
        read_all(RowsCopyStream(iter([("a", 1), ("b\t2",)]), "rows()", 2))
