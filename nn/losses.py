"""Losses, penalties and accuracy.

Each loss takes one sample's model output and its target and returns a Value; ``fit`` averages
them over a batch. Each loss also knows how its output names a class (``loss.predict``): the
sign of a hinge score, a positive logit for binary cross-entropy, the largest logit for
cross-entropy. ``accuracy`` uses that rule, so it always agrees with the loss being trained.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Iterable, Sequence, Sized
from typing import Any, TypeVar, Union, cast

import numpy as np
from numpy.typing import NDArray

import autograd
from autograd import Value

Scalar = Union[Value, float]  # noqa: UP007 - evaluated at runtime on Python 3.10
F = TypeVar("F", bound=Callable[..., Value])


def predict_sign(score: Scalar) -> int:
    """+1 for a positive score, else -1 (labels in {-1, +1}). A Value compares by its data."""
    return 1 if score > 0 else -1


def predict_positive(logit: Scalar) -> int:
    """1 for a positive logit (probability above 1/2), else 0 (labels in {0, 1})."""
    return 1 if logit > 0 else 0


def predict_class(logits: Sequence[Scalar]) -> int:
    """The index of the largest logit (the first one on a tie)."""
    values = [_data(v) for v in logits]
    return values.index(max(values))


# each rule on a whole batch of outputs at once, with the number of dimensions it takes (an
# array of scores, or of rows of logits); None where the array gives no answer the rule agrees
# with (a nan logit: argmax picks it, predict_class does not)
ON_ARRAYS: dict[Callable[[Any], int], tuple[int, Callable[[NDArray[Any]], Any]]] = {
    predict_sign: (1, lambda scores: np.where(scores > 0, 1, -1)),
    predict_positive: (1, lambda logits: np.where(logits > 0, 1, 0)),
    predict_class: (
        2,
        lambda logits: None if np.isnan(logits).any() else np.argmax(logits, axis=1),
    ),
}


def predicts(
    rule: Callable[[Any], int] | None, columns: Callable[[Any, int], NDArray[Any]] | None = None
) -> Callable[[F], F]:
    """Attach the prediction rule to a loss function as ``loss.predict``, and ``columns`` as
    ``loss.target_columns``: how a batch of labels becomes inputs of a compiled step, (labels,
    model outputs) to an array of a row per label, which the loss takes as Values in their place.
    """

    def attach(loss: F) -> F:
        loss.predict = rule  # type: ignore[attr-defined]
        loss.target_columns = columns  # type: ignore[attr-defined]
        return loss

    return attach


def label_column(labels: Any, outputs: int) -> NDArray[Any]:
    """Each label as it is, one column: a hinge or binary cross-entropy target."""
    return np.asarray(labels, dtype=np.float64).reshape(-1, 1)


def one_hot(labels: Any, outputs: int) -> NDArray[Any]:
    """Each class index as a row of ``outputs`` probabilities: 1 at the index, 0 elsewhere."""
    return np.eye(outputs)[np.asarray(labels, dtype=np.intp)]


@predicts(None)  # regression: no classes to be right about
def mse(output: Scalar | Sequence[Scalar], target: float | Sequence[float]) -> Value:
    """Squared error, averaged over the outputs when there are several."""
    outputs = _as_list(output)
    targets = [t if isinstance(t, Value) else _real(t, "target") for t in _as_list(target)]
    if len(outputs) != len(targets):
        raise ValueError(f"mse() got {len(outputs)} outputs but {len(targets)} targets")
    squares = [d * d for d in (o - t for o, t in zip(outputs, targets))]
    return _value(squares[0]) if len(squares) == 1 else autograd.sum(squares) / len(squares)


@predicts(predict_sign, label_column)
def hinge(score: Scalar, target: float | Value) -> Value:
    """micrograd's max-margin loss ``relu(1 - target * score)``, target in {-1, +1}."""
    t = _real_or_value(target, "target")
    if _data(t) not in (-1.0, 1.0):
        raise ValueError(
            f"hinge() needs targets in {{-1, +1}}, got {target!r}; see signed_labels()"
        )
    return (1 - t * _value(score)).relu()


@predicts(predict_positive, label_column)
def binary_cross_entropy(logit: Scalar, target: float | Value) -> Value:
    """``-[t log p + (1 - t) log(1 - p)]`` with ``p = sigmoid(logit)``, as ``softplus(z) - t z``:
    finite for any logit. Target in [0, 1]."""
    t = _real_or_value(target, "target")
    if not 0.0 <= _data(t) <= 1.0:
        raise ValueError(f"binary_cross_entropy() needs a target in [0, 1], got {target!r}")
    z = _value(logit)
    return z.softplus() - t * z


