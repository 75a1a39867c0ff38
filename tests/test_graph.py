"""The resolver: one node per task, batched completeness, cycles, and definition errors."""

from __future__ import annotations

import pytest

from streamflow.config import Config
from streamflow.errors import TaskDefinitionError
from streamflow.graph import COMPLETE, MISSING, TO_RUN, build_graph, find_cycle, toposort, tree
from streamflow.target import LocalTarget
from streamflow.task import Task
from tests.tasks import graphs as g

CONFIG = Config()


def test_diamond_shares_one_node_for_the_common_requirement(tmp_path):
    built = build_graph([g.Diamond(root=str(tmp_path))], CONFIG)
    families = sorted(node.task.task_family for node in built.nodes.values())
    assert families == ["Base", "Diamond", "Left", "Right"]
    base_id = g.Base(root=str(tmp_path)).task_id
    left_id = g.Left(root=str(tmp_path)).task_id
    right_id = g.Right(root=str(tmp_path)).task_id
    assert built.nodes[left_id].deps == [base_id]
    assert built.nodes[right_id].deps == [base_id]


def test_order_puts_requirements_first(tmp_path):
    built = build_graph([g.Diamond(root=str(tmp_path))], CONFIG)
    position = {built.nodes[t].task.task_family: i for i, t in enumerate(built.order)}
    assert position["Base"] < position["Left"] < position["Diamond"]
    assert position["Base"] < position["Right"] < position["Diamond"]


def test_complete_task_requirements_are_not_walked(tmp_path):
    (tmp_path / "Left.txt").write_text("done\n")
    built = build_graph([g.Left(root=str(tmp_path))], CONFIG)
    assert [node.state for node in built.nodes.values()] == [COMPLETE]
    assert len(built.nodes) == 1


def test_states_of_a_partly_done_graph(tmp_path):
    (tmp_path / "Base.txt").write_text("done\n")
    built = build_graph([g.Diamond(root=str(tmp_path))], CONFIG)
    states = {node.task.task_family: node.state for node in built.nodes.values()}
    assert states == {"Diamond": TO_RUN, "Left": TO_RUN, "Right": TO_RUN, "Base": COMPLETE}


def test_config_is_bound_to_every_task(tmp_path):
    config = Config().replace()
    built = build_graph([g.Diamond(root=str(tmp_path))], config)
    assert all(node.task.config is config for node in built.nodes.values())


def test_wrapper_is_complete_when_all_its_requirements_are(tmp_path):
    for i in range(3):
        (tmp_path / f"leaf-{i}.txt").write_text("x\n")
    built = build_graph([g.Many(root=str(tmp_path), n=3)], CONFIG)
    assert built.nodes[built.roots[0]].state == COMPLETE
    (tmp_path / "leaf-1.txt").unlink()
    built = build_graph([g.Many(root=str(tmp_path), n=3)], CONFIG)
    assert built.nodes[built.roots[0]].state == TO_RUN
    assert len(built.ids_in_state(COMPLETE)) == 2


def test_existence_is_checked_in_one_batch_per_level(tmp_path, monkeypatch):
    calls = []
    import streamflow.graph as graph_module

    real = graph_module.targets_exist

    def counting(targets):
        calls.append(len(targets))
        return real(targets)

    monkeypatch.setattr(graph_module, "targets_exist", counting)
    build_graph([g.Many(root=str(tmp_path), n=50)], CONFIG)
    assert calls == [50]  # the wrapper itself has no outputs; its 50 leaves: one call


def test_cycle_is_an_error_naming_the_cycle(tmp_path):
    with pytest.raises(TaskDefinitionError) as caught:
        build_graph([g.CycleA(root=str(tmp_path))], CONFIG)
    message = str(caught.value)
    assert "dependency cycle" in message
    for family in ("CycleA", "CycleB", "CycleC"):
        assert family in message
    assert message.count("CycleA(") == 2  # it starts and ends the cycle


def test_requires_returning_a_target_says_to_wrap_it_in_an_external_task(tmp_path):
    with pytest.raises(TaskDefinitionError, match="ExternalTask"):
        build_graph([g.RequiresTarget(root=str(tmp_path))], CONFIG)


def test_missing_external_input_is_marked_with_its_path(tmp_path):
    built = build_graph([g.UsesInput(root=str(tmp_path))], CONFIG)
    external = built.nodes[g.RawInput(root=str(tmp_path)).task_id]
    assert external.state == MISSING
    assert external.missing == [str(tmp_path / "input.txt")]
    assert "RawInput" in external.missing_message()
    assert str(tmp_path / "input.txt") in external.missing_message()


def test_error_in_user_requires_names_the_task_and_method(tmp_path):
    class Broken(Task):
        def requires(self):
            raise KeyError("no such month")

        def output(self):
            return LocalTarget(str(tmp_path / "broken.txt"))

    with pytest.raises(TaskDefinitionError, match=r"Broken\(\)\.requires\(\) raised KeyError"):
        build_graph([Broken()], CONFIG)


def test_overridden_complete_is_called(tmp_path):
    class AlwaysDone(Task):
        def complete(self):
            return True

    built = build_graph([AlwaysDone()], CONFIG)
    assert built.nodes[built.roots[0]].state == COMPLETE


def test_toposort_and_find_cycle_on_plain_data():
    assert toposort({"c": ["a", "b"], "b": ["a"], "a": []}) == ["a", "b", "c"]
    assert find_cycle({"a": ["b"], "b": []}) == []
    assert find_cycle({"x": ["x"]}) == ["x", "x"]


def test_tree_shows_states_and_shared_tasks_once(tmp_path):
    (tmp_path / "Base.txt").write_text("done\n")
    [root] = tree(build_graph([g.Diamond(root=str(tmp_path))], CONFIG))
    assert root.label.startswith("Diamond(") and root.state == TO_RUN
    left, right = root.children
    assert left.children[0].state == COMPLETE
    assert right.children[0].label.startswith("Base(")


def test_deep_chain_builds_without_recursion_limits(tmp_path):
    built = build_graph([g.Chain(root=str(tmp_path), n=3000)], CONFIG)
    assert len(built.order) == 3001
    assert built.nodes[built.order[0]].task.n == 0


def test_tree_of_a_deep_chain_is_built_without_recursion(tmp_path):
    [root] = tree(build_graph([g.Chain(root=str(tmp_path), n=3000)], CONFIG))
    depth, node = 0, root
    while node.children:
        [node] = node.children
        depth += 1
    assert depth == 3000
    assert node.label.startswith("Chain(") and "n=0" in node.label
