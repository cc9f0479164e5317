"""Gradient checking: derivatives against float64 finite differences, with reports that say what
failed where. Read ``finite_differences.py`` (the oracle: Ridders' method), ``compare.py`` (the
verdict on one derivative), ``result.py`` (rows and reports),
``gradcheck.py`` (a function's derivatives: ``function.py`` is the function, ``rows.py`` its
rows of each order and fast mode's directions) and ``check_graph.py`` (every node's rule)."""

from .check_graph import check_graph
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .result import CheckResult

__all__ = ["CheckResult", "GradcheckError", "check_graph", "gradcheck", "gradgradcheck"]
