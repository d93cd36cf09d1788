"""The chapter's convolutional layer (卷积层), written by hand on top of :func:`corr2d`."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from .correlation import corr2d
from .validation import as_matrix, as_size_pair, check_fits

__all__ = ["Conv2D"]


class Conv2D(nn.Module):
    """A 2-D convolutional layer: cross-correlate the input with a learned kernel, add a bias.

    ``kernel_size`` is ``(height, width)`` (an int ``k`` means ``(k, k)``).  The weight starts as
    ``torch.rand(kernel_size)`` and the bias as zero, exactly as in the chapter; both are
    ``nn.Parameter`` so ``backward()`` fills ``weight.grad`` and ``bias.grad``.
    """

    def __init__(self, kernel_size: Any) -> None:
        super().__init__()
        kernel_size = as_size_pair(kernel_size, "kernel_size")
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x: Any) -> torch.Tensor:
        """Return ``corr2d(x, weight) + bias`` for a 2-D input ``x`` at least as large as the kernel."""
        x = as_matrix(x, "x")
        check_fits(x, self.weight, x_name="x", k_name="Conv2D kernel")
        return corr2d(x, self.weight) + self.bias
