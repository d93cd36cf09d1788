"""The chapter's code, exactly as *Dive into Deep Learning* prints it (English 7.2, 中文版 6.2).

These are the two listings a learner reads in the book, :func:`corr2d` and :class:`Conv2D`, line
for line (``show_source`` leaves docstrings out; the book's says "2D" where ours says "2-D").  They
check nothing: given a kernel larger than the image or a list instead of a tensor they fail the way
the book's code fails.

The package's public ``corr2d`` (:mod:`conv_lessons.correlation`) and ``Conv2D``
(:mod:`conv_lessons.layers`) check their arguments first (see :mod:`conv_lessons.validation`)
and then run exactly this code, so ``show_source(corr2d)`` shows the book's loop and it is the
loop that runs.
"""

import torch
from torch import nn


def corr2d(X, K):
    """Compute 2-D cross-correlation."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
