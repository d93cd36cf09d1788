"""Support for the real-browser test (tests/test_browser.py): a throwaway JupyterLab server and a
driver that runs one notebook in it through headless Chromium (Python Playwright).

The server is started from the project's own environment (``sys.executable -m jupyterlab``) on
127.0.0.1, on a free port, with a random token, and with every Jupyter/JupyterLab directory (config,
data, runtime, user settings, workspaces, IPython) fresh in a temporary directory, so nothing from
the user's own JupyterLab leaks in.  JupyterLab settings written there: notebook windowing off
(``windowingMode: none``, so every cell is in the page), autosave off, no news/update checks (they
would reach for the network).  ``LabApp.expose_app_in_browser`` gives the page ``window.jupyterapp``,
which the driver uses to open notebooks, run them and read the notebook model and the kernel's
messages (the way JupyterLab's own UI tests, Galata, drive it).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import pytest

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = Path("/usr/bin/chromium")
# Keep Chromium off the network (this machine's network is closed; these stop its background calls).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
INSTALL_HINT = "install Debian's Chromium: `sudo apt-get install chromium` (provides /usr/bin/chromium)"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# JupyterLab user settings for the test server (one file per plugin, JSON).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none", "scrollPastEnd": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

# Explorers whose named controls must redraw the picture: the training explorer retrains and draws
# a new loss curve when the learning rate or the number of epochs moves.
MUST_REDRAW = {"training_explorer": (r"\blr\b|learning|epoch", "moving the learning rate or the epochs must retrain "
                                                                "and show a new loss curve")}

# Layout (issue 11, item 5): no slider track shorter than this, at the test's 1280-px-wide window;
# an element is truncated when its scrollWidth exceeds its clientWidth by more than the slack
# (sub-pixel rounding).
MIN_TRACK_PX = 120
LAYOUT_SLACK_PX = 1

# Browser console errors that are known to be harmless.  Each entry: (regex, why it is harmless).
KNOWN_CONSOLE_NOISE: list[tuple[str, str]] = []


def unavailable(reason: str, test: str = "browser test") -> None:
    """Skip a browser test that cannot run here, with the install hint; in CI (``CI`` set) fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{test} cannot run in CI: {reason}; {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"{reason}; {INSTALL_HINT}")


@contextmanager
def headless_chromium(home: Path, test: str, timeout_s: float) -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (its Browser), with its config and cache in
    ``home`` (crash reports, not the user's); a missing browser or Playwright is :func:`unavailable`."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} not found", test)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Python Playwright is not installed (pip install -e '.[test]')", test)
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                                             env=env, timeout=timeout_s * 1000)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def strip_ansi(text: str) -> str:
    """Tracebacks from the kernel carry terminal colour codes; drop them for messages."""
    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def traceback_tail(text: str, lines: int = 12) -> str:
    """The last lines of a traceback (where it was raised), indented, without colour codes."""
    kept = [line for line in strip_ansi(text).splitlines() if line.strip()][-lines:]
    return "\n".join("    " + line for line in kept)


def _own_group_ending_with_parent() -> None:
    """In the server's child process before exec: its own process group (so stop() can signal the
    group), and SIGTERM when the test process dies without cleaning up (Linux), which makes
    JupyterLab shut its kernels down and exit instead of lingering."""
    os.setsid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


class LabServer:
    """A JupyterLab server for one test session; ``stop()`` ends it and its kernels."""

    def __init__(self, root_dir: Path, work_dir: Path, start_timeout: float = 60.0) -> None:
        self.root_dir = Path(root_dir)
        self.work_dir = Path(work_dir)
        self.start_timeout = start_timeout
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.work_dir / "jupyterlab.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._descendants: dict[int, float] = {}  # pid -> create_time, so we never kill a reused pid

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def _environment(self) -> dict[str, str]:
        names = ("config", "data", "runtime", "settings", "workspaces", "ipython")
        dirs = {name: self.work_dir / name for name in names}
        for folder in dirs.values():
            folder.mkdir(parents=True, exist_ok=True)
        for relative, values in LAB_SETTINGS.items():
            target = dirs["settings"] / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values, indent=2))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
        env.update(
            JUPYTER_CONFIG_DIR=str(dirs["config"]),
            JUPYTER_DATA_DIR=str(dirs["data"]),
            JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
            JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
            JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
            IPYTHONDIR=str(dirs["ipython"]),
            JUPYTER_PREFER_ENV_PATH="1",  # kernelspecs and lab extensions of this environment first
            JUPYTER_TOKEN=self.token,  # in the environment, not on the command line (ps shows that)
            PYTHONUNBUFFERED="1",
        )
        return env

    def command(self) -> list[str]:
        command = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--LabApp.user_settings_dir={self.work_dir / 'settings'}",
            f"--LabApp.workspaces_dir={self.work_dir / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        return command

    def start(self) -> None:
        env = self._environment()
        log = open(self.log_path, "wb")
        try:
            self.process = subprocess.Popen(
                self.command(), cwd=self.root_dir, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, preexec_fn=_own_group_ending_with_parent,
            )
        finally:
            log.close()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode} during start-up:\n"
                                   f"{self.log_tail()}")
            try:
                request = urllib.request.Request(self.url("api/status"),
                                                 headers={"Authorization": f"token {self.token}"})
                with urllib.request.urlopen(request, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"JupyterLab did not answer on {self.base_url} within {self.start_timeout:.0f} s:\n"
                           f"{self.log_tail()}")

    def prestart_kernel(self, path: str) -> None:
        """Start the kernel of notebook ``path`` now, in the background (a session for that path):
        when JupyterLab opens the notebook later it connects to this kernel instead of waiting for a
        new one.  Best effort: if it fails, JupyterLab starts the kernel itself as usual."""

        def start() -> None:
            try:
                notebook = json.loads((self.root_dir / path).read_text(encoding="utf-8"))
                kernel = notebook.get("metadata", {}).get("kernelspec", {}).get("name", "python3")
                body = json.dumps({"path": path, "name": Path(path).name, "type": "notebook",
                                   "kernel": {"name": kernel}}).encode()
                request = urllib.request.Request(self.url("api/sessions"), method="POST", data=body, headers={
                    "Authorization": f"token {self.token}", "Content-Type": "application/json"})
                urllib.request.urlopen(request, timeout=60).close()
            except (OSError, ValueError):
                pass

        threading.Thread(target=start, name=f"prestart {path}", daemon=True).start()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def note_descendants(self) -> None:
        """Remember the server's child processes (kernels run in their own process groups)."""
        if self.process is None:
            return
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.Error:
            return
        for child in children:
            try:
                self._descendants[child.pid] = child.create_time()
            except psutil.Error:
                pass

    def stop(self, timeout: float = 15.0) -> list[int]:
        """Stop the server and every kernel it started; returns pids that had to be killed."""
        if self.process is None:
            return []
        self.note_descendants()
        killed: list[int] = []
        if self.process.poll() is None:
            # A clean shutdown first: the server shuts its kernels down itself.
            try:
                request = urllib.request.Request(self.url("api/shutdown"), method="POST", data=b"",
                                                 headers={"Authorization": f"token {self.token}"})
                urllib.request.urlopen(request, timeout=5).close()
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    continue
            killed.append(self.process.pid)
        # Kernels (own sessions) that outlived the server: end them, by pid, checking it is the same process.
        survivors = []
        for pid, created in self._descendants.items():
            try:
                proc = psutil.Process(pid)
                if proc.create_time() == created and proc.is_running():
                    survivors.append(proc)
            except psutil.Error:
                pass
        for proc in survivors:
            try:
                proc.terminate()
            except psutil.Error:
                pass
        _, alive = psutil.wait_procs(survivors, timeout=5)
        for proc in alive:
            try:
                proc.kill()
            except psutil.Error:
                pass
        killed.extend(proc.pid for proc in survivors)
        return killed


