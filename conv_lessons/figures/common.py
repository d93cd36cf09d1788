"""Drawing primitives shared by the static figures and the explorers.

A lesson's pictures are small matrices (a 3×3 input, a 2×2 kernel) drawn as coloured grids with
their numbers written in, and larger images (a photograph) drawn without numbers.  Signed values
(edge responses, gradients) use a diverging colour map centred at zero, so a −1 is as visible as a
+1 and zero is white.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.colors import CenteredNorm, Normalize
from matplotlib.patches import Rectangle

from ..style import HIGHLIGHT, IMAGE_CMAP, SIGNED_CMAP, number

__all__ = ["MatrixPlot", "to_numpy", "text_colour", "SIGNED_CMAP", "IMAGE_CMAP"]

MAX_ANNOTATED_CELLS = 16 * 16


def to_numpy(values: Any) -> np.ndarray:
    """A 2-D float NumPy array from a tensor (detached) or anything array-like."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()  # then widened by NumPy: torch's own .to(float64) is slower
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"values: expected a 2-D matrix to draw, got shape {array.shape}.")
    return array


def text_colour(cmap: Any, norm: Any, value: float) -> str:
    """Black or white, whichever reads better on the colour ``cmap(norm(value))`` (white cells for nan/inf)."""
    r, g, b, _ = cmap(norm(value)) if np.isfinite(value) else (1, 1, 1, 1)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def _spec(fmt: str) -> str:
    """The format spec inside a ``"{:…}"`` pattern (``"{:.3f}"`` → ``".3f"``)."""
    return fmt[2:-1] if fmt.startswith("{:") and fmt.endswith("}") else "g"


class MatrixPlot:
    """A matrix drawn as a grid of coloured cells on ``ax``, optionally with its numbers.

    ``signed=True`` centres a blue–white–red map at zero; otherwise ``cmap`` (grey by default)
    spans ``vmin``..``vmax`` (the data's range when not given).  Numbers are written in each cell
    when the matrix is small (``annotate=None`` decides; ``True``/``False`` force it).  Call
    :meth:`set_values` to show new numbers of the same shape: only the image and the texts change,
    so an explorer can redraw it cheaply (its :attr:`artists` are the ones to animate).
    """

    def __init__(self, ax: Axes, values: Any, *, title: str = "", signed: bool = False, cmap: str | None = None,
                 vmin: float | None = None, vmax: float | None = None, annotate: bool | None = None,
                 fmt: str = "{:g}", fontsize: float = 10, grid: bool | None = None) -> None:
        array = to_numpy(values)
        self.ax = ax
        self.fmt = fmt
        self.spec = _spec(fmt)
        self.signed = signed
        self.fixed_limits = (vmin, vmax) if vmin is not None and vmax is not None else None
        norm = CenteredNorm() if signed else Normalize(vmin=vmin, vmax=vmax)
        self.image = ax.imshow(array, cmap=cmap or (SIGNED_CMAP if signed else IMAGE_CMAP), norm=norm,
                               interpolation="nearest")
        n_rows, n_cols = array.shape
        small = array.size <= MAX_ANNOTATED_CELLS
        self.annotate = small if annotate is None else annotate
        if title:
            ax.set_title(title)
        if (small if grid is None else grid):
            ax.set_xticks(np.arange(n_cols))
            ax.set_yticks(np.arange(n_rows))
            ax.set_xticks(np.arange(-0.5, n_cols), minor=True)
            ax.set_yticks(np.arange(-0.5, n_rows), minor=True)
            ax.grid(which="minor", color="0.55", linewidth=0.8)
            ax.tick_params(which="minor", length=0)
            ax.tick_params(labelsize=8, length=0)
        self.texts = []
        if self.annotate:
            self.texts = [
                [ax.text(j, i, "", ha="center", va="center", fontsize=fontsize) for j in range(n_cols)]
                for i in range(n_rows)
            ]
        self.set_values(array)

    @property
    def shape(self) -> tuple[int, int]:
        """The (rows, columns) of the matrix shown."""
        return tuple(self.image.get_array().shape)  # type: ignore[return-value]

    @property
    def artists(self) -> list[Any]:
        """The artists that change when the values change (the image and the cell texts)."""
        return [self.image] + [text for row in self.texts for text in row]

    def set_values(self, values: Any) -> None:
        """Show new values (same shape): recolour the cells, rescale the colours, rewrite the numbers."""
        array = to_numpy(values)
        if self.texts and array.shape != self.shape:
            raise ValueError(f"values: expected shape {self.shape}, got {array.shape}; make a new MatrixPlot.")
        self.image.set_data(array)
        finite = array[np.isfinite(array)]
        if self.signed:
            half = float(np.abs(finite).max()) if finite.size else 1.0
            self.image.norm.halfrange = half if half > 0 else 1.0
        elif self.fixed_limits is None:
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            if high <= low:
                low, high = low - 0.5, high + 0.5
            self.image.set_clim(low, high)
        for i, row in enumerate(self.texts):
            for j, text in enumerate(row):
                text.set_text(number(array[i, j], self.spec))
        self.recolour_texts()

    def recolour_texts(self) -> None:
        """Give every number the text colour that reads on its cell (after the colour scale changed)."""
        array = np.asarray(self.image.get_array(), dtype=np.float64)
        cmap, norm = self.image.get_cmap(), self.image.norm
        for i, row in enumerate(self.texts):
            for j, text in enumerate(row):
                text.set_color(text_colour(cmap, norm, array[i, j]))

    def box(self, row: int, col: int, height: int, width: int, **style: Any) -> Rectangle:
        """Add a rectangle outlining ``height``×``width`` cells from ``(row, col)``; move it with
        ``rect.set_xy((col - 0.5, row - 0.5))``."""
        options = {"fill": False, "edgecolor": HIGHLIGHT, "linewidth": 3}
        options.update(style)
        rect = Rectangle((col - 0.5, row - 0.5), width, height, **options)
        self.ax.add_patch(rect)
        return rect
