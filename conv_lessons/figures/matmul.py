"""Lesson 05's pictures: the matrix W hiding inside corr2d.

Flatten the input X row by row; then ``corr2d(X, K).flatten() == W @ X.flatten()`` for one matrix
``W`` with a row per output pixel and a column per input pixel (see :mod:`conv_lessons.matrix`).
The pictures colour each kernel weight (a, b, c, …) with its own colour, in the kernel and in W:

* W is mostly white (zeros): each row holds only the k_h·k_w weights of one window;
* the same colours come back in every row, shifted one column to the right for each step of the
  window, with a jump at the end of each image row: the weights are shared;
* one row of W (outlined) is one window of X (outlined) and one pixel of Y.

* :func:`matmul_figure` — kernel, output, input and W, weights coloured, one row outlined.
* :func:`conv_matrix_figure` — a small W with its numbers written in and the shared diagonals marked.
* :func:`im2col_figure` — the im2col view: windows as columns, one product with the kernel row.
* :class:`MatmulPicture` — the first picture itself; :mod:`conv_lessons.explorers.matmul` animates it.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.patches import Rectangle
from PIL import Image, ImageDraw, ImageFont

from ..correlation import corr2d, output_shape
from ..i18n import text
from ..matrix import conv_matrix, conv_matrix_counts, im2col, window_indices
from ..style import HIGHLIGHT, number
from ..validation import as_matrix, as_nonnegative_int, as_size_pair, check_fits, explain
from .common import to_numpy

__all__ = [
    "matmul_figure",
    "conv_matrix_figure",
    "im2col_figure",
    "MatmulPicture",
    "PixelImage",
    "weight_index_map",
    "counts_text",
    "row_text",
    "check_sizes",
    "MAX_INPUT",
    "MAX_KERNEL",
    "PALETTE",
]

MAX_INPUT = 8  # input sliders go up to 8×8: W is then at most 64×64
MAX_KERNEL = 4  # kernel sliders go up to 4×4: 16 weights, 16 colours
ZERO = np.array([1.0, 1.0, 1.0])
# One colour per kernel weight: ten strong colours, then six lighter ones (a 4×4 kernel needs 16).
PALETTE = np.array([to_rgb(c) for c in (
    "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#ff7f0e",
    "#aec7e8", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2",
)])
LETTERS = "abcdefghijklmnop"

def _pale(colour: np.ndarray, amount: float = 0.5) -> np.ndarray:
    """The colour mixed with white (so black numbers stay readable on it)."""
    return 1 - amount * (1 - colour)


def weight_index_map(input_shape: Any, kernel_shape: Any) -> np.ndarray:
    """Which kernel weight sits in each entry of W: ``p·k_w + q`` for ``K[p, q]``, −1 for a zero.

    Same shape as :func:`~conv_lessons.matrix.conv_matrix`'s W; this is what the explorer colours.
    """
    (n_h, n_w), (k_h, k_w) = as_size_pair(input_shape, "input_shape"), as_size_pair(kernel_shape, "kernel_shape")
    return _index_map(n_h, n_w, k_h, k_w).copy()


@functools.lru_cache(maxsize=64)
def _index_map(n_h: int, n_w: int, k_h: int, k_w: int) -> np.ndarray:
    counts = conv_matrix_counts((n_h, n_w), (k_h, k_w))
    columns = window_indices((n_h, n_w), (k_h, k_w)).numpy()
    index = np.full((counts.rows, counts.columns), -1, dtype=np.int64)
    index[np.arange(counts.rows)[:, None], columns] = np.arange(counts.distinct_weights)[None, :]
    index.setflags(write=False)  # shared by every caller of the cache
    return index


def counts_text(input_shape: Any, kernel_shape: Any) -> str:
    """The explorer's readout: W's shape, its share of zeros and how often each weight is used."""
    (n_h, n_w), (k_h, k_w) = as_size_pair(input_shape, "input_shape"), as_size_pair(kernel_shape, "kernel_shape")
    c = conv_matrix_counts((n_h, n_w), (k_h, k_w))
    out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))
    return text("figure.matmul.counts", rows=c.rows, columns=c.columns, entries=f"{c.entries:,}", out_h=out_h,
                out_w=out_w, n_h=n_h, n_w=n_w, nonzero=f"{c.nonzero:,}", share=f"{1 - c.zero_fraction:.1%}",
                zeros=f"{c.zero_fraction:.1%}", distinct=c.distinct_weights, first=LETTERS[0],
                last=LETTERS[c.distinct_weights - 1], uses=c.uses_per_weight, used=f"{c.nonzero:,}")


@functools.lru_cache(maxsize=8)
def _font(size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")), size_px)


@functools.lru_cache(maxsize=4096)
def _glyph(text: str, size_px: int) -> tuple[Image.Image, tuple[int, int]]:
    """``text`` rendered once as an anti-aliased mask, and the offset of its top-left from its centre."""
    font = _font(size_px)
    left, top, right, bottom = font.getbbox(text, anchor="mm")
    mask = Image.new("L", (max(right - left, 1), max(bottom - top, 1)), 0)
    ImageDraw.Draw(mask).text((-left, -top), text, fill=255, font=font, anchor="mm")
    return mask, (left, top)


def _rgb255(colour: Any) -> tuple[int, int, int]:
    return tuple(int(round(255 * float(v))) for v in np.asarray(colour)[:3])  # type: ignore[return-value]


def row_text(input_shape: Any, kernel_shape: Any, row: int) -> str:
    """Which output pixel row ``row`` of W is, and which input pixels (columns) its weights sit on."""
    n_h, n_w, k_h, k_w = check_sizes(input_shape, kernel_shape)
    out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))
    row = _check_row(row, out_h * out_w)
    columns = window_indices((n_h, n_w), (k_h, k_w))[row].tolist()
    pairs = ", ".join(f"{LETTERS[p]}→{c}" for p, c in enumerate(columns))
    return text("figure.matmul.row", row=row, pixel=divmod(row, out_w), pairs=pairs, others=n_h * n_w - len(columns))


class PixelImage(Artist):
    """An RGBA bitmap drawn 1:1 at the top-left pixel of its axes, with no resampling.

    ``imshow`` resamples even a bitmap that already has the axes' size (a few milliseconds per
    panel); an explorer redrawing four panels per step uses this instead.  Static figures keep
    ``imshow`` (any backend, any resolution).
    """

    def __init__(self, ax: Any, rgba: np.ndarray) -> None:
        super().__init__()
        ax.add_artist(self)
        self.set_data(rgba)

    def set_data(self, rgba: np.ndarray) -> None:
        """Show ``rgba`` (rows top to bottom, uint8)."""
        self.rgba = np.asarray(rgba, dtype=np.uint8)
        self._bottom_up = np.ascontiguousarray(self.rgba[::-1])  # the renderer's row order (and writeable)
        self.stale = True

    def get_array(self) -> np.ndarray:
        return self.rgba

    def draw(self, renderer: Any) -> None:
        if not self.get_visible():
            return
        box = self.axes.bbox
        gc = renderer.new_gc()
        renderer.draw_image(gc, round(box.x0), round(box.y1) - self.rgba.shape[0], self._bottom_up)
        gc.restore()
        self.stale = False


class _Raster:
    """One panel drawn as a bitmap at the exact pixel size of its axes.

    matplotlib draws a text label in about a millisecond; a panel of 64 numbered cells would cost
    far more than the explorer's budget.  Here the cells, lines and labels are painted with PIL
    (each label's glyphs rendered once and cached) and the axes shows the result 1:1, so a change
    of sizes costs one ``set_data`` (``pixel_exact``: drawn by :class:`PixelImage`, else ``imshow``).
    """

    def __init__(self, ax: Any, pixel_exact: bool = False) -> None:
        self.ax = ax
        figure = ax.figure
        box = ax.get_position()
        self.scale = figure.dpi / 72  # pixels per point
        self.width = max(int(box.width * figure.get_figwidth() * figure.dpi), 1)
        self.height = max(int(box.height * figure.get_figheight() * figure.dpi), 1)
        ax.set_axis_off()
        ax.set_xlim(0, self.width)
        ax.set_ylim(self.height, 0)
        ax.set_autoscale_on(False)
        blank = np.full((self.height, self.width, 4), 255, dtype=np.uint8)
        if pixel_exact:
            self.image: Any = PixelImage(ax, blank)
        else:  # uint8 RGBA shown 1:1 is the cheapest image for matplotlib to draw (no conversion, no alpha stacking)
            self.image = ax.imshow(blank, extent=(0, self.width, self.height, 0), interpolation="nearest",
                                   aspect="auto")

    def cells(self, fills: np.ndarray, labels: list[str] | None = None, *, fontsize: float = 8,
              outline: tuple[int, int, int, int] | None = None, grid: bool = True) -> float:
        """Paint a rows×cols grid of coloured cells (``fills``: rows×cols×3 in [0, 1]) from the
        top-left corner, square cells as large as fit, optional centred labels (row by row) and an
        orange outline around ``(row, col, height, width)`` cells.  Returns the cell size in pixels."""
        rows, cols = fills.shape[:2]
        cell = min(self.width / cols, self.height / rows, 36 * self.scale)
        canvas = Image.new("RGBA", (self.width, self.height), (255, 255, 255, 255))
        draw = ImageDraw.Draw(canvas)
        line = (150, 150, 150) if grid else None
        colours = np.round(np.asarray(fills, dtype=float)[..., :3] * 255).astype(np.uint8).tolist()
        for r in range(rows):
            for c in range(cols):
                draw.rectangle([c * cell, r * cell, (c + 1) * cell - 1, (r + 1) * cell - 1],
                               fill=tuple(colours[r][c]), outline=line)
        if labels:
            size = max(int(round(fontsize * self.scale)), 6)
            for index, text in enumerate(labels[: rows * cols]):
                if text:
                    r, c = divmod(index, cols)
                    mask, (left, top) = _glyph(text, size)
                    canvas.paste((0, 0, 0), (int((c + 0.5) * cell) + left, int((r + 0.5) * cell) + top), mask)
        if outline is not None:
            r, c, h, w = outline
            width = max(int(round(2.2 * self.scale)), 2)
            draw.rectangle([c * cell, r * cell, (c + w) * cell - 1, (r + h) * cell - 1],
                           outline=_rgb255(to_rgb(HIGHLIGHT)), width=width)
        self.image.set_data(np.asarray(canvas))
        return cell

    def matrix(self, index: np.ndarray, colours: np.ndarray, *, row_blocks: int, col_blocks: int,
               outline_row: int) -> None:
        """Paint a big matrix whose entry (r, c) has colour ``colours[index[r, c]]`` (``colours``:
        n×3 in [0, 1]; index −1 is the last colour) with whole-pixel square cells, darker lines every
        ``row_blocks`` rows and ``col_blocks`` columns, light cell lines if the cells are large, and
        row ``outline_row`` outlined.  The matrix without its outline is kept for the next call:
        moving the outlined row repaints only the outline."""
        key = (index.shape, index.tobytes(), np.asarray(colours).tobytes(), row_blocks, col_blocks)
        if getattr(self, "_matrix_key", None) != key:
            self._matrix_key = key
            self._matrix_base = self._paint_matrix(index, colours, row_blocks, col_blocks)
        rows, cols = index.shape
        cell = self._matrix_cell
        rgba = self._matrix_base.copy()
        top, bottom = outline_row * cell, (outline_row + 1) * cell
        width = max(int(round(1.5 * self.scale)), 2)
        orange = _rgb255(to_rgb(HIGHLIGHT))
        for y0, y1 in ((max(top - width, 0), top), (bottom, min(bottom + width, self.height))):
            rgba[y0:y1, : cols * cell, :3] = orange
        rgba[max(top - width, 0): bottom + width, :width, :3] = orange
        rgba[max(top - width, 0): bottom + width, max(cols * cell - width, 0): cols * cell, :3] = orange
        self.image.set_data(rgba)

    def _paint_matrix(self, index: np.ndarray, colours: np.ndarray, row_blocks: int, col_blocks: int) -> np.ndarray:
        rows, cols = index.shape
        cell = self._matrix_cell = max(int(min(self.width / cols, self.height / rows)), 1)
        palette = np.round(np.asarray(colours, dtype=float)[:, :3] * 255).astype(np.uint8)
        rgba = np.full((self.height, self.width, 4), 255, dtype=np.uint8)
        rgba[: rows * cell, : cols * cell, :3] = palette[np.repeat(np.repeat(index, cell, axis=0), cell, axis=1)]
        if cell >= 9:  # light cell lines only when cells are large enough for them not to crowd the colours
            rgba[np.arange(0, rows * cell, cell), : cols * cell, :3] = 204
            rgba[: rows * cell, np.arange(0, cols * cell, cell), :3] = 204
        dark = 89  # 0.35 of white
        rgba[np.minimum(np.arange(0, rows + 1, row_blocks) * cell, rows * cell - 1), : cols * cell, :3] = dark
        rgba[: rows * cell, np.minimum(np.arange(0, cols + 1, col_blocks) * cell, cols * cell - 1), :3] = dark
        return rgba


class MatmulPicture:
    """Kernel, output Y, input X and the matrix W, for any sizes up to 8×8 input and 4×4 kernel."""

    def __init__(self, figure: Figure, pixel_exact: bool = False) -> None:
        """``pixel_exact``: draw the panels 1:1 with :class:`PixelImage` (for an explorer's Agg canvas)."""
        grid = GridSpec(2, 3, figure=figure, width_ratios=[1.0, 1.6, 3.4], height_ratios=[1, 1.3],
                        left=0.01, right=0.99, top=0.9, bottom=0.02, wspace=0.1, hspace=0.22)
        self.kernel = _Raster(figure.add_subplot(grid[0, 0]), pixel_exact)
        self.output = _Raster(figure.add_subplot(grid[1, 0]), pixel_exact)
        self.input = _Raster(figure.add_subplot(grid[:, 1]), pixel_exact)
        self.matrix = _Raster(figure.add_subplot(grid[:, 2]), pixel_exact)
        self.kernel.ax.set_title(text("figure.matmul.kernel_title"), fontsize=10, y=1.0)
        self.output.ax.set_title(text("figure.matmul.output_title"), fontsize=10, y=1.0)
        self.input.ax.set_title(text("figure.matmul.input_title"), fontsize=10, y=1.0)
        self.matrix.ax.set_title(text("figure.matmul.matrix_title"), fontsize=10, y=1.0)
        self._shown: dict[str, tuple[int, ...]] = {}  # what each panel shows now

    @property
    def artists(self) -> list[Any]:
        return [panel.image for panel in (self.kernel, self.output, self.input, self.matrix)]

    def show(self, n_h: int, n_w: int, k_h: int, k_w: int, row: int) -> None:
        """Redraw for these sizes, with row ``row`` of W (output pixel ``divmod(row, out_w)``) outlined.

        A panel whose inputs did not change is not repainted (the kernel stays put while the row
        or the input size moves)."""
        out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))
        weights = k_h * k_w
        i, j = divmod(row, out_w)
        if self._shown.get("kernel") != (k_h, k_w):
            self._shown["kernel"] = (k_h, k_w)
            self.kernel.cells(_pale(PALETTE[:weights], 0.75).reshape(k_h, k_w, 3), list(LETTERS[:weights]),
                              fontsize=10)
        if self._shown.get("input") != (n_h, n_w, k_h, k_w, i, j):
            self._shown["input"] = (n_h, n_w, k_h, k_w, i, j)
            pixels = np.ones((n_h, n_w, 3))
            pixels[i:i + k_h, j:j + k_w] = _pale(PALETTE[:weights], 0.6).reshape(k_h, k_w, 3)
            self.input.cells(pixels, [str(p) for p in range(n_h * n_w)], fontsize=8, outline=(i, j, k_h, k_w))
        if self._shown.get("output") != (out_h, out_w, i, j):
            self._shown["output"] = (out_h, out_w, i, j)
            cells = np.ones((out_h, out_w, 3))
            cells[i, j] = _pale(np.array(to_rgb(HIGHLIGHT)), 0.35)
            self.output.cells(cells, [str(r) for r in range(out_h * out_w)], fontsize=8, outline=(i, j, 1, 1))
        if self._shown.get("matrix") != (n_h, n_w, k_h, k_w, row):
            self._shown["matrix"] = (n_h, n_w, k_h, k_w, row)
            colours = np.vstack([PALETTE[:weights], ZERO[None, :]])  # index −1 → the last row: white
            self.matrix.matrix(_index_map(n_h, n_w, k_h, k_w), colours, row_blocks=out_w, col_blocks=n_w,
                               outline_row=row)


