"""Small recorded training runs for the training explorer's tests."""

from __future__ import annotations

from nn import MLP, SGD, Adam, Recording, datasets, fit, losses


def small_run(kind: str, compile_: bool = False, steps: int = 6) -> tuple:
    """A short recorded run: ``binary`` (moons, hinge, SGD) or ``multi-class`` (spiral,
    cross-entropy, Adam); returns the model, X, y and the Recording."""
    if kind == "binary":
        X, y = datasets.make_moons(40, noise=0.1, seed=0)
        y = datasets.signed_labels(y)
        model = MLP(2, [4, 4, 1], seed=1)
        loss, optimizer = losses.hinge, SGD(model.parameters(), lr=0.5)
    else:
        X, y = datasets.make_spiral(45, classes=3, noise=0.1, seed=0)
        model = MLP(2, [5, 3], activation="tanh", seed=1)
        loss, optimizer = losses.cross_entropy, Adam(model.parameters(), lr=0.05)
    recording = Recording()
    fit(model, X, y, loss=loss, optimizer=optimizer, steps=steps, progress=False,
        compile=compile_, record=recording)  # fmt: skip
    return model, X, y, recording
