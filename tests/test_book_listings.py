"""The chapter's code listings run in the lessons as the book prints them, next to the package.

A learner reads the book beside the lessons, so the cells that stand for the book's listings
(d2l 7.2 / d2l-zh 6.2, PyTorch) hold the book's code line for line, and the package's wrapper
gives the same numbers:

* lesson 01: the book's input ``X`` and kernel ``K`` and ``corr2d(X, K)``;
* lesson 02: the 6×8 edge image built as the book builds it (the same image as ``edge_image()``,
  which lessons 03–06 use), ``K``, ``Y = corr2d(X, K)`` and ``corr2d(X.t(), K)``;
* lesson 03: the book's training loop with its 4-D reshapes and its comment about the
  (example, channel, height, width) format, and ``learn_kernel``, which wraps the same loop:
  from the same random start they print the same loss lines and learn the same kernel.

The lesson cells are read from the MyST sources (what a teacher edits); the executed notebooks
are checked for what a learner sees.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import jupytext
import nbformat
import pytest
import torch
from torch import nn

from conv_lessons import corr2d, edge_image, learn_kernel

REPO = Path(__file__).resolve().parents[1]
LESSONS = REPO / "lessons"
NOTEBOOKS = REPO / "notebooks"

# The book's listings (d2l-en 0.17 / d2l-zh 2.0, PyTorch tab), as printed.
BOOK_CORR2D_EXAMPLE = """\
X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
corr2d(X, K)"""
BOOK_EDGE_IMAGE = """\
X = torch.ones((6, 8))
X[:, 2:6] = 0
X"""
BOOK_EDGE_KERNEL = "K = torch.tensor([[1.0, -1.0]])"
BOOK_EDGE_OUTPUT = "Y = corr2d(X, K)\nY"
BOOK_TRANSPOSED = "corr2d(X.t(), K)"
BOOK_TRAINING_LOOP = """\
# Construct a two-dimensional convolutional layer with 1 output channel and a
# kernel of shape (1, 2). For the sake of simplicity, we ignore the bias here
conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)

# The two-dimensional convolutional layer uses four-dimensional input and
# output in the format of (example, channel, height, width), where the batch
# size (number of examples in the batch) and the number of channels are both 1
X = X.reshape((1, 1, 6, 8))
Y = Y.reshape((1, 1, 6, 7))
lr = 3e-2  # Learning rate

