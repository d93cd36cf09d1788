"""The lesson notebooks that ship with the package, and a safe way to copy them for a learner.

An installed ``conv-lessons`` carries its notebooks as package data (``conv_lessons/notebooks/``,
mapped from the repository's top-level ``notebooks/`` folder by ``pyproject.toml``).  In a source
checkout or an editable install that folder does not exist inside the package, and the notebooks
are read from the checkout's ``notebooks/`` folder instead.  Each edition of the lessons has its
folder there (:data:`EDITIONS`): the English lessons at the top, the Chinese ones in ``zh/``, with the
same file names; a learner's copy keeps the same layout.

:func:`copy_lessons` gives a learner their own copy and never destroys what they wrote: a file
they already have is only ever left alone or, with ``refresh=True``, moved aside into a
timestamped backup folder before the pristine notebook is written.  It holds when two copies run
at once and when one is killed half-way: every file is written under a temporary name and moved
into place by a rename that refuses to replace an existing path, and each run claims its own backup
folder.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import itertools
import json
import os
import re
import stat
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

__all__ = [
    "EDITIONS",
    "CopyError",
    "CopyReport",
    "copy_lessons",
    "edition_folder",
    "has_lessons",
    "lesson_files",
    "lesson_title",
    "lessons_dir",
    "reading_order",
]

PACKAGE_DIR = Path(__file__).resolve().parent
#: Which files of an edition's folder count as lessons.
PATTERNS = ("*.ipynb", "solutions/*.ipynb")
#: The editions of the lessons: language → its folder inside the lessons folder ("": the folder itself).
#: English is the default; the Chinese edition has the same lessons under the same file names.
EDITIONS = {"en": "", "zh": "zh"}
_EDITION_NAMES = {"en": "English", "zh": "Chinese (中文)"}
#: Every edition's lessons: the patterns pyproject.toml ships as package data.
PACKAGE_PATTERNS = tuple(f"{folder}/{pattern}" if folder else pattern
                         for folder in EDITIONS.values() for pattern in PATTERNS)
BACKUP_FOLDER = "backups"
#: Hidden file in the learner's folder: a fingerprint of each lesson as it was copied there, so a
#: later copy can tell "you changed this" from "the lesson was updated since you copied it".
MANIFEST = ".conv-lessons.json"
_LESSON_NAME = re.compile(r"^(\d+)_.*\.ipynb$")
#: A notebook is written to a hidden temporary file in its folder, then moved into place.  The name
#: carries a tag of this machine and the writer's process id, so that a later copy can tell the
#: leftover of a killed copy (removed) from a file another copy is writing right now (left alone).
TEMP_PREFIX = ".conv-lessons-"
TEMP_SUFFIX = ".tmp"
_TEMP_NAME = re.compile(r"^\.conv-lessons-([0-9a-f]{8})-(\d+)-[0-9a-f]+\.tmp$")
#: A temporary file older than this (seconds) is a leftover whatever its name says (written on
#: another machine sharing the folder, or by an older version): writing a notebook takes milliseconds.
STALE_AFTER = 3600.0


class CopyError(Exception):
    """A copy that cannot be done as asked; the message is one line saying what and how to fix it."""


def _has_notebooks(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*.ipynb"))


def edition_folder(language: str) -> str:
    """The folder of the ``language`` edition inside the lessons folder: ``""`` for ``"en"``, ``"zh"``
    for ``"zh"``.  Raises ``ValueError`` naming the editions there are."""
    if language not in EDITIONS:
        raise ValueError(f"language: expected one of {list(EDITIONS)} (en English, zh 中文), got {language!r}")
    return EDITIONS[language]


def lessons_dir(language: str = "en") -> Path:
    """The folder holding the pristine lesson notebooks of the ``language`` edition (``"en"``, the
    default, or ``"zh"``) this installation ships.

    Returns (a sub-folder of) the package-data folder of an installed package, else (source checkout
    or editable install) of the checkout's top-level ``notebooks/`` folder.  Raises
    ``FileNotFoundError`` when it holds no notebook (a broken installation).
    """
    folder = edition_folder(language)
    shipped = PACKAGE_DIR / "notebooks"
    checkout = PACKAGE_DIR.parent / "notebooks"
    if _has_notebooks(shipped):
        base = shipped
    elif _has_notebooks(checkout) and (PACKAGE_DIR.parent / "pyproject.toml").is_file():
        base = checkout
    else:
        raise FileNotFoundError(
            f"no lesson notebooks found in {shipped} or {checkout}: this conv-lessons installation is "
            "incomplete; reinstall it (pip install --force-reinstall conv-lessons)"
        )
    if not _has_notebooks(base / folder):
        raise FileNotFoundError(
            f"no {_EDITION_NAMES[language]} lessons found in {base / folder}: this conv-lessons installation "
            "is incomplete; reinstall it (pip install --force-reinstall conv-lessons)"
        )
    return base / folder


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


def lesson_files(source: Path | None = None, language: str = "en") -> list[Path]:
    """The lesson notebooks of one edition, as paths relative to ``source`` (default: the ``language``
    edition's folder, :func:`lessons_dir`), in reading order: ``index.ipynb``, ``01_….ipynb`` …, then
    ``solutions/….ipynb``.  Another edition's sub-folder (``zh/``) is not part of it."""
    root = lessons_dir(language) if source is None else Path(source)
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
    unreadable: list[Path] = field(default_factory=list)  # those of ``kept`` we may not read: left alone
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
    """Our own bookkeeping file (never a learner's): replaced atomically; a failure only loses the record."""
    data = json.dumps({"about": "conv-lessons: the lessons as copied here (do not edit)", "files": files},
                      indent=1, sort_keys=True).encode("utf-8")
    try:
        tmp = _write_temp(target, data)
    except OSError:
        return
    try:
        os.replace(tmp, target / MANIFEST)
    except OSError:
        _remove(tmp)


# ------------------------------------------------------------------ writing without replacing


@functools.cache
def _host_tag() -> str:
    """A short tag of this machine's name (temporary files on a folder shared between machines)."""
    name = os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")
    return hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:8]


