"""The receptive-field (感受野) explorer: stack layers and see which input pixels one output sees.

Lesson 04's picture (:class:`conv_lessons.figures.receptive_field.RFPicture`: the side view through
every layer, the input patch shaded by the number of paths, the box on the photo) for sliders of
depth, kernel size, stride and dilation, and the output's position in the last feature map (its
sliders' ranges follow the feature-map size).  A stack that does not fit on the photo shows a
message and keeps the last one that does.
"""

from __future__ import annotations

from collections.abc import Iterable

import ipywidgets as widgets
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from ..figures.receptive_field import (
    FEATURE_MAP_KERNELS,
    MAX_DEPTH,
    PHOTO_FOCUS,
    RFPicture,
    Stack,
    focus,
    load_photo,
)
from ..i18n import text
from ..receptive_field import receptive_field_region
from ..style import width
from .base import Explorer, Readout
from .figure_widget import FigureView, _remembered_layouts

__all__ = ["receptive_field_explorer", "ReceptiveFieldExplorer", "Stack", "FEATURE_MAP_KERNELS"]

MAX_KERNEL, MAX_STRIDE, MAX_DILATION = 7, 3, 3
STACK = ("depth", "kernel", "stride", "dilation")
PANELS = ("side", "patch", "photo")  # RFPicture's panels, left to right


class PanelView(FigureView):
    """A :class:`FigureView` that redraws only the panels (columns of the picture) that changed.

    :meth:`render_panels` restores the cached background of those panels' columns only and draws
    only their animated artists on top; the other columns keep last update's pixels, so they cost
    nothing to draw.  Every animated artist must belong to one panel's axes (:meth:`assign`) and
    stay inside that panel's columns (:meth:`cut_panels`).

    The picture stays one image.  Tried and measured in JupyterLab
    (benchmarks/bench_browser_latency.py): one image per panel (FigureView's ``tiles``) sends only
    the photo when the output moves, but a new stack then sends three image messages, and the page
    took 85–106 ms to show them against 66–73 ms for one image.
    """

    def __init__(self, figsize: tuple[float, float], panels: int) -> None:
        super().__init__(figsize, png_filter="up")  # "up": smaller for the side view's cells
        self.panel_columns = [(0, 0)] * panels  # the pixel columns of every panel (cut_panels)
        self._panel_of: dict[Axes, int] = {}
        self._only: set[int] | None = None

    def cut_panels(self, *cuts: float) -> None:
        """The panels end and start at ``cuts`` (figure fractions, left to right)."""
        width = self.canvas.get_width_height()[0]
        edges = [0, *(int(round(c * width)) for c in cuts), width]
        self.panel_columns = list(zip(edges[:-1], edges[1:], strict=True))

    def assign(self, ax: Axes, panel: int) -> None:
        """Artists drawn in ``ax`` belong to panel ``panel`` (0 = leftmost)."""
        self._panel_of[ax] = panel

    def render_panels(self, panels: Iterable[int]) -> int:
        """Redraw the panels ``panels`` only (all of them after :meth:`invalidate`) and show the picture;
        returns the number of images sent, as :meth:`render` does."""
        self._only = set(panels)
        try:
            return self.render()
        finally:
            self._only = None

    def draw(self) -> None:
        only = self._only
        if only is None or self._background is None:
            super().draw()
            return
        if not only:
            return
        height = self.canvas.get_width_height()[1]
        for bar in self._colorbars:
            if self._panel_of.get(bar.cax) in only:
                bar.update()
        with _remembered_layouts():
            for panel in sorted(only):  # this panel's columns of the background, then its artists
                left, right = self.panel_columns[panel]
                # xy: where the saved region (the whole figure) starts, not where this part of it goes
                self.canvas.restore_region(self._background, bbox=(left, 0, right, height), xy=(0, 0))
            for artist in self._animated:
                if self._panel(artist) in only and artist.get_visible() and artist.figure is not None:
                    self.figure.draw_artist(artist)

    def _panel(self, artist: Artist) -> int | None:
        return self._panel_of.get(artist.axes)


