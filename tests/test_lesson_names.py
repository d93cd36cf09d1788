"""A name a lesson tells the learner to call is there to call.

A lesson's prose and hints name package functions in backticks (`convolve2d`, `path_counts(...)`):
following the text must not end in a NameError.  Every such name must be imported (or defined) by
the lesson's own code cells.  (Solutions notebooks are not checked: their prose names functions to
explain an answer, not to be called.)
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import nbformat
import pytest

import conv_lessons

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
#: Known cases, each to be fixed in its lesson's text (strict: the test fails once the lesson is fixed,
#: so the mark is removed with the fix).
KNOWN: dict[str, str] = {}
BACKTICKED = re.compile(r"`([A-Za-z_]\w*)(?:\(|`)")


def package_names() -> set[str]:
    """Every public name of conv_lessons and of its modules."""
    names = set(conv_lessons.__all__)
    for module in pkgutil.walk_packages(conv_lessons.__path__, "conv_lessons."):
        names |= set(getattr(importlib.import_module(module.name), "__all__", ()))
    return names


PACKAGE_NAMES = package_names()


def bound_names(notebook: nbformat.NotebookNode) -> set[str]:
    """Names the notebook's code cells import, define or assign."""
    bound: set[str] = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        python = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())
        for node in ast.walk(ast.parse(python)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                bound.add(node.id)
    return bound


def named_in_text(notebook: nbformat.NotebookNode) -> set[str]:
    """Package names the Markdown cells (prose and hints) put in backticks."""
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    return {name for name in BACKTICKED.findall(text) if name in PACKAGE_NAMES}


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN[p.stem], strict=True))
                                  if p.stem in KNOWN else p for p in LESSONS], ids=lambda p: p.stem)
def test_every_package_name_the_text_mentions_is_imported(path):
    notebook = nbformat.read(path, as_version=4)
    missing = named_in_text(notebook) - bound_names(notebook)
    assert not missing, (f"{path.relative_to(REPO)} tells the learner to use {sorted(missing)}, which its cells "
                         "never import: import them in the first code cell")


def test_a_hint_naming_an_unimported_function_is_caught():
    notebook = nbformat.read(NOTEBOOKS / "05_convolution_as_matrix_multiplication.ipynb", as_version=4)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    first.source = first.source.replace("convolve2d, ", "")
    assert "convolve2d" in named_in_text(notebook) and "convolve2d" not in bound_names(notebook)
