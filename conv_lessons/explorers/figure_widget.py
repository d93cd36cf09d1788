"""The one piece of plumbing every explorer shares: a persistent matplotlib figure shown as a PNG
in an ``ipywidgets.Image``.

Why a PNG and not an interactive backend: it needs no front-end extension (JupyterLab, Notebook 7,
VS Code and Binder all show an Image widget), updates happen synchronously inside a control's
observer (so tests can move a slider and read the new bytes), and it is fast, because the figure
is never rebuilt.  The static parts (axes, titles, ticks, colour-bar strips) are drawn once and
cached; a change redraws only the artists registered with :meth:`FigureView.animate` on top of
that cached background ("blitting"), then encodes the canvas as PNG.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["FigureView", "LiveColorbar", "MessageBox", "guarded"]

_GLYPH_CACHE: dict[tuple[Any, ...], list[tuple[np.ndarray, int, int]]] = {}
_GLYPH_CACHE_LIMIT = 20_000


class _CachedTextRenderer(RendererAgg):
    """Agg renderer that remembers the rasterised glyphs of each string it has drawn.

    An explorer redraws the same few hundred numbers (cell values, tick labels) again and again;
    matplotlib lays out and rasterises every glyph of every string on every draw, which is ~90 % of
    a full redraw.  Here a string is rasterised once per (text, font, dpi) and later draws only
    copy its bitmaps (positions snap to whole pixels: invisible at these sizes).  Rotated text,
    math text, and anything this matplotlib version does differently fall back to matplotlib's
    own drawing.
    """

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float, ismath: Any = False,
                  mtext: Any = None) -> None:
        special = mtext is not None and any(getattr(mtext, getter, lambda: None)() is not None
                                            for getter in ("get_fontfeatures", "get_language"))
        if ismath or angle % 360 or special:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        key = (s, hash(prop), prop.get_size_in_points(), self.dpi, bool(gc.get_antialiased()))
        glyphs = _GLYPH_CACHE.get(key)
        if glyphs is None:
            try:
                glyphs = self._rasterise(s, prop, bool(gc.get_antialiased()))
            except (AttributeError, TypeError):  # private matplotlib API changed: draw the usual way
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            if len(_GLYPH_CACHE) >= _GLYPH_CACHE_LIMIT:
                _GLYPH_CACHE.clear()
            _GLYPH_CACHE[key] = glyphs
        left, baseline = round(x), round(y)  # y counts downwards here, as draw_text_image expects
        for buffer, dx, dy in glyphs:
            self._renderer.draw_text_image(buffer, left + dx, baseline + dy, 0, gc)
        return None

    def _rasterise(self, s: str, prop: Any, antialiased: bool) -> list[tuple[np.ndarray, int, int]]:
        from matplotlib.ft2font import RenderMode

        font = self._prepare_font(prop)
        size = prop.get_size_in_points()
        glyphs = []
        for item in font._layout(s, flags=get_hinting_flag()):
            item.ft_object.set_size(size, self.dpi)
            item.ft_object._set_transform([[0x10000, 0], [0, 0x10000]], [round(0x40 * item.x), round(0x40 * item.y)])
            bitmap = item.ft_object._render_glyph(item.glyph_index, get_hinting_flag(),
                                                  RenderMode.NORMAL if antialiased else RenderMode.MONO)
            buffer = np.array(bitmap.buffer, copy=True)
            if not antialiased:
                buffer *= 0xFF
            # bitmap.top is upwards from the baseline; draw_text_image wants the bitmap's bottom row, downwards
            glyphs.append((buffer, bitmap.left, buffer.shape[0] - bitmap.top))
        return glyphs


class _CachedTextCanvas(FigureCanvasAgg):
    """FigureCanvasAgg whose renderer caches text bitmaps (see :class:`_CachedTextRenderer`)."""

    def get_renderer(self) -> RendererAgg:
        w, h = self.figure.bbox.size
        key = w, h, self.figure.dpi
        if getattr(self, "_lastKey", None) != key:
            self.renderer = _CachedTextRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


class FigureView:
    """A matplotlib ``Figure`` (Agg) rendered into ``self.image``, an ``ipywidgets.Image``.

    Draw the static picture on ``self.figure``, register the artists that change with
    :meth:`animate`, then call :meth:`render` after every change.  Call :meth:`invalidate` when a
    static part changed (a title, axis limits, a colour map) so the next render redraws it all.
    """

    def __init__(self, figsize: tuple[float, float] = (9.0, 3.2), dpi: int = 80) -> None:
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.canvas = _CachedTextCanvas(self.figure)
        width, height = self.canvas.get_width_height()
        self.image = widgets.Image(format="png", width=width, height=height)
        self.image.layout.max_width = "100%"
        self.image.layout.height = "auto"
        self._animated: list[Artist] = []
        self._colorbars: list[LiveColorbar] = []
        self._background: Any = None
        self.renders = 0

    def animate(self, *artists: Artist) -> None:
        """Mark ``artists`` as the changing part of the picture (drawn on every render)."""
        for artist in artists:
            artist.set_animated(True)
            if artist not in self._animated:
                self._animated.append(artist)

    def forget(self, artists: Iterable[Artist]) -> None:
        """Stop drawing ``artists`` (for example before removing them from their axes)."""
        gone = set(map(id, artists))
        self._animated = [a for a in self._animated if id(a) not in gone]

    def colorbar(self, mappable: ScalarMappable, ax: Axes, **kwargs: Any) -> LiveColorbar:
        """Add a fast colour bar for ``mappable`` beside ``ax`` (see :class:`LiveColorbar`)."""
        bar = LiveColorbar(self, mappable, ax, **kwargs)
        self._colorbars.append(bar)
        return bar

    def invalidate(self) -> None:
        """Forget the cached background: the next :meth:`render` redraws the whole figure."""
        self._background = None

    def render(self) -> bytes:
        """Redraw what changed, encode the figure as PNG, show it; returns the PNG bytes."""
        for bar in self._colorbars:
            bar.update()
        if self._background is None:
            self.canvas.draw()  # animated artists are skipped here ...
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self._animated:  # ... and drawn on top of the cached background here
            if artist.get_visible() and artist.figure is not None:
                self.figure.draw_artist(artist)
        self.renders += 1
        png = self.png_bytes()
        self.image.value = png
        return png

    def png_bytes(self) -> bytes:
        """The canvas as it stands, encoded as PNG (fast compression: the picture is transient)."""
        width, height = self.canvas.get_width_height()
        rgba = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        rgba.convert("RGB").save(out, format="PNG", compress_level=1)
        return out.getvalue()


class LiveColorbar:
    """A colour bar that costs almost nothing to update.

    matplotlib's own colour bar rebuilds its axis and tick labels on every change of limits.  This
    one draws the colour map's gradient once (static) and shows the current limits as three text
    labels (bottom, middle, top) that are animated: for a signed map centred at zero the middle
    label reads 0.
    """

    def __init__(self, view: FigureView, mappable: ScalarMappable, ax: Axes, *, label: str = "",
                 size: str = "5%", pad: float = 0.05, fmt: str = "{:.3g}") -> None:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        self.view = view
        self.mappable = mappable
        self.fmt = fmt
        self.cax = make_axes_locatable(ax).append_axes("right", size=size, pad=pad)
        self.strip = self.cax.imshow(np.linspace(1, 0, 256)[:, None], aspect="auto", cmap=mappable.get_cmap(),
                                     extent=(0, 1, 0, 1), vmin=0, vmax=1)
        self.cax.set_xticks([])
        self.cax.set_yticks([])
        if label:
            self.cax.set_ylabel(label, fontsize=8)
            self.cax.yaxis.set_label_position("right")
            self.cax.yaxis.labelpad = 16  # clear of the value labels
        self.labels = [
            self.cax.text(1.25, y, "", transform=self.cax.transAxes, va=va, ha="left", fontsize=8)
            for y, va in ((1.0, "top"), (0.5, "center"), (0.0, "bottom"))
        ]
        view.animate(*self.labels)
        self.update()

    def set_cmap(self, cmap: Any) -> None:
        """Change the colour map of the strip (a static part: the view redraws everything)."""
        self.strip.set_cmap(cmap)
        self.view.invalidate()

    def update(self) -> None:
        """Refresh the three labels from the mappable's current limits."""
        low, high = self.mappable.norm.vmin, self.mappable.norm.vmax
        if low is None or high is None:
            return
        middle = getattr(self.mappable.norm, "vcenter", (low + high) / 2)
        for text, value in zip(self.labels, (high, middle, low)):
            text.set_text(self.fmt.format(0.0 if abs(value) < 1e-12 else value))


class MessageBox(widgets.HTML):
    """One line under an explorer for status and for problems with what the learner typed."""

    def show_error(self, text: str) -> None:
        """Show ``text`` as a problem (red), keeping the last good picture on screen."""
        from html import escape

        self.value = f'<span style="color:#b00020" class="conv-lessons-error">⚠ {escape(text)}</span>'

    def show_info(self, text: str) -> None:
        """Show ``text`` as neutral status (monospace, so written-out sums line up)."""
        from html import escape

        self.value = f'<span style="font-family:monospace">{escape(text)}</span>'

    def clear(self) -> None:
        """Remove any message."""
        self.value = ""


def guarded(message: MessageBox, update: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an observer so bad input (``ValueError``/``TypeError``) becomes a message, not a traceback.

    Other exceptions are programming errors and propagate (the browser test catches them).
    """

    def observer(*args: Any, **kwargs: Any) -> Any:
        try:
            return update(*args, **kwargs)
        except (ValueError, TypeError) as error:
            message.show_error(str(error))
            return None

    observer.__name__ = getattr(update, "__name__", "observer")
    observer.__doc__ = update.__doc__
    return observer
