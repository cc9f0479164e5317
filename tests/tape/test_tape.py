"""The tape replays a traced graph over a batch and agrees with the eager engine.

The eager engine is the oracle: every op of it is checked against closed forms and central
differences in ``test_ops.py``. Here each sample of a batch is also run eagerly, and the tape's
outputs and gradients must match it to 1e-12 (relative to the largest magnitude compared).
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from autograd import Value, dot, grad, no_grad
from autograd import sum as vsum
from autograd.tape import Tape, TapeMismatchError, compile  # noqa: A004
from autograd.tape.steps import BATCH, SCALAR, MatMul
from nn import MLP, datasets, losses

RTOL = 1e-12

UNARY = [
    lambda a: -a,
    lambda a: a.relu(),
    lambda a: a.leaky_relu(0.2),
    lambda a: abs(a),
    lambda a: a.tanh(),
    lambda a: a.sigmoid(),
    lambda a: a.softplus(),
    lambda a: a.tanh().exp(),
    lambda a: (a.softplus() + 0.1).log(),
    lambda a: (a * a + 0.5).sqrt(),
    lambda a: a.sin(),
    lambda a: a.cos(),
    lambda a: a**2,
    lambda a: a.tanh() ** 3,
    lambda a: 2.0 ** a.tanh(),
]
BINARY = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1),
    lambda a, b: (a.softplus() + 0.1) ** b.tanh(),
    lambda a, b: 1.5 - a * b,
    lambda a, b: 0.5 * a + b / 3,
]


def random_function(seed: int, size: int = 30):
    """A fixed random program over 3 inputs and 4 parameters, using every kind of op, with
    shared sub-expressions, constants on either side, ``sum`` and ``dot``; two outputs."""
    rng = random.Random(seed)
    parameters = [Value(rng.uniform(-1, 1), label=f"p{i}") for i in range(4)]
    plan = []
    for i in range(size):
        count = 7 + i
        picks = [rng.randrange(count) for _ in range(4)]
        kind = rng.randrange(10)
        plan.append((kind, picks, rng.randrange(len(UNARY)), rng.randrange(len(BINARY))))

    def fn(*inputs: Value):
        values = [*inputs, *parameters]
        for kind, (i, j, k, m), unary, binary in plan:
            a, b, c, d = values[i], values[j], values[k], values[m]
            if kind < 4:
                values.append(UNARY[unary](a))
            elif kind < 8:
                values.append(BINARY[binary](a, b))
            elif kind == 8:
                values.append(vsum([a, b, c, 0.25]).tanh())
            else:
                values.append(dot([a, b], [c, d], 0.5).tanh())
        return values[-1], values[-2] * values[-5]

    return fn, parameters


def eager(fn, parameters, batch, seeds):
    """Outputs, input gradients and summed parameter gradients, one sample at a time."""
    outputs, input_grads, parameter_grads = [], [], np.zeros(len(parameters))
    for row, seed in zip(batch, seeds):
        xs = [Value(x) for x in row]
        result = fn(*xs)
        outs = [result] if isinstance(result, Value) else list(result)
        gradients = grad(outs, xs + list(parameters), grad_outputs=list(seed))
        outputs.append([o.data for o in outs])
        input_grads.append(gradients[: len(xs)])
        parameter_grads += gradients[len(xs) :]
    return np.array(outputs), np.array(input_grads), parameter_grads


def assert_close(tape_values, eager_values):
    scale = max(1.0, float(np.max(np.abs(eager_values))))
    np.testing.assert_allclose(tape_values, eager_values, rtol=RTOL, atol=RTOL * scale)


@pytest.mark.parametrize(
    ("seed", "samples"), [(s, 1) for s in range(12)] + [(s, 1000) for s in range(3)]
)
def test_random_graphs_match_the_eager_engine(seed, samples):
    fn, parameters = random_function(seed)
    tape = compile(fn, [0.3, -0.2, 0.7])
    rng = np.random.default_rng(seed)
    batch = rng.uniform(-2, 2, (samples, 3))
    seeds = rng.normal(size=(samples, 2))
    expected = eager(fn, parameters, batch, seeds)
    before = [p.grad for p in parameters]
    outputs = tape.forward(batch)
    input_grads = tape.backward(seeds, inputs=True)
    assert_close(outputs, expected[0])
    assert_close(input_grads, expected[1])
    assert set(tape.parameters) <= set(parameters)  # the leaves the trace reached
    added = [p.grad - g0 for p, g0 in zip(parameters, before)]
    assert_close(np.array(added), expected[2])


def test_random_graph_steps_group_same_op_nodes_of_the_same_depth():
    fn, _ = random_function(0, size=60)
    tape = compile(fn, [0.3, -0.2, 0.7])
    assert len(tape.steps) < tape.nodes - len(tape.inputs) - len(tape.parameters)
    assert any(step.count > 1 for step in tape.steps)


def demo_sample_loss(model: MLP):
    """micrograd's demo loss for one sample (x0, x1, y), the hinge loss plus 1e-4 times the L2
    penalty, and the model's score."""

    def loss(x0: Value, x1: Value, y: Value) -> tuple[Value, Value]:
        score = model([x0, x1])
        return (1 + -y * score).relu() + 1e-4 * losses.l2(model.parameters()), score

    return loss


