"""``Value``: one float, its gradient, and the op and parents that made it.

Every operator and method on a Value looks its op up in the op table (``ops.py``), computes the
forward on floats and records a new node with ``record``. A constant operand (the ``2`` in
``a * 2``) is stored in ``parents`` as a plain float: no extra node, and nothing to differentiate.
``backward`` is the engine's (``engine.py``).

micrograd's names are views onto the same node, so code written for micrograd (and its lecture)
runs unchanged: ``_prev`` (the set of Value parents), ``_op`` (the op, spelled as micrograd spells
it), ``_backward()`` (one chain-rule step, by hand) and ``Value(data, _children, _op)``.

These methods are the reference. ``autograd/fast.py`` replaces each method made by ``_operator``
or ``_function`` with a twin that records its node inline (the call to ``record`` is 15-25% of an
op's cost) and gives the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Union

from . import engine
from .engine import describe
from .guards import note, tracing
from .ieee import FLOATS, isfinite, to_float
from .modes import _anomaly_enabled, _grad_enabled
from .ops import OPS, Op

Number = Union[int, float]  # noqa: UP007 - aliases are evaluated at runtime on Python 3.10
Operand = Union["Value", float]

_ADD, _SUB, _MUL, _DIV = OPS["+"], OPS["-"], OPS["*"], OPS["/"]
_NEG, _POW_CONST, _POW, _RPOW = OPS["neg"], OPS["**"], OPS["pow"], OPS["rpow"]
_RELU, _LEAKY_RELU, _ABS = OPS["relu"], OPS["leaky_relu"], OPS["abs"]
_TANH, _SIGMOID, _SOFTPLUS = OPS["tanh"], OPS["sigmoid"], OPS["softplus"]
_EXP, _LOG, _SQRT, _SIN, _COS = OPS["exp"], OPS["log"], OPS["sqrt"], OPS["sin"], OPS["cos"]


def _operator(op: Op, reflected: bool = False) -> Callable[[Value, Any], Any]:
    """The method for ``self <op> other`` (``other <op> self`` when reflected).

    A plain number on the other side is stored in ``parents`` as a float constant; for anything
    else the method returns ``NotImplemented``, so Python raises its usual ``TypeError``.
    """

    def method(self: Value, other: Any) -> Any:
        if not isinstance(other, Value):
            other = constant(other)
            if other is None:
                return NotImplemented
        parents = (other, self) if reflected else (self, other)
        return record(op, op.forward(FLOATS, *inputs_of(parents)), parents)

    method.__name__ = method.__qualname__ = f"{op.name} ({'reflected ' * reflected}operator)"
    method.made_from = (op, reflected)  # type: ignore[attr-defined] # read by autograd/fast.py
    return method


def _function(op: Op) -> Callable[[Value], Value]:
    """The method ``value.<op>()`` for an op of one input."""

    def method(self: Value) -> Value:
        return record(op, op.forward(FLOATS, self.data), (self,))

    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"``{op.name}`` of this value, recorded as a new node."
    method.made_from = (op, None)  # type: ignore[attr-defined] # read by autograd/fast.py
    return method


class Value:
    """A scalar that remembers how it was computed, so ``backward()`` can find its gradient.

    ``data`` is the float, ``grad`` the derivative of a ``backward()`` root with respect to this
    value (a leaf adds up the gradients of every call until ``zero_grad``), ``op`` the op that
    made it (``""`` for a leaf) and ``parents`` its inputs in argument order (a plain float stands
    for a constant operand).

    ``<``, ``<=``, ``>`` and ``>=`` compare ``data`` and return a bool (while a tape traces, each
    is kept as a guard: ``guards.py``). ``==`` and ``hash`` are identity, as for any Python
    object, so Values work as set members and dict keys: compare numbers with ``a.data == b.data``.
    """

    # The parents live in two slots, not in a tuple: one object per node instead of two halves
    # the work of Python's garbage collector and saves 48 bytes. ``record`` packs them and
    # ``parents`` unpacks them; only autograd/fast.py reads the slots themselves.
    __slots__ = ("_a", "_b", "_label", "data", "grad", "op")
    __array_ufunc__ = None  # NumPy scalars and arrays defer to our reflected operators

    data: float
    grad: float
    op: str
    _a: Any
    _b: Any
    _label: str

    def __init__(
        self, data: Number, _children: Iterable[Operand] = (), _op: str = "", label: str = ""
    ) -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self.data = to_float(data)
        self.grad = 0.0
        self._label = label
        self.op = ""
        self._a = self._b = None
        if _children or _op:  # micrograd's way to make a node by hand: Value(t, (x,), "tanh")
            self.op, self._a, self._b = _made_by_hand(self.data, _children, _op)

    @property
    def label(self) -> str:
        """The name a drawing shows and error messages use; ``""`` for none."""
        return self._label

    @label.setter
    def label(self, label: str) -> None:
        # a property, so a wrong type fails here and not in a drawing; ops write the slot itself
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self._label = label

    @property
    def parents(self) -> tuple[Operand, ...]:
        """The inputs of the op that made this value, in argument order; ``()`` for a leaf."""
        a, b = self._a, self._b
        if b is None:
            return () if a is None else (a,)
        return a if b is _MORE or b is _MIXED else (a, b)

    # micrograd's names for the same node
    @property
    def _prev(self) -> set[Value]:
        """The Values this one was computed from, as a set (micrograd's name; constants are not
        Values, so they are not in it). ``parents`` has them in argument order."""
        return {p for p in self.parents if isinstance(p, Value)}

    @property
    def _op(self) -> str:
        """``op`` as micrograd spells it: ``"ReLU"`` for relu, ``"**2"`` for ``x ** 2``."""
        if self.op == "**":
            return "**" + _number_text(self.parents[1])  # type: ignore[arg-type]
        return _MICROGRAD_SPELLING.get(self.op, self.op)

    def _backward(self) -> None:
        """One step of ``backward()`` by hand: add ``self.grad`` times the op table's local
        derivatives into the parents' ``.grad`` (micrograd's ``_backward``); a leaf does nothing.
        """
        if self.op:
            shares = engine.chain_rule(self, self.grad, engine.local_partials(self))
            for _, parent, share in shares:
                parent.grad += share
            if _anomaly_enabled.get():
                engine.check_finite(self)

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in (("label", self.label), ("op", self.op)) if v)
        return f"Value(data={self.data!r}, grad={self.grad!r}{extra})"

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    # arithmetic: the operators record what the user wrote (a - b is "-", not + and * -1)
    __add__ = _operator(_ADD)
    __radd__ = _operator(_ADD, reflected=True)
    __sub__ = _operator(_SUB)
    __rsub__ = _operator(_SUB, reflected=True)
    __mul__ = _operator(_MUL)
    __rmul__ = _operator(_MUL, reflected=True)
    __truediv__ = _operator(_DIV)
    __rtruediv__ = _operator(_DIV, reflected=True)

    def __pow__(self, other: Operand) -> Value:  # two ops: x ** c (micrograd's) and x ** y
        return self._power(other) if isinstance(other, Value) else self._constant_power(other)

    _power = _operator(_POW)
    _constant_power = _operator(_POW_CONST)

    __rpow__ = _operator(_RPOW, reflected=True)

    __neg__ = _function(_NEG)
    __abs__ = _function(_ABS)

    # comparisons read data; while a trace records (autograd.tape.compile), each one is a guard
    def __lt__(self, other: Operand) -> bool:
        outcome = self.data < _data(other)
        if tracing[0]:
            note("<", self, other, outcome)
        return outcome

    def __le__(self, other: Operand) -> bool:
        outcome = self.data <= _data(other)
        if tracing[0]:
            note("<=", self, other, outcome)
        return outcome

    def __gt__(self, other: Operand) -> bool:
        outcome = self.data > _data(other)
        if tracing[0]:
            note(">", self, other, outcome)
        return outcome

    def __ge__(self, other: Operand) -> bool:
        outcome = self.data >= _data(other)
        if tracing[0]:
            note(">=", self, other, outcome)
        return outcome

    # functions
    relu = _function(_RELU)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        return apply(_LEAKY_RELU, self, to_float(slope))

    tanh = _function(_TANH)
    sigmoid = _function(_SIGMOID)
    softplus = _function(_SOFTPLUS)
    exp = _function(_EXP)
    log = _function(_LOG)
    sqrt = _function(_SQRT)
    abs = _function(_ABS)
    sin = _function(_SIN)
    cos = _function(_COS)

    # graph
    def backward(self, gradient: Number = 1.0) -> None:
        """Accumulate d(self)/d(leaf) * gradient into every leaf's ``.grad``.

        Intermediate ``.grad`` values are recomputed from zero, so two calls give leaves exactly
        twice the gradient of one. Call ``zero_grad`` between training steps.
        """
        engine.backward(self, gradient)

    def detach(self) -> Value:
        """A new leaf with the same data and label: the graph behind ``self`` is cut."""
        return Value(self.data, label=self.label)


# How ``record`` packs the parents into the slots ``_a`` and ``_b``: (None, None) for a leaf,
# (x, None) for one input, (x, y) for two, and for more their tuple and a marker, ``_MORE`` when
# all are Values, ``_MIXED`` when some are constants (the marker spares the fast backward a test
# of every input of a neuron's ``dot``).
_MORE = object()
_MIXED = object()
_JUST_VALUES = {Value}
_SMALL_INTS = {i: float(i) for i in range(-16, 17)}
_new = object.__new__


_MICROGRAD_SPELLING = {"relu": "ReLU"}  # where micrograd's _op differs from the table's name
_FROM_MICROGRAD = {spelling: name for name, spelling in _MICROGRAD_SPELLING.items()}


def _number_text(c: float) -> str:
    """A constant as micrograd's ``f"**{other}"`` shows it: ``2`` for 2.0, ``0.5`` for 0.5."""
    return str(int(c)) if c.is_integer() else repr(c)


