"""`make html`: the static site a reader opens without a kernel (tools/build_site.py).

The real notebooks are built once into a temporary folder and every page is checked: each lesson
has its page, with as many inline figures (``<img src="data:image/png…">``) as the notebook has
image outputs; every relative link and heading anchor resolves; every lesson is reachable from the
index, in reading order; no page loads a script or style sheet from another host.  Small synthetic
notebooks pin the conversion rules (``.ipynb`` links → ``.html``, explorer outputs → a note, a
folder link → the folder's index).  A Chromium check opens the index from disk with the network
blocked and follows a link to the first lesson.

Chromium: Debian's /usr/bin/chromium (``apt-get install chromium``); skipped without it unless the
CI environment variable is set, where a missing browser fails the run.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import os
import re
import subprocess
import sys
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
# CONV_LESSONS_SITE_NOTEBOOKS=DIR checks the site of another folder of notebooks (for development).
NOTEBOOKS = Path(os.environ.get("CONV_LESSONS_SITE_NOTEBOOKS") or REPO / "notebooks").resolve()
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
INSTALL_HINT = "install Debian's Chromium: `sudo apt-get install chromium` (provides /usr/bin/chromium)"
INLINE_PNG = '<img alt="" src="data:image/png;base64,'
LESSON = re.compile(r"^(\d\d)_\w+\.ipynb$")


def _load_build_site():
    spec = importlib.util.spec_from_file_location("build_site", REPO / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


build_site = _load_build_site()


class Page(HTMLParser):
    """What a test needs from a page: links, element ids, inline images, script/style sources."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.images: list[str] = []
        self.external: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if tag == "img":
            self.images.append(attrs.get("src") or "")
        source = attrs.get("src") if tag == "script" else attrs.get("href") if tag == "link" else None
        if source and urlsplit(source).netloc:
            self.external.append(f"<{tag}> {source}")


def relative_targets(page_path: Path, page: Page) -> list[tuple[str, Path, str]]:
    """(href, target file, fragment) for each link inside the site (not http(s), mailto, …)."""
    out = []
    for href in page.links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue
        target = (page_path.parent / unquote(parts.path)).resolve() if parts.path else page_path.resolve()
        out.append((href, target, unquote(parts.fragment)))
    return out


def outputs_with(path: Path, mime: str) -> int:
    notebook = nbformat.read(path, as_version=4)
    return sum(mime in out.get("data", {}) for cell in notebook.cells if cell.cell_type == "code"
               for out in cell.get("outputs", []))


