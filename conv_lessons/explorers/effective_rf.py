"""The effective-receptive-field explorer: the square a stack can see, and the blob it actually uses.

Lesson 06's picture (:class:`conv_lessons.figures.effective_rf.ERFPicture`: the gradient map with
the theoretical box and the 2σ circle, the profile beside a Gaussian, size against depth) for a
depth slider and the kind of stack (kernel size, weights, a ReLU between layers).  Every axis
stays fixed, so moving the depth only redraws what changed.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..figures.effective_rf import (
    KERNEL_SIZES,
    MAX_DEPTH,
    NONLINEARITIES,
    WEIGHTS,
    ERFPicture,
    erf_fields,
    erf_readout,
    erf_setting,
    nonlinearity_label,
    weight_label,
)
from ..i18n import text
from ..style import width
from .base import Explorer, Readout
from .figure_widget import FigureView

__all__ = ["effective_rf_explorer", "EffectiveRFExplorer", "erf_readout"]


class EffectiveRFExplorer(Explorer):
    """The widget returned by :func:`effective_rf_explorer`; its parts are attributes for tests.

    ``controls`` (depth, kernel_size, weights, nonlinearity), ``view`` (FigureView), ``readout``
    (the numbers), ``message``, ``picture``.
    """

    def __init__(self) -> None:
        super().__init__(FigureView(figsize=(11.0, 3.6)))
        self.picture = ERFPicture(self.view.figure, colorbar=self.view.colorbar)
        self.view.animate(*self.picture.artists)
        self.readout = Readout()
        style = {"style": {"description_width": "initial"}}
        self.add("depth", widgets.IntSlider(value=8, min=1, max=MAX_DEPTH,
                                            description=text("explorer.effective_rf.depth"), continuous_update=True,
                                            layout=widgets.Layout(width=width(360)), **style))
        self.add("kernel_size", widgets.IntSlider(value=3, min=KERNEL_SIZES[0], max=KERNEL_SIZES[1],
                                                  description=text("explorer.effective_rf.kernel_size"),
                                                  continuous_update=True, layout=widgets.Layout(width=width(330)),
                                                  **style))
        weights = [(weight_label(key), key) for key in WEIGHTS]
        self.add("weights", widgets.ToggleButtons(options=weights, value="random",
                                                  description=text("explorer.effective_rf.weights"),
                                                  style={"description_width": "initial",
                                                         "button_width": button_width(weights)}))
        nonlinearities = [(nonlinearity_label(key), key) for key in NONLINEARITIES]
        self.add("nonlinearity", widgets.ToggleButtons(options=nonlinearities, value="none",
                                                       description=text("explorer.effective_rf.nonlinearity"),
                                                       style={"description_width": "initial",
                                                              "button_width": button_width(nonlinearities)}))
        self.watch("depth")
        self.watch(("kernel_size", "weights", "nonlinearity"), "setting")
        c = self.controls
        self.lay_out(
            widgets.HBox([c["depth"], c["kernel_size"]]),
            widgets.HBox([c["weights"], c["nonlinearity"]]),
            self.view.widget,
            self.readout,
            self.message,
        )

    def draw(self, reasons: tuple[str, ...]) -> None:
        """A new kind of stack loads its fields (cached after the first visit); then show the depth."""
        c = self.controls
        if "setting" in reasons or "start" in reasons:
            learned = c["weights"].value == "learned"
            c["kernel_size"].disabled = learned  # the learned kernel is 1×2
            setting = erf_setting(2 if learned else c["kernel_size"].value, c["weights"].value,
                                  c["nonlinearity"].value)
            self.picture.set_setting(erf_fields(*setting))
            # The growth curves and the fit's legend entry change only with the setting: they are part
            # of the background, drawn once per setting and kept (a depth step redraws only the rest).
            self.view.invalidate(key=setting)
        field = self.picture.show(c["depth"].value)
        self.readout.show(erf_readout(field, self.picture.fields))
        self.message.clear()
        self.view.render()


def button_width(options: list[tuple[str, str]]) -> str:
    """A ToggleButtons button width (CSS) that fits the longest label: a Chinese character is about as
    wide as two Latin ones."""
    longest = max(sum(14 if ord(ch) > 0x2E80 else 7.5 for ch in label) for label, _ in options)
    return width(max(longest + 28, 70))


def effective_rf_explorer() -> EffectiveRFExplorer:
    """Stack k×k layers and watch which input pixels the centre output depends on.

    The depth slider grows the stack: the theoretical receptive field (dashed box) grows by k − 1
    pixels per layer, but the gradient (the heat map) spreads like √depth and takes the shape of a
    Gaussian.  Kernel size, the kind of weights (random, uniform, the chapter's learned [[1, −1]])
    and a ReLU between layers can be changed; the readout gives σ and its fit over all depths.
    Returns one ipywidgets container.
    """
    return EffectiveRFExplorer()
