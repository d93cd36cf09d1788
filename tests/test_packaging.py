"""An installed conv-lessons carries its lessons: the wheel holds every notebook and the command.

The wheel is built from a copy of the sources (so this checkout gets no build/ folder), installed
with ``pip --target`` into a temporary folder (no dependencies: this environment's torch etc. are
used), and the installed package must find its notebooks inside itself and copy them for a learner.
A source checkout / editable install (the package imported from the checkout) reads them from the
checkout's notebooks/ folder instead.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

from conv_lessons import cli, effective_rf, fonts
from conv_lessons.lessons import PACKAGE_PATTERNS, lesson_files

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
LESSONS = lesson_files(REPO / "notebooks")
#: The Chinese edition, relative to notebooks/ (zh/index.ipynb, …).
LESSONS_ZH = [Path("zh") / rel for rel in lesson_files(REPO / "notebooks" / "zh")]


def test_every_sub_package_is_in_the_package_list():
    """The package list is explicit (for the notebooks mapping): a new sub-package must be added to it,
    or it would silently be missing from the wheel."""
    on_disk = {
        ".".join(d.relative_to(REPO).parts)
        for d in [REPO / "conv_lessons", *(REPO / "conv_lessons").rglob("*")]
        if d.is_dir() and d.name != "__pycache__" and any(d.glob("*.py"))
    }
    listed = set(SETUPTOOLS["packages"])
    assert on_disk <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(on_disk - listed)}"
    assert SETUPTOOLS["package-dir"] == {"conv_lessons.notebooks": "notebooks"}
    assert sorted(SETUPTOOLS["package-data"]["conv_lessons.notebooks"]) == sorted(PACKAGE_PATTERNS)


def test_the_command_is_declared():
    assert PYPROJECT["project"]["scripts"] == {"conv-lessons": "conv_lessons.cli:main"}
    assert callable(cli.main)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """conv-lessons built as a wheel from a copy of the sources and installed into a folder."""
    work = tmp_path_factory.mktemp("packaging")
    src = work / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for name in ("conv_lessons", "notebooks"):
        shutil.copytree(REPO / name, src / name, ignore=ignore)
    dist = work / "dist"
    build = subprocess.run(
        [sys.executable, "-c", "import sys; from setuptools import build_meta as b; print(b.build_wheel(sys.argv[1]))",
         str(dist)], cwd=src, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-3000:]
    wheel = dist / build.stdout.strip().splitlines()[-1]
    target = work / "site"
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                          "--target", str(target), str(wheel)], capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stderr[-3000:]
    return wheel


def test_the_wheel_holds_every_notebook_module_and_the_command(installed):
    assert len(LESSONS_ZH) == len(LESSONS) >= 13
    with zipfile.ZipFile(installed) as wheel:
        names = set(wheel.namelist())
        for rel in [*LESSONS, *LESSONS_ZH]:
            name = f"conv_lessons/notebooks/{rel.as_posix()}"
            assert name in names, f"{rel} is not in the wheel"
            assert wheel.read(name) == (REPO / "notebooks" / rel).read_bytes()
        modules = {p.relative_to(REPO).as_posix() for p in (REPO / "conv_lessons").rglob("*.py")}
        assert modules <= names, f"modules missing from the wheel: {sorted(modules - names)}"
        for path in [*fonts.font_paths(), fonts.font_paths()[0].parent / "OFL.txt",  # Chinese figures' font
                     effective_rf.TABLE_PATH]:  # the effective-RF explorer's precomputed settings
            name = path.relative_to(REPO).as_posix()
            assert name in names and wheel.read(name) == path.read_bytes(), f"{name} is not in the wheel"
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "conv-lessons = conv_lessons.cli:main" in wheel.read(entry_points).decode()


def _run_installed(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_installed_package_copies_its_own_notebooks(installed, tmp_path):
    site = installed.parent.parent / "site"
    found = _run_installed(site, sys.executable, "-c",
                           "import conv_lessons.lessons as l; print(l.__file__); print(l.lessons_dir())", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    module, shipped = found.stdout.split()
    assert Path(module).is_relative_to(site) and Path(shipped) == site / "conv_lessons" / "notebooks"
    learner = tmp_path / "my lessons"  # a space in the path, as on many laptops
    copied = _run_installed(site, str(site / "bin" / "conv-lessons"), "copy", str(learner), cwd=tmp_path)
    assert copied.returncode == 0, copied.stderr
    for rel in LESSONS:
        assert filecmp.cmp(learner / rel, REPO / "notebooks" / rel, shallow=False), rel
    assert not (learner / "zh").exists()  # English by default
    copied = _run_installed(site, str(site / "bin" / "conv-lessons"), "copy", str(learner), "--lang", "zh",
                            cwd=tmp_path)
    assert copied.returncode == 0, copied.stderr
    for rel in LESSONS_ZH:
        assert filecmp.cmp(learner / rel, REPO / "notebooks" / rel, shallow=False), rel
    # The installed package draws Chinese with its own font.
    font = _run_installed(site, sys.executable, "-c", "import conv_lessons.fonts as f; print(f.font_paths()[0])",
                          cwd=tmp_path)
    assert font.returncode == 0 and Path(font.stdout.strip()) == site / "conv_lessons" / "fonts" / fonts.FONT_FILES[0]


def test_the_installed_package_reads_its_effective_rf_table(installed, tmp_path):
    site = installed.parent.parent / "site"
    code = ("from conv_lessons.effective_rf import TABLE_PATH, _setting, _tabulated; print(TABLE_PATH); "
            "print(_tabulated(_setting(16, 5, 'random', 'relu', None, 0)[0]) is not None)")
    found = _run_installed(site, sys.executable, "-c", code, cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == [str(site / "conv_lessons" / "data" / effective_rf.TABLE_PATH.name), "True"]


def test_a_source_checkout_reads_the_checkout_notebooks(tmp_path):
    """An editable install imports conv_lessons from the checkout, where conv_lessons/notebooks/ does
    not exist: the lessons come from the checkout's notebooks/ folder."""
    checkout = tmp_path / "checkout"
    shutil.copytree(REPO / "conv_lessons", checkout / "conv_lessons",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "notebooks", checkout / "notebooks")
    shutil.copy2(REPO / "pyproject.toml", checkout)
    found = _run_installed(checkout, sys.executable, "-c", "import conv_lessons.lessons as l; print(l.lessons_dir())",
                           cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()) == checkout / "notebooks"