def copy_notebooks(source: Path, target: Path) -> Path:
    """Copy the notebooks folder (the server serves the copy, so the repository is never written)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


@contextmanager
def running_lab(notebooks: Path, work: Path) -> Iterator[LabServer]:
    """A JupyterLab server on 127.0.0.1 serving a copy of ``notebooks`` (made in ``work``); stopped,
    with its kernels, when the block ends, pass or fail."""
    server = LabServer(copy_notebooks(notebooks, work / "notebooks"), work / "jupyter")
    try:
        server.start()
        yield server
    finally:
        server.stop()


def discover_notebooks(folder: Path) -> list[Path]:
    """Every notebook the browser test runs: the folder's notebooks, then solutions/*.ipynb."""
    found = sorted(p for p in folder.glob("*.ipynb"))
    found += sorted(p for p in (folder / "solutions").glob("*.ipynb"))
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


# --------------------------------------------------------------------------- page-side code
# Everything below runs inside the JupyterLab page via window.jupyterapp.

JS_HELPERS = r"""
window.__bt_value = (k, j) => {
  const root = document.querySelector(`[data-bt-explorer="${k}"]`);
  const control = root && root.querySelector(`[data-bt-control="${j}"]`);
  if (!control) return null;
  if (control.classList.contains('noUi-target')) {  // aria-valuenow is rounded to 0.1: prefer the text
    const handle = control.querySelector('.noUi-handle');
    return handle.getAttribute('aria-valuetext') || handle.getAttribute('aria-valuenow');
  }
  if (control.tagName === 'SELECT') return String(control.selectedIndex);
  if (control.classList.contains('widget-toggle-buttons'))
    return String(Array.from(control.querySelectorAll('button')).findIndex(b => b.classList.contains('mod-active')));
  return String(control.checked);
};
window.__bt_disabled = (control) => {
  if (control.classList.contains('widget-toggle-buttons'))
    return Array.from(control.querySelectorAll('button')).every(b => b.disabled);
  return control.hasAttribute('disabled') || control.disabled === true;
};
window.__bt_timeout = (promise, ms, what) => Promise.race([
  promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)),
]);
"""

JS_OPEN = r"""
async ({path, timeout}) => {
  const app = window.jupyterapp;
  const limit = window.__bt_timeout;
  await limit(app.restored, timeout, 'JupyterLab start-up');
  const opening = app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  const panel = await limit(opening, timeout, 'opening the notebook');
  await limit(panel.context.ready, timeout, 'loading the notebook');
  await limit(panel.sessionContext.ready, timeout, 'starting its kernel');
  const log = {commIdle: 0, updates: 0, kernelErrors: [], stderr: [], deaths: []};
  panel.sessionContext.statusChanged.connect((_, status) => {
    if (['dead', 'restarting', 'autorestarting'].includes(status)) log.deaths.push(status);
  });
  panel.sessionContext.iopubMessage.connect((_, msg) => {
    const parent = (msg.parent_header && msg.parent_header.msg_type) || '';
    const type = msg.header.msg_type;
    if (type === 'status' && msg.content.execution_state === 'idle' && parent === 'comm_msg') log.commIdle += 1;
    // the kernel changed a widget's state (not the echo of the front end's own change)
    if (type === 'comm_msg' && msg.content.data && msg.content.data.method === 'update') log.updates += 1;
    if (type === 'error') log.kernelErrors.push({parent, ename: msg.content.ename, evalue: msg.content.evalue,
                                                  traceback: (msg.content.traceback || []).join('\n')});
    if (type === 'stream' && msg.content.name === 'stderr') log.stderr.push({parent, text: msg.content.text});
  });
  window.__bt = {panel, log};
  app.shell.activateById(panel.id);
  return {windowingMode: panel.content.notebookConfig.windowingMode,
          kernel: panel.sessionContext.session && panel.sessionContext.session.kernel
                  ? panel.sessionContext.session.kernel.name : null};
}
"""

