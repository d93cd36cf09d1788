"""The command line starts without PyTorch, and the package's public names stay what they were.

``conv_lessons/__init__`` loads its public names on first use, so ``conv-lessons --version`` and
``python -m conv_lessons list`` no longer wait for PyTorch (about 1 s).  Every public name must
still be importable, and ``conv_lessons.receptive_field`` must be the function, not the
same-named module, whatever was imported before.  Each case runs in a fresh interpreter: what a
module imports is only visible in a process that has not imported it yet.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import conv_lessons

HEAVY = ("torch", "numpy", "matplotlib", "ipywidgets")
SCRIPT = Path(sys.executable).with_name("conv-lessons")  # the console script pip installed


def imported_modules(command: list[str]) -> set[str]:
    """Every module ``command`` (a Python program) imports, from ``-X importtime``'s report."""
    run = subprocess.run(command, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPROFILEIMPORTTIME="1"))
    assert run.returncode == 0, run.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines()
            if line.startswith("import time:") and line.count("|") == 2}


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["list"], ["copy", "{tmp}"], ["copy", "--help"],
                                  ["lab", "--help"], ["copy", "{tmp}", "--lang", "zh"], ["list", "--lang", "zh"]],
                         ids=" ".join)
@pytest.mark.parametrize("how", ["python -m conv_lessons", "conv-lessons"])
def test_the_command_line_does_not_import_torch(tmp_path, how, args):
    if how == "conv-lessons" and not SCRIPT.exists():
        pytest.skip(f"no console script next to {sys.executable}")
    start = [sys.executable, "-m", "conv_lessons"] if how.startswith("python") else [str(SCRIPT)]
    modules = imported_modules([*start, *(a.format(tmp=tmp_path / "lessons") for a in args)])
    assert "conv_lessons.cli" in modules  # the report was read
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == [], f"{how} {' '.join(args)} imports {heavy[:5]}"


CHECK = """
import sys, types
import conv_lessons
assert callable(receptive_field) and not isinstance(receptive_field, types.ModuleType), receptive_field
assert receptive_field([3, 3]) == 5
assert conv_lessons.receptive_field is receptive_field
assert sys.modules["conv_lessons.receptive_field"].receptive_field is receptive_field
"""

ORDERS = {
    "the submodule first": "import conv_lessons.receptive_field\nfrom conv_lessons import receptive_field",
    "the name first": "from conv_lessons import receptive_field\nimport conv_lessons.receptive_field",
    "attribute access": "import conv_lessons\nreceptive_field = conv_lessons.receptive_field",
    "from the submodule": ("from conv_lessons.receptive_field import receptive_field_region\n"
                           "import conv_lessons\nreceptive_field = conv_lessons.receptive_field"),
    "importlib": ("import importlib\nimportlib.import_module('conv_lessons.receptive_field')\n"
                  "from conv_lessons import receptive_field"),
    "another module imports it": "import conv_lessons.effective_rf\nfrom conv_lessons import receptive_field",
    "an explorer imports it": ("from conv_lessons.explorers import receptive_field_explorer\n"
                               "import conv_lessons.explorers.receptive_field\n"
                               "import conv_lessons\nreceptive_field = conv_lessons.receptive_field"),
    "star import": "from conv_lessons import *",
}


@pytest.mark.parametrize("order", list(ORDERS))
def test_receptive_field_is_the_function_in_every_import_order(order):
    run = subprocess.run([sys.executable, "-c", ORDERS[order] + CHECK], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]


def test_every_public_name_is_importable_and_import_alone_is_light():
    script = """
import sys, types
import conv_lessons
assert not [m for m in sys.modules if m.split(".")[0] == "torch"], "import conv_lessons imported torch"
for name in conv_lessons.__all__:
    namespace = {}
    exec(f"from conv_lessons import {name}", namespace)
    assert namespace[name] is getattr(conv_lessons, name), name
    assert not isinstance(namespace[name], types.ModuleType), name
assert set(conv_lessons.__all__) <= set(dir(conv_lessons))
assert conv_lessons.correlation.corr2d is conv_lessons.corr2d  # submodules reachable as attributes
try:
    conv_lessons.no_such_name
except AttributeError as error:
    assert "no_such_name" in str(error)
else:
    raise AssertionError("conv_lessons.no_such_name did not raise AttributeError")
print(len(conv_lessons.__all__))
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert int(run.stdout) == len(conv_lessons.__all__) >= 33
