"""`make html`: the static site a reader opens without a kernel (tools/build_site.py, Sphinx + MyST-NB).

The real notebooks are built once, the way `make html` builds them (``--strict``: any Sphinx warning,
such as a broken link, fails), and every page is checked: each lesson has its page with its figures;
every relative link and heading anchor resolves; every page is reachable from the index, lessons in
reading order; formulas are MathML; no page has a script, an event handler or anything fetched from
another host.  Small synthetic notebooks pin the conversion rules (``.ipynb`` links → pages, a folder
link → the folder's index, explorer outputs → a note linked to a static figure, pasted images), the
Markdown sources that are not pages, and the links between the editions of the site.  A hostile
notebook (every way we know to put script or a remote resource in a page, or to run code during the
build) builds into a page with none of them (issue 9, item 10), and the audit that backs the
sanitiser finds each of them when it is planted.  Chromium opens the site from disk with the
network blocked and follows links.

The checks of the pages here use this file's own HTML parser, not the builder's audit
(``tools/sphinx_site/site_safety.py``), so a gap in one is not hidden by the same gap in the other.

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
from dataclasses import replace
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
LESSON = re.compile(r"^(\d\d)_\w+\.ipynb$")
WIDGET = "application/vnd.jupyter.widget-view+json"
EVIL = "https://evil.example"
# myst-parser still calls Sphinx APIs that Sphinx 11 removes: its warnings, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::sphinx.deprecation.RemovedInSphinx11Warning")


def _load_build_site():
    spec = importlib.util.spec_from_file_location("build_site", REPO / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


build_site = _load_build_site()  # puts tools/sphinx_site on sys.path: site_safety, site_ext, site_editions
import site_ext  # noqa: E402
import site_safety  # noqa: E402
from site_editions import CHINESE, ENGLISH  # noqa: E402

#: The Chinese edition: its notebooks, and its folder in the site.
NOTEBOOKS_ZH = REPO / "notebooks" / "zh"
CJK = re.compile(r"[\u4e00-\u9fff]")

#: Attributes whose URL a browser fetches by itself (no click), on any element.
FETCHED = {"src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc", "imagesrcset", "xlink:href"}


class Page(HTMLParser):
    """What a test needs from a page: links, ids, images, and everything active or fetched."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.images: list[str] = []
        self.scripts = 0
        self.handlers: list[str] = []  # on* attributes
        self.script_urls: list[str] = []  # javascript:, vbscript:, data:text/html…
        self.fetched: list[str] = []  # URLs the browser would load from another host
        self.embeds: list[str] = []  # iframe, object, embed, base, meta refresh, form, svg
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = [(name.lower(), value or "") for name, value in attrs]
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        if tag == "img":
            self.images.append(values.get("src", ""))
        if tag == "script":
            self.scripts += 1
        if tag in {"iframe", "frame", "object", "embed", "applet", "base", "form", "svg", "portal"}:
            self.embeds.append(tag)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.embeds.append("meta refresh")
        for name, value in attrs:
            squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            if squeezed.startswith(("javascript:", "vbscript:", "data:text", "data:application")):
                self.script_urls.append(f"<{tag} {name}={value[:40]}>")
            remote = re.search(r"(^|[\s,(])(https?:)?//", value) if (name in FETCHED or (
                tag == "link" and name == "href")) else None
            if remote or (name == "style" and re.search(r"url\s*\(\s*['\"]?\s*(https?:)?//", value, re.I)):
                self.fetched.append(f"<{tag} {name}={value[:80]}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


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


def pages_of(site: Path) -> dict[Path, Page]:
    return {p.resolve(): Page(p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html"))}


def assert_nothing_active_or_remote(site: Path) -> None:
    """No script, handler, script URL, frame/plug-in/redirect or remote resource in any page, and no
    script, SVG or other active file anywhere in the site."""
    for path, page in pages_of(site).items():
        name = path.relative_to(site.resolve()).as_posix()
        assert page.scripts == 0, f"{name}: {page.scripts} <script> element(s)"
        assert not page.handlers, f"{name}: event handlers {page.handlers}"
        assert not page.script_urls, f"{name}: script URLs {page.script_urls}"
        assert not page.embeds, f"{name}: embedded/active elements {page.embeds}"
        assert not page.fetched, f"{name} loads from another host (not readable offline): {page.fetched}"
    for path in site.rglob("*"):
        if path.is_file():
            assert path.suffix.lower() not in {".js", ".mjs", ".svg", ".svgz", ".swf", ".xml", ".xhtml"}, path
            if path.suffix == ".css":
                css = path.read_text(encoding="utf-8")
                assert not re.search(r"@import|url\s*\(\s*['\"]?\s*(https?:)?//", css, re.I), path


# ------------------------------------------------------------------------------- the real site


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The real notebooks built the way `make html` builds them (the script, in a subprocess)."""
    out = tmp_path_factory.mktemp("site") / "site"
    command = [sys.executable, str(REPO / "tools" / "build_site.py"), "--out", str(out), "--strict"]
    if NOTEBOOKS != (REPO / "notebooks").resolve():
        command += ["--source", str(NOTEBOOKS)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"build_site failed:\n{run.stdout}\n{run.stderr}"
    return out


def notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    return [folder / rel for rel in build_site.lesson_files(folder)]


def numbered_lessons(folder: Path = NOTEBOOKS) -> list[Path]:
    """The lessons NN_name.ipynb at the top of the folder (solutions/NN_…_solutions.ipynb are not lessons)."""
    return [nb for nb in notebooks(folder) if nb.parent == folder and LESSON.match(nb.name)]


#: Each edition of the real site: its notebooks, its folder of the site, and words its explorer note says.
EDITION_PAGES = {"en": (NOTEBOOKS, "", ("running Python kernel", "conv-lessons lab")),
                 "zh": (NOTEBOOKS_ZH, "zh", ("Python 内核", "conv-lessons lab --lang zh"))}


@pytest.mark.parametrize("language", list(EDITION_PAGES))
def test_every_notebook_has_a_page_with_its_figures_and_explorer_notes(site, language):
    folder, prefix, note_words = EDITION_PAGES[language]
    assert notebooks(folder), f"no notebooks in {folder}"
    for notebook in notebooks(folder):
        rel = notebook.relative_to(folder)
        page_path = site / prefix / rel.with_suffix(".html")
        assert page_path.is_file(), f"no page for {rel}"
        text = page_path.read_text(encoding="utf-8")
        page = Page(text)
        expected = outputs_with(notebook, "image/png")
        figures = [src for src in page.images if src.endswith(".png")]
        assert len(figures) >= expected, f"{rel}: {expected} figures in the notebook, {len(figures)} on its page"
        for src in figures:  # each one a real PNG shipped with the site
            target = (page_path.parent / unquote(src)).resolve()
            assert target.is_relative_to(site.resolve()), src
            assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{rel}: {src} is not a PNG in the site"
        explorers = outputs_with(notebook, WIDGET)
        notes = re.findall(r'class="conv-lessons-explorer-note">(.*?)</div>', text, re.S)
        assert len(notes) == explorers, \
            f"{rel}: each explorer (a widget, dead without a kernel) is replaced by a note saying where to run it"
        for note in notes:
            assert all(words in note for words in note_words), note
            anchor = re.search(r'href="#([^"]+)"', note)
            assert anchor and anchor.group(1) in page.ids, f"{rel}: the note does not point to a static figure"
        assert "widget-view+json" not in text and "VBox(" not in text, rel


@pytest.mark.parametrize("language", list(EDITION_PAGES))
def test_lessons_have_figures(site, language):
    folder, prefix, _ = EDITION_PAGES[language]
    for notebook in numbered_lessons(folder):
        page = Page((site / prefix / notebook.with_suffix(".html").name).read_text(encoding="utf-8"))
        assert any(src.startswith("_images/") for src in page.images), \
            f"{notebook.name}: its page shows no figure (is the notebook committed executed?)"


def test_links_resolve_and_nothing_runs_or_loads_from_another_host(site):
    assert_nothing_active_or_remote(site)
    assert site_safety.audit_site(site, ignore=[build_site.MARKER]) == []
    parsed = pages_of(site)
    broken = []
    for path, page in parsed.items():
        name = path.relative_to(site.resolve()).as_posix()
        for href, target, fragment in relative_targets(path, page):
            assert not urlsplit(href).path.endswith(".ipynb"), f"{name}: link {href!r} still points at a notebook"
            if not target.is_file():
                broken.append(f"{name}: {href!r} (no such page)")
            elif fragment and target in parsed and fragment not in parsed[target].ids:
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
    # The index links the lessons in reading order (01, 02, …), in its own table and in the list of pages.
    text = index.read_text(encoding="utf-8")
    for part in (text.split('class="cl-contents"')[0] + text.split('role="main"')[1], text):
        first_links = []
        for href in Page(part).links:
            match = re.fullmatch(r"(\d\d)_\w+\.html", urlsplit(href).path)
            if match and match.group(1) not in first_links:
                first_links.append(match.group(1))
        lessons = sorted(nb.name[:2] for nb in numbered_lessons())
        assert first_links[: len(lessons)] == lessons


@pytest.mark.parametrize("language", list(EDITION_PAGES))
def test_lesson_navigation_leads_to_the_next_lesson(site, language):
    folder, prefix, _ = EDITION_PAGES[language]
    lessons = numbered_lessons(folder)
    for current, following in zip(lessons, lessons[1:], strict=False):
        links = Page((site / prefix / current.with_suffix(".html").name).read_text(encoding="utf-8")).links
        assert following.with_suffix(".html").name in links, f"{current.name} has no link to {following.name}"
        assert "index.html" in links, f"{current.name} has no link back to the index"


def test_solutions_are_pages_linked_from_their_lesson(site):
    solutions = [nb for nb in notebooks() if nb.parent.name == "solutions"]
    assert solutions, "no solutions notebooks"
    for solution in solutions:
        assert (site / "solutions" / solution.with_suffix(".html").name).is_file()
    lesson_links = {href for nb in numbered_lessons()
                    for href in Page((site / nb.with_suffix(".html").name).read_text(encoding="utf-8")).links}
    assert {f"solutions/{s.with_suffix('.html').name}" for s in solutions} <= lesson_links


def test_the_chinese_edition_is_in_chinese_and_every_page_links_to_its_twin_and_back(site):
    """Every page of each edition links to the same page of the other (``<a class="cl-twin">``), and that
    page links back; the Chinese pages say they are Chinese, are written in Chinese, frame included, and
    the Chinese index's link to the English edition leads there."""
    english = sorted(p.relative_to(site) for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "zh")
    chinese = sorted(p.relative_to(site / "zh") for p in (site / "zh").rglob("*.html"))
    assert english == chinese and len(chinese) >= 14, (english, chinese)

    def twin(page: Path) -> Path:
        text = page.read_text(encoding="utf-8")
        hrefs = re.findall(r'<a class="cl-twin" href="([^"]+)" hreflang="([^"]+)"', text)
        assert len(hrefs) == 1, f"{page}: {hrefs}"
        return (page.parent / unquote(hrefs[0][0])).resolve()

    for rel in english:
        assert twin(site / rel) == (site / "zh" / rel).resolve(), rel
        assert twin(site / "zh" / rel) == (site / rel).resolve(), rel
        text = (site / "zh" / rel).read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in text, rel
        title = re.search(r"<h1>(.*?)<", text)
        assert title and CJK.search(title.group(1)), f"zh/{rel}: its heading is not Chinese: {title}"
        assert f'aria-label="{CHINESE.words["contents"]}"' in text and CHINESE.title in text, rel
        assert f'{CHINESE.words["editions"]}：' in text, rel
        main = text.split('role="main"')[1]
        assert len(CJK.findall(main)) > 10, f"zh/{rel}: hardly any Chinese text"
    index = Page((site / "zh" / "index.html").read_text(encoding="utf-8"))
    assert "../index.html" in index.links  # the notebook's own [English](../index.ipynb), across editions
    assert_nothing_active_or_remote(site / "zh")


def test_formulas_are_mathml_without_mathjax(site):
    with_math = [nb for nb in numbered_lessons()
                 if any("$" in "".join(c.source) for c in nbformat.read(nb, as_version=4).cells
                        if c.cell_type == "markdown")]
    assert with_math, "no lesson has a formula any more: update this test"
    for notebook in with_math:
        text = (site / notebook.with_suffix(".html").name).read_text(encoding="utf-8")
        assert "<math" in text, f"{notebook.name}: formulas are not MathML"
        assert not re.search(r'(src|href)="[^"]*mathjax', text, re.I), notebook.name
        assert "$$" not in text and "\\sum" not in text, f"{notebook.name}: TeX left unrendered"


# ------------------------------------------------------------------------ conversion rules


def tiny_png() -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1), dpi=20)
    figure.add_subplot().plot([0, 1], [1, 0])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode()


md = nbformat.v4.new_markdown_cell
code = nbformat.v4.new_code_cell


def write_notebook(path: Path, cells: list, metadata: dict | None = None) -> None:
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.update(metadata or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


def figure_output(png: str):
    return nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})


