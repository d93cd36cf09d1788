"""`conv-lessons copy / lab / list`: a learner's own copy of the lessons, and their edits never lost.

Most cases call ``conv_lessons.cli.main`` in-process (fast); ``python -m conv_lessons`` is run as a
real process for the entry point, for the permission case (as an unprivileged user when the tests
run as root, since root can write anywhere) and for ``lab``, which starts a real JupyterLab on
127.0.0.1 and checks it answers with the printed token and refuses without one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from conv_lessons import cli
from conv_lessons.lessons import MANIFEST, CopyError, copy_lessons, lesson_files, lessons_dir, reading_order

REPO = Path(__file__).resolve().parents[1]
SHIPPED = lessons_dir()
FILES = lesson_files()


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


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected a one-line error, got:\n{err}"
    assert lines[0].startswith("conv-lessons"), lines[0]
    return lines[0]


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


# Root ignores permission bits; without these two capabilities it obeys them like anyone else.
DROP_ROOT_OVERRIDE = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                      "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_an_unwritable_folder_is_a_clear_error_from_the_real_command(tmp_path):
    """As a real process: ``conv-lessons copy`` into a read-only folder.  Root can write
    anywhere, so as root the command runs without the capabilities that let it (util-linux setpriv)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root, which can write anywhere, and util-linux setpriv is missing")
        prefix = DROP_ROOT_OVERRIDE
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


# -------------------------------------------------------------------------------------- lab


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def status(url: str, token: str | None = None) -> int:
    headers = {"Authorization": f"token {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_lab_copies_the_lessons_and_serves_them_on_localhost_with_a_token(tmp_path):
    target = tmp_path / "lessons"
    target.mkdir()
    mine = target / FILES[0]
    shutil.copy(SHIPPED / FILES[0], mine)
    mine_bytes = edit(mine)  # an edited lesson is already there: lab must not touch it
    port = free_port()
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), IPYTHONDIR=str(home / "ipython"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), PYTHONUNBUFFERED="1")
    # A user config that tries to switch the token off must not succeed.
    (home / "config").mkdir(parents=True)
    (home / "config" / "jupyter_server_config.json").write_text(
        json.dumps({"IdentityProvider": {"token": ""}, "ServerApp": {"ip": "0.0.0.0"}}))
    log = tmp_path / "lab.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "conv_lessons", "lab", str(target), "--port", str(port), "--no-browser"],
            stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        token, deadline = None, time.monotonic() + 90
        base = f"http://127.0.0.1:{port}"
        while time.monotonic() < deadline:
            assert process.poll() is None, f"conv-lessons lab exited early:\n{log.read_text()}"
            found = re.search(rf"{re.escape(base)}/lab/tree/index\.ipynb\?token=([0-9a-f]+)", log.read_text())
            token = found.group(1) if found else None
            try:
                if token and status(f"{base}/api/status", token) == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not answer within 90 s:\n{log.read_text()[-3000:]}")
        assert len(token) >= 32
        assert status(f"{base}/api/status") == 403  # no token: refused
        assert status(f"{base}/api/status", "0" * len(token)) == 403  # wrong token: refused
        assert status(f"{base}/api/contents/{FILES[-1].as_posix()}?content=0", token) == 200  # serves the lessons
        with socket.socket() as sock:  # listening on loopback only, whatever the user config said
            sock.settimeout(2)
            outside = [a for a in _non_loopback_addresses() if sock.connect_ex((a, port)) == 0]
        assert outside == [], f"JupyterLab answers on {outside}"
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # the command passes it on to JupyterLab
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    assert process.returncode is not None
    assert mine.read_bytes() == mine_bytes
    assert {p.relative_to(target) for p in target.rglob("*.ipynb")} == set(FILES)
    printed = log.read_text()
    assert "Your own version of 1 notebook is kept as it is" in printed
    assert ("Copied" in printed) == (len(FILES) > 1)


def _non_loopback_addresses() -> list[str]:
    try:
        import psutil
    except ImportError:
        return []
    return [a.address for addrs in psutil.net_if_addrs().values() for a in addrs
            if a.family == socket.AF_INET and not a.address.startswith("127.")]


def test_lab_refuses_a_port_in_use(tmp_path, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = run_cli(capsys, "lab", str(tmp_path / "l"), "--port", str(port), "--no-browser")
    assert code == 2 and f"port {port} on 127.0.0.1 is in use" in one_line_error(err)
    assert not (tmp_path / "l").exists()  # nothing copied when it cannot start


def test_lab_command_is_localhost_and_token_only(tmp_path):
    command = cli.lab_command(tmp_path, 8123, tmp_path / "config.json", open_browser=False)
    joined = " ".join(command)
    assert "--ServerApp.ip=127.0.0.1" in joined and "--ServerApp.port_retries=0" in joined
    assert f"--config={tmp_path / 'config.json'}" in joined
    assert "token" not in joined.lower()  # never on the command line (ps would show it)
    assert ("--allow-root" in command) == (os.geteuid() == 0)