def _write_temp(folder: Path, data: bytes) -> Path:
    """Write ``data`` to a new hidden temporary file in ``folder`` and return its path.

    The file is created with mode 0o666 like any new file, so the user's umask (or the folder's
    default ACL) decides who may read the notebook it becomes (``tempfile.mkstemp`` would give 0600,
    which a teacher or a group sharing the folder could not read).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = folder / f"{TEMP_PREFIX}{_host_tag()}-{os.getpid()}-{os.urandom(4).hex()}{TEMP_SUFFIX}"
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _process_is_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this machine (False when that cannot be told)."""
    if os.name == "nt":  # os.kill(pid, 0) would *terminate* the process on Windows
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it runs, as another user
        return False
    return False


def _remove_leftovers(folder: Path) -> list[Path]:
    """Delete the temporary files that a killed copy (``kill -9``, a crash, a power cut) left in
    ``folder``: ours whose process no longer runs on this machine, and any older than
    :data:`STALE_AFTER`.  A file a running copy is still writing is left alone.  Returns those removed."""
    removed: list[Path] = []
    try:
        candidates = sorted(folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"))
    except OSError:
        return removed
    now = time.time()
    for path in candidates:
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        match = _TEMP_NAME.match(path.name)
        orphan = match is not None and match.group(1) == _host_tag() and _process_is_gone(int(match.group(2)))
        if orphan or now - info.st_mtime > STALE_AFTER:
            try:
                os.unlink(path)
                removed.append(path)
            except OSError:
                pass
    return removed


_AT_FDCWD = -100  # Linux <fcntl.h>
_RENAME_NOREPLACE = 1  # Linux <linux/fs.h>
_RENAME_EXCL = 0x4  # macOS <stdio.h>
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}


