"""Every notebook of both editions, run in JupyterLab in headless Chromium: what a learner sees.

nbval proves the kernel side; this test proves the page: every notebook, English (``notebooks/``)
and Chinese (``notebooks/zh/``), index, lessons 01-06 and solutions, is opened in a real JupyterLab,
its outputs cleared and all cells run; no cell may show an error, the browser console must stay
clean, every explorer must render its picture and controls, and operating each control (a key press
on a slider's handle, another drop-down option, ...) must redraw the picture or a readout (for the
training explorer, moving the learning rate or epochs retrains and draws a new loss curve).

Layout (issue 11, item 5), for every explorer in both editions, in the test's 1280-px-wide window,
after the explorer's first render and again after each control moved: no description label
(``.widget-label``), button or toggle button, drop-down (its widest option beside the arrow), slider
readout (``.widget-readout``), readout (``.conv-lessons-readout``) or message box
(``.widget-html-content``) may be truncated (``scrollWidth > clientWidth`` by more than 1 px), and no
slider track (``.noUi-target``) may be shorter than 120 px, and the explorer as a whole may not be
wider than the notebook's column.  A problem names the edition and notebook, the explorer's cell, the
element, its text and its widths; every one of the last run is also written, one JSON object a line,
to ``test-artifacts/browser/layout.jsonl``.  ``test_layout_check_flags_truncated_controls`` checks
the check on a page laid out like an explorer.
In the Chinese edition each explorer's controls (descriptions, buttons, options) must also carry
Chinese words: the lesson's ``set_language("zh")`` reached the explorer in the page.

Test ids name the edition and notebook: ``en/02_edge_detection.ipynb``,
``zh/solutions/02_edge_detection_solutions.ipynb``.  One JupyterLab server (serving a copy of
``notebooks/``, the Chinese edition in its ``zh/`` folder) and one Chromium page run them all.

Screenshots (the folder shows the last run only): the whole notebook page as
``test-artifacts/browser/<stem>.png`` (English) and ``test-artifacts/browser/zh/<stem>.png``
(Chinese), and each explorer alone, as first drawn, as ``<stem>-explorer-<k>.png`` beside it
(k = 1, 2, ... in the notebook's order), so a reviewer sees each edition's labels; a solutions
notebook's stem is ``solutions__<name>``.

Running a subset while developing:
``CONV_LESSONS_BROWSER_ONLY=zh/02,en/05 .venv/bin/pytest tests/test_browser.py`` runs the notebooks
whose id starts with one of the comma-separated prefixes (``zh`` alone: the Chinese edition;
``zh/solutions/0``: its solutions); pytest's own ``-k`` selects by id too
(``-k "zh and 02_edge"``).  A prefix that matches no notebook is an error, not an empty run.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``; for Chinese text in the
screenshots also ``fonts-noto-cjk``; ``.ci/run`` installs both): skipped without it, except when the
CI environment variable is set, where a missing browser fails the run; the same for the Chinese
edition when no system font covers Chinese (``fc-list :lang=zh``).
``CONV_LESSONS_BROWSER_NOTEBOOKS=DIR`` runs the notebooks of another folder instead (used to show
that a broken explorer fails this test); its ``zh/`` folder, if any, is the Chinese edition.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    ARTIFACTS,
    JS_LAYOUT,
    LAYOUT_SLACK_PX,
    MIN_TRACK_PX,
    REPO,
    ConsoleLog,
    LabServer,
    NotebookReport,
    NotebookRunner,
    discover_notebooks,
    headless_chromium,
    running_lab,
    unavailable,
)

NOTEBOOKS = Path(os.environ.get("CONV_LESSONS_BROWSER_NOTEBOOKS") or REPO / "notebooks").resolve()
# Each edition: (id prefix, folder under NOTEBOOKS the server serves it from, screenshot folder).
EDITIONS = (("en", "", ARTIFACTS), ("zh", "zh", ARTIFACTS / "zh"))


@dataclass(frozen=True)
class Case:
    """One notebook of one edition: its test id, its path on the server, where its screenshots go."""

    id: str  # "zh/02_edge_detection.ipynb"
    path: str  # relative to the server root (NOTEBOOKS): "zh/02_edge_detection.ipynb"
    shots: Path
    stem: str  # file stem of its screenshots: "02_edge_detection", "solutions__02_..._solutions"


def discover_cases(root: Path) -> list[Case]:
    """Every notebook of every edition found under ``root``, English first."""
    cases = []
    for edition, folder, shots in EDITIONS:
        base = root / folder if folder else root
        for notebook in discover_notebooks(base) if base.is_dir() else []:
            within = notebook.relative_to(base).as_posix()
            cases.append(Case(id=f"{edition}/{within}", path=notebook.relative_to(root).as_posix(), shots=shots,
                              stem=within.replace("/", "__").removesuffix(".ipynb")))
    return cases


def selected(cases: list[Case], only: str | None) -> list[Case]:
    """The cases whose id starts with one of the comma-separated prefixes in ``only`` (all if unset)."""
    prefixes = [item.strip() for item in (only or "").split(",") if item.strip()]
    if not prefixes:
        return cases
    unknown = [prefix for prefix in prefixes if not any(c.id.startswith(prefix) for c in cases)]
    if unknown:
        raise pytest.UsageError(f"CONV_LESSONS_BROWSER_ONLY={only!r}: no notebook id starts with "
                                f"{', '.join(map(repr, unknown))}; ids are like {cases[0].id!r}, 'zh/02_edge...'")
    return [c for c in cases if any(c.id.startswith(prefix) for prefix in prefixes)]


CASES = selected(discover_cases(NOTEBOOKS), os.environ.get("CONV_LESSONS_BROWSER_ONLY"))

LAB_LOAD_TIMEOUT_S = 90  # JupyterLab's first page load on a busy 2-core machine
RUN_TIMEOUT_S = 90  # one notebook's "run all cells"
STEP_TIMEOUT_S = 30  # every other wait (kernel start, widget rendering, one control's redraw)


LAYOUT_RECORD = ARTIFACTS / "layout.jsonl"  # every layout problem of the last run, one JSON object a line


def record_layout(case: Case, report: NotebookReport) -> None:
    """Append this notebook's layout problems to LAYOUT_RECORD (read by people fixing explorers)."""
    LAYOUT_RECORD.parent.mkdir(parents=True, exist_ok=True)
    with LAYOUT_RECORD.open("a", encoding="utf-8") as record:
        for problem in report.layout:
            record.write(json.dumps({"notebook": case.id, **asdict(problem)}, ensure_ascii=False) + "\n")