def _made_by_hand(data: float, children: Iterable[Operand], spelling: str) -> tuple[str, Any, Any]:
    """The op name and parent slots of ``Value(data, children, spelling)``: the node ``record``
    would make for that op of those inputs, with ``data`` as its result."""
    if not isinstance(spelling, str):
        raise TypeError(f"_op must be a str, got {type(spelling).__name__}")
    if isinstance(children, (str, bytes)) or not isinstance(children, Iterable):
        raise TypeError(f"_children must be a tuple of Values, got {type(children).__name__}")
    parents: list[Any] = []
    for child in children:
        number = child if isinstance(child, Value) else constant(child)
        if number is None:
            raise TypeError(f"_children must hold Values and numbers, got {type(child).__name__}")
        parents.append(number)
    name = _FROM_MICROGRAD.get(spelling, spelling)
    if name.startswith("**") and name != "**":  # micrograd's "**2": the exponent in the name
        try:
            parents.append(to_float(float(name[2:])))
        except ValueError:
            raise ValueError(f"_op {spelling!r}: expected '**' and a number, as '**2'") from None
        name = "**"
    if not name:
        raise ValueError("a Value with _children needs an _op naming the op that made it")
    if name not in OPS:
        raise ValueError(
            f"no op named {spelling!r} in the op table (known: {', '.join(OPS)}); add yours with "
            "autograd.register(Op(name, forward, derivative))"
        )
    op = OPS[name]
    if op.arity is not None and len(parents) != op.arity:
        raise TypeError(f"{spelling} takes {op.arity} inputs, got {len(parents)} _children")
    for position in op.constants:
        if isinstance(parents[position], Value):
            raise TypeError(f"input {position} of {name} is a constant (a number), not a Value")
    all_values = all(isinstance(p, Value) for p in parents)
    node = record(op, data, tuple(parents), _MORE if all_values else _MIXED)
    return node.op, node._a, node._b


