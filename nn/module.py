"""Modules: ``Module``, and the ``Neuron``, ``Layer`` and ``MLP`` built from it.

A neuron is ``act(w . x + b)``, one ``dot`` node and its activation; a layer is neurons side by
side; an MLP is layers in a row, the last one linear. The constructors and call behaviour are
micrograd's (``Neuron(nin, nonlin=True)``, ``Layer(nin, nout, **kwargs)``, ``MLP(nin, nouts)``), so
micrograd code runs unchanged.

Every parameter is labelled with its name, ``layers.1.neurons.3.w[2]``, so graphs of a model
read well. Weights start uniform in [-1, 1] and biases at 0, as in micrograd, drawn with Python's
``random`` in parameter order: ``seed=1337`` uses ``random.Random(1337)``, and ``seed=None`` draws
from the global generator, which is fresh randomness unless the program called ``random.seed``
(then the weights are micrograd's for that seed, draw for draw).
"""

from __future__ import annotations

import numbers
import operator
import random
from collections.abc import Iterator, Sequence
from itertools import pairwise
from os import PathLike
from typing import Any, Union

import autograd
from autograd import Value

from . import serialize
from .checks import count

Seed = Union[int, random.Random, None]  # noqa: UP007 - evaluated at runtime on Python 3.10
Output = Union[Value, list[Value]]  # noqa: UP007
_ACTIVATIONS = {"relu": Value.relu, "tanh": Value.tanh, "sigmoid": Value.sigmoid, "linear": None}


class Module:
    """Base class of everything with parameters.

    ``named_parameters()`` finds them in the instance's attributes, in the order they were
    assigned: a Value is a parameter named after its attribute; a Module contributes its own under
    ``attr.``; a list or tuple contributes each item, as ``attr[k]`` (a Value) or ``attr.k.`` (a
    Module). Attributes whose names start with ``_`` are private and skipped.
    """

    def __call__(self, x: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __call__")

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """``(name, parameter)`` pairs in a deterministic order, the order of ``parameters()``."""
        for attr, item in vars(self).items():
            if attr.startswith("_"):
                continue
            if isinstance(item, (list, tuple)):
                for k, element in enumerate(item):
                    yield from _named(element, f"{attr}[{k}]", f"{attr}.{k}.")
            else:
                yield from _named(item, attr, f"{attr}.")

    def parameters(self) -> list[Value]:
        """Every trainable Value, in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (call it before each ``backward()``)."""
        autograd.zero_grad(self.parameters())

    def label_parameters(self) -> None:
        """Set each parameter's ``label`` to its name; constructors call it once they are done."""
        for name, p in self.named_parameters():
            p.label = name

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this module's architecture (JSON types only)."""
        return {}

    def architecture(self) -> dict[str, Any]:
        """What a model file records about the architecture: the class name and ``config()``."""
        return {"type": type(self).__name__, "config": self.config()}

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by name."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, float]) -> None:
        """Set every parameter from ``state``; ``ValueError`` on any mismatch, changing nothing."""
        names = dict(self.named_parameters())
        missing = [n for n in names if n not in state]
        unexpected = [n for n in state if n not in names]
        if missing or unexpected:
            raise ValueError(
                f"the weights do not fit {self!r}: "
                f"{_listing('missing', missing)}{_listing('unexpected', unexpected)}".rstrip("; ")
            )
        checked = serialize.finite_weights(state, "weights")  # all converted before any is set
        for name, p in names.items():
            p.data = checked[name]

    def save(self, path: str | PathLike[str]) -> None:
        """Write the architecture and weights to a JSON file atomically (temp file, rename)."""
        serialize.write(path, self.architecture(), self.state_dict())

    def load(self, path: str | PathLike[str]) -> None:
        """Read weights saved by ``save`` into this model; ``ValueError`` (model unchanged) if the
        file is missing, corrupt, of another format version or for another architecture."""
        architecture, weights = serialize.read(path)
        if architecture != self.architecture():
            raise ValueError(
                f"{path} holds a different architecture: {_show(architecture)}, "
                f"but this model is {_show(self.architecture())}"
            )
        self.load_state_dict(weights)


class Neuron(Module):
    """``act(w . x + b)`` with ``activation`` one of relu, tanh, sigmoid, linear.

    ``nonlin=False`` (micrograd's spelling) makes it linear whatever ``activation`` says.
    """

    def __init__(
        self, nin: int, nonlin: bool = True, activation: str = "relu", seed: Seed = None
    ) -> None:
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"unknown activation {activation!r}; use one of {', '.join(_ACTIVATIONS)}"
            )
        rng = _generator(seed)
        draw = rng.random if rng else random.random
        self.w = [Value(2.0 * draw() - 1.0) for _ in range(count(nin, "nin"))]
        self.b = Value(0.0)
        self.activation = activation if nonlin else "linear"
        self._activate = _ACTIVATIONS[self.activation]
        self.label_parameters()

    @property
    def nonlin(self) -> bool:
        return self.activation != "linear"

    def __call__(self, x: Any) -> Value:
        return self.fire(_inputs(x, len(self.w)))

    def fire(self, x: Sequence[Any]) -> Value:
        """The neuron on ``x``, a list of ``nin`` numbers or Values (already checked)."""
        out = autograd.dot(self.w, x, self.b)
        return self._activate(out) if self._activate else out

    def config(self) -> dict[str, Any]:
        return {"nin": len(self.w), "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"

    @staticmethod
    def count_parameters(nin: int, nonlin: bool = True, activation: str = "relu") -> int:
        """How many parameters ``Neuron(nin, ...)`` has, without building it."""
        return count(nin, "nin") + 1


class Layer(Module):
    """``nout`` neurons reading the same inputs; one output comes back as a Value, not a list."""

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool = True,
        activation: str = "relu",
        seed: Seed = None,
    ) -> None:
        rng = _generator(seed)
        self.neurons = [Neuron(nin, nonlin, activation, rng) for _ in range(count(nout, "nout"))]
        self.label_parameters()

    def __call__(self, x: Any) -> Output:
        x = _inputs(x, len(self.neurons[0].w))
        out = [neuron.fire(x) for neuron in self.neurons]  # x checked once, here
        return out[0] if len(out) == 1 else out

    def config(self) -> dict[str, Any]:
        first = self.neurons[0]
        return {"nin": len(first.w), "nout": len(self.neurons), "activation": first.activation}

    def __repr__(self) -> str:
        c = self.config()
        return f"Layer({c['nin']}, {c['nout']}, activation={c['activation']!r})"

    @staticmethod
    def count_parameters(nin: int, nout: int, nonlin: bool = True, activation: str = "relu") -> int:
        """How many parameters ``Layer(nin, nout, ...)`` has, without building it."""
        return count(nout, "nout") * (count(nin, "nin") + 1)