@functools.cache
def _native_rename_no_replace():  # -> Callable[[bytes, bytes], int] | None
    """The C library's rename that fails if the destination exists, as ``f(src, dst) -> errno``
    (0 on success): ``renameat2(..., RENAME_NOREPLACE)`` on Linux (glibc 2.28+), ``renamex_np(...,
    RENAME_EXCL)`` on macOS; ``None`` elsewhere or when the C library lacks it."""
    if not (sys.platform.startswith("linux") or sys.platform == "darwin"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
    except (ImportError, OSError):
        return None
    if sys.platform == "darwin":
        function = getattr(libc, "renamex_np", None)
        if function is None:
            return None
        function.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]

        def call(src: bytes, dst: bytes) -> int:
            return 0 if function(src, dst, _RENAME_EXCL) == 0 else ctypes.get_errno()
    else:
        function = getattr(libc, "renameat2", None)
        if function is None:
            return None
        function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]

        def call(src: bytes, dst: bytes) -> int:
            return 0 if function(_AT_FDCWD, src, _AT_FDCWD, dst, _RENAME_NOREPLACE) == 0 else ctypes.get_errno()
    function.restype = ctypes.c_int
    return call


def _move_no_replace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``; raise ``FileExistsError`` (and change nothing) if ``dst`` exists.

    ``os.rename`` silently replaces an existing file on POSIX; this never does.  Linux:
    ``renameat2(RENAME_NOREPLACE)``; macOS: ``renamex_np(RENAME_EXCL)``; Windows: ``os.rename``, which
    refuses an existing destination by itself.  Where the file system offers none of these (some
    network or FAT file systems), a hard link (which cannot replace a file either) and then removing
    the old name; a folder there is moved by checking first, the one step that is not atomic.
    """
    if os.name == "nt":
        os.rename(src, dst)
        return
    native = _native_rename_no_replace()
    if native is not None:
        code = native(os.fsencode(src), os.fsencode(dst))
        if code == 0:
            return
        if code not in _UNSUPPORTED:
            raise OSError(code, os.strerror(code), str(src), None, str(dst))
    try:
        os.link(src, dst, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError:  # no hard links here, or src is a folder
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from None
        os.rename(src, dst)
        return
    os.unlink(src)


def _write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` only if ``path`` does not exist yet; never a half-written file.

    The bytes go to a temporary file in the same folder first, then are moved into place by
    :func:`_move_no_replace`, so a file that appeared meanwhile is never replaced (``FileExistsError``).
    """
    tmp = _write_temp(path.parent, data)
    try:
        _move_no_replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def _backup_folder(target: Path, now: datetime) -> Path:
    """Create and return a new, empty folder ``target/backups/<YYYYmmdd-HHMMSS>`` (``…-2``, ``…-3``
    when that name is taken).  Each is claimed with a plain ``mkdir``, which fails when the folder
    exists, so two copies running in the same second never share one."""
    parent = target / BACKUP_FOLDER
    if os.path.lexists(parent) and not parent.is_dir():
        raise CopyError(f"{parent} is a file, so your versions cannot be backed up there: rename that file")
    parent.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    for n in itertools.count(1):
        candidate = parent / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise AssertionError("unreachable")


# ----------------------------------------------------------------------------------- messages

_FIX_PERMISSION = "choose a folder you own, e.g. ~/conv-lessons"
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _reason(error: OSError) -> str:
    """``permission denied``, ``no space left on device`` …: the error in a few lower-case words."""
    if isinstance(error, PermissionError):
        return "permission denied"
    text = error.strerror or str(error) or type(error).__name__
    return text[0].lower() + text[1:]


