"""`conv-lessons lab` and `make lab`: JupyterLab on 127.0.0.1, never without its token.

The real-server tests start JupyterLab (no browser, a free port, temporary Jupyter config, data and
runtime folders, ``--allow-root`` added by the command itself when root) under a user
configuration that tries every known way to switch the token off, check that ``/api/contents``
refuses a request without the token (403) and serves one with it (200), then stop it with SIGTERM
and wait for every process they started.  The port choice is tested in-process, with the server
start replaced by a recorder.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cli_support import FILES, FILES_ZH, REPO, SHIPPED, SHIPPED_ZH, edit, one_line_error, run_cli

from conv_lessons import cli

NO_TOKEN = ""  # what every hostile setting below asks for
URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab/tree/(\S+?)\?token=([0-9a-f]+)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def leave_in_time_wait(port: int) -> None:
    """A server on ``port`` serves one connection and stops, closing first, as a JupyterLab that was
    just stopped does: its end of the connection then stays in TIME-WAIT for about a minute."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(1)
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = server.accept()
            accepted.close()
            time.sleep(0.05)
            client.recv(1)  # the server's FIN has arrived
    time.sleep(0.05)


def plain_bind_fails(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def status(url: str, token: str | None = None) -> int:
    headers = {"Authorization": f"token {token}"} if token else {}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def hostile_environment(home: Path) -> dict[str, str]:
    """Private Jupyter folders, whose configuration switches the token off in every spelling
    Jupyter has had: config files (JSON and Python; server, lab, notebook and base files; the
    IdentityProvider, PasswordIdentityProvider, ServerApp and NotebookApp sections), a second
    config folder on JUPYTER_CONFIG_PATH, and an empty JUPYTER_TOKEN."""
    off = {section: {"token": NO_TOKEN} for section in
           ("IdentityProvider", "PasswordIdentityProvider", "ServerApp", "NotebookApp")}
    off["ServerApp"]["ip"] = "0.0.0.0"
    python = "".join(f"c.{section}.token = {NO_TOKEN!r}\n" for section in off)
    config, extra = home / "config", home / "extra-config"
    for folder in (config, extra):
        folder.mkdir(parents=True)
        for name in ("jupyter_config", "jupyter_server_config", "jupyter_lab_config", "jupyter_notebook_config"):
            (folder / f"{name}.json").write_text(json.dumps(off))
        (folder / "jupyter_server_config.py").write_text(python)
        (folder / "jupyter_lab_config.py").write_text(python)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "JPY_")) and k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.update(HOME=str(home), JUPYTER_CONFIG_DIR=str(config), JUPYTER_CONFIG_PATH=str(extra),
               JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               IPYTHONDIR=str(home / "ipython"), JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
               JUPYTER_TOKEN=NO_TOKEN, PYTHONUNBUFFERED="1")
    return env


class Server:
    """A command that starts JupyterLab, in its own process group, its output in a log file."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path, cwd: Path | None = None):
        self.log = log
        with open(log, "wb") as handle:
            self.process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_serving(self, timeout: float = 120) -> tuple[str, str, str]:
        """(base URL, start page, token) from the printed address, once the server answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"exited early ({self.process.returncode}):\n{self.text()[-3000:]}"
            found = URL.search(self.text())
            if found:
                base = f"http://127.0.0.1:{found.group(1)}"
                try:
                    if status(f"{base}/api/status", found.group(3)) == 200:
                        return base, found.group(2), found.group(3)
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
            time.sleep(0.5)
        pytest.fail(f"JupyterLab did not answer within {timeout} s:\n{self.text()[-3000:]}")

    def stop(self) -> None:
        """SIGTERM to the whole group (``conv-lessons lab`` passes it on to JupyterLab, which shuts down
        cleanly), then wait until no process of the group is left; SIGKILL after 30 s."""
        group = self.process.pid
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.process.poll()
                try:
                    os.killpg(group, 0)
                except ProcessLookupError:
                    self.process.wait(5)
                    return
                time.sleep(0.2)
        self.process.wait(10)


