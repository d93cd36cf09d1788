"""Every exercise's hint is collapsible and none gives its exercise's answer away, in both editions.

The lessons (lessons/*.md) write each hint in exactly one form, right after its exercise's
``**Exercise N.**`` (or ``**Exercise N (harder).**``) paragraph::

    <details><summary>Hint</summary>

    … text …
    </details>

so a learner sees it only when they ask for it, and no lesson has a bare "Hint:" paragraph.  The
Chinese lessons (lessons/zh/*.md) do the same with ``**练习 N.**`` / ``**练习 N（较难）.**`` and
``<details><summary>提示</summary>``, and no bare "提示：".

A hint points at the way, not at the answer. :data:`ANSWERS` holds, for every exercise of every
lesson, the answer the worked solutions give (lessons/solutions/*.md), as *tokens* a hint must not
contain: the numbers (in the forms a learner would read them: ``0.0278``, ``1/36``, ``14,400``),
shapes (``6×8``, ``(6, 8)``, …), the choice letter, formulas and short phrases that are the answer.
Where a check function exists, the table's answer is also passed to it and must be accepted, so the
table cannot drift from what the lesson counts as right.  The Chinese hints are held to the same
numbers, shapes and formulas; the table's English phrases apply to the English hints only.  (A
Chinese exercise may say more than its English twin: 02 Exercise 3 follows d2l-zh's 积分的核 question
and says in its text that the weights sum to 1.  Only hints are checked.)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import jupytext
import pytest
import torch
import torch.nn.functional as F

from conv_lessons import convolve2d, diagonal_image, edge_image
from conv_lessons.checks import (
    check_blur_kernel,
    check_cheaper_stack,
    check_conv2d_autograd,
    check_conv_matrix_nonzeros,
    check_corr2d_matmul,
    check_deepest_stack,
    check_diagonal_edges,
    check_direction_kernel,
    check_erf_growth,
    check_erf_std,
    check_fastest_lr,
    check_input_gradient,
    check_kernel_shape,
    check_min_kernel_size,
    check_receptive_field,
    check_same_as_convolution,
    check_second_derivative,
    check_stable_lr,
)

REPO = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^#")


@dataclass(frozen=True)
class Edition:
    """How one edition writes its exercises and hints."""

    language: str
    folder: Path
    exercise: re.Pattern  # the paragraph that starts an exercise; group 1: its number
    hint_open: str  # the one allowed opening of a hint
    bare_hint: re.Pattern  # a hint that is not collapsible

    @property
    def hint(self) -> re.Pattern:
        return re.compile(re.escape(self.hint_open) + r"(.*?)</details>", re.S)

    @property
    def files(self) -> list[Path]:
        return sorted(self.folder.glob("[0-9][0-9]_*.md"))


ENGLISH = Edition(
    "en", REPO / "lessons", re.compile(r"^\*\*Exercise (\d+)(?: \(harder\))?\.\*\*"),
    "<details><summary>Hint</summary>",
    # "Hint:", "*Hint:*", "**Hint**:", "_Hints_ :" … anywhere outside the <summary> of a <details> block.
    re.compile(r"(?:^|\n)\s*[*_]*\s*hints?\s*[*_]*\s*[:：]|[*_]{1,2}\s*hints?\s*[:：]?\s*[*_]{1,2}", re.I))
CHINESE = Edition(
    "zh", REPO / "lessons" / "zh", re.compile(r"^\*\*练习 (\d+)(?:（较难）)?\.\*\*"),
    "<details><summary>提示</summary>",
    # "提示：", "**提示**：", "*提示:*" …; "清楚的提示，" in a sentence is not a hint.
    re.compile(r"[*_]*\s*提示\s*[*_]*\s*[:：]|[*_]{1,2}\s*提示\s*[*_]{1,2}"))
EDITIONS = (ENGLISH, CHINESE)
# The English edition's names, as before.
LESSON_FILES = ENGLISH.files
EXERCISE, HINT_OPEN, HINT, BARE_HINT = ENGLISH.exercise, ENGLISH.hint_open, ENGLISH.hint, ENGLISH.bare_hint


# ------------------------------------------------------------------------------------------------
# What a hint must not contain
# ------------------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Text as compared: lower case, one kind of minus and times, no backticks, single spaces."""
    text = text.replace("−", "-").replace("–", "-").replace("`", "").replace("·", "*")
    return re.sub(r"\s+", " ", text).lower()


