"""``conv-lessons``: give a learner their own copy of the lessons and open it in JupyterLab.

    conv-lessons copy DIR [--refresh] [--only NAME ...]   copy the lessons into DIR, keeping your edits
    conv-lessons lab [DIR] [--port N] [--no-browser]     copy if needed, then start JupyterLab in DIR
    conv-lessons lab --no-copy DIR                        serve DIR as it is (``make lab``: the checkout)
    conv-lessons list                                     the lessons this installation ships

Each takes ``--lang zh`` for the Chinese edition (中文版): its lessons are copied into DIR/zh/ (the
layout of the package, so one folder can hold both editions) and JupyterLab opens DIR/zh/index.ipynb
(with --no-copy, the first of zh/index.ipynb and notebooks/zh/index.ipynb).  English is the default.

Also ``python -m conv_lessons``.  Errors are one line on stderr and exit code 2.  Nothing here
imports PyTorch, so every command starts in a fraction of a second.

JupyterLab always listens on 127.0.0.1 only and always asks for a fresh random token, whatever the
user's Jupyter configuration says: the token is set in a private config file loaded after the
user's, for the identity provider class this command forces; and once the server answers, the
command checks that it refuses a request without the token, and stops it otherwise.
"""

from __future__ import annotations

# Modules only ``lab`` needs (subprocess, threading, tempfile, secrets, urllib.request) are imported
# where they are used, so that copy, list, --help and --version start faster.
import argparse
import importlib.util
import json
import os
import shlex
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from .lessons import (
    BACKUP_FOLDER,
    EDITIONS,
    CopyError,
    CopyReport,
    copy_lessons,
    edition_folder,
    lesson_files,
    lesson_title,
    lessons_dir,
)

if TYPE_CHECKING:
    import subprocess

PROG = "conv-lessons"
DEFAULT_LAB_DIR = "conv-lessons"
DEFAULT_PORT = 8888
#: Tried in turn when DEFAULT_PORT is taken (JupyterLab's own habit), then any free port.
FALLBACK_PORTS = range(DEFAULT_PORT + 1, DEFAULT_PORT + 11)
HOST = "127.0.0.1"  # never anything else: the server is for this machine only
#: The page JupyterLab opens first: the first of these that exists in the folder it serves
#: (a learner's copy holds index.ipynb; a source checkout holds notebooks/index.ipynb), inside the
#: edition's folder (zh/index.ipynb, notebooks/zh/index.ipynb for ``--lang zh``).
START_PAGES = ("index.ipynb", "notebooks/index.ipynb")
LANGUAGE_HELP = "language of the lessons: en (English, the default) or zh (中文, the Chinese edition, in DIR/zh/)"
#: Forced on JupyterLab's command line, so that no configuration file can swap in an identity
#: provider or a legacy login handler that skips the token.
IDENTITY_PROVIDER = "jupyter_server.auth.identity.PasswordIdentityProvider"
LOGIN_HANDLER = "jupyter_server.auth.login.LegacyLoginHandler"  # jupyter_server's default LoginHandler


