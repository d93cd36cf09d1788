"""No user-facing text is written into the package's code: it comes from the language catalogue.

Every message a learner can meet outside the explorers and figures (the checks' verdicts and hints,
every validation error, the training warning, …) is a catalogue entry looked up with
``conv_lessons.i18n.text`` (or composed by ``validation.message``/``explain`` from such entries), so
it exists in English and in Chinese.  This test reads the source of those modules and fails on a
string literal that would reach a learner without going through the catalogue.

What reaches a learner ("sinks"): the expression of a ``raise``; the arguments of ``warnings.warn``,
the checks' ``_Reject``/``_Blank`` and every function of ``conv_lessons.validation``; the
fields that fill in a catalogue entry (``text(key, field=…)``); and,
followed back from those, every local or module-level name assigned, every parameter (its callers'
arguments: ``CheckResult(exercise, status, explanation)`` makes every ``exercise`` and explanation a
check passes along a sink, but not its ``status``), what a package function returns when its result
is used in a sink (a check's ``judge()``, ``_kind``, ``describe``), and the arguments of the few
builtins that build text (``str``, ``join``, ``format``, ``list``, …; ``repr`` shows a Python value, so a
name may go through it).  In a sink, a string literal (or an f-string's literal part) that holds a word of
two or more letters, or a Chinese character, is an error, unless it is

* a catalogue key: the first argument of ``text(...)`` / the second of ``explain(...)``;
* a Python name where the package shows one: the ``name``/``x_name``/``k_name``/``choices``
  arguments of the validation helpers and the fields of those names (and ``container``, ``check``)
  in a catalogue entry — "kernel_shape", "input_shape, kernel_shape", "kernels[0]";
* a piece of code: it parses as Python and holds a call, an attribute or a subscript, like
  ``"corr2d(X, K)"`` or ``"X.T"``.

``print`` is not a sink: the checks print their verdict (a catalogue entry), and ``learn_kernel``
prints the book's own ``epoch 2, loss 8.330`` lines, which d2l-zh prints the same way and the lesson
shows as the book's code (``test_i18n_zh`` keeps them equal in both languages).

A single English word is caught as well as a sentence ("rows" chosen by an ``if`` and put into a
message), and there is no list of exempted strings.  Out of scope: the explorers, figures and style
(their own catalogue keys), the setup tool (``cli``, ``lessons``, ``__main__``: English only), the
package's ``__init__`` (Python's own AttributeError wording) and ``i18n`` itself (its one message is
bilingual, for a learner whose language could not be set).
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import conv_lessons
from conv_lessons import validation

PACKAGE = Path(conv_lessons.__file__).resolve().parent
OUT_OF_SCOPE = {"cli.py", "lessons.py", "__main__.py", "__init__.py", "i18n.py", "style.py", "figures.py"}


def scanned_modules() -> list[Path]:
    """Every module a learner's call reaches outside the explorers and figures."""
    paths = [p for p in sorted(PACKAGE.glob("*.py")) if p.name not in OUT_OF_SCOPE]
    return paths + sorted((PACKAGE / "checks").glob("*.py"))


# The calls whose arguments a learner reads.
SINK_CALLS = {"warn", "_Reject", "_Blank"}
# Builtins and str methods whose result is text made of their arguments (others give numbers or objects).
TEXT_BUILDERS = {"str", "format", "join", "list", "tuple", "sorted", "map", "split", "strip", "replace",
                 "upper", "lower", "capitalize", "title"}
# The parameters (of the validation helpers) and catalogue fields that hold Python names.
NAME_PARAMETERS = {"name", "x_name", "k_name", "choices"}
NAME_FIELDS = NAME_PARAMETERS | {"container", "check"}
# The parameters of the validation helpers that carry text (the others carry the learner's values).
TEXT_PARAMETERS = {"expected", "got", "fix", "given", "what", "fields"}
IDENTIFIERS = re.compile(r"^[A-Za-z_]\w*(\[\d+\])?(, [A-Za-z_]\w*(\[\d+\])?)*$")
WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")


