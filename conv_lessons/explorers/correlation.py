"""The cross-correlation (互相关) explorer: watch the kernel window slide and the output fill in.

The picture is lesson 01's figure made to move (:class:`conv_lessons.figures.correlation.CorrelationRow`):
input ``X``, kernel ``K`` and output ``Y``, the window and the output cell it fills outlined in one
colour, and the readout writes the sum out with its numbers.  Play (or the position slider) moves
the window left→right, top→bottom; the size sliders change the input and kernel shapes.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..correlation import corr2d
from ..figures.correlation import (
    CorrelationRow,
    chapter_example,
    written_sum,
)
from ..style import width
from ..validation import check_fits
from .base import Explorer, Readout
from .figure_widget import FigureView

__all__ = ["correlation_explorer", "CorrelationExplorer"]

SIZES = ("n_h", "n_w", "k_h", "k_w")


class CorrelationExplorer(Explorer):
    """The widget returned by :func:`correlation_explorer`; its parts are attributes for tests.

    ``controls`` (position, play, speed, n_h, n_w, k_h, k_w), ``view`` (the FigureView),
    ``sum_readout`` and ``shape_readout``, ``message``, ``row`` (the picture).
    """

    SPEEDS = {"slow": 1400, "medium": 800, "fast": 350}

    def __init__(self) -> None:
        super().__init__(FigureView(figsize=(9.0, 3.4)))
        self.sum_readout = Readout()
        self.shape_readout = Readout()
        size = {"continuous_update": True, "style": {"description_width": "initial"},
                "layout": widgets.Layout(width=width(220))}
        position = self.add("position", widgets.IntSlider(value=0, min=0, max=3, description="position",
                                                          continuous_update=True,
                                                          layout=widgets.Layout(width=width(340))))
        play = self.add("play", widgets.Play(value=0, min=0, max=3, interval=self.SPEEDS["medium"], description="play",
                                             show_repeat=True))
        speed = self.add("speed", widgets.ToggleButtons(options=list(self.SPEEDS), value="medium", description="speed",
                                                        style={"button_width": "64px"}))
        widgets.link((play, "value"), (position, "value"))
        widgets.dlink((speed, "value"), (play, "interval"), transform=self.SPEEDS.__getitem__)
        for name, description, value, high in (("n_h", "input height n_h", 3, 8), ("n_w", "input width n_w", 3, 8),
                                               ("k_h", "kernel height k_h", 2, 5), ("k_w", "kernel width k_w", 2, 5)):
            self.add(name, widgets.IntSlider(value=value, min=1, max=high, description=description, **size))
        self.row = CorrelationRow(self.view.figure)
        self.view.animate(*self.row.artists)
        self.watch("position")
        self.watch(SIZES, "size")
        self.sum_readout.layout.min_height = "1.6em"
        c = self.controls
        self.lay_out(
            widgets.HBox([play, position, speed]),
            self.view.widget,
            self.sum_readout,
            widgets.HBox([widgets.VBox([c["n_h"], c["n_w"]]), widgets.VBox([c["k_h"], c["k_w"]]), self.shape_readout]),
            self.message,
        )

    def draw(self, reasons: tuple[str, ...]) -> None:
        """New sizes: lay the panels out again (a full redraw); always: move the window and render."""
        if "size" in reasons or "start" in reasons:
            self._resize()
        i, j = self.row.set_position(self.controls["position"].value)
        self.sum_readout.show(written_sum(self.row.X, self.row.K, i, j), size="1.15em")
        self.message.clear()
        self.view.render()

    def _resize(self) -> None:
        n_h, n_w, k_h, k_w = (self.controls[name].value for name in SIZES)
        self.shape_readout.show(self._shape_text(n_h, n_w, k_h, k_w), markup=True)
        fits = k_h <= n_h and k_w <= n_w
        for name in ("position", "play"):
            self.controls[name].disabled = not fits
        X, K = chapter_example(n_h, n_w, k_h, k_w)
        check_fits(X, K)  # raises → the message; the last good picture stays
        self.row.show(X, K, corr2d(X, K))
        self.view.invalidate(key=(n_h, n_w, k_h, k_w))  # the sizes determine everything static
        last = self.row.count - 1
        with self.quietly():  # clamping the position is drawn by this update, not by another one
            self.controls["position"].max = last
            self.controls["play"].max = last

    @staticmethod
    def _shape_text(n_h: int, n_w: int, k_h: int, k_w: int) -> str:
        o_h, o_w = n_h - k_h + 1, n_w - k_w + 1
        result = f"{o_h} × {o_w}" if o_h > 0 and o_w > 0 else "no output: the kernel does not fit"
        return (f"output shape (n_h − k_h + 1) × (n_w − k_w + 1) = ({n_h} − {k_h} + 1) × ({n_w} − {k_w} + 1) = "
                f"<b>{result}</b>")


def correlation_explorer() -> CorrelationExplorer:
    """Step the kernel window across the input and watch each output element being computed.

    Press Play (or drag *position*) to move the window left→right, top→bottom; the window of the
    input, the kernel and the output cell light up together and the readout writes the sum out.
    The size sliders change the input and kernel shapes and show the output shape
    (n_h − k_h + 1) × (n_w − k_w + 1).  Returns one ipywidgets container.
    """
    return CorrelationExplorer()

