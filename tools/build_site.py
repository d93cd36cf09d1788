"""Build the static site of the lessons (``make html``): Sphinx + MyST-NB over the executed notebooks.

Usage: python tools/build_site.py [--out site] [--source notebooks] [--strict]

Every edition listed in ``tools/sphinx_site/site_editions.py`` (English at the site's root, Chinese in zh/)
is built the same way:

1. **Stage.**  The edition's lesson notebooks (``index.ipynb``, ``NN_*.ipynb``, ``solutions/*.ipynb``,
   as :func:`conv_lessons.lessons.lesson_files` lists them) are copied to a temporary folder with their
   images.  Only ``.ipynb`` files are copied, so the MyST/Jupytext text sources of the lessons are never
   read as a second page.  On the way each copy loses the notebook metadata that could reconfigure
   the build (``mystnb: {execution_mode: force}`` would run its code) and gets: an explorer's output
   (an ipywidgets view, dead without a kernel) replaced by a note that says where to run it and links
   to the nearest static figure; no widget state; no JavaScript or SVG output alternatives; pasted
   images (cell attachments) as files; a hidden table of contents on the index in reading order, and
   an index page for each sub-folder (``solutions/``).
2. **Sphinx + MyST-NB** (``tools/sphinx_site/conf.py``) read the stored outputs, never running a kernel
   (``nb_execution_mode = "off"``).  Links written in the notebooks as ``02_edge_detection.ipynb`` (or
   ``…ipynb#Exercises``) become links to the generated pages.  Formulas become MathML.  Every page's
   content passes through the nh3 sanitiser (``tools/sphinx_site/site_safety.py``); the theme has no
   script.
3. **Audit.**  Every file written is checked (``site_safety.audit_site``): no script, event handler,
   ``javascript:`` URL, frame, plug-in, ``<base>``, refresh, nothing fetched from another host, no
   file type a page of lessons does not need.  Any finding stops the build before the site is
   written (exit 1).

Sphinx's warnings (a link to a page or heading that does not exist, for instance) are printed;
``--strict`` makes them an error.  The output folder is replaced on every build; the build refuses
to replace a non-empty folder that it did not create (it leaves a ``.conv-lessons-site`` marker).
"""

from __future__ import annotations

import argparse
import base64
import io
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SITE_CONFIG = ROOT / "tools" / "sphinx_site"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(SITE_CONFIG))
from site_editions import EDITIONS, Edition  # noqa: E402
from site_safety import audit_site  # noqa: E402

from conv_lessons.lessons import lesson_files, lesson_title  # noqa: E402

MARKER = ".conv-lessons-site"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
#: Output alternatives the site never shows: live widgets and script (they need a kernel or run code),
#: SVG (it can carry script).  A PNG or text alternative of the same output is shown instead.
DROPPED_MIMES = {WIDGET_STATE, "application/javascript", "text/javascript", "image/svg+xml"}
FIGURE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/webp")
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
#: Notebook metadata the site reads (the language, for highlighting); everything else is dropped.
NOTEBOOK_METADATA = {"kernelspec", "language_info"}
#: Sphinx output that a static site of lessons without search or scripts does not need.
SPHINX_LEFTOVERS = [".buildinfo", ".buildinfo.bak", "objects.inv", "search.html", "genindex.html",
                    "searchindex.js", "_sources"]


