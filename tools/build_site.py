"""Build a static HTML site of every lesson notebook, readable offline in a browser, without a kernel.

Usage: python tools/build_site.py [--source notebooks] [--out site]      (also: make html)

The notebooks are committed executed, so they are converted as they are (no re-execution):
nbconvert's ``lab`` template, which inlines its CSS, with the figures embedded as
``data:image/png`` URIs.  What this adds to a plain ``jupyter nbconvert --to html``:

- every page is self-contained: the template's CDN scripts (require.js, MathJax, mermaid) are left
  out, and the build fails if any page still loads a script or style sheet over http(s);
- links between lessons work: relative links to ``NN_name.ipynb`` (the notebooks' navigation lines)
  become ``NN_name.html``, and a link to a folder (``solutions/``) goes to that folder's index page;
- ``index.html`` is the index notebook (or, without one, a generated list of lessons in reading
  order); pages the index does not link to are listed at its end, so every page is reachable;
- an explorer's output (an ipywidgets view, which needs a running kernel) is replaced by a note
  saying where to run it; each lesson's static figures show the same pictures;
- formulas (``$…$``, ``$$…$$``) become MathML, which browsers render without MathJax, when the
  optional package latex2mathml is installed; without it they stay as readable TeX source;
- links that point at a page or heading that does not exist are reported (``--strict``: an error).

The output folder is replaced on every build; the build refuses to replace a non-empty folder that
it did not create (it leaves a ``.conv-lessons-site`` marker file in the folders it makes).
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import nbformat
from jinja2 import DictLoader, pass_context
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

try:  # optional: formulas as MathML, which browsers render natively (no MathJax from a CDN)
    from latex2mathml.converter import convert as tex_to_mathml
except ImportError:  # without it, formulas stay as their TeX source ($K = [1, -1]$), still readable
    tex_to_mathml = None

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from conv_lessons.lessons import lesson_files, lesson_title  # noqa: E402

MARKER = ".conv-lessons-site"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
SITE_TEMPLATE = "conv_lessons_site.html.j2"
# The lab template, minus everything that would fetch a script from a CDN (MathJax among them: formulas
# become MathML when latex2mathml is installed, else they stay as TeX source).
TEMPLATE_SOURCE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
main { max-width: 1100px; margin: 0 auto; }
.conv-lessons-explorer-note { border-left: 4px solid #1976d2; background: #e3f2fd; padding: 6px 12px;
  margin: 4px 0; font-family: var(--jp-ui-font-family, sans-serif); font-size: 0.95em; }
math { font-size: 1.15em; }
.conv-lessons-site-footer { color: #555; font-size: 0.85em; margin: 2em 0 1em 0; }
</style>
{%- endblock extra_css -%}
"""
EXPLORER_NOTE = (
    '<div class="conv-lessons-explorer-note"><strong>Interactive explorer.</strong> Its sliders and menus '
    "need a running Python kernel: open this lesson in JupyterLab (<code>pip install conv-lessons</code>, "
    "then <code>conv-lessons lab</code>) or on Binder to use it. The static figures on this page show "
    "the same pictures.</div>"
)
EXTERNAL_RESOURCE = re.compile(
    r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//"""  # a script from another host
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//"""  # a style sheet (or font, icon) from another host
    r"""|@import\s+(?:url\()?\s*["']?(?:https?:)?//""",  # a CSS import from another host
    re.IGNORECASE,
)
HREF = re.compile(r"""(\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


@dataclass
class Page:
    source: Path | None  # notebook path relative to the source folder (None: generated page)
    out: Path  # HTML path relative to the output folder
    title: str


@dataclass
class BuildResult:
    out_dir: Path
    pages: list[Page] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def html_name(notebook: Path) -> Path:
    return notebook.with_suffix(".html")


def rewrite_links(page_html: str) -> str:
    """Relative links to ``*.ipynb`` become ``*.html`` (fragments kept); relative links to a folder
    (``solutions/``) go to its ``index.html``.  Absolute URLs and in-page anchors are left alone."""

    def fix(match: re.Match[str]) -> str:
        prefix, quote, url = match.groups()
        parts = urlsplit(html.unescape(url))
        if parts.scheme or parts.netloc or not parts.path:
            return match.group(0)
        path = parts.path
        if path.endswith(".ipynb"):
            path = path[: -len(".ipynb")] + ".html"
        elif path.endswith("/"):
            path += "index.html"
        else:
            return match.group(0)
        new = path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
        return f"{prefix}{quote}{html.escape(new, quote=True)}{quote}"

    return HREF.sub(fix, page_html)


def replace_widget_outputs(notebook: nbformat.NotebookNode) -> int:
    """Swap each ipywidgets view (dead without a kernel) for a note; returns how many were replaced."""
    replaced = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for index, output in enumerate(cell.get("outputs", [])):
            if WIDGET_MIME in output.get("data", {}):
                cell.outputs[index] = nbformat.v4.new_output(
                    "display_data", data={"text/html": EXPLORER_NOTE}, metadata={})
                replaced += 1
    notebook.metadata.pop("widgets", None)
    return replaced


class MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer, with formulas turned into MathML (TeX source if that fails)."""

    def _mathml(self, tex: str, display: str, fallback: str) -> str:
        try:
            return tex_to_mathml(tex, display=display)
        except Exception:  # a construct latex2mathml does not know: keep the readable TeX
            return fallback

    def inline_math(self, body: str) -> str:
        return self._mathml(body, "inline", super().inline_math(body))

    def block_math(self, body: str) -> str:
        return self._mathml(body, "block", super().block_math(body))

    def latex_environment(self, name: str, body: str) -> str:
        return self._mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block", super().latex_environment(name, body))


class SiteExporter(HTMLExporter):
    """HTMLExporter whose Markdown formulas become MathML when latex2mathml is available."""

    @pass_context
    def markdown2html(self, context, source):  # same as nbconvert's, with MathMLRenderer
        if tex_to_mathml is None:
            return super().markdown2html(context, source)
        cell = context.get("cell", {})
        renderer = MathMLRenderer(
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )
        return MarkdownWithMath(renderer=renderer).render(source)


def make_exporter() -> HTMLExporter:
    exporter = SiteExporter(
        template_name="lab",
        extra_loaders=[DictLoader({SITE_TEMPLATE: TEMPLATE_SOURCE})],
        embed_images=True,  # images referenced from Markdown become data: URIs too
    )
    exporter.template_file = SITE_TEMPLATE
    return exporter


def convert(exporter: HTMLExporter, path: Path, title: str) -> str:
    notebook = nbformat.read(path, as_version=4)
    replace_widget_outputs(notebook)
    resources = {"metadata": {"name": title, "path": str(path.parent)}}
    body, _ = exporter.from_notebook_node(notebook, resources=resources)
    return rewrite_links(body)


def simple_page(title: str, body_html: str) -> str:
    """A small page in the same look (for generated indexes)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8" />\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n"
        "body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; max-width: 900px; "
        "margin: 2em auto; padding: 0 1em; line-height: 1.5; color: #222; }\n"
        "a { color: #1565c0; }\n</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n{body_html}\n</main>\n</body>\n</html>\n"
    )


def link_list(pages: list[Page], relative_to: Path) -> str:
    items = []
    for page in pages:
        href = Path(*([".."] * len(relative_to.parts)), page.out).as_posix() if relative_to.parts else page.out
        items.append(f'<li><a href="{html.escape(str(href), quote=True)}">{html.escape(page.title)}</a></li>')
    return "<ul>\n" + "\n".join(items) + "\n</ul>"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name == "href" and value is not None and tag == "a":
                self.hrefs.append(value)


def parse_links(page_html: str) -> _Links:
    parser = _Links()
    parser.feed(page_html)
    return parser


def fragment_forms(fragment: str) -> set[str]:
    """The ids a browser would try for ``#fragment``: as written, percent-decoded, and percent-encoded
    (nbconvert writes ids of headings with non-ASCII text percent-encoded)."""
    decoded = unquote(fragment)
    return {fragment, decoded, quote(decoded, safe="!$&'()*+,;=:@/?-._~")}


def check_site(out_dir: Path) -> list[str]:
    """Problems in a built site: CDN resources, and relative links to missing pages or headings."""
    problems: list[str] = []
    parsed = {p: parse_links(p.read_text(encoding="utf-8")) for p in sorted(out_dir.rglob("*.html"))}
    for page, links in parsed.items():
        name = page.relative_to(out_dir).as_posix()
        text = page.read_text(encoding="utf-8")
        for match in EXTERNAL_RESOURCE.finditer(text):
            problems.append(f"{name}: loads a resource from another host: {text[match.start():match.start() + 120]!r}")
        for href in links.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if parts.path and not target.is_file():
                problems.append(f"{name}: link to {href!r}, which is not in the site")
                continue
            if parts.fragment and target in {p.resolve() for p in parsed}:
                ids = parsed[next(p for p in parsed if p.resolve() == target)].ids
                if not fragment_forms(parts.fragment) & ids:
                    problems.append(f"{name}: link to {href!r}: no heading or anchor {parts.fragment!r} there")
    return problems


def prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists():
        if not out_dir.is_dir():
            raise SystemExit(f"build_site: {out_dir} is a file; give a folder for the site")
        if any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
            raise SystemExit(f"build_site: {out_dir} is not empty and was not made by this script; "
                             "refusing to replace it (choose another --out)")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    (out_dir / MARKER).write_text("made by tools/build_site.py; replaced on every build\n", encoding="utf-8")


def build(source: Path, out_dir: Path) -> BuildResult:
    """Convert every notebook in ``source`` into ``out_dir``; returns the pages and any problems found."""
    source, out_dir = Path(source).resolve(), Path(out_dir).resolve()
    notebooks = lesson_files(source)
    if not notebooks:
        raise SystemExit(f"build_site: no notebooks in {source}")
    prepare_out_dir(out_dir)
    result = BuildResult(out_dir=out_dir)
    exporter = make_exporter()
    index_html: str | None = None
    for rel in notebooks:
        title = lesson_title(source / rel)
        page = Page(source=rel, out=html_name(rel), title=title)
        text = convert(exporter, source / rel, title)
        if rel == Path("index.ipynb"):
            index_html = text  # written last, once we know what it links to
        else:
            target = out_dir / page.out
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        result.pages.append(page)

    # An index page for each sub-folder (solutions/), so a link to the folder works offline.
    folders = sorted({p.out.parent for p in result.pages if p.out.parent != Path(".")})
    for folder in folders:
        members = [p for p in result.pages if p.out.parent == folder]
        if (out_dir / folder / "index.html").exists():
            continue
        name = folder.as_posix().replace("_", " ").capitalize()
        body = link_list([Page(None, Path(p.out.name), p.title) for p in members], Path()) + \
            '<p><a href="../index.html">← Back to the index</a></p>'
        (out_dir / folder / "index.html").write_text(simple_page(name, body), encoding="utf-8")
        result.pages.append(Page(None, folder / "index.html", name))

    lessons = [p for p in result.pages if p.out != Path("index.html")]
    if index_html is None:
        top = [p for p in lessons if p.out.parent == Path(".")]
        others = [Page(None, f / "index.html", f.as_posix().capitalize()) for f in folders]
        index_html = simple_page("Convolutions for images: lessons", link_list(top + others, Path()))
    index_html = add_unlinked(index_html, lessons)
    (out_dir / "index.html").write_text(index_html, encoding="utf-8")

    result.problems = check_site(out_dir)
    return result


def add_unlinked(index_html: str, pages: list[Page]) -> str:
    """Append a list of the pages the index does not reach (directly, or via a folder index)."""
    linked = {urlsplit(h).path for h in parse_links(index_html).hrefs}
    reached = {p.out.as_posix() for p in pages if p.out.as_posix() in linked}
    reached |= {p.out.as_posix() for p in pages if (p.out.parent / "index.html").as_posix() in linked}
    missing = [p for p in pages if p.out.as_posix() not in reached]
    if not missing:
        return index_html
    footer = ('<div class="conv-lessons-site-footer"><h2>Also in this site</h2>' + link_list(missing, Path())
              + "</div>")
    return index_html.replace("</main>", footer + "\n</main>", 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT / "notebooks", help="folder of notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="folder for the site (replaced)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a link is broken")
    args = parser.parse_args(argv)
    result = build(args.source, args.out)
    for page in result.pages:
        print(f"  {page.out.as_posix():52s} {page.title}")
    print(f"{len(result.pages)} pages in {result.out_dir}; open {result.out_dir / 'index.html'}")
    for problem in result.problems:
        print(f"problem: {problem}", file=sys.stderr)
    external = [p for p in result.problems if "another host" in p]
    if external or (args.strict and result.problems):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
