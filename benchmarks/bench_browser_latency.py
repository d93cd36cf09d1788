"""What a learner feels: from a key press on an explorer's slider to the new picture in the page.

Every explorer of ``conv_lessons.explorers`` is shown in one notebook in a real JupyterLab, driven
by headless Chromium (the browser test's set-up, tests/browser_support.py: a throwaway server on
127.0.0.1 with a token, Debian's Chromium).  For every slider of every explorer:

* **single steps**: one key press (ArrowRight/ArrowLeft on the slider's handle), then wait until the
  page is quiet; the latency is the time from the ``keydown`` event to the ``load`` event of the
  last new ``<img>`` picture (both taken in the page with ``performance.now()``, so Playwright's own
  overhead is not counted);
* **a burst of 10 steps**: ten key presses 30 ms apart (a key held down repeats about that fast;
  a drag is similar), direction reversed at the slider's ends; the settle time is from the last
  ``keydown`` to the ``load`` of the final picture, and the pictures shown during the burst are
  counted.

After a slider is measured it is put back where it was, so each slider starts from the explorer's
first state.  The explorers draw ahead (:mod:`conv_lessons.explorers.frames`): by default the
benchmark first waits until none of them does any more, and prints how long that took and what the
page holds; ``--no-wait`` measures at once, while they still draw.
A step that shows no new picture within 3 s (an impossible set-up shows a message
instead) is counted as "no picture".

Goals (issue 13, this 2-core machine): single step median <= 50 ms per explorer; burst of 10: final
picture <= 150 ms after the last key press, for every explorer and every slider.

``round_trip`` (measured first, not an explorer): a slider whose observer only swaps in one of four
pictures encoded beforehand (the correlation explorer's, about 11 KiB each) and sets a readout line,
with the explorers' message settings (no echo).  Nothing is computed or drawn, so its latency is the
trip itself -- front end, server, kernel, server, front end, picture decoded -- the floor under
every explorer's number on this machine.  ``--no-round-trip`` leaves it out.

Usage: python benchmarks/bench_browser_latency.py [--steps N] [--explorer NAME] [--interval MS] [--no-wait]
(needs /usr/bin/chromium and Playwright, like the browser test).  To measure another checkout's
package with this script, put it first on PYTHONPATH and run from outside this checkout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser_support import CHROMIUM, CHROMIUM_ARGS, LabServer  # noqa: E402

EXPLORERS = ["correlation_explorer", "kernel_explorer", "training_explorer", "receptive_field_explorer",
             "matmul_explorer", "effective_rf_explorer"]
QUIET_MS = 400  # the page counts as settled when no new picture arrived for this long and the kernel is idle
STEP_TIMEOUT_S = 3.0
GOAL_SINGLE_MS = 50.0
GOAL_SETTLE_MS = 150.0

JS_OPEN_AND_RUN = r"""
async ({path, timeout}) => {
  const app = window.jupyterapp;
  const limit = (p, what) => Promise.race([p, new Promise((_, reject) =>
      setTimeout(() => reject(new Error('timed out: ' + what)), timeout))]);
  await limit(app.restored, 'start-up');
  const panel = await limit(app.commands.execute('docmanager:open', {path, factory: 'Notebook'}), 'open');
  await limit(panel.context.ready, 'load');
  await limit(panel.sessionContext.ready, 'kernel');
  app.shell.activateById(panel.id);
  window.__lat = {panel, logs: {}};
  while (!panel.sessionContext.session.kernel || panel.sessionContext.session.kernel.status !== 'idle')
    await new Promise(r => setTimeout(r, 100));
  await limit(app.commands.execute('notebook:run-all-cells'), 'run all');
  return true;
}
"""

# Tag each explorer (a widget output with an <img>) and its sliders; log key presses and picture loads.
JS_TAG = r"""
(names) => {
  const {panel, logs} = window.__lat;
  const cells = Array.from(panel.content.node.querySelectorAll('.jp-Cell'));
  const found = [];
  cells.forEach((cell, index) => {
    const output = cell.querySelector('.jp-OutputArea-output .jupyter-widgets');
    if (!output || !output.querySelector('img')) return;
    const k = found.length;
    const root = output.closest('.jp-OutputArea-output');
    root.setAttribute('data-lat', String(k));
    const log = {keys: [], loads: []};
    root.addEventListener('keydown', () => log.keys.push(performance.now()), true);
    root.addEventListener('load', e => { if (e.target.tagName === 'IMG') log.loads.push(performance.now()); }, true);
    logs[k] = log;
    const sliders = Array.from(root.querySelectorAll('.noUi-target')).map((t, j) => {
      t.setAttribute('data-lat-slider', String(j));
      const box = t.closest('.widget-slider, .widget-hslider');
      const label = box ? box.querySelector('.widget-label') : null;
      return (label ? label.innerText.replace(/\u200b/g, '').trim() : '') || `slider ${j + 1}`;
    });
    found.push({k, cell: index, sliders});
  });
  return found;
}
"""

JS_SLIDER = r"""
({k, j}) => {
  const t = document.querySelector(`[data-lat="${k}"] [data-lat-slider="${j}"]`);
  if (!t) return null;
  const h = t.querySelector('.noUi-handle');
  return {now: parseFloat(h.getAttribute('aria-valuenow')), min: parseFloat(h.getAttribute('aria-valuemin')),
          max: parseFloat(h.getAttribute('aria-valuemax')), text: h.getAttribute('aria-valuetext'),
          disabled: t.hasAttribute('disabled')};
}
"""

# The last cell's output once it says the look-ahead is done (LOOK_AHEAD_CELL), else null.
JS_WAITED = r"""
() => {
  const cells = window.__lat.panel.content.node.querySelectorAll('.jp-Cell');
  const text = cells[cells.length - 1].querySelector('.jp-OutputArea') ?.innerText || '';
  return text.includes('look-ahead done') ? text.trim() : null;
}
"""

JS_RESET = "(k) => { const log = window.__lat.logs[k]; log.keys = []; log.loads = []; }"

JS_STATE = r"""
(k) => {
  const {panel, logs} = window.__lat;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const log = logs[k];
  return {keys: log.keys.slice(), loads: log.loads.slice(), now: performance.now(),
          idle: !!kernel && kernel.status === 'idle'};
}
"""


@dataclass
class SliderResult:
    name: str
    singles: list[float] = field(default_factory=list)  # ms, key press → last new picture
    single_pictures: list[int] = field(default_factory=list)  # pictures per single step
    missing: int = 0  # steps with no new picture
    settle: float | None = None  # ms, last key press of the burst → final picture
    burst_pictures: int = 0
    burst_steps: int = 0


ROUND_TRIP = "round_trip"
ROUND_TRIP_CELL = """\
import ipywidgets as widgets
from conv_lessons.explorers.base import Readout, no_echo
source = explorers.correlation_explorer()
pictures = []
for position in range(4):
    source.controls["position"].value = position
    pictures.append(bytes(source.view.image.value))
