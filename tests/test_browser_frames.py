"""Frames kept in the page (``conv_lessons.explorers.frames``), in a real JupyterLab: the picture keeps
up with the hand while the kernel is busy, and page and kernel agree once it is free again.

One notebook, written here, is run cell by cell in headless Chromium (the browser test's set-up,
tests/browser_support.py: a throwaway JupyterLab on 127.0.0.1 with a token, Debian's Chromium):

1. ``e = correlation_explorer()`` shown;
2. the kernel waits (``await asyncio.sleep``, so its event loop goes on drawing ahead) until the page
   said hello and the look-ahead is done, then prints what the page holds (``e.frames.held``) and
   the written-out sum of every position (the readout's text, computed without the frames);
3. ``time.sleep(4)``: the kernel is busy and can draw nothing;
4. the kernel prints the SHA-1 of its picture's PNG bytes and its position.

Asserted: after cell 2 the page holds more than a few frames, the position's neighbours among them;
while cell 3 sleeps, each ArrowRight on the *position* slider shows a new picture and the new
position's sum within 1 s of the key press, before the kernel sends anything again (the next IOPub
message after cell 3's "sleeping" line), so only the page can have drawn it; after cell 3 the page
shows exactly the kernel's PNG (its blob's bytes hashed in the page) for the kernel's position, and
the picture shown for the last position during the sleep was that PNG already; the browser console
has no errors.

A second test does the same with the receptive-field explorer (cells 5-7, cell 3's sleep again),
whose kernel-size steps re-centre the output row and column: five presses that go up and turn back
past where they began each show a new picture while the kernel sleeps (step frames, followed from
where the presses began), and the kernel, which gets them all at once, draws the last one's picture.

Needs Debian's Chromium at /usr/bin/chromium and Playwright, like tests/test_browser.py: skipped
without them, except when the CI environment variable is set.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from browser_support import ConsoleLog, LabServer, headless_chromium, running_lab, wait_until

NOTEBOOK = "frames.ipynb"
LAB_LOAD_TIMEOUT_S = 90  # JupyterLab's first page load on a busy 2-core machine
STEP_TIMEOUT_S = 60  # opening the notebook, starting its kernel, a cell, the look-ahead
KEEP_UP_MS = 1000  # a key press to the page's picture and readout while the kernel sleeps
SLEEP_S = 4  # cell 3's time.sleep
PRESSES = 2  # ArrowRight presses during the sleep (position 0 → 1 → 2; the slider's range is 0 … 3)

CELLS = [
    "from conv_lessons.explorers import correlation_explorer\ne = correlation_explorer()\ne",
    # Top-level await: the kernel's event loop goes on (the look-ahead draws one frame per turn).
    """\
import asyncio, json, time
from conv_lessons.figures.correlation import written_sum
deadline = time.monotonic() + 60
while not (e.frames is not None and e.frames.connected and e.frames.plan is None) and time.monotonic() < deadline:
    await asyncio.sleep(0.05)
f = e.frames
print("FRAMES " + json.dumps({
    "channel": f is not None, "connected": bool(f and f.connected), "done": bool(f and f.plan is None),
    "held": len(f.held) if f else 0, "keys": [list(k) for k in f.held] if f else [],
    "drawn_ahead": f.drawn_ahead if f else 0, "error": repr(f.error) if f and f.error else None,
    "names": e.state_names(), "state": list(f.key()) if f else None, "position": e.controls["position"].value,
    "sums": [written_sum(e.row.X, e.row.K, *divmod(p, e.row.out_w)) for p in range(e.row.count)]}))""",
    f'print("sleeping", flush=True)\nimport time\ntime.sleep({SLEEP_S})',
    """\
import asyncio, hashlib, json
while e.updates.pending:
    await asyncio.sleep(0.05)
print("KERNEL " + json.dumps({
    "sha1": hashlib.sha1(bytes(e.view.image.value)).hexdigest(), "position": e.controls["position"].value,
    "held": len(e.frames.held), "error": repr(e.frames.error) if e.frames.error else None}))""",
    # The receptive-field explorer (cells 5-7): its kernel-size steps re-centre the row and column.
    "from conv_lessons.explorers import receptive_field_explorer\nr = receptive_field_explorer()\nr",
    """\
