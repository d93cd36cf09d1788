"""Effective receptive fields: which input pixels actually move one output (Luo et al., NeurIPS 2016).

The receptive field (感受野) of an output of L stacked k×k layers is a square of L·(k − 1) + 1
pixels: every pixel in it *can* change the output.  How much each one *does* is the gradient of
that output with respect to the input, ∂y/∂x.  For a stack of linear layers this gradient is the
kernels convolved with each other L times; by the central limit theorem that is a bell (a
Gaussian) whose width σ grows like √L, not like L.  So the effective receptive field fills a
shrinking part of the theoretical one: most of the square hardly matters.

:func:`effective_receptive_field` computes the gradient map for one depth; :func:`erf_by_depth`
does it for depths 1, 2, …, L with the same layers (depth d uses the first d layers), and
:func:`fit_sqrt_growth` fits σ ≈ a·√L to the widths.  With a ReLU the gradient comes from
autograd; a linear stack takes a shortcut that gives the same numbers (the tests check it): its
gradient is a delta sent back through each layer with ``conv_transpose2d``, the operation autograd
runs for a convolution's backward pass.

The explorer's settings (16 depths; every kernel size, kind of weights and nonlinearity it offers)
are precomputed: ``conv_lessons/data/effective_rf_table.npz``, written by ``tools/make_erf_table.py``
from this module's own computation, holds their fields, so a learner's first visit to a setting reads
a few kilobytes (a few milliseconds) instead of computing them (up to 170 ms for a ReLU stack: 136
backward steps of 128 samples).  A setting the table does not hold, or a table written with other
constants than today's, is computed.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

from .i18n import text
from .receptive_field import receptive_field
from .threads import one_thread
from .validation import (
    MEMORY_BUDGET,
    as_matrix,
    as_number_sequence,
    as_positive_int,
    as_seed,
    as_size_pair,
    check_memory,
    explain,
    message,
)

__all__ = [
    "WEIGHTS",
    "NONLINEARITIES",
    "EffectiveField",
    "effective_receptive_field",
    "erf_by_depth",
    "fit_sqrt_growth",
    "learned_kernel",
]

#: The kinds of layers to stack: random N(0, 1) weights (a fresh draw per sample), uniform weights
#: 1/(k_h·k_w) (a box blur), or the chapter's kernel as learned from the edge image (≈ [[1, −1]]).
WEIGHTS = ("random", "uniform", "learned")
NONLINEARITIES = ("none", "relu")
MAX_DEPTH = 64
DEFAULT_SAMPLES = 64  # random draws averaged for random weights ...
RELU_SAMPLES = 128  # ... and for a ReLU, which silences many draws
MARGIN = 2  # pixels of canvas around the largest receptive field
CACHE_ENTRY_BYTES = 4_000_000  # named stacks whose maps take at most this much are computed once and kept
#: The precomputed fields of the explorer's settings (see tools/make_erf_table.py).
TABLE_PATH = Path(__file__).resolve().parent / "data" / "effective_rf_table.npz"
TABLE_FORMAT = 1  # raise it when the computation changes its numbers: older tables are then ignored


@functools.cache
def _learned() -> torch.Tensor:
    from .correlation import corr2d
    from .images import edge_image
    from .training import learn_kernel

    X = edge_image()
    with one_thread():  # tiny work: PyTorch's worker threads would only wait for each other
        layer, _ = learn_kernel(X, corr2d(X, torch.tensor([[1.0, -1.0]])), (1, 2), lr=3e-2, num_epochs=10, seed=0)
    return layer.weight.detach()[0, 0].to(torch.float64)


def learned_kernel() -> torch.Tensor:
    """The chapter's kernel as training finds it: ``learn_kernel`` on the 6×8 edge image, 10 epochs
    at lr = 0.03, seed 0.  About [[1, −1]] (a 1×2 kernel)."""
    return _learned().clone()


@dataclasses.dataclass(frozen=True)
class EffectiveField:
    """The gradient map of one central output of a stack of layers, and its measurements.

    ``gradient`` is |∂y/∂x| for a fixed linear stack, or the mean of (∂y/∂x)² over the samples for
    random weights or a ReLU (the gradient's sign is then random, so its square is averaged, as in
    Luo et al.), normalised to sum to 1 (a distribution over input pixels), on a canvas of
    ``canvas`` pixels.  ``box`` is the theoretical receptive field
    ``((row_start, row_stop), (col_start, col_stop))`` on that canvas (stop exclusive), ``size`` its
    height and width.  ``centre`` is the gradient's mean position and ``sigma`` its standard
    deviation along the rows and along the columns, in pixels.
    """

    depth: int
    kernel_shape: tuple[int, int]
    weights: str
    nonlinearity: str
    gradient: torch.Tensor
    box: tuple[tuple[int, int], tuple[int, int]]
    size: tuple[int, int]
    centre: tuple[float, float]
    sigma: tuple[float, float]

    @property
    def canvas(self) -> tuple[int, int]:
        """The (height, width) of the input the gradient was taken on."""
        return tuple(self.gradient.shape)  # type: ignore[return-value]

    def mass_within(self, radius: float) -> float:
        """The share of the gradient within ``radius`` pixels (a disc) of its centre."""
        rows = torch.arange(self.canvas[0], dtype=torch.float64)[:, None] - self.centre[0]
        cols = torch.arange(self.canvas[1], dtype=torch.float64)[None, :] - self.centre[1]
        return float(self.gradient[(rows**2 + cols**2) <= radius**2].sum())


def _kernel_choice(weights: Any, kernel_size: Any) -> tuple[str, tuple[int, int], torch.Tensor | None]:
    """(name, kernel shape, fixed kernel or None for random) from the ``weights`` argument."""
    if isinstance(weights, str):
        if weights not in WEIGHTS:
            raise ValueError(message("weights", text("effective_rf.weights", choices=list(WEIGHTS)), repr(weights)))
        if weights == "learned":
            kernel = _learned()
            return weights, tuple(kernel.shape), kernel  # type: ignore[return-value]
        shape = as_size_pair(kernel_size, "kernel_size")
        if weights == "uniform":
            return weights, shape, torch.full(shape, 1.0 / (shape[0] * shape[1]), dtype=torch.float64)
        return weights, shape, None
    kernel = as_matrix(weights, "weights").detach().to(torch.float64)  # refuses NaN and inf
    if not bool(kernel.any()):
        raise ValueError(explain("weights", "effective_rf.zero_kernel"))
    return "custom", tuple(kernel.shape), kernel  # type: ignore[return-value]


def _nonlinearity(nonlinearity: Any) -> str:
    if nonlinearity is None:
        return "none"
    if not isinstance(nonlinearity, str) or nonlinearity.lower() not in NONLINEARITIES:
        raise ValueError(message("nonlinearity", text("effective_rf.nonlinearity", choices=list(NONLINEARITIES)),
                                 repr(nonlinearity)))
    return nonlinearity.lower()


def _measure(gradient: torch.Tensor) -> tuple[tuple[float, float], tuple[float, float]]:
    rows = torch.arange(gradient.shape[0], dtype=torch.float64)
    cols = torch.arange(gradient.shape[1], dtype=torch.float64)
    p_rows, p_cols = gradient.sum(1), gradient.sum(0)
    mean_r, mean_c = float((p_rows * rows).sum()), float((p_cols * cols).sum())
    sd_r = math.sqrt(max(float((p_rows * (rows - mean_r) ** 2).sum()), 0.0))
    sd_c = math.sqrt(max(float((p_cols * (cols - mean_c) ** 2).sum()), 0.0))
    return (mean_r, mean_c), (sd_r, sd_c)


# -- keeping the numbers in range -------------------------------------------------------------------
# The map is normalised in the end, so it does not care how large the gradient is; but after 64 layers
# the raw numbers over- or underflow float32 (a stack of ones(3, 3) reaches 9⁶⁴ ≈ 10⁶¹).  So every
# layer rescales each sample by a power of two that brings its largest value into [0.5, 1).  Scaling
# by a power of two is exact in floating point, and a ReLU does not care about a positive factor, so
# wherever nothing overflowed the numbers are the same, bit for bit, as without the rescaling.


def _power_of_two(values: torch.Tensor, dims: tuple[int, ...]) -> torch.Tensor:
    """Per-sample factors 2⁻ᵉ that bring the largest |value| over ``dims`` into [0.5, 1) (1 where all are 0)."""
    peak = values.abs().amax(dim=dims, keepdim=True)
    _, exponent = torch.frexp(peak)
    return torch.ldexp(torch.ones_like(peak), -exponent)


def _unit_kernel(kernel: torch.Tensor) -> torch.Tensor:
    """A fixed float64 kernel scaled by a power of two (largest |weight| in [0.5, 1)), then as float32."""
    return (kernel * _power_of_two(kernel, (0, 1))).to(torch.float32)


_CL = torch.channels_last  # depthwise convolutions run several times faster in this memory layout


def _linear_maps(layers: torch.Tensor) -> Iterator[torch.Tensor]:
    """∂y/∂x of the central output for depths 1, 2, … of a linear stack, each on its own receptive field.

    The gradient of a stack of cross-correlations is a delta sent backwards through every layer, and
    backwards through a cross-correlation is ``conv_transpose2d`` (what autograd runs).  One-channel
    convolutions commute, so the map of depth L is the map of depth L − 1 sent back through layer L:
    one small step per depth instead of a whole backward pass per depth.  Each sample's map is
    rescaled by a power of two per step (see above).  Yields one (samples, h, w) map per depth.
    """
    count = layers.shape[1]
    grad = torch.ones((1, count, 1, 1), dtype=layers.dtype)
    for layer in layers:
        grad = F.conv_transpose2d(grad, layer.contiguous(memory_format=_CL), groups=count)
        grad = grad * _power_of_two(grad, (2, 3))
        yield grad[0]


def _relu_maps(layers: torch.Tensor, start: torch.Tensor) -> Iterator[torch.Tensor]:
    """∂y/∂x of the central output for depths 1, 2, … of a stack with a ReLU after every layer.

    One forward pass records where each ReLU is on (its pre-activation > 0).  Then, for each depth,
    a delta at the central output goes back down through the layers, as autograd's backward pass
    would: through a ReLU it is kept where the ReLU was on and zeroed elsewhere, through a layer it
    is ``conv_transpose2d``.  Only the window that can reach the central output is carried (it grows
    by k − 1 per layer), not the whole canvas.  Activations and gradients are rescaled per sample by
    powers of two (see above); the gradient every few layers, as often as its growth requires.
    Yields one (samples, h, w) map per depth, on its receptive field.
    """
    count = layers.shape[1]
    # One layer multiplies a gradient's largest value by at most Σ|w|, a ReLU by at most 1: rescaling
    # every `every` layers keeps it below 2¹⁰⁰ (and at most 8 layers apart, so it cannot shrink to 0).
    growth = max(float(layers.abs().sum((-2, -1)).amax()), 2.0)
    every = max(1, min(8, int(100 * math.log(2) / math.log(growth))))
    forward = [layer.contiguous(memory_format=_CL) for layer in layers]
    on = []  # per layer: 1 where the ReLU lets the gradient through, 0 elsewhere
    y = start.contiguous(memory_format=_CL)
    for layer in forward:
        z = F.conv2d(y, layer, groups=count)
        z.mul_(_power_of_two(z, (2, 3)))
        on.append((z > 0).to(z.dtype))
        y = z.clamp_min_(0)
    del y, z
    for depth in range(1, len(layers) + 1):
        out_h, out_w = on[depth - 1].shape[-2:]
        i, j = (out_h - 1) // 2, (out_w - 1) // 2  # the central output
        grad = on[depth - 1][:, :, i:i + 1, j:j + 1]
        for step, below in enumerate(range(depth - 2, -2, -1), start=1):  # through layer below + 1, its ReLU
            grad = F.conv_transpose2d(grad.contiguous(memory_format=_CL), forward[below + 1], groups=count)
            if below >= 0:
                h, w = grad.shape[-2:]
                grad.mul_(on[below][:, :, i:i + h, j:j + w])
            if step % every == 0:
                grad.mul_(_power_of_two(grad, (2, 3)))
        yield grad[0]


def _autograd_maps(layers: torch.Tensor, start: torch.Tensor, relu: bool) -> list[torch.Tensor]:
    """∂y/∂x of the central output for depths 1, 2, …, by plain autograd (the reference the fast paths match).

    One forward pass through all the layers, then one backward pass from each depth's central output.
    """
    count = layers.shape[1]
    x = start.clone().requires_grad_(True)
    outputs, y = [], x
    for layer in layers:
        y = F.conv2d(y, layer, groups=count)  # each sample is its own channel
        if relu:
            y = F.relu(y)
        outputs.append(y)
    maps = []
    for depth, y in enumerate(outputs, start=1):
        out_h, out_w = y.shape[-2:]
        i, j = (out_h - 1) // 2, (out_w - 1) // 2  # the central output
        (grad,) = torch.autograd.grad(y[0, :, i, j].sum(), x, retain_graph=depth < len(outputs))
        k_h, k_w = (depth * (s - 1) + 1 for s in layers.shape[-2:])
        maps.append(grad[0, :, i:i + k_h, j:j + k_w])  # the rest of the canvas is exactly zero
    return maps


def _canvas(max_depth: int, shape: tuple[int, int]) -> tuple[int, int]:
    return (receptive_field([shape[0]] * max_depth) + 2 * MARGIN, receptive_field([shape[1]] * max_depth) + 2 * MARGIN)


def _check_budget(max_depth: int, shape: tuple[int, int], count: int, relu: bool, name: str) -> int:
    """Refuse (before allocating) a stack whose tensors exceed the package's memory budget; return the
    bytes of the result (the maps of every depth)."""
    size_h, size_w = _canvas(max_depth, shape)
    result = 4 * max_depth * size_h * size_w
    field_h, field_w = size_h - 2 * MARGIN, size_w - 2 * MARGIN
    per_sample = max(4 * max_depth * shape[0] * shape[1],  # the layers' weights
                     8 * field_h * field_w)  # the deepest map, as float64
    if relu:
        on = sum((size_h - d * (shape[0] - 1)) * (size_w - d * (shape[1] - 1)) for d in range(1, max_depth + 1))
        per_sample = max(per_sample, 4 * size_h * size_w, 4 * on)  # the random input; where each ReLU is on
    given = text("effective_rf.budget.given", shape=shape, depth=max_depth)
    canvas = f"{size_h}×{size_w}"
    check_memory("kernel_size", given, max(result, per_sample), text("effective_rf.budget.maps", canvas=canvas),
                 text("effective_rf.budget.maps_fix"))
    most = MEMORY_BUDGET // per_sample
    check_memory("samples", text("effective_rf.budget.samples_given", count=count, given=given), count * per_sample,
                 text("effective_rf.budget.draws", count=count, canvas=canvas),
                 text("effective_rf.budget.draws_fix", most=most))
    return result


def erf_by_depth(
    max_depth: int = 16,
    kernel_size: Any = 3,
    weights: Any = "random",
    nonlinearity: Any = "none",
    *,
    samples: int | None = None,
    seed: int = 0,
) -> list[EffectiveField]:
    """The effective receptive field of stacks of depth 1, 2, …, ``max_depth``, on one canvas.

    The stack is drawn once (``seed``): depth d uses its first d layers, so the maps of different
    depths are comparable.  Layers are 'valid' cross-correlations of one channel, k×k
    (``kernel_size``), with ``weights`` "random" (N(0, 1), a fresh draw per sample), "uniform"
    (1/k²), "learned" (the chapter's learned 1×2 kernel, see :func:`learned_kernel`) or a given 2-D
    kernel; ``nonlinearity`` "relu" puts a ReLU after every layer.  With random weights or a ReLU
    the gradient's sign is random, so the map averages (∂y/∂x)² over ``samples`` draws (random
    inputs, N(0, 1)), each draw normalised to sum 1 first so that no single draw dominates;
    otherwise it is |∂y/∂x|, which then does not depend on the input.  Every depth up to
    :data:`MAX_DEPTH` gives a finite σ (the numbers are rescaled per layer, see the module's code).
    Returns one :class:`EffectiveField` per depth.  Raises ``ValueError`` if the tensors would exceed
    the package's memory budget, or if a ReLU switches off the centre output in every draw.
    """
    max_depth = as_positive_int(max_depth, "max_depth")
    if max_depth > MAX_DEPTH:
        raise ValueError(explain("max_depth", "effective_rf.depth", got=str(max_depth), most=MAX_DEPTH))
    key, fixed = _setting(max_depth, kernel_size, weights, nonlinearity, samples, seed)
    result_bytes = _check_budget(max_depth, key.shape, key.count, key.relu == "relu", key.name)
    if key.name == "custom" or result_bytes > CACHE_ENTRY_BYTES:
        return _compute(key, fixed)
    # Small named stacks are read from the table or computed, once per setting (a lesson and its
    # explorer ask for the same ones); each call gets its own copies of the maps.
    fields = _cached(key)
    return [dataclasses.replace(field, gradient=field.gradient.clone()) for field in fields]


class _Key(NamedTuple):
    """Everything a stack's fields depend on (for named weights): its cache key and its name in the table."""

    max_depth: int
    shape: tuple[int, int]
    name: str  # "random", "uniform", "learned" or "custom"
    relu: str  # "none" or "relu"
    count: int  # samples
    seed: int


def _setting(max_depth: int, kernel_size: Any, weights: Any, nonlinearity: Any, samples: Any,
             seed: Any) -> tuple[_Key, torch.Tensor | None]:
    """The arguments of :func:`erf_by_depth` (``max_depth`` already checked) → (key, fixed kernel or None
    for random weights), with the default number of samples filled in."""
    name, shape, fixed = _kernel_choice(weights, kernel_size)
    relu = _nonlinearity(nonlinearity)
    seed = as_seed(seed, "seed")
    default = RELU_SAMPLES if relu == "relu" else DEFAULT_SAMPLES if fixed is None else 1
    count = default if samples is None else as_positive_int(samples, "samples")
    return _Key(max_depth, shape, name, relu, count, seed), fixed


@functools.lru_cache(maxsize=32)
def _cached(key: _Key) -> tuple[EffectiveField, ...]:
    """The fields of a named stack: from the precomputed table when it holds them, else computed."""
    tabulated = _tabulated(key)
    if tabulated is not None:
        return tabulated
    _, _, fixed = _kernel_choice(key.name, key.shape)
    return tuple(_compute(key, fixed))


def _compute(key: _Key, fixed: torch.Tensor | None) -> list[EffectiveField]:
    """The fields of depths 1, …, ``key.max_depth`` of a stack of ``fixed`` kernels (or random ones)."""
    max_depth, shape, name, relu, count, seed = key
    random = fixed is None or relu == "relu"
    k_h, k_w = shape
    size_h, size_w = _canvas(max_depth, shape)
    generator = torch.Generator().manual_seed(seed)
    if fixed is None:
        layers = torch.randn((max_depth, count, 1, k_h, k_w), generator=generator)
    else:
        layers = _unit_kernel(fixed).expand(max_depth, count, 1, k_h, k_w)
    fields = []
    with one_thread():
        if relu == "relu":
            start = torch.randn((1, count, size_h, size_w), generator=generator)
            maps = _relu_maps(layers, start)
        else:
            maps = _linear_maps(layers)
        for depth, local in enumerate(maps, start=1):
            fields.append(_field(depth, local, (size_h, size_w), shape, name, relu, random, count))
    return fields


def _field(depth: int, local: torch.Tensor, canvas: tuple[int, int], shape: tuple[int, int], name: str, relu: str,
           random: bool, count: int) -> EffectiveField:
    """One depth's map (samples, h, w) on its receptive field → the normalised map on the canvas, measured."""
    box, size = _window(depth, canvas, shape)
    if random:
        energy = local.double().square_()
        totals = energy.sum((1, 2), keepdim=True)
        magnitude = energy.div_(totals.clamp_min(1e-300)).mean(0)  # a draw with no gradient adds zeros
    else:
        magnitude = local[0].double().abs()
    gradient = torch.zeros(canvas, dtype=torch.float64)
    gradient[slice(*box[0]), slice(*box[1])] = magnitude
    total = float(gradient.sum())
    if not total > 0:
        raise ValueError(text("effective_rf.switched_off", depth=depth, count=count))
    gradient = gradient / total
    centre, sigma = _measure(gradient)
    return EffectiveField(depth, shape, name, relu, gradient.to(torch.float32), box, size, centre, sigma)


def _window(depth: int, canvas: tuple[int, int],
            shape: tuple[int, int]) -> tuple[tuple[tuple[int, int], tuple[int, int]], tuple[int, int]]:
    """(box, size) of the receptive field of the central output of ``depth`` layers of kernels of
    ``shape`` on ``canvas``: ``((row_start, row_stop), (col_start, col_stop))`` and (height, width)."""
    size = (depth * (shape[0] - 1) + 1, depth * (shape[1] - 1) + 1)  # receptive_field([k] * depth), quicker
    i, j = (canvas[0] - size[0]) // 2, (canvas[1] - size[1]) // 2
    return ((i, i + size[0]), (j, j + size[1])), size


# -- the precomputed table --------------------------------------------------------------------------
# One .npz file (a zip of .npy arrays; numpy reads only the members asked for).  Per setting two arrays:
# "<key>.gradient", the float32 gradient of every depth on its receptive field (the rest of the canvas
# is zero), flattened and joined depth after depth, and "<key>.stats", float64 (depth, 4): centre and σ
# (rows, columns) as the computation measured them.  "header" (JSON) records what the numbers depend on
# beyond the key; a setting is not read from a table whose header differs from :func:`_table_header`.


def _table_header(learned: bool) -> dict[str, Any]:
    """What tabulated fields depend on besides their key: the table's format, the module's constants and,
    if ``learned``, the learned kernel's float32 weights as the layers use them (training runs only then)."""
    header: dict[str, Any] = {"format": TABLE_FORMAT, "MARGIN": MARGIN, "DEFAULT_SAMPLES": DEFAULT_SAMPLES,
                              "RELU_SAMPLES": RELU_SAMPLES}
    if learned:
        header["learned"] = _unit_kernel(_learned()).flatten().tolist()
    return header


def _table_name(key: _Key) -> str:
    """The setting's name in the table, e.g. ``d16_k5x5_random_relu_n128_s0``."""
    return f"d{key.max_depth}_k{key.shape[0]}x{key.shape[1]}_{key.name}_{key.relu}_n{key.count}_s{key.seed}"


def _table_arrays(key: _Key, fields: list[EffectiveField] | tuple[EffectiveField, ...]) -> dict[str, np.ndarray]:
    """The table's arrays for one setting's fields, by member name (see above)."""
    windows = [field.gradient[slice(*field.box[0]), slice(*field.box[1])].reshape(-1) for field in fields]
    stats = np.array([[*field.centre, *field.sigma] for field in fields], dtype=np.float64)
    name = _table_name(key)
    return {f"{name}.gradient": torch.cat(windows).numpy(), f"{name}.stats": stats}


def _tabulated(key: _Key) -> tuple[EffectiveField, ...] | None:
    """The fields of a setting as the table (:data:`TABLE_PATH`) holds them, the same objects the
    computation returns; None when there is no table, it lacks the setting or was written with other
    constants (see :func:`_table_header`).  Reads only the setting's two arrays."""
    name = _table_name(key)
    if not TABLE_PATH.is_file():
        return None
    with np.load(TABLE_PATH, allow_pickle=False) as table:
        if f"{name}.stats" not in table.files:
            return None
        written = json.loads(str(table["header"]))
        if any(written.get(item) != value for item, value in _table_header(key.name == "learned").items()):
            return None
        flat, stats = torch.from_numpy(table[f"{name}.gradient"]), table[f"{name}.stats"].tolist()
    canvas = _canvas(key.max_depth, key.shape)
    fields, start = [], 0
    for depth, (centre_r, centre_c, sigma_r, sigma_c) in enumerate(stats, start=1):
        box, size = _window(depth, canvas, key.shape)
        gradient = torch.zeros(canvas, dtype=torch.float32)
        gradient[slice(*box[0]), slice(*box[1])] = flat[start:start + size[0] * size[1]].reshape(size)
        start += size[0] * size[1]
        fields.append(EffectiveField(depth, key.shape, key.name, key.relu, gradient, box, size,
                                     (centre_r, centre_c), (sigma_r, sigma_c)))
    return tuple(fields)


def effective_receptive_field(
    depth: int,
    kernel_size: Any = 3,
    weights: Any = "random",
    nonlinearity: Any = "none",
    *,
    samples: int | None = None,
    seed: int = 0,
) -> EffectiveField:
    """The gradient of one central output of ``depth`` stacked layers with respect to the input.

    Same arguments as :func:`erf_by_depth`; returns the :class:`EffectiveField` of that depth:
    the normalised |∂y/∂x| map beside the theoretical receptive-field box, with the map's width σ.
    """
    depth = as_positive_int(depth, "depth")
    if depth > MAX_DEPTH:
        raise ValueError(explain("depth", "effective_rf.depth", got=str(depth), most=MAX_DEPTH))
    return erf_by_depth(depth, kernel_size, weights, nonlinearity, samples=samples, seed=seed)[-1]


def fit_sqrt_growth(depths: Any, sigmas: Any) -> tuple[float, float]:
    """Fit the widths two ways: σ ≈ a·√L (least squares) and σ ≈ c·L^b (a line in log–log).

    Returns ``(a, b)``: the √L coefficient and the fitted power of L (about 0.5 for an effective
    receptive field, 1 for the theoretical one).
    """
    depths = as_number_sequence(depths, "depths")
    sigmas = as_number_sequence(sigmas, "sigmas")
    if len(depths) != len(sigmas) or len(depths) < 2:
        raise ValueError(explain("depths, sigmas", "effective_rf.fit.lengths", depths=len(depths),
                                 sigmas=len(sigmas)))
    if min(depths) <= 0 or min(sigmas) <= 0:
        raise ValueError(explain("depths, sigmas", "effective_rf.fit.positive", depth=f"{min(depths):g}",
                                 sigma=f"{min(sigmas):g}"))
    if len(set(depths)) < 2:
        raise ValueError(explain("depths", "effective_rf.fit.vary", depth=f"{depths[0]:g}"))
    L = torch.tensor(depths, dtype=torch.float64)
    s = torch.tensor(sigmas, dtype=torch.float64)
    a = float((s * L.sqrt()).sum() / L.sum())
    x, y = L.log(), s.log()
    b = float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())
    return a, b