def _validation_parameters() -> dict[str, list[str]]:
    """Each public validation helper's parameter names, in order."""
    return {name: list(inspect.signature(getattr(validation, name)).parameters)
            for name in validation.__all__ if callable(getattr(validation, name))}


VALIDATION = _validation_parameters()


def _is_code(literal: str) -> bool:
    try:
        tree = ast.parse(literal.replace("{}", "_").strip())
    except SyntaxError:
        return False
    return any(isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)) for node in ast.walk(tree))


def literal_problem(literal: str, mode: str) -> str | None:
    """Why ``literal`` may not reach a learner from the code (None: it may)."""
    if CJK.search(literal):
        return "Chinese text in the code"
    if not WORD.search(literal):
        return None
    if mode == "name" and IDENTIFIERS.match(literal.replace("{}", "0").strip()):
        return None
    if _is_code(literal):
        return None
    return "text in the code"


@dataclass
class Scope:
    """A top-level function (with everything nested in it), or a module's top level."""

    module: str
    node: ast.AST
    parameters: list[str] = field(default_factory=list)
    owner: str = ""  # the class, for a method
    #: name → (value, path): ``a, (b, c) = f()`` binds c to f()'s element [1][1], path (1, 1).
    assignments: dict[str, list[tuple[ast.expr, tuple[int, ...]]]] = field(default_factory=dict)


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _targets(node: ast.AST, path: tuple[int, ...] = ()) -> list[tuple[str, tuple[int, ...]]]:
    """The names an assignment target binds, each with its position in the value."""
    if isinstance(node, ast.Name):
        return [(node.id, path)]
    if isinstance(node, (ast.Tuple, ast.List)):
        return [bound for index, element in enumerate(node.elts) for bound in _targets(element, path + (index,))]
    return []


def _parameters(function: ast.FunctionDef | ast.Lambda) -> list[str]:
    arguments = function.args
    names = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
    return names[1:] if names[:1] in (["self"], ["cls"]) else names