class ReceptiveFieldExplorer(Explorer):
    """The widget returned by :func:`receptive_field_explorer`; ``controls``, ``view``, ``message``,
    ``readout`` and ``stack``/``position`` (what the picture shows) are there for tests."""

    def __init__(self) -> None:
        super().__init__(PanelView(figsize=(13.0, 4.3), panels=len(PANELS)))
        self.photo = load_photo()
        self.picture = RFPicture(self.view.figure, self.photo.shape, self.photo, live=True)
        bar = self.view.colorbar(self.picture.patch_image, self.picture.grid_ax)
        self.view.animate(*self.picture.artists)
        self._cut_between_panels(bar.cax)
        self.readout = Readout()
        self.stack = Stack(depth=3, kernel=3, stride=2, dilation=1)
        rows, cols = (self.stack.sizes(n)[-1] for n in self.photo.shape)
        self.anchor: tuple[float, float] = PHOTO_FOCUS  # the photo pixel the field stays centred on
        row, col = focus(self.stack, self.photo.shape, (rows, cols), self.anchor)

        def slider(description: str, value: int, low: int, high: int) -> widgets.IntSlider:
            return widgets.IntSlider(value=value, min=low, max=high, description=description,
                                     style={"description_width": "initial"}, layout=widgets.Layout(width=width(325)))

        for name, value, low, high in (("depth", self.stack.depth, 1, MAX_DEPTH),
                                       ("kernel", self.stack.kernel, 1, MAX_KERNEL),
                                       ("stride", self.stack.stride, 1, MAX_STRIDE),
                                       ("dilation", self.stack.dilation, 1, MAX_DILATION),
                                       ("row", row, 0, rows - 1),
                                       ("col", col, 0, cols - 1)):
            self.add(name, slider(text(f"explorer.receptive_field.{name}"), value, low, high))
        self.position = (row, col)
        self._problem: str | None = None  # set while the sliders describe a stack that does not fit
        self.watch(STACK, "stack")
        self.watch(("row", "col"), "position")
        c = self.controls
        wrap = widgets.Layout(flex_flow="row wrap")
        sliders = widgets.VBox([widgets.HBox([c["depth"], c["kernel"], c["stride"]], layout=wrap),
                                widgets.HBox([c["dilation"], c["row"], c["col"]], layout=wrap)])
        self.lay_out(sliders, self.view.widget, self.readout, self.message)

    def draw(self, reasons: tuple[str, ...]) -> None:
        """Apply the stack and the position asked for; draw the last stack that fits."""
        changed = "start" in reasons
        sliders = (self.controls["row"], self.controls["col"])
        # what the learner moved, before a new stack in this update re-centres it
        chosen = [(slider, slider.value) for slider, drawn in zip(sliders, self.position, strict=True)
                  if slider.value != drawn]
        for reason in reasons:
            if reason == "position":  # moved after the stack sliders (reasons come in the order last made)
                with self.quietly():
                    for slider, value in chosen:
                        slider.value = value  # kept inside the new feature map by the slider's range
                self.position = (sliders[0].value, sliders[1].value)
                self.anchor = self.stack.centre(self.position)
                changed = True
            elif reason == "stack":
                changed = self._new_stack() or changed
        if changed:
            self._show()
        if self._problem:  # e.g. the output row moved while the depth slider asks for too deep a stack
            self.message.show_error(self._problem)
        else:
            self.message.clear()

    def _new_stack(self) -> bool:
        """Take the sliders' stack if it fits, with the output whose field is centred nearest the
        photo pixel the learner chose (``anchor``); False if it does not fit.

        The anchor moves only when the learner moves the row or column, so a stack slider moved
        there and back comes back to the same output, and a drag whose key presses reach the kernel
        together ends where the same presses one by one end (the picture the page showed ahead, see
        ``frames.py``): re-centring from the last output instead would round differently each way."""
        c = self.controls
        stack = Stack(*(c[name].value for name in STACK))
        try:
            rows, cols = (stack.sizes(n)[-1] for n in self.photo.shape)
        except ValueError as error:
            old = self.stack
            self._problem = text("explorer.receptive_field.impossible", error=error, depth=old.depth, kernel=old.kernel,
                                 stride=old.stride, dilation=old.dilation)
            return False
        self._problem = None
        row, col = focus(stack, self.photo.shape, (rows, cols), self.anchor)
        with self.quietly():  # the position sliders follow the new feature map; drawn by this update
            for name, value, top in (("row", row, rows - 1), ("col", col, cols - 1)):
                slider = c[name]
                if top >= slider.max:
                    slider.max = top
                    slider.value = value
                else:
                    slider.value = value
                    slider.max = top
        self.stack, self.position = stack, (row, col)
        return True

    def memory(self) -> tuple[float, float]:
        """The photo pixel the field is kept centred on when the stack changes (see ``_new_stack``)."""
        return self.anchor

    def recall(self, memory: tuple[float, float]) -> None:
        self.anchor = memory

    def _cut_between_panels(self, colour_bar: Axes) -> None:
        """Panels cut in the gaps between the side view, the patch (and its colour bar's labels) and
        the photo, so a panel that did not change is not drawn again."""
        p, figure = self.picture, self.view.figure
        width = figure.bbox.width
        p.photo_ax.apply_aspect()  # the photo keeps its aspect: where it really is
        side, grid, photo = (ax.get_position().transformed(figure.transFigure) for ax in
                             (p.side_ax, p.grid_ax, p.photo_ax))
        self.view.cut_panels((side.x1 + grid.x0) / 2 / width, (photo.x0 - 0.5 * figure.dpi / 72 * 8) / width)
        for panel, axes in enumerate(((p.side_ax,), (p.grid_ax, colour_bar), (p.photo_ax,))):
            for ax in axes:
                self.view.assign(ax, panel)

    def _show(self) -> None:
        changed = self.picture.show(self.stack, self.position)
        self.view.render_panels(PANELS.index(name) for name in changed)
        stack, (row, col) = self.stack, self.position
        rows, cols = stack.sizes(self.photo.shape[0]), stack.sizes(self.photo.shape[1])
        (r0, r1), (c0, c1) = receptive_field_region(stack.kernel_sizes, (row, col), stack.strides, stack.dilations,
                                                    input_shape=self.photo.shape)
        chain = " → ".join(f"{h}×{w}" for h, w in zip(rows, cols, strict=True))
        jump = " · ".join([str(stack.stride)] * stack.depth)
        self.readout.show(
            stack.formula(),
            text("explorer.receptive_field.jump_" + ("many" if stack.jump > 1 else "one"), product=jump,
                 jump=stack.jump),
            text("explorer.receptive_field.maps", height=rows[0], width=cols[0], chain=chain),
            text("explorer.receptive_field.sees", row=row, col=col, r0=r0, r1=r1, c0=c0, c1=c1),
            size="12px",
        )


def receptive_field_explorer() -> ReceptiveFieldExplorer:
    """Stack identical layers with sliders for depth, kernel size, stride and dilation, and see
    which input pixels one output sees: a side view through every layer, the input patch shaded
    by the number of paths, and the box on a photo at a chosen feature-map position (its sliders'
    ranges follow the feature-map size).  Readouts give r, the total stride J and every feature
    map's size; a stack that does not fit on the photo shows a message, not a traceback."""
    return ReceptiveFieldExplorer()
