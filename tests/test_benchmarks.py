"""The contenders of ``make bench`` run the same training step, so its ratios compare like with
like: micrograd, valuegraph (micrograd's program, and ``nn.fit``'s step eager and compiled) and
the hand-written NumPy backpropagation give the same losses, accuracies and gradients."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from benchmarks import graphs
from benchmarks.moons import (
    FitDemo,
    NumpyDemo,
    dataset,
    initial_weights,
    micrograd_demo,
    mlp,
    parameter_values,
    primitive_demo,
    train,
)


def test_numpy_backpropagation_by_hand_matches_the_eager_gradients():
    points, y = dataset(30)
    weights = initial_weights()
    numpy_demo, eager = NumpyDemo(points, y, weights), FitDemo(points, y, weights)
    loss, _, grads = numpy_demo.gradients()
    eager_loss, _ = eager.step(0)  # leaves each parameter's gradient in .grad
    assert loss == pytest.approx(eager_loss, rel=1e-12)
    # the Values are ordered neuron by neuron: each neuron's weights, then its bias
    by_hand = np.concatenate(
        [np.column_stack([w, b]).ravel() for w, b in zip(grads[::2], grads[1::2])]
    )
    eager_grads = [p.grad for p in eager.parameters]
    np.testing.assert_allclose(by_hand, eager_grads, rtol=1e-12, atol=1e-15)


def test_every_demo_takes_the_same_steps():
    points, y = dataset(12)
    weights = initial_weights()
    demos = [
        micrograd_demo(points, y, weights),
        primitive_demo(points, y, weights),
        FitDemo(points, y, weights),
        FitDemo(points, y, weights, compile=True),
        NumpyDemo(points, y, weights),
    ]
    for k in range(3):
        step_losses, accuracies = zip(*(demo.step(k) for demo in demos))
        assert step_losses == pytest.approx([step_losses[0]] * len(demos), rel=1e-12)
        assert len(set(accuracies)) == 1
    final = [p.data for p in demos[0].parameters]  # micrograd's weights after three steps
    for demo in demos[1:4]:
        np.testing.assert_allclose([p.data for p in demo.parameters], final, rtol=1e-12)
    by_hand = demos[4].params
    np.testing.assert_allclose(
        parameter_values(zip(by_hand[::2], by_hand[1::2])), final, rtol=1e-12
    )


@pytest.mark.parametrize("compile", [False, True])
def test_the_timed_valuegraph_step_is_a_step_of_nn_fit(compile):  # noqa: A002
    points, y = dataset(20)
    demo = FitDemo(points, y, initial_weights(), compile=compile)
    steps = [demo.step(k) for k in range(3)]
    model, history = train(points, y, initial_weights(), steps=3, compile=compile)
    assert [loss for loss, _ in steps] == pytest.approx(history.loss, rel=1e-12)
    assert [accuracy for _, accuracy in steps] == history.accuracy
    assert [p.data for p in demo.parameters] == pytest.approx(
        [p.data for p in model.parameters()], rel=1e-12
    )


def test_the_demo_model_is_an_nn_mlp_holding_the_shared_weights():
    weights = initial_weights()
    model = mlp(weights)
    first_neuron = model.layers[0].neurons[0]
    assert [w.data for w in first_neuron.w] == weights[0][0][0].tolist()
    assert model.layers[2].neurons[0].w[15].data == weights[2][0][0, 15]
    assert len(model.parameters()) == sum(W.size + b.size for W, b in weights) == 337


@pytest.mark.parametrize("program", sorted(graphs.PROGRAMS))
def test_graph_programs_record_one_node_per_op_they_count(program):
    build = graphs.PROGRAMS[program]
    root = build(autograd.Value, 1_000)
    nodes = autograd.topological_order(root)
    assert len(nodes) - 2 == 1_000  # the two leaves x and w, and one node per op
    assert np.isfinite(root.data)