def check_token_required(base: str, token: str, served: str) -> None:
    assert len(token) >= 32
    assert status(f"{base}/api/contents") == 403  # no token: refused, whatever the config said
    assert status(f"{base}/api/status") == 403
    assert status(f"{base}/api/contents", "0" * len(token)) == 403  # a wrong token: refused
    assert status(f"{base}/api/contents", token) == 200
    assert status(f"{base}/api/contents/{served}?content=0", token) == 200


def non_loopback_addresses() -> list[str]:
    try:
        import psutil
    except ImportError:
        return []
    return [a.address for addrs in psutil.net_if_addrs().values() for a in addrs
            if a.family == socket.AF_INET and not a.address.startswith("127.")]


# ------------------------------------------------------------------------------- real servers


def test_conv_lessons_lab_requires_the_token_whatever_the_config(tmp_path):
    """Also: the port is one a server has just left (TIME-WAIT), which ``--port`` must accept."""
    target = tmp_path / "lessons"
    target.mkdir()
    mine = target / FILES[0]
    shutil.copy(SHIPPED / FILES[0], mine)
    mine_bytes = edit(mine)  # an edited lesson is already there: lab must not touch it
    port = free_port()
    leave_in_time_wait(port)
    if not plain_bind_fails(port):
        pytest.skip("this system does not keep the port of a closed connection in TIME-WAIT")
    server = Server([sys.executable, "-m", "conv_lessons", "lab", str(target), "--port", str(port), "--no-browser"],
                    hostile_environment(tmp_path / "home"), tmp_path / "lab.log")
    try:
        base, page, token = server.wait_until_serving()
        assert base == f"http://127.0.0.1:{port}" and page == "index.ipynb"
        check_token_required(base, token, FILES[-1].as_posix())
        with socket.socket() as sock:  # listening on loopback only, whatever the user config said
            sock.settimeout(2)
            outside = [a for a in non_loopback_addresses() if sock.connect_ex((a, port)) == 0]
        assert outside == [], f"JupyterLab answers on {outside}"
    finally:
        server.stop()
    printed = server.text()
    assert "All authentication is disabled" not in printed
    assert mine.read_bytes() == mine_bytes
    assert {p.relative_to(target) for p in target.rglob("*.ipynb")} == set(FILES)
    assert "Your own version of 1 notebook is kept as it is" in printed
    assert ("Copied" in printed) == (len(FILES) > 1)


