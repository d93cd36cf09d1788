"""Lesson 01 presented as slides in JupyterLab, in headless Chromium, as a teacher would.

The teacher's steps (README, "Teaching from the front of the room"): open the lesson, *Run → Run All
Cells*, set the text to 17 px and the code to 16 px (the Command Palette's *Content Font Size* and
*Code Font Size*, the sizes of JupyterLab's Presentation Mode, which does not reach into the
slideshow), click the title, press the notebook toolbar's slideshow (deck) button, then step with →
through the deck.  This test does exactly that on a 1280×720 page
(a projector) and checks, slide by slide, against the lesson's own slide metadata
(tests/test_slides.py groups the cells the same way):

- the slides come in the lesson's order, and each shows exactly its cells: no speaker note, no
  skipped cell (imports, navigation, going deeper, exercises) is on screen;
- each slide fits the screen: the top of its first cell and the bottom of its last are inside the
  720 px window;
- on the explorer's slide the explorer is live: moving its first slider (a key press on the handle)
  redraws the picture, and the screenshots before and after differ;
- the browser console stays free of errors.

A screenshot of every slide goes to test-artifacts/browser/slides/ (``slide-NN.png``, plus
``slide-NN-explorer-moved.png`` after the slider moved).  Set-up as tests/test_browser.py
(tests/browser_support.py): JupyterLab on 127.0.0.1 with a random token and fresh settings, Debian's
Chromium; skipped without Chromium, except in CI.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import nbformat
import pytest
from browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    JS_HELPERS,
    JS_OPEN,
    JS_RUN_ALL,
    JS_RUN_FINISHED,
    REPO,
    ConsoleLog,
    LabServer,
    running_lab,
    unavailable,
    wait_until,
)
from test_slides import is_explorer, slide_type, slides_of

LESSON = "01_cross_correlation.ipynb"
SHOTS = ARTIFACTS / "slides"
VIEWPORT = {"width": 1280, "height": 720}  # a projector
LAB_LOAD_TIMEOUT_S = 90
RUN_TIMEOUT_S = 90
STEP_TIMEOUT_S = 30

# Per cell of the open notebook: shown on the current slide (the presenter's class), and where it is.
JS_SLIDE_STATE = r"""
() => {
  const {panel} = window.__bt;
  const unique = panel.content.widgets.map(w => w.node);
  return {
    active: panel.content.activeCellIndex,
    deck: document.body.dataset.jpDeckMode || null,
    shown: unique.map((c, i) => {
      const box = c.getBoundingClientRect();
      const style = getComputedStyle(c);
      return {index: i, visible: c.classList.contains('jp-deck-mod-visible') && style.visibility !== 'hidden'
                                   && style.display !== 'none' && box.height > 0,
              top: box.top, bottom: box.bottom};
    }).filter(c => c.visible),
    innerHeight: window.innerHeight,
  };
}
"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} not found", "browser slide test")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("Python Playwright is not installed (pip install -e '.[test]')", "browser slide test")
    work = tmp_path_factory.mktemp("browser-slides")
    with running_lab(REPO / "notebooks", work) as server:
        yield server


@pytest.fixture(scope="module")
def page(lab: LabServer, tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):  # the folder shows the last run only
        old.unlink()
    home = tmp_path_factory.mktemp("chromium-slides")
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                                             env=env, timeout=STEP_TIMEOUT_S * 1000)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(STEP_TIMEOUT_S * 1000)
            page.console_log = ConsoleLog(page)
            page.goto(lab.url(f"lab?token={lab.token}"), wait_until="domcontentloaded",
                      timeout=LAB_LOAD_TIMEOUT_S * 1000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell",
                                   timeout=LAB_LOAD_TIMEOUT_S * 1000)
            page.evaluate("() => window.jupyterapp.restored")
            page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
            yield page
        finally:
            browser.close()


def _go_forward(page) -> None:
    """→ on the presenter's remote: the next cell of this slide, or the next slide."""
    page.evaluate("() => window.jupyterapp.commands.execute('deck:forward')")


def _settle(page, ms: int = 400) -> None:
    page.wait_for_timeout(ms)