@functools.cache
def chinese_fonts() -> list[str] | None:
    """Families of the system fonts (fontconfig) that cover Chinese, which Chromium draws Chinese labels
    with; None when fc-list is not there to ask."""
    if shutil.which("fc-list") is None:
        return None
    listing = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False)
    return sorted({line.strip() for line in listing.stdout.splitlines() if line.strip()})


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the module (Playwright's Browser)."""
    with headless_chromium(tmp_path_factory.mktemp("chromium"), "browser test", STEP_TIMEOUT_S) as browser:
        yield browser


@pytest.fixture(scope="module")
def lab(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebooks folder; stopped (with its
    kernels) when the module's tests are done, pass or fail."""
    work = tmp_path_factory.mktemp("browser")
    with running_lab(NOTEBOOKS, work) as server:
        yield server


@pytest.fixture(scope="module")
def runner(lab: LabServer, chromium: Any) -> Iterator[NotebookRunner]:
    """One JupyterLab page in the module's Chromium, reused for every notebook."""
    for _edition, _folder, shots in EDITIONS:  # the folders show the last run only
        for old in shots.glob("*.png"):
            old.unlink()
    LAYOUT_RECORD.unlink(missing_ok=True)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_S * 1000)
        console = ConsoleLog(page)
        page.goto(lab.url(f"lab?token={lab.token}"), wait_until="domcontentloaded",
                  timeout=LAB_LOAD_TIMEOUT_S * 1000)
        try:
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell",
                                   timeout=LAB_LOAD_TIMEOUT_S * 1000)
            page.evaluate("(ms) => Promise.race([window.jupyterapp.restored, new Promise((_, reject) =>"
                          " setTimeout(() => reject(new Error('JupyterLab did not finish restoring')), ms))])",
                          LAB_LOAD_TIMEOUT_S * 1000)
        except Exception as error:
            pytest.fail(f"JupyterLab did not load in Chromium within {LAB_LOAD_TIMEOUT_S} s: {error}\n"
                        f"browser console: {console.entries}\nserver log:\n{lab.log_tail()}", pytrace=False)
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        yield NotebookRunner(page, console, ARTIFACTS, run_timeout=RUN_TIMEOUT_S, step_timeout=STEP_TIMEOUT_S)
    finally:
        context.close()


