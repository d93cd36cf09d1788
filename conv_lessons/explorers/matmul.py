"""The convolution-as-matrix-multiplication explorer: see the matrix W hiding inside corr2d.

Lesson 05's picture (:class:`conv_lessons.figures.matmul.MatmulPicture`: kernel, output, input and
W, each kernel weight in its own colour) for any input size up to 8×8 and kernel up to 4×4; the
readout counts W's entries, zeros and shared weights, and the row slider outlines one row of W,
its window in X and its pixel in Y.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..correlation import output_shape
from ..figures.matmul import (
    HIGHLIGHT,
    MAX_INPUT,
    MAX_KERNEL,
    PALETTE,
    MatmulPicture,
    check_sizes,
    counts_text,
    row_text,
    weight_index_map,
)
from ..i18n import text
from ..style import width
from .base import Explorer, Readout
from .figure_widget import FigureView

__all__ = ["matmul_explorer", "MatmulExplorer", "weight_index_map", "counts_text", "row_text", "HIGHLIGHT", "PALETTE"]

SIZES = ("n_h", "n_w", "k_h", "k_w")


class MatmulExplorer(Explorer):
    """The widget returned by :func:`matmul_explorer`; its parts are attributes for tests.

    ``controls`` (n_h, n_w, k_h, k_w, row), ``view`` (FigureView), ``readout`` (the counts),
    ``message``, ``picture``.
    """

    def __init__(self) -> None:
        super().__init__(FigureView(figsize=(10.0, 4.0), dpi=80, png_filter="up"))
        self.picture = MatmulPicture(self.view.figure, pixel_exact=True)
        self.view.animate(*self.picture.artists)
        self.readout = Readout()
        # Each slider is wide enough for its label (either language), its readout and a track of 150+ px.
        style = {"continuous_update": True, "style": {"description_width": "initial"},
                 "layout": widgets.Layout(width=width(360))}
        for name, value, low, high in (("n_h", 5, 2, MAX_INPUT), ("n_w", 5, 2, MAX_INPUT),
                                       ("k_h", 3, 1, MAX_KERNEL), ("k_w", 3, 1, MAX_KERNEL)):
            self.add(name, widgets.IntSlider(value=value, min=low, max=high,
                                             description=text(f"explorer.matmul.{name}"), **style))
        self.add("row", widgets.IntSlider(value=0, min=0, max=8, description=text("explorer.matmul.row"),
                                          continuous_update=True, style={"description_width": "initial"},
                                          layout=widgets.Layout(width=width(460))))
        self.watch(SIZES, "size")
        self.watch("row")
        c = self.controls
        self.lay_out(
            widgets.HBox([widgets.VBox([c["n_h"], c["n_w"]]), widgets.VBox([c["k_h"], c["k_w"]])]),
            c["row"],
            self.view.widget,
            self.readout,
            self.message,
        )

    def draw(self, reasons: tuple[str, ...]) -> None:
        """Check the sizes (a kernel larger than the input is a message), clamp the row, redraw."""
        n_h, n_w, k_h, k_w = (self.controls[name].value for name in SIZES)
        row = self.controls["row"]
        row.disabled = k_h > n_h or k_w > n_w
        check_sizes((n_h, n_w), (k_h, k_w))  # raises → the message; the last good picture stays
        out_h, out_w = output_shape((n_h, n_w), (k_h, k_w))
        with self.quietly():  # clamping the row slider is drawn by this update
            row.max = out_h * out_w - 1
        self.picture.show(n_h, n_w, k_h, k_w, row.value)
        self.readout.show(counts_text((n_h, n_w), (k_h, k_w)), row_text((n_h, n_w), (k_h, k_w), row.value))
        self.message.clear()
        self.view.render()


def matmul_explorer() -> MatmulExplorer:
    """See the matrix W with ``corr2d(X, K).flatten() == W @ X.flatten()`` for any sizes.

    Sliders set the input size (up to 8×8) and the kernel size (up to 4×4); W is redrawn with each
    kernel weight in its own colour, so the zeros (white) and the repeated, shifted weights stand
    out, and the readout counts them.  The row slider outlines one row of W, its window in X and its
    pixel in Y.  Returns one ipywidgets container.
    """
    return MatmulExplorer()
