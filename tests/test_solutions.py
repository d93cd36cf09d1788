"""The exercises and their worked solutions: every self-check a lesson asks the learner to run is
answered, with the same set-up, in notebooks/solutions/, where it passes; the committed lessons
leave the answers blank and show the friendly fill-in line, never a traceback.

These tests read the committed (executed) notebooks; nbval re-runs them and compares the outputs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from conv_lessons.checks import CHECKS

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
SOLUTIONS = NOTEBOOKS / "solutions"
LESSONS = sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
EXERCISE = re.compile(r"^\*\*Exercise (\d+)(?: \(harder\))?\.\*\*")
VERDICT = re.compile(r"^([✓✗✎]) ")
CHECK_NAMES = {function.__name__ for function in CHECKS.values()}


def solution_path(lesson: Path) -> Path:
    return SOLUTIONS / lesson.name.replace(".ipynb", "_solutions.ipynb")


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def text_of(cell) -> str:
    """Everything a code cell printed or displayed as text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "text/plain" in output.get("data", {}):
            parts.append(output.data["text/plain"])
    return "".join(parts)


def check_calls(source: str) -> list[tuple[str, int, tuple]]:
    """The self-checks a cell calls: (name, number of positional arguments, keyword arguments as source)."""
    calls = []
    python = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    for node in ast.walk(ast.parse(python)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CHECK_NAMES:
            keywords = tuple(sorted((k.arg, ast.unparse(k.value)) for k in node.keywords))
            calls.append((node.func.id, len(node.args), keywords))
    return calls


def exercises(notebook: nbformat.NotebookNode) -> dict[int, list[tuple[str, int, tuple]]]:
    """Exercise number → the checks called in the code cells that follow its Markdown cell."""
    found: dict[int, list] = {}
    current = None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = EXERCISE.match(cell.source)
            if match:
                current = int(match.group(1))
                found.setdefault(current, [])
            elif cell.source.startswith("#"):
                current = None  # a heading ends the exercises
        elif current is not None:
            found[current] += check_calls(cell.source)
    return found


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_has_a_solutions_notebook_answering_every_exercise(lesson):
    asked = exercises(read(lesson))
    assert asked, f"{lesson.name}: no '**Exercise N.**' cells"
    assert sorted(asked) == list(range(1, len(asked) + 1)), f"{lesson.name}: exercises are not numbered 1, 2, …"
    path = solution_path(lesson)
    assert path.is_file(), f"no worked solutions for {lesson.name}: expected {path.relative_to(REPO)}"
    answered = exercises(read(path))
    assert sorted(answered) == sorted(asked), f"{path.name} answers exercises {sorted(answered)}, not {sorted(asked)}"
    for number, calls in asked.items():
        for call in calls:
            assert call in answered[number], (f"{lesson.name}, exercise {number} asks for {call[0]}{call[2]}; "
                                              f"{path.name} does not call it with the same set-up")


@pytest.mark.parametrize("lesson", [p for p in LESSONS if p.name[:2] in {"01", "02", "03", "04"}], ids=lambda p: p.stem)
def test_the_chapters_lessons_have_self_checks(lesson):
    asked = exercises(read(lesson))
    checked = [number for number, calls in asked.items() if calls]
    assert len(checked) >= 4, f"{lesson.name}: only exercises {checked} have a self-check"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_committed_exercise_cells_are_blank_and_say_fill_in(lesson):
    notebook = read(lesson)
    cells = [c for c in notebook.cells if c.cell_type == "code" and check_calls(c.source)]
    for cell in cells:
        assert not any(o.output_type == "error" for o in cell.get("outputs", [])), cell.source
        assert "..." in cell.source, f"{lesson.name}: an exercise cell is committed with an answer:\n{cell.source}"
        assert "# " in cell.source, f"{lesson.name}: an exercise cell without a comment saying what to type"
        verdicts = [line for line in text_of(cell).splitlines() if VERDICT.match(line)]
        assert len(verdicts) == len(check_calls(cell.source)), (cell.source, text_of(cell))
        assert all(line.startswith("✎ ") and "fill in your answer" in line for line in verdicts), verdicts


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_every_check_in_the_solutions_passes(lesson):
    notebook = read(solution_path(lesson))
    calls = verdicts = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        assert not any(o.output_type == "error" for o in cell.get("outputs", [])), cell.source
        calls += len(check_calls(cell.source))
        for line in text_of(cell).splitlines():
            if VERDICT.match(line):
                verdicts += 1
                assert line.startswith("✓ "), f"{notebook_name(lesson)}: {line}"
    assert calls and verdicts == calls, f"{notebook_name(lesson)}: {calls} checks called, {verdicts} verdicts stored"


def notebook_name(lesson: Path) -> str:
    return solution_path(lesson).relative_to(NOTEBOOKS).as_posix()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_solutions_follow_the_notebook_conventions(lesson):
    notebook = read(solution_path(lesson))
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    first, last = notebook.cells[0], notebook.cells[-1]
    assert first.cell_type == last.cell_type == "markdown" and first.source == last.source
    assert "[Index](../index.ipynb)" in first.source and f"(../{lesson.name})" in first.source
    for target in re.findall(r"\]\(([^)#]+)", first.source):
        assert (solution_path(lesson).parent / target).is_file(), f"{notebook_name(lesson)}: broken link {target}"
    lesson_title = next(c.source for c in read(lesson).cells if c.cell_type == "markdown" and c.source.startswith("# "))
    assert notebook.cells[1].source == f"{lesson_title} — solutions"
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert "torch.manual_seed(0)" in code[0].source


def test_the_index_links_every_solutions_notebook():
    index = "\n".join(c.source for c in read(NOTEBOOKS / "index.ipynb").cells)
    for lesson in LESSONS:
        assert f"](solutions/{solution_path(lesson).name})" in index, solution_path(lesson).name
