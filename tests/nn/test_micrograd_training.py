"""micrograd's nn as the oracle: same architecture, same numbers, same training trajectory."""

from __future__ import annotations

import random

import micrograd.engine as mg_engine  # the dev extra installs micrograd: never skipped
import micrograd.nn as mg_nn
import pytest

from nn import MLP, SGD, Layer, Neuron, datasets, fit, losses, optim


def copy_weights(source, target):
    for theirs, ours in zip(source.parameters(), target.parameters(), strict=True):
        ours.data = float(theirs.data)


@pytest.mark.parametrize(
    ("build_theirs", "build_ours", "nin"),
    [
        (lambda: mg_nn.MLP(2, [16, 16, 1]), lambda: MLP(2, [16, 16, 1]), 2),
        (lambda: mg_nn.MLP(3, [4, 2]), lambda: MLP(3, [4, 2]), 3),
        (lambda: mg_nn.Layer(3, 4, nonlin=False), lambda: Layer(3, 4, nonlin=False), 3),
        (lambda: mg_nn.Neuron(5), lambda: Neuron(5), 5),
    ],
)
def test_same_architecture_gives_same_outputs_and_gradients_given_the_same_weights(
    build_theirs, build_ours, nin
):
    theirs, ours = build_theirs(), build_ours()
    assert len(ours.parameters()) == len(theirs.parameters())
    for p in theirs.parameters():
        p.data += 0.1  # biases away from micrograd's 0, so they matter
    copy_weights(theirs, ours)
    rng = random.Random(0)
    for _ in range(5):
        x = [rng.uniform(-2, 2) for _ in range(nin)]
        out_theirs, out_ours = theirs(x), ours(x)
        outs_theirs = out_theirs if isinstance(out_theirs, list) else [out_theirs]
        outs_ours = out_ours if isinstance(out_ours, list) else [out_ours]
        assert isinstance(out_ours, list) == isinstance(out_theirs, list)
        assert [o.data for o in outs_ours] == pytest.approx(
            [o.data for o in outs_theirs], rel=1e-12
        )
        theirs.zero_grad()
        ours.zero_grad()
        sum((o * o for o in outs_theirs), mg_engine.Value(0.0)).backward()
        sum((o * o for o in outs_ours), 0.0).backward()
        # micrograd adds a node's gradients in an order set by id() (its _prev is a set), so
        # near cancellation its sums round differently from run to run: ~1e-15 absolute
        assert [p.grad for p in ours.parameters()] == pytest.approx(
            [p.grad for p in theirs.parameters()], rel=1e-12, abs=1e-13
        )


def test_random_seed_then_construction_gives_micrograds_weights_draw_for_draw():
    random.seed(1337)
    theirs = mg_nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    seeded = MLP(2, [16, 16, 1], seed=1337)
    expected = [float(p.data) for p in theirs.parameters()]
    assert [p.data for p in ours.parameters()] == expected
    assert [p.data for p in seeded.parameters()] == expected


def test_fit_follows_micrograds_demo_loop_run_on_micrograds_engine():
    """The demo's loop, written with micrograd's Value and MLP, is the oracle for fit + SGD +
    hinge + l2 + the linear schedule (a small model and a few steps keep it fast)."""
    X, y = datasets.make_moons(30, noise=0.1, seed=2)
    y = datasets.signed_labels(y)
    theirs, ours = mg_nn.MLP(2, [8, 8, 1]), MLP(2, [8, 8, 1], seed=2)
    copy_weights(ours, theirs)
    steps, alpha = 5, 1e-4

    for k in range(steps):
        scores = [theirs(list(map(mg_engine.Value, row))) for row in X.tolist()]
        data_loss = sum((1 + -int(yi) * s).relu() for yi, s in zip(y, scores)) * (1.0 / len(y))
        total = data_loss + alpha * sum(p * p for p in theirs.parameters())
        theirs.zero_grad()
        total.backward()
        for p in theirs.parameters():
            p.data -= (1.0 - 0.9 * k / steps) * p.grad

    history = fit(
        ours,
        X,
        y,
        loss=losses.hinge,
        optimizer=SGD(ours.parameters(), lr=1.0),
        steps=steps,
        schedule=optim.linear_decay(1.0, 0.1, steps),
        penalty=lambda ps: alpha * losses.l2(ps),
        progress=False,
    )
    assert len(history) == steps
    assert [p.data for p in ours.parameters()] == pytest.approx(
        [p.data for p in theirs.parameters()], rel=1e-9, abs=1e-12
    )
    assert history.loss[-1] == pytest.approx(total.data, rel=1e-9)
