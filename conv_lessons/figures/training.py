"""Lesson 03's pictures: learning the chapter's kernel [[1, −1]] by gradient descent.

Three panels tell one story:

* **the loss bowl** — the loss Σ (window · w − y)² as contours over the two kernel weights, the
  path gradient descent takes from its random start to the target [1, −1], and the bowl's two
  principal directions (steep, curvature λ = 60; shallow, λ = 12 for the chapter's 6×8 image);
* **the loss per epoch** (log scale), the numbers the chapter's loop prints;
* **the two weights per epoch**, converging to +1 and −1 (dashed).

A learning rate above the stable limit 2/λ_max makes the path zigzag outwards: :func:`describe_run`
says why (the factor |1 − lr·λ| per epoch), and the panels stay readable when the loss overflows.

* :func:`training_figure` — the three panels for one learning rate, number of epochs and seed.
* :func:`learned_kernel_figure` — a learned kernel beside the true one, and their difference.
* :class:`TrainingPicture` — the panels themselves; :mod:`conv_lessons.explorers.training` animates them.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from ..correlation import corr2d
from ..i18n import text
from ..images import edge_image
from ..matrix import im2col
from ..style import ERROR, HIGHLIGHT, NEGATIVE, POSITIVE, START
from ..threads import one_thread
from ..training import learn_kernel, loss_hessian, stable_lr_limit
from ..validation import as_matrix, as_nonnegative_int, as_positive_float, as_positive_int, explain
from .common import MatrixPlot, to_numpy

__all__ = [
    "training_figure",
    "learned_kernel_figure",
    "TrainingPicture",
    "TrainingRun",
    "run_training",
    "chapter_problem",
    "describe_run",
]

BOWL_VIEW = ((-1.5, 2.5), (-2.5, 1.5))  # (w[0, 0] range, w[0, 1] range): start region and target
LOSS_LOWS = (1e-2, 1e-5, 1e-8, 1e-12)  # the loss axis's possible bottoms (below: drawn at the floor)
LOSS_HIGHS = (1e3, 1e8, 1e20, 1e40)  # ... and tops (float32 overflows near 3e38)
WEIGHT_VIEW = 2.5  # the weights panel shows −2.5 … 2.5; a diverging run leaves it (and says so)


def chapter_problem() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The chapter's data: X = edge_image() (6×8), K = [[1, −1]] and Y = corr2d(X, K)."""
    X = edge_image()
    K = torch.tensor([[1.0, -1.0]])
    return X, K, corr2d(X, K)


@dataclass(frozen=True)
class _Bowl:
    """The loss as a quadratic bowl in the kernel weights: L(w) = ‖P w − y‖², Hessian H = 2 PᵀP."""

    P: np.ndarray  # one window of X per row
    y: np.ndarray
    hessian: np.ndarray
    eigenvalues: np.ndarray  # ascending
    eigenvectors: np.ndarray  # columns
    limit: float  # 2 / λ_max, from the package's stable_lr_limit

    @classmethod
    def of(cls, X: torch.Tensor, Y: torch.Tensor, kernel_size: tuple[int, int]) -> _Bowl:
        P = im2col(X.detach().to(torch.float64), kernel_size).T.numpy()
        H = loss_hessian(X, kernel_size).numpy()
        values, vectors = np.linalg.eigh(H)
        y = Y.detach().to(torch.float64).flatten().numpy()
        return cls(P, y, H, values, vectors, stable_lr_limit(X, kernel_size))

    def loss(self, w0: np.ndarray, w1: np.ndarray) -> np.ndarray:
        """The loss at every (w0, w1) of a grid (for 1×2 kernels)."""
        residual = self.P[:, 0, None, None] * w0 + self.P[:, 1, None, None] * w1 - self.y[:, None, None]
        return (residual**2).sum(axis=0)