JS_KERNEL_IDLE = r"""
() => {
  const {panel} = window.__bt;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}
"""

JS_RUN_ALL = r"""
async ({timeout}) => {
  const app = window.jupyterapp;
  const {panel} = window.__bt;
  app.shell.activateById(panel.id);
  await app.commands.execute('notebook:clear-all-cell-outputs');
  const left = Array.from({length: panel.content.model.cells.length}, (_, i) => panel.content.model.cells.get(i))
    .filter(c => c.type === 'code' && (c.outputs.length > 0 || c.executionCount !== null)).length;
  try {
    await window.__bt_timeout(app.commands.execute('notebook:run-all-cells'), timeout, 'running all cells');
    return {left, error: null};
  } catch (error) {
    return {left, error: String(error)};
  }
}
"""

# The notebook model, summarised: per cell its type, source head, execution count and outputs.
JS_CELLS = r"""
() => {
  const {panel} = window.__bt;
  const model = panel.content.model;
  const cells = [];
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    const info = {index: i, type: cell.type, source: cell.sharedModel.getSource(), outputs: []};
    if (cell.type === 'code') {
      info.executionCount = cell.executionCount;
      info.running = cell.executionState === 'running';
      info.tags = cell.getMetadata('tags') || [];
      for (let j = 0; j < cell.outputs.length; j++) {
        const out = cell.outputs.get(j).toJSON();
        const item = {type: out.output_type};
        if (out.output_type === 'error') Object.assign(item, {ename: out.ename, evalue: out.evalue,
                                                                traceback: (out.traceback || []).join('\n')});
        if (out.output_type === 'stream') Object.assign(item, {name: out.name, text: String(out.text).slice(0, 4000)});
        if (out.data) item.mimes = Object.keys(out.data);
        info.outputs.push(item);
      }
    }
    cells.push(info);
  }
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {cells, kernelStatus: kernel ? kernel.status : 'none',
          domCells: panel.content.node.querySelectorAll('.jp-Cell').length,
          windowingMode: panel.content.notebookConfig.windowingMode};
}
"""

# Is every non-empty code cell finished (has an execution count, none running), or has one failed?
JS_RUN_FINISHED = r"""
() => {
  const {panel} = window.__bt;
  const model = panel.content.model;
  if (window.__bt.log.deaths.length > 0) return true;  // the kernel died: the run is over
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  let failed = false, pending = 0;
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    if (cell.type !== 'code' || cell.sharedModel.getSource().trim() === '') continue;
    if (cell.executionState === 'running') return false;
    const tags = cell.getMetadata('tags') || [];
    for (let j = 0; j < cell.outputs.length; j++)
      if (cell.outputs.get(j).type === 'error' && !tags.includes('raises-exception')) failed = true;
    if (cell.executionCount === null) pending += 1;
  }
  return failed || pending === 0;
}
"""

# Widget outputs in the page: rendered or not, and the explorers among them (a widget output with an
# <img>).  Each explorer gets data-bt-explorer="k", each of its controls data-bt-control="j", so the
# Python side can address them.  Controls: sliders (moved by key presses on the handle), drop-downs,
# toggle buttons and check boxes; text fields and Play buttons are left alone.
JS_WIDGETS = r"""
() => {
  const {panel} = window.__bt;
  const cellNodes = Array.from(panel.content.node.querySelectorAll('.jp-Cell'));
  const outputs = Array.from(panel.content.node.querySelectorAll('.jp-OutputArea-output'))
    .filter(o => o.querySelector(':scope > .jupyter-widgets') !== null || /Error displaying widget/i.test(o.innerText));
  let k = 0;
  return outputs.map(o => {
    const images = Array.from(o.querySelectorAll('img')).map(img => ({
      src: img.getAttribute('src') || '', complete: img.complete, width: img.naturalWidth}));
    const controls = [];
    const add = (node, kind, box) => {
      const labels = box ? Array.from(box.querySelectorAll('.widget-label, label')) : [];
      const names = labels.map(l => l.innerText.replace(/\u200b/g, '').trim()).filter(t => t);
      node.setAttribute('data-bt-control', String(controls.length));
      controls.push({kind, description: names.length ? names[0] : '',
                     disabled: window.__bt_disabled(node)});
    };
    o.querySelectorAll('.noUi-target')
      .forEach(t => add(t, 'slider', t.closest('.widget-slider, .widget-hslider, .widget-vslider')));
    o.querySelectorAll('.widget-dropdown select').forEach(t => add(t, 'dropdown', t.closest('.widget-dropdown')));
    o.querySelectorAll('.widget-toggle-buttons').forEach(t => add(t, 'toggle', t));
    o.querySelectorAll('.widget-checkbox input[type=checkbox]')
      .forEach(t => add(t, 'checkbox', t.closest('.widget-checkbox')));
    const text = o.innerText;
    const info = {cell: cellNodes.indexOf(o.closest('.jp-Cell')), images, controls,
                  rendered: o.querySelector('.jupyter-widgets') !== null,
                  failed: /Error displaying widget|Error rendering output|Failed to load model/i.test(text),
                  text: text.slice(0, 300), explorer: null};
    if (images.length > 0) { info.explorer = k; o.setAttribute('data-bt-explorer', String(k)); k += 1; }
    return info;
  });
}
"""