def _check_row(row: Any, rows: int) -> int:
    row = as_nonnegative_int(row, "row")
    if row >= rows:
        raise ValueError(explain("row", "figure.matmul.row_range", last=rows - 1, rows=rows, row=row))
    return row


def check_sizes(input_shape: Any, kernel_shape: Any) -> tuple[int, int, int, int]:
    (n_h, n_w), (k_h, k_w) = as_size_pair(input_shape, "input_shape"), as_size_pair(kernel_shape, "kernel_shape")
    if max(n_h, n_w) > MAX_INPUT or max(k_h, k_w) > MAX_KERNEL:
        raise ValueError(explain("input_shape, kernel_shape", "figure.matmul.sizes", max_input=MAX_INPUT,
                                 max_kernel=MAX_KERNEL, input=(n_h, n_w), kernel=(k_h, k_w)))
    if k_h > n_h or k_w > n_w:
        raise ValueError(explain("kernel_shape", "figure.matmul.fits", size=f"{n_h}×{n_w}", kernel=(k_h, k_w)))
    return n_h, n_w, k_h, k_w


def matmul_figure(input_shape: Any = (5, 5), kernel_shape: Any = (3, 3), row: int = 0) -> Figure:
    """The explorer's picture as a static ``Figure``: kernel, output, input and W, weights coloured.

    Shows which entries of W each kernel weight fills (its colour), that everything else is zero,
    and that row ``row`` of W is one window of the input.  Sizes up to 8×8 (input) and 4×4 (kernel).
    """
    n_h, n_w, k_h, k_w = check_sizes(input_shape, kernel_shape)
    out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))
    row = _check_row(row, out_h * out_w)
    figure = Figure(figsize=(10.0, 4.0), dpi=100)
    MatmulPicture(figure).show(n_h, n_w, k_h, k_w, row)
    return figure