@dataclass(frozen=True)
class Token:
    """One form of an answer; ``found(hint)`` is True when the hint contains it."""

    text: str
    kind: str  # "number", "phrase" or "formula"

    def applies_to(self, language: str) -> bool:
        """Numbers, shapes and formulas are answers in every language; a phrase with English words
        ("sum to one") only in English."""
        return language == "en" or self.kind != "phrase" or re.search(r"[A-Za-z]{2,}", self.text) is None

    def found(self, hint: str) -> bool:
        if self.kind == "formula":
            return _plain(self.text).replace(" ", "") in _plain(hint).replace(" ", "")
        if self.kind == "number":
            # a whole number, not part of another number, a word, a power (2L) or a shape (5×5)
            pattern = r"(?<![\w.,/×])" + re.escape(_plain(self.text)) + r"(?![\w/×]|[.,]\d)"
            return re.search(pattern, _plain(hint)) is not None
        pattern = r"(?<!\w)" + re.escape(_plain(self.text)) + r"(?!\w)"
        return re.search(pattern, _plain(hint)) is not None


def _value_of(text: str) -> float:
    """The value of a number as written: 0.0278, 1/36, 14,400, 14 400, 2/72."""
    cleaned = text.replace(",", "").replace(" ", "").replace("−", "-")
    return float(Fraction(cleaned))


def _number_tokens(value: float, also: tuple[str, ...]) -> list[Token]:
    if float(value).is_integer():
        n = int(value)
        forms = {str(n)} | ({f"{n:,}", f"{n:,}".replace(",", " ")} if abs(n) >= 1000 else set())
    else:
        forms = {f"{value:.{digits}g}" for digits in (2, 3, 4)}
        forms = {form for form in forms if "e" not in form}  # 1.2e+02 is not how a lesson writes 119.4
    for text in also:
        written = _value_of(text)
        decimals = len(text.split(".")[1]) if "." in text else None
        tolerance = 0.5 * 10 ** -decimals if decimals else 1e-9 * max(1.0, abs(value))
        assert abs(written - value) <= tolerance + 0.02 * abs(value), f"{text!r} is not a form of {value}"
        forms.add(text)
    return [Token(text, "number") for text in sorted(forms)]


@dataclass
class Part:
    """One answer of an exercise: its value, the check that must accept it, and its tokens."""

    value: Any
    check: Callable[[Any], Any] | None
    tokens: list[Token] = field(default_factory=list)


def number(value: float, check: Callable[[Any], Any] | None = None, also: tuple[str, ...] = (),
           phrases: tuple[str, ...] = ()) -> Part:
    """A numeric answer: its usual written forms (and ``also``, each checked to equal it)."""
    return Part(value, check, _number_tokens(value, also) + [Token(p, "phrase") for p in phrases])


def shape(h: int, w: int, check: Callable[[Any], Any] | None = None) -> Part:
    """A shape answer, in every way the lessons write a shape."""
    forms = [f"{h}×{w}", f"{h} × {w}", f"{h}x{w}", f"{h} x {w}", f"({h}, {w})", f"[{h}, {w}]", f"{h} by {w}"]
    return Part((h, w), check, [Token(f, "formula" if f[0] in "([" else "phrase") for f in forms])


def letter(choice: str, check: Callable[[Any], Any], phrases: tuple[str, ...] = ()) -> Part:
    """A multiple-choice answer: the letter, quoted or in brackets, or named as the answer."""
    forms = [f'"{choice}"', f"'{choice}'", f"({choice})"]
    words = [f"{w} {choice}" for w in ("answer", "answer is", "option", "choice", "letter")]
    return Part(choice, check, [Token(f, "formula") for f in forms] + [Token(p, "phrase") for p in (*words, *phrases)])


def code(value: Any, check: Callable[[Any], Any] | None, formulas: tuple[str, ...] = (),
         phrases: tuple[str, ...] = ()) -> Part:
    """A kernel, a matrix or a function: what a hint must not write out is given as formulas and phrases."""
    return Part(value, check, [Token(f, "formula") for f in formulas] + [Token(p, "phrase") for p in phrases])


def said(*phrases: str, numbers: tuple[float, ...] = ()) -> Part:
    """An answer in words (no check exists): its key phrases and numbers."""
    tokens = [Token(p, "phrase") for p in phrases]
    for n in numbers:
        tokens += _number_tokens(n, ())
    return Part(None, None, tokens)


