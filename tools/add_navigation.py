"""Write every lesson's navigation from the one ordered list in ``conv_lessons/toc.py``.

``make sync`` (tools/sync_lessons.py) runs this on each notebook before it writes the pair, so the
lines below are never typed by hand; tests/test_navigation.py fails when a notebook disagrees.

- Each lesson and each solutions notebook starts and ends with the same Markdown cell, tagged
  ``navigation``: ``[Index] · ← Previous: … · Next: … →``.  A notebook with no such cell gets both.
- The index has one Markdown cell tagged ``lesson-table``: the table of lessons, with their
  summaries, their core and full minutes, and a link to each solutions notebook.

The cells are found by their tag, not by their text, so the rest of a lesson is never touched.
Paths (``rel``) are POSIX paths relative to ``lessons/`` (or ``notebooks/``) without the suffix:
``index``, ``01_cross_correlation``, ``solutions/01_cross_correlation_solutions``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NAVIGATION = "navigation"
LESSON_TABLE = "lesson-table"


def _load_toc():
    """conv_lessons/toc.py, loaded from its file: importing the package would import torch (seconds)."""
    spec = importlib.util.spec_from_file_location("conv_lessons_toc", ROOT / "conv_lessons" / "toc.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


toc = _load_toc()


#: The words of the generated cells, per edition: English (``lessons/``) and Chinese (``lessons/zh/``).
WORDS = {
    "en": {"index": "Index", "previous": "← Previous: ", "next": "Next: ", "lesson": "Lesson ",
           "solutions": " — solutions",
           "table": ["", "Lesson", "What you learn", "Minutes: core / full", "Solutions"],
           "table_solutions": "solutions"},
    "zh": {"index": "目录", "previous": "← 上一课：", "next": "下一课：", "lesson": "第 ", "lesson_after": " 课",
           "solutions": "（答案）",
           "table": ["", "课", "你将学到", "分钟：核心 / 全部", "答案"], "table_solutions": "答案"},
}
#: The folder of each edition below lessons/ and notebooks/ ("" for English).
EDITIONS = {"en": "", "zh": "zh/"}


def _lesson_name(lesson, language: str) -> str:
    return f"{lesson.number} {lesson.title_in(language)}"


def lesson_navigation(position: int, lessons=None, language: str = "en") -> str:
    """The prev/next line of the lesson at ``position`` (0-based) in the reading order."""
    lessons = toc.LESSONS if lessons is None else lessons
    words = WORDS[language]
    parts = [f"[{words['index']}]({toc.INDEX}.ipynb)"]
    if position > 0:
        before = lessons[position - 1]
        parts.append(f"{words['previous']}[{_lesson_name(before, language)}]({before.notebook})")
    if position < len(lessons) - 1:
        after = lessons[position + 1]
        parts.append(f"{words['next']}[{_lesson_name(after, language)}]({after.notebook}) →")
    return " · ".join(parts)


def solutions_navigation(position: int, lessons=None, language: str = "en") -> str:
    """The line of the solutions notebook at ``position``: index, its lesson, prev/next solutions."""
    lessons = toc.LESSONS if lessons is None else lessons
    words = WORDS[language]
    lesson = lessons[position]
    parts = [f"[{words['index']}](../{toc.INDEX}.ipynb)",
             f"[{words['lesson']}{lesson.number}{words.get('lesson_after', '')} {lesson.title_in(language)}]"
             f"(../{lesson.notebook})"]
    if position > 0:
        before = lessons[position - 1]
        parts.append(f"{words['previous']}[{_lesson_name(before, language)}{words['solutions']}]"
                     f"({before.stem}_solutions.ipynb)")
    if position < len(lessons) - 1:
        after = lessons[position + 1]
        parts.append(f"{words['next']}[{_lesson_name(after, language)}{words['solutions']}]"
                     f"({after.stem}_solutions.ipynb) →")
    return " · ".join(parts)


def lesson_table(lessons=None, language: str = "en") -> str:
    """The index's table: number, linked title, what the lesson teaches, its core and full minutes, its solutions."""
    lessons = toc.LESSONS if lessons is None else lessons
    words = WORDS[language]
    rows = ["| " + " | ".join(words["table"]) + " |", "|---|---|---|---|---|"]
    rows[0] = rows[0].replace("|  |", "| |", 1)
    for lesson in lessons:
        times = (lesson.core_minutes, lesson.full_minutes)
        if not all(isinstance(t, int) and not isinstance(t, bool) for t in times) or not 0 < times[0] <= times[1]:
            raise ValueError(f"conv_lessons/toc.py: {lesson.stem}: expected whole minutes with 0 < core_minutes <= "
                             f"full_minutes, got core_minutes={times[0]!r}, full_minutes={times[1]!r}")
        title, summary = lesson.title_in(language), lesson.summary_in(language)
        if not title or not summary:
            raise ValueError(f"conv_lessons/toc.py: {lesson.stem}: no title or summary in {language!r}")
        cells = [lesson.number, f"[{title}]({lesson.notebook})", summary + ("。" if language == "zh" else "."),
                 f"{lesson.core_minutes} / {lesson.full_minutes}",
                 f"[{lesson.number} {words['table_solutions']}]({lesson.solutions})"]
        if any("|" in cell for cell in cells):
            raise ValueError(f"conv_lessons/toc.py: {lesson.stem}: a '|' would break the index table: {cells}")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def edition_of(rel: str) -> tuple[str, str]:
    """(language, path inside its edition) of a notebook path: ``zh/01_x`` → ("zh", "01_x")."""
    for language, folder in EDITIONS.items():
        if folder and rel.startswith(folder):
            return language, rel[len(folder):]
    return "en", rel


