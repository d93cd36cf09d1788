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
from functools import partial
from html import escape

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
from ..i18n import text
from ..kernels import _KEYS as KERNEL_KEYS
from ..kernels import KERNELS, get_kernel, kernel_names
from ..padding import conv_output_size
from ..style import ERROR, short_number, width
from .base import Explorer, Readout
from .figure_widget import FigureView

__all__ = [
    "kernel_explorer",
    "KernelExplorer",
    "parse_kernel_entry",
    "output_size_text",
    "suggested_display",
    "load_image",
    "display_values",
    "IMAGES",
    "DISPLAYS",
]

MAX_PADDING = {"photo": 8, "edge": 6, "diagonal": 6}
CELL_WIDTH = 58  # pixels per kernel entry box
DISPLAY_BUTTON = 140  # pixels per display button: "clipped [0, 1]" (截断到 [0, 1]) fits
SHOWN_CHARACTERS = 24  # a longer entry is cut in messages
FLOAT32_MAX = float(np.finfo(np.float32).max)  # as a Python float: comparing with it casts nothing

shown = partial(escape, quote=False)  # text in the note's HTML (an apostrophe stays one)
_FRACTION = re.compile(r"^\s*([+-]?\d+(?:\.\d*)?)\s*/\s*(\d+(?:\.\d*)?)\s*$")


def _shown(raw: str) -> str:
    """What the learner typed, for a message: quoted, and cut when long."""
    if not raw:
        return text("explorer.kernel.entry_empty")
    if len(raw) <= SHOWN_CHARACTERS:
        return repr(raw)
    return text("explorer.kernel.entry_long", start=repr(raw[:SHOWN_CHARACTERS]), count=f"{len(raw):,}")


def parse_kernel_entry(typed: str, where: str | None = None) -> float:
    """Read one kernel value typed by a learner: a number such as ``-1``, ``0.25`` or ``1/9``.

    The kernel is float32, so the value must fit it: at most about ±3.4e38, and not so small that
    it would silently become 0.  Raises ``ValueError`` naming ``where``, what was typed (cut when
    long) and the fix for anything else (words, empty, nan, inf, out of range).
    """
    where = text("explorer.kernel.entry_plain") if where is None else where
    raw = str(typed).strip()
    fields = {"where": where, "got": _shown(raw), "fix": text("explorer.kernel.entry_fix")}
    match = _FRACTION.match(raw)
    try:
        if match:
            denominator = float(match.group(2))
            if denominator == 0:
                raise ZeroDivisionError
            value = float(match.group(1)) / denominator
        else:
            value = float(raw)
    except ZeroDivisionError:
        raise ValueError(text("explorer.kernel.entry_division", **fields)) from None
    except ValueError:
        raise ValueError(text("explorer.kernel.entry_not_number", **fields)) from None
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(text("explorer.kernel.entry_not_finite", **fields))
    if abs(value) > FLOAT32_MAX:
        raise ValueError(text("explorer.kernel.entry_too_large", **fields))
    if value != 0 and np.float32(value) == 0:
        raise ValueError(text("explorer.kernel.entry_too_small", **fields))
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
    """One axis of the size readout: ``height: ⌊(6 − 1 + 2·0)/1⌋ + 1 = 6`` (or why it does not fit).

    ``axis`` is the axis's name as the learner reads it (``"height"``; 高 in Chinese).
    """
    fields = {"axis": axis, "n": n, "k": k, "p": padding, "s": stride}
    if k > n + 2 * padding:
        return text("explorer.kernel.no_output", padded=n + 2 * padding, **fields)
    return text("explorer.kernel.size", out=conv_output_size(n, k, padding, stride), **fields)


SMOOTHING, DERIVATIVE = 1.0, 0.0  # the weight sums of an averaging kernel and of a difference


