"""How fast does each explorer answer a control?  For every explorer in conv_lessons.explorers,
build it with no arguments, then move each of its controls through a cycle of values, timing each
change from the assignment ``control.value = v`` to the return of the observer (the explorer renders
synchronously, so the new PNG is in ``view.image.value`` by then).  Prints the median per control
and per explorer.  Goals: ≤ 50 ms median per explorer (training: ≤ 500 ms).

Usage: python benchmarks/bench_explorers.py [--changes N] [--explorer NAME]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import ipywidgets as widgets

from conv_lessons import explorers

GOAL_MS = {"training_explorer": 500.0}
SKIP = (widgets.Play, widgets.Button, widgets.Text, widgets.Textarea)


def cycle_values(control: Any, count: int) -> list[Any]:
    """Values to step through: a slider walks up and down its range, a menu cycles its options."""
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons, widgets.Select)):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        start = options.index(control.value)
        return [options[(start + 1 + i) % len(options)] for i in range(count)]
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [not control.value if i % 2 == 0 else control.value for i in range(count)]
    if isinstance(control, widgets.FloatLogSlider):
        low, high = control.base ** control.min, control.base ** control.max
        values = [low * (high / low) ** (i / max(count - 1, 1)) for i in range(count)]
        return values[::2] + values[1::2][::-1]
    if hasattr(control, "min") and hasattr(control, "max"):
        low, high = control.min, control.max
        step = getattr(control, "step", 1) or 1
        grid = [low + step * i for i in range(int(round((high - low) / step)) + 1)]
        path = grid + grid[-2:0:-1] if len(grid) > 1 else grid
        start = min(range(len(path)), key=lambda i: abs(path[i] - control.value))
        return [path[(start + 1 + i) % len(path)] for i in range(count)]
    return []


def bench(name: str, changes: int) -> tuple[float, dict[str, float], list[float]]:
    """Build one explorer and time its controls; returns (build ms, median per control, all redraw times)."""
    start = time.perf_counter()
    explorer = getattr(explorers, name)()
    built = (time.perf_counter() - start) * 1e3
    per_control: dict[str, float] = {}
    pooled: list[float] = []
    for key, control in explorer.controls.items():
        if isinstance(control, SKIP) or getattr(control, "disabled", False):
            continue
        original = control.value
        times = []
        for value in cycle_values(control, changes):
            before = explorer.view.image.value
            t0 = time.perf_counter()
            control.value = value
            elapsed = (time.perf_counter() - t0) * 1e3
            if explorer.view.image.value != before:  # only changes that produced a new picture count
                times.append(elapsed)
        control.value = original
        if times:
            per_control[key] = statistics.median(times)
            pooled.extend(times)
            print(f"  {key:>14}: median {per_control[key]:7.1f} ms, max {max(times):7.1f} ms "
                  f"over {len(times)} redraws")
        else:
            print(f"  {key:>14}: changes no picture (e.g. the Play speed), not timed")
    return built, per_control, pooled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20, help="changes per control")
    parser.add_argument("--explorer", choices=explorers.__all__, help="only this explorer")
    args = parser.parse_args()
    summary = []
    for name in [args.explorer] if args.explorer else explorers.__all__:
        print(f"{name}:")
        built, per_control, pooled = bench(name, args.changes)
        overall = statistics.median(pooled)
        summary.append((name, built, overall, max(per_control.values()), GOAL_MS.get(name, 50.0)))
    print(f"\n{'explorer':<26} {'build ms':>9} {'median ms':>10} {'slowest control':>16} {'goal ms':>8}")
    for name, built, overall, worst, goal in summary:
        verdict = "ok" if overall <= goal else "OVER"
        print(f"{name:<26} {built:9.0f} {overall:10.1f} {worst:16.1f} {goal:8.0f}  {verdict}")
    print("median: over every control change that produced a new picture; slowest control: the highest "
          "per-control median")


if __name__ == "__main__":
    main()