class UnsafeSite(Exception):
    """The audit found script or an internet resource in the built pages; nothing was written."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} unsafe item(s) in the built site:\n" + "\n".join(problems))
        self.problems = problems


@dataclass
class Page:
    source: Path | None  # notebook path relative to its edition's source folder (None: generated page)
    out: Path  # HTML path relative to the output folder
    title: str
    language: str = "en"


@dataclass
class BuildResult:
    out_dir: Path
    pages: list[Page] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # Sphinx's warnings (broken links, …)
    problems: list[str] = field(default_factory=list)  # audit findings (always empty in a written site)
    seconds: float = 0.0


# ----------------------------------------------------------------------------------------- stage


def _markdown(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(text)


def _html_output(html_text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={"text/html": html_text}, metadata={})


def _figures(notebook: nbformat.NotebookNode) -> list[tuple[int, int]]:
    return [(c, o) for c, cell in enumerate(notebook.cells) if cell.cell_type == "code"
            for o, out in enumerate(cell.get("outputs", [])) if any(m in out.get("data", {}) for m in FIGURE_MIMES)]


def replace_explorers(notebook: nbformat.NotebookNode, edition: Edition) -> int:
    """Swap each explorer's output (an ipywidgets view) for the edition's note, linked to the nearest
    static figure of the lesson (an anchor is put before that figure); returns how many."""
    figures = _figures(notebook)
    anchors: dict[tuple[int, int], str] = {}
    replaced = 0
    for c, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for o, output in enumerate(cell.get("outputs", [])):
            if WIDGET_VIEW not in output.get("data", {}):
                continue
            note = edition.explorer_note
            if figures:
                nearest = min(figures, key=lambda f: (abs(f[0] - c), f[0] > c))
                anchor = anchors.setdefault(nearest, f"static-figure-{len(anchors) + 1}")
                words = edition.figure_above if nearest[0] <= c else edition.figure_below
                note += " " + words.format(href="#" + anchor)
            cell.outputs[o] = _html_output(f'<div class="conv-lessons-explorer-note">{note}</div>')
            replaced += 1
    for (c, o), anchor in sorted(anchors.items(), reverse=True):  # from the end: indices stay valid
        notebook.cells[c].outputs.insert(o, _html_output(f'<span id="{anchor}"></span>'))
    return replaced


def keep_safe_metadata(notebook: nbformat.NotebookNode) -> None:
    """Keep only the notebook metadata a page needs (:data:`NOTEBOOK_METADATA`).  The rest could
    reconfigure the build from inside the notebook: ``mystnb: {execution_mode: force}`` would run the
    notebook's code, ``myst: {enable_extensions: [substitution]}`` would evaluate Jinja templates
    written in its Markdown, ``widgets`` would load the widget manager from a CDN."""
    for key in list(notebook.metadata):
        if key not in NOTEBOOK_METADATA:
            del notebook.metadata[key]


def drop_unsafe_alternatives(notebook: nbformat.NotebookNode) -> None:
    """Remove script and SVG representations from every output; an output left with nothing says so."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for index, output in enumerate(cell.get("outputs", [])):
            data = output.get("data")
            if not data:
                continue
            dropped = [m for m in data if m in DROPPED_MIMES]
            for mime in dropped:
                del data[mime]
                output.get("metadata", {}).pop(mime, None)
            if dropped and not data:
                cell.outputs[index] = nbformat.v4.new_output(
                    "display_data", data={"text/plain": f"[{', '.join(dropped)} output: not shown in the static site]"},
                    metadata={})


def extract_attachments(notebook: nbformat.NotebookNode, folder: Path, stem: str) -> None:
    """Images pasted into Markdown cells (``![](attachment:name.png)``, as JupyterLab stores them) are
    written beside the staged notebook and linked from there: MyST-NB does not read attachments.
    Only PNG, JPEG, GIF and WebP; anything else stays an ``attachment:`` link, which the site refuses."""
    for number, cell in enumerate(notebook.cells):
        for name, bundle in (cell.get("attachments") or {}).items():
            mime = next((m for m in FIGURE_MIMES if m in bundle), None)
            try:
                data = base64.b64decode(bundle[mime], validate=False) if mime else b""
            except (ValueError, TypeError):
                data = b""
            if not data:
                continue
            file_name = f"{stem}-{number}-{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}"
            if Path(file_name).suffix.lower() not in IMAGE_SUFFIXES:
                file_name += "." + mime.split("/")[1]
            (folder / "_attachments").mkdir(parents=True, exist_ok=True)
            (folder / "_attachments" / file_name).write_bytes(data)
            cell.source = cell.source.replace(f"attachment:{name}", f"_attachments/{file_name}")
        cell.pop("attachments", None)


def _toctree(entries: list[str], hidden: bool) -> str:
    options = ":hidden:\n:titlesonly:\n" if hidden else ":titlesonly:\n"
    return "```{toctree}\n" + options + "\n" + "\n".join(entries) + "\n```\n"


def _docname(rel: Path) -> str:
    return rel.with_suffix("").as_posix()


