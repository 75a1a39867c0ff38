"""Protocols: how keys and values become tab-separated lines of bytes, and back.

The wire formats are mrjob's, so a ported job reads and writes the same bytes:
``JSONProtocol`` writes ``json(key) TAB json(value)``; the ``...Value...`` protocols ignore the
key (it reads back as ``None``). ``read(line)`` gets a line without its newline; ``write(key,
value)`` returns one without. Standard library only: this module runs on cluster nodes.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

__all__ = [
    "BytesProtocol",
    "BytesValueProtocol",
    "JSONProtocol",
    "JSONValueProtocol",
    "PickleProtocol",
    "PickleValueProtocol",
    "RawProtocol",
    "RawValueProtocol",
    "ReprProtocol",
    "ReprValueProtocol",
    "TextProtocol",
    "TextValueProtocol",
]

_json_encode = json.JSONEncoder().encode
_json_decode = json.JSONDecoder().decode


class _KeyCachingProtocol:
    """Decodes each distinct key once per run of equal keys (reducer input is sorted)."""

    _last_raw_key: bytes | None = None
    _last_key: Any = None

    def _loads(self, data: bytes) -> Any:
        raise NotImplementedError

    def _dumps(self, obj: Any) -> bytes:
        raise NotImplementedError

    def read(self, line: bytes) -> tuple[Any, Any]:
        """Split ``line`` on its first tab and decode both halves."""
        raw_key, raw_value = line.split(b"\t", 1)
        if raw_key != self._last_raw_key:
            self._last_key = self._loads(raw_key)
            self._last_raw_key = raw_key
        return self._last_key, self._loads(raw_value)

    def write(self, key: Any, value: Any) -> bytes:
        """Encode key and value, joined by a tab."""
        return self._dumps(key) + b"\t" + self._dumps(value)


class JSONProtocol(_KeyCachingProtocol):
    """Key and value as JSON (Python's ``json`` defaults), separated by a tab."""

    def _loads(self, data: bytes) -> Any:
        return _json_decode(data.decode("utf-8"))

    def _dumps(self, obj: Any) -> bytes:
        return _json_encode(obj).encode("utf-8")

    def write(self, key: Any, value: Any) -> bytes:
        """Encode key and value as JSON, joined by a tab."""
        return f"{_json_encode(key)}\t{_json_encode(value)}".encode()


class JSONValueProtocol:
    """The value as JSON; the key is dropped on write and read back as ``None``."""

    def read(self, line: bytes) -> tuple[None, Any]:
        """Decode the whole line as one JSON value."""
        return None, _json_decode(line.decode("utf-8"))

    def write(self, key: Any, value: Any) -> bytes:
        """Encode only the value."""
        return _json_encode(value).encode("utf-8")


def _pickle_dumps(obj: Any) -> bytes:
    # Escape the pickle so that no raw tab or newline reaches Hadoop Streaming.
    return pickle.dumps(obj).decode("latin-1").encode("unicode_escape")


def _pickle_loads(data: bytes) -> Any:
    return pickle.loads(data.decode("unicode_escape").encode("latin-1"))


class PickleProtocol(_KeyCachingProtocol):
    """Key and value as escaped pickles, separated by a tab (trusted data only)."""

    def _loads(self, data: bytes) -> Any:
        return _pickle_loads(data)

    def _dumps(self, obj: Any) -> bytes:
        return _pickle_dumps(obj)


class PickleValueProtocol:
    """The value as an escaped pickle; the key is dropped (trusted data only)."""

    def read(self, line: bytes) -> tuple[None, Any]:
        """Unpickle the whole line."""
        return None, _pickle_loads(line)

    def write(self, key: Any, value: Any) -> bytes:
        """Pickle only the value."""
        return _pickle_dumps(value)


def _decode_text(line: bytes) -> str:
    # Mostly-UTF-8 logs with a stray byte still load; latin-1 never fails.
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")


class TextProtocol:
    """Key and value as UTF-8 text split on the first tab; a line without a tab has value None."""

    def read(self, line: bytes) -> tuple[str, str | None]:
        """Split the decoded line on its first tab."""
        parts = _decode_text(line).split("\t", 1)
        if len(parts) == 1:
            return parts[0], None
        return parts[0], parts[1]

    def write(self, key: str | None, value: str | None) -> bytes:
        """Join the non-None parts with a tab."""
        return b"\t".join(part.encode("utf-8") for part in (key, value) if part is not None)


class TextValueProtocol:
    """The whole line as UTF-8 text (latin-1 if it does not decode); key is None."""

    def read(self, line: bytes) -> tuple[None, str]:
        """Decode the line as the value."""
        return None, _decode_text(line)

    def write(self, key: Any, value: str) -> bytes:
        """Encode only the value."""
        return value.encode("utf-8")


class BytesProtocol:
    """Key and value as raw bytes split on the first tab."""

    def read(self, line: bytes) -> tuple[bytes, bytes | None]:
        """Split the line on its first tab."""
        parts = line.split(b"\t", 1)
        if len(parts) == 1:
            return parts[0], None
        return parts[0], parts[1]

    def write(self, key: bytes | None, value: bytes | None) -> bytes:
        """Join the non-None parts with a tab."""
        return b"\t".join(part for part in (key, value) if part is not None)


class BytesValueProtocol:
    """The whole line as bytes; key is None."""

    def read(self, line: bytes) -> tuple[None, bytes]:
        """Return the line as the value."""
        return None, line

    def write(self, key: Any, value: bytes) -> bytes:
        """Return the value unchanged."""
        return value


# On Python 3 the "raw" protocols are the text ones, as in mrjob.
RawProtocol = TextProtocol
RawValueProtocol = TextValueProtocol


_SAFE_NAMES = {
    "True": True,
    "False": False,
    "None": None,
    "set": set,
    "frozenset": frozenset,
    "range": range,
    "complex": complex,
    "slice": slice,
    "inf": float("inf"),
    "nan": float("nan"),
}


def _repr_loads(data: bytes) -> Any:
    # A restricted eval: reprs of basic types only, no builtins, no attribute tricks.
    text = data.decode("utf-8")
    if "__" in text:
        raise ValueError(f"refusing to evaluate {text[:80]!r}: it names a dunder attribute")
    return eval(text, {"__builtins__": {}}, dict(_SAFE_NAMES))


class ReprProtocol(_KeyCachingProtocol):
    """Key and value as Python reprs of basic types, separated by a tab."""

    def _loads(self, data: bytes) -> Any:
        return _repr_loads(data)

    def _dumps(self, obj: Any) -> bytes:
        return repr(obj).encode("utf-8")


class ReprValueProtocol:
    """The value as a Python repr; key is None."""

    def read(self, line: bytes) -> tuple[None, Any]:
        """Evaluate the line as a basic-type repr."""
        return None, _repr_loads(line)

    def write(self, key: Any, value: Any) -> bytes:
        """Repr only the value."""
        return repr(value).encode("utf-8")
