"""Sphinx extension of the static site: MathML formulas, sanitised pages, edition links, no JavaScript.

- ``mathml``: an HTML math renderer that writes formulas as MathML (latex2mathml), which browsers
  render themselves: no MathJax, no script, nothing from the internet.  A formula latex2mathml cannot
  read stays as its TeX source, in a ``<code>``.
- Every page's content (``body``, titles, navigation) goes through :func:`site_safety.clean_html` before
  the theme writes it (``html-page-context``), and the theme gets no script files.
- Before Sphinx collects a page's images and downloads, those that would copy a file from outside the
  notebooks' folder, an SVG (it can carry script) or an image from another host are replaced by a
  short note; ``include``-type directives cannot read files (``file_insertion_enabled`` off).
- ``cl_site`` (set by the builder): this edition's title and words, and every edition's pages, from
  which each page gets a link to its twin in every other edition; a link written in a notebook into
  another edition's folder (``../index.ipynb`` from ``notebooks/zh/``) goes to that edition's page.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from latex2mathml.converter import convert as tex_to_mathml
from site_safety import INLINE_IMAGE, clean_html, url_scheme
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

_LESSON_NUMBER = re.compile(r"^(\d+)_")


def jupyterlab_heading_id(text: str) -> str:
    """The id JupyterLab gives a Markdown heading: its text with spaces as dashes (``Exercises``,
    ``Try-it-yourself``), so a notebook's ``other.ipynb#Exercises`` link lands on the same heading."""
    return re.sub(r"\s+", "-", text.strip())


# ------------------------------------------------------------------------------------------ math


def _mathml(tex: str, display: str) -> str:
    try:
        return tex_to_mathml(tex, display=display)
    except Exception:  # a construct latex2mathml does not know: the readable TeX source
        return f'<code class="tex">{html.escape(tex)}</code>'


def visit_math(self, node: nodes.math) -> None:
    self.body.append(_mathml(node.astext(), "inline"))
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(f'<div class="math">{_mathml(node.astext(), "block")}</div>\n')
    raise nodes.SkipNode


# ------------------------------------------------------------------------- images and downloads


def _note(text: str) -> nodes.emphasis:
    return nodes.emphasis(text=f"[{text}]", classes=["conv-lessons-removed"])


class NeutraliseFiles(SphinxTransform):
    """Images and downloads that must not reach the site, replaced by a note (runs before Sphinx
    collects the files a page uses, so nothing is copied)."""

    default_priority = 850  # before DoctreeReadEvent (880), where Sphinx collects images and downloads

    def apply(self, **kwargs: Any) -> None:
        srcdir = Path(self.env.srcdir).resolve()
        docdir = (srcdir / self.env.docname).parent
        # MyST-NB writes output images to its own folder beside the HTML output.
        outputs = getattr(getattr(self.env, "mystnb_config", None), "output_folder", None)
        allowed = [srcdir] + ([Path(outputs).resolve()] if outputs else [])
        figure = self.config.cl_site.get("words", {}).get("figure", "Figure")
        for node in list(self.document.findall(nodes.image)):
            uri = node.get("uri", "")
            reason = _image_refusal(uri, docdir, srcdir, allowed)
            if reason:
                node.replace_self(_note(f"{node.get('alt') or uri[:60]}: {reason}"))
            elif not node.get("alt"):  # a notebook's output figure: say what it is, not its file name
                node["alt"] = figure
        for node in list(self.document.findall(addnodes.download_reference)):
            target = node.get("reftarget", "")
            if url_scheme(target) or not _inside(docdir / target, srcdir):
                node.replace_self(nodes.literal(text=node.astext()))


class FolderLinks(SphinxPostTransform):
    """A link to a folder of lessons (``solutions/``, ``../``) goes to that folder's index page, as it
    does in JupyterLab's file browser (runs just before MyST resolves its links)."""

    default_priority = 8

    def run(self, **kwargs: Any) -> None:
        for node in self.document.findall(addnodes.pending_xref):
            if node.get("reftype") != "myst" or node.get("refdomain") == "doc":
                continue
            target = node.get("reftarget", "")
            if not target or url_scheme(target) or "#" in target:
                continue
            folder = posixpath.normpath(posixpath.join(posixpath.dirname(self.env.docname), target.rstrip("/")))
            index = "index" if folder == "." else f"{folder}/index"
            is_folder = target.endswith("/") or posixpath.basename(target) in {"", ".", ".."} or "." not in target
            if is_folder and index in self.env.all_docs:
                node["refdomain"], node["reftarget"], node["reftargetid"] = "doc", index, None


class EditionLinks(SphinxPostTransform):
    """A link from one edition into another (the Chinese index's ``[English](../index.ipynb)``) goes to
    that edition's page: each edition is built apart, so Sphinx alone would not find it.  Judged on the
    notebooks' own folders (``cl_site``'s ``source`` of each edition): a link whose file lies in another
    edition's folder (the innermost folder that holds it) becomes a link to that edition's page."""

    default_priority = 8

    def run(self, **kwargs: Any) -> None:
        site = self.config.cl_site
        editions = site.get("editions", [])
        if len(editions) < 2:
            return
        here = editions[site.get("edition", 0)]
        docname = self.env.docname
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") == "doc":
                continue
            target, _, fragment = node.get("reftarget", "").partition("#")
            if not target or url_scheme(target):
                continue
            found = _edition_page(editions, here, docname, target)
            if found is None:
                continue
            url = found + (f"#{fragment or node.get('reftargetid') or ''}".rstrip("#"))
            node.replace_self(nodes.reference("", "", *node.children, refuri=url, classes=["cl-edition-link"]))


