"""The one piece of plumbing every explorer shares: a persistent matplotlib figure shown as a PNG
in an ``ipywidgets.Image``.

Why a PNG and not an interactive backend: it needs no front-end extension (JupyterLab, Notebook 7,
VS Code and Binder all show an Image widget), and it is fast, because the figure is never rebuilt.
The static parts (axes, titles, ticks, colour-bar strips) are drawn once and cached; a change
redraws only the artists registered with :meth:`FigureView.animate` on top of that cached
background ("blitting"), then encodes the canvas as PNG -- only the parts that changed, when the
picture is cut into tiles.  When to render is the explorer's business
(:mod:`conv_lessons.explorers.base`: one render for the latest state, however many controls moved).
"""

from __future__ import annotations

import struct
import zlib
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from ..style import EXPLORER_DPI, display_scale, number

__all__ = ["FigureView", "LiveColorbar", "encode_png"]

BACKGROUNDS = 8  # full-figure backgrounds kept per view (about 1 MB each), see FigureView.invalidate
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
        return _one_bitmap(glyphs)


def _one_bitmap(glyphs: list[tuple[np.ndarray, int, int]]) -> list[tuple[np.ndarray, int, int]]:
    """A string's glyph bitmaps merged into one (Agg blends a bitmap at ~30 µs a call, whatever its
    size: one call per string instead of one per glyph).  Where two glyphs' bitmaps overlap, the
    darker coverage wins."""
    glyphs = [g for g in glyphs if g[0].size]
    if len(glyphs) < 2:
        return glyphs
    left = min(dx for _, dx, _ in glyphs)
    right = max(dx + buffer.shape[1] for buffer, dx, _ in glyphs)
    top = min(dy - buffer.shape[0] for buffer, _, dy in glyphs)  # rows relative to the baseline, downwards
    bottom = max(dy for _, _, dy in glyphs)
    merged = np.zeros((bottom - top, right - left), dtype=np.uint8)
    for buffer, dx, dy in glyphs:
        rows = slice(dy - buffer.shape[0] - top, dy - top)
        cols = slice(dx - left, dx - left + buffer.shape[1])
        np.maximum(merged[rows, cols], buffer, out=merged[rows, cols])
    return [(merged, left, bottom)]


_LAYOUT_CACHE: dict[tuple[Any, ...], Any] = {}
_original_get_layout = Text._get_layout


def _cached_get_layout(self: Text, renderer: Any) -> Any:
    """``Text._get_layout`` remembered per (string, font, alignment, …): a text's layout relative to
    its anchor does not depend on where it is, and the explorers lay out the same strings again
    and again (it is about half the cost of drawing a text)."""
    if self.get_wrap() or self.get_usetex() or self.get_path_effects():
        return _original_get_layout(self, renderer)
    key = (self.get_text(), hash(self._fontproperties), self.get_figure(root=True).dpi, self.get_rotation(),
           self.get_rotation_mode(), self._horizontalalignment, self._verticalalignment,
           self._get_multialignment(), self._linespacing, self.get_parse_math())
    layout = _LAYOUT_CACHE.get(key)
    if layout is None:
        layout = _original_get_layout(self, renderer)
        if len(_LAYOUT_CACHE) >= _GLYPH_CACHE_LIMIT:
            _LAYOUT_CACHE.clear()
        _LAYOUT_CACHE[key] = layout
    return layout