import asyncio, json, time
deadline = time.monotonic() + 60
while not (r.frames.connected and r.frames.plan is None) and time.monotonic() < deadline:
    await asyncio.sleep(0.05)
print("RF " + json.dumps({"connected": r.frames.connected, "done": r.frames.plan is None,
                          "steps": len(r.frames.paths), "error": repr(r.frames.error) if r.frames.error else None,
                          "kernel": r.controls["kernel"].value, "row": r.controls["row"].value}))""",
    """\
import asyncio, hashlib, json
while r.updates.pending:
    await asyncio.sleep(0.05)
print("RFKERNEL " + json.dumps({
    "sha1": hashlib.sha1(bytes(r.view.image.value)).hexdigest(), "kernel": r.controls["kernel"].value,
    "row": r.controls["row"].value, "col": r.controls["col"].value,
    "error": repr(r.frames.error) if r.frames.error else None}))""",
]
RF_KEYS = ["ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft", "ArrowLeft"]  # kernel size 3 → 4, 5, 4, 3, 2

JS_OPEN = r"""
async ({path, timeout}) => {
  const app = window.jupyterapp;
  const limit = (promise, what) => Promise.race([promise, new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${timeout} ms: ${what}`)), timeout))]);
  await limit(app.restored, 'JupyterLab start-up');
  const panel = await limit(app.commands.execute('docmanager:open', {path, factory: 'Notebook'}), 'opening');
  await limit(panel.context.ready, 'loading the notebook');
  await limit(panel.sessionContext.ready, 'starting its kernel');
  app.shell.activateById(panel.id);
  const log = {iopub: [], keys: [], loads: [], readouts: [], runs: {}};
  panel.sessionContext.iopubMessage.connect((_, msg) => {
    const c = msg.content || {};
    log.iopub.push({t: performance.now(), type: msg.header.msg_type, text: c.text || c.execution_state || ''});
  });
  window.__fr = {panel, log, limit};
  return panel.sessionContext.session && panel.sessionContext.session.kernel
    ? panel.sessionContext.session.kernel.name : null;
}
"""

JS_KERNEL_IDLE = r"""
() => { const s = window.__fr.panel.sessionContext.session;
        return !!(s && s.kernel) && s.kernel.status === 'idle'; }
"""

# Run one cell (``wait``: until its execute_reply; else only start it).
JS_RUN = r"""
async ({index, wait}) => {
  const {panel, log, limit} = window.__fr;
  const notebook = panel.content;
  window.jupyterapp.shell.activateById(panel.id);
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  const run = {started: performance.now(), done: null, error: null};
  log.runs[index] = run;
  const running = window.jupyterapp.commands.execute('notebook:run-cell').then(
    () => { run.done = performance.now(); }, (error) => { run.error = String(error); });
  if (wait) await limit(running, `running cell ${index + 1}`);
  return run;
}
"""

# Every cell's outputs as text (streams, results, errors with their tracebacks' last lines).
JS_OUTPUTS = r"""
() => {
  const model = window.__fr.panel.content.model;
  const cells = [];
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    const texts = [];
    for (let j = 0; j < cell.outputs.length; j++) {
      const out = cell.outputs.get(j).toJSON();
      if (out.output_type === 'stream') texts.push(Array.isArray(out.text) ? out.text.join('') : out.text);
      else if (out.output_type === 'error')
        texts.push(`${out.ename}: ${out.evalue}\n` + (out.traceback || []).slice(-6).join('\n')
          .replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''));
      else texts.push(`[${out.output_type}: ${Object.keys(out.data || {}).join(', ')}]`);
    }
    cells.push({executionCount: cell.executionCount, text: texts.join('')});
  }
  return cells;
}
"""

# The explorer (cell ``cell``'s widget output with an <img>): tag it ``tag`` and the handle of its slider
# labelled ``label``, and log key presses, picture loads and readout changes (times from performance.now()).
JS_TAG = r"""
({cell, tag, label}) => {
  const {panel, log} = window.__fr;
  const node = panel.content.widgets[cell].node;
  const root = Array.from(node.querySelectorAll('.jp-OutputArea-output'))
    .find(o => o.querySelector('.jupyter-widgets img'));
  if (!root) return {error: `no explorer with a picture in cell ${cell + 1}`};
  root.setAttribute('data-fr', tag);
  const sliders = Array.from(root.querySelectorAll('.widget-slider'));
  const labels = sliders.map(s => { const l = s.querySelector('.widget-label');
                                    return l ? l.innerText.replace(/\u200b/g, '').trim() : ''; });
  const slider = sliders[labels.indexOf(label)];
  if (!slider) return {error: `no slider labelled "${label}"; sliders: ${JSON.stringify(labels)}`};
  slider.querySelector('.noUi-handle').setAttribute('data-fr-handle', '');
  const readout = () => { const r = root.querySelector('.conv-lessons-readout'); return r ? r.textContent : null; };
  root.addEventListener('keydown', (event) => log.keys.push({t: performance.now(), key: event.key}), true);
  root.addEventListener('load', (event) => {
    if (event.target.tagName === 'IMG') log.loads.push({t: performance.now(), src: event.target.src});
  }, true);
  let last = readout();
  new MutationObserver(() => {
    const now = readout();
    if (now !== last) { last = now; log.readouts.push({t: performance.now(), text: now}); }
  }).observe(root, {subtree: true, childList: true, characterData: true});
  window.__fr.readout = readout;
  return {images: root.querySelectorAll('img').length, labels};
}
"""

# What the explorer tagged ``tag`` shows now; ``hash``: the SHA-1 of the <img>'s bytes (its blob: URL
# holds the PNG bytes the Image widget model has, unchanged); ``position``: its tagged slider's value.
JS_SHOWN = r"""
async ({hash, tag}) => {
  const root = document.querySelector(`[data-fr="${tag}"]`);
  const img = root.querySelector('img');
  const handle = root.querySelector('[data-fr-handle]');
  const shown = {src: img.src, complete: img.complete, readout: window.__fr.readout(),
                 position: Number(handle.getAttribute('aria-valuenow')), now: performance.now()};
  if (hash) {
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-1', bytes);
    shown.sha1 = Array.from(new Uint8Array(digest), b => b.toString(16).padStart(2, '0')).join('');
    shown.bytes = bytes.byteLength;
  }
  return shown;
}
"""

JS_LOG = "() => { const {log} = window.__fr; return {keys: log.keys, loads: log.loads, readouts: log.readouts," \
         " iopub: log.iopub, runs: log.runs}; }"


def frames_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the module (Playwright's Browser)."""
    with headless_chromium(tmp_path_factory.mktemp("chromium"), "frames browser test", STEP_TIMEOUT_S) as browser:
        yield browser


@pytest.fixture(scope="module")
def lab(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A JupyterLab server on 127.0.0.1 serving a folder with the frames notebook; stopped (with its
    kernel) when the module's tests are done."""
    source = tmp_path_factory.mktemp("frames-notebooks")
    frames_notebook(source / NOTEBOOK)
    with running_lab(source, tmp_path_factory.mktemp("frames-lab")) as server:
        yield server


class Session:
    """The notebook open in one JupyterLab page: runs cells, reads outputs, explains failures."""

    def __init__(self, page: Any, console: ConsoleLog, lab: LabServer) -> None:
        self.page, self.console, self.lab = page, console, lab

    def run(self, index: int, wait: bool = True) -> None:
        try:
            run = self.page.evaluate(JS_RUN, {"index": index, "wait": wait})
        except Exception as error:
            self.fail(f"cell {index + 1} did not finish: {error}")
        if wait and (run.get("error") or not wait_until(self.page, JS_KERNEL_IDLE, timeout_s=STEP_TIMEOUT_S)):
            self.fail(f"cell {index + 1}: {run.get('error') or 'the kernel did not become idle'}")

    def output(self, index: int, marker: str) -> dict[str, Any]:
        """The JSON the cell printed after ``marker`` (fails with every cell's output if there is none)."""
        text = self.page.evaluate(JS_OUTPUTS)[index]["text"]
        for line in text.splitlines():
            if line.startswith(marker + " "):
                return json.loads(line[len(marker) + 1:])
        self.fail(f"cell {index + 1} printed no {marker} line")

    def shown(self, hash: bool = False, tag: str = "explorer") -> dict[str, Any]:
        return self.page.evaluate(JS_SHOWN, {"hash": hash, "tag": tag})

    def show_explorer(self, cell: int, tag: str, label: str) -> None:
        """Run ``cell`` (it shows an explorer), wait for its picture and tag it (see ``JS_TAG``)."""
        self.run(cell)
        if not wait_until(self.page, f"() => document.querySelectorAll('.jp-Notebook .jp-Cell')[{cell}]"
                                     ".querySelector('.jp-OutputArea-output .jupyter-widgets img')",
                          timeout_s=STEP_TIMEOUT_S):
            self.fail(f"the explorer of cell {cell + 1} showed no picture")
        tagged = self.page.evaluate(JS_TAG, {"cell": cell, "tag": tag, "label": label})
        if "error" in tagged:
            self.fail(tagged["error"])
        assert tagged["images"] == 1, tagged

    def sleep(self) -> float:
        """Start cell 3 (the kernel sleeps); the page's time when its "sleeping" line arrived."""
        seen = self.page.evaluate("() => window.__fr.log.iopub.filter(m => m.text.includes('sleeping')).length")
        self.run(2, wait=False)
        if not wait_until(self.page, "(n) => window.__fr.log.iopub.filter(m => m.type === 'stream'"
                                     " && m.text.includes('sleeping')).length > n", arg=seen, timeout_s=STEP_TIMEOUT_S):
            self.fail("cell 3 did not start sleeping")
        return self.page.evaluate("() => window.__fr.log.iopub.filter(m => m.type === 'stream'"
                                  " && m.text.includes('sleeping')).at(-1).t")

    def woken(self) -> None:
        """Wait until cell 3's sleep is over and the kernel idle."""
        if not wait_until(self.page, "() => window.__fr.log.runs[2].done !== null", timeout_s=STEP_TIMEOUT_S) \
                or not wait_until(self.page, JS_KERNEL_IDLE, timeout_s=STEP_TIMEOUT_S):
            self.fail("cell 3 did not finish")

    def fail(self, message: str) -> None:
        outputs = "\n".join(f"  cell {i + 1} [{c['executionCount']}]: {c['text'].strip()!r}"
                            for i, c in enumerate(self._outputs()))
        pytest.fail(f"{message}\nkernel's outputs:\n{outputs}\nbrowser console: {self.console.entries}\n"
                    f"server log (tail):\n{self.lab.log_tail(15)}", pytrace=False)

    def _outputs(self) -> list[dict[str, Any]]:
        try:
            return self.page.evaluate(JS_OUTPUTS)
        except Exception as error:  # a diagnosis must never hide the failure
            return [{"executionCount": None, "text": f"(outputs unreadable: {error})"}]


@pytest.fixture(scope="module")
def session(lab: LabServer, chromium: Any) -> Iterator[Session]:
    """The frames notebook open in one JupyterLab page, its kernel idle, nothing run yet."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_S * 1000)
        console = ConsoleLog(page)
        opened = Session(page, console, lab)
        try:
            page.goto(lab.url(f"lab?token={lab.token}"), wait_until="domcontentloaded",
                      timeout=LAB_LOAD_TIMEOUT_S * 1000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell",
                                   timeout=LAB_LOAD_TIMEOUT_S * 1000)
            page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
            kernel = page.evaluate(JS_OPEN, {"path": NOTEBOOK, "timeout": LAB_LOAD_TIMEOUT_S * 1000})
        except Exception as error:
            opened.fail(f"JupyterLab did not open {NOTEBOOK} in Chromium: {error}")
        if kernel != "python3" or not wait_until(page, JS_KERNEL_IDLE, timeout_s=STEP_TIMEOUT_S):
            opened.fail(f"the notebook's kernel ({kernel}) did not start")
        yield opened
    finally:
        context.close()


def test_page_frames_keep_up_while_the_kernel_sleeps(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    """The page holds frames drawn ahead, shows them (picture and sum) within 1 s of a key press while
    the kernel sleeps, and ends on exactly the kernel's picture and position."""
    started = time.monotonic()
    page = session.page

    # -- connected: the page said hello and holds the frames drawn ahead -----------------------------
    session.show_explorer(0, "explorer", "position")
    session.run(1)
    frames = session.output(1, "FRAMES")
    assert frames["channel"] and frames["connected"], f"the page never said hello: {frames}"
    assert frames["done"] and frames["error"] is None, f"the look-ahead did not finish: {frames}"
    state = frames["state"]
    assert frames["names"][0] == "position" and state[0] == 0, frames
    sums = frames["sums"]
    assert len(sums) == 4, sums
    neighbours = [[p, *state[1:]] for p in (1, 2)]
    held = frames["keys"]
    assert frames["held"] > 8 and all(key in held for key in neighbours), \
        f"the page should hold more than a few frames, {neighbours} among them: {frames}"
    if not wait_until(page, "(s) => window.__fr.readout() === s", arg=sums[0], timeout_s=5):
        session.fail(f"the sum readout shows {session.shown()['readout']!r}, not position 0's {sums[0]!r}")
    before = session.shown(hash=True)
    assert before["position"] == 0, before

    # -- keeps up while the kernel is busy: only the page can draw during the sleep -----------------
    asleep = session.sleep()
    handle = page.locator('[data-fr="explorer"] [data-fr-handle]')
    steps = []
    for press in range(1, PRESSES + 1):
        count = len(page.evaluate(JS_LOG)["loads"])
        handle.press("ArrowRight")
        shown = wait_until(page, "({n, s, src}) => { const {log, readout} = window.__fr; const img ="
                                 " document.querySelector('[data-fr=\"explorer\"] img'); return log.loads.length > n"
                                 " && img.complete && img.src !== src && readout() === s; }",
                           arg={"n": count, "s": sums[press], "src": before["src"]}, timeout_s=3, poll_ms=20)
        log = page.evaluate(JS_LOG)
        now = session.shown(hash=True)
        key = log["keys"][-1]["t"]
        load = next((item["t"] for item in log["loads"][count:]), None)
        readout = next((item["t"] for item in log["readouts"] if item["t"] >= key and item["text"] == sums[press]),
                       None)
        woke = next((m["t"] for m in log["iopub"] if m["t"] > asleep), float("inf"))  # the kernel's next message
        steps.append({"position": now["position"], "picture_ms": None if load is None else load - key,
                      "readout_ms": None if readout is None else readout - key, "sha1": now["sha1"],
                      "before_the_kernel_woke": max(load or float("inf"), readout or float("inf")) < woke,
                      "slept_ms_at_key": key - asleep})
        what = f"ArrowRight {press} while the kernel sleeps: {steps[-1]}; loads {log['loads'][count:]}"
        assert shown, f"no new picture with position {press}'s sum within 3 s; {what}; now {now}"
        assert now["position"] == press, what
        assert steps[-1]["picture_ms"] < KEEP_UP_MS and steps[-1]["readout_ms"] < KEEP_UP_MS, what
        assert steps[-1]["before_the_kernel_woke"], f"the kernel was awake again: {what}; iopub {log['iopub'][-5:]}"
        assert now["sha1"] != before["sha1"], f"the picture's bytes did not change: {what}"
        before = now

    # -- converges: after the sleep the page shows exactly the kernel's picture for its position ----
    session.woken()
    session.run(3)
    kernel = session.output(3, "KERNEL")
    final = session.shown(hash=True)
    assert kernel["error"] is None, kernel
    assert kernel["position"] == PRESSES == final["position"], f"kernel {kernel}, page {final}"
    assert final["sha1"] == kernel["sha1"], f"the page shows another picture than the kernel's: page {final}, " \
                                            f"kernel {kernel}"
    assert steps[-1]["sha1"] == kernel["sha1"], "the frame shown during the sleep differs from the kernel's picture"
    assert final["readout"] == sums[PRESSES], final
    assert not session.console.entries, f"browser console errors: {session.console.entries}"

    seconds = time.monotonic() - started
    with capsys.disabled():
        print(f"\n  frames: {frames['held']} held ({frames['drawn_ahead']} drawn ahead) after cell 2; while the kernel"
              f" slept: " + "; ".join(f"position {s['position']}: picture {s['picture_ms']:.0f} ms, readout "
                                      f"{s['readout_ms']:.0f} ms (key {s['slept_ms_at_key']:.0f} ms into the sleep)"
                                      for s in steps)
              + f"; converged on {kernel['sha1'][:12]} ({final['bytes']} B); {seconds:.1f} s after the page opened")


def test_a_receptive_field_drag_shows_where_it_leads_while_the_kernel_sleeps(
        session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    """The receptive-field explorer's kernel-size steps make it re-centre the output row and column,
    so the page shows step frames: where the presses lead from the state where they began.  While the
    kernel sleeps, kernel size 3 → 4 → 5 → 4 → 3 → 2 (up, then back past where it began, as a drag
    turns back): every press shows a new picture within 1 s, and after the sleep the kernel, which
    got all five presses at once, draws the very picture the page showed for the last one."""
    page = session.page
    session.show_explorer(4, "rf", "kernel size k")
    session.run(5)
    ready = session.output(5, "RF")
    assert ready["connected"] and ready["done"] and ready["error"] is None, ready
    assert ready["kernel"] == 3 and ready["steps"] > 0, f"no step frames held: {ready}"
    start = before = session.shown(hash=True, tag="rf")
    asleep = session.sleep()
    handle = page.locator('[data-fr="rf"] [data-fr-handle]')
    steps = []
    for key, size in zip(RF_KEYS, (4, 5, 4, 3, 2), strict=True):
        count = len(page.evaluate(JS_LOG)["loads"])
        handle.press(key)
        shown = wait_until(page, "({n, src}) => { const img = document.querySelector('[data-fr=\"rf\"] img');"
                                 " return window.__fr.log.loads.length > n && img.complete && img.src !== src; }",
                           arg={"n": count, "src": before["src"]}, timeout_s=3, poll_ms=20)
        log = page.evaluate(JS_LOG)
        now = session.shown(hash=True, tag="rf")
        pressed = log["keys"][-1]["t"]
        load = next((item["t"] for item in log["loads"][count:]), None)
        woke = next((m["t"] for m in log["iopub"] if m["t"] > asleep), float("inf"))
        steps.append({"size": now["position"], "picture_ms": None if load is None else load - pressed,
                      "before_the_kernel_woke": (load or float("inf")) < woke, "sha1": now["sha1"]})
        what = f"{key} to kernel size {size} while the kernel sleeps: {steps[-1]}"
        assert shown, f"no new picture within 3 s; {what}"
        assert now["position"] == size, what
        assert steps[-1]["picture_ms"] < KEEP_UP_MS and steps[-1]["before_the_kernel_woke"], what
        assert now["sha1"] != before["sha1"], f"the picture's bytes did not change: {what}"
        before = now
    # the same kernel size shows the same picture whichever way the presses went (4 going up and back;
    # 3: back where they began)
    assert steps[2]["sha1"] == steps[0]["sha1"] and steps[3]["sha1"] == start["sha1"], steps
    session.woken()
    session.run(6)
    kernel = session.output(6, "RFKERNEL")
    final = session.shown(hash=True, tag="rf")
    assert kernel["error"] is None and kernel["kernel"] == 2 == final["position"], f"kernel {kernel}, page {final}"
    assert final["sha1"] == kernel["sha1"] == steps[-1]["sha1"], \
        f"the page showed another picture than the kernel draws: page {final}, kernel {kernel}, steps {steps}"
    assert not session.console.entries, f"browser console errors: {session.console.entries}"
    with capsys.disabled():
        print(f"\n  receptive field: {ready['steps']} step frames held; while the kernel slept: "
              + "; ".join(f"k = {s['size']}: picture {s['picture_ms']:.0f} ms" for s in steps)
              + f"; the kernel then drew row {kernel['row']}, column {kernel['col']}, the page's picture")
