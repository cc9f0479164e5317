"""nn modules: what a neuron computes, parameter names and order, seeds, inputs, state dicts."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from autograd import Value
from nn import MLP, Layer, Module, Neuron

ACTIVATIONS = {
    "relu": lambda z: max(z, 0.0),
    "tanh": math.tanh,
    "sigmoid": lambda z: 1 / (1 + math.exp(-z)),
    "linear": lambda z: z,
}


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_neuron_computes_its_activation_of_w_dot_x_plus_b(activation):
    neuron = Neuron(3, activation=activation, seed=4)
    neuron.b.data = 0.25
    x = [0.5, -1.5, 2.0]
    z = sum(w.data * xi for w, xi in zip(neuron.w, x)) + 0.25
    assert neuron(x).data == pytest.approx(ACTIVATIONS[activation](z), rel=1e-12)


def test_neuron_records_one_dot_node_with_weights_inputs_and_bias_as_parents():
    neuron = Neuron(2, activation="tanh", seed=0)
    x = Value(0.3)
    out = neuron([x, 1.5])
    assert out.op == "tanh"
    (dot,) = out.parents
    assert dot.op == "dot"
    assert dot.parents == (*neuron.w, x, 1.5, neuron.b)


def test_nonlin_false_makes_a_neuron_linear_whatever_the_activation():
    neuron = Neuron(2, nonlin=False, activation="tanh", seed=0)
    assert neuron.activation == "linear" and not neuron.nonlin
    assert neuron([1.0, 2.0]).op == "dot"
    assert Neuron(2).nonlin and Neuron(2).activation == "relu"


def test_unknown_activation_is_a_value_error_listing_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown activation 'gelu'.*relu, tanh, sigmoid, linear"):
        Neuron(2, activation="gelu")


def test_mlp_hidden_layers_use_the_activation_and_the_last_layer_is_linear():
    model = MLP(2, [3, 4, 2], activation="tanh", seed=0)
    assert [layer.neurons[0].activation for layer in model.layers] == ["tanh", "tanh", "linear"]
    assert [len(layer.neurons) for layer in model.layers] == [3, 4, 2]
    assert [len(layer.neurons[0].w) for layer in model.layers] == [2, 3, 4]


def test_a_single_output_comes_back_as_a_value_and_several_as_a_list():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    outputs = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(outputs, list) and len(outputs) == 2


def test_mlp_output_equals_layer_by_layer_arithmetic():
    model = MLP(2, [3, 2], seed=7)
    x = [0.4, -0.9]
    hidden = [
        max(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data, 0.0)
        for n in model.layers[0].neurons
    ]
    expected = [
        sum(w.data * h for w, h in zip(n.w, hidden)) + n.b.data for n in model.layers[1].neurons
    ]
    assert [o.data for o in model(x)] == pytest.approx(expected, rel=1e-12)


def test_numpy_rows_and_values_work_as_inputs_like_lists_of_floats():
    model = MLP(2, [4, 1], seed=1)
    expected = model([0.5, -1.0]).data
    assert model(np.array([0.5, -1.0])).data == expected
    assert model(np.array([0.5, -1.0], dtype=np.float32)).data == expected
    assert model([Value(0.5), Value(-1.0)]).data == expected
    assert model((np.float64(0.5), -1)).data == expected


def test_a_width_one_layer_feeds_the_next_layer_a_single_value():
    model = MLP(1, [1, 1], seed=3)
    out = model(0.5)
    h = max(model.layers[0].neurons[0].w[0].data * 0.5, 0.0)
    assert out.data == pytest.approx(model.layers[1].neurons[0].w[0].data * h, rel=1e-12)


def test_wrong_number_of_inputs_is_a_value_error():
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        MLP(2, [3, 1], seed=0)([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: MLP(2, []), ValueError, "at least one layer"),
        (lambda: MLP(0, [1]), ValueError, "nin must be at least 1"),
        (lambda: Layer(2, 0), ValueError, "nout must be at least 1"),
        (lambda: Neuron(2.0), TypeError, "nin must be an int, got float"),
        (lambda: MLP(2, [1], seed="x"), TypeError, "seed must be an int"),
    ],
)
def test_bad_constructor_arguments_raise_clear_errors(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_parameter_names_follow_the_scheme_and_match_the_order_of_parameters():
    model = MLP(2, [3, 1], seed=0)
    expected = [
        f"layers.{i}.neurons.{j}.{p}"
        for i, (nin, nout) in enumerate([(2, 3), (3, 1)])
        for j in range(nout)
        for p in [*(f"w[{k}]" for k in range(nin)), "b"]
    ]
    named = list(model.named_parameters())
    assert [name for name, _ in named] == expected
    assert [p for _, p in named] == model.parameters()
    assert [p.label for p in model.parameters()] == expected


def test_bare_layer_and_neuron_parameters_are_named_from_their_own_root():
    layer, neuron = Layer(2, 2, seed=0), Neuron(2, seed=0)
    assert [p.label for p in layer.parameters()] == [
        "neurons.0.w[0]",
        "neurons.0.w[1]",
        "neurons.0.b",
        "neurons.1.w[0]",
        "neurons.1.w[1]",
        "neurons.1.b",
    ]
    assert [name for name, _ in neuron.named_parameters()] == ["w[0]", "w[1]", "b"]
    assert neuron.parameters() == [*neuron.w, neuron.b]


def test_weights_start_uniform_in_minus_one_one_and_biases_at_zero():
    model = MLP(4, [32, 32, 1], seed=0)
    weights = [p.data for name, p in model.named_parameters() if not name.endswith(".b")]
    biases = [p.data for name, p in model.named_parameters() if name.endswith(".b")]
    assert all(-1.0 <= w <= 1.0 for w in weights)
    assert min(weights) < -0.9 and max(weights) > 0.9
    assert biases == [0.0] * 65


def test_a_seed_gives_the_same_weights_and_different_seeds_different_ones():
    weights = lambda seed: [p.data for p in MLP(2, [8, 8, 1], seed=seed).parameters()]
    assert weights(5) == weights(5)
    assert weights(5) != weights(6)


def test_an_int_seed_leaves_the_global_random_state_alone():
    state = random.getstate()
    MLP(2, [8, 1], seed=5)
    assert random.getstate() == state


def test_seed_none_draws_from_python_random_so_random_seed_reproduces_it():
    random.seed(11)
    first = [p.data for p in MLP(2, [4, 1]).parameters()]
    random.seed(11)
    assert [p.data for p in MLP(2, [4, 1]).parameters()] == first
    assert [p.data for p in MLP(2, [4, 1]).parameters()] != first  # fresh draws otherwise


def test_zero_grad_clears_every_parameter_gradient():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, -2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


class Residual(Module):
    """A user module: its parameters are found in its attributes, in assignment order."""

    def __init__(self):
        self.scale = Value(2.0)
        self.blocks = [Layer(2, 2, seed=0), Layer(2, 2, seed=1)]
        self.head = Neuron(2, seed=2)
        self.gains = (Value(1.0), Value(3.0))
        self._cache = Value(0.0)  # private: not a parameter
        self.label_parameters()

    def __call__(self, x):
        for block in self.blocks:
            x = [xi + hi for xi, hi in zip(x, block(x))]
        return self.head(x) * self.scale


def test_a_user_module_names_values_modules_and_lists_found_in_its_attributes():
    names = [name for name, _ in Residual().named_parameters()]
    assert names[0] == "scale"
    assert names[1:4] == [
        "blocks.0.neurons.0.w[0]",
        "blocks.0.neurons.0.w[1]",
        "blocks.0.neurons.0.b",
    ]
    assert names[13:16] == ["head.w[0]", "head.w[1]", "head.b"]
    assert names[16:] == ["gains[0]", "gains[1]"]
    assert len(names) == 1 + 12 + 3 + 2


def test_state_dict_round_trips_into_another_model_of_the_same_architecture():
    source, target = MLP(2, [3, 2], seed=0), MLP(2, [3, 2], seed=1)
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()
    assert [o.data for o in target([0.3, 0.7])] == [o.data for o in source([0.3, 0.7])]


def test_load_state_dict_rejects_a_mismatch_and_changes_nothing():
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    state = dict(before)
    del state["layers.1.neurons.0.b"]
    state["layers.2.neurons.0.b"] = 1.0
    with pytest.raises(ValueError, match=r"missing layers\.1\.neurons\.0\.b.*unexpected layers\.2"):
        model.load_state_dict({name: 9.0 for name in state})
    bad = {**before, "layers.0.neurons.0.b": "0.5"}
    with pytest.raises(ValueError, match=r"not numbers: layers\.0\.neurons\.0\.b"):
        model.load_state_dict(bad)
    assert model.state_dict() == before


def test_repr_shows_how_to_build_the_module():
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2, [16, 16, 1], activation='relu')"
    assert repr(Layer(3, 4, activation="tanh")) == "Layer(3, 4, activation='tanh')"
    assert repr(Neuron(2, nonlin=False)) == "Neuron(2, activation='linear')"