# ------------------------------------------------------------------------------------------------
# The answers, from the worked solutions
# ------------------------------------------------------------------------------------------------

X4 = diagonal_image(4)


def _matmul_by_loops(X, K):
    (n_h, n_w), (k_h, k_w) = X.shape, K.shape
    out_h, out_w = n_h - k_h + 1, n_w - k_w + 1
    W = torch.zeros(out_h * out_w, n_h * n_w, dtype=X.dtype)
    for i in range(out_h):
        for j in range(out_w):
            for p in range(k_h):
                for q in range(k_w):
                    W[i * out_w + j, (i + p) * n_w + (j + q)] = K[p, q]
    return (W @ X.reshape(-1)).reshape(out_h, out_w)


def _matmul_by_columns(X, K):
    k_h, k_w = K.shape
    out_h, out_w = X.shape[0] - k_h + 1, X.shape[1] - k_w + 1
    columns = torch.stack([X[i:i + k_h, j:j + k_w].reshape(-1) for i in range(out_h) for j in range(out_w)], dim=1)
    return (K.reshape(-1) @ columns).reshape(out_h, out_w)


def _input_gradient(G, K):
    k_h, k_w = K.shape
    return convolve2d(F.pad(G, (k_w - 1, k_w - 1, k_h - 1, k_h - 1)), K)


W_3x3 = torch.tensor([
    [0.0, 1.0, 0.0, 2.0, 3.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 1.0, 0.0, 2.0, 3.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 3.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0, 3.0],
])
W_2x3 = torch.tensor([
    [1.0, -1.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, 1.0, -1.0, 0.0],
    [0.0, 0.0, 0.0, 0.0, 1.0, -1.0],
])
AUTOGRAD_WORDS = ("no error", "does not raise", "doesn't raise", "without an error", "recorded", "records",
                  "works", "differentiates through")

