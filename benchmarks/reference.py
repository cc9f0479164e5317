"""The tight hand-written NumPy training step: the practical limit the compiled step is held to.

As few NumPy calls as the math needs: the parameters live in one flat float64 buffer with a view
``(W, b)`` per layer (so the penalty is one ``dot`` and the update two calls), the gradients go
into one flat buffer of the same layout, and every intermediate array is allocated once, at
construction, and written in place (``out=``) on each step. A hidden layer's ReLU is applied in
place, and its derivative read back from the activation (``relu(z) > 0`` exactly where ``z > 0``).
"""

from __future__ import annotations

import numpy as np

from .problems import Problem, Weights


class TightNumpy:
    """One SGD step of ``problem`` on a fixed batch ``(X, y)``, from ``weights``."""

    def __init__(self, problem: Problem, X: np.ndarray, y: np.ndarray, weights: Weights) -> None:
        self.problem = problem
        self.params = np.concatenate([a.ravel() for layer in weights for a in layer])
        self.grads = np.empty_like(self.params)
        self.scratch = np.empty_like(self.params)
        self.layers, self.layer_grads = _views(self.params, weights), _views(self.grads, weights)
        n, widths = len(X), problem.sizes[1:]
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.acts = [np.empty((n, m)) for m in widths]  # pre-activation, then relu in place
        self.deltas = [np.empty((n, m)) for m in widths]  # d objective / d pre-activation
        self.masks = [np.empty((n, m), dtype=bool) for m in widths]
        self.rows, self.n, self.k = np.arange(n), n, 0
        if problem.loss == "hinge":
            self.y = np.asarray(y, dtype=np.float64)
            self.minus_y_over_n = -self.y / n
            self.positive = self.y > 0
            self.margins, self.hit = np.empty(n), np.empty(n, dtype=bool)
        else:
            self.y = np.asarray(y, dtype=np.intp)
            self.row_max, self.row_sum = np.empty((n, 1)), np.empty((n, 1))

    def gradients(self) -> tuple[float, float]:
        """Forward and backward: the objective and accuracy; ``grads`` holds the gradient."""
        last = len(self.layers) - 1
        a = self.X
        for i, (w, b) in enumerate(self.layers):
            h = self.acts[i]
            np.matmul(a, w.T, out=h)
            h += b
            if i < last:
                np.maximum(h, 0.0, out=h)
            a = h
        if self.problem.loss == "hinge":
            loss, accuracy = self._hinge(a[:, 0], self.deltas[last][:, 0])
        else:
            loss, accuracy = self._cross_entropy(a, self.deltas[last])
        for i in range(last, -1, -1):
            d, (g_w, g_b) = self.deltas[i], self.layer_grads[i]
            np.matmul(d.T, self.X if i == 0 else self.acts[i - 1], out=g_w)
            np.sum(d, axis=0, out=g_b)
            if i > 0:
                below, mask = self.deltas[i - 1], self.masks[i - 1]
                np.matmul(d, self.layers[i][0], out=below)
                np.greater(self.acts[i - 1], 0.0, out=mask)
                np.multiply(below, mask, out=below)
        if self.problem.alpha:
            loss += self.problem.alpha * float(np.dot(self.params, self.params))
            np.multiply(self.params, 2.0 * self.problem.alpha, out=self.scratch)
            self.grads += self.scratch
        return loss, accuracy

    def step(self) -> tuple[float, float]:
        """A training step (the rate follows step k); returns the objective and accuracy before
        it."""
        loss, accuracy = self.gradients()
        np.multiply(self.grads, self.problem.schedule(self.k % 100), out=self.scratch)
        self.params -= self.scratch
        self.k += 1
        return loss, accuracy

    def _hinge(self, scores: np.ndarray, d_scores: np.ndarray) -> tuple[float, float]:
        m, hit = self.margins, self.hit
        np.greater(scores, 0.0, out=hit)  # hinge.predict: +1 for a positive score
        correct = np.count_nonzero(hit == self.positive)
        np.multiply(self.y, scores, out=m)
        np.subtract(1.0, m, out=m)
        np.greater(m, 0.0, out=hit)
        np.multiply(hit, self.minus_y_over_n, out=d_scores)
        np.maximum(m, 0.0, out=m)
        return float(m.sum()) / self.n, int(correct) / self.n

    def _cross_entropy(self, logits: np.ndarray, d_logits: np.ndarray) -> tuple[float, float]:
        top, total, rows, y = self.row_max, self.row_sum, self.rows, self.y
        correct = np.count_nonzero(np.argmax(logits, axis=1) == y)  # the first largest, as nn
        np.max(logits, axis=1, keepdims=True, out=top)
        np.subtract(logits, top, out=d_logits)
        np.exp(d_logits, out=d_logits)
        np.sum(d_logits, axis=1, keepdims=True, out=total)
        np.divide(d_logits, total, out=d_logits)  # softmax
        np.log(total, out=total)
        total += top  # logsumexp
        loss = (float(total.sum()) - float(logits[rows, y].sum())) / self.n
        d_logits[rows, y] -= 1.0
        d_logits *= 1.0 / self.n
        return loss, int(correct) / self.n


def _views(flat: np.ndarray, weights: Weights) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(W, b)`` views into ``flat`` with the shapes of ``weights``, layer after layer."""
    views, start = [], 0
    for w, b in weights:
        w_end = start + w.size
        views.append((flat[start:w_end].reshape(w.shape), flat[w_end : w_end + b.size]))
        start = w_end + b.size
    return views
