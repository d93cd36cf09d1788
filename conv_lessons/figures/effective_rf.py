"""Lesson 06's pictures: the square a stack can see, and the blob it actually uses.

Three panels for one stack of layers and one depth:

* the gradient map |∂y/∂x| of the central output (a heat map, max = 1) with the theoretical
  receptive field (感受野) drawn as a box and a circle of radius 2σ;
* the map's profile along the width (summed over rows) beside a Gaussian of the same σ;
* size against depth for depths 1–16: the theoretical size L·(k − 1) + 1 grows linearly, the
  effective size 4σ like √L.

* :func:`effective_rf_figure` — the three panels for one setting and depth.
* :func:`erf_depth_figure` — heat maps for several depths side by side on one canvas.
* :func:`erf_growth_figure` — σ against depth for several kinds of stacks, with √L fits.
* :class:`ERFPicture` — the panels themselves; :mod:`conv_lessons.explorers.effective_rf` animates them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, Rectangle
from matplotlib.ticker import NullFormatter

from ..effective_rf import MARGIN, EffectiveField, erf_by_depth, fit_sqrt_growth
from ..i18n import text
from ..style import FIELD, HEAT_CMAP, POSITIVE
from ..validation import as_positive_int, as_size_pair, explain, message

__all__ = [
    "effective_rf_figure",
    "erf_depth_figure",
    "erf_growth_figure",
    "ERFPicture",
    "erf_readout",
    "erf_fields",
    "explorer_settings",
    "erf_setting",
    "erf_depth",
    "MAX_DEPTH",
    "KERNEL_SIZES",
    "WEIGHTS",
    "NONLINEARITIES",
    "weight_label",
    "nonlinearity_label",
    "SQRT_POWERS",
    "grows_like_sqrt",
    "power_law_fit",
]

MAX_DEPTH = 16
KERNEL_SIZES = (2, 5)  # slider range: larger kernels make the canvas (and the first computation) big
SIGMA_COLOUR = "white"
WEIGHTS = ("random", "uniform", "learned")  # the kinds of weights (labels: weight_label)
NONLINEARITIES = ("none", "relu")
# A fitted power of L in this range is reported as "σ ≈ a·√L"; outside it, as the power law it is.
# Every stack that spreads like a random walk fits 0.40–0.56 over depths 1–16 (uniform + ReLU is the
# lowest, random kernels the highest); a field that does not grow fits near 0, the theoretical one 1.
# The band is the middle of [0, 1] with a margin on both sides: a power in it is closer to ½ than to
# either alternative.
SQRT_POWERS = (0.35, 0.65)


def weight_label(weights: str) -> str:
    """The name of a kind of weights (``"random"``, ``"uniform"``, ``"learned"``) in the lesson's language."""
    return text(f"figure.effective_rf.weights.{weights}")


def nonlinearity_label(nonlinearity: str) -> str:
    """``"none"`` or ``"relu"`` as the explorer's button says it."""
    return text(f"figure.effective_rf.nonlinearity.{nonlinearity}")


def grows_like_sqrt(power: float) -> bool:
    """Whether a fitted power of L is close enough to ½ to say "σ grows like √L" (see :data:`SQRT_POWERS`)."""
    return SQRT_POWERS[0] <= power <= SQRT_POWERS[1]


def power_law_fit(fields: tuple[EffectiveField, ...] | list[EffectiveField]) -> tuple[float, float, float]:
    """``(a, p, c)``: σ ≈ a·√L (least squares) and σ ≈ c·L^p (a line on log–log axes) over the depths."""
    known = _FITS.get(id(fields))
    if known is not None and known[0] is fields:  # the explorer asks again at every depth of one setting
        return known[1]
    depths = np.array([f.depth for f in fields], dtype=float)
    sigmas = np.array([f.sigma[1] for f in fields], dtype=float)
    a, power = _fit(tuple(fields))
    c = float(np.exp(np.log(sigmas).mean() - power * np.log(depths).mean()))
    if isinstance(fields, tuple):  # erf_fields' cached tuples: remember the fit while the tuple lives
        if len(_FITS) >= 64:
            _FITS.clear()
        _FITS[id(fields)] = (fields, (a, power, c))
    return a, power, c


_FITS: dict[int, tuple[Any, tuple[float, float, float]]] = {}


@functools.lru_cache(maxsize=32)
def erf_fields(kernel_size: int, weights: str, nonlinearity: str) -> tuple[EffectiveField, ...]:
    """All depths of one setting, read from the package's precomputed table (the explorer's settings) or
    computed, once, and cached."""
    return tuple(erf_by_depth(MAX_DEPTH, kernel_size, weights, nonlinearity))


