"""`conv-lessons copy / list`: a learner's own copy of the lessons, and their edits never lost.

Most cases call ``conv_lessons.cli.main`` in-process (fast); ``python -m conv_lessons`` is run as a
real process for the entry point, for a copy killed half-way or starved of disk space, and for the
permission cases (as an unprivileged user when the tests run as root, since root can write
anywhere).  ``lab`` is in test_lab.py; "no PyTorch in the command line" in test_cli_imports.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from cli_support import (
    FILES,
    FILES_ZH,
    REPO,
    SHIPPED,
    SHIPPED_ZH,
    edit,
    one_line_error,
    run_cli,
    temp_files,
    tree,
    unprivileged,
)

from conv_lessons import cli, lessons
from conv_lessons.lessons import MANIFEST, CopyError, copy_lessons, reading_order

# ------------------------------------------------------------------------------------- copy


def test_the_shipped_lessons_are_the_repository_notebooks():
    # In this checkout (editable install) the originals are read from notebooks/ itself.
    assert SHIPPED == REPO / "notebooks"
    expected = {p.relative_to(SHIPPED) for p in SHIPPED.glob("*.ipynb")} | \
        {p.relative_to(SHIPPED) for p in SHIPPED.glob("solutions/*.ipynb")}
    assert set(FILES) == expected and FILES[0] == Path("index.ipynb")


def test_copy_into_an_empty_folder(tmp_path, capsys):
    target = tmp_path / "new" / "lessons"  # missing parents are created
    code, out, err = run_cli(capsys, "copy", str(target))
    assert code == 0, err
    assert tree(target) == {rel.as_posix(): (SHIPPED / rel).read_bytes() for rel in FILES}
    assert f"Copied {len(FILES)} notebook" in out
    for rel in FILES:
        assert rel.as_posix() in out
    assert f"conv-lessons lab {target}" in out


def test_copy_twice_keeps_an_edited_notebook_and_lists_it(tmp_path, capsys):
    target = tmp_path / "lessons"
    assert run_cli(capsys, "copy", str(target))[0] == 0
    edited = target / FILES[-1]
    mine = edit(edited)
    untouched = {rel: (target / rel).stat().st_mtime_ns for rel in FILES if rel != FILES[-1]}
    code, out, err = run_cli(capsys, "copy", str(target))
    assert code == 0, err
    assert edited.read_bytes() == mine  # the edit survives
    assert re.search(rf"Kept your version of 1 notebook.*\n\s+{re.escape(FILES[-1].as_posix())}\n", out), out
    assert "--refresh" in out  # says how to get the original back
    assert "Copied" not in out
    if len(FILES) > 1:
        assert f"{len(FILES) - 1} notebook" in out and "already there and unchanged" in out
    assert {rel: (target / rel).stat().st_mtime_ns for rel in untouched} == untouched  # not rewritten
    assert not (target / "backups").exists()


def test_refresh_moves_the_edit_to_a_backup_and_restores_the_original(tmp_path, capsys):
    target = tmp_path / "lessons"
    run_cli(capsys, "copy", str(target))
    rel = FILES[-1]
    mine = edit(target / rel)
    before = tree(target)
    code, out, err = run_cli(capsys, "copy", str(target), "--refresh")
    assert code == 0, err
    assert (target / rel).read_bytes() == (SHIPPED / rel).read_bytes()
    backups = list((target / "backups").rglob(rel.name))
    assert len(backups) == 1 and backups[0].read_bytes() == mine
    assert re.fullmatch(r"\d{8}-\d{6}", backups[0].relative_to(target / "backups").parts[0])
    assert str(backups[0]) in out  # says where the learner's version went
    after = tree(target)
    assert set(before) <= set(after)  # nothing deleted
    assert sorted(after.values()) == sorted(list(before.values()) + [(SHIPPED / rel).read_bytes()])


def test_refresh_of_unedited_lessons_changes_nothing(tmp_path, capsys):
    target = tmp_path / "lessons"
    run_cli(capsys, "copy", str(target))
    before = tree(target)
    code, out, _ = run_cli(capsys, "copy", str(target), "--refresh")
    assert code == 0 and tree(target) == before and "Restored" not in out


def test_a_notebook_jupyterlab_reformatted_counts_as_unchanged(tmp_path, capsys):
    target = tmp_path / "lessons"
    run_cli(capsys, "copy", str(target))
    path = target / FILES[0]
    path.write_text(json.dumps(json.loads(path.read_text(encoding="utf-8")), indent=4), encoding="utf-8")
    code, out, _ = run_cli(capsys, "copy", str(target))
    assert code == 0 and "Kept" not in out


def test_a_deleted_lesson_comes_back_and_nothing_else_changes(tmp_path, capsys):
    target = tmp_path / "lessons"
    run_cli(capsys, "copy", str(target))
    edit(target / FILES[0])
    (target / FILES[-1]).unlink()
    (target / "my_notes.ipynb").write_text("{}")
    before = tree(target)
    code, out, _ = run_cli(capsys, "copy", str(target))
    assert code == 0
    after = tree(target)
    assert after[FILES[-1].as_posix()] == (SHIPPED / FILES[-1]).read_bytes()
    assert {k: v for k, v in after.items() if k != FILES[-1].as_posix()} == before


# ------------------------------------------------------------------------------ --lang zh (中文版)


def test_the_chinese_edition_is_copied_into_zh_beside_the_english_one(tmp_path, capsys):
    assert SHIPPED_ZH == SHIPPED / "zh" and FILES_ZH[0] == Path("index.ipynb")
    assert {rel.parent.as_posix() for rel in FILES_ZH} == {".", "solutions"}  # the index and the solutions too
    target = tmp_path / "lessons"
    code, out, err = run_cli(capsys, "copy", str(target), "--lang", "zh")
    assert code == 0, err
    chinese = {f"zh/{rel.as_posix()}": (SHIPPED_ZH / rel).read_bytes() for rel in FILES_ZH}
    assert tree(target) == chinese
    assert f"Copied {len(FILES_ZH)} notebooks" in out and "  zh/index.ipynb\n" in out
    assert f"Open them with: conv-lessons lab {target} --lang zh" in out
    # The English edition goes beside it, and neither counts the other's files as the learner's.
    code, out, err = run_cli(capsys, "copy", str(target))
    assert code == 0 and "Kept" not in out, out
    assert tree(target) == chinese | {rel.as_posix(): (SHIPPED / rel).read_bytes() for rel in FILES}
    code, out, _ = run_cli(capsys, "copy", str(target), "--lang", "zh")
    assert code == 0 and "Copied" not in out and f"{len(FILES_ZH)} notebooks already there and unchanged" in out


def test_the_chinese_edition_keeps_edits_and_takes_only(tmp_path, capsys):
    target = tmp_path / "lessons"
    code, out, err = run_cli(capsys, "copy", str(target), "--lang", "ZH", "--only", "2", "--only", "index")
    assert code == 0, err
    assert sorted(tree(target)) == ["zh/02_edge_detection.ipynb", "zh/index.ipynb"]
    mine = edit(target / "zh" / "02_edge_detection.ipynb", "我的笔记")
    code, out, _ = run_cli(capsys, "copy", str(target), "--lang", "zh")
    assert code == 0 and (target / "zh" / "02_edge_detection.ipynb").read_bytes() == mine
    assert re.search(r"Kept your version of 1 notebook.*\n\s+zh/02_edge_detection\.ipynb\n", out), out
    code, out, _ = run_cli(capsys, "copy", str(target), "--lang", "zh", "--refresh", "--only", "2")
    backups = list((target / "backups").rglob("02_edge_detection.ipynb"))
    assert code == 0 and len(backups) == 1 and backups[0].read_bytes() == mine
    assert backups[0].relative_to(target / "backups").parts[1] == "zh"  # same relative path in the backup
    restored = (target / "zh" / "02_edge_detection.ipynb").read_bytes()
    assert restored == (SHIPPED_ZH / "02_edge_detection.ipynb").read_bytes()


def test_list_and_help_know_the_chinese_edition(capsys):
    code, out, _ = run_cli(capsys, "list", "--lang", "zh")
    assert code == 0 and str(SHIPPED_ZH) in out and "01 互相关运算" in out
    positions = [out.index(rel.as_posix()) for rel in FILES_ZH]
    assert positions == sorted(positions)
    for command in ("copy", "lab", "list"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert "--lang {en,zh}" in capsys.readouterr().out, command
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["copy", "x", "--lang", "fr"])
    assert exit_info.value.code == 2
    assert "argument --lang: invalid choice: 'fr' (choose from 'en', 'zh')" in one_line_error(capsys.readouterr().err)


def test_a_missing_edition_is_a_clear_error(source, tmp_path):
    with pytest.raises(CopyError, match=r"no Chinese \(中文\) lessons in .*shipped/zh: .*reinstall it"):
        copy_lessons(tmp_path / "mine", source=source, language="zh")
    with pytest.raises(CopyError, match=r"language: expected one of \['en', 'zh'\]"):
        copy_lessons(tmp_path / "mine", source=source, language="fr")
    assert not (tmp_path / "mine").exists()


def md(text: str):
    return nbformat.v4.new_markdown_cell(text)


@pytest.fixture()
def source(tmp_path) -> Path:
    """A small lesson set with a solutions/ folder (the real set may not have one yet)."""
    src = tmp_path / "shipped"
    for rel in ("index.ipynb", "02_two.ipynb", "10_ten.ipynb", "01_one.ipynb", "solutions/01_one.ipynb"):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbformat.v4.new_notebook(cells=[md(f"# {rel}")]), src / rel)
    return src


def test_solutions_are_copied_in_reading_order(source, tmp_path):
    report = copy_lessons(tmp_path / "mine", source=source)
    assert [p.as_posix() for p in report.copied] == [
        "index.ipynb", "01_one.ipynb", "02_two.ipynb", "10_ten.ipynb", "solutions/01_one.ipynb"]
    assert reading_order([Path("b.ipynb"), Path("02_x.ipynb"), Path("index.ipynb")]) == [
        Path("index.ipynb"), Path("02_x.ipynb"), Path("b.ipynb")]


def test_only_refreshes_just_the_named_lesson(source, tmp_path):
    target = tmp_path / "mine"
    copy_lessons(target, source=source)
    one, two = edit(target / "01_one.ipynb"), edit(target / "02_two.ipynb")
    report = copy_lessons(target, refresh=True, only=["1"], source=source)
    assert report.refreshed == [Path("01_one.ipynb")]
    assert (target / "02_two.ipynb").read_bytes() == two
    assert (report.backup_dir / "01_one.ipynb").read_bytes() == one
    report = copy_lessons(target, refresh=True, only=["solutions/01_one.ipynb", "02_two"], source=source)
    assert report.refreshed == [Path("02_two.ipynb")] and report.unchanged == [Path("solutions/01_one.ipynb")]
    with pytest.raises(CopyError, match="names no lesson; choose from: index.ipynb, 01_one.ipynb"):
        copy_lessons(target, only=["7"], source=source)


def test_an_updated_lesson_is_told_apart_from_an_edited_one(source, tmp_path, capsys):
    target = tmp_path / "mine"
    copy_lessons(target, source=source)
    assert MANIFEST.startswith(".")  # hidden in JupyterLab's file browser
    mine = edit(target / "02_two.ipynb")
    for name in ("01_one.ipynb", "02_two.ipynb"):  # a new release changes two lessons
        edit(source / name, "updated lesson")
    report = copy_lessons(target, source=source)
    assert report.kept == [Path("01_one.ipynb"), Path("02_two.ipynb")]
    assert report.outdated == [Path("01_one.ipynb")]  # never changed by the learner
    assert (target / "02_two.ipynb").read_bytes() == mine
    cli._print_report(report, verbose=True)
    out = capsys.readouterr().out
    assert re.search(r"you changed it.*\n  02_two\.ipynb\n", out), out
    assert re.search(r"newer version of the lesson exists for 1 notebook.*\n  01_one\.ipynb\n", out), out
    (target / MANIFEST).write_text("not json")  # a damaged record: everything different counts as changed
    assert copy_lessons(target, source=source).outdated == []


def test_two_refreshes_in_the_same_second_keep_both_backups(source, tmp_path):
    target = tmp_path / "mine"
    copy_lessons(target, source=source)
    now = datetime(2026, 1, 2, 3, 4, 5)
    first = edit(target / "solutions" / "01_one.ipynb", "first")
    a = copy_lessons(target, refresh=True, source=source, now=now).backup_dir
    second = edit(target / "solutions" / "01_one.ipynb", "second")
    b = copy_lessons(target, refresh=True, source=source, now=now).backup_dir
    assert a == target / "backups" / "20260102-030405" and b != a
    assert (a / "solutions" / "01_one.ipynb").read_bytes() == first
    assert (b / "solutions" / "01_one.ipynb").read_bytes() == second


# ----------------------------------------------------------------------------------- errors


def test_a_file_as_the_folder_is_a_clear_error(tmp_path, capsys):
    note = tmp_path / "notes.txt"
    note.write_text("mine")
    code, out, err = run_cli(capsys, "copy", str(note))
    assert code == 2 and out == ""
    assert "is a file, not a folder" in one_line_error(err)
    assert note.read_text() == "mine"
    code, _, err = run_cli(capsys, "copy", str(note / "lessons"))  # a file in the way of the path
    assert code == 2 and "a file is in the way" in one_line_error(err)
    code, _, err = run_cli(capsys, "lab", str(note), "--no-browser")  # lab checks before starting anything
    assert code == 2 and "is a file, not a folder" in one_line_error(err)


def test_a_file_where_the_solutions_folder_goes_is_a_clear_error(source, tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "solutions").write_text("not a folder")
    with pytest.raises(CopyError, match="solutions is a file, so solutions/01_one.ipynb cannot be copied"):
        copy_lessons(target, source=source)
    assert (target / "solutions").read_text() == "not a folder"


def test_usage_errors_are_one_line_with_exit_code_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["copy"])
    assert exit_info.value.code == 2
    assert "required: DIR" in one_line_error(capsys.readouterr().err)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["lab", "--port", "99999"])
    assert exit_info.value.code == 2 and "port number 1-65535" in one_line_error(capsys.readouterr().err)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["teach"])
    assert exit_info.value.code == 2 and "invalid choice" in one_line_error(capsys.readouterr().err)


def test_help_names_every_command_and_option(capsys):
    for args, words in ((["--help"], ["copy", "lab", "list"]),
                        (["copy", "--help"], ["DIR", "--refresh", "--only", "backups"]),
                        (["lab", "--help"], ["DIR", "--port", "--no-browser", "127.0.0.1", "token"])):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(args)
        assert exit_info.value.code == 0
        out = " ".join(capsys.readouterr().out.split())
        for word in words:
            assert word in out, (args, word)


def test_list_shows_the_lessons_in_reading_order(capsys):
    code, out, _ = run_cli(capsys, "list")
    assert code == 0 and str(SHIPPED) in out
    positions = [out.index(rel.as_posix()) for rel in FILES]
    assert positions == sorted(positions)


def test_an_unwritable_folder_is_a_clear_error_from_the_real_command(tmp_path):
    """As a real process: ``conv-lessons copy`` into a read-only folder.  Root can write
    anywhere, so as root the command runs without the capabilities that let it (util-linux setpriv)."""
    prefix = unprivileged()
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, stat.S_IRUSR | stat.S_IXUSR)
    # One process for both cases (a read-only folder; a new folder inside it), to start Python once.
    script = ("import sys\nfrom conv_lessons.cli import main\n"
              "for t in sys.argv[1:]:\n    print('EXIT', main(['copy', t]))")
    try:
        run = subprocess.run([*prefix, sys.executable, "-c", script, str(locked), str(locked / "lessons")],
                             capture_output=True, text=True, timeout=120)
        assert run.stdout.split() == ["EXIT", "2", "EXIT", "2"], run.stdout + run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 2, run.stderr
        for line in lines:
            assert line.startswith("conv-lessons: error: cannot "), line
            assert "permission denied" in line and "choose a folder you own" in line, line
        assert list(locked.iterdir()) == []
    finally:
        os.chmod(locked, 0o755)


def test_python_dash_m_runs_the_same_command(tmp_path):
    run = subprocess.run([sys.executable, "-m", "conv_lessons", "copy", str(tmp_path / "x")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "x" / "index.ipynb").read_bytes() == (SHIPPED / "index.ipynb").read_bytes()




# ------------------------------------------------------------------------- races, kills, full disks


def test_two_refreshes_at_once_never_lose_the_learners_edit(source, tmp_path, monkeypatch):
    """Two ``copy --refresh`` in the same second: run A pauses just after it has picked its backup
    folder, run B refreshes from start to end, then A goes on.  Before the fix both picked the same
    ``backups/<stamp>/`` and A's rename replaced B's backup, which held the learner's edit."""
    target = tmp_path / "mine"
    copy_lessons(target, source=source)
    rel = Path("01_one.ipynb")
    mine = edit(target / rel)
    now = datetime(2026, 1, 2, 3, 4, 5)
    pick_folder = lessons._backup_folder
    paused, resume = threading.Event(), threading.Event()

    def pause_the_first_run(*args, **kwargs):
        folder = pick_folder(*args, **kwargs)
        if not paused.is_set():
            paused.set()
            assert resume.wait(30)
        return folder

    monkeypatch.setattr(lessons, "_backup_folder", pause_the_first_run)
    result: dict[str, object] = {}

    def run_a() -> None:
        try:
            result["a"] = copy_lessons(target, refresh=True, source=source, now=now)
        except BaseException as error:  # noqa: BLE001 - reported below
            result["a"] = error

    thread = threading.Thread(target=run_a)
    thread.start()
    try:
        assert paused.wait(30)
        b = copy_lessons(target, refresh=True, source=source, now=now)
    finally:
        resume.set()
        thread.join(30)
    a = result["a"]
    assert not isinstance(a, BaseException), a
    backups = [p.read_bytes() for p in (target / "backups").rglob("*.ipynb")]
    assert mine in backups  # the learner's edit survived
    assert (target / rel).read_bytes() == (source / rel).read_bytes()
    assert {a.backup_dir.name, b.backup_dir.name} == {"20260102-030405", "20260102-030405-2"}