def stage_edition(edition: Edition, source: Path, stage: Path, others: set[Path] = frozenset()) -> list[Page]:
    """Copy ``source``'s lessons into ``stage`` as Sphinx will read them (``others``: the other
    editions' folders, whose images are not this edition's); returns the pages, in reading order,
    with paths relative to the edition's folder of the site."""
    notebooks = lesson_files(source)
    if not notebooks:
        raise SystemExit(f"build_site: no notebooks in {source}")
    pages: list[Page] = []
    for rel in notebooks:
        try:
            notebook = nbformat.read(source / rel, as_version=4)
        except Exception as error:  # not JSON, not a notebook: say which file
            raise SystemExit(f"build_site: {source / rel} is not a readable notebook: {error}") from None
        keep_safe_metadata(notebook)
        drop_unsafe_alternatives(notebook)
        replace_explorers(notebook, edition)
        target = stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        extract_attachments(notebook, target.parent, target.stem)
        nbformat.write(notebook, target)
        pages.append(Page(rel, rel.with_suffix(".html"), lesson_title(source / rel), edition.language))
    _copy_images(source, stage, set(others))

    # Each sub-folder (solutions/) gets an index page listing its notebooks, so that a link to the
    # folder works offline and the folder has a place in the table of contents.
    top = [p for p in pages if p.source.parent == Path(".")]
    folders = sorted({p.source.parent for p in pages} - {Path(".")})
    for folder in folders:
        members = [p for p in pages if p.source.parent == folder and p.source.name != "index.ipynb"]
        entries = [_docname(p.source.relative_to(folder)) for p in members]
        index = stage / folder / "index.ipynb"
        title = edition.folder_titles.get(folder.as_posix(), folder.as_posix().replace("_", " ").capitalize())
        if index.exists():
            _append_cell(index, _toctree(entries, hidden=True))
        else:
            _write_notebook(index, [_markdown(f"# {title}\n"), _markdown(_toctree(entries, hidden=False))])
            pages.append(Page(None, folder / "index.html", title, edition.language))
    # The index: the notebook's own table, plus a hidden table of contents in reading order (which
    # gives every page its place, previous/next links and the list of pages beside each page).
    entries = [_docname(p.source) for p in top if p.source.name != "index.ipynb"]
    entries += [f"{folder.as_posix()}/index" for folder in folders]
    index = stage / "index.ipynb"
    if index.exists():
        _append_cell(index, _toctree(entries, hidden=True))
    else:
        _write_notebook(index, [_markdown(f"# {edition.title}\n"), _markdown(_toctree(entries, hidden=False))])
        pages.insert(0, Page(None, Path("index.html"), edition.title, edition.language))
    return pages


def _write_notebook(path: Path, cells: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)


def _append_cell(path: Path, text: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(_markdown(text))
    nbformat.write(notebook, path)


def _copy_images(source: Path, stage: Path, others: set[Path]) -> None:
    """Images beside the notebooks (a Markdown cell may show ``![…](drawing.png)``); not symbolic links
    (they could point anywhere on the machine), nor from hidden folders or the folders of ``others``
    (the other editions)."""
    root = source.resolve()
    for path in source.rglob("*"):
        rel = path.relative_to(source)
        if (path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file() or path.is_symlink()
                or not path.resolve().is_relative_to(root)
                or any(part.startswith(".") for part in rel.parts)
                or any(parent.resolve() in others for parent in path.parents)):
            continue
        (stage / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, stage / rel)


# ------------------------------------------------------------------------------------------ build


def run_sphinx(stage: Path, html_dir: Path, doctrees: Path, edition: Edition, site: dict) -> list[str]:
    """Sphinx + MyST-NB over the staged notebooks; returns Sphinx's warnings."""
    from sphinx.application import Sphinx
    from sphinx.util.console import nocolor
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    nocolor()

    warnings, status = io.StringIO(), io.StringIO()
    overrides = {"project": edition.title, "html_title": edition.title, "language": edition.language,
                 "cl_site": site}
    with patch_docutils(SITE_CONFIG), docutils_namespace():
        app = Sphinx(str(stage), str(SITE_CONFIG), str(html_dir), str(doctrees), "html",
                     confoverrides=overrides, status=status, warning=warnings, freshenv=True)
        app.build(force_all=True)
    return [line for line in warnings.getvalue().splitlines() if line.strip()]


def remove_leftovers(html_dir: Path) -> None:
    for name in SPHINX_LEFTOVERS:
        path = html_dir / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for script in (html_dir / "_static").glob("*.js"):  # the theme references none of them
        script.unlink()


def prepare_out_dir(out_dir: Path) -> None:
    if out_dir.exists():
        if not out_dir.is_dir():
            raise SystemExit(f"build_site: {out_dir} is a file; give a folder for the site")
        if any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
            raise SystemExit(f"build_site: {out_dir} is not empty and was not made by this script; "
                             "refusing to replace it (choose another --out)")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)