ANSWERS: dict[tuple[str, int], list[Part]] = {
    # 01 Cross-correlation
    ("01", 1): [shape(6, 8, lambda a: check_kernel_shape(a, input_shape=(6, 8), out_shape=(1, 1))),
                said("as large as the image", "the whole image", "k = n")],
    ("01", 2): [letter("b", check_conv2d_autograd, AUTOGRAD_WORDS)],
    ("01", 3): [code(lambda K: torch.equal(K, torch.flip(K, dims=(0, 1))), check_same_as_convolution,
                     formulas=("torch.equal(K, torch.flip(K", "flip(K) == K", "K == flip(K)", "K == torch.flip(K"),
                     phrases=("equals its own flip", "rotated by 180° gives K back", "symmetric under"))],
    ("01", 4): [code(W_3x3, check_corr2d_matmul, formulas=("(i + p) * n_w + (j + q)", "i * out_w + j"),
                     phrases=("columns 0, 1", "0, 1, 3, 4", "0, 1, 3 and 4")),
                code(_matmul_by_loops, check_corr2d_matmul)],
    # 02 Edge detection
    ("02", 1): [code(torch.tensor([[0, 0, 0], [-1, 0, 0], [0, -1, 0], [0, 0, -1]]),
                     lambda a: check_diagonal_edges(a, case="X.T", X=X4), phrases=("line of -1", "-1s")),
                code(torch.tensor([[0, -1, 0, 0], [0, 0, -1, 0], [0, 0, 0, -1]]),
                     lambda a: check_diagonal_edges(a, case="K.T", X=X4)),
                shape(4, 3), shape(3, 4)],
    ("02", 2): [code(torch.tensor([[1.0, -2.0, 1.0]]), check_second_derivative,
                     formulas=("[1, -2, 1]", "1, -2, 1"), phrases=("three pixels", "3 pixels", "3 taps")),
                number(3, lambda a: check_min_kernel_size(a, order=2))],
    ("02", 3): [code(torch.ones(3, 3) / 9, check_blur_kernel, formulas=("1/9",)),
                number(1, phrases=("add up to one", "sum to one"))],
    ("02", 4): [code(lambda d: d + 1, check_min_kernel_size, formulas=("d + 1",),
                     phrases=("adds one pixel", "one more pixel", "one more tap", "plus one"))],
    ("02", 5): [code(torch.tensor([[3.0, -2.0], [-1.0, 0.0]]), lambda a: check_direction_kernel(a, v=(1, 2)),
                     formulas=("[[3, -2], [-1, 0]]", "v_h + v_w", "v_w + v_h", "v_w*(", "v_h*(", "v_w*k",
                               "v_h*k"))],
    # 03 Learning a kernel
    ("03", 1): [letter("b", check_conv2d_autograd, AUTOGRAD_WORDS),
                said("explodes", "diverges", "grows", "bias makes", numbers=(124, 0.016))],
    ("03", 2): [number(2 / 72, check_fastest_lr, also=("1/36", "2/72"))],
    ("03", 3): [number(2 / (12 * (2 + math.sqrt(2))), lambda a: check_stable_lr(a, X=edge_image(), kernel_size=(1, 3)),
                       also=("2/41",), phrases=("larger", "bigger")),
                said(numbers=(41,))],
    ("03", 4): [number(2 / (63 + math.sqrt(3185)), lambda a: check_stable_lr(a, X=diagonal_image(), kernel_size=(1, 2)),
                       also=("2/119", "1/60")),
                said(numbers=(119.4, 119))],
    ("03", 5): [said("3 times", "three times", "about 3", numbers=(570, 600))],
    # 04 Feature maps and receptive fields
    ("04", 1): [number(2, check_cheaper_stack, phrases=("L = 2",))],
    ("04", 2): [number(15, lambda a: check_receptive_field(a, kernel_sizes=[3, 3, 3], strides=[2, 2, 2]))],
    ("04", 3): [number(11, lambda a: check_receptive_field(a, kernel_sizes=[3, 3, 3], strides=[2, 1, 1])),
                number(7, lambda a: check_receptive_field(a, kernel_sizes=[3, 3, 3], strides=[1, 1, 2])),
                said("first layer", "in the first")],
    ("04", 4): [number(15, lambda a: check_receptive_field(a, kernel_sizes=[3, 3, 3], dilations=[1, 2, 4])),
                said("no holes", "16 of the 25", "9 of the 25")],
    # The depth, 5, is also the kernel size the exercise names, so only its phrases are tokens.
    ("04", 5): [code((5, 125), lambda a: check_deepest_stack(*a, input_shape=(225, 192), kernel_size=5, stride=2),
                     phrases=("5 layers", "five layers", "depth 5")),
                said(numbers=(125,))],
    # 05 Convolution as matrix multiplication
    ("05", 1): [code(W_2x3, lambda a: check_corr2d_matmul(a, input_shape=(2, 3), K=[[1, -1]]),
                     phrases=("4 rows", "6 columns", "four rows", "six columns")),
                shape(4, 6)],
    ("05", 2): [code(_matmul_by_columns, check_corr2d_matmul,
                     formulas=("K.reshape(-1) @", "K.flatten() @", "@ K.reshape(-1)", "@ K.flatten()"))],
    ("05", 3): [number(14400, check_conv_matrix_nonzeros), code(None, None, formulas=("576*25", "24*24*25"))],
    ("05", 4): [code(_input_gradient, check_input_gradient,
                     formulas=("F.pad(G, (k_w - 1, k_w - 1, k_h - 1, k_h - 1))", "convolve2d(F.pad("))],
    ("05", 5): [said("every other", "drop", "dropped", "new rows")],
    # 06 Effective receptive fields
    ("06", 1): [code(lambda L: math.sqrt(2 * L / 3), check_erf_std,
                     formulas=("√(2L/3)", "sqrt(2L/3)", "sqrt(2*L/3)", "2L/3", "2/3"), phrases=("0.82",))],
    # The factor, 2, is also a depth the hint may name ("compare depths 2 and 8"), so only its phrases are tokens.
    ("06", 2): [code(2.0, check_erf_growth, formulas=("√4",),
                     phrases=("twice", "doubles", "factor of 2", "factor 2", "2 times"))],
    ("06", 3): [said("4,704", numbers=(4704, 112))],
    ("06", 4): [said("one pixel tall", "1 pixel tall", "patchier", "stays near")],
}


# ------------------------------------------------------------------------------------------------
# Reading the lessons
# ------------------------------------------------------------------------------------------------


@dataclass
class Exercise:
    number: int
    statement: str = ""
    hints: list[str] = field(default_factory=list)


def markdown_cells(path: Path) -> list[str]:
    notebook = jupytext.read(path, fmt="md:myst")
    return [c.source for c in notebook.cells
            if c.cell_type == "markdown" and "navigation" not in c.metadata.get("tags", [])]


