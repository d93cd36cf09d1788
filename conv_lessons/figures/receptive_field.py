"""Lesson 04's pictures: feature maps (特征图) and receptive fields (感受野).

The receptive-field picture has three panels, in the spirit of Distill's receptive-field article:

* **side view** — one row of units per layer, input at the bottom, the chosen output at the top,
  each unit drawn above the centre of the input pixels it sees (so a layer after a stride is
  coarser), the units the output depends on coloured and every connection it reads drawn;
  beside each row its receptive field r and jump J (input pixels between neighbouring units);
* **input pixels** — the 2-D patch of the input the output sees, shaded by the number of paths
  from each pixel up to the output (holes appear with dilation);
* **the photo** — the receptive-field box on a real photograph, at a chosen feature-map position.

* :func:`receptive_field_figure` — the picture for one stack (``input_size=3`` and two 2×2 layers
  give the chapter's example).
* :func:`feature_map_figure` — several kernels applied to the photo: a stack of feature maps.
* :class:`RFPicture` — the picture itself; :mod:`conv_lessons.explorers.receptive_field` animates it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ..feature_maps import LayerPaths, feature_maps, layer_geometry, path_counts
from ..i18n import catalogue, text
from ..images import sample_photo
from ..kernels import get_kernel
from ..receptive_field import feature_map_size, receptive_field, receptive_field_region
from ..style import GUIDE, HIGHLIGHT, IMAGE_CMAP, OUTPUT, SIGNED_CMAP
from ..validation import as_matrix, as_nonnegative_int, as_positive_int, message
from .common import to_numpy

__all__ = [
    "receptive_field_figure",
    "feature_map_figure",
    "RFPicture",
    "Stack",
    "FEATURE_MAP_KERNELS",
    "load_photo",
    "focus",
]

PHOTO_SIZE = 192  # shorter side of the photo in the explorer: 225×192 pixels
PHOTO_FOCUS = (78, 72)  # a pixel on the sitter's eye: where the explorer's first receptive field sits
MAX_DEPTH = 5  # the side view has room for five layers
NUMBERS_UP_TO = 11  # write the path counts into the input-pixel panel up to 11×11 pixels
GRID_UP_TO = 48  # draw cell borders up to 48 pixels across
UNUSED_FACE, UNUSED_EDGE = "#f1f1f1", "#b5b5b5"
PATH_DARK = "#8c3b00"  # the most-used units: the highlight orange, darkened
PATHS_CMAP = LinearSegmentedColormap.from_list("paths", ["#ffffff", "#fdd9b5", "#f5a05a", HIGHLIGHT, PATH_DARK])
FEATURE_MAP_KERNELS = ("identity", "sobel x", "sobel y", "laplacian", "gaussian blur", "box blur", "sharpen")

@dataclass(frozen=True)
class Stack:
    """``depth`` identical layers: ``kernel``×``kernel`` windows with ``stride`` and ``dilation``."""

    depth: int
    kernel: int
    stride: int = 1
    dilation: int = 1

    @property
    def kernel_sizes(self) -> list[int]:
        return [self.kernel] * self.depth

    @property
    def strides(self) -> list[int]:
        return [self.stride] * self.depth

    @property
    def dilations(self) -> list[int]:
        return [self.dilation] * self.depth

    @property
    def args(self) -> tuple[list[int], list[int], list[int]]:
        """``(kernel_sizes, strides, dilations)`` for the package's receptive-field functions."""
        return self.kernel_sizes, self.strides, self.dilations

    @property
    def field(self) -> int:
        """The receptive field r (input pixels along one axis) of one output element."""
        return _field(self)

    @property
    def jump(self) -> int:
        """The total stride J = Π s_l: input pixels between neighbouring outputs."""
        return self.stride**self.depth

    def sizes(self, input_size: int) -> list[int]:
        """The length of every feature map along one axis, input first (ValueError if one layer's
        kernel no longer fits)."""
        return list(_sizes(self, input_size))

    def centre(self, position: tuple[int, int]) -> tuple[float, float]:
        """The input pixel (row, column; a half for an even field) at the centre of the receptive
        field of the output at ``position`` in the last feature map."""
        return tuple(p * self.jump + (self.field - 1) / 2 for p in position)  # type: ignore[return-value]

    def formula(self) -> str:
        """r = 1 + Σ (k' − 1)·J_{l−1} written out with this stack's numbers."""
        dilated = self.dilation * (self.kernel - 1) + 1
        terms = [f"{dilated - 1}·{jump}" for jump, _ in layer_geometry(*self.args)[:-1]]
        formula = f"r = 1 + Σ (k′ − 1)·J = 1 + {' + '.join(terms)} = {self.field}"
        if self.dilation > 1:
            formula += "   " + text("figure.receptive_field.dilated", dilation=self.dilation, km1=self.kernel - 1,
                                     size=dilated)
        return formula


