"""The lesson notebooks that ship with the package, and a safe way to copy them for a learner.

An installed ``conv-lessons`` carries its notebooks as package data (``conv_lessons/notebooks/``,
mapped from the repository's top-level ``notebooks/`` folder by ``pyproject.toml``).  In a source
checkout or an editable install that folder does not exist inside the package, and the notebooks
are read from the checkout's ``notebooks/`` folder instead.

:func:`copy_lessons` gives a learner their own copy and never destroys what they wrote: a file
they already have is only ever left alone or, with ``refresh=True``, moved aside into a
timestamped backup folder before the pristine notebook is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

__all__ = [
    "CopyError",
    "CopyReport",
    "copy_lessons",
    "has_lessons",
    "lesson_files",
    "lesson_title",
    "lessons_dir",
    "reading_order",
]

PACKAGE_DIR = Path(__file__).resolve().parent
#: Which files count as lessons (the same patterns pyproject.toml ships as package data).
PATTERNS = ("*.ipynb", "solutions/*.ipynb")
BACKUP_FOLDER = "backups"
#: Hidden file in the learner's folder: a fingerprint of each lesson as it was copied there, so a
#: later copy can tell "you changed this" from "the lesson was updated since you copied it".
MANIFEST = ".conv-lessons.json"
_LESSON_NAME = re.compile(r"^(\d+)_.*\.ipynb$")


class CopyError(Exception):
    """A copy that cannot be done as asked; the message is one line saying what and how to fix it."""


def _has_notebooks(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*.ipynb"))


def lessons_dir() -> Path:
    """The folder holding the pristine lesson notebooks this installation ships.

    Returns the package-data folder of an installed package, else (source checkout or editable
    install) the checkout's top-level ``notebooks/`` folder.  Raises ``FileNotFoundError`` when
    neither holds any notebook (a broken installation).
    """
    shipped = PACKAGE_DIR / "notebooks"
    if _has_notebooks(shipped):
        return shipped
    checkout = PACKAGE_DIR.parent / "notebooks"
    if _has_notebooks(checkout) and (PACKAGE_DIR.parent / "pyproject.toml").is_file():
        return checkout
    raise FileNotFoundError(
        f"no lesson notebooks found in {shipped} or {checkout}: this conv-lessons installation is "
        "incomplete; reinstall it (pip install --force-reinstall conv-lessons)"
    )


def reading_order(paths: list[Path]) -> list[Path]:
    """Sort lesson paths the way a learner reads them: the index, the numbered lessons in order,
    other top-level notebooks, then each folder (e.g. ``solutions/``) in the same order."""

    def key(path: Path) -> tuple:
        depth = len(path.parts) - 1
        match = _LESSON_NAME.match(path.name)
        if path.name == "index.ipynb":
            rank: tuple = (0, 0, "")
        elif match:
            rank = (1, int(match.group(1)), path.name)
        else:
            rank = (2, 0, path.name)
        return (depth, path.parent.as_posix(), *rank)

    return sorted(paths, key=key)


def lesson_files(source: Path | None = None) -> list[Path]:
    """The lesson notebooks, as paths relative to ``source`` (default: :func:`lessons_dir`), in
    reading order: ``index.ipynb``, ``01_….ipynb`` …, then ``solutions/….ipynb``."""
    root = lessons_dir() if source is None else Path(source)
    found = {p.relative_to(root) for pattern in PATTERNS for p in root.glob(pattern) if p.is_file()}
    return reading_order(list(found))


def lesson_title(path: Path) -> str:
    """The first Markdown heading of a notebook (``# 01 Cross-correlation`` → ``01 Cross-correlation``),
    or the file name without ``.ipynb`` when there is none."""
    try:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else source
            for line in text.splitlines():
                match = re.match(r"^#{1,2}\s+(.+?)\s*#*\s*$", line)
                if match:
                    return match.group(1)
    except (OSError, ValueError):
        pass
    return Path(path).stem


def has_lessons(folder: Path, source: Path | None = None) -> bool:
    """Whether ``folder`` already holds any of the lesson notebooks (edited or not)."""
    folder = Path(folder)
    return any((folder / rel).exists() for rel in lesson_files(source))


@dataclass
class CopyReport:
    """What :func:`copy_lessons` did, file by file (paths relative to the target folder)."""

    target: Path
    copied: list[Path] = field(default_factory=list)  # new files written
    unchanged: list[Path] = field(default_factory=list)  # already there, same as the pristine lesson
    kept: list[Path] = field(default_factory=list)  # already there and different: left alone
    outdated: list[Path] = field(default_factory=list)  # those of ``kept`` the learner never changed
    refreshed: list[Path] = field(default_factory=list)  # learner's file backed up, pristine written
    backup_dir: Path | None = None  # where refreshed files' old versions went


def _same_notebook(a: bytes, b: bytes) -> bool:
    """Byte-identical, or the same JSON document (JupyterLab may re-indent a file it saves)."""
    if a == b:
        return True
    try:
        return json.loads(a) == json.loads(b)
    except ValueError:
        return False


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(target: Path) -> dict[str, str]:
    try:
        files = json.loads((target / MANIFEST).read_text(encoding="utf-8")).get("files", {})
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_manifest(target: Path, files: dict[str, str]) -> None:
    """Our own bookkeeping file (never a learner's): replaced atomically."""
    fd, tmp = tempfile.mkstemp(prefix=".conv-lessons-", suffix=".tmp", dir=target)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"about": "conv-lessons: the lessons as copied here (do not edit)", "files": files},
                      handle, indent=1, sort_keys=True)
        os.replace(tmp, target / MANIFEST)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` only if ``path`` does not exist yet; never a half-written file.

    The bytes go to a temporary file in the same folder first, then are hard-linked into place
    (``os.link`` fails if the name exists, so a file that appeared meanwhile is never replaced).
    """
    fd, tmp = tempfile.mkstemp(prefix=".conv-lessons-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create instead
            with open(path, "xb") as handle:
                handle.write(data)
    finally:
        os.unlink(tmp)


def _backup_folder(target: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    base = target / BACKUP_FOLDER / stamp
    candidate, n = base, 1
    while candidate.exists():
        candidate = base.with_name(f"{stamp}-{n}")
        n += 1
    return candidate


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise CopyError(f"{target} is a file, not a folder: give the name of a folder (it is created if missing)")
    if target.is_dir() and not os.access(target, os.W_OK | os.X_OK):
        raise CopyError(f"cannot write into {target} (permission denied): choose a folder you own, "
                        "e.g. ~/conv-lessons")


def copy_lessons(
    target: Path,
    refresh: bool = False,
    only: list[str] | None = None,
    source: Path | None = None,
    now: datetime | None = None,
) -> CopyReport:
    """Copy the pristine lesson notebooks into ``target`` (created if missing), keeping the learner's work.

    A notebook the learner does not have yet is written.  One they have that is the same as the
    pristine lesson is skipped.  One that differs (they edited or ran it) is left alone and listed
    in ``report.kept`` (and also in ``report.outdated`` when it is exactly the lesson as an earlier
    copy wrote it, so the learner never changed it and the lesson has been updated since) -- unless
    ``refresh`` is true: then their file is first *moved* to
    ``target/backups/<YYYYmmdd-HHMMSS>/`` (same relative path) and the pristine lesson written in
    its place (``report.refreshed``, ``report.backup_dir``).  Nothing is ever deleted or overwritten.

    ``only`` restricts the copy to some lessons: each entry is a file name (``02_edge_detection.ipynb``),
    a stem (``02_edge_detection``), a lesson number (``2`` or ``02``) or a relative path
    (``solutions/02_edge_detection.ipynb``).  ``source`` is the folder of pristine notebooks
    (default :func:`lessons_dir`).  Raises :class:`CopyError` (one-line message) for a target that
    is a file or cannot be written, and for an ``only`` entry that names no lesson.
    """
    target = Path(target).expanduser().absolute()
    root = lessons_dir() if source is None else Path(source)
    files = lesson_files(root)
    if only:
        files = _select(files, only)
    _check_target(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise CopyError(f"{target} cannot be created: a file is in the way ({_blocking_file(target)})") from None
    except PermissionError:
        raise CopyError(f"cannot create {target} (permission denied): choose a folder you own, "
                        "e.g. ~/conv-lessons") from None
    except OSError as error:
        raise CopyError(f"cannot create {target}: {error.strerror or error}") from None
    _check_target(target)

    report = CopyReport(target=target)
    manifest = _read_manifest(target)
    backup_root: Path | None = None
    now = now or datetime.now()
    try:
        for rel in files:
            pristine = (root / rel).read_bytes()
            dest = target / rel
            if dest.parent.exists() and not dest.parent.is_dir():
                raise CopyError(f"{dest.parent} is a file, so {rel.as_posix()} cannot be copied: rename that file")
            dest.parent.mkdir(parents=True, exist_ok=True)
            key = rel.as_posix()
            if not dest.exists() and not dest.is_symlink():
                _write_new(dest, pristine)
                report.copied.append(rel)
                manifest[key] = _fingerprint(pristine)
                continue
            theirs = dest.read_bytes() if dest.is_file() and not dest.is_symlink() else None
            if theirs is not None and _same_notebook(theirs, pristine):
                report.unchanged.append(rel)
                manifest[key] = _fingerprint(theirs)
                continue
            if not refresh:
                report.kept.append(rel)
                if theirs is not None and manifest.get(key) == _fingerprint(theirs):
                    report.outdated.append(rel)
                continue
            if backup_root is None:
                backup_root = _backup_folder(target, now)
            backup = backup_root / rel
            backup.parent.mkdir(parents=True, exist_ok=True)
            os.rename(dest, backup)  # a move on the same file system: the learner's bytes are untouched
            _write_new(dest, pristine)
            report.refreshed.append(rel)
            manifest[key] = _fingerprint(pristine)
    except PermissionError as error:
        where = error.filename or target
        raise CopyError(f"cannot write {where} (permission denied): choose a folder you own, "
                        "e.g. ~/conv-lessons") from None
    except FileExistsError as error:  # appeared while we were writing: theirs, leave it
        raise CopyError(f"{error.filename} appeared while copying; run the copy again") from None
    except OSError as error:
        raise CopyError(f"cannot copy into {target}: {error.strerror or error}"
                        + (f" ({error.filename})" if error.filename else "")) from None
    finally:
        if report.copied or report.unchanged or report.refreshed:
            _write_manifest(target, manifest)
    report.backup_dir = backup_root
    return report


def _blocking_file(path: Path) -> Path:
    for parent in [path, *path.parents]:
        if parent.exists():
            return parent
    return path


def _select(files: list[Path], only: list[str]) -> list[Path]:
    chosen: list[Path] = []
    for wanted in only:
        text = wanted.strip().replace("\\", "/")
        matches = [
            rel for rel in files
            if text in (rel.as_posix(), rel.name, rel.stem, rel.as_posix().removesuffix(".ipynb"))
            or (text.isdigit() and (m := _LESSON_NAME.match(rel.name)) and int(m.group(1)) == int(text)
                and len(rel.parts) == 1)
        ]
        if not matches:
            names = ", ".join(rel.as_posix() for rel in files)
            raise CopyError(f"--only {wanted!r} names no lesson; choose from: {names}")
        chosen.extend(m for m in matches if m not in chosen)
    return reading_order(chosen)