def widget_output():
    return nbformat.v4.new_output("display_data", data={
        WIDGET: {"model_id": "abc", "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(IntSlider(value=3),))"})


@pytest.fixture()
def synthetic(tmp_path) -> Path:
    """Two lessons, a solution, an index, a Markdown image, a pasted image, a formula, an explorer."""
    src = tmp_path / "notebooks"
    png = tiny_png()
    write_notebook(src / "index.ipynb", [md("# Lessons\n\n1. [One](01_one.ipynb)\n2. [Two](02_two.ipynb#Exercises)")])
    pasted = md("![pasted](attachment:image.png)")
    pasted.attachments = {"image.png": {"image/png": png}}
    write_notebook(src / "01_one.ipynb", [
        md("[Index](index.ipynb) · Next: [02 Two](02_two.ipynb) →"), md("# 01 One"),
        code("plot()", outputs=[figure_output(png)]), code("explorer()", outputs=[widget_output()]),
        md("See [the solutions](solutions/) and ![a drawing](drawing.png)"), pasted])
    write_notebook(src / "02_two.ipynb", [md("[Index](index.ipynb) · ← Previous: [01 One](01_one.ipynb)"),
                                          md("# 02 Two"), md("## Exercises\n\n**Exercise 1.** Try it."),
                                          md("The kernel $K = [1, -1]$ and $$r = 1 + \\sum_l (k_l - 1)$$")])
    write_notebook(src / "solutions" / "01_one.ipynb", [md("# Solution 01\n\nBack to [the lesson](../01_one.ipynb).")])
    (src / "drawing.png").write_bytes(base64.b64decode(png))
    return src


def test_conversion_rules_on_a_small_set(synthetic, tmp_path):
    out = tmp_path / "site"
    result = build_site.build(synthetic, out)
    assert result.warnings == [] and result.problems == []
    one = (out / "01_one.html").read_text(encoding="utf-8")
    page = Page(one)
    assert "02_two.html" in page.links and "index.html" in page.links
    assert "solutions/index.html" in page.links  # a folder link goes to the folder's index page
    images = [src for src in page.images if src.startswith("_images/")]
    assert len(images) == 3, page.images  # the output, the Markdown image, the pasted image
    assert all((out / src).read_bytes()[:4] == b"\x89PNG" for src in images)
    note = re.search(r'class="conv-lessons-explorer-note">(.*?)</div>', one, re.S).group(1)
    assert "running Python kernel" in note and "figure above" in note
    assert re.search(r'href="#([^"]+)"', note).group(1) in page.ids
    assert "VBox(children" not in one and "widget-view+json" not in one
    assert "<title>01 One — Convolutions for images</title>" in one
    index = Page((out / "index.html").read_text(encoding="utf-8"))
    assert "02_two.html#Exercises" in index.links or "02_two.html#exercises" in index.links
    two = (out / "02_two.html").read_text(encoding="utf-8")
    assert {"Exercises", "exercises"} <= Page(two).ids  # JupyterLab's heading id, and Sphinx's
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"' in two
    assert 'display="block"' in two and "$" not in two.split('role="main"')[1]
    assert not re.search(r'(src|href)="[^"]*mathjax', two, re.I)
    solution = Page((out / "solutions" / "01_one.html").read_text(encoding="utf-8"))
    assert "../01_one.html" in solution.links
    assert "01_one.html" in Page((out / "solutions" / "index.html").read_text(encoding="utf-8")).links
    assert [p.out.as_posix() for p in result.pages] == [
        "index.html", "01_one.html", "02_two.html", "solutions/01_one.html", "solutions/index.html"]
    assert_nothing_active_or_remote(out)


def test_a_broken_link_is_reported_and_fails_a_strict_build(synthetic, tmp_path):
    write_notebook(synthetic / "02_two.ipynb", [md("# 02 Two"),
                                                md("Next: [03](03_three.ipynb), [here](01_one.ipynb#Nowhere)")])
    warnings = build_site.build(synthetic, tmp_path / "site").warnings
    assert any("03_three.ipynb" in w and "02_two.ipynb" in w for w in warnings), warnings
    assert any("Nowhere" in w for w in warnings), warnings
    assert build_site.main(["--source", str(synthetic), "--out", str(tmp_path / "site"), "--strict"]) == 1
    assert build_site.main(["--source", str(synthetic), "--out", str(tmp_path / "site")]) == 0


def test_markdown_sources_of_the_lessons_are_not_pages(synthetic, tmp_path):
    # Jupytext pairs (MyST Markdown) beside the notebooks and in a separate folder: never a second page.
    header = "---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n---\n"
    (synthetic / "01_one.md").write_text(header + "# 01 One (text source)\n\n```{code-cell}\nplot()\n```\n")
    (synthetic / "solutions" / "01_one.md").write_text(header + "# Solution 01 (text source)\n")
    (synthetic / "lessons").mkdir()
    (synthetic / "lessons" / "02_two.md").write_text(header + "# 02 Two (text source)\n")
    out = tmp_path / "site"
    result = build_site.build(synthetic, out)
    assert result.warnings == []
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert pages == ["01_one.html", "02_two.html", "index.html", "solutions/01_one.html", "solutions/index.html"]
    assert not any("text source" in p.read_text(encoding="utf-8") for p in out.rglob("*.html"))


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


def test_each_page_links_to_its_twin_in_the_other_editions(synthetic, tmp_path):
    """The site takes a list of editions (issue 12 adds Chinese): each is built into its own folder and
    every page links to the same lesson in the other edition, which links back."""
    zh_src = tmp_path / "zh"
    write_notebook(zh_src / "index.ipynb", [md("# 课程\n\n1. [一](01_yi.ipynb)")])
    write_notebook(zh_src / "01_yi.ipynb", [md("# 01 互相关"), code("explorer()", outputs=[widget_output()])])
    write_notebook(zh_src / "solutions" / "01_yi.ipynb", [md("# 01 解答")])
    english = replace(ENGLISH, source=str(synthetic))
    chinese = replace(ENGLISH, language="zh_CN", label="中文", source=str(zh_src), prefix="zh", title="图像卷积",
                      folder_titles={"solutions": "练习解答"}, explorer_note="<strong>交互探索器</strong>",
                      words={**ENGLISH.words, "editions": "本页其他语言"})
    out = tmp_path / "site"
    result = build_site.build(editions=[english, chinese], out_dir=out)
    assert result.warnings == []
    twins = {  # page → its twin's URL, relative to the page
        "01_one.html": "zh/01_yi.html", "02_two.html": "zh/index.html",  # no lesson 02 in Chinese: its index
        "solutions/01_one.html": "../zh/solutions/01_yi.html", "solutions/index.html": "../zh/solutions/index.html",
        "index.html": "zh/index.html", "zh/01_yi.html": "../01_one.html", "zh/index.html": "../index.html",
        "zh/solutions/01_yi.html": "../../solutions/01_one.html",
    }
    for page, twin in twins.items():
        text = (out / page).read_text(encoding="utf-8")
        assert re.search(rf'<a class="cl-twin" href="{re.escape(twin)}" hreflang="(zh-CN|en)"', text), (page, twin)
        assert (out / page).parent.joinpath(twin).resolve().is_file()
    zh_page = (out / "zh" / "01_yi.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh_page and "交互探索器" in zh_page and "图像卷积" in zh_page
    assert_nothing_active_or_remote(out)


def test_a_link_into_the_other_edition_leads_to_its_page(synthetic, tmp_path):
    """Each edition is built apart; a notebook's link into the other edition's folder still lands on
    that edition's page (the Chinese index links ``[English](../index.ipynb)``), and ``--source`` brings
    the folder's Chinese edition (``zh/``) along."""
    zh_src = synthetic / "zh"
    write_notebook(zh_src / "index.ipynb", [md("# 课程\n\n[English](../index.ipynb) · [一](01_yi.ipynb)")])
    write_notebook(zh_src / "01_yi.ipynb", [md("# 01 互相关"), md("[练习（英文）](../02_two.ipynb#Exercises)")])
    out = tmp_path / "site"
    result = build_site.build(synthetic, out)
    assert result.warnings == [], result.warnings
    assert "zh/01_yi.html" in [p.out.as_posix() for p in result.pages]
    assert "../index.html" in Page((out / "zh" / "index.html").read_text(encoding="utf-8")).links
    assert "../02_two.html#Exercises" in Page((out / "zh" / "01_yi.html").read_text(encoding="utf-8")).links
    assert not (out / "zh" / "zh").exists() and not (out / "zh.html").exists()  # zh/ is not a page of English
    write_notebook(zh_src / "01_yi.ipynb", [md("# 01 互相关"), md("[没有这一课](../07_seven.ipynb)")])
    warnings = build_site.build(synthetic, out).warnings
    assert any("../07_seven.ipynb" in w for w in warnings), warnings


# -------------------------------------------------------------------- hostile notebooks (issue 9.10)


def hostile_notebook(src: Path) -> Path:
    """One lesson that tries every way we know to put script or a remote resource into a page, or to
    run code while the site is built; returns the file that code would create."""
    ran = src.parent / "the-build-ran-notebook-code"
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>fetch("{EVIL}/svg")</script>'
           f'<image href="{EVIL}/x.png"/></svg>')
    markdown = f"""# 01 Hostile

<script>fetch("{EVIL}/a")</script>
<img src="x.png" onerror="fetch('{EVIL}/b')"> <img src="{EVIL}/pixel.png">
<img src="//evil.example/p.png" srcset="{EVIL}/s.png 2x">
<a href="javascript:alert(1)">js link</a> <a href="JaVaScRiPt:alert(1)">js2</a>
<a href="java&#x09;script:alert(1)">js3</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a>
<a href="{EVIL}/page">a plain link</a>
<iframe src="{EVIL}/frame"></iframe> <object data="{EVIL}/x.swf"></object> <embed src="{EVIL}/x.swf">
<link rel="stylesheet" href="{EVIL}/x.css"> <meta http-equiv="refresh" content="0;url={EVIL}/"> <base href="{EVIL}/">
{svg}
<style>@import url({EVIL}/i.css); body {{ background: url({EVIL}/bg.png) }}</style>
<div style="background-image: url({EVIL}/bg2.png)">styled</div>
<form action="{EVIL}/post"><input name="q"></form>
<details ontoggle="fetch('{EVIL}/t')"><summary>A hint</summary>kept text</details>
<video poster="{EVIL}/p.png" src="{EVIL}/v.mp4"></video> <audio src="{EVIL}/a.mp3"></audio>
<picture><source srcset="{EVIL}/pic.png"></picture> <template><script>alert(1)</script></template>

[md js link](javascript:alert(1)) ![md image]({EVIL}/md.png) ![md image 2](//evil.example/md2.png) ![svg](drawing.svg)
![outside](../../../../../../etc/hosts.png) ![pasted svg](attachment:evil.svg)

Math: $\\text{{<script>alert(1)</script>}}$ and $\\href{{javascript:alert(1)}}{{x}}$.

Jinja: {{{{ greeting }}}} {{{{ self.__init__.__globals__.__builtins__.__import__("pathlib").Path("{ran}").touch() }}}}
"""
    directives = f"""```{{raw}} html
<script>fetch("{EVIL}/raw")</script><img src="{EVIL}/raw.png"><iframe src="{EVIL}/raw"></iframe>
```

```{{include}} /etc/passwd
```

```{{literalinclude}} /etc/passwd
```

```{{csv-table}}
:file: /etc/passwd
```

```{{image}} {EVIL}/directive.png
```

{{download}}`../../../../../../etc/passwd`
"""
    out = nbformat.v4.new_output
    outputs = [
        out("display_data", data={"application/javascript": f'fetch("{EVIL}/js")',
                                  "text/plain": "<IPython.core.display.Javascript object>"}),
        out("display_data", data={"application/javascript": f'fetch("{EVIL}/js2")'}),
        out("execute_result", execution_count=1, data={
            "text/html": f'<script>fetch("{EVIL}/h")</script><img src=x onerror="alert(1)"><iframe src="{EVIL}/if">'
                         f'</iframe><meta http-equiv="refresh" content="0;url={EVIL}/"><b>bold output</b>',
            "text/plain": "HTML"}),
        out("display_data", data={"image/svg+xml": svg, "image/png": tiny_png(), "text/plain": "<Figure>"}),
        out("display_data", data={"image/svg+xml": svg}),
        out("display_data", data={"text/markdown": f"<script>fetch('{EVIL}/md')</script>\n\n[x](javascript:alert(1))"}),
        out("display_data", data={"text/latex": "$\\text{<script>alert(1)</script>}$"}),
        widget_output(),
        out("stream", name="stdout", text=f"<script>fetch('{EVIL}/stream')</script>\n"),
        out("error", ename="E", evalue="<img src=x onerror=alert(1)>",
            traceback=[f"\x1b[31m<script>fetch('{EVIL}/tb')</script>\x1b[0m"]),
    ]
    first = md(markdown)
    first.attachments = {"evil.svg": {"image/svg+xml": base64.b64encode(svg.encode()).decode()}}
    widgets = {"application/vnd.jupyter.widget-state+json": {"state": {"abc": {
        "model_name": "VBoxModel", "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
        "state": {}}}, "version_major": 2, "version_minor": 0}}
    build_config = {  # a notebook may not reconfigure the build: run its code, evaluate Jinja
        "mystnb": {"execution_mode": "force"},
        "myst": {"enable_extensions": ["substitution"], "substitutions": {"greeting": "SUBSTITUTED"}}}
    write_notebook(src / "01_hostile.ipynb", [first, md(directives), code("outputs()", outputs=outputs),
                                              code(f"open({str(ran)!r}, 'w').close()")],
                   metadata={"widgets": widgets, **build_config})
    write_notebook(src / "index.ipynb", [md("# Index\n\n[01](01_hostile.ipynb)")])
    (src / "drawing.svg").write_text(svg)
    return ran


def test_a_hostile_notebook_is_built_without_any_script_or_remote_resource(tmp_path):
    src, out = tmp_path / "notebooks", tmp_path / "site"
    ran = hostile_notebook(src)
    result = build_site.build(src, out)
    assert result.problems == []
    assert not ran.exists(), "building the site ran code from the notebook"
    assert_nothing_active_or_remote(out)
    text = (out / "01_hostile.html").read_text(encoding="utf-8")
    for attribute_value in re.findall(r'=\s*"([^"]*evil\.example[^"]*)"', text):  # only the plain link is left
        assert attribute_value == f"{EVIL}/page", attribute_value
    assert "root:x:0:0" not in text and not (out / "_downloads").exists()  # no file of the machine read
    # What is harmless is kept: text, a hint, the output's bold text, the PNG figure, the explorer note.
    page = Page(text)
    assert "kept text" in text and "<summary>A hint</summary>" in text and "<b>bold output</b>" in text
    assert sum(src.startswith("_images/") for src in page.images) == 1
    assert 'class="conv-lessons-explorer-note"' in text
    assert "&lt;script&gt;fetch(&#39;https://evil.example/stream&#39;)" in text \
        or "&lt;script&gt;fetch('https://evil.example/stream')" in text  # printed text stays text
    assert "not shown: the site loads nothing from the internet" in text  # the reader is told what is missing
    assert "SUBSTITUTED" not in text and "{{ greeting }}" in text  # Markdown is not a template


def test_the_audit_finds_each_kind_of_script_and_remote_resource(tmp_path):
    """The audit that runs after every build (and stops it) is not an empty check: each vector,
    planted in a page or file of an otherwise clean site, is reported."""
    vectors = {
        "script": "<script>alert(1)</script>",
        "script_src": f'<script src="{EVIL}/x.js"></script>',
        "handler": '<img src="a.png" onerror="alert(1)">',
        "handler_body": "<body onload=\"fetch('x')\">",
        "js_url": '<a href="javascript:alert(1)">x</a>',
        "js_url_tab": '<a href="java&#x09;script:alert(1)">x</a>',
        "data_url": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "iframe": f'<iframe src="{EVIL}/"></iframe>',
        "local_iframe": '<iframe src="other.html"></iframe>',
        "object": f'<object data="{EVIL}/x.swf"></object>',
        "embed": f'<embed src="{EVIL}/x.swf">',
        "external_img": f'<img src="{EVIL}/x.png">',
        "duplicate_src": f'<img src="{EVIL}/x.png" src="a.png">',  # the browser takes the first
        "protocol_relative_img": '<img src="//evil.example/x.png">',
        "srcset": f'<img src="a.png" srcset="a.png 1x, {EVIL}/b.png 2x">',
        "video_poster": f'<video poster="{EVIL}/p.png"></video>',
        "stylesheet": f'<link rel="stylesheet" href="{EVIL}/x.css">',
        "preload": f'<link rel="preload" as="font" href="{EVIL}/f.woff2">',
        "import": f"<style>@import url({EVIL}/x.css);</style>",
        "css_url": f"<style>body {{ background: url('{EVIL}/bg.png') }}</style>",
        "font_face": f"<style>@font-face {{ font-family: x; src: url({EVIL}/f.woff2) }}</style>",
        "style_attr": f'<div style="background:url({EVIL}/bg.png)">x</div>',
        "refresh": f'<meta http-equiv="refresh" content="0;url={EVIL}/">',
        "base": f'<base href="{EVIL}/">',
        "svg_script": "<svg><script>alert(1)</script></svg>",
        "form": f'<form action="{EVIL}/"><input></form>',
    }
    for name, html_text in vectors.items():
        folder = tmp_path / name
        folder.mkdir()
        (folder / "page.html").write_text(f"<!DOCTYPE html><html><head></head><body>{html_text}</body></html>")
        assert site_safety.audit_site(folder), f"the audit missed {name}: {html_text}"
    files = {"x.js": "alert(1)", "x.svg": "<svg/>", "a.css": f"@import '{EVIL}/x.css';",
             "b.css": f"p {{ background: u\\72l({EVIL}/escaped.png) }}"}
    for name, content in files.items():
        folder = tmp_path / f"file-{name}"
        folder.mkdir()
        (folder / name).write_text(content)
        assert site_safety.audit_site(folder), f"the audit missed {name}"
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "page.html").write_text('<html><head><link rel="stylesheet" href="_static/site.css"></head><body>'
                                     f'<a href="{EVIL}/">a link is not a resource</a><img src="_images/a.png">'
                                     '<img src="data:image/png;base64,iVBORw0KGgo="></body></html>')
    assert site_safety.audit_site(clean) == []


