"""What keeps a hostile notebook from putting script or an internet resource into the static site.

Two independent layers, both used by ``tools/build_site.py``:

1. :func:`clean_html` -- the sanitiser.  Every page's content (the notebook's Markdown and outputs as
   Sphinx rendered them, formulas included) goes through `nh3 <https://nh3.readthedocs.io>`_ (the
   Ammonia HTML sanitiser) with an allow-list: no ``<script>``, ``<style>``, ``<iframe>``,
   ``<object>``, ``<embed>``, ``<form>``, ``<base>``, ``<meta>``, ``<link>``, ``<svg>``; no ``on*``
   attribute; links only to relative, ``http(s):`` and ``mailto:`` URLs; images only from the site
   itself or ``data:image/png|jpeg|gif|webp``; ``style`` attributes only with plain properties and
   no ``url()``.  A hostile notebook is neutralised: its page is written, without the payload.
2. :func:`audit_site` -- the check of what was written.  It parses every file of the built site
   (HTML with :mod:`html.parser`, CSS with tinycss2) and lists every script, event handler,
   ``javascript:`` URL, frame, plug-in, ``<base>``, refresh, and every resource (script, style sheet,
   image, frame, font, ``@import``/``url()``) that a browser would fetch from another host; it also
   refuses any file type a static page of lessons does not need (``.js``, ``.svg``, …).  The build
   fails on any finding, so a gap in layer 1 (or in the theme) cannot ship.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import nh3
import tinycss2

# ----------------------------------------------------------------------------------- the sanitiser

#: MathML elements that formulas (latex2mathml) are written with; browsers render them natively.
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "munder", "mover",
    "munderover", "mfrac", "msqrt", "mroot", "mstyle", "mpadded", "mphantom", "menclose", "mtable", "mtr",
    "mtd", "mlabeledtr", "semantics", "annotation", "merror", "mmultiscripts", "mprescripts", "none",
}
MATHML_ATTRIBUTES = {
    "display", "xmlns", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "form",
    "displaystyle", "scriptlevel", "accent", "accentunder", "movablelimits", "largeop", "symmetric",
    "minsize", "maxsize", "linethickness", "notation", "columnalign", "rowalign", "columnspacing",
    "rowspacing", "columnlines", "rowlines", "frame", "width", "height", "depth", "voffset", "encoding",
}
#: HTML the pages need: Ammonia's default set (text, lists, tables, figures, details/summary…) plus the
#: sectioning elements Sphinx writes, minus image maps (links without an <a>).
TAGS = (set(nh3.ALLOWED_TAGS) | {"section", "main", "dl", "dt", "dd", "caption"} | MATHML_TAGS) - {"area", "map"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "title", "lang", "dir", "role", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "abbr": {"title"},
    **{tag: set(MATHML_ATTRIBUTES) for tag in MATHML_TAGS},
}
#: Plain presentation properties a notebook output may set in a ``style`` attribute (pandas tables,
#: image sizes); none of them takes a URL.
STYLE_PROPERTIES = {
    "text-align", "vertical-align", "white-space", "width", "height", "max-width", "max-height", "min-width",
    "color", "background-color", "font-weight", "font-style", "font-family", "font-size", "border",
    "border-collapse", "border-top", "border-bottom", "border-left", "border-right", "padding",
    "padding-left", "padding-right", "padding-top", "padding-bottom", "margin", "margin-left", "margin-right",
    "margin-top", "margin-bottom", "display", "float", "clear", "line-height", "text-decoration", "opacity",
}
LINK_SCHEMES = {"http", "https", "mailto"}
INLINE_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme(url: str) -> str:
    """The scheme a browser would see in ``url`` (lower case; ``"//"`` for a network-path reference,
    ``""`` for a relative URL).  Control characters and blanks, which browsers ignore inside a
    scheme (``java\\tscript:``), are removed first."""
    squeezed = _CONTROL.sub("", url)
    if squeezed.startswith(("//", "\\\\", "/\\", "\\/")):
        return "//"
    return urlsplit(squeezed).scheme.lower()


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        return value if url_scheme(value) in LINK_SCHEMES | {""} else None
    if attribute == "src":  # images: from the site itself, or inline PNG/JPEG/GIF/WebP
        scheme = url_scheme(value)
        if scheme == "" or (tag == "img" and scheme == "data" and INLINE_IMAGE.match(_CONTROL.sub("", value))):
            return value
        return None
    if attribute == "style" and re.search(r"url\s*\(|expression\s*\(|@import|\\", value, re.IGNORECASE):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags={"script", "style"},  # removed with their content, not shown as text
    attributes=ATTRIBUTES,
    attribute_filter=_attribute_filter,
    url_schemes=LINK_SCHEMES | {"data"},  # data: only survives on <img src> (see _attribute_filter)
    filter_style_properties=STYLE_PROPERTIES,
    generic_attribute_prefixes={"aria-"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_html(fragment: str) -> str:
    """``fragment`` with everything active or remote taken out (see the module's docstring)."""
    return _CLEANER.clean(fragment)


# --------------------------------------------------------------------------------------- the audit

#: File types a site of lessons is made of.  Anything else (.js, .svg, .swf, .pdf, …) is refused.
SITE_FILE_TYPES = {".html", ".css", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico"}
#: Elements that run code, embed another document or plug-in, or redirect the page's URLs.
ACTIVE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal",
               "fencedframe", "svg", "template", "form", "noscript"}
#: Attributes that hold a URL, and those of them that a browser fetches without a click.
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "data", "poster", "background", "cite",
                  "longdesc", "lowsrc", "dynsrc", "ping", "manifest", "codebase", "archive", "usemap", "icon",
                  "xlink:href", "classid", "profile", "imagesrcset"}