def explorer_settings() -> list[tuple[int, str, str]]:
    """Every (kernel_size, weights, nonlinearity) the explorer offers: each kernel size of its slider
    (:data:`KERNEL_SIZES`) × each kind of weights × each nonlinearity; the learned kernel has one size (1×2)."""
    result = []
    for weights in WEIGHTS:
        sizes = [2] if weights == "learned" else range(KERNEL_SIZES[0], KERNEL_SIZES[1] + 1)
        for nonlinearity in NONLINEARITIES:
            result += [(k, weights, nonlinearity) for k in sizes]
    return result


def _fit(fields: tuple[EffectiveField, ...]) -> tuple[float, float]:
    return fit_sqrt_growth([f.depth for f in fields], [f.sigma[1] for f in fields])


def erf_readout(field: EffectiveField, fields: tuple[EffectiveField, ...] | list[EffectiveField]) -> str:
    """The explorer's numbers for one depth: theoretical size, σ, the share the 2σ disc holds, the fit."""
    a, power, c = power_law_fit(fields)
    sigma = field.sigma[1]
    k_h, k_w = field.kernel_shape
    kind = weight_label(field.weights) if field.weights in WEIGHTS else field.weights
    relu = "" if field.nonlinearity == "none" else text("figure.effective_rf.readout_relu")
    now = text("figure.effective_rf.readout", depth=field.depth, k_h=k_h, k_w=k_w, kind=kind, relu=relu,
               h=field.size[0], w=field.size[1], sigma=f"{sigma:.2f}", span=f"{4 * sigma:.1f}",
               share=f"{4 * sigma / field.size[1]:.0%}", w2=field.size[1],
               mass=f"{field.mass_within(2 * max(field.sigma)):.0%}")
    if grows_like_sqrt(power):
        fit = text("figure.effective_rf.fit_sqrt", depths=len(fields), a=f"{a:.2f}", power=f"{power:.2f}")
    else:  # not √L: say what the fit found
        fit = text("figure.effective_rf.fit_power", depths=len(fields), c=f"{c:.2f}", power=f"{power:.2f}",
                   power2=f"{power:.2f}")
    return f"{now}\n{fit}"  # two lines: this depth, then the fit over all depths


