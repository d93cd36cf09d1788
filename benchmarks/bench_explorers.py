"""How fast does each explorer answer a control, and how many bytes does it send?

For every explorer in conv_lessons.explorers, build it with no arguments, then move each of its
controls through a cycle of values, timing each change from the assignment ``control.value = v``
to its return.  Outside a running event loop an explorer updates at once, inside the assignment,
so the new picture is in its Image widget(s) by then: the time is the whole Python side of one
update (compute, draw, encode).  For each update that produced a new picture, the PNG bytes
sent are counted too (an explorer cut into tiles sends only the parts that changed).

Prints per control the median and worst time and the median bytes, and per explorer the median
over every update.  Goal (issue 13): median <= 50 ms per explorer, also on a loaded machine:
``--hogs N`` runs N busy-looping processes (one per core is "loaded") for the duration.

Usage: python benchmarks/bench_explorers.py [--changes N] [--explorer NAME] [--hogs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from typing import Any

import ipywidgets as widgets

from conv_lessons import explorers

GOAL_MS = 50.0
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


def images_of(explorer: Any) -> list[widgets.Image]:
    view = explorer.view
    return list(getattr(view, "images", None) or [view.image])  # (an explorer of an older version: one image)


def bench(name: str, changes: int) -> tuple[float, dict[str, float], list[float], list[int]]:
    """Build one explorer and time its controls; returns (build ms, median per control, all update
    times in ms, PNG bytes of every update that sent a picture)."""
    start = time.perf_counter()
    explorer = getattr(explorers, name)()
    built = (time.perf_counter() - start) * 1e3
    images = images_of(explorer)
    per_control: dict[str, float] = {}
    pooled: list[float] = []
    sizes: list[int] = []
    for key, control in explorer.controls.items():
        if isinstance(control, SKIP) or getattr(control, "disabled", False):
            continue
        original = control.value
        times, sent = [], []
        for value in cycle_values(control, changes):
            before = [image.value for image in images]
            t0 = time.perf_counter()
            control.value = value
            elapsed = (time.perf_counter() - t0) * 1e3
            new = [image.value for image, old in zip(images, before, strict=True) if image.value != old]
            if new:  # only changes that produced a new picture count
                times.append(elapsed)
                sent.append(sum(len(value) for value in new))
        control.value = original
        if times:
            per_control[key] = statistics.median(times)
            pooled.extend(times)
            sizes.extend(sent)
            print(f"  {key:>14}: median {per_control[key]:7.1f} ms, max {max(times):7.1f} ms over {len(times)} "
                  f"redraws; {statistics.median(sent) / 1024:6.1f} KiB sent per redraw")
        else:
            print(f"  {key:>14}: changes no picture (e.g. the Play speed), not timed")
    return built, per_control, pooled, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20, help="changes per control")
    parser.add_argument("--explorer", choices=explorers.__all__, help="only this explorer")
    parser.add_argument("--hogs", type=int, default=0, help="busy-looping processes to run meanwhile")
    args = parser.parse_args()
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.hogs)]
    try:
        summary = []
        for name in [args.explorer] if args.explorer else explorers.__all__:
            print(f"{name}:", flush=True)
            built, per_control, pooled, sizes = bench(name, args.changes)
            summary.append((name, built, statistics.median(pooled), max(per_control.values()),
                            statistics.median(sizes), max(sizes)))
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
    load = f", {args.hogs} busy process(es) running" if args.hogs else ""
    print(f"\n{'explorer':<26} {'build ms':>9} {'median ms':>10} {'slowest control':>16} {'KiB/update':>11} "
          f"{'max KiB':>8}  goal {GOAL_MS:.0f} ms{load}")
    for name, built, overall, worst, size, biggest in summary:
        verdict = "ok" if overall <= GOAL_MS else "OVER"
        print(f"{name:<26} {built:9.0f} {overall:10.1f} {worst:16.1f} {size / 1024:11.1f} {biggest / 1024:8.1f}  "
              f"{verdict}")
    print("median: over every control change that produced a new picture; slowest control: the highest "
          "per-control median; KiB/update: median PNG bytes sent per such change")


if __name__ == "__main__":
    main()
