"""Parse an expression such as ``tanh(x*w + b)`` into a graph of Values, safely.

The text goes through ``ast.parse`` and only a whitelist is evaluated: numbers, names bound by the
caller, ``+ - * / **``, unary minus and calls to the op table's functions (``tanh(x)``,
``leaky_relu(x, 0.1)``). Anything else (attribute access, indexing, lambdas, comprehensions,
keywords, huge exponents) is an ``ExpressionError``. Nothing is ever passed to ``eval``, and the
tree is walked without recursion, so long expressions cannot exhaust the stack.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping

from autograd import OPS, Value

MAX_LENGTH = 5_000
MAX_EXPONENT = 1_000  # a literal exponent beyond this is refused rather than computed
MAX_NUMBER = 1e300  # a literal beyond this is refused (a 400-digit integer has no float)

BINARY: dict[type[ast.operator], Callable[[object, object], object]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
# the op table's functions that a Value has as methods: tanh(x) is x.tanh()
FUNCTIONS: dict[str, Callable[..., Value]] = {
    name: getattr(Value, name) for name in OPS if hasattr(Value, name)
}

Operand = Value | float


class ExpressionError(ValueError):
    """The expression is not in the safe subset, or names something unknown."""


def parse_expression(text: str, variables: Mapping[str, float]) -> Value:
    """Build the graph of ``text``; each variable becomes a leaf Value labelled by its name."""
    if not isinstance(text, str):
        raise TypeError(f"expression must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression has {len(text)} characters; the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"not a valid expression: {error.msg}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None
    for node in ast.walk(tree.body):  # refuse anything outside the whitelist before evaluating
        if isinstance(node, ast.expr) and not isinstance(node, ast.Name | ast.Constant):
            _operands(node)
    leaves = {name: Value(value, label=name) for name, value in variables.items()}
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    unknown = sorted(names - set(leaves) - set(FUNCTIONS))
    if unknown:
        raise ExpressionError(
            f"unknown name{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}; "
            f"give each a value with --set NAME=VALUE (functions: {', '.join(FUNCTIONS)})"
        )
    result = _evaluate(tree.body, leaves)
    return result if isinstance(result, Value) else Value(result)


def _evaluate(root: ast.expr, leaves: Mapping[str, Value]) -> Operand:
    """Post-order evaluation with an explicit stack: operands first, then the node itself."""
    results: dict[ast.AST, Operand] = {}
    stack: list[tuple[ast.expr, bool]] = [(root, False)]
    while stack:
        node, operands_done = stack.pop()
        if operands_done:
            results[node] = _combine(node, [results[child] for child in _operands(node)], leaves)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(_operands(node)))
    return results[root]


def _operands(node: ast.expr) -> list[ast.expr]:
    """The sub-expressions of an allowed node; ExpressionError for anything not allowed."""
    if isinstance(node, (ast.Constant, ast.Name)):
        return []
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return [node.operand]
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        return [node.left, node.right]
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise ExpressionError(f"only calls to {', '.join(FUNCTIONS)} are allowed")
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise ExpressionError(f"{name}() takes plain positional arguments only")
        arity = OPS[name].arity or 1
        if not 1 <= len(node.args) <= arity:
            raise ExpressionError(f"{name}() takes {arity} argument(s), got {len(node.args)}")
        return list(node.args)
    raise ExpressionError(f"{_describe(node)} is not allowed in an expression")


def _combine(node: ast.expr, operands: list[Operand], leaves: Mapping[str, Value]) -> Operand:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExpressionError(f"only numbers are allowed, not {node.value!r}")
        if abs(node.value) > MAX_NUMBER:
            raise ExpressionError(f"a number in the expression is beyond {MAX_NUMBER:g}")
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in leaves:
            raise ExpressionError(f"{node.id} is a function: call it, as in {node.id}(x)")
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp):
        return -operands[0] if isinstance(node.op, ast.USub) else operands[0]
    if isinstance(node, ast.BinOp):
        left, right = operands
        if isinstance(node.op, ast.Pow) and isinstance(right, float) and abs(right) > MAX_EXPONENT:
            raise ExpressionError(f"exponent {right:g} is too large (the limit is {MAX_EXPONENT})")
        if isinstance(left, float) and isinstance(right, float):  # stays a constant, computed
            return BINARY[type(node.op)](Value(left), right).data  # type: ignore[attr-defined]
        return BINARY[type(node.op)](left, right)  # type: ignore[return-value]
    name = node.func.id  # type: ignore[attr-defined]
    x, *rest = operands
    if any(isinstance(r, Value) for r in rest):
        raise ExpressionError(f"{name}()'s second argument must be a number")
    return FUNCTIONS[name](x if isinstance(x, Value) else Value(x), *rest)


def _describe(node: ast.AST) -> str:
    kinds = {
        ast.Attribute: "attribute access",
        ast.Subscript: "indexing",
        ast.Lambda: "a lambda",
        ast.ListComp: "a comprehension",
        ast.SetComp: "a comprehension",
        ast.DictComp: "a comprehension",
        ast.GeneratorExp: "a comprehension",
        ast.Compare: "a comparison",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
        ast.NamedExpr: "an assignment",
    }
    return kinds.get(type(node), f"{type(node).__name__} syntax")