class UsageError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the fix (instead of the usage block)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``copy``, ``lab`` and ``list`` sub-commands, each with its own ``--help``."""
    from . import __version__

    parser = _Parser(
        prog=PROG,
        description="Interactive lessons on convolutions for images (Dive into Deep Learning). "
        "Copy the lesson notebooks into a folder of your own and open them in JupyterLab.",
        epilog=f"Start here: {PROG} lab   (copies the lessons into ./{DEFAULT_LAB_DIR} and opens them)",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    copy = commands.add_parser(
        "copy",
        help="copy the lessons into DIR (never overwrites your files)",
        description="Copy the pristine lesson notebooks into DIR (created if missing). A notebook you "
        "already have is never overwritten: if it differs from the original it is left alone and "
        "listed. With --refresh, your version is first moved to DIR/backups/<date-time>/ and the "
        "original written in its place. Nothing you wrote is ever deleted.",
    )
    copy.add_argument("dir", metavar="DIR", type=_folder, help="folder for your copy of the lessons")
    copy.add_argument("--refresh", action="store_true",
                      help="replace notebooks you changed by the originals, moving yours to DIR/backups/<date-time>/")
    copy.add_argument("--only", metavar="NAME", action="append",
                      help="only this lesson: a file name, a number (2) or solutions/NAME; repeatable")
    copy.add_argument("--lang", choices=list(EDITIONS), default="en", type=_language, help=LANGUAGE_HELP)

    lab = commands.add_parser(
        "lab",
        help="copy the lessons into DIR if needed and open JupyterLab there",
        description="Copy any lessons DIR does not have yet (your own notebooks are never touched), "
        f"then start JupyterLab in DIR on {HOST} with a random access token, and print its address. "
        "The token is required even if your Jupyter configuration switches it off.",
    )
    lab.add_argument("dir", metavar="DIR", nargs="?", default=DEFAULT_LAB_DIR, type=_folder,
                     help=f"folder for your copy of the lessons (default: ./{DEFAULT_LAB_DIR})")
    lab.add_argument("--port", type=_port, default=None,
                     help=f"port to listen on (default: {DEFAULT_PORT}; if that is taken, the next free one, "
                     "and it says so)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    lab.add_argument("--no-copy", action="store_true",
                     help="serve DIR as it is, copying nothing (make lab serves the source checkout so); "
                     f"opens the first of {', '.join(START_PAGES)} found in DIR")
    lab.add_argument("--lang", choices=list(EDITIONS), default="en", type=_language, help=LANGUAGE_HELP)

    listing = commands.add_parser("list", help="list the lessons this installation ships",
                                  description="List the lesson notebooks, in reading order, and where the "
                                  "originals are.")
    listing.add_argument("--lang", choices=list(EDITIONS), default="en", type=_language, help=LANGUAGE_HELP)
    return parser


def _language(text: str) -> str:
    """``--lang``: en or zh, any case; zh-CN, zh_CN, zh-Hans and 中文 are zh."""
    text = text.strip().lower().replace("_", "-")
    return "zh" if text in {"zh-cn", "zh-hans", "中文", "chinese"} else "en" if text == "english" else text


def _folder(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("the folder name is empty: give the name of a folder, e.g. ~/conv-lessons")
    return text


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number 1-65535, got {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 1-65535, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 usage error, else JupyterLab's own code)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _dispatch(parser, args)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stdout = open(os.devnull, "w")  # Python would otherwise complain flushing the closed pipe
        return 0


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        if args.command == "copy":
            return _copy(args)
        if args.command == "lab":
            return _lab(args)
        if args.command == "list":
            return _list(args.lang)
        parser.print_help()
        return 0
    except (UsageError, CopyError, FileNotFoundError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2


def _copy(args: argparse.Namespace) -> int:
    report = copy_lessons(Path(args.dir), refresh=args.refresh, only=args.only, language=args.lang)
    _print_report(report, verbose=True)
    print(f"Open them with: {PROG} lab {_arg(report.target)}" + ("" if args.lang == "en" else f" --lang {args.lang}"))
    return 0


def _print_report(report: CopyReport, verbose: bool) -> None:
    target = report.target
    if report.copied:
        print(f"Copied {_count(report.copied)} into {target}" + (":" if verbose else "."))
        if verbose:
            for rel in report.copied:
                print(f"  {rel.as_posix()}")
    if report.unchanged and verbose:
        print(f"{_count(report.unchanged)} already there and unchanged.")
    changed = [rel for rel in report.kept if rel not in report.outdated]
    if report.kept and not verbose:
        print(f"Your own version of {_count(report.kept)} is kept as it is "
              f"({PROG} copy {_arg(target)} lists them).")
    elif report.kept:
        if changed:
            print(f"Kept your version of {_count(changed)} (you changed it; different from the original lesson):")
            for rel in changed:
                print(f"  {rel.as_posix()}")
        if report.outdated:
            print(f"A newer version of the lesson exists for {_count(report.outdated)} "
                  "(your copy is as it was copied; you have not changed it):")
            for rel in report.outdated:
                print(f"  {rel.as_posix()}")
        print(f"  To get the original lesson (your copy is first moved to {BACKUP_FOLDER}/, not deleted): "
              f"{PROG} copy {_arg(target)} --refresh [--only NAME]")
    if report.refreshed:
        assert report.backup_dir is not None
        print(f"Restored the original of {_count(report.refreshed)}; your versions were moved to "
              f"{report.backup_dir}:")
        for rel in report.refreshed:
            print(f"  {rel.as_posix()}  ->  {report.backup_dir / rel}")
    if report.unreadable:
        print(f"Cannot read {_count(report.unreadable)} of yours (permission denied), left alone; "
              "to compare with the lessons, make readable (chmod u+r FILE):")
        for rel in report.unreadable:
            print(f"  {target / rel}")


def _arg(path: Path) -> str:
    """A path as the learner would type it in a shell (quoted if it has spaces)."""
    return shlex.quote(str(path))


def _count(items: list) -> str:
    return f"{len(items)} notebook" + ("" if len(items) == 1 else "s")


def _list(language: str = "en") -> int:
    root = lessons_dir(language)
    print(f"Lessons shipped in {root}:")
    for rel in lesson_files(root):
        print(f"  {rel.as_posix():48s} {lesson_title(root / rel)}")
    return 0


# ----------------------------------------------------------------------------------------- lab


def _port_is_free(port: int) -> bool:
    """Whether JupyterLab could listen on ``port`` of 127.0.0.1 now.

    The socket is bound the way JupyterLab's web server (tornado) binds its own: with
    ``SO_REUSEADDR`` except on Windows.  So a port whose previous server has just stopped (its
    connections linger in TIME-WAIT for a minute) counts as free, as it is for JupyterLab, and a
    port another program listens on does not.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
            sock.listen(1)
        except OSError:
            return False
    return True


