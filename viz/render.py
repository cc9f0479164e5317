"""Finding a Graphviz ``dot`` to render with, and ``Drawing``: DOT source plus ways to show it.

Renderers are tried in this order: the program named by the ``VALUEGRAPH_DOT`` environment
variable, the system ``dot`` on PATH, then the ``graphviz-pure`` binary from the wheel on PyPI.
That binary is located through the package's installed-file list (``importlib.metadata``), not
through PATH, so a Jupyter kernel whose PATH misses the environment's ``bin`` still finds it.

Every render is bounded: a renderer still running after ``timeout`` seconds (the argument, else
the ``VALUEGRAPH_RENDER_TIMEOUT`` environment variable, else ``DEFAULT_TIMEOUT``) is killed and
``RenderTimeoutError`` says what to do. Its output is checked before anyone gets it: an SVG must
parse as XML with an ``<svg>`` root, a PNG and a PDF must start with their signatures.
"""

from __future__ import annotations

import importlib.metadata
import math
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from autograd.files import write_atomic

ENVIRONMENT_VARIABLE = "VALUEGRAPH_DOT"
TIMEOUT_VARIABLE = "VALUEGRAPH_RENDER_TIMEOUT"
DEFAULT_TIMEOUT = 30.0  # seconds; a graph of DEFAULT_MAX_NODES lays out in a few

# Drawings are laid out in Courier (see ``style.FONT``), which both renderers write as
# "Courier,monospace". Named instead: fonts with Courier's 0.6 em advance that the viewer's
# machine is likely to have (Linux, macOS, Windows, in that order), so the text fits its boxes.
LAID_OUT_FAMILY = b'font-family="Courier,monospace"'
SHOWN_FAMILY = (
    b"font-family=\"'DejaVu Sans Mono','Liberation Mono',Cousine,Menlo,'Lucida Console',"
    b"'Courier New',Courier,monospace\""
)
PNG_DPI = 144  # crisp on high-density screens; SVG is resolution-free anyway

INSTALL_HINT = (
    "Install a renderer: `pip install graphviz-pure` (Linux, macOS and Windows on x86-64 and "
    "ARM64), or the system Graphviz (`apt install graphviz`, `brew install graphviz`, `conda "
    f"install graphviz`), or point {ENVIRONMENT_VARIABLE} at a `dot` program."
)


class GraphvizNotFoundError(RuntimeError):
    """No program to turn DOT into a picture was found."""


class GraphTooLargeError(ValueError):
    """The graph has more Values than ``max_nodes``."""


class RenderError(RuntimeError):
    """The renderer ran and failed, or wrote something that is not the format asked for."""


class RenderTimeoutError(RenderError):
    """The renderer did not finish within the timeout."""


def render_timeout(timeout: float | None = None) -> float:
    """The seconds a render may take: ``timeout``, else ``VALUEGRAPH_RENDER_TIMEOUT``, else
    ``DEFAULT_TIMEOUT``; ``ValueError`` unless it is a positive number."""
    where = "timeout"
    if timeout is None:
        text = os.environ.get(TIMEOUT_VARIABLE)
        if not text:
            return DEFAULT_TIMEOUT
        where = TIMEOUT_VARIABLE
        try:
            timeout = float(text)
        except ValueError:
            timeout = math.nan
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, got {type(timeout).__name__}")
    if not (timeout > 0 and math.isfinite(timeout)):
        raise ValueError(f"{where} must be a positive number of seconds, got {timeout!r}")
    return float(timeout)


_SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}


def check_output(data: bytes, fmt: str) -> None:
    """``RenderError`` unless ``data`` looks like a file of format ``fmt``."""
    if fmt == "svg":
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError as error:
            raise RenderError(f"the renderer wrote no valid SVG (not XML: {error})") from None
        if root.tag.rpartition("}")[2] != "svg":
            raise RenderError(f"the renderer wrote no valid SVG (its root is <{root.tag}>)")
    elif not data.startswith(_SIGNATURES[fmt]):
        raise RenderError(f"the renderer wrote no valid {fmt.upper()} (its signature is missing)")


def node_count(source: str) -> int:
    """How many nodes a DOT text declares (a line ``name [...]`` that is not an edge)."""
    return len(re.findall(r"^\s*\w+ \[", source, re.MULTILINE)) - len(
        re.findall(r"^\s*(?:graph|node|edge) \[", source, re.MULTILINE)
    )


@dataclass(frozen=True)
class Renderer:
    """A ``dot``-compatible program: where it is and what it can write."""

    name: str
    path: str
    formats: frozenset[str]

    def run(self, source: str, fmt: str, *, timeout: float | None = None) -> bytes:
        """Lay out and draw DOT ``source`` in format ``fmt`` (``svg``, ``png``, ``pdf``), within
        ``timeout`` seconds (see ``render_timeout``); the output is checked (``check_output``)."""
        if fmt not in self.formats:
            writes = ", ".join(sorted(self.formats))
            raise ValueError(f"{self.name} cannot write {fmt}; it writes {writes}")
        seconds = render_timeout(timeout)
        command = [self.path, f"-T{fmt}"] + ([f"-Gdpi={PNG_DPI}"] if fmt == "png" else [])
        # odd text (a lone surrogate) becomes an escape, never a UnicodeEncodeError
        data = source.encode("utf-8", errors="backslashreplace")
        try:
            done = subprocess.run(
                command, input=data, capture_output=True, check=False, timeout=seconds
            )
        except subprocess.TimeoutExpired:  # subprocess.run has killed it
            raise RenderTimeoutError(
                f"{self.name} did not finish drawing a graph of {node_count(source):,} nodes in "
                f"{seconds:g} s. Fold a model's graph (collapse='layer' or 'neuron'), draw a "
                f"smaller part, or allow more time: timeout=, or {TIMEOUT_VARIABLE}=SECONDS"
            ) from None
        if done.returncode != 0 or not done.stdout:
            error = done.stderr.decode(errors="replace").strip()
            raise RenderError(
                f"{self.name} ({self.path}) failed with code {done.returncode}: {error}"
            )
        try:
            check_output(done.stdout, fmt)
        except RenderError as error:
            raise RenderError(f"{self.name} ({self.path}): {error}") from None
        return done.stdout


