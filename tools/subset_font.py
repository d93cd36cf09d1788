"""Regenerate the CJK font the package ships: a subset of Noto Sans CJK SC, for Chinese in figures.

Usage: python tools/subset_font.py [--source FONT] [--check]

matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so a figure drawn in the Chinese edition
would show boxes ("tofu") on any machine without a CJK font: Binder, a hub image, a fresh laptop.  The
package therefore carries its own font, ``conv_lessons/fonts/ConvLessonsCJKsc-Regular.otf`` and
``…-Bold.otf`` (for bold labels), which ``conv_lessons.fonts`` registers with matplotlib when the
language is Chinese.  They are subsets of Noto Sans CJK SC Regular and Bold (© Adobe, SIL Open Font
License 1.1) holding only the characters the package can draw:

- every character of the Chinese catalogue ``conv_lessons/locale/zh.json`` (labels, legends, verdicts);
- every character of the string literals in the Chinese lessons' code cells (``lessons/zh/``), which a
  lesson may pass to a figure as a title or a row label;
- the non-ASCII characters of the package's own string literals (−, ×, →, σ, ★, …), and fixed ranges:
  ASCII, Latin-1, Greek, general punctuation, arrows, mathematical operators, box drawing, geometric
  shapes, CJK punctuation and full-width forms.

The subset is renamed ("ConvLessons CJK SC"), so it can never be confused with a full Noto font
installed on the machine, and written with the source's timestamp, so the same inputs give the same
bytes.  Its licence, ``conv_lessons/fonts/OFL.txt``, is written beside it: the source's copyright line,
what was changed, and the OFL 1.1 text (from Debian's copyright file of fonts-noto-cjk, else kept from
the OFL.txt already there).

Run this after adding or changing a Chinese string (``tests/test_fonts.py`` fails until you do).  It
needs the source fonts, only to regenerate: on Debian/Ubuntu ``sudo apt-get install fonts-noto-cjk``
(it provides /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc and -Bold.ttc); or pass
``--regular``/``--bold`` with ``NotoSansCJKsc-Regular.otf``/``-Bold.otf`` or any collection holding
the "Noto Sans CJK SC" face of that weight.
``--check`` writes nothing and exits 1 when the shipped font lacks a character it must have.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "conv_lessons" / "fonts"
#: The weights shipped: file name and the Debian file of the source face.
STYLES = {
    "Regular": ("ConvLessonsCJKsc-Regular.otf", Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")),
    "Bold": ("ConvLessonsCJKsc-Bold.otf", Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")),
}
FONT_FILES = {style: FONTS / name for style, (name, _) in STYLES.items()}
FONT_FILE = FONT_FILES["Regular"]
LICENCE_FILE = FONTS / "OFL.txt"
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
SOURCE_FAMILY = "Noto Sans CJK SC"
FAMILY = "ConvLessons CJK SC"
LICENCE_MARKER = "SIL OPEN FONT LICENSE Version 1.1"

#: Always in the font, whatever the strings say (inclusive ranges of code points).
RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ° ± ² ³ · × ÷ …
    (0x0391, 0x03C9),  # Greek: σ λ Σ …
    (0x2010, 0x2044),  # general punctuation: – — ‘ ’ “ ” • … ′ ″ ‰
    (0x2070, 0x209F),  # superscripts and subscripts
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators: − √ ∑ ≈ ≤ ≥ ⋅ ⋆
    (0x2500, 0x259F),  # box drawing, block elements
    (0x25A0, 0x25FF),  # geometric shapes
    (0x2605, 0x2606),  # ★ ☆
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、 。 《 》 「 」 【 】
    (0xFF01, 0xFF5E),  # full-width forms: （ ） ， ： ； ？ ！
)
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _string_literals(source: str) -> list[str]:
    """Every string constant (f-string parts included) of a piece of Python; IPython magics allowed."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager

        tree = ast.parse(TransformerManager().transform_cell(source))
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def catalogue_characters(root: Path = ROOT) -> set[str]:
    """The characters of every entry of the Chinese catalogue (conv_lessons/locale/zh.json)."""
    table = json.loads((root / "conv_lessons" / "locale" / "zh.json").read_text(encoding="utf-8"))
    return {char for value in table.values() for char in value}


