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
from ..style import width
from .base import Explorer, Readout
from .figure_widget import FigureView

__all__ = ["training_explorer", "TrainingExplorer"]

LR_RANGE = (1e-3, 1e-1)
MAX_EPOCHS = 60
MAX_SEED = 20


class TrainingExplorer(Explorer):
    """The widget returned by :func:`training_explorer`; ``controls``, ``view``, ``message``,
    ``readout`` and ``run`` (the last training run) are there for tests and curious learners."""

    def __init__(self) -> None:
        super().__init__(FigureView(figsize=(11.5, 3.7)))
        self.X, self.K, self.Y = chapter_problem()
        self.picture = TrainingPicture(self.view.figure, self.X, self.Y, self.K)
        self.view.animate(*self.picture.artists)
        self.readout = Readout()
        style = {"description_width": "initial"}
        low, high = (math.log10(v) for v in LR_RANGE)
        self.add("lr", widgets.FloatLogSlider(value=3e-2, base=10, min=low, max=high, step=0.01,
                                              description="learning rate lr", readout_format=".4f", style=style,
                                              continuous_update=True))
        self.add("epochs", widgets.IntSlider(value=10, min=1, max=MAX_EPOCHS, description="epochs", style=style))
        self.add("seed", widgets.IntSlider(value=0, min=0, max=MAX_SEED, description="seed (random start)",
                                           style=style))
        for control in self.controls.values():
            control.layout.width = width(330)
        self.watch(self.controls, "train")
        self.run: TrainingRun | None = None
        controls = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.lay_out(controls, self.view.widget, self.readout, self.message)

    def draw(self, reasons: tuple[str, ...]) -> None:
        """Retrain with the controls' values and redraw."""
        c = self.controls
        run = run_training(self.X, self.Y, (1, 2), lr=c["lr"].value, num_epochs=c["epochs"].value,
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


def training_explorer() -> TrainingExplorer:
    """Learn the chapter's kernel [[1, −1]] with sliders for the learning rate (log scale), the
    number of epochs and the seed of the random start.  Every change retrains and redraws the
    path in the loss bowl, the loss per epoch and the two weights; a learning rate at or above the
    stable limit 2/λ_max shows why it diverges."""
    return TrainingExplorer()