source.close()
slider = widgets.IntSlider(value=0, min=0, max=10, description="picture", continuous_update=True)
no_echo(slider)
image, line = widgets.Image(value=pictures[0], format="png"), Readout()
def swap(change):
    image.value = pictures[change["new"] % 4]
    line.show(f"picture {change['new']}")
slider.observe(swap, names="value")
widgets.VBox([slider, image, line])"""


# Waits (in the kernel, letting its event loop run) until no explorer draws ahead any more, then prints
# how long that took and, per explorer, the frames the page holds and their bytes.
LOOK_AHEAD_CELL = """\
import asyncio, time
from conv_lessons.explorers import frames as _frames
_start = time.perf_counter()
while time.perf_counter() - _start < 120 and (
        _frames._turns.waiting or not all(_e.frames.connected for _, _e in EXPLORERS_SHOWN)):
    await asyncio.sleep(0.05)
print(f"look-ahead done after {time.perf_counter() - _start:.1f} s")
for _name, _e in EXPLORERS_SHOWN:
    _f = _e.frames
    print(f"  {_name}: {len(_f.held)} frames and {len(_f.paths)} step frames held, {_f._bytes() / 2**20:.2f} MiB")"""


def notebook(path: Path, names: list[str], wait: bool = True) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("from conv_lessons import explorers\nEXPLORERS_SHOWN = []")]
    nb.cells += [nbformat.v4.new_code_cell(
        ROUND_TRIP_CELL if name == ROUND_TRIP else
        f"_e = explorers.{name}()\nEXPLORERS_SHOWN.append(({name!r}, _e))\n_e") for name in names]
    if wait:
        nb.cells.append(nbformat.v4.new_code_cell(LOOK_AHEAD_CELL))
    nbformat.write(nb, path)


def settle(page: Any, k: int, timeout_s: float = STEP_TIMEOUT_S) -> dict[str, Any]:
    """Wait until no new picture for QUIET_MS and the kernel is idle (or the timeout); the page's logs."""
    deadline = time.monotonic() + timeout_s + QUIET_MS / 1000
    while True:
        state = page.evaluate(JS_STATE, k)
        last = max(state["loads"][-1:] + state["keys"][-1:] or [state["now"]])
        quiet = state["now"] - last >= (QUIET_MS if state["loads"] else 1000 * timeout_s)
        if state["idle"] and quiet:
            return state
        if time.monotonic() > deadline:
            return state
        page.wait_for_timeout(30)