def lesson_string_characters(root: Path = ROOT) -> set[str]:
    """The characters of the string literals in the code cells of the Chinese lessons (lessons/zh/)."""
    import jupytext

    chars: set[str] = set()
    for path in sorted((root / "lessons" / "zh").rglob("*.md")):
        for cell in jupytext.read(path, fmt="md:myst").cells:
            if cell.cell_type == "code":
                chars.update("".join(_string_literals(cell.source)))
    return chars


def package_string_characters(root: Path = ROOT) -> set[str]:
    """The non-ASCII characters of the package's string literals (the symbols figures draw)."""
    chars: set[str] = set()
    for path in sorted((root / "conv_lessons").rglob("*.py")):
        chars.update(c for c in "".join(_string_literals(path.read_text(encoding="utf-8"))) if ord(c) > 0x7E)
    return chars


def required_characters(root: Path = ROOT) -> set[str]:
    """What the shipped font must cover: every character a Chinese figure of the package may draw
    (the catalogue and the Chinese lessons' strings), without control characters and spaces that no
    font draws (newline, tab)."""
    chars = catalogue_characters(root) | lesson_string_characters(root)
    return {c for c in chars if c.isprintable() and c not in "\u200b\ufeff"}


def wanted_characters(root: Path = ROOT) -> set[str]:
    """What the subset is made of: :func:`required_characters`, the package's symbols and :data:`RANGES`."""
    chars = required_characters(root) | package_string_characters(root)
    for low, high in RANGES:
        chars.update(chr(code) for code in range(low, high + 1))
    return {c for c in chars if c.isprintable() or c == " "}


def covered(font_file: Path = FONT_FILE) -> set[str]:
    """The characters ``font_file`` has a glyph for (its Unicode cmap)."""
    from fontTools.ttLib import TTFont

    with TTFont(font_file, lazy=True) as font:
        return {chr(code) for code in font.getBestCmap()}


def _open_source(source: Path, style: str):
    """The ``style`` face (Regular, Bold) of Noto Sans CJK SC in ``source`` (an .otf, or a .ttc collection)."""
    from fontTools.ttLib import TTCollection, TTFont

    if not source.is_file():
        raise SystemExit(f"subset_font: {source} not found: install Debian's fonts-noto-cjk "
                         f"(sudo apt-get install fonts-noto-cjk) or pass --{style.lower()} NotoSansCJKsc-{style}.otf")
    faces = TTCollection(source).fonts if source.suffix.lower() in {".ttc", ".otc"} else [TTFont(source)]
    for face in faces:
        names = face["name"]
        if names.getDebugName(1) == SOURCE_FAMILY and names.getDebugName(2) == style:
            return face
    found = sorted(f"{face['name'].getDebugName(1)} {face['name'].getDebugName(2)}" for face in faces)
    raise SystemExit(f"subset_font: no '{SOURCE_FAMILY}' {style} face in {source} (it has: {', '.join(found)})")


