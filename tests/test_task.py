import pickle
import subprocess
import sys

import pytest

from streamflow import (
    BoolParameter,
    DateIntervalParameter,
    ExternalTask,
    IntParameter,
    LocalTarget,
    Parameter,
    Task,
    WrapperTask,
)
from streamflow.errors import MissingInput, ParameterError, TaskDefinitionError
from streamflow.task import flatten, uses_output_completeness


class Aggregate(Task):
    date_interval = DateIntervalParameter(description="days to count")
    limit = IntParameter(default=10)
    verbose = BoolParameter(significant=False)


class Writes(Task):
    path = Parameter()

    def output(self):
        return LocalTarget(self.path)


def test_equal_parameters_make_equal_tasks_with_one_id():
    a = Aggregate(date_interval="2012-06")
    b = Aggregate("2012-06", 10)
    assert a == b and hash(a) == hash(b) and a.task_id == b.task_id
    assert len({a, b}) == 1
    assert a != Aggregate(date_interval="2012-07")
    assert a.task_id != Aggregate(date_interval="2012-06", limit=11).task_id


def test_insignificant_parameters_stay_out_of_identity():
    assert Aggregate("2012-06", verbose=True) == Aggregate("2012-06", verbose=False)
    assert "verbose" not in repr(Aggregate("2012-06", verbose=True))


def test_repr_reads_like_the_call():
    assert repr(Aggregate(date_interval="2012-06")) == "Aggregate(date_interval=2012-06, limit=10)"


def test_task_id_is_stable_across_processes():
    code = (
        "from tests.test_task import Aggregate;"
        "t = Aggregate(date_interval='2012-06');"
        "print(t.task_id, hash(t) == hash(Aggregate('2012-06')))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    }
    assert runs == {f"{Aggregate(date_interval='2012-06').task_id} True\n"}


def test_task_survives_pickling_with_its_identity():
    task = Aggregate(date_interval="2012-W03", limit=3)
    copy = pickle.loads(pickle.dumps(task))
    assert copy == task and hash(copy) == hash(task) and copy.limit == 3


def test_missing_unknown_and_duplicate_parameters_are_usage_errors():
    with pytest.raises(ParameterError, match="needs a value for parameter 'date_interval'"):
        Aggregate()
    with pytest.raises(ParameterError, match="has no parameter 'colour'") as info:
        Aggregate(date_interval="2012", colour="red")
    assert "date_interval" in info.value.hint
    with pytest.raises(ParameterError, match="two values"):
        Aggregate("2012", date_interval="2012")
    with pytest.raises(ParameterError, match="invalid value '2012-13'"):
        Aggregate(date_interval="2012-13")


def test_parameters_are_inherited_and_can_be_overridden():
    class Child(Aggregate):
        limit = IntParameter(default=3)
        extra = Parameter(default="x")

    assert [name for name, _ in Child.get_params()] == [
        "date_interval",
        "limit",
        "verbose",
        "extra",
    ]
    assert Child(date_interval="2012").limit == 3
    assert Child.task_family == "Child"


def test_str_params_round_trip():
    task = Aggregate(date_interval="2012-06-01-2012-06-15", limit=4)
    assert task.to_str_params(only_significant=True) == {
        "date_interval": "2012-06-01-2012-06-15",
        "limit": "4",
    }
    assert Aggregate.from_str_params(task.to_str_params()) == task


def test_complete_means_every_output_exists(tmp_path):
    class Two(Task):
        def output(self):
            return {"a": LocalTarget(tmp_path / "a"), "b": [LocalTarget(tmp_path / "b")]}

    task = Two()
    assert not task.complete()
    (tmp_path / "a").write_text("x")
    assert not task.complete()
    (tmp_path / "b").write_text("x")
    assert task.complete()


def test_task_without_outputs_is_never_complete():
    assert not Task().complete()


def test_input_mirrors_the_shape_of_requires(tmp_path):
    class Needs(Task):
        def requires(self):
            return {"one": Writes(path=str(tmp_path / "1")), "many": [Writes(path="2")]}

    inputs = Needs().input()
    assert inputs["one"].path == str(tmp_path / "1")
    assert [t.path for t in inputs["many"]] == ["2"]


def test_requires_returning_a_target_says_to_wrap_it_in_an_external_task():
    class Wrong(Task):
        def requires(self):
            return LocalTarget("/data/x")

    with pytest.raises(TaskDefinitionError) as info:
        Wrong().deps()
    assert "ExternalTask" in info.value.hint


def test_external_task_run_names_the_missing_path(tmp_path):
    class Logs(ExternalTask):
        def output(self):
            return LocalTarget(tmp_path / "logs.tsv")

    with pytest.raises(MissingInput) as info:
        Logs().run()
    assert str(tmp_path / "logs.tsv") in str(info.value) and "Logs()" in str(info.value)


def test_wrapper_task_is_complete_when_its_requirements_are(tmp_path):
    class All(WrapperTask):
        def requires(self):
            return [Writes(path=str(tmp_path / n)) for n in "ab"]

    assert not uses_output_completeness(All())
    assert uses_output_completeness(Writes(path="x"))
    assert not All().complete()
    (tmp_path / "a").write_text("")
    (tmp_path / "b").write_text("")
    assert All().complete()


def test_flatten_handles_every_shape():
    assert flatten(None) == []
    assert flatten(1) == [1]
    assert flatten([1, (2, [3]), {"k": 4}]) == [1, 2, 3, 4]


def test_required_tasks_share_the_requiring_tasks_config(tmp_path):
    from streamflow.config import load_config

    class Child(Task):
        def output(self):
            return LocalTarget(self.config.core.data_dir)

    class Parent(Task):
        def requires(self):
            return {"child": Child()}

    config = load_config(path=None, env={}, overrides={"core.data_dir": str(tmp_path)})
    parent = Parent()
    parent.config = config
    assert parent.input()["child"].path == str(tmp_path)
    assert parent.deps()[0].config is config
