"""Run small PyTorch work on one thread.

The lessons' tensors are tiny (a 6×8 image, a 3×3 kernel).  On a 2-core machine that is busy, or
a shared one (Binder, a JupyterHub), PyTorch's worker threads wait for each other and a 1 ms
operation can take 100 ms; on one thread it stays at 1 ms.  Explorers wrap their updates in
:func:`one_thread`; the previous thread count is restored afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

__all__ = ["one_thread"]


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Context manager: PyTorch uses one intra-op thread inside the ``with`` block."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