def _moved_to(editions: list[Edition], source: Path) -> list[Edition]:
    """The editions with the first one built from ``source``, and those inside its folder moved along."""
    first = (ROOT / editions[0].source).resolve()
    moved = [replace(editions[0], source=str(source))]
    for edition in editions[1:]:
        folder = (ROOT / edition.source).resolve()
        if folder.is_relative_to(first):
            edition = replace(edition, source=str(source / folder.relative_to(first)))
            if not any(Path(edition.source).glob("*.ipynb")):
                continue  # no such edition beside these notebooks
        moved.append(edition)
    return moved


def build(source: Path | None = None, out_dir: Path = ROOT / "site",
          editions: list[Edition] | None = None) -> BuildResult:
    """Build every edition into ``out_dir``; returns the pages and Sphinx's warnings.

    ``source`` replaces the first edition's notebook folder (for a site of another folder of
    notebooks); an edition whose folder lies inside the first's (the Chinese ``notebooks/zh``) moves
    along (``source/zh``), and is left out when ``source`` has no such folder of notebooks.
    ``editions`` replaces :data:`site_editions.EDITIONS`.  Raises :class:`UnsafeSite` (and writes
    nothing) when the audit finds script or an internet resource in any written file.
    """
    started = time.perf_counter()
    editions = list(editions or EDITIONS)
    if source is not None:
        editions = _moved_to(editions, Path(source).resolve())
    out_dir = Path(out_dir).resolve()
    result = BuildResult(out_dir=out_dir)
    with tempfile.TemporaryDirectory(prefix="conv-lessons-site-") as tmp:
        work = Path(tmp)
        staged: list[tuple[Edition, Path, list[Page]]] = []
        sources = [(ROOT / edition.source).resolve() for edition in editions]
        for number, edition in enumerate(editions):
            stage = work / f"src-{number}"
            pages = stage_edition(edition, sources[number], stage, set(sources) - {sources[number]})
            staged.append((edition, stage, pages))
        site = {"editions": [{"label": e.label, "language": e.language, "prefix": e.prefix, "source": str(source),
                              "docs": [p.out.with_suffix("").as_posix() for p in pages]}
                             for (e, _, pages), source in zip(staged, sources, strict=True)]}
        assembled = work / "site"
        for number, (edition, stage, pages) in enumerate(staged):
            html_dir = work / f"out-{number}" / "html"  # MyST-NB writes beside it (jupyter_execute/)
            conf = {**site, "edition": number, "title": edition.title, "words": edition.words}
            warnings = run_sphinx(stage, html_dir, work / f"out-{number}" / "doctrees", edition, conf)
            result.warnings += [w.replace(str(stage) + "/", f"{edition.source}/") for w in warnings]
            remove_leftovers(html_dir)
            shutil.copytree(html_dir, assembled / edition.prefix, dirs_exist_ok=True)
            result.pages += [replace(p, out=Path(edition.prefix) / p.out) for p in pages]
        result.problems = audit_site(assembled)
        if result.problems:
            raise UnsafeSite(result.problems)
        prepare_out_dir(out_dir)
        shutil.copytree(assembled, out_dir, dirs_exist_ok=True)
    (out_dir / MARKER).write_text("made by tools/build_site.py; replaced on every build\n", encoding="utf-8")
    result.seconds = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=None,
                        help="folder of notebooks of the first edition (default: tools/sphinx_site/site_editions.py)")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="folder for the site (replaced)")
    parser.add_argument("--strict", action="store_true", help="exit 1 on any Sphinx warning (e.g. a broken link)")
    args = parser.parse_args(argv)
    try:
        result = build(args.source, args.out)
    except UnsafeSite as error:
        print(f"build_site: refused, nothing written to {args.out}:", file=sys.stderr)
        for problem in error.problems:
            print(f"  unsafe: {problem}", file=sys.stderr)
        return 1
    for page in result.pages:
        print(f"  {page.out.as_posix():56s} {page.title}")
    print(f"{len(result.pages)} pages in {result.out_dir} ({result.seconds:.1f} s); "
          f"open {result.out_dir / 'index.html'}")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 1 if args.strict and result.warnings else 0


if __name__ == "__main__":
    raise SystemExit(main())