class Scanner:
    """Finds the literals that reach a learner in a set of module sources."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.problems: set[tuple[str, int, str, str]] = set()
        self.scopes: list[Scope] = []
        self.functions: dict[str, list[ast.FunctionDef]] = {}
        self.module_level: dict[str, dict[str, list[ast.expr]]] = {}
        for module, source in sources.items():
            self._index(module, ast.parse(source))
        self.tainted_parameters: dict[str, dict[str, str]] = {}  # function → parameter → mode
        # functions whose result (or a part of it, at a path) reaches a sink, as text or as a name
        self.returns_text: dict[str, set[tuple[tuple[int, ...], str]]] = {}
        self.seen: set[tuple[int, str, tuple[int, ...]]] = set()

    def _index(self, module: str, tree: ast.Module) -> None:
        top = Scope(module, tree)
        self.module_level[module] = top.assignments
        self.scopes.append(top)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                functions = [node] if isinstance(node, ast.FunctionDef) else [
                    n for n in node.body if isinstance(n, ast.FunctionDef)]
                for function in functions:
                    if function.name == "__init__":  # ClassName(...) calls it
                        self.functions.setdefault(node.name, []).append(function)
                    scope = Scope(module, function, owner=node.name if isinstance(node, ast.ClassDef) else "")
                    self._collect(scope, function)
                    self.scopes.append(scope)
            else:
                self._assignments(top, node)

    def _collect(self, scope: Scope, function: ast.FunctionDef) -> None:
        for node in ast.walk(function):
            if isinstance(node, (ast.FunctionDef, ast.Lambda)):
                scope.parameters += _parameters(node)
                if isinstance(node, ast.FunctionDef):
                    self.functions.setdefault(node.name, []).append(node)
            self._assignments(scope, node)

    @staticmethod
    def _assignments(scope: Scope, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                for name, path in _targets(target):
                    scope.assignments.setdefault(name, []).append((node.value, path))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            for name, path in _targets(node.target):
                scope.assignments.setdefault(name, []).append((node.value, path))
        elif isinstance(node, ast.NamedExpr):
            scope.assignments.setdefault(node.target.id, []).append((node.value, ()))

    # -- following text from the sinks ----------------------------------------------------------

    def _progress(self) -> tuple[int, int, int]:
        return (len(self.seen), sum(len(p) for p in self.tainted_parameters.values()),
                sum(len(p) for p in self.returns_text.values()))

    def run(self) -> set[tuple[str, int, str, str]]:
        while True:
            before = self._progress()
            for scope in self.scopes:
                self._sinks(scope)
            if self._progress() == before:
                return self.problems

    def _sinks(self, scope: Scope) -> None:
        nodes = ast.walk(scope.node) if not isinstance(scope.node, ast.Module) else (
            n for statement in scope.node.body if not isinstance(statement, (ast.FunctionDef, ast.ClassDef))
            for n in ast.walk(statement))
        for node in nodes:
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):  # raise ValueError(message)
                for argument in node.exc.args:
                    self.scan(scope, argument, "text")
            elif isinstance(node, ast.Raise) and node.exc is not None:
                self.scan(scope, node.exc, "text")
            elif isinstance(node, ast.FunctionDef) and node.name in self.returns_text:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        for path, mode in list(self.returns_text[node.name]):
                            self.scan(scope, inner.value, mode, path)
            elif isinstance(node, ast.Call):
                self._call_sink(scope, node)

    def _call_sink(self, scope: Scope, call: ast.Call) -> None:
        callee = _callee(call)
        if callee == "text":  # a catalogue entry is shown to a learner, and so is what fills it in
            self.scan(scope, call, "text")
        elif callee in SINK_CALLS:
            for argument in call.args + [k.value for k in call.keywords]:
                self.scan(scope, argument, "text")
        elif callee in VALIDATION:
            self._arguments(scope, call, VALIDATION[callee],
                            lambda p: "name" if p in NAME_PARAMETERS else "text" if p in TEXT_PARAMETERS else None)
        elif callee in self.tainted_parameters:
            parameters = self._parameters_of(callee)
            tainted = self.tainted_parameters[callee]
            self._arguments(scope, call, parameters, lambda p: tainted.get(p))

    def _parameters_of(self, function: str) -> list[str]:
        return _parameters(self.functions[function][0])

    def _arguments(self, scope: Scope, call: ast.Call, parameters: list[str], mode_of) -> None:
        for index, argument in enumerate(call.args):
            parameter = parameters[index] if index < len(parameters) else None
            mode = mode_of(parameter) if parameter else "text"
            if mode and mode != "key":
                self.scan(scope, argument, mode)
        for keyword in call.keywords:
            mode = mode_of(keyword.arg) if keyword.arg in parameters else (  # else: a field of **fields
                "name" if keyword.arg in NAME_FIELDS else "text")
            if mode and mode != "key":
                self.scan(scope, keyword.value, mode)

    def scan(self, scope: Scope, node: ast.AST, mode: str, path: tuple[int, ...] = ()) -> None:
        """Every literal in ``node`` (in its element at ``path``, if it is a tuple) reaches a learner, as text or,
        when ``mode`` is "name", as a Python name."""
        if (id(node), mode, path) in self.seen:
            return
        self.seen.add((id(node), mode, path))
        if path and isinstance(node, (ast.Tuple, ast.List)) and path[0] < len(node.elts):
            self.scan(scope, node.elts[path[0]], mode, path[1:])
        elif path and isinstance(node, ast.Call) and _callee(node) in self.functions:
            self.returns_text.setdefault(_callee(node), set()).add((path, mode))
        elif path and isinstance(node, ast.IfExp):
            self.scan(scope, node.body, mode, path)
            self.scan(scope, node.orelse, mode, path)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            self._check(scope, node, node.value, mode)
        elif isinstance(node, ast.JoinedStr):
            parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
            self._check(scope, node, "".join(parts), mode)
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    self.scan(scope, value.value, mode)
        elif isinstance(node, ast.Call):
            callee = _callee(node)
            if callee == "text":
                for keyword in node.keywords:
                    self.scan(scope, keyword.value, "name" if keyword.arg in NAME_FIELDS else "text")
                return
            if callee in VALIDATION or callee in SINK_CALLS:
                self._call_sink(scope, node)
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, (ast.Constant, ast.JoinedStr,
                                                                                      ast.Call)):
                self.scan(scope, node.func.value, mode)  # "…".join(…), text(…).split()
            if callee in self.functions:  # the package's own function: what it returns reaches the learner
                self.returns_text.setdefault(callee, set()).add(((), mode))  # (its arguments: as tainted parameters)
            elif isinstance(node.func, ast.Name) and node.func.id in scope.parameters:  # a function passed in:
                self._follow(scope, node.func.id, mode)  # its arguments may be names (convert(v, "size"))
                for argument in node.args + [k.value for k in node.keywords]:
                    self.scan(scope, argument, "name")
            elif callee in TEXT_BUILDERS:
                for argument in node.args + [k.value for k in node.keywords]:
                    self.scan(scope, argument, mode)
            elif callee == "repr":  # shows a Python value as code: a name may be one, a sentence may not
                for argument in node.args:
                    self.scan(scope, argument, "name")
        elif isinstance(node, ast.Name):
            self._follow(scope, node.id, mode)
        elif isinstance(node, ast.Subscript):
            self.scan(scope, node.value, mode)
        elif isinstance(node, ast.Dict):
            for value in node.values:
                self.scan(scope, value, mode)
        elif isinstance(node, ast.IfExp):
            self.scan(scope, node.body, mode)
            self.scan(scope, node.orelse, mode)
        elif isinstance(node, ast.BinOp):
            self.scan(scope, node.left, mode)
            self.scan(scope, node.right, mode)
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            for element in node.elts:
                self.scan(scope, element, mode)
        elif isinstance(node, (ast.GeneratorExp, ast.ListComp, ast.SetComp)):
            self.scan(scope, node.elt, mode)
        elif isinstance(node, ast.Lambda):
            self.scan(scope, node.body, mode)
        elif isinstance(node, ast.Starred):
            self.scan(scope, node.value, mode)

    def _follow(self, scope: Scope, name: str, mode: str) -> None:
        if name in scope.assignments:
            for value, path in scope.assignments[name]:
                self.scan(scope, value, mode, path)
        if name in scope.parameters:
            for function in self._functions_with_parameter(scope, name):
                self.tainted_parameters.setdefault(function, {})
                if self.tainted_parameters[function].get(name) != "text":
                    self.tainted_parameters[function][name] = mode
        elif name not in scope.assignments:
            top = self.module_level.get(scope.module, {})
            for value, path in top.get(name, []):
                self.scan(Scope(scope.module, scope.node, [], top), value, mode, path)

    @staticmethod
    def _functions_with_parameter(scope: Scope, name: str) -> list[str]:
        """The functions in ``scope`` with a parameter ``name`` (a class's ``__init__`` by the class's name too)."""
        found = [node.name for node in ast.walk(scope.node)
                 if isinstance(node, ast.FunctionDef) and name in _parameters(node)]
        return found + [scope.owner for function in found if function == "__init__" and scope.owner]

    def _check(self, scope: Scope, node: ast.AST, literal: str, mode: str) -> None:
        problem = literal_problem(literal, mode)
        if problem:
            self.problems.add((scope.module, getattr(node, "lineno", 0), problem, literal))


def problems_in(sources: dict[str, str]) -> list[str]:
    return sorted(f"{module}:{line}: {why}: {literal!r}" for module, line, why, literal in Scanner(sources).run())


def package_sources() -> dict[str, str]:
    return {str(path.relative_to(PACKAGE)): path.read_text(encoding="utf-8") for path in scanned_modules()}


def test_the_scan_covers_the_modules_that_speak_to_a_learner():
    names = set(package_sources())
    for module in ("validation.py", "padding.py", "training.py", "effective_rf.py", "receptive_field.py",
                   "checks/verdict.py", "checks/lesson04_receptive_fields.py"):
        assert module in names
    assert not any(name.startswith(("explorers", "figures")) or name in ("cli.py", "lessons.py") for name in names)


def test_no_user_facing_text_is_written_into_the_code():
    assert problems_in(package_sources()) == []


# A reintroduced literal is found: each edit puts back text the catalogue now holds.
REINTRODUCED = [
    ("checks/lesson01_cross_correlation.py", 'return False, text("check.lesson01.kernel_shape.too_large")',
     'return False, "That kernel is larger than the input."'),
    ("checks/lesson04_receptive_fields.py",
     'way = text("check.lesson04.field.small" if value < truth else "check.lesson04.field.large")',
     'way = "small" if value < truth else "large"'),
    ("checks/lesson02_edge_detection.py", 'raise _Reject(text("check.lesson02.diagonal.too_small", '
     'shape=_shape_text(image.shape)))', 'raise _Reject(f"The image X ({_shape_text(image.shape)}) is too small.")'),
    ("padding.py", 'raise TypeError(message(name, text("padding.pair"), describe(value)))',
     'raise TypeError(message(name, "one whole number or a pair", describe(value)))'),
    ("training.py", 'what = text("training.diverged.overflowed")', 'what = "overflowed to inf/nan"'),
    ("validation.py", 'return text("validation.size.bytes", count=int(nbytes))', 'return f"{int(nbytes)} bytes"'),
    ("checks/verdict.py", 'tensor = as_matrix(tensor, text("check.your_answer"))',
     'tensor = as_matrix(tensor, "your answer")'),
    ("checks/lesson03_learning_a_kernel.py", 'return False, text("check.lesson03.fastest_lr.limit")',
     'return False, "That is the stability limit."'),
    ("checks/lesson06_effective_receptive_fields.py",
     'value = _number_answer(answer, text("check.lesson06.erf_growth.what"))',
     'value = _number_answer(answer, "a number (the growth factor)")'),
    ("effective_rf.py", 'raise ValueError(text("effective_rf.switched_off", depth=depth, count=count))',
     'raise ValueError(f"nonlinearity: 深度 {depth} 的中心输出被关闭了")'),
    ("checks/lesson04_receptive_fields.py", 'return text(f"check.lesson04.stack.{name}", value=values[0])',
     'return f", {name} {values[0]}"'),
]


@pytest.mark.parametrize(("module", "old", "new"), REINTRODUCED, ids=[f"{m}:{n[:30]}" for m, _, n in REINTRODUCED])
def test_a_reintroduced_literal_is_found(module, old, new):
    sources = package_sources()
    assert sources[module].count(old) == 1, f"the edit no longer applies to {module}: {old}"
    sources[module] = sources[module].replace(old, new)
    found = problems_in(sources)
    assert len(found) >= 1 and all(module in problem for problem in found), found


def test_names_and_code_may_appear_but_words_may_not():
    assert literal_problem("kernel_shape", "name") is None
    assert literal_problem("input_shape, kernel_shape", "name") is None
    assert literal_problem("kernels[{}]", "name") is None
    assert literal_problem("corr2d(X, K)", "text") is None
    assert literal_problem("K = {}", "text") is None
    assert literal_problem("{}×{}", "text") is None
    assert literal_problem("rows", "text") == "text in the code"
    assert literal_problem("your answer", "name") == "text in the code"
    assert literal_problem("not yet", "text") == "text in the code"
    assert literal_problem("卷积核", "text") == "Chinese text in the code"