def make_lab_or_skip(venv: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("no make")
    stamp = venv / ".installed"
    if subprocess.run(["make", "-q", "-C", str(REPO), f"VENV={venv}", str(stamp)],
                      capture_output=True, timeout=60).returncode != 0:
        pytest.skip(f"{stamp} is missing or older than pyproject.toml/constraints.txt: make would reinstall")


def test_make_lab_requires_the_token_whatever_the_config(tmp_path):
    """``make lab`` serves the checkout as it is (nothing copied), notebooks/index.ipynb first."""
    venv = Path(sys.prefix)
    make_lab_or_skip(venv)
    env = hostile_environment(tmp_path / "home")
    before = sorted(p.name for p in REPO.iterdir())
    # Options for JupyterLab itself cannot be slipped in: conv-lessons lab accepts only its own.
    run = subprocess.run(["make", "-s", "-C", str(REPO), "lab", f"VENV={venv}",
                          "LAB_ARGS=--IdentityProvider.token= --no-browser"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode != 0 and "unrecognized arguments: --IdentityProvider.token=" in run.stderr, run
    port = free_port()
    server = Server(["make", "-s", "-C", str(REPO), "lab", f"VENV={venv}", f"LAB_ARGS=--port {port} --no-browser"],
                    env, tmp_path / "make-lab.log")
    try:
        base, page, token = server.wait_until_serving()
        assert base == f"http://127.0.0.1:{port}" and page == "notebooks/index.ipynb"
        check_token_required(base, token, "notebooks/index.ipynb")
        assert status(f"{base}/api/contents/Makefile?content=0", token) == 200  # the root is the checkout
    finally:
        server.stop()
    assert "All authentication is disabled" not in server.text()
    assert sorted(p.name for p in REPO.iterdir()) == before  # nothing copied, no backups, no record


SERVES_WITHOUT_TOKEN = """\
# A configuration that gets past the token by code: every request counts as logged in.
from jupyter_server.auth.identity import IdentityProvider, User
IdentityProvider.get_user = lambda self, handler: User("anonymous")
"""


def test_lab_stops_a_server_that_answers_without_the_token(tmp_path):
    home = tmp_path / "home"
    env = hostile_environment(home)
    (home / "config" / "jupyter_lab_config.py").write_text(SERVES_WITHOUT_TOKEN)
    port = free_port()
    server = Server([sys.executable, "-m", "conv_lessons", "lab", str(tmp_path / "lessons"), "--port", str(port),
                     "--no-browser"], env, tmp_path / "lab.log")
    try:
        code = server.process.wait(timeout=120)
    finally:
        server.stop()
    printed = server.text()
    assert code == 2, printed[-3000:]
    assert f"conv-lessons: error: JupyterLab served http://127.0.0.1:{port}/api/contents without the access token" \
        in printed
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        status(f"http://127.0.0.1:{port}/api/contents")


# ---------------------------------------------------------------------------- ports, in-process


@pytest.fixture()
def started(monkeypatch) -> list[dict]:
    """Replaces the server start by a recorder: each call's command, folder and URL."""
    calls: list[dict] = []

    def record(command, env, cwd, base_url=None):
        calls.append({"command": command, "cwd": cwd, "base_url": base_url, "token": env.get("JUPYTER_TOKEN")})
        return 0

    monkeypatch.setattr(cli, "_run_foreground", record)
    return calls


def test_a_port_a_server_just_left_counts_as_free(tmp_path, capsys, started):
    port = free_port()
    leave_in_time_wait(port)
    if not plain_bind_fails(port):
        pytest.skip("this system does not keep the port of a closed connection in TIME-WAIT")
    assert cli._port_is_free(port)
    code, out, err = run_cli(capsys, "lab", str(tmp_path / "l"), "--port", str(port), "--no-browser")
    assert code == 0, err
    assert f"--ServerApp.port={port}" in started[0]["command"] and f"http://127.0.0.1:{port}/lab/tree" in out


def test_lab_refuses_a_port_in_use(tmp_path, capsys, started):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert not cli._port_is_free(port)
        code, out, err = run_cli(capsys, "lab", str(tmp_path / "l"), "--port", str(port), "--no-browser")
    assert code == 2 and f"port {port} on 127.0.0.1 is in use" in one_line_error(err)
    assert not (tmp_path / "l").exists() and started == []  # nothing copied, nothing started


def test_lab_says_when_it_moves_off_the_default_port(tmp_path, capsys, started):
    with socket.socket() as busy:
        try:  # another JupyterLab may hold 8888 already: busy either way
            busy.bind(("127.0.0.1", cli.DEFAULT_PORT))
            busy.listen()
        except OSError:
            pass
        code, out, err = run_cli(capsys, "lab", str(tmp_path / "l"), "--no-browser")
    assert code == 0, err
    port = int(re.search(r"--ServerApp\.port=(\d+)", " ".join(started[0]["command"])).group(1))
    assert port != cli.DEFAULT_PORT
    assert (f"Port {cli.DEFAULT_PORT} on 127.0.0.1 is in use (another JupyterLab?), so this one listens on "
            f"port {port}; choose one with --port N.") in out
    assert f"http://127.0.0.1:{port}/lab/tree/index.ipynb?token={started[0]['token']}" in out


def test_lab_no_copy_serves_the_folder_as_it_is(tmp_path, capsys, started):
    checkout = tmp_path / "checkout"
    (checkout / "notebooks").mkdir(parents=True)
    shutil.copy(SHIPPED / "index.ipynb", checkout / "notebooks" / "index.ipynb")
    before = sorted(p.relative_to(checkout) for p in checkout.rglob("*"))
    code, out, err = run_cli(capsys, "lab", str(checkout), "--no-copy", "--no-browser")
    assert code == 0, err
    assert sorted(p.relative_to(checkout) for p in checkout.rglob("*")) == before  # nothing copied
    command = started[0]["command"]
    assert f"--ServerApp.root_dir={checkout}" in command and started[0]["cwd"] == checkout
    assert "--LabApp.default_url=/lab/tree/notebooks/index.ipynb" in command
    assert "(as it is: nothing copied)" in out and "/lab/tree/notebooks/index.ipynb?token=" in out
    code, _, err = run_cli(capsys, "lab", str(tmp_path / "missing"), "--no-copy", "--no-browser")
    assert code == 2 and "is not a folder: --no-copy serves a folder as it is" in one_line_error(err)
    assert not (tmp_path / "missing").exists() and len(started) == 1


def test_lab_command_is_localhost_and_token_only(tmp_path):
    command = cli.lab_command(tmp_path, 8123, tmp_path / "config.json", open_browser=False)
    joined = " ".join(command)
    assert "--ServerApp.ip=127.0.0.1" in joined and "--ServerApp.port_retries=0" in joined
    assert f"--config={tmp_path / 'config.json'}" in joined
    assert f"--ServerApp.identity_provider_class={cli.IDENTITY_PROVIDER}" in command
    assert f"--ServerApp.login_handler_class={cli.LOGIN_HANDLER}" in command
    assert "token" not in joined.lower()  # never on the command line (ps would show it)
    assert ("--allow-root" in command) == (os.geteuid() == 0)
    assert cli.token_config("abc") == {"IdentityProvider": {"token": "abc"},
                                       "PasswordIdentityProvider": {"token": "abc"}}


# ----------------------------------------------------------------------------- --lang zh (中文版)


def test_lab_in_chinese_copies_the_chinese_edition_and_opens_its_index(tmp_path, capsys, started):
    target = tmp_path / "l"
    code, out, err = run_cli(capsys, "lab", str(target), "--lang", "zh", "--no-browser")
    assert code == 0, err
    assert {p.relative_to(target) for p in target.rglob("*.ipynb")} == {Path("zh") / rel for rel in FILES_ZH}
    assert (target / "zh" / "index.ipynb").read_bytes() == (SHIPPED_ZH / "index.ipynb").read_bytes()
    command = started[0]["command"]
    assert f"--ServerApp.root_dir={target}" in command and "--LabApp.default_url=/lab/tree/zh/index.ipynb" in command
    assert f"/lab/tree/zh/index.ipynb?token={started[0]['token']}" in out
    code, out, err = run_cli(capsys, "lab", str(target), "--no-browser")  # English by default, beside it
    assert code == 0, err
    assert "--LabApp.default_url=/lab/tree/index.ipynb" in started[1]["command"]
    assert {p.relative_to(target) for p in target.glob("*.ipynb")} == {rel for rel in FILES if rel.parent == Path(".")}


def test_make_lab_in_chinese_opens_the_checkouts_chinese_index(tmp_path, capsys, started):
    """``make lab LAB_ARGS="--lang zh"`` runs ``conv-lessons lab --no-copy <checkout> --lang zh``, which
    opens notebooks/zh/index.ipynb and copies nothing."""
    venv = Path(sys.prefix)
    make_lab_or_skip(venv)
    dry = subprocess.run(["make", "-n", "-s", "-C", str(REPO), "lab", f"VENV={venv}",
                          "LAB_ARGS=--lang zh --no-browser"], capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    line = next(line for line in dry.stdout.splitlines() if "conv-lessons lab" in line)
    program, *args = shlex.split(line)
    assert Path(program) == venv / "bin" / "conv-lessons"
    assert args == ["lab", "--no-copy", str(REPO), "--lang", "zh", "--no-browser"]
    before = sorted(p.name for p in REPO.iterdir())
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert "--LabApp.default_url=/lab/tree/notebooks/zh/index.ipynb" in started[0]["command"]
    assert "/lab/tree/notebooks/zh/index.ipynb?token=" in out and "(as it is: nothing copied)" in out
    assert sorted(p.name for p in REPO.iterdir()) == before
    assert cli.start_page(REPO) == "notebooks/index.ipynb" and cli.start_page(tmp_path, "zh") is None