def plan(info: dict[str, Any], presses: int) -> list[str]:
    """Keys for ``presses`` steps that stay inside the slider's range (turning back at its ends)."""
    low, high, now = info["min"], info["max"], info["now"]
    span = high - low
    step = 1.0 if span <= 40 else span / 100  # integer sliders step by 1; the log slider has ~200 steps
    direction = 1 if high - now >= min(presses * step, span / 2) else -1
    keys, position = [], now
    for _ in range(presses):
        if not low - 1e-9 <= position + direction * step <= high + 1e-9:
            direction = -direction
        position += direction * step
        keys.append("ArrowRight" if direction > 0 else "ArrowLeft")
    return keys


def press(page: Any, k: int, j: int, key: str) -> None:
    page.locator(f'[data-lat="{k}"] [data-lat-slider="{j}"] .noUi-handle').first.press(key)


def measure_slider(page: Any, k: int, j: int, name: str, steps: int, interval_ms: float) -> SliderResult | None:
    info = page.evaluate(JS_SLIDER, {"k": k, "j": j})
    if info is None or info["disabled"] or info["min"] == info["max"]:
        return None
    result = SliderResult(name)
    start_text = info["text"]
    # single steps: right, left, right, ... (or left first at the top of the range)
    first = plan(info, 1)[0]
    other = "ArrowLeft" if first == "ArrowRight" else "ArrowRight"
    for index in range(steps):
        page.evaluate(JS_RESET, k)
        press(page, k, j, first if index % 2 == 0 else other)
        state = settle(page, k)
        if state["loads"] and state["keys"]:
            result.singles.append(state["loads"][-1] - state["keys"][0])
            result.single_pictures.append(len(state["loads"]))
        else:
            result.missing += 1
    # back to the start (an odd number of single steps leaves it one step off)
    if page.evaluate(JS_SLIDER, {"k": k, "j": j})["text"] != start_text:
        press(page, k, j, other)
        settle(page, k)
    # a burst of 10
    info = page.evaluate(JS_SLIDER, {"k": k, "j": j})
    keys = plan(info, 10)
    page.evaluate(JS_RESET, k)
    handle = page.locator(f'[data-lat="{k}"] [data-lat-slider="{j}"] .noUi-handle').first
    handle.focus()
    for key in keys:
        page.keyboard.press(key)
        page.wait_for_timeout(interval_ms)
    state = settle(page, k, timeout_s=5.0)
    result.burst_steps = len(state["keys"])
    result.burst_pictures = len(state["loads"])
    if state["loads"] and state["keys"]:
        result.settle = max(state["loads"][-1] - state["keys"][-1], 0.0)
    # and back where it started
    back = {"ArrowRight": "ArrowLeft", "ArrowLeft": "ArrowRight"}
    handle.focus()
    for key in reversed(keys):
        page.keyboard.press(back[key])
        page.wait_for_timeout(interval_ms)
    settle(page, k, timeout_s=5.0)
    return result


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6, help="single steps per slider")
    parser.add_argument("--interval", type=float, default=30.0, help="ms between the burst's key presses")
    parser.add_argument("--explorer", choices=EXPLORERS, action="append", help="only these explorers")
    parser.add_argument("--no-round-trip", action="store_true", help="leave out the round-trip reference")
    parser.add_argument("--no-wait", action="store_true",
                        help="measure at once, while the explorers still draw ahead (by default the benchmark waits)")
    args = parser.parse_args()
    names = ([] if args.no_round_trip else [ROUND_TRIP]) + (args.explorer or EXPLORERS)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} not found: install Debian's Chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        root = Path(tmp) / "notebooks"
        root.mkdir()
        notebook(root / "explorers.ipynb", names, wait=not args.no_wait)
        server = LabServer(root, Path(tmp) / "jupyter")
        results: dict[str, list[SliderResult]] = {}
        try:
            server.start()
            home = Path(tmp) / "chromium"
            env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                                     headless=True, env=env)
                try:
                    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                    page.set_default_timeout(90_000)
                    page.goto(server.url(f"lab?token={server.token}"), wait_until="domcontentloaded")
                    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
                    page.evaluate("() => window.jupyterapp.restored")
                    page.evaluate(JS_OPEN_AND_RUN, {"path": "explorers.ipynb", "timeout": 90_000})
                    page.wait_for_function(
                        "(n) => document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets img').length >= n"
                        " && Array.from(document.querySelectorAll('.jp-OutputArea-output img')).every(i => i.complete)",
                        arg=len(names), timeout=120_000)
                    page.wait_for_timeout(1000)
                    if not args.no_wait:
                        page.wait_for_function(JS_WAITED, timeout=150_000)
                        print(page.evaluate(JS_WAITED), flush=True)
                    found = page.evaluate(JS_TAG, names)
                    if len(found) != len(names):
                        sys.exit(f"expected {len(names)} explorers in the page, found {len(found)}")
                    for name, explorer in zip(names, found, strict=True):
                        print(f"{name}:", flush=True)
                        results[name] = []
                        for j, slider in enumerate(explorer["sliders"]):
                            result = measure_slider(page, explorer["k"], j, slider, args.steps, args.interval)
                            if result is None:
                                print(f"  {slider:>28}: disabled, not measured")
                                continue
                            results[name].append(result)
                            singles = result.singles
                            median = statistics.median(singles) if singles else None
                            print(f"  {slider:>28}: single median {fmt(median)}"
                                  f" ms, worst {fmt(max(singles) if singles else None)} ms, pictures/step "
                                  f"{max(result.single_pictures, default=0)}, no picture {result.missing}; burst of "
                                  f"{result.burst_steps}: settle {fmt(result.settle)} ms, {result.burst_pictures} "
                                  "pictures", flush=True)
                finally:
                    browser.close()
        finally:
            server.stop()
    print(f"\n{'explorer':<26} {'single median':>13} {'single worst':>12} {'burst settle (worst)':>21} "
          f"{'pictures/burst':>15}  goals")
    for name, sliders in results.items():
        singles = [t for r in sliders for t in r.singles]
        settles = [r.settle for r in sliders if r.settle is not None]
        pictures = [r.burst_pictures for r in sliders]
        median = statistics.median(singles) if singles else None
        worst_settle = max(settles) if settles else None
        ok = (median is not None and median <= GOAL_SINGLE_MS and worst_settle is not None
              and worst_settle <= GOAL_SETTLE_MS and len(settles) == len(sliders))
        verdict = "(floor)" if name == ROUND_TRIP else "ok" if ok else "OVER"
        print(f"{name:<26} {fmt(median):>10} ms {fmt(max(singles) if singles else None):>9} ms "
              f"{fmt(worst_settle):>18} ms {min(pictures, default=0):>6}–{max(pictures, default=0):<8}  "
              f"{verdict}")
    print(f"single: key press → last new picture, median and worst over every single step of every slider; "
          f"burst: 10 presses {args.interval:.0f} ms apart, last key press → final picture (worst slider). "
          f"Goals: median ≤ {GOAL_SINGLE_MS:.0f} ms, settle ≤ {GOAL_SETTLE_MS:.0f} ms.")


if __name__ == "__main__":
    main()