@predicts(predict_class, one_hot)
def cross_entropy(logits: Sequence[Scalar], target_index: int | Sequence[Scalar]) -> Value:
    """``-log softmax(logits)[target_index]``, as ``logsumexp(logits) - logits[target_index]``:
    finite for any finite logits (``logsumexp`` shifts by their largest, on a tape row by row).

    The target may also be probabilities, one per class (as in PyTorch):
    ``-sum_k t_k log softmax(logits)_k``; a one-hot row gives the same as its index."""
    values = _logits(logits)
    if isinstance(target_index, (list, tuple)) or np.ndim(target_index) > 0:  # type: ignore[arg-type]
        probabilities = list(cast(Sequence[Scalar], target_index))
        if len(probabilities) != len(values):
            raise ValueError(
                f"cross_entropy() got {len(probabilities)} probabilities for {len(values)} logits"
            )
        t = [_real_or_value(p, "target") for p in probabilities]
        return autograd.sum(t) * autograd.logsumexp(values) - autograd.dot(t, values)
    try:
        k = operator.index(cast(int, target_index))
    except TypeError:
        raise TypeError(
            f"cross_entropy() needs an integer class index, got {type(target_index).__name__}"
        ) from None
    if not 0 <= k < len(values):
        raise ValueError(f"class index {k} is out of range for {len(values)} logits")
    return autograd.logsumexp(values) - values[k]


def softmax(logits: Sequence[Scalar]) -> list[Value]:
    """Probabilities ``exp(l_i) / sum_j exp(l_j)``, as ``exp(l_i - logsumexp(l))``: no overflow."""
    values = _logits(logits)
    total = autograd.logsumexp(values)
    return [(v - total).exp() for v in values]


def l2(params: Iterable[Value]) -> Value:
    """The sum of squares of the parameters (no factor 1/2): ``1e-4 * l2(ps)`` is micrograd's.
    One ``dot`` node of the parameters with themselves (a compiled step: one product)."""
    values = list(params)
    return autograd.dot(values, values)


def l1(params: Iterable[Value]) -> Value:
    """The sum of absolute values of the parameters."""
    return autograd.sum(abs(p) for p in params)


def accuracy(
    outputs: Iterable[Any], targets: Iterable[Any], predict: Callable[[Any], int]
) -> float:
    """The fraction of outputs whose prediction (e.g. ``hinge.predict``) equals the target.
    ``outputs`` may be an array (a row per sample), as a compiled step gives them."""
    if isinstance(outputs, np.ndarray):
        dimensions, rule = ON_ARRAYS.get(predict, (0, None))
        predictions = rule(outputs) if rule and outputs.ndim == dimensions else None
        if predictions is not None and len(outputs):
            expected = (
                targets
                if type(targets) is np.ndarray
                else np.asarray(targets if isinstance(targets, Sized) else list(targets))
            )
            if expected.shape != (len(outputs),):
                raise ValueError(
                    f"accuracy() got {len(outputs)} outputs for targets of shape {expected.shape}"
                )
            return np.count_nonzero(predictions == expected) / len(expected)
        outputs = outputs.tolist()
    predictions, targets = list(map(predict, outputs)), list(targets)
    if len(predictions) != len(targets):
        raise ValueError(f"accuracy() got {len(predictions)} outputs for {len(targets)} targets")
    if not predictions:
        raise ValueError("accuracy() of no samples")
    return sum(map(operator.eq, predictions, targets)) / len(targets)


def _logits(logits: Sequence[Scalar]) -> list[Value]:
    if isinstance(logits, (Value, numbers.Real)) or len(logits) == 0:
        raise ValueError("expected a sequence of logits, one per class")
    return [_value(v) for v in logits]


def _data(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else float(x)


def _value(x: Scalar) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, (list, tuple)):
        raise TypeError(f"expected one output per sample, got {len(x)} (a model for classes?)")
    return Value(x)


def _real_or_value(x: object, name: str) -> float | Value:
    """A target as a float, or as it is when it is a Value (an input of a compiled step)."""
    return x if isinstance(x, Value) else _real(x, name)


def _real(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    return float(x)


def _as_list(x: Any) -> list[Any]:
    return [x] if isinstance(x, (Value, numbers.Real)) else list(x)
