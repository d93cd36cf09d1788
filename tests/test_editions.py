"""The two editions stay in step (issue 12): every Chinese lesson is its English twin in Chinese, with the
same code and the same printed numbers.

1. **The same lessons.**  Every English lesson, solutions notebook and index (``lessons/…md`` and
   ``notebooks/…ipynb``) has a Chinese twin under the same name in ``zh/``, and the other way round.
2. **The same cells.**  Twin notebooks have the same number of cells, in the same order, each of the same
   kind with the same metadata (tags such as ``navigation``, ``nbval-ignore-output``), Markdown included.
   Code cells are equal once comments and string literals are removed (compared as Python syntax trees,
   IPython magics allowed; an f-string keeps its placeholders and their formats), and the first code cell
   of each calls ``set_language`` with its edition's language: ``"en"`` or ``"zh"``.
3. **The same numbers.**  The numbers each code cell printed (stdout and stderr streams, the ``text/plain``
   of its results and displays) are the same sequence in both editions, so translated text around them
   is free but a changed value, rounding or order is not.  Not compared: execution counts, pictures,
   and the cells tagged ``nbval-ignore-output`` (the explorers, whose widget ids change on every run).
4. **The same words.**  The string catalogues have the same keys in both languages:
   ``tests/test_i18n.py::test_every_key_exists_in_every_language`` (not repeated here).

Each check also runs on a deliberately broken copy, in a temporary folder, and must find the breakage.
"""

from __future__ import annotations

import ast
import copy
import re
import shutil
from functools import cache
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

REPO = Path(__file__).resolve().parents[1]
ZH = "zh"
#: The folders that hold both editions, and the suffix of their files.
SIDES = {"lessons": ".md", "notebooks": ".ipynb"}
IGNORED_OUTPUT = "nbval-ignore-output"
#: A number as a learner reads it: not a digit of a name (conv2d, x1), with its sign and decimals.
#: A number in printed text: not part of a name (x1, conv2d), but a plural "1s" ("a line of 1s") counts.
NUMBER = re.compile(r"(?<![A-Za-z_\d.])[-−]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![A-Za-rt-z_\d]|s\w)")


# ------------------------------------------------------------------------------------ the checks


def edition_files(root: Path, side: str, language: str) -> set[str]:
    """The lessons of one edition on one side, as paths relative to the edition's folder."""
    folder = root / side / (ZH if language == "zh" else "")
    suffix = SIDES[side]
    found = set()
    for path in folder.rglob(f"*{suffix}"):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or (language == "en" and rel.parts[0] == ZH):
            continue
        found.add(rel.as_posix())
    return found


def lesson_set_problems(root: Path) -> list[str]:
    """Lessons one edition has and the other lacks (empty when the sets agree)."""
    problems = []
    for side, suffix in SIDES.items():
        english, chinese = edition_files(root, side, "en"), edition_files(root, side, "zh")
        problems += [f"{side}/{rel} has no Chinese twin {side}/{ZH}/{rel}" for rel in sorted(english - chinese)]
        problems += [f"{side}/{ZH}/{rel} has no English twin {side}/{rel}" for rel in sorted(chinese - english)]
        if not english:
            problems.append(f"no English lessons ({suffix}) in {side}/")
    return problems


