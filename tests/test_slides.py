"""The lessons' slides: a teacher presents the core of lessons 01-04 from the lessons themselves.

Every cell of a lesson may carry ``slideshow.slide_type`` metadata (in its MyST source,
``lessons/…/*.md``; ``make sync`` copies it into the notebook), read by the slideshow
presenter installed with the project (jupyterlab-slideshow: the notebook toolbar's deck button)
and by RISE and ``nbconvert --to slides`` alike:

- ``slide`` starts a new slide; a cell without a type (``-``) continues the current one;
- ``fragment`` continues it, appearing on the next key press;
- ``notes`` is a speaker note (hidden on the slide); ``skip`` is not shown at all.

What these tests hold every lesson with slides to, in both editions (lessons/ and lessons/zh/):

- **a title slide**: the first cell shown (after the skipped navigation line) starts a slide and is
  the lesson's ``# NN Title`` heading;
- **one screen per slide** (below): no slide is taller than a 1280×720 projector shows;
- **every explorer is on a slide, alone** (with its speaker notes): never skipped, never in the notes,
  and with the screen to itself, so the presenter size (``conv_lessons.set_display_scale``) has room;
- **speaker notes** on every explorer's slide (what to ask before moving a slider) and on the title
  slide (the minutes of the 90-minute class plan in the index);
- **the deck is the core**: every core section (``## …`` heading) starts a slide, the ``## Going
  deeper`` heading is the last slide, and every cell after it (going deeper, exercises, navigation) is
  skipped;
- **one deck in two languages**: the English and Chinese lessons have the same slide types cell by
  cell, and the notebooks carry the same slide types as their MyST sources.

A screen's worth
----------------
The slides are shown by JupyterLab itself, on a 1280×720 projector, with 17 px text and 16 px code
(the sizes of JupyterLab's Presentation Mode, which a class can read; in the slideshow they are set
with the Command Palette's *Content Font Size* and *Code Font Size*). The slideshow hides
JupyterLab's menus; its margins leave about ``SLIDE_HEIGHT`` = 620 px of the 720 for the cells. A
slide's height is estimated from the cells' text and the notebook's stored outputs with the heights
below, measured in Chromium at 1280×720 at those font sizes (tests/test_browser_slides.py presents
lesson 01 that way and checks that every slide is inside the window):

- a Markdown line of text is 27 px, and a line holds 110 characters (a Chinese character counts as
  two); a ``#`` heading 62 px, ``##`` 46 px, ``###`` 36 px; 17 px between paragraphs; a table row 34 px;
- a line of code is 22 px, a line of printed output 21 px (both wrapped at 110 characters); each
  cell adds 11 px of padding, each output area 12 px;
- a figure is as tall as its stored PNG (scaled to the 1110 px of the slide's width when wider);
- an explorer is counted as ``EXPLORER_HEIGHT`` = 540 px, the tallest measured at 1280 px
  (kernel_explorer, 537 px): its picture is drawn when the cell runs, so the notebook does not store it.

A slide also holds at most ``MAX_CELLS`` = 6 shown cells: a teacher who steps through a slide cell by
cell (the presenter reveals the cells of a slide one by one) needs no more key presses than that.

``CONV_LESSONS_SLIDES_ROOT=DIR`` checks the lessons/ and notebooks/ folders of another checkout
(used to show that a broken deck fails these tests).
"""

from __future__ import annotations

import base64
import math
import os
import re
import struct
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import jupytext
import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
ROOT = Path(os.environ.get("CONV_LESSONS_SLIDES_ROOT") or REPO).resolve()
EDITIONS = {"en": "", "zh": "zh/"}
WITH_SLIDES = ["01_cross_correlation", "02_edge_detection", "03_learning_a_kernel",
               "04_feature_maps_and_receptive_fields"]  # the 90-minute class: index, "A 90-minute class"
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}

# A screen's worth (see the module docstring): pixels at 1280×720, 17 px text, 16 px code.
SLIDE_HEIGHT = 620
MAX_CELLS = 6
SLIDE_WIDTH = 1110
TEXT_LINE, CHARS_PER_LINE, PARAGRAPH_GAP, TABLE_ROW = 27, 110, 17, 34
HEADING = {1: 62, 2: 46, 3: 36, 4: 30}
CODE_LINE, OUTPUT_LINE, CELL_PADDING, OUTPUT_PADDING = 22, 21, 11, 12
EXPLORER_HEIGHT = 540
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

EXPLORER_CALL = re.compile(r"^(?:\w+\.)*\w*explorer\(.*\)\s*;?$")


@dataclass
class Slide:
    """The cells one slide shows (by index in the notebook) and its speaker notes."""

    first: int
    shown: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)
    height: int = 0