def generated_cells(rel: str, lessons=None) -> dict[str, str] | None:
    """{tag: Markdown} that the notebook at ``rel`` must carry, or None when it is not in the list."""
    lessons = toc.LESSONS if lessons is None else lessons
    language, rel = edition_of(rel)
    if rel == toc.INDEX:
        return {LESSON_TABLE: lesson_table(lessons, language)}
    for position, lesson in enumerate(lessons):
        if rel == lesson.stem:
            return {NAVIGATION: lesson_navigation(position, lessons, language)}
        if rel == lesson.solutions.removesuffix(".ipynb"):
            return {NAVIGATION: solutions_navigation(position, lessons, language)}
    return None


def tagged(notebook: nbformat.NotebookNode, tag: str) -> list[int]:
    """Positions of the cells that carry ``tag``."""
    return [i for i, cell in enumerate(notebook.cells) if tag in cell.metadata.get("tags", [])]


def navigation_problems(notebook: nbformat.NotebookNode, rel: str, lessons=None) -> list[str]:
    """What is wrong with the generated cells of one notebook (empty when they agree with the list)."""
    expected = generated_cells(rel, lessons)
    if expected is None:
        return [f"{rel}: not in conv_lessons/toc.py (add it to LESSONS)"]
    problems = []
    last = len(notebook.cells) - 1
    for tag, text in expected.items():
        where = tagged(notebook, tag)
        wanted = [0, last] if tag == NAVIGATION else None
        if wanted is not None and where != wanted:
            problems.append(f"{rel}: cells tagged {tag!r} at {where}; expected the first and the last cell {wanted}")
        if wanted is None and len(where) != 1:
            problems.append(f"{rel}: {len(where)} cells tagged {tag!r}; expected exactly one")
        for i in where:
            cell = notebook.cells[i]
            if cell.cell_type != "markdown" or cell.source != text:
                problems.append(f"{rel}: cell {i} tagged {tag!r} says\n  {cell.source!r}\nexpected\n  {text!r}")
    return problems


def apply_navigation(notebook: nbformat.NotebookNode, rel: str, lessons=None) -> bool:
    """Write the generated cells of the notebook at ``rel`` in place; True when something changed.

    A lesson without navigation cells gets one at the top and one at the bottom; a notebook that is
    not in the list is left alone.
    """
    expected = generated_cells(rel, lessons)
    if expected is None:
        return False
    changed = False
    for tag, text in expected.items():
        where = tagged(notebook, tag)
        if not where and tag == NAVIGATION:
            notebook.cells.insert(0, nbformat.v4.new_markdown_cell(text, metadata={"tags": [tag]}))
            notebook.cells.append(nbformat.v4.new_markdown_cell(text, metadata={"tags": [tag]}))
            changed = True
        elif not where:
            raise SystemExit(f"{rel}: no Markdown cell tagged {tag!r}: add one where the table belongs")
        for i in where:
            if notebook.cells[i].source != text:
                notebook.cells[i].source = text
                changed = True
    return changed