class _WithoutStrings(ast.NodeTransformer):
    """Every string literal becomes "" (an f-string keeps its placeholders and their format specs)."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant(value="") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return ast.JoinedStr(values=[self.visit(v) for v in node.values if not isinstance(v, ast.Constant)])

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        node.value = self.visit(node.value)
        return node


@cache
def _python(source: str) -> str:
    """A code cell as plain Python (IPython's ``%magic`` lines become calls)."""
    return TransformerManager().transform_cell(source)


def code_skeleton(source: str) -> str:
    """The code of a cell without comments and string literals: its syntax tree, dumped."""
    return ast.dump(_WithoutStrings().visit(ast.parse(_python(source))), include_attributes=False)


def language_set_in(source: str) -> list[str]:
    """The languages a cell passes to ``set_language(...)``."""
    calls = [node for node in ast.walk(ast.parse(_python(source))) if isinstance(node, ast.Call)]
    return [call.args[0].value for call in calls
            if getattr(call.func, "id", getattr(call.func, "attr", None)) == "set_language"
            and call.args and isinstance(call.args[0], ast.Constant)]


def cell_problems(english: nbformat.NotebookNode, chinese: nbformat.NotebookNode, rel: str) -> list[str]:
    """Where two twin notebooks' cells differ beyond translation (empty when they agree)."""
    if len(english.cells) != len(chinese.cells):
        return [f"{rel}: {len(english.cells)} cells in English, {len(chinese.cells)} in Chinese"]
    problems = []
    for index, (en, zh) in enumerate(zip(english.cells, chinese.cells, strict=True)):
        where = f"{rel}, cell {index}"
        if en.cell_type != zh.cell_type:
            problems.append(f"{where}: a {en.cell_type} cell in English, a {zh.cell_type} cell in Chinese")
            continue
        if en.metadata != zh.metadata:
            problems.append(f"{where}: metadata {dict(en.metadata)} in English, {dict(zh.metadata)} in Chinese")
        if en.cell_type == "code" and code_skeleton(en.source) != code_skeleton(zh.source):
            problems.append(f"{where}: the code differs beyond comments and strings:\n--- English\n{en.source}\n"
                            f"--- Chinese\n{zh.source}")
    codes = [(i, en.source, zh.source) for i, (en, zh) in enumerate(zip(english.cells, chinese.cells, strict=True))
             if en.cell_type == zh.cell_type == "code"]
    if codes:
        index, en_source, zh_source = codes[0]
        for language, source in (("en", en_source), ("zh", zh_source)):
            if language_set_in(source) != [language]:
                problems.append(f"{rel}, cell {index} (the first code cell): calls set_language with "
                                f"{language_set_in(source)} in the {language} edition, expected [{language!r}]")
    return problems


def printed(cell: nbformat.NotebookNode) -> list[tuple[str, list[str]]]:
    """Each output of a code cell as (kind, the numbers it printed); pictures count as outputs with
    no numbers, execution counts are not outputs."""
    found = []
    for output in cell.get("outputs", []):
        kind = output.output_type
        if kind == "stream":
            found.append((f"stream {output.name}", NUMBER.findall(output.text)))
        elif kind in ("execute_result", "display_data"):
            found.append((kind, NUMBER.findall(output.data.get("text/plain", ""))))
        elif kind == "error":
            found.append((kind, NUMBER.findall(f"{output.ename}: {output.evalue}")))
    return found


def number_problems(english: nbformat.NotebookNode, chinese: nbformat.NotebookNode, rel: str) -> list[str]:
    """Code cells whose stored outputs print other numbers (or other kinds of output) in the two editions."""
    problems = []
    for index, (en, zh) in enumerate(zip(english.cells, chinese.cells, strict=False)):
        if en.cell_type != "code" or zh.cell_type != "code" or IGNORED_OUTPUT in en.metadata.get("tags", []):
            continue
        if printed(en) != printed(zh):
            problems.append(f"{rel}, cell {index}: printed {printed(en)} in English, {printed(zh)} in Chinese")
    return problems


def twins(root: Path = REPO) -> list[str]:
    return sorted(edition_files(root, "notebooks", "en") & edition_files(root, "notebooks", "zh"))


def read_twins(root: Path, rel: str) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode]:
    return (nbformat.read(root / "notebooks" / rel, as_version=4),
            nbformat.read(root / "notebooks" / ZH / rel, as_version=4))


# ------------------------------------------------------------------------------ the real editions


def test_both_editions_have_the_same_lessons():
    assert lesson_set_problems(REPO) == []
    assert len(twins()) >= 13 and "index.ipynb" in twins()
    assert any(rel.startswith("solutions/") for rel in twins())