# What can change when a control moves: image sources, visible text (without the sliders' own
# readouts), the control's value; plus the count of finished kernel round trips for widget messages.
JS_EXPLORER_STATE = r"""
({k, j}) => {
  const {panel, log} = window.__bt;
  const root = panel.content.node.querySelector(`[data-bt-explorer="${k}"]`);
  if (!root) return null;
  // control is null when the explorer replaced this control's view (re-rendered its box)
  const control = root.querySelector(`[data-bt-control="${j}"]`);
  const value = window.__bt_value(k, j);
  const disabled = control ? window.__bt_disabled(control) : true;
  let min = null, max = null, options = 0;
  if (control && control.classList.contains('noUi-target')) {
    min = control.querySelector('.noUi-handle').getAttribute('aria-valuemin');
    max = control.querySelector('.noUi-handle').getAttribute('aria-valuemax');
  } else if (control && control.tagName === 'SELECT') {
    options = control.options.length;
  } else if (control && control.classList.contains('widget-toggle-buttons')) {
    options = control.querySelectorAll('button').length;
  }
  const copy = root.cloneNode(true);
  copy.querySelectorAll('.widget-readout, .noUi-target').forEach(n => n.remove());
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return {images: Array.from(root.querySelectorAll('img')).map(img => img.getAttribute('src') || ''),
          text: copy.textContent, value, min, max, options, disabled,
          commIdle: log.commIdle, updates: log.updates, kernelErrors: log.kernelErrors.length,
          kernelIdle: !!kernel && kernel.status === 'idle'};
}
"""

# Layout of one explorer at the test's window width (issue 11, item 5): every visible label, button,
# drop-down, slider readout, readout line and message must show its whole text, and every slider track
# must be long enough to drag.  Checked on the element that clips: a description's .widget-label, a
# slider's .widget-readout, a <button> (toggle buttons are buttons too), a <select> (its widest option
# must fit beside the arrow: a select never reports overflow itself), the readout's
# .conv-lessons-readout and the HTML box of a readout or message (.widget-html-content).  A slider's
# track is its .noUi-target (ipywidgets 8), measured along the slider.  Returns the violations.
JS_LAYOUT = r"""
({k, minTrack, slack}) => {
  const root = document.querySelector(`[data-bt-explorer="${k}"]`);
  if (!root) return [];
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const clean = t => (t || '').replace(/\u200b/g, '').replace(/\s+/g, ' ').trim();
  const kind = el => el.tagName === 'SELECT' ? 'select' : el.tagName === 'BUTTON'
    ? (el.classList.contains('widget-toggle-button') ? 'button.widget-toggle-button' : 'button')
    : ['widget-label', 'widget-readout', 'conv-lessons-readout', 'widget-html-content']
        .filter(c => el.classList.contains(c)).map(c => '.' + c).join('') || el.tagName.toLowerCase();
  const canvas = window.__bt_canvas || (window.__bt_canvas = document.createElement('canvas'));
  const measure = canvas.getContext('2d');
  const found = [];
  const selectors = '.widget-label, .widget-readout, button, select, .conv-lessons-readout, .widget-html-content';
  for (const el of root.querySelectorAll(selectors)) {
    if (!visible(el)) continue;
    if (el.tagName === 'SELECT') {
      const style = getComputedStyle(el);
      measure.font = style.font;
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      let widest = null, width = 0;
      for (const option of el.options) {
        const w = measure.measureText(option.text).width;
        if (w > width) { width = w; widest = option.text; }
      }
      if (widest !== null && width > room + slack)
        found.push({problem: 'clipped', element: 'select', text: clean(widest),
                    scrollWidth: Math.ceil(width), clientWidth: Math.floor(room),
                    note: 'option text width vs room beside the arrow'});
      continue;
    }
    const text = clean(el.innerText || el.textContent);
    if (!text) continue;
    if (el.scrollWidth > el.clientWidth + slack)
      found.push({problem: 'clipped', element: kind(el), text, scrollWidth: el.scrollWidth,
                  clientWidth: el.clientWidth});
  }
  if (root.scrollWidth > root.clientWidth + slack)  // wider than the notebook's column: scrolls sideways
    found.push({problem: 'clipped', element: '.jp-OutputArea-output (the whole explorer)',
                text: clean(root.innerText).slice(0, 40), scrollWidth: root.scrollWidth,
                clientWidth: root.clientWidth});
  for (const track of root.querySelectorAll('.noUi-target')) {
    if (!visible(track)) continue;
    const box = track.getBoundingClientRect();
    const slider = track.closest('.widget-slider, .widget-hslider, .widget-vslider');
    const vertical = track.classList.contains('noUi-vertical')
      || (slider !== null && slider.classList.contains('widget-vslider'));
    const length = vertical ? box.height : box.width;
    if (length < minTrack) {
      const label = slider && slider.querySelector('.widget-label');
      found.push({problem: 'short track', element: '.widget-slider .noUi-target',
                  text: clean(label ? label.innerText : ''), width: Math.round(length * 10) / 10});
    }
  }
  return found;
}
"""

# The words on an explorer's controls: descriptions, button texts, drop-down options.
JS_CONTROL_WORDS = r"""
({k}) => {
  const root = document.querySelector(`[data-bt-explorer="${k}"]`);
  if (!root) return [];
  const words = [];
  root.querySelectorAll('.widget-label, button, option').forEach(el => {
    const text = (el.innerText || el.textContent || '').replace(/\u200b/g, '').replace(/\s+/g, ' ').trim();
    if (text) words.push(text);
  });
  return words;
}
"""

JS_LOG = r"""
() => {
  const {log} = window.__bt;
  return {kernelErrors: log.kernelErrors, stderr: log.stderr, deaths: log.deaths};
}
"""