def conv_matrix_figure(input_shape: Any = (4, 4), K: Any = None) -> Figure:
    """W for a small case with its numbers written in: each weight in its colour, zeros left blank.

    Default: a 4×4 input and the chapter's K = [[0, 1], [2, 3]] (a 9×16 W).  Arrows mark one
    weight's shifted diagonal and the jump where the window wraps to the next image row.  Note the
    chapter's K[0, 0] = 0: its entries are written "0" in their colour, unlike W's structural zeros.
    """
    n_h, n_w = as_size_pair(input_shape, "input_shape")
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]]) if K is None else as_matrix(K, "K")
    check_fits(torch.empty(n_h, n_w), K, x_name="input")
    k_h, k_w = K.shape
    if k_h * k_w > len(PALETTE) or n_h * n_w > 36:
        raise ValueError(explain("input_shape, K", "figure.matmul.small", input=(n_h, n_w), kernel=(k_h, k_w)))
    W = to_numpy(conv_matrix((n_h, n_w), K))
    index = weight_index_map((n_h, n_w), (k_h, k_w))
    rows, cols = W.shape
    out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))
    colours = np.vstack([_pale(PALETTE[: k_h * k_w], 0.7), ZERO[None, :]])
    figure = Figure(figsize=(3.6 + 0.42 * cols, 1.2 + 0.42 * rows), dpi=100)
    grid = GridSpec(1, 3, figure=figure, width_ratios=[k_w, 1.2, cols + 5], left=0.02, right=0.99, top=0.88,
                    bottom=0.1, wspace=0.0)
    ax_k, ax = figure.add_subplot(grid[0]), figure.add_subplot(grid[2])
    ax_k.imshow(colours[np.arange(k_h * k_w).reshape(k_h, k_w)], interpolation="nearest")
    for p in range(k_h):
        for q in range(k_w):
            ax_k.text(q, p, f"{number(float(K[p, q]))}", ha="center", va="center", fontsize=11)
    ax_k.set_title(text("figure.matmul.kernel_title"), fontsize=11)
    ax.imshow(colours[index], interpolation="nearest", aspect="equal")
    for r in range(rows):
        for c in range(cols):
            if index[r, c] >= 0:
                ax.text(c, r, number(W[r, c]), ha="center", va="center", fontsize=9)
    for a, (h, w) in ((ax_k, (k_h, k_w)), (ax, (rows, cols))):
        a.set_xticks(np.arange(-0.5, w), minor=True)
        a.set_yticks(np.arange(-0.5, h), minor=True)
        a.grid(which="minor", color="0.75", linewidth=0.6)
        a.tick_params(which="both", length=0, labelsize=7)
    ax_k.set_xticks([])
    ax_k.set_yticks([])
    ax.set_xticks(np.arange(cols))
    ax.set_yticks(np.arange(rows))
    ax.set_xlabel(text("figure.matmul.column_label"), fontsize=9)
    ax.set_ylabel(text("figure.matmul.row_label"), fontsize=9)
    for r in range(out_w, rows, out_w):
        ax.axhline(r - 0.5, color="0.25", linewidth=1.2)
    for c in range(n_w, cols, n_w):
        ax.axvline(c - 0.5, color="0.25", linewidth=1.2)
    ax.set_title(text("figure.matmul.w_title", rows=rows, columns=cols, nonzero=int((index >= 0).sum()),
                      entries=W.size, weights=k_h * k_w), fontsize=10)
    ax.set_xlim(-0.5, cols + 4.5)  # room on the right for the notes
    ax.spines[["top", "right"]].set_visible(False)
    last = k_h * k_w - 1  # follow the last weight down its diagonal
    where = window_indices((n_h, n_w), (k_h, k_w))[:, last].tolist()
    note = {"fontsize": 8.5, "color": "0.1", "ha": "left", "va": "center",
            "arrowprops": {"arrowstyle": "->", "color": "0.2", "shrinkB": 7}}
    if out_w > 1:
        ax.annotate(text("figure.matmul.again", p=k_h - 1, q=k_w - 1, value=number(float(K[-1, -1]))),
                    xy=(where[1], 1), xytext=(cols - 0.2, 0.6), **note)
    if out_h > 1:
        ax.annotate(text("figure.matmul.next_row", k_w=k_w), xy=(where[out_w], out_w),
                    xytext=(cols - 0.2, out_w + 0.8), **note)
    return figure