@pytest.mark.parametrize("rel", twins())
def test_twin_notebooks_have_the_same_cells_and_code(rel):
    problems = cell_problems(*read_twins(REPO, rel), rel)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("rel", twins())
def test_twin_notebooks_print_the_same_numbers(rel):
    problems = number_problems(*read_twins(REPO, rel), rel)
    assert not problems, "\n".join(problems)


def test_the_comparisons_see_code_and_numbers():
    """Not vacuous: the notebooks have code cells with string literals that differ, and printed numbers."""
    differing_strings, numbers = 0, 0
    for rel in twins():
        english, chinese = read_twins(REPO, rel)
        for en, zh in zip(english.cells, chinese.cells, strict=True):
            if en.cell_type == "code":
                differing_strings += en.source != zh.source
                numbers += sum(len(found) for _, found in printed(en))
    assert differing_strings >= 13 and numbers >= 500, (differing_strings, numbers)


# ---------------------------------------------------------------- the checks fail on a broken copy


@pytest.fixture()
def project(tmp_path) -> Path:
    """lessons/ and notebooks/ of both editions, copied into a temporary folder."""
    root = tmp_path / "project"
    for side in SIDES:
        shutil.copytree(REPO / side, root / side, ignore=shutil.ignore_patterns(".*"))
    return root


def test_a_lesson_missing_from_one_edition_is_caught(project):
    (project / "notebooks" / ZH / "solutions" / "03_learning_a_kernel_solutions.ipynb").unlink()
    shutil.copy(project / "lessons" / "01_cross_correlation.md", project / "lessons" / "07_pooling.md")
    (project / "lessons" / ZH / "index.md").rename(project / "lessons" / ZH / "目录.md")
    assert lesson_set_problems(project) == [
        "lessons/07_pooling.md has no Chinese twin lessons/zh/07_pooling.md",
        "lessons/index.md has no Chinese twin lessons/zh/index.md",
        "lessons/zh/目录.md has no English twin lessons/目录.md",
        "notebooks/solutions/03_learning_a_kernel_solutions.ipynb has no Chinese twin "
        "notebooks/zh/solutions/03_learning_a_kernel_solutions.ipynb",
    ]


def _first_code_cell(notebook: nbformat.NotebookNode, containing: str) -> int:
    return next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and containing in c.source)


def test_code_that_differs_beyond_comments_and_strings_is_caught():
    rel = "03_learning_a_kernel.ipynb"
    english, chinese = read_twins(REPO, rel)
    assert cell_problems(english, chinese, rel) == []

    translated = copy.deepcopy(chinese)  # comments and strings are free: still in step
    cell = translated.cells[_first_code_cell(translated, "print(")]
    cell.source = "# 一条新的注释\n" + re.sub(r'"[^"\n]*"', '"另一句话"', cell.source)
    assert cell_problems(english, translated, rel) == []

    def broken(change) -> list[str]:
        notebook = copy.deepcopy(chinese)
        change(notebook)
        return cell_problems(english, notebook, rel)

    seeded = _first_code_cell(chinese, "manual_seed(0)")

    def number(nb):
        nb.cells[seeded].source = nb.cells[seeded].source.replace("manual_seed(0)", "manual_seed(1)")

    def name(nb):
        index = next(i for i, c in enumerate(nb.cells)
                     if c.cell_type == "code" and re.search(r"^lr = ", c.source, re.M))
        nb.cells[index].source = re.sub(r"\blr\b", "learning_rate", nb.cells[index].source)

    def f_string_format(nb):
        index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and re.search(r":\.\d+f}", c.source))
        nb.cells[index].source = re.sub(r":\.(\d+)f}", r":.9f}", nb.cells[index].source, count=1)

    def swapped(nb):
        nb.cells[seeded], nb.cells[seeded + 1] = nb.cells[seeded + 1], nb.cells[seeded]

    def tag_lost(nb):
        explorer = next(c for c in nb.cells if IGNORED_OUTPUT in c.metadata.get("tags", []))
        explorer.metadata["tags"] = []

    def markdown_dropped(nb):
        del nb.cells[next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and i > 2)]

    def markdown_became_code(nb):
        index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and i > 2)
        nb.cells[index] = nbformat.v4.new_code_cell("# " + nb.cells[index].source.replace("\n", "\n# "))

    def language(nb):
        nb.cells[seeded].source = nb.cells[seeded].source.replace('set_language("zh")', 'set_language("en")')

    for change, expected in ((number, "the code differs"), (name, "the code differs"),
                             (f_string_format, "the code differs"), (swapped, "a markdown cell in English"),
                             (tag_lost, "metadata"), (markdown_dropped, "cells in English"),
                             (markdown_became_code, "a markdown cell in English, a code cell in Chinese"),
                             (language, "calls set_language with ['en'] in the zh edition")):
        problems = broken(change)
        assert problems and any(expected in p for p in problems), (change.__name__, problems)


