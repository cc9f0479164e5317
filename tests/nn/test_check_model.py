"""check_model: a model's whole gradient in one call, per parameter or along random directions."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from autograd import GradcheckError
from nn import MLP, check_model, datasets, losses
from nn.objective import mean_loss


def moons(n=6):
    X, y = datasets.make_moons(n, noise=0.1, seed=0)
    return X, y


def test_each_parameter_gets_a_row_named_after_it_with_the_models_own_gradient():
    X, y = moons()
    model = MLP(2, [3, 3], activation="tanh", seed=1)
    result = check_model(model, losses.cross_entropy, X, y, fast_mode=False)
    names = [name for name, _ in model.named_parameters()]
    assert [row.argument.split(" ", 1)[1] for row in result.rows] == names
    mean_loss([model(r) for r in X.tolist()], y.tolist(), losses.cross_entropy).backward()
    assert [row.analytic for row in result.rows] == [p.grad for p in model.parameters()]
    numeric = np.array([row.numeric for row in result.rows])  # central differences
    np.testing.assert_allclose(numeric, [p.grad for p in model.parameters()], rtol=1e-6, atol=1e-9)


def test_the_model_keeps_its_own_parameters_after_a_check_even_a_failing_one():
    X, y = moons()
    model = MLP(2, [4, 1], seed=0)
    before = model.parameters()

    def broken(output, target):
        raise RuntimeError("a loss that fails")

    with pytest.raises(RuntimeError, match="fails"):
        check_model(model, broken, X, y)
    check_model(model, losses.hinge, X, datasets.signed_labels(y))
    assert all(p is q for p, q in zip(model.parameters(), before))
    assert model.layers[0].neurons[0].w[0] is before[0]


def test_a_big_model_is_checked_along_random_directions_and_a_wrong_rule_is_named(op_table):
    X, y = moons(8)
    model = MLP(2, [16, 16, 1], activation="tanh", seed=0)
    fast = check_model(model, losses.mse, X, y.astype(float))
    assert [row.argument for row in fast.rows] == ["direction 1", "direction 2", "direction 3"]
    tanh = op_table["tanh"]
    op_table["tanh"] = dataclasses.replace(tanh, derivative=lambda m, x, out: (1.01 - out * out,))
    with pytest.raises(GradcheckError) as caught:
        check_model(model, losses.mse, X, y.astype(float))
    assert caught.value.result.diagnosis.culprits() == ["tanh"]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("model", losses.hinge, [[0.0, 0.0]], [1]), TypeError, "checks a Module"),
        ((None, losses.hinge, [[0.0, 0.0]], [1, 1]), ValueError, "n rows and n targets"),
    ],
)
def test_bad_arguments_are_refused(args, error, match):
    model = MLP(2, [1], seed=0) if args[0] is None else args[0]
    with pytest.raises(error, match=match):
        check_model(model, *args[1:])
