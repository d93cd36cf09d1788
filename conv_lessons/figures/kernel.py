"""Lesson 02's pictures: apply a kernel (卷积核) to an image and see what it detects.

Input ``X``, kernel ``K`` and output ``Y`` side by side, with colour bars.  The output can be shown
three ways, because an edge detector's answer is *signed*:

* ``signed`` — a blue–white–red map centred at zero: +1 (white→black edge) red, −1 blue;
* ``absolute`` — |Y|, edge strength whatever its direction;
* ``clipped`` — Y clipped to [0, 1], what you would see if you saved Y as an image: the negative
  responses disappear.

A preview of the next chapter: padding (填充) and stride (步幅).  The input panel shows the padded
image (the original inside the dashed frame); the output is drawn at the same pixel scale, so a
stride of 2 visibly halves it and padding (k − 1)/2 keeps it the input's size.

* :func:`kernel_figure` — ``image ⋆ kernel = output`` for one image and kernel.
* :func:`kernel_comparison_figure` — several input ⋆ kernel = output rows, numbers written in.
* :class:`KernelPanels` — the picture itself; :mod:`conv_lessons.explorers.kernel` animates it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
import torch
from matplotlib.collections import LineCollection
from matplotlib.colors import CenteredNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import i18n
from ..images import diagonal_image, edge_image, sample_photo
from ..kernels import get_kernel
from ..padding import conv_output_shape, corr2d_padded, pad2d
from ..style import HIGHLIGHT, IMAGE_CMAP, MAGNITUDE_CMAP, SIGNED_CMAP, short_number
from ..validation import as_choice, as_matrix, as_nonnegative_int, as_positive_int, describe, message
from .common import text_colour, to_numpy

__all__ = [
    "kernel_figure",
    "kernel_comparison_figure",
    "KernelPanels",
    "KernelSetup",
    "IMAGES",
    "DISPLAYS",
    "PADDING_CHOICES",
    "PHOTO_SIZE",
    "MAX_KERNEL",
    "load_image",
    "display_values",
]

PHOTO_SIZE = 192  # shorter side of the photo in the explorer: detailed enough, fast enough


class _Labels(Mapping[str, str]):
    """Keys (the values the code uses) → what a learner reads, in the current language (catalogue
    entries ``<prefix>_<key>``)."""

    def __init__(self, prefix: str, keys: Sequence[str]) -> None:
        self._prefix, self._keys = prefix, tuple(keys)

    def __getitem__(self, key: str) -> str:
        if key not in self._keys:
            raise KeyError(key)
        return i18n.text(f"{self._prefix}_{key}")

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return repr(dict(self))


#: The explorer's images: key → what the menu shows (in the current language).
IMAGES: Mapping[str, str] = _Labels("figure.kernel.image", ("photo", "edge", "diagonal"))
#: The output's displays: key → what it shows (in the current language).
DISPLAYS: Mapping[str, str] = _Labels("figure.kernel.display", ("signed", "absolute", "clipped"))
PADDING_CHOICES = ("valid", "zeros", "replicate", "reflect", "circular")
MAX_KERNEL = 7  # the kernel panel holds up to 7×7 numbers
SMALL = 32  # images up to this many pixels a side get cell borders (and numbers in static figures)


# -- the inputs and the displays ------------------------------------------------------------------
def load_image(name: str = "photo", transpose: bool = False) -> torch.Tensor:
    """The explorer's input images: ``"photo"`` (downsampled to :data:`PHOTO_SIZE`), the chapter's
    6×8 ``"edge"`` image or the 8×8 ``"diagonal"`` one; ``transpose=True`` gives ``X.T``."""
    as_choice(name, "image", list(IMAGES))
    X = {"photo": lambda: sample_photo(size=PHOTO_SIZE), "edge": edge_image, "diagonal": diagonal_image}[name]()
    return X.t().contiguous() if transpose else X


def display_values(Y: Any, display: str = "signed") -> tuple[np.ndarray, str, Normalize]:
    """What the output panel draws for each display choice: (values, colour map, norm).

    ``signed`` keeps the sign (a colour map centred at zero, so −1 is as visible as +1);
    ``absolute`` shows |Y| from 0 to its maximum; ``clipped`` clips to [0, 1] on a grey scale.
    """
    as_choice(display, "display", list(DISPLAYS))
    values = to_numpy(Y)
    finite = values[np.isfinite(values)]
    peak = float(np.abs(finite).max()) if finite.size else 0.0
    peak = peak if peak > 1e-12 else 1.0
    if display == "signed":
        return values, SIGNED_CMAP, CenteredNorm(vcenter=0.0, halfrange=peak)
    if display == "absolute":
        return np.abs(values), MAGNITUDE_CMAP, Normalize(vmin=0.0, vmax=peak)
    return np.clip(values, 0.0, 1.0), IMAGE_CMAP, Normalize(vmin=0.0, vmax=1.0)


# -- drawing --------------------------------------------------------------------------------------
@functools.cache
def _colormap(name: str) -> Any:
    """One Colormap object per name, so switching back and forth does not rebuild lookup tables."""
    return matplotlib.colormaps[name]


def _grid_segments(rows: int, cols: int, top: float, left: float) -> list[list[tuple[float, float]]]:
    lines = [[(left + c - 0.5, top - 0.5), (left + c - 0.5, top + rows - 0.5)] for c in range(cols + 1)]
    lines += [[(left - 0.5, top + r - 0.5), (left + cols - 0.5, top + r - 0.5)] for r in range(rows + 1)]
    return lines


class KernelPanels:
    """Input ⋆ kernel = output, laid out by hand so that changing sizes needs no full redraw.

    The image axes have no ticks and ``aspect="auto"``; their limits are set so pixels stay square,
    which lets padding, stride and kernel size change by moving animated artists only (blitting).
    ``live=True`` leaves the room an explorer's live colour bars need (it adds them itself);
    :attr:`cut` is where the input part ends (a figure fraction), for a view cut into tiles.
    """

    def __init__(self, figure: Figure, shape: tuple[int, int], *, band: tuple[float, float] = (0.0, 1.0),
                 label: str | None = None, live: bool = False,
                 titles: tuple[str, str, str] | None = None) -> None:
        if titles is None:  # the language is read when the picture is made
            titles = tuple(i18n.text(f"figure.kernel.{part}_title") for part in ("input", "kernel", "output"))
        self.figure, self.live = figure, live
        self.band, self.label = band, label
        self.bar_size = (0.13, 0.07)
        self.ax_in, self.ax_k, self.ax_out = (figure.add_axes((0, 0, 0.1, 0.1)) for _ in range(3))
        for ax in (self.ax_in, self.ax_k, self.ax_out):
            ax.set_axis_off()
        self.figure_texts = [figure.text(0, 0, s, ha="center", va="center", fontsize=26 if s == "⋆" else 18)
                             for s in ("⋆", "=")]
        if label:
            self.figure_texts.append(figure.text(0, 0, label, ha="left", va="center", fontsize=10,
                                                 fontweight="bold"))
        self.layout(shape)
        for ax, title in zip((self.ax_in, self.ax_k, self.ax_out), titles, strict=True):
            ax.set_title(title, fontsize=11, y=1.0)
        # input: the padded image, a frame around the original, the first two window positions
        self.input = self.ax_in.imshow(np.zeros((1, 1)), cmap=IMAGE_CMAP, vmin=0.0, vmax=1.0, aspect="auto",
                                       interpolation="nearest")
        self.input_grid = LineCollection([], colors="0.55", linewidths=0.6)
        self.ax_in.add_collection(self.input_grid)
        self.original = Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linestyle="--", linewidth=1.6)
        self.window = Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.2)
        self.next_window = Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=1.4, linestyle=":")
        for patch in (self.original, self.window, self.next_window):
            self.ax_in.add_patch(patch)
        # kernel: signed colours, numbers written in (a pool of texts, enough for the largest kernel)
        self.kernel = self.ax_k.imshow(np.zeros((1, 1)), cmap=SIGNED_CMAP, norm=CenteredNorm(0.0, 1.0),
                                       aspect="auto", interpolation="nearest")
        self.kernel_grid = LineCollection([], colors="0.35", linewidths=1.0)
        self.ax_k.add_collection(self.kernel_grid)
        self.kernel_texts = [self.ax_k.text(0, 0, "", ha="center", va="center", visible=False)
                             for _ in range(MAX_KERNEL * MAX_KERNEL)]
        # output: same pixel scale as the input, centred; a dashed frame of the input's size
        self.output = self.ax_out.imshow(np.zeros((1, 1)), cmap=SIGNED_CMAP, norm=CenteredNorm(0.0, 1.0),
                                         aspect="auto", interpolation="nearest")
        self.output_grid = LineCollection([], colors="0.55", linewidths=0.6)
        self.ax_out.add_collection(self.output_grid)
        self.input_size = Rectangle((0, 0), 1, 1, fill=False, edgecolor="0.4", linestyle="--", linewidth=1.2)
        self.ax_out.add_patch(self.input_size)
        self.display: str | None = None
        self.output_bar: Any = None  # an explorer's live colour bar of the output (its strip follows the display)

    def layout(self, shape: tuple[int, int]) -> None:
        """Place the panels for an input of ``shape`` (h, w): both image panels get its aspect ratio."""
        self.shape = shape
        n_h, n_w = shape
        figure = self.figure
        fig_w, fig_h = figure.get_size_inches()
        bottom, top = self.band[0] * fig_h, self.band[1] * fig_h
        left = 1.0 if self.label else 0.12
        (bar_w, bar_pad), bar_text, gap = self.bar_size, (0.45 if self.live else 0.6), 0.55
        avail_h = (top - bottom) - 0.42 - 0.12  # title above, margin below
        # panel width w and height h = a·w for both images; the kernel panel is a square of side q
        a = n_h / n_w
        avail_w = fig_w - left - 0.1 - 2 * (bar_w + bar_pad + bar_text) - 2 * gap
        w = min(avail_h / a, avail_w / 2.45)
        h = a * w
        q = max(min(0.45 * w, avail_h, 1.9), min(avail_h, 1.1))
        total = 2 * w + q + 2 * (bar_w + bar_pad + bar_text) + 2 * gap
        x = left + max(0.0, (fig_w - left - 0.1 - total) / 2)
        mid = bottom + 0.12 + avail_h / 2
        self.panel_aspect = h / w

        def place(ax: Any, x0: float, width: float, height: float) -> None:
            ax.set_position((x0 / fig_w, (mid - height / 2) / fig_h, width / fig_w, height / fig_h))

        place(self.ax_in, x, w + bar_w + bar_pad, h)  # the colour bar takes its part on the right
        x += w + bar_w + bar_pad + bar_text
        self.cut = (x + 0.08) / fig_w  # between the input's colour-bar labels and the ⋆
        self.figure_texts[0].set_position(((x + gap / 2) / fig_w, mid / fig_h))
        x += gap
        place(self.ax_k, x, q, q)
        x += q
        self.figure_texts[1].set_position(((x + gap / 2) / fig_w, mid / fig_h))
        x += gap
        place(self.ax_out, x, w + bar_w + bar_pad, h)
        if self.label:
            self.figure_texts[2].set_position((0.08 / fig_w, mid / fig_h))

    @property
    def artists(self) -> list[Any]:
        """Everything that changes with the kernel, padding, stride or display choice."""
        return [*self.input_artists, *self.moving_artists]

    @property
    def input_artists(self) -> list[Any]:
        """The padded input and its frames: they change only with the image and the padding."""
        return [self.input, self.input_grid, self.original]

    @property
    def moving_artists(self) -> list[Any]:
        """What changes with the kernel, the stride or the display choice."""
        return [self.window, self.next_window, self.kernel, self.kernel_grid, *self.kernel_texts, self.output,
                self.output_grid, self.input_size]

    def _limits(self, rows: float, cols: float) -> tuple[tuple[float, float], tuple[float, float]]:
        """Limits that show a rows×cols region centred on the input, with square pixels."""
        n_h, n_w = self.shape
        if rows / cols < self.panel_aspect:
            rows = self.panel_aspect * cols
        else:
            cols = rows / self.panel_aspect
        cx, cy = (n_w - 1) / 2, (n_h - 1) / 2
        return (cx - cols / 2, cx + cols / 2), (cy + rows / 2, cy - rows / 2)

    def show(self, padded: np.ndarray, padding: tuple[int, int], K: np.ndarray, Y: np.ndarray, display: str,
             stride: tuple[int, int]) -> None:
        """Draw a new state: the padded input, the kernel and the output in ``display`` mode."""
        n_h, n_w = self.shape
        p_h, p_w = padding
        small = max(n_h, n_w) <= SMALL
        rows, cols = padded.shape
        xlim, ylim = self._limits(rows, cols)
        for ax in (self.ax_in, self.ax_out):
            ax.set_xlim(*xlim)
            ax.set_ylim(*ylim)
        self.input.set_data(padded)
        self.input.set_extent((-p_w - 0.5, n_w + p_w - 0.5, n_h + p_h - 0.5, -p_h - 0.5))
        self.input_grid.set_segments(_grid_segments(rows, cols, -p_h, -p_w) if small else [])
        self.original.set_bounds(-0.5, -0.5, n_w, n_h)
        self.original.set_visible(p_h > 0 or p_w > 0)
        k_h, k_w = K.shape
        self.window.set_bounds(-p_w - 0.5, -p_h - 0.5, k_w, k_h)
        self.next_window.set_bounds(-p_w - 0.5 + stride[1], -p_h - 0.5, k_w, k_h)
        self.window.set_visible(small)
        self.next_window.set_visible(small and stride[1] > 1 and Y.shape[1] > 1)  # shows the step s
        # kernel, in a square frame at least 3 cells wide so cells keep one size
        side = max(k_h, k_w, 3)
        cx, cy = (k_w - 1) / 2, (k_h - 1) / 2
        self.ax_k.set_xlim(cx - side / 2, cx + side / 2)
        self.ax_k.set_ylim(cy + side / 2, cy - side / 2)
        self.kernel.set_data(K)
        self.kernel.set_extent((-0.5, k_w - 0.5, k_h - 0.5, -0.5))
        peak = float(np.abs(K).max())
        self.kernel.norm.halfrange = peak if peak > 1e-12 else 1.0
        self.kernel_grid.set_segments(_grid_segments(k_h, k_w, 0, 0))
        inches = self.ax_k.get_position().width * self.figure.get_size_inches()[0] / side
        size = max(6.0, min(13.0, inches * 72 * (0.34 if side <= 3 else 0.3)))
        cmap, norm = self.kernel.get_cmap(), self.kernel.norm
        for index, text in enumerate(self.kernel_texts):
            i, j = divmod(index, k_w)
            if i < k_h:
                value = float(K[i, j])
                text.set_position((j, i))
                text.set_text(short_number(value))
                text.set_fontsize(size)
                text.set_color(text_colour(cmap, norm, value))
            text.set_visible(i < k_h)
        # output
        values, out_cmap, out_norm = display_values(Y, display)
        o_h, o_w = values.shape
        top, left = (n_h - o_h) / 2, (n_w - o_w) / 2
        self.output.set_data(values)
        if display != self.display:  # a new colour map and norm only when the display choice changes
            self.display = display
            self.output.set_cmap(_colormap(out_cmap))
            self.output.set_norm(out_norm)
            if self.output_bar is not None:
                self.output_bar.strip.set_cmap(_colormap(out_cmap))
        elif isinstance(out_norm, CenteredNorm):
            self.output.norm.halfrange = out_norm.halfrange
        else:
            self.output.norm.vmin, self.output.norm.vmax = out_norm.vmin, out_norm.vmax
        self.output.set_extent((left - 0.5, left + o_w - 0.5, top + o_h - 0.5, top - 0.5))
        self.output_grid.set_segments(_grid_segments(o_h, o_w, top, left) if small else [])
        self.input_size.set_bounds(-0.5, -0.5, n_w, n_h)
        # the input's size, dashed, for comparison, when the output is visibly smaller or larger
        self.input_size.set_visible((small and (o_h, o_w) != (n_h, n_w)) or max(abs(o_h - n_h), abs(o_w - n_w)) >= 4)

    def static_colorbars(self) -> None:
        """matplotlib colour bars with ticks, for a static figure (no speed constraint)."""
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        bar_w, bar_pad = self.bar_size
        for image, ax, label in ((self.input, self.ax_in, i18n.text("figure.kernel.pixel_value")),
                                 (self.output, self.ax_out, i18n.text("figure.kernel.output_value"))):
            cax = make_axes_locatable(ax).append_axes("right", size=bar_w, pad=bar_pad)
            low, high = image.norm.vmin, image.norm.vmax
            middle = getattr(image.norm, "vcenter", (low + high) / 2)
            bar = self.figure.colorbar(image, cax=cax, ticks=[low, middle, high])  # three ticks: quick to draw
            bar.ax.set_yticklabels([short_number(v) for v in (low, middle, high)])
            bar.set_label(label, fontsize=8)
            bar.ax.tick_params(labelsize=7, length=2)

    def write_numbers(self, padding: tuple[int, int]) -> None:
        """Write the values into the cells of small images (static figures only: texts are slow)."""
        n_h, n_w = self.shape
        if max(n_h, n_w) > SMALL:
            return
        p_h, p_w = padding
        for image, top, left in ((self.input, -p_h, -p_w), (self.output, None, None)):
            values = image.get_array()
            rows, cols = values.shape
            if top is None:
                top, left = (n_h - rows) / 2, (n_w - cols) / 2
            if rows * cols > 400:
                continue
            ax = image.axes
            inches = ax.get_position().height * self.figure.get_size_inches()[1] / (ax.get_ylim()[0] - ax.get_ylim()[1])
            size = max(5.0, min(11.0, inches * 72 * 0.38))
            for i in range(rows):
                for j in range(cols):
                    value = float(values[i, j])
                    ax.text(left + j, top + i, short_number(value), ha="center", va="center", fontsize=size,
                            color=text_colour(image.get_cmap(), image.norm, value))



class KernelSetup:
    """One consistent state of the explorer's controls, computed: padded input, kernel, output."""

    def __init__(self, X: torch.Tensor, K: torch.Tensor, padding: int, mode: str, stride: int) -> None:
        self.X, self.K = X, K
        self.padding = padding if mode != "valid" else 0
        self.mode = "zeros" if mode == "valid" else mode
        self.stride = stride
        conv_output_shape(X.shape, K.shape, self.padding, stride)  # raises "Invalid setup" messages
        self.padded = pad2d(X, self.padding, self.mode)
        self.Y = corr2d_padded(self.padded, K, 0, stride)  # a valid, strided pass over the padded input