def _data(x: object) -> float:
    return x.data if isinstance(x, Value) else to_float(x)


def constant(x: object) -> float | None:
    """A plain number as a float constant; None for anything that is not a real number."""
    if type(x) is float:
        return x
    if type(x) is int and x in _SMALL_INTS:  # the 2 of x ** 2: one shared float, not one per node
        return _SMALL_INTS[x]
    try:
        return to_float(x)
    except TypeError:
        return None


def record(op: Op, data: float, parents: tuple[Operand, ...], more: object = _MIXED) -> Value:
    """Make the node for ``op``'s result (a leaf if grad mode is off); ``more`` is the marker
    of more than two parents (``_MORE`` when they are all Values)."""
    out = _new(Value)
    out.data, out.grad, out._label = data, 0.0, ""
    if _grad_enabled.get():  # is_grad_enabled(), without a call: this runs for every node
        out.op = op.name
        out._a, out._b = (parents, more) if len(parents) > 2 else (*parents, None, None)[:2]
    else:
        out.op, out._a, out._b = "", None, None
    if not isfinite(data) and _anomaly_enabled.get():
        forward_anomaly(op, data, parents)
    return out


def forward_anomaly(op: Op, data: float, parents: tuple[Operand, ...]) -> None:
    raise FloatingPointError(f"{op.name} returned {data} in the forward pass; {describe(parents)}")


def apply(op: Op | str, *args: Operand) -> Value:
    """Apply any op in the table (by name or ``Op``) to Values and numbers and record the node."""
    if isinstance(op, str):
        if op not in OPS:
            raise ValueError(f"no op named {op!r} in the op table; known: {', '.join(OPS)}")
        op = OPS[op]
    elif not isinstance(op, Op):
        raise TypeError(f"op must be an Op or the name of one, got {type(op).__name__}")
    elif OPS.get(op.name) is not op:
        raise ValueError(f"op {op.name!r} is not the one in the table; register it first")
    if op.arity is not None and len(args) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} inputs, got {len(args)}")
    return _apply(op, args)


def _apply(op: Op, args: tuple[Any, ...]) -> Value:
    """``apply`` once the op is known to be right: ``sum`` and ``dot`` call it directly."""
    if set(map(type, args)) <= _JUST_VALUES:  # the common case, as a loop in C
        return record(op, op.forward(FLOATS, *[a.data for a in args]), args, _MORE)
    parents = tuple([a if isinstance(a, Value) else to_float(a) for a in args])
    return record(op, op.forward(FLOATS, *inputs_of(parents)), parents)


def inputs_of(parents: tuple[Operand, ...]) -> list[float]:
    """The floats an op's rules take: each Value's data, and each constant as it is."""
    return [p.data if isinstance(p, Value) else p for p in parents]