@dataclass(frozen=True)
class TrainingRun:
    """One training run: the weights before training and after every epoch, the loss of every
    epoch (as the loop prints it: measured before that epoch's update), and the settings."""

    lr: float
    num_epochs: int
    seed: int
    weights: np.ndarray  # (num_epochs + 1, k_h·k_w); row 0 is the random start
    losses: np.ndarray  # (num_epochs,)

    @property
    def diverged_numerically(self) -> bool:
        """True when the loss or a weight overflowed to inf/nan."""
        return not (np.isfinite(self.losses).all() and np.isfinite(self.weights).all())

    def first_overflow(self) -> int | None:
        """The first epoch whose loss is inf/nan (None if none is)."""
        bad = np.flatnonzero(~np.isfinite(self.losses))
        return int(bad[0]) + 1 if bad.size else None



def run_training(X: Any, Y: Any, kernel_size: Any = (1, 2), lr: float = 3e-2, num_epochs: int = 10,
                 seed: int = 0) -> TrainingRun:
    """Train with the package's :func:`~conv_lessons.learn_kernel` and record every epoch's kernel.

    Divergence is not an error here: the loss and weights are recorded as they come (inf/nan
    included) and the :class:`~conv_lessons.DivergenceWarning` is swallowed, since the explorer
    explains it in words.
    """
    weights: list[list[float]] = []
    with one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start, _ = learn_kernel(X, Y, kernel_size, lr=lr, num_epochs=0, seed=seed)
        weights.append(start.weight.detach().flatten().tolist())
        _, losses = learn_kernel(X, Y, kernel_size, lr=lr, num_epochs=num_epochs, seed=seed,
                                 callback=lambda epoch, loss, w: weights.append(w.flatten().tolist()))
    return TrainingRun(float(lr), int(num_epochs), int(seed), np.array(weights, dtype=np.float64),
                       np.array(losses, dtype=np.float64))


def _factor(lr: float, curvature: float) -> float:
    return 1.0 - lr * curvature


def describe_run(run: TrainingRun, bowl: _Bowl) -> tuple[str, str | None]:
    """Two texts for the explorer: a status summary and, if the rate is unstable, the warning."""
    lam_small, lam_big = float(bowl.eigenvalues[0]), float(bowl.eigenvalues[-1])
    steep, shallow = _factor(run.lr, lam_big), _factor(run.lr, lam_small)
    last = run.weights[-1]
    kernel = "[" + ", ".join(f"{v:.4g}" for v in last) + "]" if np.isfinite(last).all() else "inf/nan"
    loss = run.losses[-1]
    status = "\n".join((
        text("figure.training.status.lr", lr=f"{run.lr:.4g}", lam=f"{lam_big:g}", limit=f"{bowl.limit:.4g}"),
        text("figure.training.status.factors", big=f"{lam_big:g}", steep=f"{steep:+.3f}", abs_steep=f"{abs(steep):.3f}",
             small=f"{lam_small:g}", shallow=f"{shallow:+.3f}", abs_shallow=f"{abs(shallow):.3f}"),
        text("figure.training.status.after", epochs=run.num_epochs, seed=run.seed, kernel=kernel, loss=f"{loss:.4g}"),
    ))
    if run.lr < bowl.limit:
        return status, None
    overflow = run.first_overflow()
    if overflow is not None:
        happened = text("figure.training.happened.overflow", epoch=overflow)
    elif run.num_epochs > 1 and run.losses[-1] > run.losses[0]:
        happened = text("figure.training.happened.grew", first=f"{run.losses[0]:.3g}", last=f"{run.losses[-1]:.3g}")
    else:
        happened = text("figure.training.happened.more")
    if abs(abs(steep) - 1) < 1e-9:
        growth = text("figure.training.growth.flip")
    else:
        growth = text("figure.training.growth.grows", factor=f"{abs(steep):.2f}")
    warning = text("figure.training.warning", lr=f"{run.lr:.4g}", lam=f"{lam_big:g}", limit=f"{bowl.limit:.4g}",
                   factor=f"{steep:.3f}", growth=growth, happened=happened)
    return status, warning