def test_both_editions_run_every_notebook_and_subsets_select_by_id() -> None:
    """The browser test covers every notebook of both editions, twins, with ids naming the edition and
    screenshots in the edition's folder; CONV_LESSONS_BROWSER_ONLY picks by id prefix and refuses a
    prefix that matches nothing (no silent empty run)."""
    cases = discover_cases(REPO / "notebooks")
    by_edition = {edition: sorted(c.id.split("/", 1)[1] for c in cases if c.id.startswith(f"{edition}/"))
                  for edition, _folder, _shots in EDITIONS}
    assert by_edition["en"] == by_edition["zh"], "the two editions' notebooks differ"
    assert {"index.ipynb", "02_edge_detection.ipynb", "solutions/02_edge_detection_solutions.ipynb"} \
        <= set(by_edition["zh"])
    assert len(cases) == 2 * len(by_edition["en"]) == len({c.id for c in cases})
    zh = next(c for c in cases if c.id == "zh/solutions/02_edge_detection_solutions.ipynb")
    assert (zh.path, zh.shots, zh.stem) == ("zh/solutions/02_edge_detection_solutions.ipynb", ARTIFACTS / "zh",
                                            "solutions__02_edge_detection_solutions")
    en = next(c for c in cases if c.id == "en/02_edge_detection.ipynb")
    assert (en.path, en.shots, en.stem) == ("02_edge_detection.ipynb", ARTIFACTS, "02_edge_detection")
    assert [c.id for c in selected(cases, "zh/02, en/05")] == [
        "en/05_convolution_as_matrix_multiplication.ipynb", "zh/02_edge_detection.ipynb"]
    assert selected(cases, None) == selected(cases, "") == cases
    with pytest.raises(pytest.UsageError, match="'zh/99'"):
        selected(cases, "zh/02,zh/99")


# An explorer's controls as ipywidgets 8 lays them out (class names and the styles that clip), each
# in a case the layout check must flag ("bad") or pass ("ok").
LAYOUT_PAGE = """<!doctype html><meta charset="utf-8">
<style>
  body { font: 13px sans-serif; }
  .widget-label { display: inline-block; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
  button { overflow: hidden; white-space: nowrap; text-overflow: ellipsis; padding: 0 6px; font: 13px sans-serif; }
  select { padding: 0 20px 0 8px; font: 13px sans-serif; }
  .noUi-target { display: inline-block; height: 4px; background: #ccc; }
  .conv-lessons-readout { white-space: pre-wrap; font-family: monospace; }
  .widget-html-content { overflow: hidden; white-space: nowrap; }
</style>
<div class="jp-OutputArea-output" data-bt-explorer="0" style="width: 900px">
  <div class="widget-label" style="width: 40px">bad label: kernel height k_h</div>
  <div class="widget-label" style="width: 300px">ok label</div>
  <div class="widget-label" style="width: 10px; display: none">hidden label, not shown to anyone</div>
  <button class="widget-toggle-button" style="width: 30px">bad button medium</button>
  <button style="width: 200px">ok button</button>
  <select style="width: 90px"><option>ok</option><option>bad option: edge image 6×8 (the chapter's X)</option></select>
  <select style="width: 200px"><option>ok option</option></select>
  <div class="widget-slider widget-hslider"><div class="widget-label" style="width: 100px">bad track</div>
    <div class="noUi-target" style="width: 18px"></div></div>
  <div class="widget-slider widget-hslider"><div class="widget-label" style="width: 100px">ok track</div>
    <div class="noUi-target" style="width: 150px"></div></div>
  <div class="conv-lessons-readout" style="width: 120px">ok readout: long lines wrap instead of being cut</div>
  <div class="widget-html-content" style="width: 60px">bad message: ⚠ the kernel is larger than the input</div>
  <div style="width: 1000px; height: 2px"></div>
</div>
"""


