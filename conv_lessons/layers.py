"""The chapter's convolutional layer (卷积层), written by hand on top of :func:`corr2d`.

The layer is the book's ``Conv2D`` (:class:`conv_lessons.chapter.Conv2D`), run as printed; the
public class adds only the argument checks, so ``show_source(Conv2D)`` shows the book's listing.
"""

from __future__ import annotations

from typing import Any

import torch

from . import chapter
from .i18n import text
from .source import shows
from .validation import as_matrix, as_size_pair, check_fits, check_loop, check_memory

__all__ = ["Conv2D"]


@shows(chapter.Conv2D)
class Conv2D(chapter.Conv2D):
    """A 2-D convolutional layer: cross-correlate the input with a learned kernel, add a bias.

    ``kernel_size`` is ``(height, width)`` (an int ``k`` means ``(k, k)``).  The weight starts as
    ``torch.rand(kernel_size)`` and the bias as zero, exactly as in the chapter; both are
    ``nn.Parameter`` so ``backward()`` fills ``weight.grad`` and ``bias.grad``.  The arguments are
    checked (a kernel within the package's memory budget; an input at least as large as the kernel),
    then the book's code runs.
    """

    def __init__(self, kernel_size: Any) -> None:
        k_h, k_w = as_size_pair(kernel_size, "kernel_size")
        check_memory("kernel_size", repr(kernel_size), 4 * k_h * k_w, text("layers.weight", shape=f"{k_h}×{k_w}"),
                     text("validation.fix.smaller_kernel"))
        super().__init__((k_h, k_w))

    def forward(self, x: Any) -> torch.Tensor:
        """Return ``corr2d(x, weight) + bias`` for a 2-D input ``x`` at least as large as the kernel."""
        x = as_matrix(x, "x")
        check_fits(x, self.weight, x_name="x", k_name=text("layers.kernel_name"))
        (n_h, n_w), (k_h, k_w) = x.shape, self.weight.shape
        check_loop("x", text("layers.loop.given", input=(n_h, n_w), kernel=f"{k_h}×{k_w}"),
                   (n_h - k_h + 1) * (n_w - k_w + 1), text("correlation.loop.windows"), text("layers.loop.fix"))
        return super().forward(x)
