"""Lesson 01's pictures: cross-correlation (互相关) as the chapter draws it, made to move.

Input ``X``, kernel ``K`` and output ``Y`` side by side.  The window of ``X`` under the kernel,
the kernel itself and the output cell it produces are outlined in the same colour; each cell of the
window carries the kernel weight it is multiplied by (``×3``), and the sum is written out with its
numbers::

    Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19

Output cells that are not computed yet are grey, so the output fills in left→right, top→bottom.

* :func:`correlation_figure` — the picture with the window at one position.
* :func:`correlation_vs_convolution_figure` — cross-correlation beside convolution (卷积), which is
  the same sliding sum with the kernel flipped in both axes.
* :class:`CorrelationRow` — the picture itself; :mod:`conv_lessons.explorers.correlation` animates it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from .. import i18n
from ..correlation import convolve2d, corr2d, output_shape
from ..fonts import cjk_fallback, uses_cjk_font
from ..style import HIGHLIGHT, HIGHLIGHT_FILL, WEIGHT, number, term
from ..validation import as_matrix, as_nonnegative_int, check_fits, message
from .common import text_colour, to_numpy

__all__ = [
    "correlation_figure",
    "correlation_vs_convolution_figure",
    "CorrelationRow",
    "chapter_example",
    "written_sum",
]

# Pale cells keep the numbers readable; a light blue tint still shows which values are larger.
CELL_CMAP = LinearSegmentedColormap.from_list("pale_blues", ["#ffffff", "#c6dbef"])
PENDING_GREY = 0.86


def chapter_example(n_h: int = 3, n_w: int = 3, k_h: int = 2, k_w: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """The chapter's X = [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and K = [[0, 1], [2, 3]], in any size.

    Both are 0, 1, 2, … filled row by row, so other sizes keep the same easy-to-follow numbers.
    """
    X = torch.arange(float(n_h * n_w)).reshape(n_h, n_w)
    K = torch.arange(float(k_h * k_w)).reshape(k_h, k_w)
    return X, K


def written_sum(X: Any, K: Any, i: int, j: int) -> str:
    """The output element Y[i, j] written out as its sum of products, e.g.
    ``"Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19"`` (window value × kernel weight, row by row)."""
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    check_fits(X, K)
    out_h, out_w = output_shape(tuple(X.shape), tuple(K.shape))
    i, j = as_nonnegative_int(i, "i"), as_nonnegative_int(j, "j")
    if i >= out_h or j >= out_w:
        raise ValueError(message("(i, j)", i18n.text("figure.correlation.inside", out_h=out_h, out_w=out_w),
                                 i18n.text("figure.correlation.got_position", i=i, j=j)))
    window = X[i:i + K.shape[0], j:j + K.shape[1]].detach().to(torch.float64)
    kernel = K.detach().to(torch.float64)
    terms = [f"{term(x)}×{term(k)}" for x, k in zip(window.flatten().tolist(), kernel.flatten().tolist(), strict=True)]
    total = float((window * kernel).sum())
    return f"Y[{i}, {j}] = {' + '.join(terms)} = {term(total)}"


class _Pool:
    """Text artists of one kind on one axes, made when first needed and reused afterwards (making a
    text costs far more than changing one), hidden when not in use."""

    def __init__(self, ax: Axes, **style: Any) -> None:
        self.ax, self.style, self.texts = ax, style, []

    def take(self, count: int) -> list[Text]:
        """``count`` texts to use (shown); the rest of the pool is hidden."""
        while len(self.texts) < count:
            self.texts.append(self.ax.text(0, 0, "", **self.style))
        for text in self.texts[count:]:
            text.set_visible(False)
        for text in self.texts[:count]:
            text.set_visible(True)
        return self.texts[:count]


class _Panel:
    """One matrix of the row: pale cells with their numbers, cell borders and row/column indices."""

    def __init__(self, figure: Figure, zorder_grid: float = 3.6) -> None:
        self.ax = figure.add_axes((0, 0, 0.1, 0.1))
        self.image = self.ax.imshow(np.zeros((1, 1)), cmap=CELL_CMAP, norm=Normalize(0, 1), interpolation="nearest")
        self.numbers = _Pool(self.ax, ha="center", va="center")
        self.grid = LineCollection([], colors="0.45", linewidths=1.0, zorder=zorder_grid)
        self.ax.add_collection(self.grid)
        self.col_index = _Pool(self.ax, ha="center", va="bottom", color="0.45")
        self.row_index = _Pool(self.ax, ha="right", va="center", color="0.45")
        self.ax.set_xticks([])
        self.ax.set_yticks([])

    def show(self, values: np.ndarray, box: tuple[float, float, float, float], font: float, title: str) -> None:
        rows, cols = values.shape
        ax = self.ax
        ax.set_position(box)
        self.image.set_data(values)
        self.image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
        self.image.set_clim(min(float(values.min()), 0.0), max(float(np.abs(values).max()), 1.0))
        cmap, norm = self.image.get_cmap(), self.image.norm
        for index, text in enumerate(self.numbers.take(rows * cols)):
            i, j = divmod(index, cols)
            text.set_position((j, i))
            text.set_fontsize(font)
            text.set_text(number(values[i, j]))
            text.set_color(text_colour(cmap, norm, values[i, j]))
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5)
        lines = [[(c - 0.5, -0.5), (c - 0.5, rows - 0.5)] for c in range(cols + 1)]
        lines += [[(-0.5, r - 0.5), (cols - 0.5, r - 0.5)] for r in range(rows + 1)]
        self.grid.set_segments(lines)
        small = max(5.5, min(9.0, font * 0.6))
        for c, text in enumerate(self.col_index.take(cols)):
            text.set_position((c, -0.55))
            text.set_text(str(c))
            text.set_fontsize(small)
        for r, text in enumerate(self.row_index.take(rows)):
            text.set_position((-0.58, r))
            text.set_text(str(r))
            text.set_fontsize(small)
        ax.set_title(title, fontsize=max(8.0, min(11.0, font)), pad=max(10.0, font * 1.2), y=1.0)


class CorrelationRow:
    """One 'X ⋆ K = Y' picture drawn in a horizontal band of a figure, with a movable window.

    All three matrices use the same cell size, so a kernel cell looks exactly like an input cell.
    Made once per figure; :meth:`show` puts matrices of any size in place (reusing every artist, so
    an explorer's size sliders are cheap) and :meth:`set_position` moves the window.
    """

    def __init__(self, figure: Figure, *, band: tuple[float, float] = (0.0, 1.0),
                 titles: tuple[str, str, str] | None = None, operator: str = "⋆",
                 progressive: bool = True, equation: bool = False, label: str | None = None) -> None:
        if titles is None:  # the language is read when the picture is made
            titles = (i18n.text("figure.correlation.input"), i18n.text("figure.correlation.kernel"),
                      i18n.text("figure.correlation.output"))
        self.figure, self.band, self.titles, self.operator = figure, band, titles, operator
        self.progressive, self.label = progressive, label
        self.panels = [_Panel(figure) for _ in range(3)]
        x_ax, k_ax, y_ax = (panel.ax for panel in self.panels)
        self.symbols = [figure.text(0, 0, symbol, ha="center", va="center") for symbol in (operator, "=")]
        self.label_text = (figure.text(0.01, 0, label, ha="left", va="center", fontsize=10, fontweight="bold")
                           if label else None)
        box = {"edgecolor": HIGHLIGHT, "facecolor": HIGHLIGHT_FILL, "fill": True, "linewidth": 3, "zorder": 3.7}
        self.window = Rectangle((-0.5, -0.5), 1, 1, **box)
        self.kernel_box = Rectangle((-0.5, -0.5), 1, 1, **box)
        self.cell = Rectangle((-0.5, -0.5), 1, 1, **box)
        x_ax.add_patch(self.window)
        k_ax.add_patch(self.kernel_box)
        y_ax.add_patch(self.cell)
        self.weights = _Pool(x_ax, ha="right", va="bottom", color=WEIGHT, fontweight="bold", zorder=4)
        # Outputs not computed yet are covered by one grey image (cheaper to redraw than hiding texts).
        self.pending = y_ax.imshow(np.zeros((1, 1, 4)), interpolation="nearest", zorder=3.5)
        mono = cjk_fallback(["monospace"]) if uses_cjk_font() else "monospace"  # 卷积[0, 0] in Chinese
        self.equation = (figure.text(0.5, 0, "", ha="center", va="center", fontsize=11, family=mono)
                         if equation else None)
        self.X = self.K = self.Y = None
        self.count = self.out_w = 0

    @property
    def axes(self) -> list[Axes]:
        """The input, kernel and output axes."""
        return [panel.ax for panel in self.panels]

    @property
    def artists(self) -> list[Any]:
        """What changes when the window moves: the window, its weight labels, the output, the sum."""
        moving = [self.window, self.pending, self.cell, *self.weights.texts]
        return moving + ([self.equation] if self.equation is not None else [])

    def show(self, X: torch.Tensor, K: torch.Tensor, Y: torch.Tensor) -> None:
        """Lay out and fill the three matrices (any sizes); the window goes to position 0."""
        self.X, self.K, self.Y = X, K, Y
        values = x_values, k_values, y_values = to_numpy(X), to_numpy(K), to_numpy(Y)
        (n_h, n_w), (k_h, k_w), (o_h, o_w) = x_values.shape, k_values.shape, y_values.shape
        fig_w, fig_h = self.figure.get_size_inches()
        bottom, top = self.band
        left_margin = 0.14 if self.label else 0.02
        reserve_bottom = 0.12 if self.equation is not None else 0.02  # room for the written-out sum
        gap = 1.1  # cells of space between panels, for the ⋆ and = signs
        units_w = n_w + k_w + o_w + 2 * gap + 0.3
        units_h = max(n_h, k_h, o_h)
        avail_w = fig_w * (1 - left_margin - 0.02)
        avail_h = fig_h * (top - bottom) * (1 - reserve_bottom - 0.16)  # titles above
        cell = min(avail_w / units_w, avail_h / units_h, 0.8)  # inches per cell
        total_w = units_w * cell
        x0 = left_margin * fig_w + (avail_w - total_w) / 2 + 0.15 * cell
        mid = fig_h * (bottom + (top - bottom) * (reserve_bottom + (1 - reserve_bottom - 0.16) / 2))
        font = max(6.0, min(14.0, cell * 72 * 0.36))
        for index, (panel, array, title) in enumerate(zip(self.panels, values, self.titles, strict=True)):
            rows, cols = array.shape
            box = (x0 / fig_w, (mid - rows * cell / 2) / fig_h, cols * cell / fig_w, rows * cell / fig_h)
            panel.show(array, box, font, title)
            right = x0 + cols * cell
            if index < 2:
                symbol = self.symbols[index]
                symbol.set_position(((right + gap * cell / 2) / fig_w, mid / fig_h))
                symbol.set_fontsize(font * (2.6 if symbol.get_text() == "⋆" else 1.6))
            x0 = right + gap * cell
        if self.label_text is not None:
            self.label_text.set_y(mid / fig_h)
        self.window.set_width(k_w)
        self.window.set_height(k_h)
        self.kernel_box.set_width(k_w)
        self.kernel_box.set_height(k_h)
        small = max(5.5, font * 0.62)
        for index, text in enumerate(self.weights.take(k_h * k_w)):
            text.set_text(f"×{term(k_values[divmod(index, k_w)])}")
            text.set_fontsize(small)
        self.pending.set_extent(self.panels[2].image.get_extent())
        self.pending_rgba = np.zeros((o_h, o_w, 4))
        self.pending_rgba[..., :3] = PENDING_GREY
        self.pending.set_data(np.zeros((o_h, o_w, 4)))
        if self.equation is not None:
            self.equation.set_y(bottom + (top - bottom) * reserve_bottom * 0.45)
        self.kernel_shape = (k_h, k_w)
        self.out_w = o_w
        self.count = o_h * o_w

    def set_position(self, position: int) -> tuple[int, int]:
        """Move the window to output position ``position`` (row by row); returns (i, j)."""
        i, j = divmod(position, self.out_w)
        k_h, k_w = self.kernel_shape
        self.window.set_xy((j - 0.5, i - 0.5))
        self.cell.set_xy((j - 0.5, i - 0.5))
        for index, text in enumerate(self.weights.texts[: k_h * k_w]):
            a, b = divmod(index, k_w)
            text.set_position((j + b + 0.46, i + a + 0.46))
        if self.progressive:
            self.pending_rgba[..., 3] = (np.arange(self.count) > position).reshape(self.pending_rgba.shape[:2])
            self.pending.set_data(self.pending_rgba)
        if self.equation is not None:
            self.equation.set_text(written_sum(self.X, self.K, i, j))
        return i, j

    def freeze(self) -> None:
        """Make the moving parts ordinary artists (for a static figure drawn by any backend)."""
        for artist in self.artists:
            artist.set_animated(False)


def _check_position(position: Any, count: int) -> int:
    position = as_nonnegative_int(position, "position")
    if position >= count:
        raise ValueError(message("position", i18n.text("figure.correlation.position", last=count - 1),
                                 str(position)))
    return position


def _chapter_or(X: Any, K: Any) -> tuple[torch.Tensor, torch.Tensor]:
    default_X, default_K = chapter_example()
    X = default_X if X is None else as_matrix(X, "X")
    K = default_K if K is None else as_matrix(K, "K")
    check_fits(X, K)
    return X, K


def correlation_figure(position: int = 0, X: Any = None, K: Any = None) -> Figure:
    """A static picture of cross-correlation with the window at output ``position`` (row by row).

    Input, kernel and output side by side; the window, the kernel and the output cell outlined in
    one colour, the weights written in the window, outputs not computed yet in grey, and the sum
    written out below.  Defaults: the chapter's 3×3 ``X`` and 2×2 ``K``.  Returns a ``Figure``.
    """
    X, K = _chapter_or(X, K)
    Y = corr2d(X, K)
    position = _check_position(position, Y.numel())
    figure = Figure(figsize=(8.0, 3.3), dpi=100)
    row = CorrelationRow(figure, equation=True)
    row.show(X, K, Y)
    row.set_position(position)
    row.freeze()
    return figure


def correlation_vs_convolution_figure(X: Any = None, K: Any = None) -> Figure:
    """Cross-correlation (top) beside convolution (bottom): convolution flips the kernel.

    Both rows show the first window, so the weights written in it differ: cross-correlation
    multiplies the top-left input by ``K[0, 0]``, convolution by the bottom-right ``K[-1, -1]``.
    Defaults: the chapter's ``X`` and ``K``.  Returns a ``Figure``.
    """
    X, K = _chapter_or(X, K)
    flipped = torch.flip(K, dims=(0, 1))
    figure = Figure(figsize=(8.0, 6.0), dpi=100)
    top = CorrelationRow(figure, band=(0.5, 1.0), progressive=False, equation=True,
                         titles=(i18n.text("figure.correlation.input"), i18n.text("figure.correlation.kernel"),
                                 "corr2d(X, K)"),
                         label=i18n.text("figure.correlation.cross_correlation"))
    top.show(X, K, corr2d(X, K))
    bottom = CorrelationRow(figure, band=(0.0, 0.5), progressive=False, equation=True,
                            titles=(i18n.text("figure.correlation.input"), i18n.text("figure.correlation.flipped"),
                                    "convolve2d(X, K)"), label=i18n.text("figure.correlation.convolution"))
    bottom.show(X, flipped, convolve2d(X, K))
    for row in (top, bottom):
        row.set_position(0)
        row.freeze()
    name = i18n.text("figure.correlation.conv_name")  # the convolution's output, written like Y[i, j]
    bottom.equation.set_text(bottom.equation.get_text().replace("Y[", f"{name}[", 1))
    figure.add_artist(Rectangle((0.01, 0.5), 0.98, 0.0015, transform=figure.transFigure, color="0.75"))
    return figure
