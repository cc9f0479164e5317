"""The contenders of ``make bench`` run the same training step, so its ratios compare like with
like: micrograd, valuegraph (eager with ``dot`` neurons, eager with micrograd's program, compiled)
and the hand-written NumPy backpropagation give the same losses, accuracies and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from benchmarks import graphs
from benchmarks.moons import (
    CompiledDemo,
    MicrogradDemo,
    NumpyDemo,
    ValueDemo,
    initial_weights,
    moons,
)


def test_numpy_backpropagation_by_hand_matches_the_eager_gradients():
    points, y = moons(30)
    weights = initial_weights()
    numpy_demo, eager = NumpyDemo(points, y, weights), ValueDemo(points, y, weights)
    loss, _, grads = numpy_demo.gradients()
    eager_loss, _ = eager.step(0)  # leaves each parameter's gradient in .grad
    assert loss == pytest.approx(eager_loss, rel=1e-12)
    # the Values are ordered neuron by neuron: each neuron's weights, then its bias
    by_hand = np.concatenate(
        [np.column_stack([w, b]).ravel() for w, b in zip(grads[::2], grads[1::2])]
    )
    eager_grads = [p.grad for p in eager.model.parameters]
    np.testing.assert_allclose(by_hand, eager_grads, rtol=1e-12, atol=1e-15)


def test_every_demo_takes_the_same_steps():
    points, y = moons(12)
    weights = initial_weights()
    demos = [
        MicrogradDemo(points, y, weights),
        ValueDemo(points, y, weights),
        ValueDemo(points, y, weights, neuron="primitive"),
        CompiledDemo(points, y, weights),
        NumpyDemo(points, y, weights),
    ]
    for k in range(3):
        losses, accuracies = zip(*(demo.step(k) for demo in demos))
        assert losses == pytest.approx([losses[0]] * len(demos), rel=1e-12)
        assert len(set(accuracies)) == 1


@pytest.mark.parametrize("program", sorted(graphs.PROGRAMS))
def test_graph_programs_record_one_node_per_op_they_count(program):
    build = graphs.PROGRAMS[program]
    root = build(autograd.Value, 1_000)
    nodes = autograd.topological_order(root)
    assert len(nodes) - 2 == 1_000  # the two leaves x and w, and one node per op
    assert np.isfinite(root.data)