class ERFPicture:
    """Heat map + box + 2σ circle, the profile with its Gaussian, and size against depth."""

    def __init__(self, figure: Figure, colorbar: Callable[..., Any] | None = None) -> None:
        """``colorbar``: an explorer's live colour-bar maker (``FigureView.colorbar``); with it every
        axis stays fixed, so a change is only a blit."""
        self.figure = figure
        self.fixed = colorbar is not None
        self.ax_map = figure.add_axes((0.045, 0.15, 0.27, 0.72))
        self.ax_profile = figure.add_axes((0.43, 0.15, 0.25, 0.72))
        self.ax_growth = figure.add_axes((0.74, 0.15, 0.25, 0.72))
        self.image = self.ax_map.imshow(np.zeros((3, 3)), cmap=HEAT_CMAP, vmin=0, vmax=1, interpolation="nearest")
        self.ax_map.set_facecolor(self.image.get_cmap()(0.0))  # beyond a thin canvas: the colour of 0
        if colorbar is not None:
            self.cax = colorbar(self.image, self.ax_map, label=text("figure.effective_rf.colorbar"), spec=".1f").cax
            self.cax.yaxis.labelpad = 16  # clear of the bar's value labels
        else:
            self.cax = figure.colorbar(self.image, ax=self.ax_map, fraction=0.046, pad=0.03,
                                       label=_map_label("none")).ax
        self.box = Rectangle((0, 0), 1, 1, fill=False, edgecolor=FIELD, linewidth=2, linestyle="--",
                             label=text("figure.effective_rf.box"))
        self.circle = Ellipse((0, 0), 1, 1, fill=False, edgecolor=SIGMA_COLOUR, linewidth=1.5,
                              label=text("figure.effective_rf.circle"))
        self.ax_map.add_patch(self.box)
        self.ax_map.add_patch(self.circle)
        self.ax_map.set_xlabel(text("figure.effective_rf.column_axis"))
        self.ax_map.set_ylabel(text("figure.effective_rf.row_axis"))
        self.ax_map.set_title(text("figure.effective_rf.map_title"), y=1.0)
        self.ax_map.legend(handles=[self.box, self.circle], loc="upper left", fontsize=7, framealpha=0.6,
                           facecolor="0.2", labelcolor="white", edgecolor="none")
        (self.profile,) = self.ax_profile.plot([], [], "o-", color=POSITIVE, markersize=3, linewidth=1.2,
                                               label=text("figure.effective_rf.profile"))
        (self.gaussian,) = self.ax_profile.plot([], [], "-", color="0.2", linewidth=1.2,
                                                label=text("figure.effective_rf.gaussian"))
        self.edges = [self.ax_profile.axvline(0, color=FIELD, linestyle="--", linewidth=1.5) for _ in range(2)]
        self.edges[0].set_label(text("figure.effective_rf.box"))
        self.ax_profile.set_ylim(0, 1.22)
        self.ax_profile.set_xlabel(text("figure.effective_rf.column_axis"))
        self.ax_profile.set_ylabel(text("figure.effective_rf.share_axis"))
        self.ax_profile.set_title(text("figure.effective_rf.profile_title"), y=1.0)
        self.ax_profile.legend(loc="upper right", fontsize=6.5, frameon=False, handlelength=1.5)
        (self.theory,) = self.ax_growth.plot([], [], "-", color=FIELD, linewidth=2,
                                             label=text("figure.effective_rf.theory_size"))
        (self.effective,) = self.ax_growth.plot([], [], "o", color=POSITIVE, markersize=3.5,
                                                label=text("figure.effective_rf.effective_size"))
        self.fit_label = text("figure.effective_rf.fit_sqrt_line")
        (self.fit,) = self.ax_growth.plot([], [], "--", color="0.25", linewidth=1.2, label=self.fit_label)
        (self.marker,) = self.ax_growth.plot([], [], "o", markersize=9, markerfacecolor="none",
                                             markeredgecolor="black", markeredgewidth=1.5,
                                             label=text("figure.effective_rf.marker"))
        self.ax_growth.set_xlim(0, MAX_DEPTH + 0.5)
        self.ax_growth.set_xlabel(text("figure.effective_rf.depth_axis"))
        self.ax_growth.set_ylabel(text("figure.effective_rf.pixels"))
        self.ax_growth.set_title(text("figure.effective_rf.growth_title"), y=1.0)
        self.growth_legend = self.ax_growth.legend(loc="upper left", fontsize=7, frameon=False)
        self.ax_growth.grid(alpha=0.3)
        self.setting: tuple[Any, ...] | None = None

    @property
    def artists(self) -> list[Any]:
        """What changes with the depth (an explorer draws these on every render)."""
        return [self.image, self.box, self.circle, self.profile, self.gaussian, *self.edges, self.marker]

    @property
    def setting_artists(self) -> list[Any]:
        """What changes only with the setting: the growth curves (an explorer keeps them in the
        background it caches per setting)."""
        return [self.theory, self.effective, self.fit]

    def set_setting(self, fields: tuple[EffectiveField, ...]) -> None:
        """A new kind of stack: new canvas extent and growth curves.

        The explorer's axes keep the limits of the largest setting (same pixel scale for every
        kernel size, and no axis to redraw); a static figure zooms to its own canvas.
        """
        first = fields[0]
        rows, cols = first.canvas
        self.c_r, self.c_c = (rows - 1) / 2, (cols - 1) / 2
        self.image.set_extent((-self.c_c - 0.5, cols - 1 - self.c_c + 0.5, rows - 1 - self.c_r + 0.5,
                               -self.c_r - 0.5))
        depths = np.array([f.depth for f in fields])
        sizes = np.array([f.size[1] for f in fields])
        if self.fixed:
            half = (MAX_DEPTH * (KERNEL_SIZES[1] - 1) + 1) / 2 + MARGIN
            top = (MAX_DEPTH * (KERNEL_SIZES[1] - 1) + 1) * 1.08
        else:
            half = max(self.c_r, self.c_c) + 0.5  # a square view, even of a one-row field
            top = sizes.max() * 1.08
            self.cax.set_ylabel(_map_label(first.weights, first.nonlinearity))
        for limits in (self.ax_map.set_xlim, self.ax_profile.set_xlim):
            limits(-half, half)
        self.ax_map.set_ylim(half, -half)
        self.ax_growth.set_ylim(0, top)
        depths = np.array([f.depth for f in fields])
        sizes = np.array([f.size[1] for f in fields])
        sigmas = np.array([f.sigma[1] for f in fields])
        a, power, c = power_law_fit(fields)
        self.theory.set_data(depths, sizes)
        self.effective.set_data(depths, 4 * sigmas)
        smooth = np.linspace(0.5, MAX_DEPTH, 100)
        if grows_like_sqrt(power):
            self.fit.set_data(smooth, 4 * a * np.sqrt(smooth))
            self.fit_label = text("figure.effective_rf.fit_sqrt_line")
        else:  # the fit is drawn (and named) as the power law it is, not as a √L curve
            self.fit.set_data(smooth, 4 * c * smooth ** power)
            self.fit_label = text("figure.effective_rf.fit_power_line", power=f"{power:.2f}")
        self.fit.set_label(self.fit_label)
        self.growth_legend.get_texts()[2].set_text(self.fit_label)  # a static part: the explorer redraws it
        self.fields = fields

    def show(self, depth: int) -> EffectiveField:
        """Show the stack of ``depth`` layers (only the animated artists change)."""
        field = self.fields[depth - 1]
        gradient = field.gradient.numpy()
        peak = float(gradient.max()) or 1.0
        self.image.set_data(gradient / peak)
        (r0, r1), (c0, c1) = field.box
        self.box.set_bounds(c0 - 0.5 - self.c_c, r0 - 0.5 - self.c_r, c1 - c0, r1 - r0)
        centre_r, centre_c = field.centre[0] - self.c_r, field.centre[1] - self.c_c
        self.circle.set_center((centre_c, centre_r))
        self.circle.width, self.circle.height = 4 * field.sigma[1], 4 * field.sigma[0]
        columns = np.arange(gradient.shape[1]) - self.c_c
        profile = gradient.sum(0)
        top = float(profile.max()) or 1.0
        self.profile.set_data(columns, profile / top)
        sigma = max(field.sigma[1], 1e-6)
        smooth = np.linspace(columns[0], columns[-1], 200)
        bell = np.exp(-0.5 * ((smooth - centre_c) / sigma) ** 2) / (math.sqrt(2 * math.pi) * sigma)
        self.gaussian.set_data(smooth, bell / top)
        self.edges[0].set_xdata([c0 - 0.5 - self.c_c] * 2)
        self.edges[1].set_xdata([c1 - 0.5 - self.c_c] * 2)
        self.marker.set_data([field.depth] * 2, [field.size[1], 4 * field.sigma[1]])
        return field