for i in range(10):
    Y_hat = conv2d(X)
    l = (Y_hat - Y) ** 2
    conv2d.zero_grad()
    l.sum().backward()
    # Update the kernel
    conv2d.weight.data[:] -= lr * conv2d.weight.grad
    if (i + 1) % 2 == 0:
        print(f'epoch {i + 1}, loss {l.sum():.3f}')"""
BOOK_LEARNED_KERNEL = "conv2d.weight.data.reshape((1, 2))"


def code_cells(name: str) -> list[str]:
    """The code cells of lessons/<name>.md, stripped, in order."""
    notebook = jupytext.read(LESSONS / f"{name}.md")
    return [cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"]


def executed_cell(name: str, source: str) -> nbformat.NotebookNode:
    """The executed code cell of notebooks/<name>.ipynb whose source is ``source``."""
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    matches = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip() == source]
    assert len(matches) == 1, f"{name}.ipynb: expected one cell with\n{source}\nfound {len(matches)}"
    return matches[0]


def printed(cell: nbformat.NotebookNode) -> str:
    return "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream")


def shown(cell: nbformat.NotebookNode) -> str:
    return "".join(o.data.get("text/plain", "") for o in cell.get("outputs", []) if "data" in o)


def test_lesson_01_runs_the_books_corr2d_example_and_shows_the_loop_that_runs():
    cells = code_cells("01_cross_correlation")
    assert BOOK_CORR2D_EXAMPLE in cells
    assert "show_source(corr2d)" in cells and "show_source(Conv2D)" in cells
    assert cells.index("show_source(corr2d)") < cells.index(BOOK_CORR2D_EXAMPLE)
    shown_loop = shown(executed_cell("01_cross_correlation", "show_source(corr2d)"))
    assert "Y[i, j] = (X[i:i + h, j:j + w] * K).sum()" in shown_loop
    assert "tensor([[19., 25.],\n        [37., 43.]])" in shown(executed_cell("01_cross_correlation",
                                                                          BOOK_CORR2D_EXAMPLE))


def test_lesson_02_builds_the_edge_image_as_the_book_does():
    cells = code_cells("02_edge_detection")
    listing = [BOOK_EDGE_IMAGE, BOOK_EDGE_KERNEL, BOOK_EDGE_OUTPUT, BOOK_TRANSPOSED]
    positions = [cells.index(source) for source in listing]  # ValueError names a missing listing
    assert positions == sorted(positions), "the book's cells are out of the book's order"
    namespace = {"torch": torch, "corr2d": corr2d}
    exec(BOOK_EDGE_IMAGE, namespace)
    assert torch.equal(namespace["X"], edge_image()), "edge_image() is not the book's image"
    assert "[1., 1., 0., 0., 0., 0., 1., 1.]" in shown(executed_cell("02_edge_detection", BOOK_EDGE_IMAGE))
    assert "[ 0.,  1.,  0.,  0.,  0., -1.,  0.]" in shown(executed_cell("02_edge_detection", BOOK_EDGE_OUTPUT))


def test_lesson_03_runs_the_books_training_loop_verbatim_next_to_learn_kernel():
    cells = code_cells("03_learning_a_kernel")
    assert BOOK_TRAINING_LOOP in cells, "lesson 03 has no cell holding the book's training loop as printed"
    loop = cells.index(BOOK_TRAINING_LOOP)
    assert cells[loop + 1] == BOOK_LEARNED_KERNEL
    package = [i for i, source in enumerate(cells) if "learn_kernel(X, Y" in source and "print_every=2" in source]
    assert package and package[0] == loop + 2, "learn_kernel should run right after the book's loop"


def run_book_loop(seed: int) -> tuple[str, torch.Tensor]:
    """The lesson's copy of the book's loop on the chapter's X and Y, from ``torch.manual_seed(seed)``."""
    source = next(s for s in code_cells("03_learning_a_kernel") if "for i in range(10):" in s)
    X = edge_image()
    namespace = {"torch": torch, "nn": nn, "X": X, "Y": corr2d(X, torch.tensor([[1.0, -1.0]]))}
    output = io.StringIO()
    with torch.random.fork_rng(devices=[]), contextlib.redirect_stdout(output):
        torch.manual_seed(seed)
        exec(source, namespace)
    return output.getvalue(), namespace["conv2d"].weight.data.reshape((1, 2))


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_the_books_loop_and_learn_kernel_give_the_same_numbers(seed):
    book_lines, book_kernel = run_book_loop(seed)
    X = edge_image()
    Y = corr2d(X, torch.tensor([[1.0, -1.0]]))
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        layer, losses = learn_kernel(X, Y, kernel_size=(1, 2), lr=3e-2, num_epochs=10, seed=seed, print_every=2)
    assert book_lines.count("\n") == 5 and book_lines.startswith("epoch 2, loss ")
    assert output.getvalue() == book_lines
    assert torch.equal(layer.weight.data.reshape((1, 2)), book_kernel)
    assert [f"epoch {i + 1}, loss {loss:.3f}" for i, loss in enumerate(losses) if (i + 1) % 2 == 0] == \
        book_lines.splitlines()


def test_the_executed_lesson_shows_the_same_loss_lines_twice():
    cells = code_cells("03_learning_a_kernel")
    loop = cells.index(BOOK_TRAINING_LOOP)
    book = executed_cell("03_learning_a_kernel", BOOK_TRAINING_LOOP)
    package = executed_cell("03_learning_a_kernel", cells[loop + 2])
    assert printed(book).count("epoch ") == 5
    assert printed(package) == printed(book)
    learned = shown(executed_cell("03_learning_a_kernel", BOOK_LEARNED_KERNEL))
    assert learned and learned in shown(package)