@lru_cache(maxsize=1024)
def _field(stack: Stack) -> int:
    return receptive_field(*stack.args)


@lru_cache(maxsize=1024)
def _sizes(stack: Stack, input_size: int) -> tuple[int, ...]:
    """Stack.sizes, remembered: an explorer asks for the same stack's sizes several times per update
    (a stack that does not fit raises ValueError, which is not remembered)."""
    return (input_size, *(feature_map_size(input_size, *(a[:n] for a in stack.args))
                          for n in range(1, stack.depth + 1)))


class RFPicture:
    """The side view, the input-pixel patch and (optionally) the photo, drawn on one figure.

    Everything that changes is an artist made once and updated in place (:attr:`artists`); the
    axes have fixed limits (coordinates are normalised), so an update never redraws the axes.
    """

    def __init__(self, figure: Figure, input_shape: tuple[int, int], photo: np.ndarray | None,
                 live: bool = False) -> None:
        self.figure = figure
        self.input_shape = input_shape
        # In an explorer the long captions are fixed (the numbers go to the readout under the
        # picture): every text drawn on each update costs a millisecond or more.
        self.captions = not live
        self.numbers_up_to = NUMBERS_UP_TO if not live else 7
        ratios = [1.75, 1.0] + ([0.95] if photo is not None else [])
        axes = figure.subplots(1, len(ratios), gridspec_kw={"width_ratios": ratios})
        # room between the input patch and the photo for the colour bar and its labels (millions of paths at
        # depth 5), and on the right for the bar's label when there is no photo
        figure.subplots_adjust(left=0.01, right=0.98 if photo is not None else 0.92, bottom=0.07, top=0.86, wspace=0.2)
        self.side_ax, self.grid_ax = axes[0], axes[1]
        self._make_side_view()
        self._make_grid()
        self.photo_ax = axes[2] if photo is not None else None
        self._shown: dict[str, Any] = {}  # what each panel shows (see show)
        if self.photo_ax is not None:
            self._make_photo(photo)

    # --- building -----------------------------------------------------------------------------
    def _make_side_view(self) -> None:
        ax = self.side_ax
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_axis_off()
        self.links = LineCollection([], colors=HIGHLIGHT, linewidths=0.9, alpha=0.55, zorder=1)
        self.cells = PolyCollection([], linewidths=0.7, zorder=2)
        ax.add_collection(self.links)
        ax.add_collection(self.cells)
        # one label per row: its name, its receptive field r and its jump J (one text is cheaper than two)
        self.row_names = [ax.text(0.0, 0, "", ha="left", va="center", fontsize=8.5, linespacing=1.25)
                          for _ in range(MAX_DEPTH + 1)]
        (self.span_line,) = ax.plot([], [], color=OUTPUT, linewidth=1.5, marker="|", markersize=8, zorder=3)
        self.span_text = ax.text(0.5, 0.0, "", ha="center", va="top", fontsize=9, color=OUTPUT)
        self.side_title = ax.set_title("" if self.captions else text("figure.receptive_field.side_title"),
                                       fontsize=10, y=1.0)

    def _make_grid(self) -> None:
        ax = self.grid_ax
        self.patch_image = ax.imshow(np.zeros((2, 2)), cmap=PATHS_CMAP, norm=Normalize(0, 1), extent=(0, 1, 1, 0),
                                     interpolation="nearest")
        ax.set_autoscale_on(False)
        ax.set_xlim(0, 1)
        ax.set_ylim(1, 0)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        self.patch_grid = LineCollection([], colors="0.6", linewidths=0.6)
        ax.add_collection(self.patch_grid)
        self.patch_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=OUTPUT, linewidth=2.0)
        ax.add_patch(self.patch_box)
        self.patch_numbers = [ax.text(0, 0, "", ha="center", va="center", fontsize=7.5)
                              for _ in range(self.numbers_up_to**2)]
        self.grid_title = ax.set_title("" if self.captions else text("figure.receptive_field.grid_title"), fontsize=10,
                                       y=1.0)
        self.patch_label = ax.text(0.5, -0.01, "" if self.captions else text("figure.receptive_field.shade"),
                                   transform=ax.transAxes, ha="center", va="top", fontsize=8.5, color="0.25")

    def _make_photo(self, photo: np.ndarray) -> None:
        ax = self.photo_ax
        ax.imshow(photo, cmap=IMAGE_CMAP, vmin=0, vmax=1, interpolation="antialiased")
        ax.set_xticks([])
        ax.set_yticks([])
        height, width = photo.shape
        self.cross = LineCollection([], colors=GUIDE, linewidths=0.8, alpha=0.8, linestyles="dotted")
        ax.add_collection(self.cross)
        self.next_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=GUIDE, linewidth=1.2, linestyle="--")
        self.photo_box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=2.2)
        ax.add_patch(self.next_box)
        ax.add_patch(self.photo_box)
        ax.set_xlim(-0.5, width - 0.5)
        ax.set_ylim(height - 0.5, -0.5)
        self.photo_title = ax.set_title("" if self.captions else text("figure.receptive_field.photo_title"),
                                        fontsize=10, y=1.0)
        self.photo_label = ax.text(0.5, -0.01, "" if self.captions else text("figure.receptive_field.photo_label"),
                                   transform=ax.transAxes, ha="center", va="top", fontsize=8.5, color="0.25")

    @property
    def artists(self) -> list[Any]:
        """Everything :meth:`show` changes."""
        items = [self.links, self.cells, *self.row_names, self.span_line, self.span_text,
                 self.patch_image, self.patch_grid, self.patch_box, *self.patch_numbers]
        if self.photo_ax is not None:
            items += [self.cross, self.next_box, self.photo_box]
        if self.captions:
            items += [self.side_title, self.grid_title, self.patch_label]
            if self.photo_ax is not None:
                items += [self.photo_title, self.photo_label]
        return items

    # --- updating -----------------------------------------------------------------------------
    def show(self, stack: Stack, position: tuple[int, int]) -> set[str]:
        """Draw the receptive field of output ``position`` (row, col) of ``stack``'s last map.

        Returns the panels whose artists changed: ``"side"``, ``"patch"`` (with its colour bar) and
        ``"photo"``; a panel that shows the same as before is not touched (moving the output row
        leaves the side view, which looks along the width, as it is; the input patch changes only
        with the stack, or where the input's border cuts its margin).
        """
        rows_sizes = stack.sizes(self.input_shape[0])
        cols_sizes = stack.sizes(self.input_shape[1])
        row, col = position
        rows = path_counts(stack.kernel_sizes, row, stack.strides, stack.dilations)
        cols = path_counts(stack.kernel_sizes, col, stack.strides, stack.dilations)
        windows = [self._window(paths[0], n, stack.jump) for paths, n in ((rows, self.input_shape[0]),
                                                                           (cols, self.input_shape[1]))]
        low, high = windows[1]
        units = self._side_units(cols, cols_sizes, low, high)
        start = cols[0].start  # the side view is the same wherever it is, unless the input's border cuts it
        keys = {"side": (stack, low - start, high - start, *((a * p.jump - start, b * p.jump - start)
                                                               for (a, b), p in zip(units, cols, strict=True))),
                "patch": (stack, *((paths[0].start - low, high - low) for paths, (low, high) in
                                   zip((rows, cols), windows, strict=True))),
                "photo": (stack, row, col)}
        if self.captions:  # the static figure's captions name the absolute rows and columns
            keys["patch"] = (stack, row, col)
        changed = {name for name, key in keys.items() if self._shown.get(name) != key}
        if self.photo_ax is None:
            changed.discard("photo")
        if "side" in changed:
            self._show_side(stack, cols, cols_sizes, col)
        if "patch" in changed:
            self._show_patch(stack, rows, cols, windows)
        if "photo" in changed:
            self._show_photo(stack, (row, col), rows_sizes[-1], cols_sizes[-1])
        self._shown.update(keys)
        return changed

    def _window(self, paths: LayerPaths, length: int, jump: int) -> tuple[int, int]:
        """The input pixels to show along one axis: the receptive field plus a margin, inside the input."""
        margin = max(1, min(jump, 8)) if length > paths.stop - paths.start else 0
        return max(0, paths.start - margin), min(length, paths.stop + margin)

    @staticmethod
    def _side_units(layers: list[LayerPaths], sizes: list[int], low: int, high: int) -> list[tuple[int, int]]:
        """The first and last unit of every layer the side view shows for input pixels low … high − 1."""
        units = []
        for paths, size in zip(layers, sizes, strict=True):
            centre0 = (paths.field - 1) / 2  # unit j sees input pixels j·J … j·J + r − 1
            units.append((max(0, math.ceil((low - 0.5 - centre0) / paths.jump)),
                          min(size - 1, math.floor((high - 0.5 - centre0) / paths.jump))))
        return units

    def _show_side(self, stack: Stack, layers: list[LayerPaths], sizes: list[int], col: int) -> None:
        depth = stack.depth
        low, high = self._window(layers[0], sizes[0], stack.jump)
        units_shown = self._side_units(layers, sizes, low, high)
        left, width = 0.175, 0.815  # room for the row labels on the left
        scale = width / (high - low)

        def x_of(pixel_centre: float) -> float:
            return left + (pixel_centre - (low - 0.5)) * scale

        gap = 0.68 / max(depth, 1)
        height = min(0.15, 0.42 * gap)
        box = self.side_ax.get_position()
        fig_w, fig_h = self.figure.get_size_inches()
        aspect = (box.width * fig_w) / (box.height * fig_h)  # axes width / height, in inches
        widest = 0.9 * height / aspect  # half-width of a cell 1.8 times as wide as tall
        y_of = [0.21 + gap * level for level in range(depth + 1)]
        # One array per layer (no Python loop per unit): the cells' corners and colours, and the
        # connections from each used unit to the k units it reads one layer down.
        verts, faces, edges, links = [], [], [], []
        for level, (paths, (first, last)) in enumerate(zip(layers, units_shown, strict=True)):
            centre0 = (paths.field - 1) / 2
            half_w = min(0.5 * scale * paths.jump * 0.84, widest)
            y = y_of[level]
            units = np.arange(first, last + 1)
            x = left + (units * paths.jump + centre0 - (low - 0.5)) * scale
            corners = np.empty((len(units), 4, 2))
            corners[:, :, 0] = x[:, None] + np.array([-half_w, half_w, half_w, -half_w])
            corners[:, :, 1] = y + np.array([-1, -1, 1, 1]) * (height / 2)
            verts.append(corners)
            counts = np.zeros(len(units))
            path_counts_ = paths.counts.double().numpy()
            inside = (units >= paths.start) & (units < paths.stop)
            counts[inside] = path_counts_[units[inside] - paths.start]
            used = counts > 0
            face = np.tile(to_rgba_array(UNUSED_FACE), (len(units), 1))
            edge = np.tile(to_rgba_array(UNUSED_EDGE), (len(units), 1))
            if level == depth:
                face[used], edge[used] = to_rgba_array(OUTPUT), to_rgba_array("black")
            else:
                face[used] = PATHS_CMAP(0.3 + 0.55 * counts[used] / counts.max()) if used.any() else face[used]
                edge[used] = to_rgba_array(PATH_DARK)
            faces.append(face)
            edges.append(edge)
            if level:
                below = layers[level - 1]
                parents = paths.start + np.flatnonzero(path_counts_)
                tops = left + (parents * paths.jump + centre0 - (low - 0.5)) * scale
                children = parents[:, None] * stack.stride + np.arange(stack.kernel)[None, :] * stack.dilation
                bottoms = left + (children * below.jump + (below.field - 1) / 2 - (low - 0.5)) * scale
                segments = np.empty((bottoms.size, 2, 2))
                segments[:, 0, 0] = np.repeat(tops, stack.kernel)
                segments[:, 0, 1] = y - height / 2
                segments[:, 1, 0] = bottoms.ravel()
                segments[:, 1, 1] = y_of[level - 1] + height / 2
                links.append(segments)
        self.cells.set_verts(np.concatenate(verts))
        self.cells.set_facecolors(np.concatenate(faces))
        self.cells.set_edgecolors(np.concatenate(edges))
        links = np.concatenate(links) if links else np.empty((0, 2, 2))
        self.links.set_segments(links)
        self.links.set_linewidth(0.9 if len(links) < 300 else 0.5)
        for level, label in enumerate(self.row_names):
            label.set_visible(level <= depth)
            if level > depth:
                continue
            name = (text("figure.receptive_field.input") if level == 0 else
                    text("figure.receptive_field.layer_out" if level == depth else "figure.receptive_field.layer",
                         n=level))
            label.set_position((0.0, y_of[level]))
            label.set_text(f"{name}\nr = {layers[level].field}, J = {layers[level].jump}")
            label.set_color(OUTPUT if level == depth else "black")
        start, stop = layers[0].start, layers[0].stop
        y_span = y_of[0] - height / 2 - 0.03
        self.span_line.set_data([x_of(start - 0.5), x_of(stop - 0.5)], [y_span, y_span])
        self.span_text.set_position((x_of((start + stop - 1) / 2), y_span - 0.025))
        if self.captions:
            self.span_text.set_text(text("figure.receptive_field.span", n=stop - start, start=start, stop=stop))
            self.side_title.set_text(text("figure.receptive_field.side_title_col", col=col))
        else:
            self.span_text.set_text(f"r = {stop - start}")

    def _show_patch(self, stack: Stack, rows: list[LayerPaths], cols: list[LayerPaths],
                    windows: list[tuple[int, int]]) -> None:
        (r_lo, r_hi), (c_lo, c_hi) = windows
        counts = np.zeros((r_hi - r_lo, c_hi - c_lo))
        row_counts = rows[0].counts.double().numpy()
        col_counts = cols[0].counts.double().numpy()
        counts[rows[0].start - r_lo: rows[0].stop - r_lo, cols[0].start - c_lo: cols[0].stop - c_lo] = np.outer(
            row_counts, col_counts)
        n_rows, n_cols = counts.shape
        cell = 1.0 / max(n_rows, n_cols)
        x0, y0 = (1 - n_cols * cell) / 2, (1 - n_rows * cell) / 2
        self.patch_image.set_data(counts)
        self.patch_image.set_extent((x0, x0 + n_cols * cell, y0 + n_rows * cell, y0))
        self.patch_image.norm.vmin, self.patch_image.norm.vmax = 0.0, float(counts.max())
        lines = []
        if max(n_rows, n_cols) <= GRID_UP_TO:
            lines = [[(x0 + c * cell, y0), (x0 + c * cell, y0 + n_rows * cell)] for c in range(n_cols + 1)]
            lines += [[(x0, y0 + r * cell), (x0 + n_cols * cell, y0 + r * cell)] for r in range(n_rows + 1)]
        self.patch_grid.set_segments(lines)
        self.patch_box.set_xy((x0 + (cols[0].start - c_lo) * cell, y0 + (rows[0].start - r_lo) * cell))
        self.patch_box.set_width((cols[0].stop - cols[0].start) * cell)
        self.patch_box.set_height((rows[0].stop - rows[0].start) * cell)
        numbered = max(n_rows, n_cols) <= self.numbers_up_to
        font = 9 if max(n_rows, n_cols) <= 6 else 7
        peak = counts.max()
        for index, number in enumerate(self.patch_numbers):
            i, j = divmod(index, self.numbers_up_to)
            number.set_visible(numbered and i < n_rows and j < n_cols)
            if not number.get_visible():
                continue
            value = counts[i, j]
            number.set_position((x0 + (j + 0.5) * cell, y0 + (i + 0.5) * cell))
            number.set_text(f"{value:.0f}" if value else "·")
            number.set_fontsize(font)
            number.set_color("white" if value > 0.6 * peak else "0.2")
        if not self.captions:
            return
        holes = int((counts[rows[0].start - r_lo: rows[0].stop - r_lo, cols[0].start - c_lo: cols[0].stop - c_lo]
                     == 0).sum())
        size = stack.field
        self.grid_title.set_text(text("figure.receptive_field.grid_title_n", n=size))
        hole_text = text("figure.receptive_field.holes", n=holes) if holes else ""
        shade = text("figure.receptive_field.shade_number" if numbered else "figure.receptive_field.shade")
        self.patch_label.set_text(text("figure.receptive_field.patch_label", r0=rows[0].start, r1=rows[0].stop,
                                       c0=cols[0].start, c1=cols[0].stop, holes=hole_text, shade=shade))

    def _show_photo(self, stack: Stack, position: tuple[int, int], n_rows: int, n_cols: int) -> None:
        (r0, r1), (c0, c1) = receptive_field_region(stack.kernel_sizes, position, stack.strides, stack.dilations,
                                                    input_shape=self.input_shape)
        self.photo_box.set_bounds(c0 - 0.5, r0 - 0.5, c1 - c0, r1 - r0)
        row, col = position
        has_next = col + 1 < n_cols
        self.next_box.set_visible(has_next)
        if has_next:
            self.next_box.set_bounds(c0 + stack.jump - 0.5, r0 - 0.5, c1 - c0, r1 - r0)
        height, width = self.input_shape
        cy, cx = (r0 + r1 - 1) / 2, (c0 + c1 - 1) / 2
        self.cross.set_segments([[(-0.5, cy), (c0 - 0.5, cy)], [(c1 - 0.5, cy), (width - 0.5, cy)],
                                 [(cx, -0.5), (cx, r0 - 0.5)], [(cx, r1 - 0.5), (cx, height - 0.5)]])
        if not self.captions:
            return
        self.photo_title.set_text(text("figure.receptive_field.photo_title_pos", row=row, col=col, height=n_rows,
                                       width=n_cols))
        self.photo_label.set_text(text("figure.receptive_field.photo_label_" + ("many" if stack.jump > 1 else "one"),
                                       jump=stack.jump))


