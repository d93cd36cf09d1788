"""The kernel (卷积核) explorer: apply a kernel to an image and see what it detects.

Lesson 02's picture (:class:`conv_lessons.figures.kernel.KernelPanels`) made live: the kernel comes
from a preset menu (:mod:`conv_lessons.kernels`: the chapter's [[1, −1]], its transpose, Sobel,
Laplacian, blurs, sharpen, identity, a diagonal detector) and every value can be edited; the output
is shown signed, as |Y| or clipped to [0, 1]; padding and stride preview the next chapter, with
the output size ⌊(n − k + 2p)/s⌋ + 1 per axis in the readout.

The picture is two images side by side: the input (which only changes with the image, the
transpose or the padding) and the rest, so editing the kernel re-sends only the kernel and output.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import ipywidgets as widgets
import numpy as np
import torch

from ..figures.common import to_numpy
from ..figures.kernel import (
    DISPLAYS,
    IMAGES,
    MAX_KERNEL,
    PADDING_CHOICES,
    KernelPanels,
    KernelSetup,
    display_values,
    load_image,
)
from ..kernels import KERNELS, get_kernel, kernel_names
from ..padding import conv_output_size
from ..style import ERROR, width
from .base import Explorer, Readout
from .figure_widget import FigureView

__all__ = [
    "kernel_explorer",
    "KernelExplorer",
    "parse_kernel_entry",
    "output_size_text",
    "load_image",
    "display_values",
    "IMAGES",
    "DISPLAYS",
]

MAX_PADDING = {"photo": 8, "edge": 6, "diagonal": 6}
CELL_WIDTH = 58  # pixels per kernel entry box
SHOWN_CHARACTERS = 24  # a longer entry is cut in messages
FLOAT32_MAX = float(np.finfo(np.float32).max)  # as a Python float: comparing with it casts nothing

_FRACTION = re.compile(r"^\s*([+-]?\d+(?:\.\d*)?)\s*/\s*(\d+(?:\.\d*)?)\s*$")


def _shown(raw: str) -> str:
    """What the learner typed, for a message: quoted, and cut when long."""
    if not raw:
        return "an empty box"
    if len(raw) <= SHOWN_CHARACTERS:
        return repr(raw)
    return f"{raw[:SHOWN_CHARACTERS]!r}… ({len(raw):,} characters)"


def parse_kernel_entry(text: str, where: str = "kernel entry") -> float:
    """Read one kernel value typed by a learner: a number such as ``-1``, ``0.25`` or ``1/9``.

    The kernel is float32, so the value must fit it: at most about ±3.4e38, and not so small that
    it would silently become 0.  Raises ``ValueError`` naming ``where``, what was typed (cut when
    long) and the fix for anything else (words, empty, nan, inf, out of range).
    """
    fix = "Type a number such as -1, 0.25 or 1/9."
    raw = str(text).strip()
    match = _FRACTION.match(raw)
    try:
        if match:
            denominator = float(match.group(2))
            if denominator == 0:
                raise ValueError(f"{where}: expected a number, got {_shown(raw)} (division by zero). {fix}")
            value = float(match.group(1)) / denominator
        else:
            value = float(raw)
    except ValueError as error:
        if str(error).startswith(where):
            raise
        raise ValueError(f"{where}: expected a number, got {_shown(raw)}. {fix}") from None
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"{where}: expected a finite number, got {_shown(raw)}. {fix}")
    if abs(value) > FLOAT32_MAX:
        raise ValueError(f"{where}: expected a number the kernel's float32 values can hold (between "
                         f"-3.4e38 and 3.4e38), got {_shown(raw)}. Type a smaller number such as 1000.")
    if value != 0 and np.float32(value) == 0:
        raise ValueError(f"{where}: expected a number the kernel's float32 values can hold (non-zero ones "
                         f"from about 1.4e-45 on), got {_shown(raw)}, which would become 0. Type 0 or a "
                         "larger number such as 0.001.")
    return value


def _entry_text(value: float) -> str:
    """A kernel value as a learner would type it: 1, -0.5, 0.0625, and 1/9 rather than 0.1111111."""
    value = float(np.float32(value))  # kernels are float32: compare at that precision
    if value.is_integer():
        return str(int(value))
    short = f"{value:.6g}"
    if float(np.float32(short)) == value:
        return short
    fraction = Fraction(value).limit_denominator(100)
    if float(np.float32(fraction.numerator / fraction.denominator)) == value:
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{value:.7g}"


def output_size_text(n: int, k: int, padding: int, stride: int, axis: str) -> str:
    """One axis of the size readout: ``height: ⌊(6 − 1 + 2·0)/1⌋ + 1 = 6`` (or why it does not fit)."""
    formula = f"{axis}: ⌊({n} − {k} + 2·{padding})/{stride}⌋ + 1"
    if k > n + 2 * padding:
        return f"{formula}: no output (k = {k} > n + 2p = {n + 2 * padding})"
    return f"{formula} = {conv_output_size(n, k, padding, stride)}"


class KernelExplorer(Explorer):
    """The widget returned by :func:`kernel_explorer`; its parts are attributes for tests.

    ``controls``: image, transpose, preset, k_h, k_w, display, padding_mode, padding, stride;
    ``cells``: the kernel's Text boxes in use (rows of lists); ``view``; ``message``; ``readout``
    (sizes); ``note`` (what the kernel and the display show); ``setup`` (the last good state:
    ``setup.Y`` is the output drawn, ``setup.K`` the kernel).
    """

    def __init__(self) -> None:
        super().__init__(FigureView(figsize=(10.0, 3.5), tiles=(0.35,)))
        self.readout = Readout()
        self.note = widgets.HTML()
        wide = {"style": {"description_width": "initial"}}
        add = self.add
        add("image", widgets.Dropdown(options=[(label, key) for key, label in IMAGES.items()], value="photo",
                                      description="image", layout=widgets.Layout(width=width(300))))
        add("transpose", widgets.Checkbox(value=False, description="transpose (X.T)", indent=False,
                                          layout=widgets.Layout(width=width(140))))
        add("preset", widgets.Dropdown(options=kernel_names(), value="chapter [[1, -1]]", description="kernel",
                                       layout=widgets.Layout(width=width(280))))
        add("k_h", widgets.BoundedIntText(value=1, min=1, max=MAX_KERNEL, description="rows",
                                          layout=widgets.Layout(width=width(110)), **wide))
        add("k_w", widgets.BoundedIntText(value=2, min=1, max=MAX_KERNEL, description="columns",
                                          layout=widgets.Layout(width=width(130)), **wide))
        add("display", widgets.ToggleButtons(options=[("signed", "signed"), ("absolute", "absolute"),
                                                      ("clipped [0, 1]", "clipped")], value="signed",
                                             description="display", style={"button_width": "100px"}))
        add("padding_mode", widgets.Dropdown(options=PADDING_CHOICES, value="valid", description="padding",
                                             layout=widgets.Layout(width=width(200))))
        add("padding", widgets.IntSlider(value=0, min=0, max=MAX_PADDING["photo"], description="p", disabled=True,
                                         layout=widgets.Layout(width=width(230))))
        add("stride", widgets.IntSlider(value=1, min=1, max=4, description="stride s",
                                        layout=widgets.Layout(width=width(230))))
        # One Text box per possible kernel entry, made once: a new kernel shape shows a different
        # part of the same boxes (new boxes each time would leave the old widgets alive).
        self.boxes = [[widgets.Text(value="0", continuous_update=False, layout=widgets.Layout(width=width(CELL_WIDTH)),
                                    tooltip=f"K[{i}, {j}]") for j in range(MAX_KERNEL)] for i in range(MAX_KERNEL)]
        for row in self.boxes:
            for box in row:
                box.observe(self._on_cell, names="value")
        self.kernel_shape = (0, 0)
        self.grid = widgets.GridBox(layout=widgets.Layout(grid_gap="3px"))
        self.setup: KernelSetup | None = None
        self._static: tuple[object, ...] = ()
        self._images: dict[tuple[str, bool], torch.Tensor] = {}
        self.X = self._image()
        self.panels = KernelPanels(self.view.figure, tuple(self.X.shape), live=True)
        bar_w, bar_pad = self.panels.bar_size
        input_bar = self.view.colorbar(self.panels.input, self.panels.ax_in, size=bar_w, pad=bar_pad)
        for text in input_bar.labels:  # the input's range never changes: keep its labels static
            text.set_animated(False)
        self.view.forget(input_bar.labels)
        self.panels.output_bar = self.view.colorbar(self.panels.output, self.panels.ax_out, size=bar_w, pad=bar_pad)
        # the input is part of the background (drawn again when the image or the padding changes)
        self.view.animate(*self.panels.moving_artists, self.panels.output_bar.strip)  # the strip follows the display
        self.view.cut(self.panels.cut)
        self.watch(("image", "transpose"), "image")
        self.watch("preset")
        self.watch(("k_h", "k_w"), "kernel_size")
        self.watch("padding_mode")
        self.watch(("display", "padding", "stride"), "draw")
        c = self.controls
        self.lay_out(
            widgets.HBox([c["image"], c["transpose"], c["display"]]),
            self.view.widget,
            self.message,
            widgets.HBox([
                widgets.VBox([c["preset"], widgets.HBox([c["k_h"], c["k_w"]]), self.grid],
                             layout=widgets.Layout(width=width(400))),
                widgets.VBox([c["padding_mode"], c["padding"], c["stride"], self.readout]),
            ]),
            self.note,
        )

    @property
    def cells(self) -> list[list[widgets.Text]]:
        """The Text boxes of the kernel shown, row by row."""
        k_h, k_w = self.kernel_shape
        return [row[:k_w] for row in self.boxes[:k_h]]

    def _on_cell(self, change: object = None) -> None:
        self._changed("cell")

    def _image(self) -> torch.Tensor:
        key = (self.controls["image"].value, self.controls["transpose"].value)
        if key not in self._images:
            self._images[key] = load_image(*key)
        return self._images[key]

    # -- drawing --------------------------------------------------------------------------------------
    def draw(self, reasons: tuple[str, ...]) -> None:
        """Apply what changed (image, preset, kernel size, padding mode), then compute and draw."""
        for reason in reasons:
            if reason == "image":
                self._load_image()
            elif reason in ("preset", "start"):
                self._show_kernel(get_kernel(self.controls["preset"].value))
            elif reason == "kernel_size":
                self._resize_kernel()
            elif reason == "padding_mode":
                self._padding_mode()
        self._update()

    def _load_image(self) -> None:
        self.X = self._image()
        with self.quietly():  # a clamped padding value is drawn by this update
            self.controls["padding"].max = MAX_PADDING[self.controls["image"].value]
        self.panels.layout(tuple(self.X.shape))
        self.view.cut(self.panels.cut)

    def _show_kernel(self, K: torch.Tensor) -> None:
        """Show ``K`` in the Text boxes (one box per value), without an update for each box."""
        k_h, k_w = K.shape
        with self.quietly():
            self.controls["k_h"].value, self.controls["k_w"].value = k_h, k_w
            for i, row in enumerate(self.boxes[:k_h]):
                for j, box in enumerate(row[:k_w]):
                    box.value = _entry_text(float(K[i, j]))
        self._show_boxes(k_h, k_w)

    def _resize_kernel(self) -> None:
        """New kernel size: entries inside both sizes keep what is typed in them (even a mistake,
        which the message keeps naming); new entries are 0."""
        k_h, k_w = self.controls["k_h"].value, self.controls["k_w"].value
        old_h, old_w = self.kernel_shape
        with self.quietly():
            for i, row in enumerate(self.boxes[:k_h]):
                for j, box in enumerate(row[:k_w]):
                    if i >= old_h or j >= old_w:
                        box.value = "0"
        self._show_boxes(k_h, k_w)

    def _show_boxes(self, k_h: int, k_w: int) -> None:
        if (k_h, k_w) != self.kernel_shape:
            for i, row in enumerate(self.boxes):
                for j, box in enumerate(row):
                    if i >= k_h or j >= k_w:
                        box.layout.border = None
            self.kernel_shape = (k_h, k_w)
            self.grid.children = [box for row in self.cells for box in row]
            self.grid.layout.grid_template_columns = f"repeat({k_w}, {width(CELL_WIDTH)})"

    def _padding_mode(self) -> None:
        valid = self.controls["padding_mode"].value == "valid"
        padding = self.controls["padding"]
        padding.disabled = valid
        if not valid and padding.value == 0:
            with self.quietly():  # a padding mode starts at 1 pixel; drawn by this update
                padding.value = 1

    def _read_kernel(self) -> torch.Tensor:
        """The kernel typed in the boxes; a bad entry is outlined and raises ValueError naming K[i, j]."""
        values = []
        for i, row in enumerate(self.cells):
            numbers = []
            for j, box in enumerate(row):
                try:
                    numbers.append(parse_kernel_entry(box.value, f"kernel entry K[{i}, {j}]"))
                except ValueError:
                    box.layout.border = f"2px solid {ERROR}"
                    raise
                box.layout.border = None
            values.append(numbers)
        return torch.tensor(values, dtype=torch.float32)

    def _settings(self) -> tuple[str, int, int]:
        c = self.controls
        mode = c["padding_mode"].value
        return mode, (0 if mode == "valid" else c["padding"].value), c["stride"].value

    def _update(self) -> None:
        """Read the controls, write the size readout, compute and draw; on bad input raise
        ValueError (shown as the message) and keep the last good picture."""
        mode, padding, stride = self._settings()
        K = self._read_kernel()
        (n_h, n_w), (k_h, k_w) = self.X.shape, K.shape
        self.readout.show(f"input {n_h}×{n_w}, kernel {k_h}×{k_w}, p = {padding}, s = {stride}",
                          output_size_text(n_h, k_h, padding, stride, "height"),
                          output_size_text(n_w, k_w, padding, stride, "width"))
        try:
            setup = KernelSetup(self.X, K, padding, mode, stride)
        except ValueError as error:
            text = str(error)
            raise ValueError(text if "Invalid setup" in text else f"Invalid setup. {text}") from None
        Y = to_numpy(setup.Y)
        if not np.isfinite(Y).all():
            raise ValueError(f"kernel: expected values whose sums fit float32, got a kernel whose output overflows "
                             f"(largest |weight| {float(K.abs().max()):.3g}). Use smaller kernel values.")
        self.setup = setup
        self.panels.show(to_numpy(setup.padded), (setup.padding,) * 2, to_numpy(K), Y,
                         self.controls["display"].value, (stride, stride))
        c = self.controls
        static = (c["image"].value, c["transpose"].value, setup.padding, setup.mode)  # what the background shows
        if static != self._static:
            self._static = static
            self.view.invalidate(key=static)
        self.message.clear()
        self._write_note()
        self.view.render()

    def _write_note(self) -> None:
        preset = self.controls["preset"].value
        edited = not torch.equal(self.setup.K, get_kernel(preset))
        about = "your own kernel (edited from " + preset + ")" if edited else f"{preset}: {KERNELS[preset]}"
        o_h, o_w = self.setup.Y.shape
        frames = ("orange dashed frame: the original image inside its padding; " if self.setup.padding else "")
        self.note.value = (f'<div style="line-height:1.5"><b>kernel</b> — {about}<br><b>output</b> {o_h}×{o_w} — '
                           f"{DISPLAYS[self.controls['display'].value]}<br><small>{frames}grey dashed frame: the "
                           "input's size, to compare with the output's (both drawn at the same pixel scale)"
                           "</small></div>")

    def close(self) -> None:
        """Close the explorer with every kernel entry box, shown or not."""
        for row in self.boxes:
            for box in row:
                box.layout.close()
                box.style.close()
                box.close()
        super().close()


def kernel_explorer() -> KernelExplorer:
    """Apply a kernel to an image and see its output: presets, editable values, three displays.

    Choose an image (the photo, the chapter's 6×8 edge image, the diagonal image; optionally
    transposed) and a kernel from the menu, then edit its values (numbers such as -1, 0.5, 1/9).
    *display* shows the output signed (centred at zero), as absolute value, or clipped to [0, 1].
    *padding* and *stride* preview the next chapter; the readout gives ⌊(n − k + 2p)/s⌋ + 1 per
    axis.  Returns one ipywidgets container.
    """
    return KernelExplorer()