# ------------------------------------------------------------------------------- the real site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The real notebooks built the way `make html` builds them (the script, in a subprocess)."""
    out = tmp_path_factory.mktemp("site") / "site"
    run = subprocess.run([sys.executable, str(REPO / "tools" / "build_site.py"), "--source", str(NOTEBOOKS),
                          "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"build_site failed:\n{run.stdout}\n{run.stderr}"
    return out


def notebooks() -> list[Path]:
    return [NOTEBOOKS / rel for rel in build_site.lesson_files(NOTEBOOKS)]


def numbered_lessons() -> list[Path]:
    """The lessons NN_name.ipynb at the top of the folder (solutions/NN_…_solutions.ipynb are not lessons)."""
    return [nb for nb in notebooks() if nb.parent == NOTEBOOKS and LESSON.match(nb.name)]


def test_every_notebook_has_a_page_with_its_figures_inline(site):
    assert notebooks(), "no notebooks in notebooks/"
    for notebook in notebooks():
        rel = notebook.relative_to(NOTEBOOKS)
        page_path = site / rel.with_suffix(".html")
        assert page_path.is_file(), f"no page for {rel}"
        text = page_path.read_text(encoding="utf-8")
        page = Page(text)
        expected = outputs_with(notebook, "image/png")
        inline = [src for src in page.images if src.startswith("data:image/png;base64,")]
        assert len(inline) >= expected, f"{rel}: {expected} figures in the notebook, {len(inline)} inline on its page"
        for src in inline:  # each one a real PNG, not an empty data URI
            assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n", rel
        assert not [src for src in page.images if not src.startswith("data:")], \
            f"{rel}: images that are not inline would be missing offline"
        explorers = outputs_with(notebook, "application/vnd.jupyter.widget-view+json")
        assert text.count('class="conv-lessons-explorer-note"') == explorers, \
            f"{rel}: each explorer (a widget, dead without a kernel) is replaced by a note saying where to run it"


def test_lessons_have_figures(site):
    lessons = numbered_lessons()
    for notebook in lessons:
        page = Page((site / notebook.with_suffix(".html").name).read_text(encoding="utf-8"))
        assert any(src.startswith("data:image/png") for src in page.images), \
            f"{notebook.name}: its page shows no figure (is the notebook committed executed?)"


def test_links_resolve_and_nothing_loads_from_another_host(site):
    pages = sorted(site.rglob("*.html"))
    parsed = {p.resolve(): Page(p.read_text(encoding="utf-8")) for p in pages}
    broken = []
    for path, page in parsed.items():
        name = path.relative_to(site.resolve()).as_posix()
        assert not page.external, f"{name} loads from another host (not readable offline): {page.external}"
        for href, target, fragment in relative_targets(path, page):
            assert not urlsplit(href).path.endswith(".ipynb"), f"{name}: link {href!r} still points at a notebook"
            if not target.is_file():
                broken.append(f"{name}: {href!r} (no such page)")
            elif fragment and target in parsed and not build_site.fragment_forms(fragment) & parsed[target].ids:
                broken.append(f"{name}: {href!r} (no such heading)")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_every_page_is_reachable_from_the_index_and_lessons_are_in_order(site):
    index = (site / "index.html").resolve()
    seen, queue = {index}, deque([index])
    while queue:
        path = queue.popleft()
        for _, target, _ in relative_targets(path, Page(path.read_text(encoding="utf-8"))):
            if target.suffix == ".html" and target.is_file() and target not in seen:
                seen.add(target)
                queue.append(target)
    unreached = [p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.resolve() not in seen]
    assert not unreached, f"pages no link leads to from index.html: {unreached}"
    # The index links the lessons in reading order (01, 02, …).
    first_links = []
    for href in Page(index.read_text(encoding="utf-8")).links:
        match = re.fullmatch(r"(\d\d)_\w+\.html", urlsplit(href).path)
        if match and match.group(1) not in first_links:
            first_links.append(match.group(1))
    lessons = sorted(nb.name[:2] for nb in numbered_lessons())
    assert first_links[: len(lessons)] == lessons


def test_lesson_navigation_leads_to_the_next_lesson(site):
    lessons = numbered_lessons()
    for current, following in zip(lessons, lessons[1:], strict=False):
        links = Page((site / current.with_suffix(".html").name).read_text(encoding="utf-8")).links
        assert following.with_suffix(".html").name in links, f"{current.name} has no link to {following.name}"
        assert "index.html" in links, f"{current.name} has no link back to the index"


# ------------------------------------------------------------------------ conversion rules


def tiny_png() -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1), dpi=20)
    figure.add_subplot().plot([0, 1], [1, 0])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


def md_cell(text: str):
    return nbformat.v4.new_markdown_cell(text)


def write_notebook(path: Path, cells: list) -> None:
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


@pytest.fixture()
def synthetic(tmp_path) -> Path:
    """Two lessons, a solution, an index that forgets the solution, a Markdown image, an explorer."""
    src = tmp_path / "notebooks"
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    png = tiny_png()
    figure = nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})
    widget = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(IntSlider(value=3),))"})
    write_notebook(src / "index.ipynb", [md("# Lessons\n\n1. [One](01_one.ipynb)\n2. [Two](02_two.ipynb#Exercises)")])
    write_notebook(src / "01_one.ipynb", [
        md("[Index](index.ipynb) · Next: [02 Two](02_two.ipynb) →"), md("# 01 One"),
        code("plot()", outputs=[figure]), code("# NBVAL_IGNORE_OUTPUT\nexplorer()", outputs=[widget]),
        md("See [the solutions](solutions/) and ![a drawing](drawing.png)")])
    write_notebook(src / "02_two.ipynb", [md("[Index](index.ipynb) · ← Previous: [01 One](01_one.ipynb)"),
                                          md("# 02 Two"), md("## Exercises\n\n**Exercise 1.** Try it."),
                                          md("The kernel $K = [1, -1]$ and $$r = 1 + \\sum_l (k_l - 1)$$")])
    write_notebook(src / "solutions" / "01_one.ipynb", [md("# Solution 01\n\nBack to [the lesson](../01_one.ipynb).")])
    (src / "drawing.png").write_bytes(base64.b64decode(png))
    return src


