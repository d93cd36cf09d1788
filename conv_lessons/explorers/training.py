"""The training explorer: learn the chapter's kernel [[1, −1]] by gradient descent and watch it.

Lesson 03's three panels (:class:`conv_lessons.figures.training.TrainingPicture`: the loss bowl
with the path, the loss per epoch, the two weights per epoch) retrained and redrawn for the
learning rate, the number of epochs and the seed of the random start.  A learning rate at or
above the stable limit 2/λ_max is explained, not raised.
"""

from __future__ import annotations

import math

import ipywidgets as widgets

from ..figures.training import (
    TrainingPicture,
    TrainingRun,
    chapter_problem,
    describe_run,
    run_training,
)
from ..i18n import text
from ..style import width
from .base import Explorer, Readout
from .figure_widget import FigureView

__all__ = ["training_explorer", "TrainingExplorer"]

LR_START = 0.03  # the chapter's learning rate: where the slider starts, exactly
LR_STEP = 0.01  # the slider's step, in powers of ten (each step multiplies lr by 10**0.01 ≈ 1.023)
# The slider's grid is anchored at 0.03: the front end snaps the exponent to min + k·step, so with
# min = log10(0.001) the start would snap to 10**-1.52 = 0.0302.  Here min = log10(0.03) − 148 steps
# (lr ≈ 0.000993) and max = log10(0.03) + 52 steps (lr ≈ 0.0993), so 0.03 is a grid point.
LR_EXPONENTS = (math.log10(LR_START) - 148 * LR_STEP, math.log10(LR_START) + 52 * LR_STEP)
LR_DIGITS = 3  # lr is trained (and shown) with 3 significant digits: what the slider says is what trains
MAX_EPOCHS = 60
MAX_SEED = 20


class TrainingExplorer(Explorer):
    """The widget returned by :func:`training_explorer`; ``controls``, ``view``, ``message``,
    ``readout`` and ``run`` (the last training run) are there for tests and curious learners."""

    MESSAGE_STATES_KEPT = True  # a diverging run's warning comes with that run's picture: drawn from the state alone

    def __init__(self) -> None:
        super().__init__(FigureView(figsize=(11.5, 3.7)))
        self.X, self.K, self.Y = chapter_problem()
        self.picture = TrainingPicture(self.view.figure, self.X, self.Y, self.K)
        self.view.animate(*self.picture.artists)
        self.readout = Readout()
        style = {"description_width": "initial"}
        low, high = LR_EXPONENTS
        self.add("lr", widgets.FloatLogSlider(value=LR_START, base=10, min=low, max=high, step=LR_STEP,
                                              description=text("explorer.training.lr"), readout_format=f".{LR_DIGITS}g",
                                              style=style, continuous_update=True))
        self.add("epochs", widgets.IntSlider(value=10, min=1, max=MAX_EPOCHS,
                                             description=text("explorer.training.epochs"), style=style))
        self.add("seed", widgets.IntSlider(value=0, min=0, max=MAX_SEED, description=text("explorer.training.seed"),
                                           style=style))
        for control in self.controls.values():
            control.layout.width = width(370)  # a track of at least 120 px beside the longest label (zh or en)
        self.watch(self.controls, "train")
        self.run: TrainingRun | None = None
        controls = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.lay_out(controls, self.view.widget, self.readout, self.message)

    def draw(self, reasons: tuple[str, ...]) -> None:
        """Retrain with the controls' values and redraw."""
        c = self.controls
        run = run_training(self.X, self.Y, (1, 2), lr=shown_lr(c["lr"].value), num_epochs=c["epochs"].value,
                           seed=c["seed"].value)
        self.run = run
        if self.picture.show(run):
            self.view.invalidate(key=self.picture.limits)  # the axes' limits are all that changes
        self.view.render()
        status, warning = describe_run(run, self.picture.bowl)
        self.readout.show(*status.split("\n"), size="12px")
        if warning:
            self.message.show_error(warning)
        else:
            self.message.clear()


def shown_lr(value: float) -> float:
    """The slider's ``value`` as the slider shows it (3 significant digits): the browser computes
    10**exponent and may send 0.030000000000000006 for the chapter's 0.03; training uses 0.03."""
    return float(f"{value:.{LR_DIGITS}g}")


def training_explorer() -> TrainingExplorer:
    """Learn the chapter's kernel [[1, −1]] with sliders for the learning rate (log scale), the
    number of epochs and the seed of the random start.  Every change retrains and redraws the
    path in the loss bowl, the loss per epoch and the two weights; a learning rate at or above the
    stable limit 2/λ_max shows why it diverges."""
    return TrainingExplorer()