def test_layout_check_flags_truncated_controls(chromium: Any) -> None:
    """The layout check itself: it flags exactly the truncated label, button, drop-down option and
    message, the short slider track and the explorer wider than its column, on a page laid out like an
    explorer, and nothing else (not a hidden label, not a wrapped readout)."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.set_content(LAYOUT_PAGE)
        found = page.evaluate(JS_LAYOUT, {"k": 0, "minTrack": MIN_TRACK_PX, "slack": LAYOUT_SLACK_PX})
    finally:
        page.close()
    flagged = sorted((item["problem"], item["element"], item["text"].split(":")[0]) for item in found)
    assert flagged == [
        ("clipped", ".jp-OutputArea-output (the whole explorer)", "bad label"),  # 1000 px inside 900 px
        ("clipped", ".widget-html-content", "bad message"),
        ("clipped", ".widget-label", "bad label"),
        ("clipped", "button.widget-toggle-button", "bad button medium"),
        ("clipped", "select", "bad option"),
        ("short track", ".widget-slider .noUi-target", "bad track"),
    ], found


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_notebook_in_jupyterlab(runner: NotebookRunner, lab: LabServer, case: Case,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """Open, clear, run all; no errors; explorers render, are laid out whole, and redraw when their
    controls move."""
    if case.id.startswith("zh/") and chinese_fonts() == []:
        unavailable("no system font covers Chinese (fc-list :lang=zh is empty): Chromium would draw the Chinese "
                     "edition's labels as boxes and measure them wrong; install one: `sudo apt-get install "
                     "fonts-noto-cjk`")
    following = CASES[CASES.index(case) + 1:]
    prestart = (lambda: lab.prestart_kernel(following[0].path)) if following else None
    report = runner.run(case.path, prestart_next=prestart, name=case.id, shots=case.shots, stem=case.stem,
                        language=case.id.split("/")[0])
    notebook = case.id
    shot = report.screenshot.relative_to(REPO) if report.screenshot and report.screenshot.is_relative_to(REPO) \
        else report.screenshot
    with capsys.disabled():  # shown even when pytest captures output: where to look
        print(f"\n  {notebook}: {report.seconds:.1f} s, screenshot {shot}", end="")
    phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in report.phases.items())
    print(f"{notebook}: {report.seconds:.1f} s ({phases})")
    for explorer in report.explorers:
        moved = ", ".join(f"{c.description} {c.before}→{c.after}{' (image)' if c.image_changed else ''}"
                          for c in explorer.controls)
        print(f"  explorer in cell {explorer.cell + 1}: {explorer.images} image(s), screenshot "
              f"{explorer.screenshot}; {moved}")
    record_layout(case, report)
    if report.problems:
        problems = "\n".join(f"- {problem}" for problem in report.problems)
        pytest.fail(f"{notebook} in JupyterLab ({len(report.problems)} problem(s), "
                    f"screenshot {report.screenshot}):\n{problems}", pytrace=False)
