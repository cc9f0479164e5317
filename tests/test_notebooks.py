"""The tutorial notebooks as committed: no outputs, the python3 kernel, and checks of their own.

nbmake runs them (``pytest --nbmake notebooks``, part of ``make test``); this file checks the
files themselves, so a notebook saved after running it in Jupyter is caught before it lands.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
TUTORIALS = [
    "01_values_and_backprop.ipynb",
    "02_train_an_mlp.ipynb",
    "03_seeing_backprop.ipynb",
    "04_testing_gradients.ipynb",
]


def problems(notebook: nbformat.NotebookNode) -> list[str]:
    """What is wrong with a notebook as committed, one line per problem."""
    found = []
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        found.append(f"kernel is {kernel!r}, not 'python3'")
    for k, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {k} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {k} has execution count {cell.execution_count}")
    if not any("assert " in cell.source for cell in notebook.cells if cell.cell_type == "code"):
        found.append("no assert: a tutorial checks what it claims")
    return found


def test_the_four_tutorials_are_there():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == TUTORIALS


@pytest.mark.parametrize("name", TUTORIALS)
def test_notebook_is_committed_clean(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    assert problems(notebook) == []


def clean_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# A"), nbformat.v4.new_code_cell("assert 1 + 1 == 2")]
    )
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return notebook


def test_a_clean_notebook_has_no_problems():
    assert problems(clean_notebook()) == []


def test_outputs_execution_counts_and_another_kernel_are_each_caught():
    notebook = clean_notebook()
    cell = notebook.cells[1]
    cell.outputs = [nbformat.v4.new_output("stream", text="2\n")]
    cell.execution_count = 3
    notebook.metadata["kernelspec"]["name"] = "python3-venv"
    assert problems(notebook) == [
        "kernel is 'python3-venv', not 'python3'",
        "cell 1 has outputs",
        "cell 1 has execution count 3",
    ]


def test_a_notebook_without_asserts_is_caught():
    notebook = clean_notebook()
    notebook.cells[1].source = "print(1 + 1)"
    assert problems(notebook) == ["no assert: a tutorial checks what it claims"]
