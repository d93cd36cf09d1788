"""Lesson 03, learning a kernel: the learning rates the loss's curvature allows.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from ..i18n import text
from ..training import loss_hessian
from ..validation import as_matrix
from .verdict import (
    CheckResult,
    _fmt,
    _number_answer,
    _run,
    _shape_pair,
    _shape_text,
)

# --------------------------------------------------------------------------------------------
# Lesson 03: the learning rates the loss's curvature allows
# --------------------------------------------------------------------------------------------


def _curvatures(X: Any, kernel_size: Any) -> tuple[float, float, tuple[int, int], tuple[int, int]]:
    """λ_min and λ_max of the loss's Hessian H = 2PᵀP (P: the windows of X, one per row)."""
    image = X
    if image is None:
        from ..images import edge_image

        image = edge_image()
    image = as_matrix(torch.as_tensor(image) if not isinstance(image, torch.Tensor) else image, "X").to(torch.float64)
    size = _shape_pair(kernel_size, "kernel_size")
    if size[0] > image.shape[0] or size[1] > image.shape[1]:
        raise ValueError(text("check.author.does_not_fit_x", name="kernel_size", value=kernel_size,
                              shape=tuple(image.shape)))
    eigenvalues = torch.linalg.eigvalsh(loss_hessian(image, size))
    return float(eigenvalues[0]), float(eigenvalues[-1]), tuple(image.shape), size


def check_stable_lr(answer: Any, X: Any = None, kernel_size: Any = (1, 2)) -> CheckResult:
    """Lesson 03: the largest learning rate at which gradient descent on Σ(Ŷ − Y)² still converges.

    ``X`` is the input image (default: the chapter's 6×8 edge image) and ``kernel_size`` the
    kernel's shape.  The loss is a quadratic bowl with Hessian H = 2PᵀP (P: one window of X per
    row); the limit is 2/λ_max (within 2 %).  Hints: 2/λ_min, 1/λ_max, H without its factor 2,
    the edge image's limit given for another image, a stable rate that is not the largest.

    Lesson 03 asks for this limit in its core, before *Going deeper* brings in the eigenvalues, so
    a rate that is simply too small or too large is first pointed at what the core showed (the
    loss curve that falls below the limit and grows above it, the training explorer's readout),
    and only then at the eigenvalues of H.
    """
    lam_min, lam_max, shape, size = _curvatures(X, kernel_size)
    if lam_max <= 0:
        raise ValueError(text("check.lesson03.all_zero_windows"))
    truth = 2 / lam_max
    exercise = text("check.lesson03.stable_lr.exercise", image=_shape_text(shape), kernel=_shape_text(size))
    edge_limit = 1 / 30  # the chapter's X with a 1×2 kernel

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, text("check.lesson03.what"))
        if math.isclose(value, truth, rel_tol=0.02):
            return True, text("check.lesson03.stable_lr.correct", lam_max=_fmt(lam_max), limit=f"{truth:.4g}")
        if value <= 0:
            return False, text("check.lesson03.positive")
        if not math.isclose(truth, edge_limit, rel_tol=0.02) and math.isclose(value, edge_limit, rel_tol=0.02):
            return False, text("check.lesson03.stable_lr.edge_image")
        if lam_min > 0 and not math.isclose(lam_min, lam_max) and math.isclose(value, 2 / lam_min, rel_tol=0.02):
            return False, text("check.lesson03.stable_lr.flattest")
        if math.isclose(value, truth / 2, rel_tol=0.02):
            return False, text("check.lesson03.stable_lr.half")
        if math.isclose(value, 2 * truth, rel_tol=0.02):
            return False, text("check.lesson03.stable_lr.twice", factor=_fmt(abs(1 - value * lam_max)))
        if value < truth:
            return False, text("check.lesson03.stable_lr.too_small", lr=f"{value:.4g}")
        return False, text("check.lesson03.stable_lr.too_large", lr=f"{value:.4g}",
                           factor=_fmt(abs(1 - value * lam_max)))

    return _run(exercise, text("check.lesson03.what"), answer, judge)


def check_fastest_lr(answer: Any, X: Any = None, kernel_size: Any = (1, 2)) -> CheckResult:
    """Lesson 03: the learning rate that makes gradient descent converge fastest.

    The error along H's eigenvector with eigenvalue λ is multiplied by 1 − lr·λ per epoch; the
    slowest direction sets the speed, so the best rate makes the two extreme factors equal:
    lr = 2/(λ_min + λ_max) (within 1 %), with factor (λ_max − λ_min)/(λ_max + λ_min).  Default:
    the chapter's edge image and a 1×2 kernel (λ = 12 and 60: lr = 1/36, factor 2/3).  Hints give
    both factors at the learner's rate and name the stability limit and 1/λ_max.
    """
    lam_min, lam_max, shape, size = _curvatures(X, kernel_size)
    if lam_min <= 0:
        raise ValueError(text("check.lesson03.singular"))
    truth = 2 / (lam_min + lam_max)
    best = (lam_max - lam_min) / (lam_max + lam_min)
    exercise = text("check.lesson03.fastest_lr.exercise", image=_shape_text(shape), kernel=_shape_text(size))

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, text("check.lesson03.what"))
        if math.isclose(value, truth, rel_tol=0.01):
            return True, text("check.lesson03.fastest_lr.correct", sum=_fmt(lam_min + lam_max), lr=f"{truth:.4g}",
                              factor=_fmt(best))
        if value <= 0:
            return False, text("check.lesson03.positive")
        steep, shallow = abs(1 - value * lam_max), abs(1 - value * lam_min)
        if math.isclose(value, 2 / lam_max, rel_tol=0.01):
            return False, text("check.lesson03.fastest_lr.limit")
        if value > 2 / lam_max:
            return False, text("check.lesson03.fastest_lr.diverges", lr=f"{value:.4g}", factor=_fmt(steep))
        if math.isclose(value, 1 / lam_max, rel_tol=0.01):
            return False, text("check.lesson03.fastest_lr.one_step", factor=_fmt(shallow))
        return False, text("check.lesson03.fastest_lr.steep_slower" if steep > shallow
                           else "check.lesson03.fastest_lr.shallow_slower", lr=f"{value:.4g}", steep=_fmt(steep),
                           shallow=_fmt(shallow))

    return _run(exercise, text("check.lesson03.what"), answer, judge)