def _rename(font, style: str, version: str) -> None:
    """Give the subset its own names (name table and CFF), keeping copyright, designers and licence."""
    names = font["name"]
    keep = {0, 8, 9, 11, 12, 13, 14}
    names.names = [record for record in names.names if record.nameID in keep]
    postscript = Path(STYLES[style][0]).stem
    description = (f"Subset of {SOURCE_FAMILY} {style} ({version}) made by conv-lessons' tools/subset_font.py: "
                   "only the characters the conv-lessons package draws, renamed.")
    for name_id, text in ((1, FAMILY), (2, style), (3, f"{postscript};{version}"), (4, f"{FAMILY} {style}"),
                          (5, f"{version}; subset for conv-lessons"), (6, postscript), (10, description)):
        names.setName(text, name_id, 3, 1, 0x409)
        names.setName(text, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        top = cff.topDictIndex[0]
        cff.fontNames = [postscript]
        top.FullName = f"{FAMILY} {style}"
        top.FamilyName = FAMILY
        if hasattr(top, "Notice"):
            del top.Notice  # Adobe's notice names the original font; the copyright stays in the name table


def licence_text(copyright_line: str, version: str) -> str:
    """OFL.txt: the source's copyright, what this subset changed, and the SIL Open Font License 1.1."""
    body = None
    if DEBIAN_COPYRIGHT.is_file():
        text = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
        match = re.search(r"^License: SIL-1\.1\n((?: .*\n?)+)", text, re.M)
        if match:
            body = "\n".join("" if line.strip() == "." else line[1:] for line in match.group(1).splitlines())
    if body is None and LICENCE_FILE.is_file():
        text = LICENCE_FILE.read_text(encoding="utf-8")
        start = text.find("-" * 20 + "\n" + LICENCE_MARKER)
        body = text[start:] if start >= 0 else None
    if body is None or LICENCE_MARKER not in body:
        raise SystemExit(f"subset_font: cannot find the SIL Open Font License text in {DEBIAN_COPYRIGHT} "
                         f"or {LICENCE_FILE}")
    files = " and ".join(path.name for path in FONT_FILES.values())
    header = (f"{FAMILY} ({files}) is a subset of {SOURCE_FAMILY} Regular and Bold\n"
              f"({version}), https://github.com/notofonts/noto-cjk, made by tools/subset_font.py of\n"
              "conv-lessons: only the characters the conv-lessons package draws are kept, and the font is\n"
              "renamed. It is distributed under the SIL Open Font License, Version 1.1, below, like the font\n"
              "it comes from.\n\n"
              f"{copyright_line}\n\n")
    return header + body.strip("\n") + "\n"


def build(sources: dict[str, Path] | None = None) -> dict[str, tuple[int, int]]:
    """Write each weight's subset to :data:`FONT_FILES` and the licence beside them; returns, per
    style, (glyphs, bytes)."""
    from fontTools import subset

    sources = {style: path for style, (_, path) in STYLES.items()} | (sources or {})
    unicodes = sorted(ord(c) for c in wanted_characters())
    written: dict[str, tuple[int, int]] = {}
    copyright_line = version = ""
    for style, out in FONT_FILES.items():
        font = _open_source(sources[style], style)
        version = str(font["name"].getDebugName(5)).split(";")[0]
        copyright_line = str(font["name"].getDebugName(0))
        options = subset.Options()
        options.layout_features = ["kern", "liga", "locl", "ccmp", "halt", "palt"]
        options.name_IDs = ["*"]
        options.name_languages = [0x409, 0]
        options.hinting = False
        options.desubroutinize = True
        options.notdef_outline = True
        options.recalc_timestamp = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        _rename(font, style, version)
        font.recalcTimestamp = False  # the source's date: the same inputs give the same bytes
        out.parent.mkdir(parents=True, exist_ok=True)
        font.save(out)
        written[style] = (len(font.getGlyphOrder()), out.stat().st_size)
    LICENCE_FILE.write_text(licence_text(copyright_line, version), encoding="utf-8")
    return written


def default_font_characters() -> set[str]:
    """The characters matplotlib's default font (DejaVu Sans, shipped with matplotlib) draws itself.

    The CJK subset is registered as a fallback *after* it, so these never reach the subset: ᵀ, ⌊ and ⌋,
    which Noto Sans CJK lacks, are drawn by DejaVu Sans.
    """
    from matplotlib import font_manager

    return covered(Path(font_manager.findfont("DejaVu Sans", fallback_to_default=False)))


def missing(font_file: Path = FONT_FILE, root: Path = ROOT) -> list[str]:
    """The characters a Chinese figure may draw that neither ``font_file`` nor the default font has, sorted."""
    return sorted(required_characters(root) - covered(font_file) - default_font_characters())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for style, (_, default) in STYLES.items():
        parser.add_argument(f"--{style.lower()}", type=Path, default=default, metavar="FONT",
                            help=f"Noto Sans CJK SC {style}, an .otf or a .ttc holding it (default: {default})")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a shipped font lacks a character it must have")
    args = parser.parse_args(argv)
    if args.check:
        lacking = {path.name: missing(path) for path in FONT_FILES.values()}
        for name, chars in lacking.items():
            if chars:
                print(f"subset_font: conv_lessons/fonts/{name} lacks {len(chars)} character(s): {''.join(chars)}\n"
                      "  run: python tools/subset_font.py", file=sys.stderr)
        if any(lacking.values()):
            return 1
        print(f"conv_lessons/fonts/: every weight covers all {len(required_characters())} characters it must have")
        return 0
    written = build({style: getattr(args, style.lower()) for style in STYLES})
    for style, (glyphs, size) in written.items():
        print(f"wrote {FONT_FILES[style].relative_to(ROOT)}: {glyphs} glyphs, {size / 1024:.0f} KB")
    print(f"{len(required_characters())} characters required, {len(wanted_characters())} wanted; "
          f"licence: {LICENCE_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