def suggested_display(K: torch.Tensor) -> tuple[str, str]:
    """The display that shows what kernel ``K`` does, and a one-line reason for it.

    Weights adding up to 1 (blurs, sharpen, identity) keep a flat area's brightness: the output is
    an image again, shown as one (``"clipped"``, grey).  Weights adding up to 0 (the chapter's
    [1, −1], Sobel, Laplacian) answer 0 on flat areas and + or − at edges: ``"signed"``.  Other sums:
    all weights ≥ 0 gives a non-negative output (``"absolute"``, from 0 to its maximum); mixed signs
    give a signed one.  Returns ``(display, reason)``, the reason in the current language.
    """
    total = float(K.double().sum())
    scale = max(float(K.double().abs().sum()), 1e-12)
    if abs(total - SMOOTHING) <= 1e-6 * max(scale, 1.0):
        return "clipped", text("explorer.kernel.why_clipped")
    if abs(total - DERIVATIVE) <= 1e-6 * scale:
        return "signed", text("explorer.kernel.why_signed")
    if bool((K >= 0).all()):
        return "absolute", text("explorer.kernel.why_absolute", total=short_number(total))
    return "signed", text("explorer.kernel.why_mixed", total=short_number(total))


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
        # Labels in the current language; the values the code reads are the same in every language.
        add("image", widgets.Dropdown(options=[(label, key) for key, label in IMAGES.items()], value="photo",
                                      description=text("explorer.kernel.image"),
                                      layout=widgets.Layout(width=width(390))))
        add("transpose", widgets.Checkbox(value=False, description=text("explorer.kernel.transpose"), indent=False,
                                          layout=widgets.Layout(width=width(150))))
        presets = [(text(f"explorer.kernel.preset_{KERNEL_KEYS[name]}"), name) for name in kernel_names()]
        add("preset", widgets.Dropdown(options=presets, value="chapter [[1, -1]]",
                                       description=text("explorer.kernel.preset"),
                                       layout=widgets.Layout(width=width(300))))
        add("k_h", widgets.BoundedIntText(value=1, min=1, max=MAX_KERNEL, description=text("explorer.kernel.rows"),
                                          layout=widgets.Layout(width=width(120)), **wide))
        add("k_w", widgets.BoundedIntText(value=2, min=1, max=MAX_KERNEL, description=text("explorer.kernel.columns"),
                                          layout=widgets.Layout(width=width(140)), **wide))
        displays = [(text(f"explorer.kernel.display_{key}"), key) for key in DISPLAYS]
        add("display", widgets.ToggleButtons(options=displays, value="signed",
                                             description=text("explorer.kernel.display"),
                                             style={"button_width": width(DISPLAY_BUTTON)}))
        modes = [(text(f"explorer.kernel.padding_{mode}"), mode) for mode in PADDING_CHOICES]
        add("padding_mode", widgets.Dropdown(options=modes, value="valid",
                                             description=text("explorer.kernel.padding_mode"),
                                             layout=widgets.Layout(width=width(330))))
        add("padding", widgets.IntSlider(value=0, min=0, max=MAX_PADDING["photo"], description="p", disabled=True,
                                         layout=widgets.Layout(width=width(330))))
        add("stride", widgets.IntSlider(value=1, min=1, max=4, description=text("explorer.kernel.stride"),
                                        layout=widgets.Layout(width=width(330))))
        self._padding_chosen = 1  # the padding a padding mode comes back to (valid shows p = 0)
        self._display_reason: tuple[str, str, str] | None = None  # (preset, display, why) chosen with a preset
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
        for label in input_bar.labels:  # the input's range never changes: keep its labels static
            label.set_animated(False)
        self.view.forget(input_bar.labels)
        self.panels.output_bar = self.view.colorbar(self.panels.output, self.panels.ax_out, size=bar_w, pad=bar_pad)
        # the input is part of the background (drawn again when the image or the padding changes)
        self.view.animate(*self.panels.moving_artists, self.panels.output_bar.strip)  # the strip follows the display
        self.view.cut(self.panels.cut)
        self.watch(("image", "transpose"), "image")
        self.watch("preset")
        self.watch(("k_h", "k_w"), "kernel_size")
        self.watch("padding_mode")
        self.watch("display")
        self.watch(("padding", "stride"), "draw")
        c = self.controls
        self.lay_out(
            widgets.HBox([c["image"], c["transpose"], c["display"]], layout=widgets.Layout(flex_flow="row wrap")),
            self.view.widget,
            self.message,
            widgets.HBox([
                widgets.VBox([c["preset"], widgets.HBox([c["k_h"], c["k_w"]]), self.grid],
                             layout=widgets.Layout(width=width(400), margin="0 8px 0 0")),
                widgets.VBox([c["padding_mode"], c["padding"], c["stride"], self.readout],
                             layout=widgets.Layout(flex="1 1 330px")),
            ], layout=widgets.Layout(flex_flow="row wrap")),
            self.note,
        )

    @property
    def cells(self) -> list[list[widgets.Text]]:
        """The Text boxes of the kernel shown, row by row."""
        k_h, k_w = self.kernel_shape
        return [row[:k_w] for row in self.boxes[:k_h]]

    def extra_state(self) -> dict[str, widgets.Widget]:
        """What is typed into every kernel entry box is part of the state (the picture depends on it)."""
        return {f"K[{i}, {j}]": box for i, row in enumerate(self.boxes) for j, box in enumerate(row)}

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
        for index, reason in enumerate(reasons):
            if reason == "image":
                self._load_image()
            elif reason in ("preset", "start"):
                self._show_kernel(get_kernel(self.controls["preset"].value))
                if "display" not in reasons[index:]:  # a display the learner chose after the preset stays
                    self._choose_display()
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

    def _choose_display(self) -> None:
        """A preset chooses the display that shows what it does (the learner can switch it after)."""
        preset = self.controls["preset"].value
        display, why = suggested_display(get_kernel(preset))
        with self.quietly():  # drawn by this update
            self.controls["display"].value = display
        self._display_reason = (preset, display, why)

    def _padding_mode(self) -> None:
        """*valid* means no padding: the p slider shows 0 and is disabled; a padding mode brings back
        the padding last chosen (1 pixel at first)."""
        valid = self.controls["padding_mode"].value == "valid"
        padding = self.controls["padding"]
        with self.quietly():  # drawn by this update
            if valid:
                if padding.value:
                    self._padding_chosen = padding.value
                padding.value = 0
            elif padding.value == 0:
                padding.value = min(self._padding_chosen, padding.max)
        padding.disabled = valid

    def _read_kernel(self) -> torch.Tensor:
        """The kernel typed in the boxes; a bad entry is outlined and raises ValueError naming K[i, j]."""
        values = []
        for i, row in enumerate(self.cells):
            numbers = []
            for j, box in enumerate(row):
                try:
                    numbers.append(parse_kernel_entry(box.value, text("explorer.kernel.entry", i=i, j=j)))
                except ValueError:
                    box.layout.border = f"2px solid {ERROR}"
                    raise
                box.layout.border = None
            values.append(numbers)
        return torch.tensor(values, dtype=torch.float32)

    def _settings(self) -> tuple[str, int, int]:
        c = self.controls
        mode = c["padding_mode"].value
        if mode == "valid" and c["padding"].value:  # set from code while valid: valid still means p = 0
            with self.quietly():
                self._padding_chosen, c["padding"].value = c["padding"].value, 0
        return mode, (0 if mode == "valid" else c["padding"].value), c["stride"].value

    def _update(self) -> None:
        """Read the controls, write the size readout, compute and draw; on bad input raise
        ValueError (shown as the message) and keep the last good picture."""
        mode, padding, stride = self._settings()
        K = self._read_kernel()
        (n_h, n_w), (k_h, k_w) = self.X.shape, K.shape
        self.readout.show(text("explorer.kernel.sizes", n_h=n_h, n_w=n_w, k_h=k_h, k_w=k_w, p=padding, s=stride),
                          output_size_text(n_h, k_h, padding, stride, text("explorer.kernel.height")),
                          output_size_text(n_w, k_w, padding, stride, text("explorer.kernel.width")))
        try:
            setup = KernelSetup(self.X, K, padding, mode, stride)
        except ValueError as error:
            problem, invalid = str(error), text("padding.invalid_setup")
            raise ValueError(problem if invalid in problem else text("explorer.kernel.invalid", invalid=invalid,
                                                                    problem=problem)) from None
        Y = to_numpy(setup.Y)
        if not np.isfinite(Y).all():
            raise ValueError(text("explorer.kernel.overflow", peak=f"{float(K.abs().max()):.3g}"))
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
        """What the kernel is, what the display shows (and why it was chosen), what the frames mean."""
        preset = self.controls["preset"].value
        label = self.controls["preset"].label
        edited = not torch.equal(self.setup.K, get_kernel(preset))
        about = (text("explorer.kernel.note_edited", name=label) if edited
                 else text("explorer.kernel.note_preset", name=label, what=KERNELS[preset]))
        o_h, o_w = self.setup.Y.shape
        display = self.controls["display"].value
        frames = text("explorer.kernel.note_original_frame") if self.setup.padding else ""
        lines = [f"<b>{shown(text('explorer.kernel.note_kernel'))}</b> — {shown(about)}",
                 f"<b>{shown(text('explorer.kernel.note_output'))}</b> {o_h}×{o_w} — {shown(DISPLAYS[display])}"]
        if self._display_reason is not None and self._display_reason[:2] == (preset, display) and not edited:
            lines.append(f"<b>{shown(text('explorer.kernel.note_display'))}</b> — {shown(self._display_reason[2])}")
        lines.append(f"<small>{shown(frames + text('explorer.kernel.note_input_frame'))}</small>")
        self.note.value = f'<div style="line-height:1.5">{"<br>".join(lines)}</div>'

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