def _edition_page(editions: list[dict], here: dict, docname: str, target: str) -> str | None:
    """The URL (relative to the page ``docname`` of edition ``here``) of the page in another edition that
    ``target``, a link written in that page's notebook, points at; None for a link inside its own edition."""
    if "source" not in here:
        return None
    path = Path(posixpath.normpath(posixpath.join(here["source"], posixpath.dirname(docname), target)))
    holders = [e for e in editions if "source" in e and path.is_relative_to(e["source"])]
    if not holders:
        return None
    owner = max(holders, key=lambda e: len(Path(e["source"]).parts))
    if owner is here:
        return None
    page = path.relative_to(owner["source"]).with_suffix("").as_posix()
    if page not in owner["docs"] and posixpath.join(page, "index") in owner["docs"]:
        page = posixpath.join(page, "index")
    if page not in owner["docs"]:
        return None
    page_dir = posixpath.dirname(posixpath.join(here["prefix"], docname + ".html"))
    return posixpath.relpath(posixpath.join(owner["prefix"], page + ".html"), page_dir or ".")


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except ValueError:
        return False
    return True


def _image_refusal(uri: str, docdir: Path, srcdir: Path, allowed: list[Path]) -> str | None:
    scheme = url_scheme(uri)
    if scheme == "data":
        return None if INLINE_IMAGE.match(uri) else "not shown: only inline PNG, JPEG, GIF or WebP images"
    if scheme == "attachment":
        return "not shown: only PNG, JPEG, GIF or WebP attachments are"
    if scheme:
        return "not shown: the site loads nothing from the internet"
    if uri.split("?")[0].lower().endswith((".svg", ".svgz")):
        return "not shown: SVG images can carry scripts, use PNG"
    path = (srcdir / uri.lstrip("/")) if uri.startswith("/") else (docdir / uri)
    if not any(_inside(path, root) for root in allowed):
        return "not shown: the file is outside the lessons' folder"
    return None


# ----------------------------------------------------------------------------------- the pages


def _twin(docname: str, docs: list[str]) -> str:
    """The page of another edition that matches ``docname``: same path, else same lesson number in
    the same folder, else that edition's index."""
    if docname in docs:
        return docname
    folder, name = posixpath.split(docname)
    match = _LESSON_NUMBER.match(name)
    if match:
        for other in docs:
            other_folder, other_name = posixpath.split(other)
            other_match = _LESSON_NUMBER.match(other_name)
            if other_folder == folder and other_match and int(other_match.group(1)) == int(match.group(1)):
                return other
    if folder and posixpath.join(folder, "index") in docs:
        return posixpath.join(folder, "index")
    return "index"


def edition_links(site: dict, pagename: str) -> list[dict[str, str]]:
    """For each other edition: its label, language and the relative URL of this page's twin."""
    editions = site.get("editions", [])
    here = editions[site.get("edition", 0)] if editions else {"prefix": ""}
    page_dir = posixpath.dirname(posixpath.join(here["prefix"], pagename + ".html"))
    links = []
    for index, edition in enumerate(editions):
        if index == site.get("edition", 0):
            continue
        target = posixpath.join(edition["prefix"], _twin(pagename, edition["docs"]) + ".html")
        links.append({"label": edition["label"], "language": edition["language"],
                      "href": posixpath.relpath(target, page_dir or ".")})
    return links


def page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Sanitise everything of the page that comes from a notebook; no scripts; edition links."""
    for key in ("body", "title", "toc"):
        if isinstance(context.get(key), str):
            context[key] = clean_html(context[key])
    for key in ("prev", "next"):
        if context.get(key):
            context[key] = {**context[key], "title": clean_html(context[key].get("title", ""))}
    context["parents"] = [{**p, "title": clean_html(p.get("title", ""))} for p in context.get("parents", [])]
    context["script_files"] = []
    context["metatags"] = ""
    if "toctree" in context:
        context["cl_nav"] = clean_html(context["toctree"](maxdepth=2, collapse=False, titles_only=True,
                                                          includehidden=True))
    site = app.config.cl_site
    context["cl_editions"] = edition_links(site, pagename)
    context["cl_words"] = site.get("words", {})
    context["cl_title"] = site.get("title", app.config.project)


def builder_inited(app: Sphinx) -> None:
    if hasattr(app.builder, "search"):
        app.builder.search = False  # the search page needs JavaScript
    app.env.settings["file_insertion_enabled"] = False  # no {include}/{literalinclude}/raw :file: of any file


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("cl_site", {}, "html", types=frozenset({dict}))
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    app.add_transform(NeutraliseFiles)
    app.add_post_transform(FolderLinks)
    app.add_post_transform(EditionLinks)
    app.connect("builder-inited", builder_inited)
    app.connect("html-page-context", page_context)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
