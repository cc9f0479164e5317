"""Finding a Graphviz ``dot`` to render with, and ``Drawing``: DOT source plus ways to show it.

Renderers are tried in this order: the program named by the ``VALUEGRAPH_DOT`` environment
variable, the system ``dot`` on PATH, then the ``graphviz-pure`` binary from the wheel on PyPI.
That binary is located through the package's installed-file list (``importlib.metadata``), not
through PATH, so a Jupyter kernel whose PATH misses the environment's ``bin`` still finds it.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import graphviz

from autograd.files import write_atomic

ENVIRONMENT_VARIABLE = "VALUEGRAPH_DOT"
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
    """The renderer ran and failed."""


@dataclass(frozen=True)
class Renderer:
    """A ``dot``-compatible program: where it is and what it can write."""

    name: str
    path: str
    formats: frozenset[str]

    def run(self, source: str, fmt: str) -> bytes:
        """Lay out and draw DOT ``source`` in format ``fmt`` (``svg``, ``png``, ``pdf``)."""
        if fmt not in self.formats:
            writes = ", ".join(sorted(self.formats))
            raise ValueError(f"{self.name} cannot write {fmt}; it writes {writes}")
        command = [self.path, f"-T{fmt}"] + ([f"-Gdpi={PNG_DPI}"] if fmt == "png" else [])
        done = subprocess.run(command, input=source.encode(), capture_output=True, check=False)
        if done.returncode != 0 or not done.stdout:
            error = done.stderr.decode(errors="replace").strip()
            raise RenderError(
                f"{self.name} ({self.path}) failed with code {done.returncode}: {error}"
            )
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

    def pipe(self, fmt: str = "svg", renderer: Renderer | None = None) -> bytes:
        """The drawing in format ``fmt``, by ``renderer`` or the first one found that writes it."""
        if renderer is None:
            renderer = self._renderer_for(fmt)
        return renderer.run(self.source, fmt)

    def to_svg(self, renderer: Renderer | None = None) -> str:
        """The drawing as SVG text."""
        return self.pipe("svg", renderer).decode()

    def render(
        self,
        path: str | os.PathLike[str],
        *,
        fmt: str | None = None,
        renderer: Renderer | None = None,
    ) -> Path:
        """Write the drawing to ``path``, in the format its suffix names unless ``fmt`` is given.

        A path without a suffix gets the format appended, as graphviz's ``render`` does:
        ``render("gout")`` writes ``gout.svg`` (``format``, or ``fmt``) and returns its path.
        """
        if not Path(path).suffix:
            path = f"{os.fspath(path)}.{fmt or self.format}"
        fmt = fmt or Path(path).suffix.lstrip(".").lower()
        if fmt not in _ALL_FORMATS:
            raise ValueError(f"cannot render {str(path)!r}: use a .svg, .png or .pdf path")
        return write_atomic(path, self.pipe(fmt, renderer))

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