@pytest.mark.parametrize("samples", [1, 1000])
def test_moons_mlp_matches_the_eager_engine(samples):
    X, labels = datasets.make_moons(1000, noise=0.1, seed=0)
    points, y = X[:samples], datasets.signed_labels(labels[:samples])
    eager_model, tape_model = MLP(2, [16, 16, 1], seed=1), MLP(2, [16, 16, 1], seed=1)
    scores = [eager_model(list(map(Value, row))) for row in points.tolist()]
    hinge = vsum((1 + -yi * s).relu() for yi, s in zip(y.tolist(), scores)) * (1 / samples)
    loss = hinge + 1e-4 * vsum(p * p for p in eager_model.parameters())
    loss.backward()

    tape = compile(demo_sample_loss(tape_model), [0.0, 0.0, 1.0])
    outputs = tape.forward(np.column_stack([points, y]))
    tape.backward(np.column_stack([np.full(samples, 1 / samples), np.zeros(samples)]))
    assert_close(outputs[:, 1], np.array([s.data for s in scores]))
    assert_close(outputs[:, 0].mean(), loss.data)
    assert tape.parameters == tuple(tape_model.parameters())  # in order of first use: the layers
    assert_close(
        np.array([p.grad for p in tape_model.parameters()]),
        np.array([p.grad for p in eager_model.parameters()]),
    )


def test_moons_mlp_compiles_to_one_matmul_per_layer_and_one_step_per_activation():
    tape = compile(demo_sample_loss(MLP(2, [16, 16, 1], seed=1)), [0.0, 0.0, 1.0])
    matmuls = [step for step in tape.steps if isinstance(step, MatMul)]
    layers = [(step.count, step.bias) for step in matmuls if step.kind == BATCH]
    assert layers == [(16, True), (16, True), (1, True)]
    (penalty,) = [step for step in matmuls if step.kind == SCALAR]  # l2: the parameters' dot
    assert (penalty.count, penalty.n, penalty.bias) == (1, 337, False)
    assert [step.count for step in tape.steps if step.op.name == "relu"] == [16, 16, 1]
    assert [step.count for step in tape.steps if step.op.name == "*"] == [1, 1]
    assert len(tape.steps) == 12 and tape.nodes == 412
    assert "dot x16 as matmul (16x2 + bias)" in repr(tape)


def test_value_dependent_control_flow_is_frozen_at_trace_time_and_check_catches_it():
    def fn(x):
        return x * 2 if x.data > 0 else -x  # Python branches on a value

    tape = compile(fn, [1.0])  # traced with x > 0: the tape doubles every sample
    assert tape.forward([[3.0], [-3.0]]).tolist() == [6.0, -6.0]  # eagerly, -3.0 gives 3.0
    tape.check([[3.0], [0.5]])  # where the branch agrees, so do the tape and eager
    with pytest.raises(TapeMismatchError, match=r"output \(1, 0\).*frozen"):
        tape.check([[3.0], [-3.0]])


def test_check_compares_gradients_and_leaves_grad_alone():
    w = Value(0.5, label="w")
    tape = compile(lambda x: (w * x).tanh(), [1.0])
    tape.check([[0.3], [-1.2], [2.0]], grad_outputs=[1.0, 2.0, -1.0])
    assert w.grad == 0.0
    w.data = 2.0  # the tape reads parameters on every forward: still equal
    with no_grad():  # the eager replay records its graph all the same
        tape.check([[0.3], [-1.2]])


def test_backward_accumulates_parameter_gradients_summed_over_the_batch():
    w = Value(3.0)
    tape = compile(lambda x: w * x + w, [1.0])
    tape.forward([[1.0], [2.0], [4.0]])
    assert tape.backward() is None
    assert w.grad == (1 + 1) + (2 + 1) + (4 + 1)
    tape.backward(np.array([1.0, 1.0, 1.0]))
    assert w.grad == 2 * 10.0  # like Value.backward twice


def test_outputs_that_are_inputs_or_parameters_broadcast_over_the_batch():
    w, v = Value(1.5), Value(4.0)
    tape = compile(lambda x: [x, w, v * 2], [0.0])  # w is only an output, never an input
    assert set(tape.parameters) == {w, v}
    assert tape.forward([[1.0], [2.0]]).tolist() == [[1.0, 1.5, 8.0], [2.0, 1.5, 8.0]]
    input_grads = tape.backward(np.ones((2, 3)), inputs=True)
    assert input_grads.tolist() == [[1.0], [1.0]]
    assert (w.grad, v.grad) == (2.0, 2 * 2.0)