def slide_type(cell) -> str:
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def is_explorer(cell) -> bool:
    """A code cell whose last statement shows an explorer, such as ``kernel_explorer()``."""
    if cell.cell_type != "code":
        return False
    lines = [line.strip() for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")]
    return bool(lines) and bool(EXPLORER_CALL.match(lines[-1]))


def heading_level(cell) -> int:
    """1 for a Markdown cell that starts with ``# …``, 2 for ``## …``, …; 0 otherwise."""
    if cell.cell_type != "markdown":
        return 0
    match = re.match(r"(#+) ", cell.source.lstrip())
    return len(match.group(1)) if match else 0


# ------------------------------------------------------------------------------------ heights

def text_width(text: str) -> int:
    """Characters of rendered text, a wide (Chinese) character counting as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def rendered(text: str) -> str:
    """What Markdown shows of a line: links by their text, without emphasis marks and backticks."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"[*_`]", "", text).strip()


def markdown_height(source: str) -> int:
    """Estimated height of a rendered Markdown cell (see the module docstring)."""
    blocks = [block for block in re.split(r"\n\s*\n", source.strip()) if block.strip()]
    height = CELL_PADDING + PARAGRAPH_GAP * max(len(blocks) - 1, 0)
    for block in blocks:
        lines = block.splitlines()
        if lines[0].startswith("#"):
            height += HEADING[min(len(lines[0]) - len(lines[0].lstrip("#")), 4)]
            lines = lines[1:]
        if lines and all(line.lstrip().startswith("|") for line in lines):
            height += TABLE_ROW * sum(not re.fullmatch(r"\s*\|[\s|:-]+\|\s*", line) for line in lines)
            continue
        items, current = [], []
        for line in lines:  # list items start new visual lines; other lines are wrapped together
            if re.match(r"\s*([-*+]|\d+\.) ", line) and current:
                items.append(current)
                current = []
            current.append(line.strip())
        if current:
            items.append(current)
        for item in items:
            height += TEXT_LINE * max(1, math.ceil(text_width(rendered(" ".join(item))) / CHARS_PER_LINE))
    return height


def png_height(data: str) -> int:
    raw = base64.b64decode(data)
    width, height = struct.unpack(">II", raw[16:24])
    return round(height * min(1.0, SLIDE_WIDTH / width))


def wrapped_lines(text: str) -> int:
    """Lines that text takes on a slide, long lines wrapped at the slide's width."""
    return sum(max(1, math.ceil(text_width(line) / CHARS_PER_LINE)) for line in text.rstrip("\n").splitlines())


def output_height(output) -> int:
    if output.get("output_type") == "stream":
        return OUTPUT_PADDING + OUTPUT_LINE * wrapped_lines(output.get("text", ""))
    data = output.get("data", {})
    if WIDGET_MIME in data:
        return EXPLORER_HEIGHT
    if "image/png" in data:
        return OUTPUT_PADDING + png_height(data["image/png"])
    if "text/plain" in data:
        return OUTPUT_PADDING + OUTPUT_LINE * wrapped_lines(str(data["text/plain"]))
    return 0


def cell_height(cell, outputs: list) -> int:
    """Estimated height of a cell on a slide: its text, and for code its stored outputs."""
    if cell.cell_type == "markdown":
        return markdown_height(cell.source)
    height = CELL_PADDING + CODE_LINE * max(1, wrapped_lines(cell.source))
    shown = sum(output_height(output) for output in outputs)
    if is_explorer(cell):
        shown = max(shown, EXPLORER_HEIGHT)  # a notebook saved without its widget output still shows it
    return height + shown


# ------------------------------------------------------------------------------------ decks

def slides_of(cells: list, outputs: list[list]) -> tuple[list[Slide], list[str]]:
    """Group the cells into slides, as the presenter does; the problems found on the way."""
    slides: list[Slide] = []
    problems: list[str] = []
    for index, cell in enumerate(cells):
        kind = slide_type(cell)
        if kind not in SLIDE_TYPES:
            problems.append(f"cell {index + 1}: unknown slide_type {kind!r} (one of {sorted(SLIDE_TYPES)})")
            continue
        if kind == "skip":
            continue
        if kind in ("slide", "subslide") or not slides:
            slides.append(Slide(first=index))
        if kind == "notes":
            slides[-1].notes.append(index)
        else:
            slides[-1].shown.append(index)
            slides[-1].height += cell_height(cell, outputs[index])
    return slides, problems


def first_line(cell) -> str:
    return cell.source.strip().splitlines()[0][:60] if cell.source.strip() else "(empty)"


def deck_problems(cells: list, outputs: list[list]) -> list[str]:
    """Everything that keeps this lesson's cells from being a good deck (empty list: none)."""
    slides, problems = slides_of(cells, outputs)
    where = {i: slide for slide in slides for i in slide.shown + slide.notes}
    shown = [i for i, cell in enumerate(cells) if slide_type(cell) not in ("skip", "notes")]
    if not shown:
        return problems + ["no cell is shown: every cell is skipped or a note"]
    title = cells[shown[0]]
    if slide_type(title) != "slide" or not re.match(r"# \d\d \S", title.source.strip()):
        problems.append(f"no title slide: the first cell shown, cell {shown[0] + 1} ({first_line(title)!r}), "
                        "must start a slide (slide_type 'slide') and be the lesson's '# NN Title' heading")
    for number, slide in enumerate(slides, 1):
        head = f"slide {number} (cell {slide.first + 1}, {first_line(cells[slide.first])!r})"
        if slide.height > SLIDE_HEIGHT:
            problems.append(f"{head} is {slide.height} px tall, more than the {SLIDE_HEIGHT} px a 1280×720 screen "
                            "shows: start a new slide at one of its cells (slide_type 'slide')")
        if len(slide.shown) > MAX_CELLS:
            problems.append(f"{head} shows {len(slide.shown)} cells, more than {MAX_CELLS}: split it")
    explorers = [i for i, cell in enumerate(cells) if is_explorer(cell)]
    if not explorers:
        problems.append("the lesson has no explorer cell")
    for i in explorers:
        kind = slide_type(cells[i])
        if kind in ("skip", "notes"):
            problems.append(f"the explorer in cell {i + 1} ({first_line(cells[i])!r}) is {kind!r}: it must be on a "
                            "slide")
            continue
        slide = where[i]
        if slide.shown != [i]:
            others = ", ".join(str(j + 1) for j in slide.shown if j != i)
            problems.append(f"the explorer in cell {i + 1} shares its slide with cell(s) {others}: give it a slide "
                            "of its own (slide_type 'slide' on the explorer and on the cell after it)")
        if not slide.notes:
            problems.append(f"the explorer's slide (cell {i + 1}) has no speaker notes: add a Markdown cell with "
                            "slide_type 'notes' saying what to ask before moving a slider")
    if slides and not slides[0].notes:
        problems.append("the title slide has no speaker notes (the minutes of the 90-minute class plan)")
    for i in (j for slide in slides for j in slide.notes):
        if cells[i].cell_type != "markdown" or not cells[i].source.strip():
            problems.append(f"cell {i + 1} is a note (slide_type 'notes') but not a Markdown cell with text")
    deeper = [i for i, cell in enumerate(cells) if heading_level(cell) == 2
              and re.match(r"## (Going deeper|深入)\s*$", cell.source.strip().splitlines()[0])]
    if len(deeper) != 1:
        problems.append(f"expected one '## Going deeper' ('## 深入') heading, found {len(deeper)}")
        return problems
    end = deeper[0]
    if slide_type(cells[end]) != "slide":
        problems.append(f"the '## Going deeper' heading (cell {end + 1}) must start the last slide")
    for i, cell in enumerate(cells):
        if i < end and heading_level(cell) == 2 and slide_type(cell) != "slide":
            problems.append(f"cell {i + 1} ({first_line(cell)!r}) starts a core section but not a slide")
        if i > end and slide_type(cell) not in ("skip", "notes"):
            problems.append(f"cell {i + 1} ({first_line(cell)!r}) is after '## Going deeper' but not skipped: the "
                            "deck is the lesson's core")
    for i, cell in enumerate(cells):
        if "navigation" in cell.metadata.get("tags", []) and slide_type(cell) != "skip":
            problems.append(f"the navigation line (cell {i + 1}) is shown: give it slide_type 'skip'")
    return problems


def lesson(edition: str, rel: str) -> tuple[list, list[list], list]:
    """The lesson's cells (from its MyST source), the outputs of its executed notebook cell by cell,
    and the notebook's cells."""
    text = jupytext.read(ROOT / "lessons" / f"{EDITIONS[edition]}{rel}.md")
    notebook = nbformat.read(ROOT / "notebooks" / f"{EDITIONS[edition]}{rel}.ipynb", as_version=4)
    outputs = [cell.get("outputs", []) for cell in notebook.cells]
    if len(outputs) != len(text.cells):
        outputs = [[] for _ in text.cells]  # tests/test_pairing.py reports the drift
    return text.cells, outputs, notebook.cells


CASES = [(edition, rel) for rel in WITH_SLIDES for edition in EDITIONS]


@pytest.mark.parametrize(("edition", "rel"), CASES, ids=[f"{e}-{r[:2]}" for e, r in CASES])
def test_lesson_is_a_deck_of_screen_sized_slides(edition: str, rel: str) -> None:
    """Title slide, one screen per slide, each explorer alone on a slide with notes, core only."""
    cells, outputs, _ = lesson(edition, rel)
    problems = deck_problems(cells, outputs)
    assert not problems, f"lessons/{EDITIONS[edition]}{rel}.md:\n" + "\n".join(f"- {p}" for p in problems)


@pytest.mark.parametrize("rel", WITH_SLIDES, ids=[r[:2] for r in WITH_SLIDES])
def test_english_and_chinese_decks_have_the_same_slides(rel: str) -> None:
    en, _, _ = lesson("en", rel)
    zh, _, _ = lesson("zh", rel)
    assert [(c.cell_type, slide_type(c)) for c in en] == [(c.cell_type, slide_type(c)) for c in zh], (
        f"{rel}: the English and Chinese lessons differ in their cells' kinds or slide types "
        "(make every structural change in both editions, at the same place)")


@pytest.mark.parametrize(("edition", "rel"), CASES, ids=[f"{e}-{r[:2]}" for e, r in CASES])
def test_notebook_carries_the_slide_types_of_its_source(edition: str, rel: str) -> None:
    """The notebook is what JupyterLab presents: it must have the MyST source's slide types."""
    cells, _, notebook_cells = lesson(edition, rel)
    assert [slide_type(c) for c in notebook_cells] == [slide_type(c) for c in cells], (
        f"notebooks/{EDITIONS[edition]}{rel}.ipynb has other slide types than its MyST source: run `make sync`")


def test_the_class_plan_lessons_have_slides_and_no_other_lesson_is_half_done() -> None:
    """Lessons 01-04 (the 90-minute class) have decks; a lesson with any slide metadata is checked too."""
    for prefix in EDITIONS.values():
        for path in sorted((ROOT / "lessons" / prefix).glob("[0-9][0-9]_*.md")):
            cells = jupytext.read(path).cells
            has = any("slideshow" in cell.metadata for cell in cells)
            if path.stem in WITH_SLIDES:
                assert has, f"{path.relative_to(ROOT)}: no slide metadata, but it is part of the 90-minute class"
            elif has:
                problems = deck_problems(cells, [[] for _ in cells])
                assert not problems, f"{path.relative_to(ROOT)}:\n" + "\n".join(problems)


# ------------------------------------------------------------------------------------ the checks themselves

def _deck() -> tuple[list, list[list]]:
    cells, outputs, _ = lesson("en", WITH_SLIDES[0])
    return [nbformat.from_dict(dict(cell)) for cell in cells], outputs


def _set(cell, kind: str) -> None:
    cell.metadata["slideshow"] = {"slide_type": kind}


def test_the_checks_find_a_broken_deck() -> None:
    """Each rule fails on a lesson broken in the way it guards against."""
    cells, outputs = _deck()
    assert deck_problems(cells, outputs) == []
    explorer = next(i for i, cell in enumerate(cells) if is_explorer(cell))
    title = next(i for i, cell in enumerate(cells) if heading_level(cell) == 1)

    def broken(change) -> str:
        copy, outs = _deck()
        change(copy, outs)
        return "\n".join(deck_problems(copy, outs))

    assert "no title slide" in broken(lambda c, o: _set(c[title], "-") or _set(c[title + 1], "slide"))
    assert "no title slide" in broken(lambda c, o: _set(c[title], "skip"))
    merged = broken(lambda c, o: [_set(cell, "-") for cell in c[title + 1:explorer - 1]
                                  if slide_type(cell) == "slide"])
    assert "px tall" in merged and "starts a core section but not a slide" in merged
    assert "must be on a slide" in broken(lambda c, o: _set(c[explorer], "skip"))
    assert "must be on a slide" in broken(lambda c, o: _set(c[explorer], "notes"))
    assert "shares its slide" in broken(lambda c, o: _set(c[explorer], "-"))
    assert "has no speaker notes" in broken(lambda c, o: _set(c[explorer + 1], "skip"))
    assert "not skipped" in broken(lambda c, o: _set(c[-3], "-"))
    assert "navigation line" in broken(lambda c, o: _set(c[0], "-"))
    assert "unknown slide_type" in broken(lambda c, o: _set(c[5], "slides"))


def test_a_figure_or_long_text_makes_a_slide_too_tall() -> None:
    """The height estimate grows with the text and the stored picture."""
    cell = nbformat.v4.new_markdown_cell("## A heading\n\n" + "word " * 600)
    assert markdown_height(cell.source) > SLIDE_HEIGHT
    chinese = nbformat.v4.new_markdown_cell("卷积" * 600)
    assert markdown_height(chinese.source) > markdown_height("ab" * 600)
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + struct.pack(">II", 800, 700)).decode()
    code = nbformat.v4.new_code_cell("figure()")
    assert cell_height(code, [{"output_type": "display_data", "data": {"image/png": png}}]) > SLIDE_HEIGHT
