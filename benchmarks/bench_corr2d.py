"""How fast is each cross-correlation?  Median wall time of corr2d (the chapter's loop, small
sizes only), corr2d_fast (shift-and-add) and torch.nn.functional.conv2d, forward and
forward+backward, on one channel, and the ratio corr2d_fast / F.conv2d (goal: ≤ 0.5 at 512², 3×3).

Usage: python benchmarks/bench_corr2d.py [--repeats N]
Times are medians over N runs after warm-up, corr2d_fast and F.conv2d timed in alternating blocks
so that machine drift hits both alike, with PyTorch's default thread count (2 here).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch
import torch.nn.functional as F

from conv_lessons import corr2d, corr2d_fast

SIZES = (64, 512, 1024)
KERNELS = (3, 7)
LOOP_LIMIT = 64  # corr2d's Python loop is timed only up to this size


def conv2d(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    return F.conv2d(X[None, None], K[None, None])[0, 0]


def step(fn: Callable, X: torch.Tensor, K: torch.Tensor, backward: bool) -> Callable[[], object]:
    """One call of ``fn`` (forward only, under no_grad; or forward + backward)."""
    if not backward:
        def forward() -> object:
            with torch.no_grad():
                return fn(X, K)

        return forward
    Xg, Kg = X.clone().requires_grad_(), K.clone().requires_grad_()

    def forward_backward() -> None:
        Xg.grad = Kg.grad = None
        fn(Xg, Kg).sum().backward()

    return forward_backward


def median_ms(steps: list[Callable[[], object]], repeats: int, blocks: int = 5) -> list[float]:
    """Median ms of each step.  The runs come in alternating blocks (a×k, b×k, a×k, b×k, …): each
    function runs back to back as it would in a loop, and slow drift of the machine hits all alike."""
    for run in steps:
        for _ in range(3):
            run()
    times: list[list[float]] = [[] for _ in steps]
    per_block = max(1, repeats // blocks)
    for _ in range(blocks):
        for run, record in zip(steps, times):
            for _ in range(per_block):
                start = time.perf_counter()
                run()
                record.append(time.perf_counter() - start)
    return [statistics.median(record) * 1e3 for record in times]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100)
    args = parser.parse_args()
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; median ms over {args.repeats} runs")
    header = f"{'size':>6} {'kernel':>6} {'pass':>12} {'corr2d':>9} {'fast':>9} {'conv2d':>9} {'fast/conv2d':>12}"
    print(header)
    print("-" * len(header))
    for n in SIZES:
        for k in KERNELS:
            X, K = torch.rand(n, n), torch.rand(k, k)
            torch.testing.assert_close(corr2d_fast(X, K), conv2d(X, K), rtol=1e-4, atol=1e-4)
            for backward in (False, True):
                loop = median_ms([step(corr2d, X, K, backward)], 3)[0] if n <= LOOP_LIMIT else None
                fast, ref = median_ms([step(corr2d_fast, X, K, backward), step(conv2d, X, K, backward)],
                                      args.repeats)
                loop_text = f"{loop:9.2f}" if loop is not None else f"{'—':>9}"
                name = "fwd+bwd" if backward else "forward"
                print(f"{n:>5}² {k}×{k:<4} {name:>12} {loop_text} {fast:9.3f} {ref:9.3f} {fast / ref:12.2f}")


if __name__ == "__main__":
    main()