# -- static figures -------------------------------------------------------------------------------
def _kernel_arg(kernel: Any) -> torch.Tensor:
    if isinstance(kernel, str):
        return get_kernel(kernel)
    return as_matrix(kernel, "kernel")


def _image_arg(image: Any, transpose: bool) -> torch.Tensor:
    if isinstance(image, str):
        return load_image(image, transpose)
    X = as_matrix(image, "image")
    return X.t() if transpose else X


def kernel_figure(image: Any = "photo", kernel: Any = "chapter [[1, -1]]", display: str = "signed",
                  padding: int = 0, mode: str = "valid", stride: int = 1, transpose: bool = False,
                  title: str | None = None) -> Figure:
    """A static picture of ``image ⋆ kernel = output``, as the kernel explorer draws it.

    ``image``: ``"photo"``, ``"edge"``, ``"diagonal"`` or a 2-D tensor; ``kernel``: a name from
    :func:`conv_lessons.kernel_names` or a 2-D tensor; ``display``: ``"signed"``, ``"absolute"``
    or ``"clipped"``; ``mode``: ``"valid"`` or a padding mode with ``padding`` pixels per side;
    ``stride``: window step.  Small images get their values written in.  Returns a ``Figure``.
    """
    X = _image_arg(image, transpose)
    K = _kernel_arg(kernel)
    as_choice(mode, "mode", PADDING_CHOICES)
    setup = KernelSetup(X, K, as_nonnegative_int(padding, "padding"), mode, as_positive_int(stride, "stride"))
    height = 3.6 if title is None else 3.9
    figure = Figure(figsize=(10.0, height), dpi=100)
    band = (0.0, 1.0) if title is None else (0.0, 3.6 / 3.9)
    panels = KernelPanels(figure, tuple(X.shape), band=band,
                          titles=(i18n.text("figure.kernel.input", shape=_shape(X)),
                                  i18n.text("figure.kernel.kernel", shape=_shape(K)),
                                  i18n.text("figure.kernel.output", shape=_shape(setup.Y))))
    panels.show(to_numpy(setup.padded), (setup.padding,) * 2, to_numpy(K), to_numpy(setup.Y), display,
                (setup.stride,) * 2)
    panels.static_colorbars()
    panels.write_numbers((setup.padding,) * 2)
    if title:
        figure.suptitle(title, fontsize=12, y=0.985)
    return figure