def test_conversion_rules_on_a_small_set(synthetic, tmp_path):
    out = tmp_path / "site"
    result = build_site.build(synthetic, out)
    assert result.problems == []
    one = (out / "01_one.html").read_text(encoding="utf-8")
    page = Page(one)
    assert "02_two.html" in page.links and "index.html" in page.links
    assert "solutions/index.html" in page.links  # a folder link goes to the folder's index page
    assert sum(src.startswith("data:image/png;base64,") for src in page.images) == 2  # output + Markdown image
    assert "Interactive explorer" in one and "VBox(children" not in one
    assert "widget-view+json" not in one
    assert "<title>01 One</title>" in one
    index = Page((out / "index.html").read_text(encoding="utf-8"))
    assert "02_two.html#Exercises" in index.links
    two = (out / "02_two.html").read_text(encoding="utf-8")
    assert "Exercises" in Page(two).ids
    if build_site.tex_to_mathml is not None:  # formulas as MathML: the browser renders them, offline
        assert '<math display="inline"' in two and '<math display="block"' in two and "$K" not in two
    else:  # no MathJax from a CDN: the TeX source stays readable
        assert "$K = [1, -1]$" in two
    assert "mathjax" not in two.lower()
    # The index forgot the solution: it is listed at the end of the index page, so it stays reachable.
    assert "solutions/01_one.html" in index.links
    solution = Page((out / "solutions" / "01_one.html").read_text(encoding="utf-8"))
    assert "../01_one.html" in solution.links
    assert "01_one.html" in Page((out / "solutions" / "index.html").read_text(encoding="utf-8")).links


def test_a_broken_link_is_reported(synthetic, tmp_path):
    write_notebook(synthetic / "02_two.ipynb", [md_cell("Next: [03](03_three.ipynb), [here](01_one.ipynb#Nowhere)")])
    problems = build_site.build(synthetic, tmp_path / "site").problems
    assert any("03_three.html" in p and "not in the site" in p for p in problems), problems
    assert any("Nowhere" in p for p in problems), problems


def test_the_build_replaces_its_own_site_but_not_a_foreign_folder(synthetic, tmp_path):
    out = tmp_path / "site"
    build_site.build(synthetic, out)
    (out / "stale.html").write_text("old page")
    build_site.build(synthetic, out)  # its own folder: rebuilt from scratch
    assert not (out / "stale.html").exists()
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("precious")
    with pytest.raises(SystemExit, match="refusing"):
        build_site.build(synthetic, foreign)
    assert (foreign / "thesis.txt").read_text() == "precious"


# ------------------------------------------------------------------------------- in Chromium


def _chromium_or_skip() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} not found; {INSTALL_HINT}", pytrace=False)
        pytest.skip(f"{CHROMIUM} not found; {INSTALL_HINT}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("Python Playwright is not installed (pip install -e '.[test]')", pytrace=False)
        pytest.skip("Python Playwright is not installed (pip install -e '.[test]')")


def test_chromium_opens_the_index_offline_and_follows_a_link(site):
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    lessons = numbered_lessons()
    assert lessons, "no lessons to follow a link to"
    first = lessons[0].with_suffix(".html").name
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()

            def only_files(route):
                if route.request.url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            page.route("**/*", only_files)
            page.goto((site / "index.html").as_uri())
            assert page.locator("h1").first.is_visible()
            page.locator(f'a[href="{first}"]').first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith("/" + first)
            heading = page.locator("h1").first.inner_text()
            assert heading.startswith(first[:2]), heading
            sizes = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
            assert sizes and all(done and width > 0 for done, width in sizes), sizes
            page.go_back()
            assert page.url.endswith("/index.html")
        finally:
            browser.close()
    assert blocked == [], f"the pages asked for network resources: {blocked}"


def test_pages_inline_their_css_and_load_no_scripts():
    # nbconvert's lab template must keep inlining its CSS (no <link rel=stylesheet href=...> at all)
    exporter = build_site.make_exporter()
    body, _ = exporter.from_notebook_node(nbformat.v4.new_notebook(cells=[md_cell("# x")]),
                                          resources={"metadata": {"name": "x"}})
    assert "<style" in body and not re.search(r"<link[^>]+stylesheet", body)
    assert not re.search(r"<script[^>]+src=", body), "no external or separate scripts"