def load_photo() -> np.ndarray:
    return to_numpy(sample_photo(PHOTO_SIZE))


def receptive_field_figure(depth: int = 2, kernel_size: int = 2, stride: int = 1, dilation: int = 1, *,
                           input_size: int | None = None, position: Sequence[int] | None = None) -> Figure:
    """A static picture of the receptive field of one output of ``depth`` identical layers.

    With ``input_size=None`` the input is the photo (225×192) and a third panel draws the box on it;
    with ``input_size=n`` it is an n×n grid (``depth=2, kernel_size=2, input_size=3`` is the chapter's
    example: one output of the second 2×2 layer sees all 9 inputs).  ``position`` (row, col) picks
    the output in the last feature map (default: its centre, or the sitter's eye on the photo).
    """
    stack = Stack(as_positive_int(depth, "depth"), as_positive_int(kernel_size, "kernel_size"),
                  as_positive_int(stride, "stride"), as_positive_int(dilation, "dilation"))
    if input_size is None:
        photo = load_photo()
        shape = photo.shape
    else:
        photo = None
        n = as_positive_int(input_size, "input_size")
        shape = (n, n)
    sizes = (stack.sizes(shape[0])[-1], stack.sizes(shape[1])[-1])  # ValueError if the stack cannot fit
    if position is None:
        position = focus(stack, shape, sizes) if photo is not None else ((sizes[0] - 1) // 2, (sizes[1] - 1) // 2)
    if not (isinstance(position, (tuple, list)) and len(position) == 2):
        raise TypeError(message("position", text("receptive_field.position"), repr(position)))
    position = tuple(as_nonnegative_int(p, f"position[{i}]") for i, p in enumerate(position))
    for axis, (p, n) in enumerate(zip(position, sizes, strict=True)):
        if p >= n:
            raise ValueError(message(f"position[{axis}]", text("receptive_field.position_range", last=n - 1,
                                                               shape=f"{sizes[0]}×{sizes[1]}"), str(p)))
    figure = Figure(figsize=(13.0, 4.4) if photo is not None else (9.0, 3.9), dpi=90)
    picture = RFPicture(figure, shape, photo)
    picture.show(stack, position)  # type: ignore[arg-type]
    bar = figure.colorbar(picture.patch_image, ax=picture.grid_ax, fraction=0.046, pad=0.02,
                          label=text("figure.receptive_field.paths"))
    bar.ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    return figure


def focus(stack: Stack, shape: tuple[int, int], sizes: tuple[int, int],
           centre: tuple[float, float] = PHOTO_FOCUS) -> tuple[int, int]:
    """The output whose receptive field is centred nearest ``centre`` (an input pixel)."""
    field, jump = stack.field, stack.jump  # the inverse of Stack.centre, rounded and kept on the map
    return tuple(min(max(round((c - (field - 1) / 2) / jump), 0), n - 1)  # type: ignore[return-value]
                 for c, n in zip(centre, sizes, strict=True))


def feature_map_figure(image: Any = None, names: Sequence[str] = FEATURE_MAP_KERNELS) -> Figure:
    """The input photo and the feature maps (特征图) of several same-sized kernels, as a grid.

    Kernels whose weights sum to zero (edge detectors) give signed maps, drawn blue–white–red
    centred at zero; the others (blur, sharpen, identity) give images, drawn in grey.
    """
    X = sample_photo(PHOTO_SIZE) if image is None else as_matrix(image, "image").detach()
    if isinstance(names, str) or not isinstance(names, Sequence) or not names:
        raise TypeError(message("names", text("figure.receptive_field.names", examples=list(FEATURE_MAP_KERNELS[:2])),
                                repr(names)))
    kernels = [get_kernel(name) for name in names]
    maps = feature_maps(X, kernels)
    panels = 1 + len(names)
    n_cols = min(4, panels)
    n_rows = math.ceil(panels / n_cols)
    # about one screen pixel per image pixel (no resampling, a small PNG): ~2.1 in of axes at 90 dpi
    figure = Figure(figsize=(2.75 * n_cols, n_rows * (2.25 * X.shape[0] / X.shape[1] + 0.42)), dpi=90)
    axes = figure.subplots(n_rows, n_cols, squeeze=False).flatten()
    image_ax = axes[0].imshow(to_numpy(X), cmap=IMAGE_CMAP, vmin=0, vmax=1)
    axes[0].set_title(text("figure.receptive_field.input_size", height=X.shape[0], width=X.shape[1]), fontsize=10)
    _small_colorbar(figure, image_ax, axes[0])
    for ax, name, kernel, fmap in zip(axes[1:], names, kernels, maps, strict=False):
        values = to_numpy(fmap)
        if abs(float(kernel.sum())) < 1e-6:  # an edge detector: signed responses, zero on flat regions
            half = float(np.percentile(np.abs(values), 99.5)) or 1.0  # a few extreme edges would wash out the rest
            shown = ax.imshow(values, cmap=SIGNED_CMAP, vmin=-half, vmax=half)
        else:  # weights sum to 1: an image again, on the input's 0 (black) … 1 (white) scale
            shown = ax.imshow(values, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        ax.set_title(f"{kernel_label(name)}  →  {values.shape[0]}×{values.shape[1]}", fontsize=10)
        clipped = values.min() < shown.norm.vmin or values.max() > shown.norm.vmax
        _small_colorbar(figure, shown, ax, extend="both" if clipped else "neither")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[panels:]:
        ax.set_visible(False)
    figure.subplots_adjust(left=0.01, right=0.97, bottom=0.02, top=0.95, wspace=0.12, hspace=0.12)
    return figure


def kernel_label(name: str) -> str:
    """A kernel's name as a figure shows it: the catalogue's word for the package's kernels (高斯模糊 in
    Chinese for "gaussian blur"), the name itself for any other."""
    key = "figure.receptive_field.kernel." + str(name).strip().lower().replace(" ", "_")
    return text(key) if key in catalogue("en") else str(name)


def _small_colorbar(figure: Figure, mappable: Any, ax: Any, **options: Any) -> None:
    """A slim colour bar with three ticks (fewer tick labels: the grid of maps draws faster)."""
    bar = figure.colorbar(mappable, ax=ax, fraction=0.046, pad=0.02, **options)
    low, high = mappable.norm.vmin, mappable.norm.vmax
    bar.set_ticks([low, (low + high) / 2, high], labels=[f"{v:.2g}" for v in (low, (low + high) / 2, high)])
    bar.ax.tick_params(labelsize=7)
