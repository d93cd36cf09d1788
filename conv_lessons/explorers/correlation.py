"""The cross-correlation (互相关) explorer: watch the kernel window slide and the output fill in.

The picture is lesson 01's figure made to move (:class:`conv_lessons.figures.correlation.CorrelationRow`):
input ``X``, kernel ``K`` and output ``Y``, the window and the output cell it fills outlined in one
colour, and the readout writes the sum out with its numbers.  Play (or the position slider) moves
the window left→right, top→bottom; the size sliders change the input and kernel shapes.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets
from matplotlib.patches import Rectangle

from ..correlation import corr2d
from ..figures.correlation import (
    CorrelationRow,
    chapter_example,
    written_sum,
)
from ..i18n import text
from ..style import width
from ..validation import check_fits
from .base import Explorer, Readout
from .figure_widget import FigureView

__all__ = ["correlation_explorer", "CorrelationExplorer"]

SIZES = ("n_h", "n_w", "k_h", "k_w")
STALE_GREY = "#e0e0e0"  # covers a picture that no longer matches the sizes chosen


class CorrelationExplorer(Explorer):
    """The widget returned by :func:`correlation_explorer`; its parts are attributes for tests.

    ``controls`` (position, play, speed, n_h, n_w, k_h, k_w), ``view`` (the FigureView),
    ``sum_readout`` and ``shape_readout``, ``message``, ``row`` (the picture).
    """

    SPEEDS = {"slow": 1400, "medium": 800, "fast": 350}

    MESSAGE_STATES_KEPT = True  # a kernel that does not fit greys the whole picture out: drawn from the sizes alone

    def __init__(self) -> None:
        super().__init__(FigureView(figsize=(9.0, 3.4)))
        self.sum_readout = Readout()
        self.shape_readout = Readout()
        # A label column for the longest label in either language, and a track of about 170 px beside it.
        size = {"continuous_update": True, "style": {"description_width": width(130)},
                "layout": widgets.Layout(width=width(400))}
        position = self.add("position", widgets.IntSlider(value=0, min=0, max=3,
                                                          description=text("explorer.correlation.position"),
                                                          continuous_update=True,
                                                          layout=widgets.Layout(width=width(340))))
        play = self.add("play", widgets.Play(value=0, min=0, max=3, interval=self.SPEEDS["medium"],
                                             description=text("explorer.correlation.play"), show_repeat=True))
        speeds = [(text(f"explorer.correlation.speed_{name}"), name) for name in self.SPEEDS]
        speed = self.add("speed", widgets.ToggleButtons(options=speeds, value="medium",
                                                        description=text("explorer.correlation.speed"),
                                                        style={"button_width": width(84)}))
        widgets.link((play, "value"), (position, "value"))
        widgets.dlink((speed, "value"), (play, "interval"), transform=self.SPEEDS.__getitem__)
        for name, value, high in (("n_h", 3, 8), ("n_w", 3, 8), ("k_h", 2, 5), ("k_w", 2, 5)):
            self.add(name, widgets.IntSlider(value=value, min=1, max=high,
                                             description=text(f"explorer.correlation.{name}"), **size))
        self.row = CorrelationRow(self.view.figure)
        # Drawn over the whole picture while the kernel does not fit: the last matrices are stale.
        figure = self.view.figure
        self.blank = Rectangle((0, 0), 1, 1, transform=figure.transFigure, facecolor=STALE_GREY, edgecolor="none",
                               zorder=10, visible=False)
        figure.add_artist(self.blank)
        self.blank_text = figure.text(0.5, 0.5, "", ha="center", va="center", fontsize=13, color="0.25",
                                      zorder=11, visible=False)
        self.view.animate(*self.row.artists, self.blank, self.blank_text)
        self.watch("position")
        self.watch(SIZES, "size")
        self.sum_readout.layout.min_height = "1.6em"
        self.shape_readout.layout.flex = "1 1 180px"  # takes the rest of the row and wraps in it
        c = self.controls
        self.lay_out(
            widgets.HBox([play, position, speed], layout=widgets.Layout(flex_flow="row wrap")),
            self.view.widget,
            self.sum_readout,
            widgets.HBox([widgets.VBox([c["n_h"], c["n_w"]]), widgets.VBox([c["k_h"], c["k_w"]]), self.shape_readout],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.message,
        )

    def draw(self, reasons: tuple[str, ...]) -> None:
        """New sizes: lay the panels out again (a full redraw); always: move the window and render.

        A kernel that does not fit the input greys the whole picture out (the matrices shown would
        be the previous sizes'), empties the sum and raises the message; a size that fits again
        brings the picture back.
        """
        n_h, n_w, k_h, k_w = (self.controls[name].value for name in SIZES)
        if k_h > n_h or k_w > n_w:
            self._show_blank(n_h, n_w, k_h, k_w)
        if "size" in reasons or "start" in reasons or self.blank.get_visible():
            self._resize()
        i, j = self.row.set_position(self.controls["position"].value)
        self.sum_readout.show(written_sum(self.row.X, self.row.K, i, j), size="1.15em")
        self._hide_blank()
        self.message.clear()
        self.view.render()

    def _show_blank(self, n_h: int, n_w: int, k_h: int, k_w: int) -> None:
        """Grey the picture out (one render) and empty the sum while the set-up has no output."""
        self.shape_readout.show(self._shape_text(n_h, n_w, k_h, k_w), markup=True)
        for name in ("position", "play"):
            self.controls[name].disabled = True
        self.blank_text.set_text(text("explorer.correlation.no_picture", n_h=n_h, n_w=n_w, k_h=k_h, k_w=k_w))
        self.blank.set_visible(True)
        self.blank_text.set_visible(True)
        self.sum_readout.show("")
        self.view.render()
        X, K = chapter_example(n_h, n_w, k_h, k_w)
        check_fits(X, K)  # raises → the message, under the greyed-out picture

    def _hide_blank(self) -> None:
        self.blank.set_visible(False)
        self.blank_text.set_visible(False)

    def _resize(self) -> None:
        n_h, n_w, k_h, k_w = (self.controls[name].value for name in SIZES)
        self.shape_readout.show(self._shape_text(n_h, n_w, k_h, k_w), markup=True)
        for name in ("position", "play"):
            self.controls[name].disabled = False
        X, K = chapter_example(n_h, n_w, k_h, k_w)
        self.row.show(X, K, corr2d(X, K))
        self.view.animate(*self.row.artists)  # a larger kernel made new weight labels: they move with the window
        self.view.invalidate(key=(n_h, n_w, k_h, k_w))  # the sizes determine everything static
        last = self.row.count - 1
        with self.quietly():  # clamping the position is drawn by this update, not by another one
            self.controls["position"].max = last
            self.controls["play"].max = last

    @staticmethod
    def _shape_text(n_h: int, n_w: int, k_h: int, k_w: int) -> str:
        o_h, o_w = n_h - k_h + 1, n_w - k_w + 1
        result = f"{o_h} × {o_w}" if o_h > 0 and o_w > 0 else text("explorer.correlation.no_output")
        return text("explorer.correlation.shape", n_h=n_h, n_w=n_w, k_h=k_h, k_w=k_w, result=f"<b>{escape(result)}</b>")


def correlation_explorer() -> CorrelationExplorer:
    """Step the kernel window across the input and watch each output element being computed.

    Press Play (or drag *position*) to move the window left→right, top→bottom; the window of the
    input, the kernel and the output cell light up together and the readout writes the sum out.
    The size sliders change the input and kernel shapes and show the output shape
    (n_h − k_h + 1) × (n_w − k_w + 1).  Returns one ipywidgets container.
    """
    return CorrelationExplorer()

