"""Helpers shared by the command-line tests (test_cli.py, test_lab.py, test_cli_imports.py)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conv_lessons import cli
from conv_lessons.lessons import MANIFEST, lesson_files, lessons_dir

REPO = Path(__file__).resolve().parents[1]
SHIPPED = lessons_dir()
FILES = lesson_files()
#: The Chinese edition: its folder and its lessons (relative to that folder).
SHIPPED_ZH = lessons_dir("zh")
FILES_ZH = lesson_files(language="zh")

# Root ignores permission bits; without these two capabilities it obeys them like anyone else.
DROP_ROOT_OVERRIDE = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                      "--bounding-set=-dac_override,-dac_read_search", "--"]


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def tree(folder: Path) -> dict[str, bytes]:
    """Every file in the folder but conv-lessons' own hidden bookkeeping file."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def edit(path: Path, text: str = "my own note") -> bytes:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"].append({"cell_type": "markdown", "id": "learner-note", "metadata": {}, "source": text})
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path.read_bytes()


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected a one-line error, got:\n{err}"
    assert lines[0].startswith("conv-lessons"), lines[0]
    return lines[0]


def temp_files(folder: Path) -> list[Path]:
    """conv-lessons' temporary files anywhere under ``folder``."""
    return sorted(folder.rglob(".conv-lessons-*.tmp"))


def unprivileged() -> list[str]:
    """A command prefix that makes a process obey file permissions: nothing for a normal user;
    as root, util-linux setpriv without the capabilities that let root read and write anywhere."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root, which can read and write anywhere, and util-linux setpriv is missing")
    return DROP_ROOT_OVERRIDE