@pytest.mark.parametrize("way", ["native", "hard link", "check then rename"])
def test_a_move_never_replaces_an_existing_file(tmp_path, monkeypatch, way):
    """The rename behind ``--refresh``: by the C library's no-replace rename where there is one,
    else by a hard link, else (no hard links either) by checking first."""
    if way == "native" and lessons._native_rename_no_replace() is None:
        pytest.skip(f"no renameat2/renamex_np in this C library ({sys.platform})")
    if way != "native":
        monkeypatch.setattr(lessons, "_native_rename_no_replace", lambda: None)
    if way == "check then rename":
        def no_hard_links(*args, **kwargs):
            raise PermissionError(1, "Operation not permitted")
        monkeypatch.setattr(os, "link", no_hard_links)
    src, dst = tmp_path / "learner.ipynb", tmp_path / "backup.ipynb"
    src.write_text("the learner's edit")
    dst.write_text("an earlier backup")
    with pytest.raises(FileExistsError):
        lessons._move_no_replace(src, dst)
    assert src.read_text() == "the learner's edit" and dst.read_text() == "an earlier backup"
    dst.unlink()
    lessons._move_no_replace(src, dst)
    assert not src.exists() and dst.read_text() == "the learner's edit"


# Run as a process: the first file conv-lessons writes is complete on disk, then the process is
# killed (SIGKILL) before it can move the file into place -- a `kill -9` at the worst moment.
KILL_AFTER_FIRST_WRITE = """
import os, signal, sys
real_fdopen = os.fdopen

class KillAfterClose:
    def __init__(self, handle):
        self.handle = handle
    def __enter__(self):
        return self.handle
    def __exit__(self, *exc):
        self.handle.close()
        os.kill(os.getpid(), signal.SIGKILL)

os.fdopen = lambda *args, **kwargs: KillAfterClose(real_fdopen(*args, **kwargs))
from conv_lessons.cli import main
main(["copy", sys.argv[1]])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_copy_killed_half_way_is_cleaned_up_by_the_next_one(tmp_path, capsys):
    target = tmp_path / "lessons"
    run = subprocess.run([sys.executable, "-c", KILL_AFTER_FIRST_WRITE, str(target)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stdout + run.stderr
    leftovers = temp_files(target)
    assert [p.read_bytes() for p in leftovers] == [(SHIPPED / FILES[0]).read_bytes()]
    assert not (target / FILES[0]).exists()  # never a half-written notebook under its own name
    code, _, err = run_cli(capsys, "copy", str(target))
    assert code == 0, err
    assert temp_files(target) == []
    assert tree(target) == {rel.as_posix(): (SHIPPED / rel).read_bytes() for rel in FILES}


def test_temporary_files_of_a_running_copy_are_left_alone(tmp_path):
    target = tmp_path / "lessons"
    copy_lessons(target)
    live = lessons._write_temp(target / "solutions", b"a copy in progress, in this very process")
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)
    dead = target / f".conv-lessons-{lessons._host_tag()}-{int(ended.stdout)}-0a1b2c3d.tmp"
    unknown = target / ".conv-lessons-k3j4h5g6.tmp"  # another machine's, or an older version's name
    stale = target / "solutions" / ".conv-lessons-q9w8e7r6.tmp"
    for path in (dead, unknown, stale):
        path.write_bytes(b"left over")
    two_hours_ago = time.time() - 2 * lessons.STALE_AFTER
    os.utime(stale, (two_hours_ago, two_hours_ago))
    copy_lessons(target)
    assert temp_files(target) == sorted([live, unknown])


def test_a_notebook_that_appears_while_copying_is_named_and_left_alone(tmp_path, capsys, monkeypatch):
    target = tmp_path / "lessons"
    write_new = lessons._write_new

    def someone_writes_it_first(path, data):
        path.write_bytes(b"theirs")
        write_new(path, data)

    monkeypatch.setattr(lessons, "_write_new", someone_writes_it_first)
    code, _, err = run_cli(capsys, "copy", str(target))
    line = one_line_error(err)
    assert code == 2 and f"{target / FILES[0]} appeared while copying" in line and ".tmp" not in line, line
    assert (target / FILES[0]).read_bytes() == b"theirs"
    assert temp_files(target) == []


def file_size_limit(limit: int):
    """preexec_fn: files this process writes cannot grow past ``limit`` bytes (a full disk, for it)."""
    import resource

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails (EFBIG) instead of killing it
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


LIMIT = 64 * 1024
needs_rlimit = pytest.mark.skipif(os.name != "posix", reason="uses RLIMIT_FSIZE")


@needs_rlimit
def test_a_full_disk_names_the_notebook_it_could_not_write(tmp_path):
    target = tmp_path / "lessons"
    run = subprocess.run([sys.executable, "-m", "conv_lessons", "copy", str(target)], capture_output=True,
                         text=True, timeout=120, preexec_fn=file_size_limit(LIMIT))
    first_too_big = next(rel for rel in FILES if (SHIPPED / rel).stat().st_size > LIMIT)
    line = one_line_error(run.stderr)
    assert run.returncode == 2
    assert f"cannot write {target / first_too_big} (file too large): free some disk space" in line, line
    assert temp_files(target) == []


@needs_rlimit
def test_a_full_disk_during_refresh_says_the_learners_file_is_safe(tmp_path, capsys):
    big = max(FILES, key=lambda rel: (SHIPPED / rel).stat().st_size)
    assert (SHIPPED / big).stat().st_size > LIMIT
    target = tmp_path / "lessons"
    run_cli(capsys, "copy", str(target), "--only", big.as_posix())
    mine = edit(target / big)
    run = subprocess.run([sys.executable, "-m", "conv_lessons", "copy", str(target), "--refresh", "--only",
                          big.as_posix()], capture_output=True, text=True, timeout=120,
                         preexec_fn=file_size_limit(LIMIT))
    assert run.returncode == 2, run.stdout + run.stderr
    line = one_line_error(run.stderr)
    backups = list((target / "backups").rglob(big.name))
    assert len(backups) == 1 and backups[0].read_bytes() == mine
    assert f"cannot write {target / big} (file too large); your version is safe in {backups[0]}" in line, line
    assert temp_files(target) == []
    code, _, err = run_cli(capsys, "copy", str(target), "--only", big.as_posix())  # space again
    assert code == 0, err
    assert (target / big).read_bytes() == (SHIPPED / big).read_bytes() and backups[0].read_bytes() == mine


# ------------------------------------------------------------------------- what the messages say


def test_an_empty_folder_name_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["copy", ""], ["copy", "  "], ["lab", "", "--no-browser"]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(args)
        assert exit_info.value.code == 2
        assert "the folder name is empty" in one_line_error(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []  # nothing copied into the current folder
    with pytest.raises(CopyError, match="the folder name is empty"):
        copy_lessons("")


def test_a_dangling_symbolic_link_is_named_as_such(tmp_path, capsys):
    link = tmp_path / "lessons"
    link.symlink_to(tmp_path / "gone")
    for folder in (link, link / "inner"):
        code, _, err = run_cli(capsys, "copy", str(folder))
        line = one_line_error(err)
        assert code == 2 and f"{link} is a symbolic link to {tmp_path / 'gone'}, which does not exist" in line
        assert "in the way" not in line
    assert not (tmp_path / "gone").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_copied_notebooks_get_the_permissions_the_umask_gives(tmp_path, umask):
    target = tmp_path / "lessons"
    previous = os.umask(umask)
    try:
        copy_lessons(target)
        edit(target / FILES[0])
        copy_lessons(target, refresh=True, only=[FILES[0].as_posix()])
    finally:
        os.umask(previous)
    modes = {rel.as_posix(): stat.S_IMODE((target / rel).stat().st_mode) for rel in FILES}
    assert modes == {rel.as_posix(): 0o666 & ~umask for rel in FILES}


def test_unreadable_notebooks_are_reported_as_unreadable_from_the_real_command(tmp_path):
    """As an unprivileged process: a learner's notebook it may not read is left alone and said to be
    unreadable (it was "cannot write …"); ``--refresh`` still moves it aside; a folder it may not
    write names the notebook, not a temporary file; an unreadable original says the installation is
    damaged."""
    prefix = unprivileged()
    target = tmp_path / "lessons"
    copy_lessons(target)
    locked = target / FILES[1]
    mine = edit(locked)
    os.chmod(locked, 0)

    def conv_lessons(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, sys.executable, "-m", "conv_lessons", *args],
                              capture_output=True, text=True, timeout=120)

    try:
        run = conv_lessons("copy", str(target))
        assert run.returncode == 0 and run.stderr == "", run.stderr
        assert re.search(rf"Cannot read 1 notebook of yours \(permission denied\).*\n\s+{re.escape(str(locked))}\n",
                         run.stdout), run.stdout
        assert "cannot write" not in run.stdout
        run = conv_lessons("copy", str(target), "--refresh", "--only", FILES[1].as_posix())
        assert run.returncode == 0, run.stderr
        backup = next((target / "backups").rglob(FILES[1].name))
        os.chmod(backup, 0o644)
        assert backup.read_bytes() == mine and locked.read_bytes() == (SHIPPED / FILES[1]).read_bytes()

        solutions = [rel for rel in FILES if rel.parts[0] == "solutions"]
        if solutions:
            other = tmp_path / "other"
            (other / "solutions").mkdir(parents=True)
            os.chmod(other / "solutions", 0o555)
            run = conv_lessons("copy", str(other))
            line = one_line_error(run.stderr)
            assert run.returncode == 2 and ".tmp" not in line
            assert f"cannot write {other / solutions[0]} (permission denied): choose a folder you own" in line

        source = tmp_path / "shipped"
        source.mkdir()
        (source / "01_one.ipynb").write_text("{}")
        os.chmod(source / "01_one.ipynb", 0)
        script = ("import sys\nfrom conv_lessons.lessons import copy_lessons, CopyError\n"
                  "try:\n    copy_lessons(sys.argv[1], source=sys.argv[2])\nexcept CopyError as e:\n    print(e)")
        run = subprocess.run([*prefix, sys.executable, "-c", script, str(tmp_path / "third"), str(source)],
                             capture_output=True, text=True, timeout=120)
        assert run.stdout.startswith(f"cannot read the original lesson {source / '01_one.ipynb'} "
                                     "(permission denied): this conv-lessons installation is damaged"), run
    finally:
        for path in (locked, tmp_path / "other" / "solutions", tmp_path / "shipped" / "01_one.ipynb"):
            if path.exists():
                os.chmod(path, 0o755)
