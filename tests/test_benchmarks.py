"""``make bench`` compares like with like and reports what it measured: the tight NumPy step's
gradients are the objective's (finite differences), every contender takes the same steps, and
the harness's ratios, garbage charging and targets do what benchmarks/harness.py says."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from benchmarks import graphs, harness, targets
from benchmarks.fit_step import FitStep, mlp
from benchmarks.moons import micrograd_demo, primitive_demo
from benchmarks.problems import MOONS, Problem, blobs
from benchmarks.reference import TightNumpy

TINY_HINGE = Problem("2-3-4-1", (2, 3, 4, 1), "hinge", 0.01, MOONS.schedule, "micrograd")
TINY_SOFTMAX = Problem("5-4-3", (5, 4, 3), "cross_entropy", 0.01, lambda k: 0.3, "fan-in")


def finite_difference_gradient(step: TightNumpy, h: float = 1e-6) -> np.ndarray:
    """Central differences of the objective in each entry of the flat parameter buffer."""
    gradient = np.empty_like(step.params)
    for i in range(step.params.size):
        saved = step.params[i]
        step.params[i] = saved + h
        up = step.gradients()[0]
        step.params[i] = saved - h
        down = step.gradients()[0]
        step.params[i] = saved
        gradient[i] = (up - down) / (2 * h)
    return gradient


@pytest.mark.parametrize("problem", [TINY_HINGE, TINY_SOFTMAX], ids=lambda p: p.loss)
def test_tight_numpy_gradients_match_finite_differences(problem):
    X, y = problem.data(7)
    step = TightNumpy(problem, X, y, problem.weights(seed=3))
    step.gradients()
    analytic = step.grads.copy()
    np.testing.assert_allclose(finite_difference_gradient(step), analytic, rtol=1e-6, atol=1e-8)
    assert np.count_nonzero(analytic) > analytic.size // 2  # not a vacuous match of zeros


@pytest.mark.parametrize("problem", [TINY_HINGE, TINY_SOFTMAX], ids=lambda p: p.loss)
def test_tight_numpy_steps_are_the_eager_engines_steps(problem):
    X, y = problem.data(9)
    weights = problem.weights(seed=4)
    by_hand, eager = TightNumpy(problem, X, y, weights), FitStep(problem, X, y, weights, False)
    for _ in range(3):  # the second and third losses check the updates too
        (loss, accuracy), (eager_loss, eager_accuracy) = by_hand.step(), eager.step()
        assert loss == pytest.approx(eager_loss, rel=1e-12)
        assert accuracy == eager_accuracy


def test_every_moons_contender_takes_the_same_steps():
    X, y = MOONS.data(12)
    weights = MOONS.weights()
    contenders = {
        "micrograd": micrograd_demo(X, y, weights),
        "valuegraph, micrograd's program": primitive_demo(X, y, weights),
        "eager": FitStep(MOONS, X, y, weights, False),
        "compiled": FitStep(MOONS, X, y, weights, True),
        "tight numpy": TightNumpy(MOONS, X, y, weights),
    }
    steps = {name: [c.step() for _ in range(3)] for name, c in contenders.items()}
    harness.agree({name: [x for s in taken for x in s] for name, taken in steps.items()})


@pytest.mark.parametrize("compile", [False, True])
def test_the_timed_valuegraph_step_is_a_step_of_nn_fit(compile):  # noqa: A002
    X, y = MOONS.data(20)
    timed = FitStep(MOONS, X, y, MOONS.weights(), compile)
    steps = [timed.step() for _ in range(3)]
    model = mlp(MOONS, MOONS.weights())
    history = nn.fit(
        model,
        X,
        y,
        loss=nn.losses.hinge,
        optimizer=nn.SGD(model.parameters(), lr=MOONS.schedule(0)),
        steps=3,
        schedule=MOONS.schedule,
        penalty=lambda ps: MOONS.alpha * nn.losses.l2(ps),
        progress=False,
        compile=compile,
    )
    assert [loss for loss, _ in steps] == pytest.approx(history.loss, rel=1e-12)
    assert [accuracy for _, accuracy in steps] == history.accuracy


def test_the_shared_weights_load_into_nn_neuron_by_neuron():
    weights = MOONS.weights()
    model = mlp(MOONS, weights)
    assert [w.data for w in model.layers[0].neurons[0].w] == weights[0][0][0].tolist()
    assert model.layers[2].neurons[0].w[15].data == weights[2][0][0, 15]
    assert len(model.parameters()) == sum(W.size + b.size for W, b in weights) == 337


def test_blobs_hold_every_class_and_are_the_same_every_time():
    X, y = blobs(30, 6, 10)
    assert X.shape == (30, 6) and sorted(set(y.tolist())) == list(range(10))
    np.testing.assert_array_equal(blobs(30, 6, 10)[0], X)


@pytest.mark.parametrize("program", sorted(graphs.PROGRAMS))
def test_graph_programs_record_one_node_per_op_they_count(program):
    root, _ = graphs.PROGRAMS[program](autograd.Value, 1_000)
    assert len(autograd.topological_order(root)) - 2 == 1_000  # leaves x and w, a node per op
    assert np.isfinite(root.data)


@pytest.mark.parametrize("program", sorted(graphs.PROGRAMS))
def test_graph_programs_give_micrograds_output_and_gradients(program):
    from micrograd.engine import Value as MicroValue

    build = graphs.PROGRAMS[program]
    ours = graphs.forward_backward(build, autograd.Value, 200)()
    theirs = graphs.forward_backward(build, MicroValue, 200)()
    harness.agree({"valuegraph": ours, "micrograd": theirs})
    assert ours[1] != 0.0 and ours[2] != 0.0


def test_agree_refuses_a_contender_that_computed_something_else():
    harness.agree({"a": [1.0, 0.5], "b": [1.0 + 1e-13, 0.5]})
    with pytest.raises(harness.DisagreementError, match="b computed"):
        harness.agree({"a": [1.0, 0.5], "b": [1.0 + 1e-6, 0.5]})
    with pytest.raises(harness.DisagreementError):
        harness.agree({"a": [1.0, 0.5], "b": [1.0]})


def busy(iterations: int):
    def step() -> int:
        return sum(range(iterations))

    return step


def test_a_contender_doing_twice_the_work_is_about_twice_as_slow():
    measured = harness.compare({"once": busy(20_000), "twice": busy(40_000)}, 5, seconds=0.03)
    assert 1.6 < measured["twice"]["ratio"]["median"] < 2.5
    assert measured["once"]["ratio"]["median"] == 1.0


class FakeMachine:
    """A clock that steps advance by their cost times the machine's slowdown, which changes
    from round to round (every two collections once the comparison has frozen the heap: one per
    contender's block), and a collector whose collections cost ``collection`` each."""

    def __init__(self, slowdowns: list[float], collection: float) -> None:
        self.now, self.collections, self.collection = 0.0, 0, collection
        self.slowdowns = slowdowns

    def clock(self) -> float:
        return self.now

    def step(self, cost: float):
        def run() -> None:
            self.now += cost * self.slowdowns[min(self.collections // 2, len(self.slowdowns) - 1)]

        return run

    def collect(self) -> int:
        self.collections += 1
        self.now += self.collection
        return 0

    def freeze(self) -> None:
        self.collections = 0

    def unfreeze(self) -> None:
        pass


def test_ratios_are_per_round_so_a_slowdown_of_one_round_cancels(monkeypatch):
    machine = FakeMachine(slowdowns=[1.0, 1.0, 3.0, 1.0, 5.0, 1.0], collection=0.0)
    monkeypatch.setattr(harness, "CLOCK", machine.clock)
    monkeypatch.setattr(harness, "gc", machine)
    measured = harness.compare({"a": machine.step(1.0), "b": machine.step(2.0)}, 5, seconds=10)
    assert measured["b"]["ratio"]["median"] == pytest.approx(2.0)
    assert measured["b"]["ratio"]["spread"] == pytest.approx(0.0)
    assert measured["b"]["seconds"]["spread"] > 0.5  # the times themselves moved a lot


def test_a_blocks_garbage_collection_is_charged_to_its_steps(monkeypatch):
    machine = FakeMachine(slowdowns=[1.0], collection=3.0)
    monkeypatch.setattr(harness, "CLOCK", machine.clock)
    monkeypatch.setattr(harness, "gc", machine)
    assert harness.timed_block(machine.step(1.0), 6) == pytest.approx((6 * 1.0 + 3.0) / 6)
    assert machine.collections == 1


def test_per_round_ratio_is_not_a_ratio_of_medians():
    measured = {
        "ours": {"seconds": {"rounds": [1.0, 2.0, 3.0]}},
        "theirs": {"seconds": {"rounds": [1.0, 1.0, 6.0]}},
    }
    assert targets.per_round(measured, "ours", "theirs") == 1.0  # rounds: 1, 2, 0.5
    assert targets.per_round(measured, "ours", "absent") is None


def test_targets_are_met_missed_or_not_measured():
    names = list(targets.targets())
    at_least, at_most = names[0], names[2]  # >= 5 and <= 102
    checked = targets.check({at_least: 5.0, at_most: 102.5})
    assert checked[at_least]["met"] is True
    assert checked[at_most]["met"] is False
    assert all(checked[name]["met"] is None for name in names[3:])


def test_the_slowest_eager_case_sets_the_eager_target():
    def case(ours: float, micrograd: float) -> dict:
        return {
            "valuegraph": {"seconds": {"rounds": [ours]}},
            "micrograd": {"seconds": {"rounds": [micrograd]}},
        }

    results = {"eager": {"chain": case(1.0, 9.0), "mixed": case(1.0, 4.0)}}
    values = targets.measured(results)
    assert values["eager graphs: micrograd / valuegraph, slowest case"] == 4.0
    assert values["eager graphs: torch scalar / valuegraph, slowest case"] is None
