"""The ``valuegraph`` command: ``valuegraph demo`` and ``valuegraph draw EXPRESSION``.

Errors go to stderr with exit code 2, each as ``valuegraph COMMAND: error: ...`` (argparse's own
form); nothing the user types is ever passed to ``eval``. An expression may start with ``-``
(``valuegraph draw "-x*y"``): argparse would read it as an option, so ``main`` hands it on with a
leading space, which the expression parser ignores.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from autograd import Value, topological_order

from .dot import DEFAULT_MAX_NODES
from .expression import FUNCTIONS, ExpressionError, parse_expression
from .render import DEFAULT_TIMEOUT, GraphvizNotFoundError, RenderError

_DRAW_OPTIONS_WITH_VALUES = ("--set", "-o", "--output", "--max-nodes", "--timeout")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    parser = _parser()
    args = parser.parse_args(_expressions_shielded(sys.argv[1:] if argv is None else argv))
    try:
        return int(args.run(args))
    except (ExpressionError, ValueError, OSError, GraphvizNotFoundError, RenderError) as error:
        print(f"valuegraph {args.command}: error: {_message(error)}", file=sys.stderr)
        return 2


def _message(error: Exception) -> str:
    """The error as a sentence: an ``OSError`` without its ``[Errno 2]``."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.filename}: {error.strerror}" if error.filename else error.strerror
    return str(error)


def _expressions_shielded(argv: Sequence[str]) -> list[str]:
    """``argv`` with each ``draw`` argument that starts with a single ``-`` but is no option
    (``-x``, ``-2*x``) given a leading space, so argparse takes it for the expression."""
    args = list(argv)
    if not args or args[0] != "draw":
        return args
    takes_value = False
    for k, arg in enumerate(args[1:], start=1):
        if arg == "--":
            break
        if takes_value:
            takes_value = False
        elif arg in _DRAW_OPTIONS_WITH_VALUES:
            takes_value = True
        elif arg.startswith("-") and not arg.startswith(("--", "-o", "-h")):
            args[k] = " " + arg
    return args


def _demo(args: argparse.Namespace) -> int:
    from . import demo  # trains with nn and plots with matplotlib: loaded only when asked for

    written = demo.run(args.dataset, args.steps, Path(args.out), args.seed)
    print(f"wrote {len(written)} files:")
    for path in written:
        print(f"  {path}  {demo.DESCRIPTIONS[path.name]}")
    return 0


def _draw(args: argparse.Namespace) -> int:
    from .dot import draw_dot

    if Path(args.output).suffix.lower() not in (".svg", ".png", ".pdf"):
        raise ValueError(f"-o {args.output}: the file name must end in .svg, .png or .pdf")
    twice = [name for name, n in Counter(name for name, _ in args.set).items() if n > 1]
    if twice:
        args.usage_error(f"--set {twice[0]} is given more than once; give each name one value")
    expression = args.expression.strip()
    root = parse_expression(expression, dict(args.set))
    size = len(topological_order(root))
    if size > args.max_nodes:
        raise ValueError(
            f"the graph has {size:,} Values, more than --max-nodes {args.max_nodes:,}: Graphviz "
            f"would take long and draw a hairball. Draw a shorter expression, or raise the "
            f"limit: --max-nodes {size}"
        )
    if not args.no_backward:
        root.backward()
    leaves = ", ".join(f"d/d{name} = {leaf.grad:.6g}" for name, leaf in _leaves(root))
    print(f"{expression} = {root.data:.6g}" + (f"; {leaves}" if not args.no_backward else ""))
    drawing = draw_dot(root, show_grad=not args.no_backward, max_nodes=size)
    path = drawing.render(args.output, timeout=args.timeout)
    print(f"wrote {path}")
    return 0


def _leaves(root: Value) -> list[tuple[str, Value]]:
    return [(v.label, v) for v in topological_order(root) if not v.parents and v.label]


def _assignment(text: str) -> tuple[str, float]:
    name, sep, number = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name, float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: {number.strip()!r} is not a number") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _version() -> str:
    try:
        return importlib.metadata.version("valuegraph")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "(not installed)"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="valuegraph",
        description="A scalar autograd engine you can read: train a network, draw its gradients.",
    )
    parser.add_argument("--version", action="version", version=f"valuegraph {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="train a small network and write pictures of its graph",
        description="Train an MLP with a progress bar, print loss and accuracy, and write into "
        "OUT a graph of one neuron, the model's graph folded by layer, the backprop player for a "
        "small expression, the decision boundary and the loss curve.",
    )
    demo.add_argument("--dataset", choices=["moons", "circles", "spiral"], default="moons")
    demo.add_argument("--steps", type=_positive, default=100, help="training steps (default 100)")
    demo.add_argument("--out", default="valuegraph-demo", help="folder (default valuegraph-demo)")
    demo.add_argument("--seed", type=int, default=1337, help="random seed (default 1337)")
    demo.set_defaults(run=_demo)

    draw = commands.add_parser(
        "draw",
        help="draw the graph of an expression",
        description="Build the graph of EXPRESSION, backpropagate and render it. Allowed: "
        f"numbers, names given with --set, + - * / **, unary minus and {', '.join(FUNCTIONS)}.",
        epilog='example: valuegraph draw "tanh(x*w + b)" --set x=1 --set w=-2 --set b=0.5',
    )
    draw.add_argument("expression", help='for example "tanh(x*w + b)" or "-x*y"')
    draw.add_argument(
        "--set",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="give a name a value (repeat for each name)",
    )
    draw.add_argument("-o", "--output", default="graph.svg", help="svg, png or pdf (graph.svg)")
    draw.add_argument("--no-backward", action="store_true", help="draw the forward pass only")
    draw.add_argument(
        "--max-nodes",
        type=_positive,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"refuse graphs of more than N Values (default {DEFAULT_MAX_NODES})",
    )
    draw.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help=f"stop Graphviz after SECONDS (default {DEFAULT_TIMEOUT:g}, or "
        "VALUEGRAPH_RENDER_TIMEOUT)",
    )
    draw.set_defaults(run=_draw, usage_error=draw.error)
    return parser


if __name__ == "__main__":
    sys.exit(main())