def _map_label(weights: str, nonlinearity: str = "none") -> str:
    """Fixed linear stacks show |∂y/∂x|; random weights or a ReLU the mean of (∂y/∂x)² over draws."""
    if weights == "random" or nonlinearity == "relu":
        return text("figure.effective_rf.map_mean_square")
    return text("figure.effective_rf.map_abs")


def erf_setting(kernel_size: Any, weights: Any, nonlinearity: Any) -> tuple[int, str, str]:
    k_h, k_w = as_size_pair(kernel_size, "kernel_size")
    if weights != "learned" and (k_h != k_w or not KERNEL_SIZES[0] <= k_h <= KERNEL_SIZES[1]):
        raise ValueError(explain("kernel_size", "figure.effective_rf.kernel", low=KERNEL_SIZES[0], high=KERNEL_SIZES[1],
                                 kernel=(k_h, k_w)))
    if weights not in WEIGHTS:
        raise ValueError(message("weights", text("validation.choice", choices=list(WEIGHTS)), repr(weights)))
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(message("nonlinearity", text("validation.choice", choices=list(NONLINEARITIES)),
                                 repr(nonlinearity)))
    return (2 if weights == "learned" else k_h), weights, nonlinearity  # the learned kernel is 1×2 anyway


def erf_depth(depth: Any) -> int:
    depth = as_positive_int(depth, "depth")
    if depth > MAX_DEPTH:
        raise ValueError(explain("depth", "figure.effective_rf.depth", high=MAX_DEPTH, depth=depth))
    return depth


def effective_rf_figure(depth: int = 8, kernel_size: int = 3, weights: str = "random",
                        nonlinearity: str = "none") -> Figure:
    """The explorer's picture as a static ``Figure``: the gradient map with the theoretical box, the
    profile beside a Gaussian, and size against depth (theoretical: linear; effective: √L)."""
    setting = erf_setting(kernel_size, weights, nonlinearity)
    depth = erf_depth(depth)
    figure = Figure(figsize=(12.0, 3.8), dpi=100)
    picture = ERFPicture(figure)
    picture.set_setting(erf_fields(*setting))
    picture.show(depth)
    return figure


