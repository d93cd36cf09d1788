"""How long does the effective-receptive-field explorer wait the first time a learner picks a setting?

The explorer asks for all 16 depths of a setting with ``erf_by_depth(MAX_DEPTH, kernel_size, weights,
nonlinearity)`` the first time the setting is chosen, and caches them.  Every setting the explorer
offers is precomputed in the package's table (``conv_lessons/data/effective_rf_table.npz``, written by
``tools/make_erf_table.py``), so a first visit reads one setting from that file (~3–5 ms: opening the
zip, two arrays, 16 fields rebuilt) instead of computing it (40–170 ms, most of it a ReLU stack's 136
depthwise ``conv_transpose2d`` steps over 128 samples and oneDNN preparing kernels for new shapes).
This script measures that first visit for every setting the explorer offers (every kernel size of its
slider × every kind of weights × every nonlinearity; the learned kernel has one size), each in a fresh
Python process so nothing is cached: the process imports the package and asks for the explorer's
starting setting first, as the explorer does when it is built, then the timed setting.  Prints, per
setting, the median and the fastest of ``--repeats`` runs (wall time and CPU time), and the worst
setting.  Goal: ≤ 100 ms.  ``--compute`` times the computation instead (the table switched off): what
a setting would cost without the table, e.g. after a change that makes the table stale.

Usage: python benchmarks/bench_effective_rf.py [--repeats N] [--compute]
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
from conv_lessons import effective_rf
from conv_lessons.effective_rf import erf_by_depth
from conv_lessons.explorers.effective_rf import MAX_DEPTH
start, target, compute = (json.loads(arg) for arg in sys.argv[1:4])
if compute:  # no table: every setting is computed
    effective_rf.TABLE_PATH = effective_rf.TABLE_PATH.with_suffix(".absent")
erf_by_depth(MAX_DEPTH, *start)  # the explorer's starting setting, computed when it is built
wall, cpu = time.perf_counter(), time.process_time()
erf_by_depth(MAX_DEPTH, *target)
print(json.dumps([(time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3]))
"""


def settings() -> list[tuple[int, str, str]]:
    """Every (kernel_size, weights, nonlinearity) the explorer offers, read from the explorer's figures."""
    from conv_lessons.figures.effective_rf import explorer_settings

    return explorer_settings()


def first_visit(target: tuple[int, str, str], compute: bool = False) -> tuple[float, float]:
    """(wall ms, CPU ms) of one first visit to ``target`` in a fresh process (``compute``: without the table)."""
    start = (3, "random", "none") if target != (3, "random", "none") else (2, "uniform", "none")
    args = [json.dumps(value) for value in (start, target, compute)]
    output = subprocess.run([sys.executable, "-c", CHILD, *args], check=True, capture_output=True, text=True,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"}).stdout
    wall, cpu = json.loads(output.strip().splitlines()[-1])
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per setting (default 3)")
    parser.add_argument("--compute", action="store_true", help="compute every setting (the table switched off)")
    args = parser.parse_args()
    rows = []
    source = "computed, no table" if args.compute else "read from the table"
    print(f"first visit of each effective-RF explorer setting (erf_by_depth of 16 depths, {source}), "
          f"{args.repeats} fresh processes each; load average {os.getloadavg()[0]:.2f}")
    print(f"{'kernel':>6}  {'weights':<8} {'nonlin.':<7} {'median':>8} {'fastest':>8} {'CPU median':>10} "
          f"{'CPU fastest':>11}")
    for target in settings():
        runs = [first_visit(target, args.compute) for _ in range(args.repeats)]
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        row = (target, statistics.median(walls), min(walls), statistics.median(cpus))
        rows.append(row)
        k, weights, nonlinearity = target
        print(f"{k:>4}×{k:<1}  {weights:<8} {nonlinearity:<7} {row[1]:>6.0f} ms {row[2]:>5.0f} ms {row[3]:>7.0f} ms "
              f"{min(cpus):>8.0f} ms")
    worst_median = max(rows, key=lambda r: r[1])
    worst_fastest = max(rows, key=lambda r: r[2])
    worst_cpu = max(rows, key=lambda r: r[3])
    print(f"worst first visit: median {worst_median[1]:.0f} ms ({worst_median[0]}), fastest run "
          f"{worst_fastest[2]:.0f} ms ({worst_fastest[0]}), CPU {worst_cpu[3]:.0f} ms ({worst_cpu[0]}); "
          f"goal ≤ {GOAL_MS:.0f} ms; load average now {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
