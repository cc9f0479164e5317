"""One neuron's scalar graph for one sample, at every frame, for the training explorer.

Every neuron of a layer has the same graph: its inputs as leaves, its weights ``w[i]`` and bias
``b``, the ``dot`` node and the activation. So ``draw_dot`` lays it out once per layer, with
placeholder numbers as wide as any ``style.number`` prints, and the page fills in the numbers of
the neuron, sample and frame shown. The numbers are the engine's: for each frame and sample the
sample's loss is built of Values and ``backward()`` gives every gradient; each is printed here with
``style.number``, exactly as ``draw_dot`` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import Value, topological_order
from nn import MLP, Neuron

from . import style
from .dot import draw_dot
from .render import Renderer

DATA = -8.888e-08  # placeholders, as wide as a number gets: "-8.888e-08"
GRAD = -7.777e-08


def input_names(layer: int, count: int) -> list[str]:
    """A layer's inputs: ``x[i]`` for the data, ``a0[i]`` for the output of neuron i of layer 0."""
    return [f"x[{i}]" if layer == 0 else f"a{layer - 1}[{i}]" for i in range(count)]


def template(model: MLP, layer: int, renderer: Renderer | None) -> tuple[str, list[list[Any]]]:
    """The SVG of a neuron of ``layer`` with placeholder numbers, and what each Value node of it
    shows, in ``draw_dot``'s order (node ``v{k}``): ``["w", i]``, ``["b"]``, ``["x", i]`` (an
    input), ``["dot"]`` or ``["out"]``."""
    first = model.layers[layer].neurons[0]
    nin = len(first.w)
    neuron = Neuron(nin, activation=first.activation, seed=0)  # labelled w[i] and b
    inputs = [Value(DATA, label=name) for name in input_names(layer, nin)]
    out = neuron(inputs)
    out.label = "out"
    roles: dict[Value, list[Any]] = {neuron.b: ["b"], out: ["out"]}
    roles.update({w: ["w", i] for i, w in enumerate(neuron.w)})
    roles.update({x: ["x", i] for i, x in enumerate(inputs)})
    if out.op != "dot":
        roles[out.parents[0]] = ["dot"]  # type: ignore[index]
    order = topological_order(out)
    for v in order:
        v.data, v.grad = DATA, GRAD
    return draw_dot(out).to_svg(renderer), [roles[v] for v in order]


def sample_numbers(
    model: MLP, params: list[Value], loss: Any, x: Sequence[float], target: Any
) -> str:
    """Every number a neuron graph shows for one sample, as ``style.number`` prints them, space
    separated: each parameter's gradient, each input's gradient, then per neuron the data and
    gradient of its ``dot`` node and of its output. ``model`` holds the frame's weights;
    ``params`` are its parameters."""
    inputs = [Value(v) for v in x]
    nodes: list[tuple[Value, Value]] = []
    values: list[Any] = inputs
    for layer in model.layers:
        values = [neuron(values) for neuron in layer.neurons]
        nodes.extend((_dot_of(out), out) for out in values)
    for p in params:
        p.grad = 0.0
    loss(values[0] if len(values) == 1 else values, target).backward()
    numbers = [p.grad for p in params] + [v.grad for v in inputs]
    for dot, out in nodes:
        numbers += [dot.data, dot.grad, out.data, out.grad]
    return " ".join(map(style.number, numbers))


def _dot_of(out: Value) -> Value:
    if out.op == "dot":
        return out
    dot = out.parents[0]
    assert isinstance(dot, Value) and dot.op == "dot", "a neuron is act(dot(w, x, b))"
    return dot