# Height the page needs to show the whole notebook without scrolling, for the screenshot.
JS_FULL_HEIGHT = r"""
() => {
  const {panel} = window.__bt;
  const scroller = panel.content.node.querySelector('.jp-WindowedPanel-outer') || panel.content.node;
  return Math.ceil(window.innerHeight - scroller.clientHeight + scroller.scrollHeight + 40);
}
"""

JS_CLOSE = r"""
async ({timeout, settle}) => {
  // Ask the server to shut the kernel down.  Normally don't wait the second or two it takes to exit:
  // once the request is out (a few ms), the server finishes it while the next notebook opens.  After a
  // failure (settle), wait for it, so late console errors of a dead or busy kernel count for this notebook.
  const {panel} = window.__bt;
  const shutdown = panel.sessionContext.shutdown().catch(() => {});
  await Promise.race([shutdown, new Promise(resolve => setTimeout(resolve, settle ? timeout : 300))]);
  if (settle) await new Promise(resolve => setTimeout(resolve, 1000));
  panel.context.model.dirty = false;
  panel.dispose();
  window.__bt = null;
}
"""


@dataclass
class ControlResult:
    """What operating one control did."""

    description: str
    before: str | None
    after: str | None
    image_changed: bool
    text_changed: bool
    round_trip: bool
    updates: int  # widget state updates the kernel sent back
    errors: list[str]  # exceptions the kernel reported meanwhile (an observer raised)


@dataclass
class LayoutProblem:
    """A truncated control or readout, or a slider track too short to drag, in one explorer."""

    cell: str  # the explorer's cell, as cell_label() names it
    when: str  # "after the first render", "after moving slider 'k'", ...
    problem: str  # "clipped" or "short track"
    element: str  # the element that clips: ".widget-label", "button", "select", ...
    text: str
    scroll_width: int | None = None
    client_width: int | None = None
    track_width: float | None = None
    note: str = ""

    def key(self) -> tuple[str, str, str, str]:
        return (self.cell, self.problem, self.element, self.text)

    def describe(self) -> str:
        if self.problem == "short track":
            return (f"slider {self.text!r}: its track ({self.element}) is {self.track_width:g} px long, "
                    f"under {MIN_TRACK_PX} px ({self.when})")
        note = f"; {self.note}" if self.note else ""
        return (f"{self.element} {self.text!r} is truncated: scrollWidth {self.scroll_width} > clientWidth "
                f"{self.client_width}{note} ({self.when})")


@dataclass
class ExplorerReport:
    cell: int
    images: int
    controls: list[ControlResult] = field(default_factory=list)
    screenshot: Path | None = None


@dataclass
class NotebookReport:
    """What one notebook did in the browser; ``problems`` is empty when it passed."""

    name: str
    problems: list[str] = field(default_factory=list)
    explorers: list[ExplorerReport] = field(default_factory=list)
    screenshot: Path | None = None
    seconds: float = 0.0
    console: list[str] = field(default_factory=list)
    layout: list[LayoutProblem] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step, for the timing report
    _last: float = field(default_factory=time.monotonic)

    def mark(self, phase: str) -> None:
        now = time.monotonic()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self._last
        self._last = now

    def fail(self, what: str) -> None:
        self.problems.append(what)


def cell_label(cells: list[dict[str, Any]], index: int) -> str:
    if 0 <= index < len(cells):
        first = cells[index]["source"].strip().splitlines()
        head = next((line for line in first if not line.startswith("# NBVAL")), first[0] if first else "")
        return f"cell {index + 1} ({head[:60]!r})"
    return f"cell {index + 1}"


class ConsoleLog:
    """Collects the page's console errors and uncaught page errors."""

    def __init__(self, page: Any) -> None:
        self.entries: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.entries.append(f"page error: {error}"))

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        text = message.text
        for pattern, _why in KNOWN_CONSOLE_NOISE:
            if re.search(pattern, text):
                return
        location = message.location or {}
        where = f" ({location.get('url', '')}:{location.get('lineNumber', '')})" if location.get("url") else ""
        self.entries.append(f"console error: {text}{where}")

    def since(self, mark: int) -> list[str]:
        return self.entries[mark:]