@contextmanager
def _remembered_layouts() -> Iterator[None]:
    """While an explorer's canvas draws, every text uses :func:`_cached_get_layout`."""
    Text._get_layout = _cached_get_layout
    try:
        yield
    finally:
        Text._get_layout = _original_get_layout


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
    """A matplotlib ``Figure`` (Agg) shown as PNG in ``ipywidgets.Image`` widgets.

    Draw the static picture on ``self.figure``, register the artists that change with
    :meth:`animate`, then call :meth:`render` after every change.  Call :meth:`invalidate` when a
    static part changed (a title, axis limits, a colour map) so the next render redraws it all.

    ``tiles``: x positions (figure fractions) where the picture is cut into side-by-side images, so
    a part that did not change is not encoded or sent again (the kernel explorer's input photo stays
    put while the kernel and output change).  Without tiles the picture is one image.  Place
    :attr:`widget` in the explorer; :attr:`images` are the Image widgets, left to right.
    """

    def __init__(self, figsize: tuple[float, float] = (9.0, 3.2), dpi: float = EXPLORER_DPI, *,
                 tiles: Sequence[float] = (), png_filter: str = "none") -> None:
        # The presenter size (style.set_display_scale) draws the same figure at a higher dpi:
        # everything in it, text included, is that many times larger and as sharp.
        self.figure = Figure(figsize=figsize, dpi=dpi * display_scale())
        self.canvas = _CachedTextCanvas(self.figure)
        width, height = self.canvas.get_width_height()
        self.png_filter = png_filter
        self.images = [widgets.Image(format="png", height=height) for _ in range(len(tiles) + 1)]
        self.cut(*tiles)
        if len(self.images) == 1:
            self.widget: widgets.DOMWidget = self.images[0]
            self.images[0].layout.max_width = "100%"
            self.images[0].layout.height = "auto"
        else:  # side by side with no gap; shrink together (flex-shrink is weighted by width) in a narrow page
            for image in self.images:  # (set on the widget's own Layout: a replaced one would stay alive)
                image.layout.margin, image.layout.min_width, image.layout.height = "0", "0", "auto"
                image.layout.flex = "0 1 auto"
            self.widget = widgets.HBox(self.images, layout=widgets.Layout(max_width="100%", overflow="hidden"))
        self._animated: list[Artist] = []
        self._colorbars: list[LiveColorbar] = []
        self._background: Any = None
        self._key: Hashable = None
        self._backgrounds: OrderedDict[Hashable, Any] = OrderedDict()
        self.renders = 0

    def cut(self, *tiles: float) -> None:
        """Move the cuts between the images to ``tiles`` (figure fractions; as many as at creation)."""
        width = self.canvas.get_width_height()[0]
        if len(tiles) != len(self.images) - 1:
            raise ValueError(f"tiles: expected {len(self.images) - 1} cut(s), got {len(tiles)}.")
        cuts = [0, *sorted(min(max(int(round(f * width)), 1), width - 1) for f in tiles), width]
        self.columns = list(zip(cuts[:-1], cuts[1:], strict=True))  # the pixel columns of each image
        for image, (left, right) in zip(self.images, self.columns, strict=True):
            image.width = right - left
        self._sent: list[np.ndarray | None] = [None] * len(self.images)  # the pixels each image shows

    @property
    def image(self) -> widgets.Image:
        """The Image widget of a one-image view."""
        if len(self.images) != 1:
            raise AttributeError("image: this view is cut into tiles; use .images (or .widget)")
        return self.images[0]

    def animate(self, *artists: Artist) -> None:
        """Mark ``artists`` as the changing part of the picture (drawn on every render, lowest
        ``zorder`` first as matplotlib draws, so an artist marked later still goes under a higher one:
        the correlation explorer's grey cover over a larger kernel's new weight labels)."""
        for artist in artists:
            artist.set_animated(True)
            if artist not in self._animated:
                self._animated.append(artist)
        self._animated.sort(key=lambda artist: artist.get_zorder())

    def forget(self, artists: Iterable[Artist]) -> None:
        """Stop drawing ``artists`` (for example before removing them from their axes)."""
        gone = set(map(id, artists))
        self._animated = [a for a in self._animated if id(a) not in gone]

    def colorbar(self, mappable: ScalarMappable, ax: Axes, **kwargs: Any) -> LiveColorbar:
        """Add a fast colour bar for ``mappable`` beside ``ax`` (see :class:`LiveColorbar`)."""
        bar = LiveColorbar(self, mappable, ax, **kwargs)
        self._colorbars.append(bar)
        return bar

    def invalidate(self, key: Hashable = None) -> None:
        """The static part changed: the next :meth:`render` redraws the whole figure.

        ``key`` names the static state (say, the sizes of the matrices shown): the background drawn
        for it is kept (the last :data:`BACKGROUNDS` of them), so coming back to a state costs a
        blit, not a full redraw.  The key must determine everything static in the picture.
        """
        self._background = None
        self._key = key
        if key is not None and key in self._backgrounds:
            self._background = self._backgrounds[key]
            self._backgrounds.move_to_end(key)

    def draw(self) -> None:
        """Bring the canvas up to date: the cached background, then the animated artists on top."""
        for bar in self._colorbars:
            bar.update()
        with _remembered_layouts():
            if self._background is None:
                self.canvas.draw()  # animated artists are skipped here ...
                self._background = self.canvas.copy_from_bbox(self.figure.bbox)
                if self._key is not None:
                    self._backgrounds[self._key] = self._background
                    while len(self._backgrounds) > BACKGROUNDS:
                        self._backgrounds.popitem(last=False)
            else:
                self.canvas.restore_region(self._background)
                self._place_located_axes()
            for artist in self._animated:  # ... and drawn on top of the cached background here
                if artist.get_visible() and artist.figure is not None:
                    self.figure.draw_artist(artist)

    def _place_located_axes(self) -> None:
        """Put axes placed by a locator (a colour bar's divider) where a full draw puts them.

        A full draw asks each locator; drawing on a cached background does not.  After an axes was
        moved (a new layout, then back to a background cached before it), its animated artists would
        be drawn where ``set_position`` put it, not where the background shows it.
        """
        renderer = None
        for ax in self.figure.axes:
            locator = ax.get_axes_locator()
            if locator is not None:
                renderer = renderer or self.canvas.get_renderer()
                ax.apply_aspect(locator(ax, renderer))

    def render(self) -> int:
        """Redraw what changed and show it: each image whose pixels changed gets one new PNG.

        Returns how many images were sent (0 when the picture did not change).
        """
        self.draw()
        self.renders += 1
        rgba = np.asarray(self.canvas.buffer_rgba())
        sent = 0
        for index, (left, right) in enumerate(self.columns):
            part = rgba[:, left:right]
            if self._sent[index] is not None and np.array_equal(self._sent[index], part):
                continue  # this part of the picture is unchanged: nothing to encode or send
            self._sent[index] = part.copy()
            self.images[index].value = encode_png(part, self.png_filter)
            sent += 1
        return sent

    def png(self) -> bytes:
        """The whole picture as it stands, as one PNG (for tests and snapshots; explorers show tiles)."""
        return encode_png(np.asarray(self.canvas.buffer_rgba()), self.png_filter)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(rgba: np.ndarray, png_filter: str = "none", level: int = 2) -> bytes:
    """An RGBA pixel array (alpha ignored: the figure is opaque) as an RGB PNG, quickly.

    PIL's encoder tries every PNG filter on every row; for these pictures that costs about twice
    the time for no smaller file.  Here every row gets one filter: ``"none"`` (best for pictures
    with photos or large flat areas) or ``"up"`` (the difference to the row above: best for
    pictures of many small cells), then zlib at a fast level.
    """
    height, width = rgba.shape[:2]
    # Dropping alpha with numpy (rgba[..., :3]) is a strided copy, slower than the whole PNG filter;
    # PIL's RGBA → RGB conversion does it in one C pass and the filters below run on contiguous rows.
    rgba = np.ascontiguousarray(rgba, dtype=np.uint8)
    rgb = np.asarray(Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).convert("RGB"))
    rgb = rgb.reshape(height, 3 * width)
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)  # each row: its filter type, then R, G, B, R, …
    if png_filter == "up" and height > 1:
        rows[:, 0] = 2
        rows[0, 0] = 0
        rows[0, 1:] = rgb[0]
        np.subtract(rgb[1:], rgb[:-1], out=rows[1:, 1:])
    else:
        rows[:, 0] = 0
        rows[:, 1:] = rgb
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB, deflate, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows.tobytes(), level))
            + _chunk(b"IEND", b""))


class LiveColorbar:
    """A colour bar that costs almost nothing to update.

    matplotlib's own colour bar rebuilds its axis and tick labels on every change of limits.  This
    one draws the colour map's gradient once (static) and shows the current limits as three text
    labels (bottom, middle, top) that are animated: for a signed map centred at zero the middle
    label reads 0.
    """

    def __init__(self, view: FigureView, mappable: ScalarMappable, ax: Axes, *, label: str = "",
                 size: str = "5%", pad: float = 0.05, spec: str = ".3g") -> None:
        from mpl_toolkits.axes_grid1 import make_axes_locatable

        self.view = view
        self.mappable = mappable
        self.spec = spec
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
            text.set_text(number(value, self.spec))