def test_shared_weights_and_scattered_rows_take_the_general_path():
    w, v = Value(0.5), Value(-1.5)

    def fn(x0, x1, x2):
        first = dot([w, w, v], [x2, x0, x1], 0.1)  # one weight twice: rows repeat
        second = dot([v, w, w], [x2, x0, x1])
        return vsum([first * second, x0 * x0, first])

    tape = compile(fn, [0.1, 0.2, 0.3])
    batch = np.random.default_rng(1).normal(size=(7, 3))
    seeds = np.linspace(-1, 1, 7)[:, None]
    expected = eager(fn, [w, v], batch, seeds)
    assert_close(tape.forward(batch), expected[0][:, 0])
    assert_close(tape.backward(seeds[:, 0], inputs=True), expected[1])
    assert_close(np.array([w.grad, v.grad]), expected[2])


def test_non_finite_values_follow_ieee_without_warnings():
    tape = compile(lambda x: [x.log(), 1 / x, (x * 1000).exp()], [1.0])
    with np.errstate(all="raise"):
        out = tape.forward([[-1.0], [0.0], [1.0]])
    np.testing.assert_array_equal(out[:, 0], [np.nan, -np.inf, 0.0])
    np.testing.assert_array_equal(out[:, 1], [-1.0, np.inf, 1.0])
    assert out[2, 2] == np.inf


def test_bad_calls_raise_clear_errors():
    tape = compile(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="forward"):
        tape.backward()
    with pytest.raises(ValueError, match=r"\(samples, 2\).*\(3,\)"):
        tape.forward([1.0, 2.0, 3.0])
    tape.forward([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"shape \(1,\)"):
        tape.backward(np.ones(2))
    with pytest.raises(TypeError, match="float"):
        compile(lambda x: 1.0, [0.0])


def test_tape_is_built_from_the_trace():
    tape = compile(lambda x: x * 2 + 1, [5.0])
    assert isinstance(tape, Tape)
    assert [v.label for v in tape.inputs] == ["input 0"] and tape.inputs[0].data == 5.0
    assert tape.outputs[0].data == 11.0 and tape.parameters == ()


def test_a_value_returned_twice_gets_the_gradient_of_both_outputs():
    w = Value(1.5)

    def fn(x):
        y = (w * x).tanh()
        return [y, y, w]  # the same node twice, and a parameter as an output

    tape = compile(fn, [0.3])
    batch = np.array([[0.3], [-1.2], [2.0]])
    seeds = np.array([[1.0, 2.0, 0.5], [0.25, -1.0, 0.5], [3.0, 1.0, 0.5]])
    tape.forward(batch)
    input_grads = tape.backward(seeds, inputs=True)
    x = batch[:, 0]
    local = 1 - np.tanh(1.5 * x) ** 2  # d tanh(w x) / d(w x)
    weights = seeds[:, 0] + seeds[:, 1]
    np.testing.assert_allclose(input_grads[:, 0], weights * local * 1.5, rtol=1e-13)
    assert w.grad == pytest.approx(np.sum(weights * local * x) + seeds[:, 2].sum(), rel=1e-13)


def test_the_source_of_a_tape_is_the_numpy_code_it_runs_and_names_no_label():
    w = Value(2.0, label="secret weight; import os")
    tape = compile(lambda x: (w * x).relu(), [1.0])
    assert "def forward(X):" in tape.source and "def backward(X, seeds):" in tape.source
    assert "secret" not in tape.source and "import" not in tape.source


def test_forward_backward_seeding_only_some_outputs_gives_what_zero_seeds_give():
    w, b = Value(0.7), Value(-0.2)
    tape = compile(lambda x: [(w * x + b).tanh(), w * x, b * b], [0.1])
    batch = np.array([[0.5], [-1.5], [2.0]])
    seeds = np.array([[1.0, 0.0, 0.5], [2.0, 0.0, 0.5], [-1.0, 0.0, 0.5]])
    tape.forward(batch)
    everything = tape.gradients(seeds)
    outputs, some = tape.forward_backward(batch, seeds, seeded=[0, 2])
    np.testing.assert_array_equal(some, everything)
    np.testing.assert_array_equal(outputs, tape.forward(batch))
    for wrong in ([3], [0, 0, 2], [True], ["0"]):
        with pytest.raises(ValueError, match=r"seeded lists distinct outputs 0\.\.2"):
            tape.forward_backward(batch, seeds, seeded=wrong)
    # a backward of every output after a step's forward (another variant) sees that forward
    other = np.array([[-0.25], [1.0], [0.75]])
    tape.forward_backward(other, seeds, seeded=[2, np.int64(0)])
    after = tape.gradients(seeds)
    tape.forward(other)
    np.testing.assert_array_equal(after, tape.gradients(seeds))