def erf_depth_figure(depths: Any = (1, 2, 4, 8, 16), kernel_size: int = 3, weights: str = "random",
                     nonlinearity: str = "none") -> Figure:
    """Gradient maps for several depths on one canvas: the box grows linearly, the blob like √L."""
    setting = erf_setting(kernel_size, weights, nonlinearity)
    depths = [erf_depth(d) for d in depths]
    fields = erf_fields(*setting)
    figure = Figure(figsize=(2.4 * len(depths) + 0.8, 3.0), dpi=100)
    axes = figure.subplots(1, len(depths))
    axes = np.atleast_1d(axes)
    rows, cols = fields[0].canvas
    c_r, c_c = (rows - 1) / 2, (cols - 1) / 2
    extent = (-c_c - 0.5, c_c + 0.5, c_r + 0.5, -c_r - 0.5)
    image = None
    for ax, depth in zip(axes, depths, strict=True):
        field = fields[depth - 1]
        gradient = field.gradient.numpy()
        image = ax.imshow(gradient / gradient.max(), cmap=HEAT_CMAP, vmin=0, vmax=1, extent=extent,
                          interpolation="nearest")
        (r0, r1), (c0, c1) = field.box
        ax.add_patch(Rectangle((c0 - 0.5 - c_c, r0 - 0.5 - c_r), c1 - c0, r1 - r0, fill=False, edgecolor=FIELD,
                               linewidth=1.8, linestyle="--"))
        ax.add_patch(Ellipse((field.centre[1] - c_c, field.centre[0] - c_r), 4 * field.sigma[1], 4 * field.sigma[0],
                             fill=False, edgecolor=SIGMA_COLOUR, linewidth=1.2))
        ax.set_title(text("figure.effective_rf.depth_title", depth=depth, size=field.size[1],
                          sigma=f"{field.sigma[1]:.2f}"), fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].set_ylabel(text("figure.effective_rf.depth_row_axis"), fontsize=8)
    figure.colorbar(image, ax=list(axes), fraction=0.015, pad=0.02, label=_map_label(setting[1], setting[2]))
    figure.suptitle(text("figure.effective_rf.depth_suptitle", k=setting[0], k2=setting[0],
                         kind=weight_label(setting[1])), fontsize=10)
    figure.subplots_adjust(left=0.05, right=0.87, top=0.75, bottom=0.08, wspace=0.25)
    return figure


def erf_growth_figure(kernel_size: int = 3, settings: Any = (("uniform", "none"), ("random", "none"),
                                                               ("random", "relu"))) -> Figure:
    """σ against depth for several stacks (log–log), with the theoretical field for comparison.

    On log–log axes a power law is a straight line: slope 1 for the theoretical size, about ½ for
    every effective width.  The legend gives each fit σ ≈ a·√L and its fitted power.
    """
    figure = Figure(figsize=(6.4, 4.9), dpi=100)
    ax = figure.add_subplot()
    depths = np.arange(1, MAX_DEPTH + 1)
    k = erf_setting(kernel_size, "uniform", "none")[0]
    ax.plot(depths, (depths * (k - 1) + 1) / math.sqrt(12), "-", color=FIELD, linewidth=2,
            label=text("figure.effective_rf.growth_theory"))
    markers = iter("osD^v")
    for weights, nonlinearity in settings:
        fields = erf_fields(*erf_setting(kernel_size, weights, nonlinearity))
        sigmas = np.array([f.sigma[1] for f in fields])
        a, power, c = power_law_fit(fields)
        relu = "" if nonlinearity == "none" else text("figure.effective_rf.growth_relu")
        if grows_like_sqrt(power):
            label = text("figure.effective_rf.growth_sqrt", kind=weight_label(weights), relu=relu, a=f"{a:.2f}",
                         power=f"{power:.2f}")
        else:
            label = text("figure.effective_rf.growth_power", kind=weight_label(weights), relu=relu, c=f"{c:.2f}",
                         power=f"{power:.2f}", power2=f"{power:.2f}")
        ax.plot(depths, sigmas, next(markers), markersize=4, label=label)
    ax.plot(depths, math.sqrt((k * k - 1) / 12) * np.sqrt(depths), "--", color="0.3", linewidth=1,
            label=text("figure.effective_rf.growth_exact"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks([1, 2, 4, 8, 16], labels=["1", "2", "4", "8", "16"])
    ax.set_yticks([0.5, 1, 2, 4, 8], labels=["0.5", "1", "2", "4", "8"])
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(text("figure.effective_rf.growth_x"))
    ax.set_ylabel(text("figure.effective_rf.growth_y"))
    ax.set_title(text("figure.effective_rf.growth_figure_title", k=k, k2=k), fontsize=10)
    ax.grid(alpha=0.3, which="both")
    figure.subplots_adjust(left=0.12, right=0.97, top=0.93, bottom=0.31)
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.45, -0.14), frameon=False)
    return figure