def _fix(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return _FIX_PERMISSION
    if error.errno in _NO_SPACE:
        return "free some disk space, then run the copy again"
    return "run the copy again"


def _write_error(dest: Path, error: OSError) -> CopyError:
    if isinstance(error, FileExistsError):
        return CopyError(f"{dest} appeared while copying (is another copy running?) and was left as it is; "
                         "run the copy again")
    return CopyError(f"cannot write {dest} ({_reason(error)}): {_fix(error)}")


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise CopyError(f"{target} is a file, not a folder: give the name of a folder (it is created if missing)")
    if target.is_dir() and not os.access(target, os.W_OK | os.X_OK):
        raise CopyError(f"cannot write into {target} (permission denied): {_FIX_PERMISSION}")


def _dangling_link(path: Path) -> Path | None:
    """The first of ``path``'s ancestors (or ``path``) that is a symbolic link to nothing, if any."""
    for candidate in [*reversed(path.parents), path]:
        if candidate.is_symlink() and not candidate.exists():
            return candidate
    return None


def _make_folder(folder: Path) -> None:
    """Create ``folder`` and its parents, or raise a :class:`CopyError` saying what is in the way."""
    link = _dangling_link(folder)
    if link is not None:
        raise CopyError(f"{link} is a symbolic link to {os.readlink(link)}, which does not exist: "
                        "create that folder first, or choose another one")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise CopyError(f"{folder} cannot be created: a file is in the way ({_blocking_file(folder)})") from None
    except OSError as error:
        raise CopyError(f"cannot create {folder} ({_reason(error)}): {_fix(error)}") from None


def copy_lessons(
    target: Path | str,
    refresh: bool = False,
    only: list[str] | None = None,
    source: Path | None = None,
    now: datetime | None = None,
    language: str = "en",
) -> CopyReport:
    """Copy the pristine lesson notebooks into ``target`` (created if missing), keeping the learner's work.

    A notebook the learner does not have yet is written.  One they have that is the same as the
    pristine lesson is skipped.  One that differs (they edited or ran it) is left alone and listed
    in ``report.kept`` (and also in ``report.outdated`` when it is exactly the lesson as an earlier
    copy wrote it, so the learner never changed it and the lesson has been updated since; or in
    ``report.unreadable`` when it may not be read) -- unless ``refresh`` is true: then their file
    is first *moved* to ``target/backups/<YYYYmmdd-HHMMSS>/`` (same relative path) and the pristine
    lesson written in its place (``report.refreshed``, ``report.backup_dir``).  Nothing is ever
    deleted or overwritten, even when several copies run at once; temporary files that a killed
    copy left behind are removed.  New notebooks get the permissions the user's umask gives.

    ``only`` restricts the copy to some lessons: each entry is a file name (``02_edge_detection.ipynb``),
    a stem (``02_edge_detection``), a lesson number (``2`` or ``02``) or a relative path
    (``solutions/02_edge_detection.ipynb``), within the chosen edition.  ``language`` chooses the
    edition (:data:`EDITIONS`): ``"en"`` (the default) copies the English lessons into ``target``,
    ``"zh"`` the Chinese ones into ``target/zh/`` (the layout of the package, so one folder can hold
    both; the report's paths start with ``zh/``).  ``source`` is the folder of pristine notebooks
    (default: the package's, :func:`lessons_dir`), holding each edition in its sub-folder.  Raises
    :class:`CopyError` (one-line message naming the notebook, the reason and the fix) for an empty
    name, an unknown language, a target that is a file, a dangling symbolic link or cannot be written,
    an ``only`` entry that names no lesson, and a write that fails (a full disk: the message says
    where the learner's file is safe).
    """
    if isinstance(target, str) and not target.strip():
        raise CopyError("the folder name is empty: give the name of a folder, e.g. ~/conv-lessons")
    try:
        folder = edition_folder(language)
        root = lessons_dir() if source is None else Path(source)
    except ValueError as error:
        raise CopyError(str(error)) from None
    target = Path(target).expanduser().absolute()
    if not _has_notebooks(root / folder):
        raise CopyError(f"no {_EDITION_NAMES[language]} lessons in {root / folder}: this conv-lessons "
                        "installation is incomplete; reinstall it (pip install --force-reinstall conv-lessons)")
    files = lesson_files(root / folder)
    if only:
        files = _select(files, only)
    files = [Path(folder) / rel for rel in files]
    try:
        return _copy_files(target, root, files, refresh, now or datetime.now())
    except OSError as error:  # anything not caught nearer, e.g. a parent folder we may not enter
        where = error.filename or target
        raise CopyError(f"cannot use {where} ({_reason(error)}): {_fix(error)}") from None


def _copy_files(target: Path, root: Path, files: list[Path], refresh: bool, now: datetime) -> CopyReport:
    _check_target(target)
    _make_folder(target)
    _check_target(target)

    report = CopyReport(target=target)
    manifest = _read_manifest(target)
    backup_root: Path | None = None
    cleaned: set[Path] = set()
    try:
        for rel in files:
            dest = target / rel
            key = rel.as_posix()
            try:
                pristine = (root / rel).read_bytes()
            except OSError as error:
                raise CopyError(f"cannot read the original lesson {root / rel} ({_reason(error)}): this "
                                "conv-lessons installation is damaged; reinstall it") from None
            if os.path.lexists(dest.parent) and not dest.parent.is_dir():
                raise CopyError(f"{dest.parent} is a file, so {key} cannot be copied: rename that file")
            _make_folder(dest.parent)
            if dest.parent not in cleaned:
                _remove_leftovers(dest.parent)
                cleaned.add(dest.parent)
            if not os.path.lexists(dest):
                try:
                    _write_new(dest, pristine)
                except OSError as error:
                    raise _write_error(dest, error) from None
                report.copied.append(rel)
                manifest[key] = _fingerprint(pristine)
                continue
            theirs: bytes | None = None
            unreadable = False
            if dest.is_file() and not dest.is_symlink():
                try:
                    theirs = dest.read_bytes()
                except OSError:
                    unreadable = True
            if theirs is not None and _same_notebook(theirs, pristine):
                report.unchanged.append(rel)
                manifest[key] = _fingerprint(theirs)
                continue
            if not refresh:
                report.kept.append(rel)
                if unreadable:
                    report.unreadable.append(rel)
                elif theirs is not None and manifest.get(key) == _fingerprint(theirs):
                    report.outdated.append(rel)
                continue
            if backup_root is None:
                try:
                    backup_root = _backup_folder(target, now)
                except OSError as error:
                    raise CopyError(f"cannot create a backup folder in {target / BACKUP_FOLDER} "
                                    f"({_reason(error)}), so {dest} is left as it is: {_fix(error)}") from None
                report.backup_dir = backup_root
            backup = backup_root / rel
            try:
                backup.parent.mkdir(parents=True, exist_ok=True)
                _move_no_replace(dest, backup)  # same file system: the learner's bytes are not touched
            except FileNotFoundError:
                raise CopyError(f"{dest} disappeared while copying (is another copy running?); "
                                "run the copy again") from None
            except OSError as error:
                raise CopyError(f"cannot move {dest} to {backup} ({_reason(error)}), so it is left as it is: "
                                f"{_fix(error)}") from None
            try:
                _write_new(dest, pristine)
            except OSError as error:
                if isinstance(error, FileExistsError):
                    raise CopyError(f"{dest} appeared while copying (is another copy running?) and was left "
                                    f"as it is; your earlier version is safe in {backup}") from None
                raise CopyError(f"cannot write {dest} ({_reason(error)}); your version is safe in {backup}: "
                                f"{_fix(error)}") from None
            report.refreshed.append(rel)
            manifest[key] = _fingerprint(pristine)
    finally:
        if report.copied or report.unchanged or report.refreshed:
            _write_manifest(target, manifest)
    return report


def _blocking_file(path: Path) -> Path:
    """The nearest of ``path`` and its parents that exists (as a file, a folder or a link)."""
    for parent in [path, *path.parents]:
        if os.path.lexists(parent):
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
