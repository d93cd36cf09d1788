"""Every notebook, run in JupyterLab in headless Chromium: what a learner sees.

nbval proves the kernel side; this test proves the page: every notebook is opened in a real
JupyterLab, its outputs cleared and all cells run; no cell may show an error, the browser console
must stay clean, every explorer must render its picture and controls, and operating each control
(a key press on a slider's handle, another drop-down option, ...) must redraw the picture or a readout
(for the training explorer, moving the learning rate or epochs retrains and draws a new loss curve).
A full-page screenshot of each notebook goes to test-artifacts/browser/.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install chromium``): skipped without it,
except when the CI environment variable is set, where a missing browser fails the run.
``CONV_LESSONS_BROWSER_NOTEBOOKS=DIR`` runs the notebooks of another folder instead (used to show
that a broken explorer fails this test).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    INSTALL_HINT,
    REPO,
    ConsoleLog,
    LabServer,
    NotebookRunner,
    copy_notebooks,
    discover_notebooks,
)

NOTEBOOKS = Path(os.environ.get("CONV_LESSONS_BROWSER_NOTEBOOKS") or REPO / "notebooks").resolve()
NOTEBOOK_PATHS = [p.relative_to(NOTEBOOKS).as_posix() for p in discover_notebooks(NOTEBOOKS)]

LAB_LOAD_TIMEOUT_S = 90  # JupyterLab's first page load on a busy 2-core machine
RUN_TIMEOUT_S = 90  # one notebook's "run all cells"
STEP_TIMEOUT_S = 30  # every other wait (kernel start, widget rendering, one control's redraw)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason}; {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"{reason}; {INSTALL_HINT}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebooks folder; stopped (with its
    kernels) when the module's tests are done, pass or fail."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("Python Playwright is not installed (pip install -e '.[test]')")
    work = tmp_path_factory.mktemp("browser")
    server = LabServer(copy_notebooks(NOTEBOOKS, work / "notebooks"), work / "jupyter")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def runner(lab: LabServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NotebookRunner]:
    """One headless Chromium, one JupyterLab page, reused for every notebook."""
    from playwright.sync_api import sync_playwright

    for old in ARTIFACTS.glob("*.png"):  # the folder shows the last run only
        old.unlink()
    home = tmp_path_factory.mktemp("chromium")  # Chromium's config/cache (crash reports), not the user's
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
                                             env=env, timeout=STEP_TIMEOUT_S * 1000)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
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
            browser.close()


@pytest.mark.parametrize("notebook", NOTEBOOK_PATHS)
def test_notebook_in_jupyterlab(runner: NotebookRunner, lab: LabServer, notebook: str,
                                capsys: pytest.CaptureFixture[str]) -> None:
    """Open, clear, run all; no errors; explorers render and redraw when their controls move."""
    following = NOTEBOOK_PATHS[NOTEBOOK_PATHS.index(notebook) + 1:]
    prestart = (lambda: lab.prestart_kernel(following[0])) if following else None
    report = runner.run(notebook, prestart_next=prestart)
    shot = report.screenshot.relative_to(REPO) if report.screenshot and report.screenshot.is_relative_to(REPO) \
        else report.screenshot
    with capsys.disabled():  # shown even when pytest captures output: where to look
        print(f"\n  {notebook}: {report.seconds:.1f} s, screenshot {shot}", end="")
    phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in report.phases.items())
    print(f"{notebook}: {report.seconds:.1f} s ({phases})")
    for explorer in report.explorers:
        moved = ", ".join(f"{c.description} {c.before}→{c.after}{' (image)' if c.image_changed else ''}"
                          for c in explorer.controls)
        print(f"  explorer in cell {explorer.cell + 1}: {explorer.images} image(s); {moved}")
    if report.problems:
        problems = "\n".join(f"- {problem}" for problem in report.problems)
        pytest.fail(f"{NOTEBOOKS.name}/{notebook} in JupyterLab ({len(report.problems)} problem(s), "
                    f"screenshot {report.screenshot}):\n{problems}", pytrace=False)