def exercises(path: Path, edition: Edition = ENGLISH) -> dict[int, Exercise]:
    """Exercise number → its statement and its collapsible hints (in its own or the following Markdown)."""
    found: dict[int, Exercise] = {}
    current: Exercise | None = None
    for source in markdown_cells(path):
        match = edition.exercise.match(source)
        if match:
            current = found.setdefault(int(match.group(1)), Exercise(int(match.group(1))))
            current.statement = source.split(edition.hint_open)[0]
        elif HEADING.match(source):
            current = None
        if current is not None:
            current.hints += [hint.strip() for hint in edition.hint.findall(source)]
    return found


def lesson_number(path: Path) -> str:
    return path.name[:2]


ROWS = sorted(ANSWERS)


def _row_id(key: tuple[str, int]) -> str:
    return f"{key[0]}-exercise{key[1]}"


def _lesson_path(lesson: str, edition: Edition = ENGLISH) -> Path:
    matches = [p for p in edition.files if lesson_number(p) == lesson]
    assert len(matches) == 1, f"{edition.folder.relative_to(REPO)}/{lesson}_*.md: expected one file, found {matches}"
    return matches[0]


LESSONS_OF_BOTH = [(edition, path) for edition in EDITIONS for path in edition.files]


def _lesson_id(item: tuple[Edition, Path]) -> str:
    return f"{item[0].language}-{lesson_number(item[1])}"


def hint_form_problems(path: Path, edition: Edition) -> list[str]:
    """What is wrong with the form of a lesson's hints (empty when every hint is collapsible, in the one form)."""
    problems = []
    for source in markdown_cells(path):
        outside = source.replace(edition.hint_open, "")
        bare = edition.bare_hint.search(outside)
        if bare is not None:
            problems.append(f"{path.name}: a hint that is not collapsible: {bare.group(0)!r} in\n{source[:300]}")
        if not source.count("<details") == source.count(edition.hint_open) == source.count("</details>"):
            problems.append(f"{path.name}: a <details> block not in the form {edition.hint_open} … </details>:\n"
                            f"{source[:300]}")
        for start in (m.end() for m in re.finditer(re.escape(edition.hint_open), source)):
            if source[start:start + 2] != "\n\n":
                problems.append(f"{path.name}: write a blank line after {edition.hint_open}, so the hint's Markdown "
                                "(code, emphasis) renders")
    numbered = exercises(path, edition)
    if not numbered:
        problems.append(f"{path.name}: no exercise paragraphs ({edition.exercise.pattern})")
    for number, exercise in sorted(numbered.items()):
        if not exercise.hints:
            problems.append(f"{path.name}, exercise {number}: no collapsible hint ({edition.hint_open} … </details>)")
    return problems


def answers_given(hint: str, key: tuple[str, int], language: str) -> list[str]:
    """The answer tokens of exercise ``key`` that ``hint`` (in ``language``) contains."""
    return sorted({token.text for part in ANSWERS[key] for token in part.tokens
                   if token.applies_to(language) and token.found(hint)})


# ------------------------------------------------------------------------------------------------
# The tests
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", LESSONS_OF_BOTH, ids=_lesson_id)
def test_every_hint_is_collapsible(item):
    edition, path = item
    problems = hint_form_problems(path, edition)
    assert not problems, "\n".join(problems)


def test_both_editions_have_the_same_exercises():
    assert [lesson_number(p) for p in CHINESE.files] == [lesson_number(p) for p in ENGLISH.files]
    for english, chinese in zip(ENGLISH.files, CHINESE.files, strict=True):
        en, zh = exercises(english, ENGLISH), exercises(chinese, CHINESE)
        assert sorted(zh) == sorted(en), f"{chinese.name}: exercises {sorted(zh)}, English {sorted(en)}"
        for number in en:
            assert len(zh[number].hints) == len(en[number].hints), f"{chinese.name}, exercise {number}: hints"
            harder = ("harder" in en[number].statement.split(".**")[0], "较难" in zh[number].statement.split(".**")[0])
            assert harder[0] == harder[1], f"{chinese.name}, exercise {number}: (harder) in one edition only"


@pytest.mark.parametrize("item", LESSONS_OF_BOTH, ids=_lesson_id)
def test_the_answer_table_covers_every_exercise(item):
    edition, path = item
    lesson = lesson_number(path)
    in_lesson = sorted(exercises(path, edition))
    in_table = sorted(number for (name, number) in ANSWERS if name == lesson)
    assert in_table == in_lesson, (f"{path.name} has exercises {in_lesson}, the answer table rows {in_table}: "
                                   "add or renumber the rows from the worked solutions")