def test_lesson_01_presented_as_slides(page, lab: LabServer) -> None:
    notebook = nbformat.read(REPO / "notebooks" / LESSON, as_version=4)
    slides, problems = slides_of(notebook.cells, [c.get("outputs", []) for c in notebook.cells])
    assert not problems and slides, problems
    explorer = next(i for i, cell in enumerate(notebook.cells) if is_explorer(cell))
    console = page.console_log

    page.evaluate(JS_HELPERS)
    page.evaluate(JS_OPEN, {"path": LESSON, "timeout": STEP_TIMEOUT_S * 1000})
    run = page.evaluate(JS_RUN_ALL, {"timeout": RUN_TIMEOUT_S * 1000})
    assert run["error"] is None, f"Run All Cells failed: {run['error']}"
    assert wait_until(page, JS_RUN_FINISHED, timeout_s=RUN_TIMEOUT_S), "the lesson's cells did not finish running"
    for command in ("content-font-size:17px", "code-font-size:16px"):  # jupyterlab-fonts' commands
        page.evaluate("(c) => window.jupyterapp.commands.execute(c)", command)

    # The teacher clicks the title and presses the toolbar's slideshow button.
    title = slides[0].first
    page.locator(".jp-Notebook .jp-Cell").nth(title).click()
    button = page.locator('.jp-NotebookPanel-toolbar [data-command="deck:toggle"]')
    assert button.count() == 1, "the notebook toolbar has no slideshow (deck) button: jupyterlab-slideshow missing?"
    button.first.click()
    assert wait_until(page, "() => document.body.dataset.jpDeckMode === 'presenting'", timeout_s=STEP_TIMEOUT_S), \
        "the slideshow did not start"
    _settle(page, 800)
    sizes = page.evaluate("() => [getComputedStyle(document.querySelector('.jp-deck-mod-visible p')).fontSize,"
                          " getComputedStyle(document.querySelector('.jp-Notebook .cm-content')).fontSize]")
    assert sizes == ["17px", "16px"], f"slide text and code are {sizes}, not the 17 px and 16 px of a screen's worth"

    seen: list[list[int]] = []  # the cells on screen at the end of each slide
    steps = 0
    current: list[int] = []
    explorer_checked = False
    while True:
        state = page.evaluate(JS_SLIDE_STATE)
        shown = [c["index"] for c in state["shown"]]
        if seen and shown == seen[-1]:  # → moved to the next cell of a slide already complete on screen
            shown = []
        on_slide = len(seen)
        assert on_slide < len(slides), f"more slides on screen than the lesson has ({len(slides)}): now {shown}"
        expected = slides[on_slide].shown
        assert set(shown) <= set(expected), (
            f"slide {on_slide + 1}: cells {sorted(set(shown) - set(expected))} are on screen but belong elsewhere "
            f"(expected cells {expected}; notes and skipped cells must stay hidden)")
        current = shown
        if shown == expected:  # the whole slide is on screen: check it fits, photograph it
            top, bottom = min(c["top"] for c in state["shown"]), max(c["bottom"] for c in state["shown"])
            number = on_slide + 1
            page.screenshot(path=str(SHOTS / f"slide-{number:02d}.png"))
            assert top >= 0 and bottom <= state["innerHeight"], (
                f"slide {number} (cells {expected}) does not fit the {VIEWPORT['width']}×{VIEWPORT['height']} "
                f"screen: it spans {top:.0f}–{bottom:.0f} px (screenshot {SHOTS / f'slide-{number:02d}.png'})")
            if explorer in expected:
                _operate_explorer(page, explorer, number)
                explorer_checked = True
            seen.append(expected)
        before = state["active"]
        _go_forward(page)
        _settle(page)
        steps += 1
        if page.evaluate("() => window.__bt.panel.content.activeCellIndex") == before:
            break  # the last slide: → goes nowhere
        assert steps < 4 * len(notebook.cells), "stepping through the deck does not end"
    assert [s.shown for s in slides] == seen, (
        f"stepping with → showed {len(seen)} complete slides, the lesson has {len(slides)}; last on screen: {current}")
    assert explorer_checked, "the explorer's slide was never on screen"
    assert slide_type(notebook.cells[slides[-1].first]) == "slide"
    page.evaluate("() => window.jupyterapp.commands.execute('deck:stop')")
    assert console.entries == [], "browser console errors:\n" + "\n".join(console.entries)


def _operate_explorer(page, cell: int, number: int) -> None:
    """Move the explorer's first slider one step, as a user would, and see the picture change."""
    output = page.locator(".jp-Notebook .jp-Cell").nth(cell).locator(".jp-OutputArea-output").first
    image = output.locator("img").first
    assert image.count() == 1 and image.is_visible(), f"slide {number}: the explorer shows no picture"
    before_src = image.get_attribute("src")
    before_png = image.screenshot()
    handle = output.locator(".noUi-handle").first
    assert handle.count() == 1, f"slide {number}: the explorer shows no slider"
    handle.press("ArrowRight")
    changed = wait_until(page, "(src) => { const img = document.querySelector("
                         "'.jp-deck-mod-visible .jp-OutputArea-output img');"
                         " return img && img.getAttribute('src') !== src && img.complete; }",
                         arg=before_src, timeout_s=STEP_TIMEOUT_S)
    assert changed, f"slide {number}: moving the explorer's slider did not redraw its picture within {STEP_TIMEOUT_S} s"
    time.sleep(0.3)
    after_png = image.screenshot()
    page.screenshot(path=str(SHOTS / f"slide-{number:02d}-explorer-moved.png"))
    assert after_png != before_png, f"slide {number}: the explorer's picture looks the same after the slider moved"

