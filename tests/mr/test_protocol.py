"""Protocols write mrjob's wire formats and read back what they wrote."""

import pickle

import pytest

from streamflow.mr import protocol as p


def test_json_protocol_writes_key_and_value_as_json_separated_by_tab():
    assert p.JSONProtocol().write(["a", 1], {"x": None}) == b'["a", 1]\t{"x": null}'
    assert p.JSONProtocol().read(b'"caf\\u00e9"\t[1, 2]') == ("café", [1, 2])


def test_json_value_protocol_ignores_key():
    assert p.JSONValueProtocol().write("ignored", [1]) == b"[1]"
    assert p.JSONValueProtocol().read(b'{"a": 1}') == (None, {"a": 1})


def test_raw_value_protocol_is_text_and_falls_back_to_latin1():
    assert p.RawValueProtocol is p.TextValueProtocol
    assert p.RawValueProtocol().read("é\tx".encode()) == (None, "é\tx")
    assert p.RawValueProtocol().read(b"\xff") == (None, "\xff")
    assert p.RawValueProtocol().write(None, "é") == "é".encode()


def test_raw_protocol_splits_on_first_tab_and_omits_none():
    assert p.RawProtocol().read(b"k\tv\tw") == ("k", "v\tw")
    assert p.RawProtocol().read(b"only") == ("only", None)
    assert p.RawProtocol().write("k", None) == b"k"
    assert p.BytesProtocol().read(b"k\tv") == (b"k", b"v")


def test_pickle_protocol_escapes_pickles_so_lines_have_no_raw_tabs_or_newlines():
    value = {"tab\t": "new\nline", 3: (1, 2)}
    line = p.PickleProtocol().write("k", value)
    assert line.count(b"\t") == 1 and b"\n" not in line
    raw_value = line.split(b"\t")[1]
    assert pickle.loads(raw_value.decode("unicode_escape").encode("latin-1")) == value
    assert p.PickleProtocol().read(line) == ("k", value)
    assert p.PickleValueProtocol().read(p.PickleValueProtocol().write(None, value)) == (
        None,
        value,
    )


def test_repr_protocol_round_trips_basic_types_and_refuses_code():
    value = {"a": [1, 2.5, None, True], "b": (1,), "c": {3}}
    line = p.ReprProtocol().write((1, "x"), value)
    assert line == b"(1, 'x')\t" + repr(value).encode()
    assert p.ReprProtocol().read(line) == ((1, "x"), value)
    with pytest.raises(ValueError, match="dunder"):
        p.ReprValueProtocol().read(b"__import__('os').system('true')")
    with pytest.raises(NameError):
        p.ReprValueProtocol().read(b"open('/etc/passwd')")
