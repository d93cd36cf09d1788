"""Lesson 03, learning a kernel: the learning rates the loss's curvature allows.
"""

from __future__ import annotations

import math
from typing import Any

import torch

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
        raise ValueError(f"kernel_size: {kernel_size} does not fit in X of shape {tuple(image.shape)}.")
    eigenvalues = torch.linalg.eigvalsh(loss_hessian(image, size))
    return float(eigenvalues[0]), float(eigenvalues[-1]), tuple(image.shape), size


def check_stable_lr(answer: Any, X: Any = None, kernel_size: Any = (1, 2)) -> CheckResult:
    """Lesson 03: the largest learning rate at which gradient descent on Σ(Ŷ − Y)² still converges.

    ``X`` is the input image (default: the chapter's 6×8 edge image) and ``kernel_size`` the
    kernel's shape.  The loss is a quadratic bowl with Hessian H = 2PᵀP (P: one window of X per
    row); the limit is 2/λ_max (within 2 %).  Hints: 2/λ_min, 1/λ_max, H without its factor 2,
    the edge image's limit given for another image, a stable rate that is not the largest.
    """
    lam_min, lam_max, shape, size = _curvatures(X, kernel_size)
    if lam_max <= 0:
        raise ValueError("X: every window of this image is zero, so any learning rate is stable.")
    truth = 2 / lam_max
    exercise = f"largest stable learning rate ({_shape_text(shape)} image, {_shape_text(size)} kernel)"
    edge_limit = 1 / 30  # the chapter's X with a 1×2 kernel

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, "a number (the learning rate)")
        if math.isclose(value, truth, rel_tol=0.02):
            return True, (f"2/λ_max = 2/{_fmt(lam_max)} = {truth:.4g}. Along H's steepest direction the error is "
                          "multiplied by 1 − lr·λ_max every epoch; beyond this rate that factor is below −1 and the "
                          "error zigzags outwards.")
        if value <= 0:
            return False, "A learning rate is a positive number: the step goes down the gradient."
        if not math.isclose(truth, edge_limit, rel_tol=0.02) and math.isclose(value, edge_limit, rel_tol=0.02):
            return False, ("That is the limit for the chapter's edge image. H = 2PᵀP depends on the windows of "
                           "this image: count them again.")
        if lam_min > 0 and not math.isclose(lam_min, lam_max) and math.isclose(value, 2 / lam_min, rel_tol=0.02):
            return False, ("That is the limit for the flattest direction of the bowl. Every direction must shrink, "
                           "so the steepest one (the largest eigenvalue of H) decides.")
        if math.isclose(value, truth / 2, rel_tol=0.02):
            return False, ("Half the limit. At that rate the steepest direction converges in one step (factor 0); "
                           "it diverges only once |1 − lr·λ_max| > 1.")
        if math.isclose(value, 2 * truth, rel_tol=0.02):
            return False, "Twice the limit: did you leave out the 2 in H = 2PᵀP (the derivative of a square)?"
        if value < truth:
            return False, (f"At lr = {value:.4g} training converges, but larger rates do too. Which rate makes the "
                           "steepest direction's factor |1 − lr·λ_max| reach 1?")
        return False, (f"At lr = {value:.4g} the steepest direction's factor |1 − lr·λ_max| is "
                       f"{_fmt(abs(1 - value * lam_max))}, above 1: training diverges. Find the eigenvalues of "
                       "H = 2PᵀP.")

    return _run(exercise, "a number (the learning rate)", answer, judge)


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
        raise ValueError("X: H is singular for this image and kernel, so some direction never converges.")
    truth = 2 / (lam_min + lam_max)
    best = (lam_max - lam_min) / (lam_max + lam_min)
    exercise = f"fastest learning rate ({_shape_text(shape)} image, {_shape_text(size)} kernel)"

    def judge() -> tuple[bool, str]:
        value = _number_answer(answer, "a number (the learning rate)")
        if math.isclose(value, truth, rel_tol=0.01):
            return True, (f"lr = 2/(λ_min + λ_max) = 2/{_fmt(lam_min + lam_max)} = {truth:.4g}: both directions "
                          f"shrink by the same factor, {_fmt(best)} per epoch. Any other rate makes one of them "
                          "slower.")
        if value <= 0:
            return False, "A learning rate is a positive number: the step goes down the gradient."
        steep, shallow = abs(1 - value * lam_max), abs(1 - value * lam_min)
        if math.isclose(value, 2 / lam_max, rel_tol=0.01):
            return False, ("That is the stability limit. There the steep direction's factor is exactly −1: its "
                           "error flips sign every epoch and never shrinks.")
        if value > 2 / lam_max:
            return False, f"At lr = {value:.4g} the steep direction's factor is {_fmt(steep)} > 1: training diverges."
        if math.isclose(value, 1 / lam_max, rel_tol=0.01):
            return False, (f"At lr = 1/λ_max the steep direction converges in one step (factor 0), but the shallow "
                           f"one only shrinks by {_fmt(shallow)} per epoch. Trade some of the first for the second.")
        slower = "steep" if steep > shallow else "shallow"
        way = "smaller" if slower == "steep" else "larger"
        return False, (f"At lr = {value:.4g} the factors are {_fmt(steep)} (steep direction) and {_fmt(shallow)} "
                       f"(shallow); the slower one, the {slower} direction's, sets the speed. A {way} rate "
                       "helps it; where are the two factors equal?")

    return _run(exercise, "a number (the learning rate)", answer, judge)
