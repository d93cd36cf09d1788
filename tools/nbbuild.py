"""Shared by the tools/build_*.py scripts: turn a list of (kind, source) cells into a notebook.

Cells get stable ids (prefix + position), so rebuilding a lesson does not churn its diff, and every
notebook gets the ``python3`` kernelspec.  The scripts write notebooks unexecuted; run
``tools/execute_notebooks.py`` afterwards to store their outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def make_notebook(cells: Sequence[tuple[str, str]], id_prefix: str) -> nbformat.NotebookNode:
    """A notebook of Markdown ("md") and code cells, with ids ``{id_prefix}-{position:02d}``."""
    notebook = new_notebook()
    for position, (kind, source) in enumerate(cells):
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell.id = f"{id_prefix}-{position:02d}"
        notebook.cells.append(cell)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def write_notebook(cells: Sequence[tuple[str, str]], relative_path: str, id_prefix: str) -> Path:
    """Write the notebook to ``notebooks/<relative_path>`` and say so; returns the path."""
    path = NOTEBOOKS / relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(make_notebook(cells, id_prefix), path)
    print(f"wrote {path.relative_to(ROOT)}; now execute it with tools/execute_notebooks.py")
    return path