@pytest.mark.parametrize("key", ROWS, ids=_row_id)
def test_the_tables_answer_is_what_the_check_accepts(key, capsys):
    parts = ANSWERS[key]
    assert any(part.tokens for part in parts), f"{_row_id(key)}: the row names nothing a hint must not say"
    for part in parts:
        if part.check is not None:
            result = part.check(part.value)
            assert result.passed, f"{_row_id(key)}: the check rejects the table's answer {part.value!r}: {result}"
    capsys.readouterr()


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda e: e.language)
@pytest.mark.parametrize("key", ROWS, ids=_row_id)
def test_no_hint_gives_the_answer_away(key, edition):
    lesson, number = key
    exercise = exercises(_lesson_path(lesson, edition), edition).get(number)
    where = f"{edition.folder.relative_to(REPO)}/{lesson}_*.md"
    assert exercise is not None, f"{where} has no exercise {number}"
    assert exercise.hints, f"{where}, exercise {number}: no collapsible hint to check"
    for hint in exercise.hints:
        given = answers_given(hint, key, edition.language)
        assert not given, f"{where}, exercise {number}: the hint says {given}, the answer:\n{hint}"


def test_the_chinese_checks_catch_a_bare_hint_and_an_answer(tmp_path):
    """On a broken copy of a Chinese lesson: a bare "提示：" paragraph, a hint without its blank line,
    an exercise without a hint, and a hint that gives the answer away are all found; English phrases
    are not held against a Chinese hint, numbers and shapes are."""
    lesson = tmp_path / "01_cross_correlation.md"
    text = _lesson_path("01", CHINESE).read_text(encoding="utf-8")
    assert hint_form_problems(_lesson_path("01", CHINESE), CHINESE) == []
    broken = text.replace("<details><summary>提示</summary>\n\n", "**提示：** ", 1)
    lesson.write_text(broken, encoding="utf-8")
    problems = hint_form_problems(lesson, CHINESE)
    assert any("not collapsible: '**提示：'" in p for p in problems), problems
    assert any("exercise 1: no collapsible hint" in p for p in problems), problems
    lesson.write_text(text.replace("<details><summary>提示</summary>\n\n", "<details><summary>提示</summary>\n", 1),
                      encoding="utf-8")
    assert any("write a blank line after" in p for p in hint_form_problems(lesson, CHINESE))
    assert answers_given("用一个 6×8 的卷积核", ("01", 1), "zh") == ["6×8"]
    assert answers_given("(6, 8) 的卷积核", ("01", 1), "zh") == ["(6, 8)"]
    assert answers_given("as large as the image", ("01", 1), "zh") == []
    assert answers_given("as large as the image", ("01", 1), "en") == ["as large as the image"]
    assert answers_given("学习率 1/36 最快", ("03", 2), "zh") == ["1/36"]


def test_the_token_matcher_finds_answers_and_only_answers():
    """The matcher the table relies on: whole numbers, shapes and formulas in the forms lessons write."""
    assert Token("7", "number").found("the field is 7 pixels.") and Token("7", "number").found("r = 7.")
    assert not Token("7", "number").found("x[i, j+17] and 0.7 and 7.5 and 7×7 and 27")
    assert not Token("2", "number").found("compare 9L with (2L + 1)² in a 5×5 window")
    assert Token("0.0278", "number").found("lr ≈ 0.0278, the best")
    assert Token("1/36", "number").found("lr = 1/36") and not Token("1/36", "number").found("1/360")
    assert Token("(i + p) * n_w + (j + q)", "formula").found("column `(i+p)*n_w + (j+q)`")
    assert Token("[1, -2, 1]", "formula").found("once with `[[1, −2, 1]]`")
    assert Token("no error", "phrase").found("there is No  error here") and not Token("works", "phrase").found(
        "work out by hand")
    assert all(any(t.found(text) for t in shape(6, 8).tokens) for text in ("a 6×8 kernel", "(6, 8)", "6 x 8"))
    assert _number_tokens(2 / 72, ("1/36",))[0].text in {"0.028", "0.0278", "0.02778", "1/36"}
    with pytest.raises(AssertionError):
        _number_tokens(2 / 72, ("1/30",))
