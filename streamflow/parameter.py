"""Task parameters: typed values parsed from the command line and serialized into task ids."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from streamflow.errors import ParameterError

_MISSING: Any = object()


class Parameter:
    """A text parameter; the subclasses below parse and serialize other types.

    ``significant=False`` keeps the value out of the task's identity (``task_id``, equality).
    """

    #: How ``--help`` shows the value, e.g. ``--date-interval INTERVAL``.
    metavar = "TEXT"
    #: The forms a value may take, for error messages.
    accepted = "any text"

    def __init__(
        self, default: Any = _MISSING, description: str = "", significant: bool = True
    ) -> None:
        self.default = default
        self.description = description
        self.significant = significant
        self.name = "?"

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def has_default(self) -> bool:
        """Whether a task may be built without a value for this parameter."""
        return self.default is not _MISSING

    def parse(self, text: str) -> Any:
        """Turn command-line text into a value; raises ParameterError on a bad one."""
        try:
            return self._parse(text)
        except (ValueError, TypeError) as exc:
            raise ParameterError(
                f"invalid value {text!r} for parameter {self.name!r}: {exc}",
                hint=f"{self.name} accepts {self.accepted}",
            ) from None

    def normalize(self, value: Any) -> Any:
        """Accept a value given in code: text is parsed, anything else checked and kept."""
        if isinstance(value, str):
            return self.parse(value)
        try:
            return self._check(value)
        except (ValueError, TypeError) as exc:
            raise ParameterError(
                f"invalid value {value!r} for parameter {self.name!r}: {exc}",
                hint=f"{self.name} accepts {self.accepted}",
            ) from None

    def serialize(self, value: Any) -> str:
        """The text form of a value; ``parse(serialize(v)) == v``."""
        return str(value)

    def _parse(self, text: str) -> Any:
        return text

    def _check(self, value: Any) -> Any:
        raise TypeError(f"expected text, got {type(value).__name__}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class IntParameter(Parameter):
    """A whole number."""

    metavar = "INTEGER"
    accepted = "a whole number such as 42"

    def _parse(self, text: str) -> int:
        return int(text)

    def _check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"expected an int, got {type(value).__name__}")
        return value


class FloatParameter(Parameter):
    """A floating-point number."""

    metavar = "FLOAT"
    accepted = "a number such as 0.5"

    def _parse(self, text: str) -> float:
        return float(text)

    def _check(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"expected a number, got {type(value).__name__}")
        return float(value)


class BoolParameter(Parameter):
    """A yes/no switch; on the command line a flag (``--verbose``). Defaults to False."""

    metavar = "BOOLEAN"
    accepted = "true or false"
    _WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}

    def __init__(
        self, default: bool = False, description: str = "", significant: bool = True
    ) -> None:
        super().__init__(default, description, significant)

    def _parse(self, text: str) -> bool:
        try:
            return self._WORDS[text.strip().lower()]
        except KeyError:
            raise ValueError("not a boolean") from None

    def _check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise TypeError(f"expected a bool, got {type(value).__name__}")
        return value


class ChoiceParameter(Parameter):
    """One of a fixed set of values (text unless ``var_type`` says otherwise)."""

    def __init__(
        self,
        choices: Sequence[Any],
        default: Any = _MISSING,
        description: str = "",
        significant: bool = True,
        var_type: type = str,
    ) -> None:
        super().__init__(default, description, significant)
        self.choices = tuple(choices)
        self.var_type = var_type
        self.metavar = "[" + "|".join(str(c) for c in self.choices) + "]"
        self.accepted = "one of " + ", ".join(str(c) for c in self.choices)

    def _parse(self, text: str) -> Any:
        return self._check(self.var_type(text))

    def _check(self, value: Any) -> Any:
        if value not in self.choices:
            raise ValueError("not one of the choices")
        return value


class DateParameter(Parameter):
    """A calendar day, ``YYYY-MM-DD``."""

    metavar = "YYYY-MM-DD"
    accepted = "a date such as 2012-06-01"

    def _parse(self, text: str) -> datetime.date:
        return datetime.datetime.strptime(text, "%Y-%m-%d").date()

    def _check(self, value: Any) -> datetime.date:
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            raise TypeError(f"expected a datetime.date, got {type(value).__name__}")
        return value

    def serialize(self, value: datetime.date) -> str:
        return value.isoformat()  # YYYY-MM-DD, several times faster than strftime


class MonthParameter(DateParameter):
    """A month, ``YYYY-MM``; its value is the first day of that month."""

    metavar = "YYYY-MM"
    accepted = "a month such as 2012-06"

    def _parse(self, text: str) -> datetime.date:
        return datetime.datetime.strptime(text, "%Y-%m").date()

    def _check(self, value: Any) -> datetime.date:
        return super()._check(value).replace(day=1)

    def serialize(self, value: datetime.date) -> str:
        return value.strftime("%Y-%m")


@dataclass(frozen=True)
class DateInterval:
    """Days from ``date_a`` (included) to ``date_b`` (excluded); ``str()`` is the form given."""

    date_a: datetime.date
    date_b: datetime.date
    text: str = field(compare=False)

    def dates(self) -> list[datetime.date]:
        """Every day of the interval, in order."""
        return [self.date_a + datetime.timedelta(days=i) for i in range(len(self))]

    def __iter__(self) -> Iterator[datetime.date]:
        return iter(self.dates())

    def __len__(self) -> int:
        return (self.date_b - self.date_a).days

    def __contains__(self, day: object) -> bool:
        return isinstance(day, datetime.date) and self.date_a <= day < self.date_b

    def __str__(self) -> str:
        return self.text


_DAY = r"(\d{4})-(\d{2})-(\d{2})"
_INTERVAL_FORMS = {
    "day": re.compile(rf"^{_DAY}$"),
    "range": re.compile(rf"^{_DAY}-{_DAY}$"),
    "week": re.compile(r"^(\d{4})-W(\d{2})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "year": re.compile(r"^(\d{4})$"),
}


def parse_date_interval(text: str) -> DateInterval:
    """Parse ``2012-06``, ``2012-W03``, ``2012``, ``2012-06-01`` or ``2012-06-01-2012-06-15``.

    >>> interval = parse_date_interval("2012-06")
    >>> (interval.date_a, interval.date_b, len(interval), str(interval))
    (datetime.date(2012, 6, 1), datetime.date(2012, 7, 1), 30, '2012-06')
    """
    text = text.strip()
    day = datetime.date
    if m := _INTERVAL_FORMS["day"].match(text):
        a = day(*map(int, m.groups()))
        return DateInterval(a, a + datetime.timedelta(days=1), text)
    if m := _INTERVAL_FORMS["range"].match(text):
        values = list(map(int, m.groups()))
        a, b = day(*values[:3]), day(*values[3:])
        if b <= a:
            raise ValueError("the end of a range must come after its start (the end is excluded)")
        return DateInterval(a, b, text)
    if m := _INTERVAL_FORMS["week"].match(text):
        a = day.fromisocalendar(int(m[1]), int(m[2]), 1)
        return DateInterval(a, a + datetime.timedelta(days=7), text)
    if m := _INTERVAL_FORMS["month"].match(text):
        year, month = int(m[1]), int(m[2])
        a = day(year, month, 1)
        b = day(year + 1, 1, 1) if month == 12 else day(year, month + 1, 1)
        return DateInterval(a, b, text)
    if m := _INTERVAL_FORMS["year"].match(text):
        return DateInterval(day(int(m[1]), 1, 1), day(int(m[1]) + 1, 1, 1), text)
    raise ValueError("not a date interval")


class DateIntervalParameter(Parameter):
    """A span of days: a month, an ISO week, a year, a day, or a custom range."""

    metavar = "INTERVAL"
    accepted = (
        "a month (2012-06), an ISO week (2012-W03), a year (2012), a day (2012-06-01) "
        "or a range with an excluded end (2012-06-01-2012-06-15)"
    )

    def _parse(self, text: str) -> DateInterval:
        return parse_date_interval(text)

    def _check(self, value: Any) -> DateInterval:
        if not isinstance(value, DateInterval):
            raise TypeError(f"expected a DateInterval, got {type(value).__name__}")
        return value