def test_without_the_sanitiser_the_audit_refuses_the_hostile_build(tmp_path, monkeypatch):
    src, out = tmp_path / "notebooks", tmp_path / "site"
    hostile_notebook(src)
    monkeypatch.setattr(site_ext, "clean_html", lambda fragment: fragment)
    with pytest.raises(build_site.UnsafeSite) as refused:
        build_site.build(src, out)
    assert any("<script>" in p for p in refused.value.problems), refused.value.problems
    assert not out.exists(), "a refused build writes nothing"
    monkeypatch.undo()
    assert build_site.main(["--source", str(src), "--out", str(out)]) == 0


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


def test_chromium_opens_the_site_offline_and_follows_links_between_lessons(site):
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    lessons = numbered_lessons()
    assert len(lessons) >= 2, "no lessons to follow a link to"
    first, second = (nb.with_suffix(".html").name for nb in lessons[:2])
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def only_local(route):
                if route.request.url.startswith(("file:", "data:")) or urlsplit(route.request.url).hostname in {
                        "127.0.0.1", "localhost"}:
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.goto((site / "index.html").as_uri())
            assert page.locator("h1").first.is_visible()
            assert page.evaluate("document.scripts.length") == 0
            page.locator(f'main a[href="{first}"]').first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith("/" + first)
            assert page.locator("h1").first.inner_text().startswith(first[:2])
            sizes = page.eval_on_selector_all("main img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
            assert sizes and all(done and width > 0 for done, width in sizes), sizes
            # The link the notebook itself carries ("Next: 02 …", written as 02_….ipynb) leads to lesson 02.
            page.locator(f'main a[href="{second}"]').first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith("/" + second)
            assert page.locator("h1").first.inner_text().startswith(second[:2])
            assert page.locator(".conv-lessons-explorer-note").count() >= (
                1 if outputs_with(lessons[1], WIDGET) else 0)
            page.go_back()
            page.go_back()
            assert page.url.endswith("/index.html")
        finally:
            browser.close()
    assert blocked == [], f"the pages asked for network resources: {blocked}"
    assert errors == [], f"console errors: {errors}"


def test_chromium_opens_a_chinese_page_offline_and_follows_its_twin_link(site, tmp_path):
    _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    lesson = numbered_lessons(NOTEBOOKS_ZH)[0].with_suffix(".html").name
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def only_local(route):
                if route.request.url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.goto((site / "zh" / "index.html").as_uri())
            assert page.evaluate("document.documentElement.lang") == "zh-CN"
            assert page.evaluate("document.scripts.length") == 0
            page.locator(f'main a[href="{lesson}"]').first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith(f"/zh/{lesson}")
            heading = page.locator("h1").first.inner_text()
            assert heading.startswith(lesson[:2]) and CJK.search(heading), heading
            sizes = page.eval_on_selector_all("main img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
            assert sizes and all(done and width > 0 for done, width in sizes), sizes
            note = page.locator(".conv-lessons-explorer-note").first
            assert "Python 内核" in note.inner_text() and note.is_visible()
            page.screenshot(path=str(tmp_path / f"zh-{lesson}.png"), full_page=False)
            page.locator("a.cl-twin").first.click()  # the same lesson in English
            page.wait_for_load_state("load")
            assert page.url.endswith(f"/site/{lesson}") and page.evaluate("document.documentElement.lang") == "en"
            page.locator("a.cl-twin").first.click()  # and back
            page.wait_for_load_state("load")
            assert page.url.endswith(f"/zh/{lesson}")
        finally:
            browser.close()
    assert blocked == [], f"the pages asked for network resources: {blocked}"
    assert errors == [], f"console errors: {errors}"