def im2col_figure(X: Any = None, K: Any = None) -> Figure:
    """The im2col view: X's windows become the columns of a matrix; one row-times-matrix product.

    Default: the chapter's X (3×3, 0…8) and K = [[0, 1], [2, 3]].  Panels: X with its first window
    coloured, ``K.flatten()`` written as a column beside ``im2col(X, K.shape)`` (row p of the matrix
    meets weight p: same colour), the product ``K.flatten() @ im2col(X, K.shape)`` under the matrix
    (one number per column = per window), and that row reshaped to the output Y.
    """
    X = torch.arange(9.0).reshape(3, 3) if X is None else as_matrix(X, "X")
    K = torch.tensor([[0.0, 1.0], [2.0, 3.0]]) if K is None else as_matrix(K, "K")
    check_fits(X, K)
    if X.numel() > 36 or K.numel() > len(PALETTE):
        raise ValueError(explain("X, K", "figure.matmul.small_im2col", input=tuple(X.shape), kernel=tuple(K.shape)))
    k_h, k_w = K.shape
    columns = to_numpy(im2col(X, K.shape))
    product = to_numpy(K.reshape(1, -1) @ im2col(X, K.shape))
    Y = to_numpy(corr2d(X, K))
    x = to_numpy(X)
    weights, windows = columns.shape
    pale = _pale(PALETTE[:weights], 0.55)
    figure = Figure(figsize=(2.2 + 0.55 * (x.shape[1] + windows + Y.shape[1] + 1), 1.6 + 0.5 * (weights + 1)),
                    dpi=100)
    grid = GridSpec(2, 4, figure=figure, width_ratios=[x.shape[1], 1, windows, Y.shape[1]],
                    height_ratios=[weights, 1], left=0.02, right=0.98, top=0.8, bottom=0.12, wspace=0.3, hspace=0.35)

    def cells(ax: Any, values: np.ndarray, rgb: np.ndarray, title: str = "") -> None:
        ax.imshow(rgb, interpolation="nearest", aspect="equal")
        for r in range(values.shape[0]):
            for c in range(values.shape[1]):
                ax.text(c, r, number(values[r, c]), ha="center", va="center", fontsize=10)
        ax.set_xticks(np.arange(-0.5, values.shape[1]), minor=True)
        ax.set_yticks(np.arange(-0.5, values.shape[0]), minor=True)
        ax.grid(which="minor", color="0.6", linewidth=0.8)
        ax.tick_params(which="both", length=0)
        ax.set_xticks([])
        ax.set_yticks([])
        if title:
            ax.set_title(title, fontsize=10)

    rgb = np.ones(x.shape + (3,))
    rgb[:k_h, :k_w] = pale.reshape(k_h, k_w, 3)
    ax_x = figure.add_subplot(grid[0, 0])
    cells(ax_x, x, rgb, text("figure.matmul.x_window"))
    ax_x.add_patch(Rectangle((-0.5, -0.5), k_w, k_h, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5))
    ax_k = figure.add_subplot(grid[0, 1])
    cells(ax_k, to_numpy(K.reshape(-1, 1)), pale[:, None, :], text("figure.matmul.k_flat"))
    ax_c = figure.add_subplot(grid[0, 2])
    cells(ax_c, columns, np.broadcast_to(pale[:, None, :], columns.shape + (3,)).copy(),
          text("figure.matmul.im2col_title"))
    ax_c.add_patch(Rectangle((-0.5, -0.5), 1, weights, fill=False, edgecolor=HIGHLIGHT, linewidth=2.5))
    ax_p = figure.add_subplot(grid[1, 2])
    cells(ax_p, product, np.ones(product.shape + (3,)))
    ax_p.set_xlabel(text("figure.matmul.product"), fontsize=10)
    ax_y = figure.add_subplot(grid[0, 3])
    cells(ax_y, Y, np.ones(Y.shape + (3,)), text("figure.matmul.reshaped"))
    figure.suptitle(text("figure.matmul.im2col_suptitle"), fontsize=11)
    return figure
