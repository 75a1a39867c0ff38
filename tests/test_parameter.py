import datetime

import pytest

from streamflow import (
    BoolParameter,
    ChoiceParameter,
    DateIntervalParameter,
    DateParameter,
    FloatParameter,
    IntParameter,
    MonthParameter,
    Parameter,
)
from streamflow.errors import EXIT_USAGE, ParameterError

D = datetime.date


def named(param, name="p"):
    param.__set_name__(object, name)
    return param


@pytest.mark.parametrize(
    "text, first, end, days",
    [
        ("2012-06", D(2012, 6, 1), D(2012, 7, 1), 30),
        ("2012-12", D(2012, 12, 1), D(2013, 1, 1), 31),
        ("2012-02", D(2012, 2, 1), D(2012, 3, 1), 29),
        ("2012-W03", D(2012, 1, 16), D(2012, 1, 23), 7),
        ("2012", D(2012, 1, 1), D(2013, 1, 1), 366),
        ("2012-06-01", D(2012, 6, 1), D(2012, 6, 2), 1),
        ("2012-06-01-2012-06-15", D(2012, 6, 1), D(2012, 6, 15), 14),
    ],
)
def test_date_interval_parses_every_form_and_prints_it_back(text, first, end, days):
    interval = named(DateIntervalParameter()).parse(text)
    assert (interval.date_a, interval.date_b) == (first, end)
    dates = list(interval)
    assert len(dates) == days == len(interval)
    assert dates[0] == first and dates[-1] == end - datetime.timedelta(days=1)
    assert str(interval) == text
    assert first in interval and end not in interval


@pytest.mark.parametrize("text", ["2012-13", "June", "2012-06-15-2012-06-01", "2012-W60", ""])
def test_bad_date_interval_names_parameter_value_and_accepted_forms(text):
    with pytest.raises(ParameterError) as info:
        named(DateIntervalParameter(), "date_interval").parse(text)
    error = info.value
    assert error.exit_code == EXIT_USAGE
    assert "date_interval" in str(error) and repr(text) in str(error)
    assert "2012-W03" in error.hint and "2012-06-01-2012-06-15" in error.hint


def test_typed_parameters_parse_and_round_trip():
    cases = [
        (IntParameter(), "42", 42),
        (FloatParameter(), "0.25", 0.25),
        (BoolParameter(), "true", True),
        (BoolParameter(), "no", False),
        (DateParameter(), "2012-06-03", D(2012, 6, 3)),
        (MonthParameter(), "2012-06", D(2012, 6, 1)),
        (ChoiceParameter(["inline", "local"]), "local", "local"),
        (ChoiceParameter([1, 2], var_type=int), "2", 2),
        (Parameter(), "text\twith tab", "text\twith tab"),
    ]
    for param, text, value in cases:
        named(param)
        assert param.parse(text) == value
        assert param.parse(param.serialize(value)) == value


@pytest.mark.parametrize(
    "param, text",
    [
        (IntParameter(), "4.5"),
        (FloatParameter(), "x"),
        (BoolParameter(), "maybe"),
        (DateParameter(), "2012-06"),
        (MonthParameter(), "2012-06-01"),
        (ChoiceParameter(["a", "b"]), "c"),
    ],
)
def test_bad_values_are_usage_errors_that_say_what_is_accepted(param, text):
    named(param, "size")
    with pytest.raises(ParameterError) as info:
        param.parse(text)
    assert "'size'" in str(info.value) and info.value.hint.startswith("size accepts")


def test_values_given_in_code_are_checked():
    assert named(IntParameter()).normalize(3) == 3
    assert named(IntParameter()).normalize("3") == 3
    with pytest.raises(ParameterError):
        named(IntParameter()).normalize(True)
    with pytest.raises(ParameterError):
        named(DateParameter()).normalize(datetime.datetime(2012, 1, 1))
    assert named(MonthParameter()).normalize(D(2012, 6, 17)) == D(2012, 6, 1)