class MLP(Module):
    """Layers of sizes ``nouts`` after ``nin`` inputs; all but the last use ``activation``."""

    def __init__(
        self, nin: int, nouts: Sequence[int], activation: str = "relu", seed: Seed = None
    ) -> None:
        sizes = [count(nin, "nin"), *(count(n, "nouts") for n in nouts)]
        if len(sizes) < 2:
            raise ValueError("an MLP needs at least one layer: nouts is empty")
        rng = _generator(seed)
        last = len(sizes) - 2
        self.layers = [
            Layer(sizes[i], sizes[i + 1], i != last, activation, rng) for i in range(last + 1)
        ]
        self.activation = activation
        self.label_parameters()

    def __call__(self, x: Any) -> Output:
        for layer in self.layers:
            x = layer(x)
        return x

    def config(self) -> dict[str, Any]:
        nouts = [len(layer.neurons) for layer in self.layers]
        return {
            "nin": len(self.layers[0].neurons[0].w),
            "nouts": nouts,
            "activation": self.activation,
        }

    def __repr__(self) -> str:
        c = self.config()
        return f"MLP({c['nin']}, {c['nouts']}, activation={c['activation']!r})"

    @staticmethod
    def count_parameters(nin: int, nouts: Sequence[int], activation: str = "relu") -> int:
        """How many parameters ``MLP(nin, nouts, ...)`` has, without building it."""
        sizes = [count(nin, "nin"), *(count(n, "nouts") for n in nouts)]
        return sum((fan_in + 1) * fan_out for fan_in, fan_out in pairwise(sizes))


ARCHITECTURES: dict[str, type[Module]] = {cls.__name__: cls for cls in (Neuron, Layer, MLP)}


def load(path: str | PathLike[str]) -> Module:
    """Build the model a file saved by ``Module.save`` describes, with its weights.

    Before anything is built, the architecture's parameter count must be at most
    ``nn.serialize.MAX_PARAMETERS`` and equal the number of weights in the file."""
    architecture, weights = serialize.read(path)
    cls = ARCHITECTURES.get(architecture["type"])
    if cls is None:
        raise ValueError(
            f"{path} holds a {architecture['type']!r}, which load() cannot build; "
            "construct the model yourself and call model.load(path)"
        )
    try:
        size = cls.count_parameters(**architecture["config"])  # type: ignore[attr-defined]
        if size > serialize.MAX_PARAMETERS:
            raise ValueError(
                f"{size:,} parameters, more than the {serialize.MAX_PARAMETERS:,} load() builds"
            )
        if size != len(weights):
            raise ValueError(f"{size:,} parameters, but the file holds {len(weights):,} weights")
        model = cls(**architecture["config"], seed=0)  # type: ignore[call-arg]
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{path} has an unusable architecture {_show(architecture)}: {error}"
        ) from None
    model.load_state_dict(weights)
    return model


def _named(item: object, value_name: str, module_prefix: str) -> Iterator[tuple[str, Value]]:
    if isinstance(item, Value):
        yield value_name, item
    elif isinstance(item, Module):
        for name, p in item.named_parameters():
            yield module_prefix + name, p


def _generator(seed: Seed) -> random.Random | None:
    """The ``random.Random`` that ``seed`` names; None (the global generator) for None."""
    if seed is None or isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}")
    return random.Random(operator.index(seed))


def _inputs(x: Any, n: int) -> Sequence[Any]:
    """A model input as a sequence of n numbers or Values (NumPy rows become lists of floats)."""
    if type(x) is not list:
        if isinstance(x, (Value, numbers.Real)):
            x = [x]
        elif hasattr(x, "tolist"):  # a NumPy row: plain floats are faster to compute with
            x = x.tolist()
    if len(x) != n:
        raise ValueError(f"expected {n} inputs, got {len(x)}")
    return x


def _listing(kind: str, names: list[str]) -> str:
    if not names:
        return ""
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return f"{kind} {', '.join(names[:5])}{more}; "


def _show(architecture: dict[str, Any]) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in architecture["config"].items())
    return f"{architecture['type']}({args})"