def _choose_port(requested: int | None) -> int:
    """``requested`` if it is free (else a :class:`UsageError`); without one, DEFAULT_PORT, the
    first free of FALLBACK_PORTS, or any free port."""
    if requested is not None:
        if not _port_is_free(requested):
            raise UsageError(f"port {requested} on {HOST} is in use: pick another with --port, or leave --port out")
        return requested
    for port in (DEFAULT_PORT, *FALLBACK_PORTS):
        if _port_is_free(port):
            return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_page(root: Path, language: str = "en") -> str | None:
    """The notebook JupyterLab opens first in ``root``, relative to it (the first of
    :data:`START_PAGES` that exists, in the ``language`` edition's folder: ``zh/index.ipynb`` or
    ``notebooks/zh/index.ipynb`` for ``"zh"``), or ``None`` for the file browser."""
    folder = edition_folder(language)
    for page in START_PAGES:
        page = page.replace("index.ipynb", f"{folder}/index.ipynb") if folder else page
        if (root / page).is_file():
            return page
    return None


def lab_command(root: Path, port: int, config_file: Path, open_browser: bool,
                language: str = "en") -> list[str]:
    """The JupyterLab command line ``conv-lessons lab`` runs: this Python's JupyterLab, on 127.0.0.1,
    serving ``root`` and opening :func:`start_page`, with the token set in ``config_file``.

    JupyterLab reads ``config_file`` instead of the user's ``jupyter_server_config`` files and after
    their ``jupyter_config`` and ``jupyter_lab_config`` files; the options given here win over all of
    them.  The token itself is never on the command line, where other users could see it with ``ps``.
    """
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--config={config_file}",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.base_url=/",
        f"--ServerApp.identity_provider_class={IDENTITY_PROVIDER}",
        f"--ServerApp.login_handler_class={LOGIN_HANDLER}",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.open_browser={open_browser}",
    ]
    page = start_page(root, language)
    if page is not None:
        command.append(f"--LabApp.default_url=/lab/tree/{quote(page)}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def token_config(token: str) -> dict:
    """The private Jupyter config that sets the token: for the identity provider and, as a user
    file may set ``PasswordIdentityProvider.token`` (which would win over ``IdentityProvider``'s),
    for the class :data:`IDENTITY_PROVIDER` as well."""
    return {"IdentityProvider": {"token": token}, "PasswordIdentityProvider": {"token": token}}


def _lab(args: argparse.Namespace) -> int:
    import secrets
    import tempfile

    if importlib.util.find_spec("jupyterlab") is None:
        raise UsageError(f"JupyterLab is not installed in this Python ({sys.executable}): "
                         "pip install jupyterlab, or reinstall conv-lessons")
    port = _choose_port(args.port)
    if args.no_copy:
        root = Path(args.dir).expanduser().absolute()
        if not root.is_dir():
            raise UsageError(f"{root} is not a folder: --no-copy serves a folder as it is; leave --no-copy "
                             "out to copy the lessons into a new folder")
    else:
        report = copy_lessons(Path(args.dir), language=args.lang)
        _print_report(report, verbose=False)
        root = report.target
    token = secrets.token_hex(24)
    page = start_page(root, args.lang)
    base = f"http://{HOST}:{port}"
    url = f"{base}/lab/tree/{quote(page)}?token={token}" if page else f"{base}/lab?token={token}"

    with tempfile.TemporaryDirectory(prefix="conv-lessons-") as private:
        # The token goes in a file only this user can read (mkdtemp makes the folder 0700), never
        # on the command line, where other users of the machine could see it with `ps`.
        config_file = Path(private) / "conv_lessons_lab_config.json"
        config_file.write_text(json.dumps(token_config(token)), encoding="utf-8")
        env = dict(os.environ, JUPYTER_TOKEN=token)
        if args.port is None and port != DEFAULT_PORT:
            print(f"Port {DEFAULT_PORT} on {HOST} is in use (another JupyterLab?), so this one listens on "
                  f"port {port}; choose one with --port N.")
        print(f"Starting JupyterLab in {root}" + (" (as it is: nothing copied)" if args.no_copy else ""))
        print(f"Open this address in your browser (it includes your access token; keep it private):\n    {url}")
        print("Stop JupyterLab with Ctrl+C (twice).", flush=True)
        return _run_foreground(lab_command(root, port, config_file, not args.no_browser, args.lang), env,
                               cwd=root, base_url=base)


def _run_foreground(command: list[str], env: dict[str, str], cwd: Path, base_url: str | None = None) -> int:
    """Run JupyterLab as a child; Ctrl+C goes to it (it asks before shutting down), SIGTERM is passed on.

    With ``base_url``, a watcher stops the server (exit code 2) if it serves ``/api/contents`` to a
    request without the token: some configuration switched authentication off after all.
    """
    import subprocess
    import threading

    process = subprocess.Popen(command, env=env, cwd=cwd)
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)

    def forward(signum: int, _frame: object) -> None:
        if process.poll() is None:
            process.send_signal(signum)

    previous_term = signal.signal(signal.SIGTERM, forward) if hasattr(signal, "SIGTERM") else None
    unauthenticated: list[int] = []
    if base_url is not None:
        threading.Thread(target=_stop_if_unauthenticated, args=(process, base_url, unauthenticated),
                         daemon=True).start()
    try:
        code = process.wait()
    finally:
        signal.signal(signal.SIGINT, previous_int)
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    return 2 if unauthenticated else code


def _answers_without_token(base_url: str) -> int | None:
    """The HTTP status of ``GET base_url/api/contents`` with no credentials; None if nothing listens."""
    import urllib.error
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):  # a redirect to the login page is an answer
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    # No proxy (a proxy setting must not answer for 127.0.0.1), no redirect, no cookies.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
    try:
        with opener.open(f"{base_url}/api/contents", timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except (OSError, ValueError):
        return None


def _stop_if_unauthenticated(process: subprocess.Popen, base_url: str, found: list[int]) -> None:
    import subprocess
    import time

    while process.poll() is None:
        status = _answers_without_token(base_url)
        if status is None:
            time.sleep(0.2)
            continue
        if 200 <= status < 300:
            found.append(status)
            print(f"{PROG}: error: JupyterLab served {base_url}/api/contents without the access token "
                  "(a Jupyter configuration file switched authentication off), so it was stopped: look "
                  "for 'token' or 'identity_provider' in the files `jupyter --paths` lists under config",
                  file=sys.stderr, flush=True)
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        return