class TrainingPicture:
    """The three panels (loss bowl with the path, loss per epoch, weights per epoch) on a figure.

    Built once; :meth:`show` puts a new run in place and returns True when a static part (axis
    limits or scale) changed, so an explorer knows to redraw the whole figure.
    """

    def __init__(self, figure: Figure, X: torch.Tensor, Y: torch.Tensor, target: torch.Tensor) -> None:
        self.figure = figure
        self.bowl = _Bowl.of(X, Y, (1, 2))
        self.target = to_numpy(target).flatten()
        bowl_ax, loss_ax, weight_ax = figure.subplots(1, 3, gridspec_kw={"width_ratios": [1.0, 1.15, 1.15]})
        figure.subplots_adjust(left=0.06, right=0.985, bottom=0.16, top=0.80, wspace=0.32)
        self.axes = (bowl_ax, loss_ax, weight_ax)
        self._draw_bowl(bowl_ax)
        (self.loss_line,) = loss_ax.plot([], [], "o-", color="0.15", markersize=3, linewidth=1.2)
        (self.overflow_marks,) = loss_ax.plot([], [], "x", color=ERROR, markersize=7, mew=2)
        self.overflow_text = loss_ax.text(0.97, 0.04, "", transform=loss_ax.transAxes, ha="right", va="bottom",
                                          color=ERROR, fontsize=9,
                                          bbox={"facecolor": "white", "alpha": 0.85, "linewidth": 0})
        loss_ax.set_yscale("log")
        loss_ax.set_title(text("figure.training.loss_title"), fontsize=10, y=1.0)
        loss_ax.set_xlabel(text("figure.training.epoch"))
        loss_ax.set_ylabel(text("figure.training.loss_label"))
        loss_ax.grid(True, which="major", color="0.9")
        for value, colour in zip(self.target, (POSITIVE, NEGATIVE), strict=True):
            weight_ax.axhline(value, color=colour, linestyle="--", linewidth=1, alpha=0.7)
        (self.w0_line,) = weight_ax.plot([], [], "o-", color=POSITIVE, markersize=3, label="w[0, 0] → 1")
        (self.w1_line,) = weight_ax.plot([], [], "o-", color=NEGATIVE, markersize=3, label="w[0, 1] → −1")
        weight_ax.axhline(0, color="0.6", linewidth=0.6)
        weight_ax.set_ylim(-WEIGHT_VIEW, WEIGHT_VIEW)
        self.escape_text = weight_ax.text(0.98, 0.03, "", transform=weight_ax.transAxes, fontsize=8.5,
                                          color=ERROR, va="bottom", ha="right",
                                          bbox={"facecolor": "white", "alpha": 0.85, "linewidth": 0})
        weight_ax.set_title(text("figure.training.weights_title"), fontsize=10, y=1.0)
        weight_ax.set_xlabel(text("figure.training.epoch_start"))
        weight_ax.legend(loc="center right", fontsize=8, framealpha=0.9)
        self.title = figure.suptitle("", fontsize=11, y=0.975)
        self.limits: tuple[Any, ...] = ()

    def _draw_bowl(self, ax: Any) -> None:
        (x_lo, x_hi), (y_lo, y_hi) = BOWL_VIEW
        w0, w1 = np.meshgrid(np.linspace(x_lo, x_hi, 161), np.linspace(y_lo, y_hi, 161))
        loss = np.maximum(self.bowl.loss(w0, w1), 1e-3)
        levels = np.geomspace(0.05, float(loss.max()), 14)
        ax.contourf(w0, w1, loss, levels=levels, norm=LogNorm(), cmap="Blues_r", alpha=0.55, extend="both")
        ax.contour(w0, w1, loss, levels=levels, norm=LogNorm(), colors="0.45", linewidths=0.5)
        centre = self.target
        directions = zip(self.bowl.eigenvalues, self.bowl.eigenvectors.T, ("shallow", "steep"), strict=True)
        for value, vector, name in directions:
            ends = np.array([centre - 3.5 * vector, centre + 3.5 * vector])
            ax.plot(ends[:, 0], ends[:, 1], ":", color="0.25", linewidth=1)
            tip = centre + (1.3 if name == "steep" else 1.25) * vector * (1 if vector[1] < 0 else -1)
            label = f"{text('figure.training.' + name)}\nλ = {value:g}"
            ax.text(tip[0], tip[1], label, fontsize=8, color="0.2", ha="center", va="center",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75, "linewidth": 0})
        ax.plot(*centre, marker="*", color="black", markersize=13, linestyle="none")
        ax.annotate(text("figure.training.target"), centre, xytext=(6, -12), textcoords="offset points", fontsize=8)
        (self.path,) = ax.plot([], [], "o-", color=HIGHLIGHT, markersize=3.5, linewidth=1.4)
        (self.start,) = ax.plot([], [], "o", color=START, markersize=8, markeredgecolor="white")
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(y_lo, y_hi)
        ax.set_aspect("equal")
        ax.set_xlabel("w[0, 0]")
        ax.set_ylabel("w[0, 1]")
        ax.set_title(text("figure.training.bowl_title"), fontsize=10, y=1.0)

    @property
    def artists(self) -> list[Any]:
        """The artists that change from run to run."""
        return [self.path, self.start, self.loss_line, self.overflow_marks, self.overflow_text, self.w0_line,
                self.w1_line, self.escape_text, self.title]

    def show(self, run: TrainingRun) -> bool:
        """Put ``run`` into the panels; return True if axis limits or scales changed."""
        weights = np.where(np.isfinite(run.weights), run.weights, np.nan)
        (x_lo, x_hi), (y_lo, y_hi) = BOWL_VIEW
        inside = (weights[:, 0] >= x_lo) & (weights[:, 0] <= x_hi) & (weights[:, 1] >= y_lo) & (weights[:, 1] <= y_hi)
        path = _until_first_exit(weights, inside)  # a diverging path is drawn until it leaves the view
        self.path.set_data(path[:, 0], path[:, 1])
        self.start.set_data(weights[:1, 0], weights[:1, 1])
        epochs = np.arange(1, run.num_epochs + 1)
        finite = np.isfinite(run.losses)
        low, high = self._loss_limits(run.losses[finite])
        shown = np.where(finite, np.clip(run.losses, low, None), np.nan)
        self.loss_line.set_data(epochs, shown)
        self.overflow_marks.set_data(epochs[~finite], np.full(int((~finite).sum()), high / 3))
        overflow = run.first_overflow()
        self.overflow_text.set_text("" if overflow is None else text("figure.training.overflow", epoch=overflow))
        steps = np.arange(run.num_epochs + 1)
        shown = _until_first_exit(weights, (np.abs(weights) <= WEIGHT_VIEW).all(axis=1))
        self.w0_line.set_data(steps[:len(shown)], shown[:, 0])
        self.w1_line.set_data(steps[:len(shown)], shown[:, 1])
        stable = run.lr < self.bowl.limit
        self.title.set_text(text("figure.training.title", lr=f"{run.lr:.4g}", sign="<" if stable else "≥",
                                 limit=f"{self.bowl.limit:.4g}",
                                 verdict=text("figure.training.converges" if stable else "figure.training.diverges"),
                                 epochs=run.num_epochs, seed=run.seed))
        self.title.set_color("black" if run.lr < self.bowl.limit else ERROR)
        self._show_escape(weights)
        limits = (self._epoch_limit(run.num_epochs), low, high)
        if limits == self.limits:
            return False
        self.limits = limits
        loss_ax, weight_ax = self.axes[1], self.axes[2]
        loss_ax.set_xlim(0.5, limits[0] + 0.5)
        loss_ax.set_ylim(low, high)
        weight_ax.set_xlim(-0.5, limits[0] + 0.5)
        return True

    def _show_escape(self, weights: np.ndarray) -> None:
        """Say when (and how far) the weights leave the fixed ±2.5 window of the weights panel."""
        outside = ~(np.abs(weights) <= WEIGHT_VIEW).all(axis=1)  # nan counts as outside
        if not outside.any():
            self.escape_text.set_text("")
            return
        first = int(np.flatnonzero(outside)[0])
        finite = np.abs(weights[np.isfinite(weights)])
        peak = text("figure.training.peak", value=f"{finite.max():.1e}") if finite.size else text(
            "figure.training.peak_none")
        if finite.size and not np.isfinite(weights).all():
            peak += text("figure.training.then_inf")
        self.escape_text.set_text(text("figure.training.escape", epoch=first, peak=peak))

    @staticmethod
    def _epoch_limit(num_epochs: int) -> int:
        """The epoch axis ends at the next multiple of 10, so most epoch changes keep the axes."""
        return max(10, 10 * math.ceil(num_epochs / 10))

    @staticmethod
    def _loss_limits(finite: np.ndarray) -> tuple[float, float]:
        """Coarse limits around the finite losses, so most changes keep the axes (and the figure's
        cached background): the lowest of LOSS_LOWS below the smallest loss, the first of
        LOSS_HIGHS above the largest."""
        positive = finite[finite > 0]
        if positive.size == 0:
            return LOSS_LOWS[-1], LOSS_HIGHS[-1]
        smallest, largest = float(positive.min()), float(positive.max())
        low = next((v for v in LOSS_LOWS if v <= smallest), LOSS_LOWS[-1])
        high = next((v for v in LOSS_HIGHS if v >= 2 * largest), LOSS_HIGHS[-1])
        return low, high