FETCHED_ATTRIBUTES = URL_ATTRIBUTES - {"href", "cite", "action", "formaction", "usemap", "longdesc"}
NETWORK_SCHEMES = {"http", "https", "ftp", "ws", "wss", "//"}
SCRIPT_SCHEMES = {"javascript", "vbscript", "livescript", "mocha", "blob", "filesystem"}


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def css_problems(css: str, where: str) -> list[str]:
    """``@import`` rules, ``url()``/``image-set()`` values and ``expression()`` that reach another host or
    run script, found with a CSS tokenizer (tinycss2), so comments, escapes and quoting hide nothing."""
    problems: list[str] = []
    remote = NETWORK_SCHEMES | SCRIPT_SCHEMES

    def urls_in(tokens: Iterable) -> list[str]:
        return [t.value for t in tokens if getattr(t, "type", "") in {"url", "string"}]

    def walk(tokens: Iterable) -> None:
        for token in tokens or ():
            kind = getattr(token, "type", "")
            if kind == "at-rule" and token.lower_at_keyword == "import":
                for url in urls_in(token.prelude) + [a.value for t in token.prelude
                                                    if getattr(t, "type", "") == "function" for a in t.arguments
                                                    if getattr(a, "type", "") == "string"]:
                    if url_scheme(url) in remote:
                        problems.append(f"{where}: CSS @import {url!r} loads a style sheet from another host")
            elif kind == "url" and url_scheme(token.value) in remote:
                problems.append(f"{where}: CSS url({token.value}) loads from another host")
            elif kind == "function":
                if token.lower_name == "expression":
                    problems.append(f"{where}: CSS expression() runs script")
                if token.lower_name in {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"}:
                    for url in urls_in(token.arguments):
                        if url_scheme(url) in remote:
                            problems.append(f"{where}: CSS {token.lower_name}({url!r}) loads from another host")
            for attr in ("prelude", "content", "arguments", "value"):
                inner = getattr(token, attr, None)
                if isinstance(inner, list):
                    walk(inner)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    return sorted(set(problems))


class _PageAudit(HTMLParser):
    def __init__(self, where: str) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.problems: list[str] = []
        self._in_style = False

    def _flag(self, message: str) -> None:
        self.problems.append(f"{self.where}: {message}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        pairs = [(name.lower(), value or "") for name, value in attrs]  # every one: duplicates too
        if tag in ACTIVE_TAGS:
            self._flag(f"<{tag}> element (runs code, embeds or redirects)")
        for name, value in pairs:
            if tag == "meta" and name == "http-equiv" and value.strip().lower() not in {"", "content-type"}:
                self._flag(f"<meta http-equiv={value!r}> (refresh, cookie or policy from the page)")
        if tag == "style":
            self._in_style = True
        for name, value in pairs:
            if name.startswith("on"):
                self._flag(f"<{tag} {name}=…> event handler (runs script)")
            if name in URL_ATTRIBUTES:
                urls = _srcset_urls(value) if name.endswith("srcset") else [value]
                for url in urls:
                    scheme = url_scheme(url)
                    if scheme in SCRIPT_SCHEMES:
                        self._flag(f"<{tag} {name}={url[:60]!r}> runs script")
                    elif scheme == "data" and not (tag == "img" and name == "src" and INLINE_IMAGE.match(
                            _CONTROL.sub("", url))):
                        self._flag(f"<{tag} {name}=data:…> (only inline PNG/JPEG/GIF/WebP images are allowed)")
                    elif scheme in NETWORK_SCHEMES and (name in FETCHED_ATTRIBUTES or tag in {"link", "image",
                                                                                             "use"}):
                        self._flag(f"<{tag} {name}={url[:80]!r}> loads from another host")
            if name == "style":
                for problem in css_problems(f"x{{{value}}}", f"<{tag} style>"):
                    self._flag(problem)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() == "style":
            self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.problems.extend(css_problems(data, f"{self.where}: <style>"))


def audit_page(html_text: str, where: str = "page") -> list[str]:
    """Every script, event handler, script URL, frame, plug-in and off-site resource in a page."""
    audit = _PageAudit(where)
    audit.feed(html_text)
    audit.close()
    return audit.problems


def audit_site(out_dir: Path, ignore: Iterable[str] = ()) -> list[str]:
    """Audit every file under ``out_dir``: pages (:func:`audit_page`), style sheets
    (:func:`css_problems`) and file types (:data:`SITE_FILE_TYPES`).  ``ignore``: file names to skip
    (the builder's own marker file).  Returns the findings, one line each; empty means safe."""
    out_dir = Path(out_dir)
    problems: list[str] = []
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file() and p.name not in set(ignore)):
        where = path.relative_to(out_dir).as_posix()
        suffix = path.suffix.lower()
        if suffix not in SITE_FILE_TYPES:
            problems.append(f"{where}: a {suffix or 'extension-less'} file has no place in the site "
                            f"(allowed: {', '.join(sorted(SITE_FILE_TYPES))})")
        elif suffix == ".html":
            problems.extend(audit_page(path.read_text(encoding="utf-8", errors="replace"), where))
        elif suffix == ".css":
            problems.extend(css_problems(path.read_text(encoding="utf-8", errors="replace"), where))
    return problems