def test_other_printed_numbers_are_caught_and_translation_is_not():
    rel = "03_learning_a_kernel.ipynb"
    english, chinese = read_twins(REPO, rel)
    assert number_problems(english, chinese, rel) == []
    printing = next(i for i, c in enumerate(chinese.cells) if c.cell_type == "code"
                    and IGNORED_OUTPUT not in c.metadata.get("tags", [])
                    and any(o.output_type == "stream" and NUMBER.search(o.text) for o in c.get("outputs", [])))
    stream = next(o for o in chinese.cells[printing].outputs if o.output_type == "stream")

    harmless = copy.deepcopy(chinese)  # other words, another execution count, another picture
    harmless.cells[printing].execution_count = 99
    words = harmless.cells[printing].outputs[chinese.cells[printing].outputs.index(stream)]
    words.text = re.sub(r"[^\d\s.,:;=×()\[\]−-]+", "字", words.text)
    for cell in harmless.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                output.data["image/png"] = "iVBORw0KGgo="
            if IGNORED_OUTPUT in cell.metadata.get("tags", []) and "text/plain" in output.get("data", {}):
                output.data["text/plain"] = "VBox(children=(IntSlider(value=12345),))"
    assert number_problems(english, harmless, rel) == []

    for change in ("value", "rounding", "order", "dropped"):
        broken = copy.deepcopy(chinese)
        output = broken.cells[printing].outputs[chinese.cells[printing].outputs.index(stream)]
        numbers = NUMBER.findall(output.text)
        if change == "value":
            output.text = output.text.replace(numbers[-1], numbers[-1] + "1", 1)
        elif change == "rounding":
            output.text = re.sub(r"(\d+)\.(\d+)", lambda m: f"{m.group(1)}.{m.group(2)[:-1] or '0'}", output.text,
                                 count=1)
        elif change == "order":
            output.text = output.text.replace(numbers[0], "@", 1).replace(numbers[1], numbers[0], 1).replace(
                "@", numbers[1], 1)
            assert numbers[0] != numbers[1]
        else:
            broken.cells[printing].outputs.remove(output)
        assert NUMBER.findall(output.text) != numbers or change == "dropped", change
        problems = number_problems(english, broken, rel)
        assert len(problems) == 1 and f"cell {printing}" in problems[0], (change, problems)


def test_the_number_pattern_reads_numbers_as_a_learner_does():
    assert NUMBER.findall("tensor([[19., 25.], [37., 43.]])") == ["19", "25", "37", "43"]
    assert NUMBER.findall("第1轮：损失 0.0278，误差 −1.5e-3") == ["1", "0.0278", "−1.5e-3"]
    assert NUMBER.findall("F.conv2d 与 corr2d 相等：True; x1 = 3×4") == ["3", "4"]
    assert NUMBER.findall("a line of 1s, lines of 0s and −1s; 2sigma, 3x3") == ["1", "0", "−1"]
