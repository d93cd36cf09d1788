"""The cross-correlation (互相关) explorer: watch the kernel window slide and the output fill in.

The picture is the chapter's figure made to move: input ``X``, kernel ``K`` and output ``Y`` side
by side.  The window of ``X`` under the kernel, the kernel itself and the output cell it produces
are outlined in the same colour; each cell of the window carries the kernel weight it is multiplied
by (``×3``), and the readout writes the sum out with its numbers::

    Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19

Output cells that are not computed yet are grey, so the output fills in left→right, top→bottom.

* :func:`correlation_explorer` — the widget (position slider, Play button, speed, sizes).
* :func:`correlation_figure` — the same picture as a static ``Figure``.
* :func:`correlation_vs_convolution_figure` — cross-correlation beside convolution (卷积), which is
  the same sliding sum with the kernel flipped in both axes.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..correlation import convolve2d, corr2d, output_shape
from ..figures import MatrixPlot, to_numpy
from ..validation import as_matrix, as_nonnegative_int, check_fits
from .figure_widget import FigureView, MessageBox, guarded

__all__ = [
    "correlation_explorer",
    "correlation_figure",
    "correlation_vs_convolution_figure",
    "CorrelationExplorer",
    "chapter_example",
    "written_sum",
]

HIGHLIGHT = "#e8710a"  # window, kernel and output cell: one colour, so the eye links them
HIGHLIGHT_FILL = (1.0, 0.55, 0.1, 0.35)
WEIGHT_COLOUR = "#a14000"
# Pale cells keep the numbers readable; a light blue tint still shows which values are larger.
CELL_CMAP = LinearSegmentedColormap.from_list("pale_blues", ["#ffffff", "#c6dbef"])


def chapter_example(n_h: int = 3, n_w: int = 3, k_h: int = 2, k_w: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """The chapter's X = [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and K = [[0, 1], [2, 3]], in any size.

    Both are 0, 1, 2, … filled row by row, so other sizes keep the same easy-to-follow numbers.
    """
    X = torch.arange(float(n_h * n_w)).reshape(n_h, n_w)
    K = torch.arange(float(k_h * k_w)).reshape(k_h, k_w)
    return X, K


def _num(value: float) -> str:
    text = f"{0.0 if abs(value) < 5e-13 else value:g}"
    return f"({text})" if text.startswith("-") else text


def written_sum(X: Any, K: Any, i: int, j: int) -> str:
    """The output element Y[i, j] written out as its sum of products, e.g.
    ``"Y[0, 0] = 0×0 + 1×1 + 3×2 + 4×3 = 19"`` (window value × kernel weight, row by row)."""
    X, K = as_matrix(X, "X"), as_matrix(K, "K")
    check_fits(X, K)
    out_h, out_w = output_shape(tuple(X.shape), tuple(K.shape))
    i, j = as_nonnegative_int(i, "i"), as_nonnegative_int(j, "j")
    if i >= out_h or j >= out_w:
        raise ValueError(f"(i, j): expected an output position inside {out_h}×{out_w}, got ({i}, {j}).")
    window = X[i:i + K.shape[0], j:j + K.shape[1]].detach().to(torch.float64)
    kernel = K.detach().to(torch.float64)
    terms = [f"{_num(x)}×{_num(k)}" for x, k in zip(window.flatten().tolist(), kernel.flatten().tolist(), strict=True)]
    total = float((window * kernel).sum())
    return f"Y[{i}, {j}] = {' + '.join(terms)} = {_num(total)}"


def _grid_and_indices(ax: Any, rows: int, cols: int, fontsize: float) -> None:
    """Cell borders as one line collection and row/column indices as plain texts.

    (Much cheaper to create than tick marks, which matters when a size slider rebuilds the panels.)
    """
    from matplotlib.collections import LineCollection

    ax.set_xticks([])
    ax.set_yticks([])
    lines = [[(c - 0.5, -0.5), (c - 0.5, rows - 0.5)] for c in range(cols + 1)]
    lines += [[(-0.5, r - 0.5), (cols - 0.5, r - 0.5)] for r in range(rows + 1)]
    ax.add_collection(LineCollection(lines, colors="0.45", linewidths=1.0, zorder=3.6))
    for c in range(cols):
        ax.text(c, -0.55, str(c), ha="center", va="bottom", fontsize=fontsize, color="0.45")
    for r in range(rows):
        ax.text(-0.58, r, str(r), ha="right", va="center", fontsize=fontsize, color="0.45")


class _Row:
    """One 'X ⋆ K = Y' picture drawn in a horizontal band of a figure, with a movable window.

    All three matrices use the same cell size, so a kernel cell looks exactly like an input cell.
    """

    def __init__(self, figure: Figure, X: torch.Tensor, K: torch.Tensor, Y: torch.Tensor, *,
                 band: tuple[float, float] = (0.0, 1.0), titles: tuple[str, str, str] = ("input X", "kernel K",
                                                                                         "output Y"),
                 operator: str = "⋆", progressive: bool = True, equation: bool = False,
                 label: str | None = None, reuse: _Row | None = None) -> None:
        self.X, self.K, self.Y = X, K, Y
        old_axes = reuse.release() if reuse is not None else None
        self.progressive = progressive
        x_values, k_values, y_values = to_numpy(X), to_numpy(K), to_numpy(Y)
        (n_h, n_w), (k_h, k_w), (o_h, o_w) = x_values.shape, k_values.shape, y_values.shape
        fig_w, fig_h = figure.get_size_inches()
        bottom, top = band
        left_margin = 0.14 if label else 0.02
        reserve_bottom = 0.12 if equation else 0.02  # room for the written-out sum
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
        self.axes = []
        self.plots = []
        self.figure_texts = []
        values = (x_values, k_values, y_values)
        for index, (array, title) in enumerate(zip(values, titles, strict=True)):
            rows, cols = array.shape
            box = (x0 / fig_w, (mid - rows * cell / 2) / fig_h, cols * cell / fig_w, rows * cell / fig_h)
            if old_axes:  # reusing axes is much cheaper than making new ones
                ax = old_axes[index]
                ax.set_position(box)
            else:
                ax = figure.add_axes(box)
            high = max(float(np.abs(array).max()), 1.0)
            plot = MatrixPlot(ax, array, cmap=CELL_CMAP, vmin=min(float(array.min()), 0.0), vmax=high, annotate=True,
                              grid=False, fontsize=font)
            ax.set_xlim(-0.5, cols - 0.5)
            ax.set_ylim(rows - 0.5, -0.5)
            _grid_and_indices(ax, rows, cols, max(5.5, min(9.0, font * 0.6)))
            ax.set_title(title, fontsize=max(8.0, min(11.0, font)), pad=max(10.0, font * 1.2))
            self.axes.append(ax)
            self.plots.append(plot)
            right = x0 + cols * cell
            if index < 2:
                symbol = operator if index == 0 else "="
                self.figure_texts.append(
                    figure.text((right + gap * cell / 2) / fig_w, mid / fig_h, symbol, ha="center", va="center",
                                fontsize=font * (2.6 if symbol == "⋆" else 1.6)))
            x0 = right + gap * cell
        if label:
            self.figure_texts.append(
                figure.text(0.01, mid / fig_h, label, ha="left", va="center", fontsize=10, fontweight="bold"))
        x_plot, k_plot, y_plot = self.plots
        self.window = x_plot.box(0, 0, k_h, k_w, edgecolor=HIGHLIGHT, facecolor=HIGHLIGHT_FILL, fill=True,
                                 linewidth=3, zorder=3.7)
        k_plot.box(0, 0, k_h, k_w, edgecolor=HIGHLIGHT, facecolor=HIGHLIGHT_FILL, fill=True, linewidth=3, zorder=3.7)
        self.cell = y_plot.box(0, 0, 1, 1, edgecolor=HIGHLIGHT, facecolor=HIGHLIGHT_FILL, fill=True, linewidth=3,
                               zorder=3.7)
        self.kernel_values = k_values
        small = max(5.5, font * 0.62)
        self.weights = [
            [x_plot.ax.text(0, 0, f"×{_num(k_values[a, b])}", ha="right", va="bottom", fontsize=small,
                            color=WEIGHT_COLOUR, fontweight="bold", zorder=4) for b in range(k_w)]
            for a in range(k_h)
        ]
        self.y_values = y_values
        # Outputs not computed yet are covered by one grey image (cheaper to redraw than hiding texts).
        self.pending = y_plot.ax.imshow(np.zeros((o_h, o_w, 4)), interpolation="nearest", zorder=3.5,
                                        extent=y_plot.image.get_extent())
        self.pending_rgba = np.zeros((o_h, o_w, 4))
        self.pending_rgba[..., :3] = 0.86
        self.equation = None
        if equation:
            eq_y = bottom + (top - bottom) * reserve_bottom * 0.45
            self.equation = figure.text(0.5, eq_y, "", ha="center", va="center", fontsize=11, family="monospace")
            self.figure_texts.append(self.equation)
        self.out_w = o_w
        self.count = o_h * o_w

    def release(self) -> list[Any]:
        """Remove everything this row drew, keeping its (empty) axes for the next row to reuse."""
        for ax in self.axes:
            for artist in [*ax.images, *ax.texts, *ax.collections, *ax.patches]:
                artist.remove()
        for text in self.figure_texts:
            text.remove()
        return self.axes

    @property
    def artists(self) -> list[Any]:
        """What changes when the window moves: the window, its weight labels, the output, the sum."""
        moving = [self.window, self.pending, self.cell] + [t for row in self.weights for t in row]
        return moving + ([self.equation] if self.equation is not None else [])

    def set_position(self, position: int) -> tuple[int, int]:
        """Move the window to output position ``position`` (row by row); returns (i, j)."""
        i, j = divmod(position, self.out_w)
        k_h, k_w = self.kernel_values.shape
        self.window.set_xy((j - 0.5, i - 0.5))
        self.cell.set_xy((j - 0.5, i - 0.5))
        for a in range(k_h):
            for b in range(k_w):
                self.weights[a][b].set_position((j + b + 0.46, i + a + 0.46))
        if self.progressive:
            self.pending_rgba[..., 3] = (np.arange(self.count) > position).reshape(self.y_values.shape)
            self.pending.set_data(self.pending_rgba)
        if self.equation is not None:
            self.equation.set_text(written_sum(self.X, self.K, i, j))
        return i, j


def _check_position(position: Any, count: int) -> int:
    position = as_nonnegative_int(position, "position")
    if position >= count:
        raise ValueError(f"position: expected 0 … {count - 1} (one per output element, row by row), got {position}.")
    return position


def correlation_figure(position: int = 0, X: Any = None, K: Any = None) -> Figure:
    """A static picture of cross-correlation with the window at output ``position`` (row by row).

    Input, kernel and output side by side; the window, the kernel and the output cell outlined in
    one colour, the weights written in the window, outputs not computed yet in grey, and the sum
    written out below.  Defaults: the chapter's 3×3 ``X`` and 2×2 ``K``.  Returns a ``Figure``.
    """
    default_X, default_K = chapter_example()
    X = default_X if X is None else as_matrix(X, "X")
    K = default_K if K is None else as_matrix(K, "K")
    check_fits(X, K)
    Y = corr2d(X, K)
    position = _check_position(position, Y.numel())
    figure = Figure(figsize=(8.0, 3.3), dpi=100)
    row = _Row(figure, X, K, Y, equation=True)
    row.set_position(position)
    for artist in row.artists:
        artist.set_animated(False)
    return figure


def correlation_vs_convolution_figure(X: Any = None, K: Any = None) -> Figure:
    """Cross-correlation (top) beside convolution (bottom): convolution flips the kernel.

    Both rows show the first window, so the weights written in it differ: cross-correlation
    multiplies the top-left input by ``K[0, 0]``, convolution by the bottom-right ``K[-1, -1]``.
    Defaults: the chapter's ``X`` and ``K``.  Returns a ``Figure``.
    """
    default_X, default_K = chapter_example()
    X = default_X if X is None else as_matrix(X, "X")
    K = default_K if K is None else as_matrix(K, "K")
    check_fits(X, K)
    flipped = torch.flip(K, dims=(0, 1))
    figure = Figure(figsize=(8.0, 6.0), dpi=100)
    top = _Row(figure, X, K, corr2d(X, K), band=(0.5, 1.0), progressive=False, equation=True,
               titles=("input X", "kernel K", "corr2d(X, K)"), label="cross-\ncorrelation")
    bottom = _Row(figure, X, flipped, convolve2d(X, K), band=(0.0, 0.5), progressive=False, equation=True,
                  titles=("input X", "K flipped: flip(K)", "convolve2d(X, K)"), label="convolution")
    for row in (top, bottom):
        row.set_position(0)
        for artist in row.artists:
            artist.set_animated(False)
    bottom.equation.set_text(bottom.equation.get_text().replace("Y[", "conv[", 1))
    figure.add_artist(Rectangle((0.01, 0.5), 0.98, 0.0015, transform=figure.transFigure, color="0.75"))
    return figure


class CorrelationExplorer(widgets.VBox):
    """The widget returned by :func:`correlation_explorer`; its parts are attributes for tests.

    ``controls`` (position, play, speed, n_h, n_w, k_h, k_w), ``view`` (the FigureView),
    ``sum_readout`` and ``shape_readout`` (HTML), ``message`` (MessageBox), ``row`` (the picture).
    """

    SPEEDS = {"slow": 1400, "medium": 800, "fast": 350}

    def __init__(self) -> None:
        self.view = FigureView(figsize=(9.0, 3.4), dpi=72)
        self.message = MessageBox()
        self.sum_readout = widgets.HTML()
        self.shape_readout = widgets.HTML()
        size = {"continuous_update": True, "style": {"description_width": "initial"},
                "layout": widgets.Layout(width="220px")}
        position = widgets.IntSlider(value=0, min=0, max=3, description="position", continuous_update=True,
                                     layout=widgets.Layout(width="340px"))
        play = widgets.Play(value=0, min=0, max=3, interval=self.SPEEDS["medium"], description="play",
                            show_repeat=True)
        speed = widgets.ToggleButtons(options=list(self.SPEEDS), value="medium", description="speed",
                                      style={"button_width": "64px"})
        widgets.link((play, "value"), (position, "value"))
        widgets.dlink((speed, "value"), (play, "interval"), transform=self.SPEEDS.__getitem__)
        self.controls = {
            "position": position,
            "play": play,
            "speed": speed,
            "n_h": widgets.IntSlider(value=3, min=1, max=8, description="input height n_h", **size),
            "n_w": widgets.IntSlider(value=3, min=1, max=8, description="input width n_w", **size),
            "k_h": widgets.IntSlider(value=2, min=1, max=5, description="kernel height k_h", **size),
            "k_w": widgets.IntSlider(value=2, min=1, max=5, description="kernel width k_w", **size),
        }
        self.row: _Row | None = None
        self._resizing = False
        position.observe(guarded(self.message, self._on_position), names="value")
        for name in ("n_h", "n_w", "k_h", "k_w"):
            self.controls[name].observe(guarded(self.message, self._on_size), names="value")
        self.sum_readout.layout.min_height = "1.6em"
        c = self.controls
        super().__init__([
            widgets.HBox([play, position, speed]),
            self.view.image,
            self.sum_readout,
            widgets.HBox([widgets.VBox([c["n_h"], c["n_w"]]), widgets.VBox([c["k_h"], c["k_w"]]),
                          self.shape_readout]),
            self.message,
        ])
        self._on_size()

    # -- observers: a few lines each; the work is in _rebuild and _show --------------------------
    def _on_position(self, change: Any = None) -> None:
        if self.row is not None and not self._resizing:
            self._show(self.controls["position"].value)

    def _on_size(self, change: Any = None) -> None:
        n_h, n_w, k_h, k_w = (self.controls[name].value for name in ("n_h", "n_w", "k_h", "k_w"))
        self.shape_readout.value = self._shape_text(n_h, n_w, k_h, k_w)
        fits = k_h <= n_h and k_w <= n_w
        for name in ("position", "play"):
            self.controls[name].disabled = not fits
        X, K = chapter_example(n_h, n_w, k_h, k_w)
        check_fits(X, K)  # raises → guarded shows the message; the last good picture stays
        self._rebuild(X, K)

    # -- work -------------------------------------------------------------------------------------
    @staticmethod
    def _shape_text(n_h: int, n_w: int, k_h: int, k_w: int) -> str:
        o_h, o_w = n_h - k_h + 1, n_w - k_w + 1
        result = f"{o_h} × {o_w}" if o_h > 0 and o_w > 0 else "no output: the kernel does not fit"
        return (f'<span style="font-family:monospace">output shape (n_h − k_h + 1) × (n_w − k_w + 1) = '
                f"({n_h} − {k_h} + 1) × ({n_w} − {k_w} + 1) = <b>{result}</b></span>")

    def _rebuild(self, X: torch.Tensor, K: torch.Tensor) -> None:
        """New sizes: draw new panels (a full redraw), then show the window at position 0."""
        if self.row is not None:
            self.view.forget(self.row.artists)
        self.row = _Row(self.view.figure, X, K, corr2d(X, K), reuse=self.row)
        self.view.animate(*self.row.artists)
        self.view.invalidate()
        self.message.clear()
        count = self.row.count
        position, play = self.controls["position"], self.controls["play"]
        self._resizing = True  # the clamped position is shown once, below, not by the observer
        try:
            position.max = count - 1  # clamps position.value (and, through the link, play.value)
            play.max = count - 1
        finally:
            self._resizing = False
        self._show(position.value)

    def _show(self, position: int) -> None:
        """Move the window (a blit: only the moving artists are redrawn) and write out the sum."""
        i, j = self.row.set_position(position)
        self.sum_readout.value = (f'<span style="font-family:monospace;font-size:1.15em">'
                                  f"{written_sum(self.row.X, self.row.K, i, j)}</span>")
        self.view.render()


def correlation_explorer() -> CorrelationExplorer:
    """Step the kernel window across the input and watch each output element being computed.

    Press Play (or drag *position*) to move the window left→right, top→bottom; the window of the
    input, the kernel and the output cell light up together and the readout writes the sum out.
    The size sliders change the input and kernel shapes and show the output shape
    (n_h − k_h + 1) × (n_w − k_w + 1).  Returns one ipywidgets container.
    """
    return CorrelationExplorer()