def _until_first_exit(points: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """``points`` up to and including the first one outside the view (the line runs off the edge
    there); a diverging run is not drawn as a wall of lines criss-crossing the panel."""
    outside = np.flatnonzero(~inside)
    return points if outside.size == 0 else points[: outside[0] + 1]


def training_figure(lr: float = 3e-2, num_epochs: int = 10, seed: int = 0) -> Figure:
    """A static picture of learning the chapter's kernel: the path in the loss bowl, the loss per
    epoch and the two weights per epoch, for one learning rate, number of epochs and seed."""
    lr = as_positive_float(lr, "lr")
    num_epochs = as_positive_int(num_epochs, "num_epochs")
    seed = as_nonnegative_int(seed, "seed")
    X, K, Y = chapter_problem()
    figure = Figure(figsize=(12.0, 3.9), dpi=90)
    picture = TrainingPicture(figure, X, Y, K)
    picture.show(run_training(X, Y, (1, 2), lr=lr, num_epochs=num_epochs, seed=seed))
    return figure


def learned_kernel_figure(learned: Any, true: Any, *, fmt: str = "{:.3f}") -> Figure:
    """The learned kernel, the true kernel and their difference (learned − true), as grids of
    numbers on one signed colour scale, so a near-perfect fit shows as a white difference."""
    learned = as_matrix(learned, "learned").detach()
    true = as_matrix(true, "true").detach()
    if learned.shape != true.shape:
        raise ValueError(explain("learned", "figure.training.same_shape", got=str(tuple(learned.shape)),
                                 shape=tuple(true.shape)))
    k_h, k_w = true.shape
    cell = 0.75  # inches per kernel cell
    figure = Figure(figsize=(3 * (k_w * cell + 0.45) + 1.0, k_h * cell + 0.9), dpi=100)
    axes = figure.subplots(1, 3)
    half = float(max(learned.abs().max(), true.abs().max())) or 1.0
    panels = ((learned, text("figure.training.learned"), fmt), (true, text("figure.training.true"), fmt),
              (learned - true, text("figure.training.difference"), "{:.4f}"))
    for ax, (values, title, cell_fmt) in zip(axes, panels, strict=True):
        array = to_numpy(values)
        plot = MatrixPlot(ax, array, title=title, signed=True, fmt=cell_fmt, annotate=True, fontsize=9)  # no "-0.000"
        ax.title.set_fontsize(10)
        plot.image.norm.halfrange = half  # one colour scale for all three panels ...
        plot.recolour_texts()  # ... so the numbers' colours are recomputed for it
        ax.set_xticks([])
        ax.set_yticks([])
    figure.subplots_adjust(left=0.02, right=0.9, bottom=0.04, top=0.82, wspace=0.12)
    colour_axes = figure.add_axes((0.92, 0.1, 0.015, 0.66))
    figure.colorbar(plot.image, cax=colour_axes).ax.tick_params(labelsize=8)
    return figure
