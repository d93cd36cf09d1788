"""How long does the effective-receptive-field explorer wait the first time a learner picks a setting?

The explorer computes all 16 depths of a setting with ``erf_by_depth(MAX_DEPTH, kernel_size, weights,
nonlinearity)`` the first time the setting is chosen, and caches it.  This script measures that first
visit for every setting the explorer offers (every kernel size of its slider × every kind of weights ×
every nonlinearity; the learned kernel has one size), each in a fresh Python process so nothing is
cached: the process imports the package and computes the explorer's starting setting first, as the
explorer does when it is built, then the timed setting.  Prints, per setting, the median and the
fastest of ``--repeats`` runs (wall time and CPU time), and the worst setting.  Goal: ≤ 100 ms.

Usage: python benchmarks/bench_effective_rf.py [--repeats N]
On a busy machine the median is inflated by other processes; the fastest run is closest to what a quiet
machine gives, and the CPU time shows the work itself (the computation runs on one thread).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

GOAL_MS = 100.0

CHILD = """
import json, sys, time
from conv_lessons.effective_rf import erf_by_depth
from conv_lessons.explorers.effective_rf import MAX_DEPTH
start, target = json.loads(sys.argv[1]), json.loads(sys.argv[2])
erf_by_depth(MAX_DEPTH, *start)  # the explorer's starting setting, computed when it is built
wall, cpu = time.perf_counter(), time.process_time()
erf_by_depth(MAX_DEPTH, *target)
print(json.dumps([(time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3]))
"""


def settings() -> list[tuple[int, str, str]]:
    """Every (kernel_size, weights, nonlinearity) the explorer offers, read from the explorer itself."""
    from conv_lessons.figures.effective_rf import KERNEL_SIZES, NONLINEARITIES, WEIGHTS

    result = []
    for weights in WEIGHTS:
        sizes = [2] if weights == "learned" else range(KERNEL_SIZES[0], KERNEL_SIZES[1] + 1)  # learned: 1×2
        for nonlinearity in NONLINEARITIES:
            result += [(k, weights, nonlinearity) for k in sizes]
    return result


def first_visit(target: tuple[int, str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one first visit to ``target`` in a fresh process."""
    start = (3, "random", "none") if target != (3, "random", "none") else (2, "uniform", "none")
    output = subprocess.run([sys.executable, "-c", CHILD, json.dumps(start), json.dumps(target)], check=True,
                            capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"}).stdout
    wall, cpu = json.loads(output.strip().splitlines()[-1])
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per setting (default 3)")
    args = parser.parse_args()
    rows = []
    print(f"first visit of each effective-RF explorer setting (erf_by_depth of 16 depths), "
          f"{args.repeats} fresh processes each; load average {os.getloadavg()[0]:.2f}")
    print(f"{'kernel':>6}  {'weights':<8} {'nonlin.':<7} {'median':>8} {'fastest':>8} {'CPU median':>10}")
    for target in settings():
        runs = [first_visit(target) for _ in range(args.repeats)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        row = (target, statistics.median(walls), min(walls), statistics.median(cpus))
        rows.append(row)
        k, weights, nonlinearity = target
        print(f"{k:>4}×{k:<1}  {weights:<8} {nonlinearity:<7} {row[1]:>6.0f} ms {row[2]:>5.0f} ms {row[3]:>7.0f} ms")
    worst_median = max(rows, key=lambda r: r[1])
    worst_fastest = max(rows, key=lambda r: r[2])
    worst_cpu = max(rows, key=lambda r: r[3])
    print(f"worst first visit: median {worst_median[1]:.0f} ms ({worst_median[0]}), fastest run "
          f"{worst_fastest[2]:.0f} ms ({worst_fastest[0]}), CPU {worst_cpu[3]:.0f} ms ({worst_cpu[0]}); "
          f"goal ≤ {GOAL_MS:.0f} ms; load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
