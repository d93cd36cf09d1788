"""Navigation comes from one place: the ordered list conv_lessons/toc.py.

The prev/next line at the top and bottom of every lesson and solutions notebook, and the index's
table of lessons, must be what tools/add_navigation.py writes from that list (`make sync` writes
them); every link in them must lead to a notebook that exists.  The same holds for the Chinese
edition (lessons/zh/, notebooks/zh/), whose lines and table are written in Chinese from the list's
``title_zh`` and ``summary_zh``, and whose index plans the same 90-minute class (``| 5–25 | 01 核心 |``).
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from conv_lessons import toc

REPO = Path(__file__).resolve().parents[1]
LESSONS_DIR, NOTEBOOKS = REPO / "lessons", REPO / "notebooks"


def _tool(name: str):
    sys.path.insert(0, str(REPO / "tools"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "tools"))


add_navigation = _tool("add_navigation")
sync_lessons = _tool("sync_lessons")
CFG = sync_lessons.config(REPO)
GENERATED_EN = [toc.INDEX] + [lesson.stem for lesson in toc.LESSONS] + \
               [lesson.solutions.removesuffix(".ipynb") for lesson in toc.LESSONS]
#: Every generated notebook of both editions: ``01_cross_correlation`` and ``zh/01_cross_correlation`` ….
GENERATED = GENERATED_EN + [add_navigation.EDITIONS["zh"] + rel for rel in GENERATED_EN]
#: The word the class plan uses for a lesson's core, per edition.
CORE = {"en": "core", "zh": "核心"}


def sources(rel: str) -> list[tuple[str, nbformat.NotebookNode]]:
    return [(f"lessons/{rel}.md", jupytext.read(LESSONS_DIR / f"{rel}.md", config=CFG)),
            (f"notebooks/{rel}.ipynb", nbformat.read(NOTEBOOKS / f"{rel}.ipynb", as_version=4))]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_list_names_every_lesson_on_disk_in_reading_order(language):
    folder = add_navigation.EDITIONS[language]
    on_disk = sorted(p.stem for p in (LESSONS_DIR / folder).glob("[0-9][0-9]_*.md"))
    assert [lesson.stem for lesson in toc.LESSONS] == on_disk, f"conv_lessons/toc.py and lessons/{folder} disagree"
    assert [lesson.number for lesson in toc.LESSONS] == [f"{i:02d}" for i in range(1, len(toc.LESSONS) + 1)]
    for lesson in toc.LESSONS:
        notebook, solutions = NOTEBOOKS / folder / lesson.notebook, NOTEBOOKS / folder / lesson.solutions
        assert notebook.is_file() and solutions.is_file(), f"{folder}{lesson.stem}"
        title = next(c.source for c in nbformat.read(notebook, as_version=4).cells
                     if c.cell_type == "markdown" and c.source.startswith("# "))
        assert title == f"# {lesson.number} {lesson.title_in(language)}", "the list's title is the lesson's heading"


@pytest.mark.parametrize("rel", GENERATED)
def test_navigation_and_table_agree_with_the_list(rel):
    for name, notebook in sources(rel):
        problems = add_navigation.navigation_problems(notebook, rel)
        assert not problems, f"{name} (run `make sync`):\n" + "\n".join(problems)


@pytest.mark.parametrize("rel", GENERATED)
def test_every_navigation_link_leads_to_a_notebook(rel):
    notebook = nbformat.read(NOTEBOOKS / f"{rel}.ipynb", as_version=4)
    edition = NOTEBOOKS / add_navigation.EDITIONS[add_navigation.edition_of(rel)[0]]
    links = 0
    for tag in (add_navigation.NAVIGATION, add_navigation.LESSON_TABLE):
        for position in add_navigation.tagged(notebook, tag):
            for target in re.findall(r"\]\(([^)#]+)\)", notebook.cells[position].source):
                path = (NOTEBOOKS / rel).parent.joinpath(target).resolve()
                assert path.is_file(), f"{rel}: broken link {target}"
                assert path.is_relative_to(edition.resolve()), f"{rel}: {target} leaves its edition"
                if add_navigation.edition_of(rel)[0] == "en":
                    assert not path.is_relative_to((NOTEBOOKS / "zh").resolve()), f"{rel}: {target} is Chinese"
                links += 1
    assert links >= 2, f"{rel}: no navigation links"


def test_the_chinese_lines_and_table_are_in_chinese():
    first, second = toc.LESSONS[0], toc.LESSONS[1]
    line = add_navigation.lesson_navigation(0, language="zh")
    assert line == f"[目录](index.ipynb) · 下一课：[02 {second.title_zh}]({second.notebook}) →"
    assert f"← 上一课：[01 {first.title_zh}]" in add_navigation.lesson_navigation(1, language="zh")
    solutions = add_navigation.solutions_navigation(0, language="zh")
    assert solutions.startswith(f"[目录](../index.ipynb) · [第 01 课 {first.title_zh}](../{first.notebook})")
    table = add_navigation.lesson_table(language="zh")
    assert table.splitlines()[0] == "| | 课 | 你将学到 | 分钟：核心 / 全部 | 答案 |"
    assert f"| 01 | [{first.title_zh}]({first.notebook}) | {first.summary_zh}。 |" in table
    assert add_navigation.edition_of("zh/solutions/01_x") == ("zh", "solutions/01_x")
    assert add_navigation.generated_cells("zh/01_cross_correlation") == {
        add_navigation.NAVIGATION: add_navigation.lesson_navigation(0, language="zh")}


def test_prev_and_next_follow_the_reading_order():
    lines = {lesson.stem: add_navigation.lesson_navigation(i) for i, lesson in enumerate(toc.LESSONS)}
    first, second, last = toc.LESSONS[0], toc.LESSONS[1], toc.LESSONS[-1]
    assert "Previous" not in lines[first.stem] and f"Next: [{second.number} {second.title}]({second.notebook})" \
        in lines[first.stem]
    assert f"← Previous: [{first.number} {first.title}]({first.notebook})" in lines[second.stem]
    assert "Next" not in lines[last.stem]
    table = add_navigation.lesson_table()
    assert [m for m in re.findall(r"^\| (\d\d) \|", table, re.M)] == [lesson.number for lesson in toc.LESSONS]


# ----------------------------------------------------------------- the check can fail


def test_a_hand_edited_navigation_line_is_caught(tmp_path):
    md = tmp_path / "02_edge_detection.md"
    shutil.copy(LESSONS_DIR / "02_edge_detection.md", md)
    md.write_text(md.read_text(encoding="utf-8").replace("Next: [03 Learning a kernel]", "Next: [03 Learning]", 1),
                  encoding="utf-8")
    problems = add_navigation.navigation_problems(jupytext.read(md, config=CFG), "02_edge_detection")
    assert len(problems) == 1 and "[03 Learning]" in problems[0] and "cell 0" in problems[0]
    zh = tmp_path / "zh.md"  # the Chinese twin, typed in English by mistake
    zh.write_text((LESSONS_DIR / "zh" / "02_edge_detection.md").read_text(encoding="utf-8").replace(
        "下一课：[03 ", "Next: [03 ", 1), encoding="utf-8")
    problems = add_navigation.navigation_problems(jupytext.read(zh, config=CFG), "zh/02_edge_detection")
    assert len(problems) == 1 and "Next: [03" in problems[0] and "下一课：[03" in problems[0]
    assert add_navigation.navigation_problems(jupytext.read(md, config=CFG), "zh/02_edge_detection")


def test_a_changed_list_disagrees_with_every_notebook_until_synced(tmp_path):
    renamed = tuple(dataclasses.replace(lesson, title="Edges") if lesson.stem == "02_edge_detection" else lesson
                    for lesson in toc.LESSONS)
    for rel in ("01_cross_correlation", "03_learning_a_kernel", toc.INDEX,
                "solutions/01_cross_correlation_solutions"):
        notebook = nbformat.read(NOTEBOOKS / f"{rel}.ipynb", as_version=4)
        assert add_navigation.navigation_problems(notebook, rel, renamed), f"{rel} should name 02 'Edges' now"
        assert add_navigation.apply_navigation(notebook, rel, renamed)
        assert add_navigation.navigation_problems(notebook, rel, renamed) == []
        assert not add_navigation.apply_navigation(notebook, rel, renamed), "applying twice changes nothing"
    unlisted = nbformat.read(NOTEBOOKS / "01_cross_correlation.ipynb", as_version=4)
    assert add_navigation.navigation_problems(unlisted, "07_new_lesson") == [
        "07_new_lesson: not in conv_lessons/toc.py (add it to LESSONS)"]


def test_a_lesson_without_navigation_gets_it_at_top_and_bottom():
    notebook = nbformat.read(NOTEBOOKS / "04_feature_maps_and_receptive_fields.ipynb", as_version=4)
    body = [c for c in notebook.cells if add_navigation.NAVIGATION not in c.metadata.get("tags", [])]
    notebook.cells = list(body)
    rel = "04_feature_maps_and_receptive_fields"
    assert add_navigation.navigation_problems(notebook, rel)
    assert add_navigation.apply_navigation(notebook, rel)
    assert add_navigation.navigation_problems(notebook, rel) == []
    assert notebook.cells[1:-1] == body


# ----------------------------------------------------------------- times and the 90-minute class plan

PLAN_ROW = re.compile(r"^\| (\d+)–(\d+) \| ([^|]+?) \|", re.M)


def class_plan_problems(index_source: str, lessons=None, minutes: int = toc.CLASS_MINUTES,
                        language: str = "en") -> list[str]:
    """What is wrong with the index's class plan: its rows must run from 0 to ``minutes`` without gaps,
    cover the cores of the first lessons in order, and give each lesson its core time from the list.
    A row names a core as ``01 core`` in English, ``01 核心`` in Chinese."""
    lessons = toc.LESSONS if lessons is None else lessons
    rows = PLAN_ROW.findall(index_source)
    if not rows:
        return [f"no class plan: expected rows like '| 5–25 | 01 {CORE[language]} | … |'"]
    problems, clock, planned = [], 0, []
    for start, stop, what in rows:
        start, stop = int(start), int(stop)
        if start != clock:
            problems.append(f"row '{start}–{stop} {what}' starts at minute {start}, expected {clock}")
        clock = stop
        match = re.fullmatch(rf"(\d\d) {CORE[language]}", what.strip())
        if match:
            planned.append(match.group(1))
            lesson = next((item for item in lessons if item.number == match.group(1)), None)
            if lesson is None:
                problems.append(f"row '{what}': no lesson {match.group(1)} in conv_lessons/toc.py")
            elif stop - start != lesson.core_minutes:
                problems.append(f"row '{start}–{stop} {what}' gives {stop - start} minutes; conv_lessons/toc.py "
                                f"says the core of {lesson.stem} takes {lesson.core_minutes}")
    if clock != minutes:
        problems.append(f"the plan ends at minute {clock}, expected {minutes}")
    if planned != [lesson.number for lesson in lessons[:len(planned)]]:
        problems.append(f"the plan covers the cores of {planned}: expected the first lessons, in order")
    return problems


def index_source(language: str = "en") -> str:
    path = NOTEBOOKS / add_navigation.EDITIONS[language] / f"{toc.INDEX}.ipynb"
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_table_gives_every_lesson_its_core_and_full_minutes(language):
    table = add_navigation.lesson_table(language=language)
    for lesson in toc.LESSONS:
        assert 0 < lesson.core_minutes <= lesson.full_minutes, lesson.stem
        row = next(line for line in table.splitlines() if line.startswith(f"| {lesson.number} |"))
        assert f"| {lesson.core_minutes} / {lesson.full_minutes} |" in row, row
    assert "| 04 |" in table and "| 04 |" in index_source(language)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_90_minute_plan_covers_the_cores_of_01_to_04_with_the_listed_times(language):
    source = index_source(language)
    assert class_plan_problems(source, language=language) == []
    assert re.findall(rf"^\| \d+–\d+ \| (\d\d) {CORE[language]} \|", source, re.M) == ["01", "02", "03", "04"]
    assert sum(lesson.core_minutes for lesson in toc.LESSONS[:4]) <= toc.CLASS_MINUTES


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_plan_that_disagrees_with_the_core_times_is_caught(language):
    source, core = index_source(language), CORE[language]
    longer = tuple(dataclasses.replace(lesson, core_minutes=lesson.core_minutes + 5) if lesson.number == "02"
                   else lesson for lesson in toc.LESSONS)
    problems = class_plan_problems(source, longer, language=language)
    assert len(problems) == 1 and "02_edge_detection takes 25" in problems[0], problems
    gap = source.replace(f"| 25–45 | 02 {core} |", f"| 30–45 | 02 {core} |")
    assert gap != source
    assert any("starts at minute 30, expected 25" in p for p in class_plan_problems(gap, language=language))
    assert any("ends at minute 90, expected 85" in p
               for p in class_plan_problems(source, minutes=85, language=language))


def test_bad_minutes_in_the_list_are_refused_by_name():
    swapped = tuple(dataclasses.replace(lesson, core_minutes=90) if lesson.number == "05" else lesson
                    for lesson in toc.LESSONS)
    with pytest.raises(ValueError, match="05_convolution_as_matrix_multiplication: expected whole minutes"):
        add_navigation.lesson_table(swapped)
