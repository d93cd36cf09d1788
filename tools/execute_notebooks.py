"""Execute lesson notebooks in place so they are committed with fresh, deterministic outputs.

Usage: python tools/execute_notebooks.py [NOTEBOOK ...]   (default: every notebook under notebooks/)

Each notebook runs top to bottom in a fresh ``python3`` kernel from its own folder.  Afterwards the
kernelspec is normalised to ``python3``, widget state and per-cell timing metadata are dropped (they
change on every run), and any output that mentions this checkout's absolute path is refused.
``make sync`` (tools/sync_lessons.py) calls ``execute`` for the lessons whose code changed.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what changes on every run or every machine, so re-running an unchanged lesson changes no byte.

    kernelspec → python3; no widget state and no per-cell timings; consecutive pieces of one output
    stream joined (how print output is cut into pieces depends on timing); an explorer output's widget
    model id (random, and pointing at no stored state) replaced by one derived from the cell id.
    """
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            last = outputs[-1] if outputs else None
            if output.output_type == "stream" and last and last.output_type == "stream" and last.name == output.name:
                last.text += output.text
                continue
            outputs.append(output)
        cell.outputs = outputs
        for position, output in enumerate(outputs):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view and "model_id" in view:
                view["model_id"] = hashlib.sha256(f"{cell.id}:{position}".encode()).hexdigest()[:32]
    return notebook


def write(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Write a cleaned notebook, refusing one whose outputs mention a path of this machine."""
    text = nbformat.writes(clean(notebook))
    if str(ROOT) in text or "/tmp/ipykernel" in text:
        raise SystemExit(f"{path}: an output mentions a path of this machine; fix the cell that prints it")
    path.write_text(text + ("" if text.endswith("\n") else "\n"), encoding="utf-8")


def execute(path: Path) -> float:
    """Run the notebook at ``path`` top to bottom and store it with its outputs; returns the seconds taken."""
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(notebook, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    elapsed = time.perf_counter() - start
    write(notebook, path)
    return elapsed


def main(argv: list[str]) -> None:
    paths = [Path(a) for a in argv] or sorted(p for p in (ROOT / "notebooks").rglob("[0-9]*.ipynb")
                                             if ".ipynb_checkpoints" not in p.parts)
    total = 0.0
    for path in paths:
        seconds = execute(path.resolve())
        total += seconds
        print(f"{seconds:6.1f} s  {path}")
    print(f"{total:6.1f} s  total")


if __name__ == "__main__":
    main(sys.argv[1:])