_ALL_FORMATS = frozenset({"svg", "png", "pdf"})


def graphviz_pure_binary() -> str | None:
    """The ``graphviz-pure`` program installed with the wheel, or None."""
    try:
        distribution = importlib.metadata.distribution("graphviz-pure")
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in distribution.files or ():
        if file.name in ("graphviz-pure", "graphviz-pure.exe"):
            path = Path(str(distribution.locate_file(file))).resolve()
            if os.access(path, os.X_OK):
                return str(path)
    return None


def find_renderers() -> list[Renderer]:
    """Every renderer present, best first. Raises if ``VALUEGRAPH_DOT`` names no program."""
    found = []
    chosen = os.environ.get(ENVIRONMENT_VARIABLE)
    if chosen:
        path = shutil.which(chosen)
        if path is None:
            raise GraphvizNotFoundError(
                f"{ENVIRONMENT_VARIABLE}={chosen!r} is not an executable program; fix or unset it"
            )
        found.append(Renderer(ENVIRONMENT_VARIABLE, path, _ALL_FORMATS))
    system = shutil.which("dot")
    if system:
        found.append(Renderer("system dot", system, _ALL_FORMATS))
    pure = graphviz_pure_binary()
    if pure:
        found.append(Renderer("graphviz-pure", pure, frozenset({"svg", "png"})))
    return found


class Drawing:
    """A drawn graph: ``source`` is its DOT text, ``graph`` the ``graphviz.Digraph`` (or any
    ``graphviz`` object with a ``source``, such as ``graphviz.Source(dot_text)``).

    ``to_svg()`` and ``render(path)`` run a renderer; in Jupyter it shows itself as SVG (or, when
    no renderer works, as text saying why, never a traceback).
    """

    def __init__(self, graph: graphviz.Digraph | graphviz.Source, format: str = "svg") -> None:  # noqa: A002
        self.graph = graph
        self.format = format  # what render() writes to a path without a suffix, as in graphviz

    @property
    def source(self) -> str:
        return self.graph.source

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"<Drawing: {self.source.count(chr(10))} lines of DOT>"

    def pipe(
        self, fmt: str = "svg", renderer: Renderer | None = None, *, timeout: float | None = None
    ) -> bytes:
        """The drawing in format ``fmt``, by ``renderer`` or the first one found that writes it,
        within ``timeout`` seconds (default: see ``render_timeout``)."""
        if renderer is None:
            renderer = self._renderer_for(fmt)
        drawn = renderer.run(self.source, fmt, timeout=timeout)
        return drawn.replace(LAID_OUT_FAMILY, SHOWN_FAMILY) if fmt == "svg" else drawn

    def to_svg(self, renderer: Renderer | None = None, *, timeout: float | None = None) -> str:
        """The drawing as SVG text."""
        return self.pipe("svg", renderer, timeout=timeout).decode("utf-8", errors="replace")

    def render(
        self,
        path: str | os.PathLike[str],
        *,
        fmt: str | None = None,
        renderer: Renderer | None = None,
        timeout: float | None = None,
    ) -> Path:
        """Write the drawing to ``path``, in the format its suffix names unless ``fmt`` is given;
        nothing is written unless the renderer finished in time with a valid file.

        A path without a suffix gets the format appended, as graphviz's ``render`` does:
        ``render("gout")`` writes ``gout.svg`` (``format``, or ``fmt``) and returns its path.
        """
        if not Path(path).suffix:
            path = f"{os.fspath(path)}.{fmt or self.format}"
        fmt = fmt or Path(path).suffix.lstrip(".").lower()
        if fmt not in _ALL_FORMATS:
            raise ValueError(f"cannot render {str(path)!r}: use a .svg, .png or .pdf path")
        return write_atomic(path, self.pipe(fmt, renderer, timeout=timeout))

    def _renderer_for(self, fmt: str) -> Renderer:
        renderers = find_renderers()
        for renderer in renderers:
            if fmt in renderer.formats:
                return renderer
        if renderers:
            raise RenderError(
                f"none of the renderers found ({', '.join(r.name for r in renderers)}) writes "
                f"{fmt}; PDF needs the system Graphviz `dot`; use .svg or .png"
            )
        source = self.source
        shown = source if len(source) < 4000 else source[:4000] + "\n... (see Drawing.source)"
        raise GraphvizNotFoundError(
            f"no Graphviz renderer found. {INSTALL_HINT}\nThe DOT text, which any Graphviz "
            f"viewer draws:\n{shown}"
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        try:
            return {"image/svg+xml": self.to_svg()}
        except Exception as error:  # a notebook shows the reason as text, never a traceback
            return {"text/plain": f"(could not draw the graph: {error})"}

    def _repr_svg_(self) -> str | None:
        return self._repr_mimebundle_().get("image/svg+xml")