def wait_until(page: Any, script: str, arg: Any = None, timeout_s: float = 30.0, poll_ms: int = 100) -> bool:
    """Poll ``script`` in the page until it returns truthy; False on timeout (never hangs)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(script, arg=arg, timeout=timeout_s * 1000, polling=poll_ms)
        return True
    except PlaywrightTimeout:
        return False


def explorer_call(source: str) -> str | None:
    """The explorer a cell shows, if its last statement is a call like ``kernel_explorer()``."""
    lines = [line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    match = re.fullmatch(r"(?:\w+\.)*(\w*explorer)\(.*\)\s*;?", lines[-1]) if lines else None
    return match.group(1) if match else None


def iter_explorers(widgets: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    return (w for w in widgets if w["explorer"] is not None)


class NotebookRunner:
    """Runs notebooks, one at a time, in one JupyterLab page."""

    def __init__(self, page: Any, console: ConsoleLog, artifacts: Path, *, run_timeout: float = 90.0,
                 step_timeout: float = 30.0) -> None:
        self.page = page
        self.console = console
        self.artifacts = artifacts
        self._shots = artifacts  # folder and file stem of the current notebook's screenshots
        self._stem = ""
        self._language = "en"
        self.run_timeout = run_timeout
        self.step_timeout = step_timeout
        self._attributed: set[int] = set()  # kernel errors already reported against a control
        self._shown: set[str] = set()  # first lines of tracebacks already shown in full
        self._prestart_next: Callable[[], None] | None = None
        self._console_seen = 0  # console entries already reported (start-up errors go to the first notebook)

    def run(self, path: str, prestart_next: Callable[[], None] | None = None, *, name: str | None = None,
            shots: Path | None = None, stem: str | None = None, language: str = "en") -> NotebookReport:
        """Open ``path`` (relative to the server root), clear and run it, check it; always close it.
        ``prestart_next`` is called once this notebook's cells have run (to start the next kernel).
        ``name`` names the notebook in problem messages (default ``path``); screenshots go to folder
        ``shots`` (default the runner's artifacts folder) as ``<stem>.png`` for the page and
        ``<stem>-explorer-<k>.png`` for its k-th explorer (k from 1); ``stem`` defaults to ``path``
        with "/" as "__", without ".ipynb".  ``language`` is the notebook's edition: in "zh" every
        explorer's controls must carry Chinese words (the lesson's set_language("zh") reached them)."""
        report = NotebookReport(name=name or path)
        self._language = language
        self._shots = shots or self.artifacts
        self._stem = stem or path.replace("/", "__").removesuffix(".ipynb")
        started = time.monotonic()
        mark = self._console_seen
        self._prestart_next = prestart_next
        try:
            self._run(path, report)
        except Exception as error:  # the driver itself failed: say so, with the notebook's name
            report.fail(f"the browser driver stopped: {type(error).__name__}: {error}")
        finally:
            report.mark("checks")
            report.screenshot = self._screenshot(path, report)
            report.mark("screenshot")
            for text in self._dismiss_dialogs():
                report.fail(f"JupyterLab showed a dialog: {text!r}")
            self._close(settle=bool(report.problems))
            report.mark("close")
            report.console = self.console.since(mark)
            self._console_seen = mark + len(report.console)
            for entry in report.console:
                report.fail(entry)
            report.seconds = time.monotonic() - started
        return report

    def _run(self, path: str, report: NotebookReport) -> None:
        page = self.page
        page.evaluate(JS_HELPERS)
        opened = page.evaluate(JS_OPEN, {"path": path, "timeout": self.step_timeout * 1000})
        report.mark("open")
        if opened["windowingMode"] != "none":
            report.fail(f"notebook windowing is {opened['windowingMode']!r}, not 'none': the test settings "
                        "did not take effect, so cells outside the viewport may not render")
        if not wait_until(page, JS_KERNEL_IDLE, timeout_s=self.step_timeout):
            report.fail(f"the kernel did not become idle within {self.step_timeout:.0f} s of opening the notebook")
            return
        report.mark("kernel")
        run = page.evaluate(JS_RUN_ALL, {"timeout": self.run_timeout * 1000})
        if run["left"]:
            report.fail(f"'clear all outputs' left outputs in {run['left']} cell(s)")
        if run["error"]:
            report.fail(f"run all cells: {run['error']}")
        finished = wait_until(page, JS_RUN_FINISHED, timeout_s=self.step_timeout if not run["error"] else 1)
        state = page.evaluate(JS_CELLS)
        self._attributed = set()
        self._shown = set()
        deaths = page.evaluate(JS_LOG)["deaths"]
        if deaths:
            report.fail(f"the kernel died ({', '.join(deaths)}): out of memory, os._exit, or a crash in native code?")
            return
        self._check_cells(state, report)
        if not finished:
            report.fail(f"the run did not finish within the time limit (kernel {state['kernelStatus']})")
            return
        report.mark("run")
        if self._prestart_next is not None:
            self._prestart_next()
        self._check_widgets(state, report)
        log = page.evaluate(JS_LOG)
        if log["deaths"]:
            report.fail(f"the kernel died ({', '.join(log['deaths'])}) while the explorers were operated")
        for index, error in enumerate(log["kernelErrors"]):
            # errors of cells are reported per cell, errors of controls per control, above
            headline = f"{error['ename']}: {error['evalue']}".splitlines()[0]
            if error["parent"] != "execute_request" and index not in self._attributed and headline not in self._shown:
                report.fail(f"the kernel reported {error['ename']}: {error['evalue']} while handling a "
                            f"{error['parent'] or 'message'}:\n{traceback_tail(error['traceback'])}")
        for item in log["stderr"]:
            if item["parent"] != "execute_request" and "Traceback" in item["text"]:
                report.fail(f"a traceback on the kernel's stderr while handling a {item['parent'] or 'message'} "
                            f"(a widget observer raised?):\n{traceback_tail(item['text'])}")

    def _check_cells(self, state: dict[str, Any], report: NotebookReport) -> None:
        cells = state["cells"]
        if state["domCells"] != len(cells):
            report.fail(f"{state['domCells']} of {len(cells)} cells are in the page (windowing should be off)")
        for cell in cells:
            if cell["type"] != "code":
                continue
            where = cell_label(cells, cell["index"])
            allowed = "raises-exception" in cell["tags"]
            for out in cell["outputs"]:
                if out["type"] == "error" and not allowed:
                    report.fail(f"{where} raised {out['ename']}: {out['evalue']}\n{traceback_tail(out['traceback'])}")
                elif out["type"] == "stream" and out.get("name") == "stderr" and "Traceback" in out.get("text", ""):
                    report.fail(f"{where} printed a traceback on stderr:\n{traceback_tail(out['text'])}")
        not_run = [cell_label(cells, c["index"]) for c in cells
                   if c["type"] == "code" and c["source"].strip() and (c["executionCount"] is None or c["running"])]
        if not_run:
            report.fail(f"{len(not_run)} code cell(s) did not run (no execution count): {', '.join(not_run[:4])}"
                        + (" …" if len(not_run) > 4 else ""))

    def _check_widgets(self, state: dict[str, Any], report: NotebookReport) -> None:
        cells = state["cells"]
        expected = sum(WIDGET_MIME in out.get("mimes", []) for cell in cells for out in cell["outputs"])
        page = self.page
        rendered = expected == 0 or wait_until(
            page,
            """(n) => { const {panel} = window.__bt;
                 const outs = Array.from(panel.content.node.querySelectorAll('.jp-OutputArea-output'))
                   .filter(o => o.querySelector(':scope > .jupyter-widgets') !== null
                                || /Error displaying widget/i.test(o.innerText));
                 return outs.length >= n
                   && Array.from(panel.content.node.querySelectorAll('.jp-OutputArea-output img'))
                        .every(img => !img.getAttribute('src') || img.complete); }""",
            arg=expected, timeout_s=self.step_timeout,
        )
        widgets = page.evaluate(JS_WIDGETS)
        if not rendered or len(widgets) < expected:
            report.fail(f"{expected} widget outputs in the notebook, {len(widgets)} in the page "
                        f"within {self.step_timeout:.0f} s (the widget manager did not render them?)")
        for widget in widgets:
            where = cell_label(cells, widget["cell"])
            if widget["failed"] or not widget["rendered"]:
                report.fail(f"{where}: the widget did not render: {widget['text']!r}")
        explorer_cells = {w["cell"] for w in iter_explorers(widgets)}
        for cell in cells:
            call = explorer_call(cell["source"]) if cell["type"] == "code" else None
            if call and cell["index"] not in explorer_cells:
                report.fail(f"{cell_label(cells, cell['index'])} calls {call}() but no explorer (a widget with an "
                            "image) rendered there")
        for widget in iter_explorers(widgets):
            self._check_explorer(widget, cells, report)

    def _check_explorer(self, widget: dict[str, Any], cells: list[dict[str, Any]], report: NotebookReport) -> None:
        where = f"explorer in {cell_label(cells, widget['cell'])}"
        explorer = ExplorerReport(cell=widget["cell"], images=len(widget["images"]))
        report.explorers.append(explorer)
        for number, image in enumerate(widget["images"]):
            if not image["src"] or not image["complete"] or image["width"] == 0:
                report.fail(f"{where}: image {number + 1} is empty or did not load (src={image['src'][:40]!r})")
        explorer.screenshot = self._explorer_shot(widget["explorer"], report)
        if self._language == "zh":
            words = self.page.evaluate(JS_CONTROL_WORDS, {"k": widget["explorer"]})
            if words and not any(re.search(r"[\u4e00-\u9fff]", word) for word in words):
                report.fail(f"{report.name}, {where}: no Chinese on its controls in the Chinese edition (the "
                            f"explorer did not follow set_language('zh')): {', '.join(map(repr, words[:8]))}")
        seen: set[tuple[str, str, str, str]] = set()
        self._check_layout(widget["explorer"], cell_label(cells, widget["cell"]), "after the first render",
                           report, seen)
        usable = [(j, c) for j, c in enumerate(widget["controls"]) if not c["disabled"]]
        if not usable:
            report.fail(f"{where}: no controls rendered (no slider, drop-down, toggle or check box)")
            return
        shown = self._shown
        for j, control in usable:
            name = f"{control['kind']} {control['description'] or j + 1!r}"
            result = self._move(widget["explorer"], j, control["kind"], name)
            if result is None:
                continue
            explorer.controls.append(result)
            self._check_layout(widget["explorer"], cell_label(cells, widget["cell"]),
                               f"after moving {name} {result.before} → {result.after}", report, seen)
            what = f"{where}: {name} ({result.before} → {result.after})"
            for error in result.errors:
                headline = error.splitlines()[0]
                if headline in shown:
                    report.fail(f"{what} made the kernel raise {headline} (traceback above)")
                else:
                    shown.add(headline)
                    report.fail(f"{what} made the kernel raise {error}")
            if result.before == result.after:
                report.fail(f"{where}: {name} did not change when operated (value stayed {result.before})")
            elif not result.round_trip:
                report.fail(f"{what}: the kernel did not answer within {self.step_timeout:.0f} s")
            elif control["kind"] == "slider" and not (result.image_changed or result.text_changed):
                report.fail(f"{what}: neither the image nor any text in the explorer changed "
                            "(the redraw did not happen)")
            elif not (result.image_changed or result.text_changed or result.updates):
                report.fail(f"{what}: nothing changed: no new image, no new text, no widget updated by the kernel")
        if explorer.controls and not any(r.image_changed for r in explorer.controls):
            report.fail(f"{where}: no control changed the rendered image "
                        f"(tried {', '.join(r.description for r in explorer.controls)})")
        for call, (pattern, rule) in MUST_REDRAW.items():
            if re.search(rf"\b{call}\(", cells[widget["cell"]]["source"]):
                named = [r for r in explorer.controls if re.search(pattern, r.description, re.I)]
                if not any(r.image_changed for r in named):
                    tried = ", ".join(r.description for r in named) or "no such control found"
                    report.fail(f"{where}: {rule}; the image did not change (tried {tried})")

    def _check_layout(self, k: int, cell: str, when: str, report: NotebookReport,
                      seen: set[tuple[str, str, str, str]]) -> None:
        """Fail for each truncated element or short slider track of explorer ``k`` not seen before."""
        found = self.page.evaluate(JS_LAYOUT, {"k": k, "minTrack": MIN_TRACK_PX, "slack": LAYOUT_SLACK_PX})
        for item in found:
            problem = LayoutProblem(cell=cell, when=when, problem=item["problem"], element=item["element"],
                                    text=item["text"][:80], scroll_width=item.get("scrollWidth"),
                                    client_width=item.get("clientWidth"), track_width=item.get("width"),
                                    note=item.get("note", ""))
            if problem.key() in seen:
                continue
            seen.add(problem.key())
            report.layout.append(problem)
            report.fail(f"{report.name}, explorer in {cell}: {problem.describe()}")

    def _explorer_shot(self, k: int, report: NotebookReport) -> Path | None:
        """A screenshot of explorer ``k`` alone (its controls, labels and picture as first drawn)."""
        target = self._shots / f"{self._stem}-explorer-{k + 1}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.page.locator(f'[data-bt-explorer="{k}"]').screenshot(path=str(target),
                                                                       timeout=self.step_timeout * 1000)
            return target
        except Exception as error:  # a screenshot must never hide the real failure
            report.fail(f"screenshot of explorer {k + 1} failed: {error}")
            return None

    def _move(self, k: int, j: int, kind: str, name: str) -> ControlResult | None:
        """Operate control ``j`` of explorer ``k`` once, as a user would, and see what changed."""
        page = self.page
        timeout_ms = self.step_timeout * 1000
        before = page.evaluate(JS_EXPLORER_STATE, {"k": k, "j": j})
        if before is None or before["disabled"]:  # re-rendered, or disabled by an earlier move
            return None
        if kind == "slider" and before["min"] is not None and before["min"] == before["max"]:
            return None  # its range shrank to one value (e.g. a 1-wide feature map): nothing to move
        control = page.locator(f'[data-bt-explorer="{k}"] [data-bt-control="{j}"]')
        if kind == "slider":
            at_max = before["value"] is not None and before["max"] is not None and \
                float(before["value"]) >= float(before["max"])
            control.locator(".noUi-handle").first.press("ArrowLeft" if at_max else "ArrowRight", timeout=timeout_ms)
        elif kind == "dropdown":
            control.select_option(index=(int(before["value"]) + 1) % max(before["options"], 1), timeout=timeout_ms)
        elif kind == "toggle":
            control.locator("button").nth((int(before["value"]) + 1) % max(before["options"], 1)).click(
                timeout=timeout_ms)
        else:
            control.click(timeout=timeout_ms)
        changed = wait_until(page, "({k, j, v}) => window.__bt_value(k, j) !== v",
                             arg={"k": k, "j": j, "v": before["value"]}, timeout_s=2)
        after_value = page.evaluate("({k, j}) => window.__bt_value(k, j)", {"k": k, "j": j})
        if not changed:
            return ControlResult(name, before["value"], after_value, False, False, False, 0, [])
        # The kernel answers the widget message (busy → idle for a comm_msg) ...
        round_trip = wait_until(
            page,
            "(n) => { const {panel, log} = window.__bt; const kn = panel.sessionContext.session.kernel;"
            " return log.commIdle > n && kn.status === 'idle'; }",
            arg=before["commIdle"], timeout_s=self.step_timeout,
        )
        # ... and the new picture arrives (the Image view swaps its blob: URL) and loads.  An explorer
        # draws after the message's "idle" (its update is scheduled on the kernel's event loop), so a
        # slider, which must redraw, gets a few seconds on a busy machine.
        wait_until(
            page,
            "({k, images}) => { const r = document.querySelector(`[data-bt-explorer=\"${k}\"]`);"
            " const now = Array.from(r.querySelectorAll('img'));"
            " return now.some((img, i) => img.getAttribute('src') !== images[i]) && now.every(img => img.complete); }",
            arg={"k": k, "images": before["images"]},
            timeout_s=(5 if kind == "slider" else 1) if round_trip else 0.2,
        )
        after = page.evaluate(JS_EXPLORER_STATE, {"k": k, "j": j})
        errors = page.evaluate("(n) => window.__bt.log.kernelErrors.slice(n)", before["kernelErrors"])
        self._attributed.update(range(before["kernelErrors"], before["kernelErrors"] + len(errors)))
        return ControlResult(
            description=name, before=before["value"], after=after["value"],
            image_changed=after["images"] != before["images"], text_changed=after["text"] != before["text"],
            round_trip=round_trip, updates=after["updates"] - before["updates"],
            errors=[f"{e['ename']}: {e['evalue']}\n{traceback_tail(e['traceback'])}" for e in errors],
        )

    def _screenshot(self, path: str, report: NotebookReport) -> Path | None:
        page = self.page
        target = self._shots / f"{self._stem}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        viewport = page.viewport_size
        try:
            if page.evaluate("() => !!(window.__bt && window.__bt.panel)"):
                height = min(int(page.evaluate(JS_FULL_HEIGHT)), 16000)
                if viewport and height > viewport["height"]:
                    page.set_viewport_size({"width": viewport["width"], "height": height})
                    page.wait_for_timeout(300)
            page.screenshot(path=str(target), full_page=True, timeout=self.step_timeout * 1000)
            return target
        except Exception as error:  # a screenshot must never hide the real failure
            report.fail(f"screenshot failed: {error}")
            return None
        finally:
            if viewport:
                page.set_viewport_size(viewport)

    def _dismiss_dialogs(self) -> list[str]:
        """Texts of JupyterLab dialogs left open (kernel died, select a kernel, ...), then closed."""
        texts: list[str] = []
        for _ in range(5):
            try:
                text = self.page.evaluate(
                    "() => { const d = document.querySelector('.jp-Dialog'); return d ? d.innerText : null; }")
                if text is None:
                    break
                texts.append(" ".join(text.split())[:300])
                buttons = self.page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-reject")
                if buttons.count():
                    buttons.first.click(timeout=5000)
                else:
                    self.page.keyboard.press("Escape")
                self.page.wait_for_timeout(200)
            except Exception:
                break
        return texts

    def _close(self, settle: bool) -> None:
        try:
            if self.page.evaluate("() => !!(window.__bt && window.__bt.panel)"):
                self.page.evaluate(JS_CLOSE, {"timeout": self.step_timeout * 1000, "settle": settle})
        except Exception:
            pass