def _shape(tensor: torch.Tensor) -> str:
    return "×".join(str(s) for s in tensor.shape)


def kernel_comparison_figure(rows: Sequence[tuple[str, Any, Any]], display: str = "signed") -> Figure:
    """Several ``input ⋆ kernel = output`` rows, one per ``(label, X, K)``, for side-by-side lessons.

    For example the chapter's exercise: the diagonal image with K, its transpose with K, and the
    image with K.T.  Small images get their values written in.  Returns a ``Figure``.
    """
    if not rows:
        raise ValueError(message("rows", i18n.text("figure.kernel.rows_expected"),
                                 i18n.text("figure.kernel.rows_got")))
    row_height = 3.0
    figure = Figure(figsize=(10.0, row_height * len(rows)), dpi=100)
    for index, row in enumerate(rows):
        if not (isinstance(row, (tuple, list)) and len(row) == 3):
            raise TypeError(message(f"rows[{index}]", i18n.text("figure.kernel.row_expected"), describe(row)))
        label, X, K = row
        X, K = as_matrix(X, f"rows[{index}][1]"), _kernel_arg(K)
        setup = KernelSetup(X, K, 0, "valid", 1)
        band = (1 - (index + 1) / len(rows), 1 - index / len(rows))
        panels = KernelPanels(figure, tuple(X.shape), band=band, label=str(label),
                              titles=(i18n.text("figure.kernel.input_plain", shape=_shape(X)),
                                      i18n.text("figure.kernel.kernel_plain", shape=_shape(K)),
                                      i18n.text("figure.kernel.output_plain", shape=_shape(setup.Y))))
        panels.show(to_numpy(X), (0, 0), to_numpy(K), to_numpy(setup.Y), display, (1, 1))
        panels.static_colorbars()
        panels.write_numbers((0, 0))
    return figure
