"""``conv-lessons``: give a learner their own copy of the lessons and open it in JupyterLab.

    conv-lessons copy DIR [--refresh] [--only NAME ...]   copy the lessons into DIR, keeping your edits
    conv-lessons lab [DIR] [--port N] [--no-browser]     copy if needed, then start JupyterLab in DIR
    conv-lessons list                                     the lessons this installation ships

Also ``python -m conv_lessons``.  Errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .lessons import BACKUP_FOLDER, CopyError, CopyReport, copy_lessons, lesson_files, lesson_title, lessons_dir

PROG = "conv-lessons"
DEFAULT_LAB_DIR = "conv-lessons"
DEFAULT_PORT = 8888
HOST = "127.0.0.1"  # never anything else: the server is for this machine only


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
    copy.add_argument("dir", metavar="DIR", help="folder for your copy of the lessons")
    copy.add_argument("--refresh", action="store_true",
                      help="replace notebooks you changed by the originals, moving yours to DIR/backups/<date-time>/")
    copy.add_argument("--only", metavar="NAME", action="append",
                      help="only this lesson: a file name, a number (2) or solutions/NAME; repeatable")

    lab = commands.add_parser(
        "lab",
        help="copy the lessons into DIR if needed and open JupyterLab there",
        description="Copy any lessons DIR does not have yet (your own notebooks are never touched), "
        f"then start JupyterLab in DIR on {HOST} with a random access token, and print its address.",
    )
    lab.add_argument("dir", metavar="DIR", nargs="?", default=DEFAULT_LAB_DIR,
                     help=f"folder for your copy of the lessons (default: ./{DEFAULT_LAB_DIR})")
    lab.add_argument("--port", type=_port, default=None,
                     help=f"port to listen on (default: {DEFAULT_PORT}, or a free one if it is taken)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a web browser")

    commands.add_parser("list", help="list the lessons this installation ships",
                        description="List the lesson notebooks, in reading order, and where the originals are.")
    return parser


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
            return _list()
        parser.print_help()
        return 0
    except (UsageError, CopyError, FileNotFoundError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2


def _copy(args: argparse.Namespace) -> int:
    report = copy_lessons(Path(args.dir), refresh=args.refresh, only=args.only)
    _print_report(report, verbose=True)
    print(f"Open them with: {PROG} lab {_arg(report.target)}")
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


def _arg(path: Path) -> str:
    """A path as the learner would type it in a shell (quoted if it has spaces)."""
    return shlex.quote(str(path))


def _count(items: list) -> str:
    return f"{len(items)} notebook" + ("" if len(items) == 1 else "s")


def _list() -> int:
    root = lessons_dir()
    print(f"Lessons shipped in {root}:")
    for rel in lesson_files(root):
        print(f"  {rel.as_posix():48s} {lesson_title(root / rel)}")
    return 0


# ----------------------------------------------------------------------------------------- lab


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _choose_port(requested: int | None) -> int:
    if requested is not None:
        if not _port_is_free(requested):
            raise UsageError(f"port {requested} on {HOST} is in use: pick another with --port, or leave --port out")
        return requested
    if _port_is_free(DEFAULT_PORT):
        return DEFAULT_PORT
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def lab_command(root: Path, port: int, config_file: Path, open_browser: bool) -> list[str]:
    """The JupyterLab command line ``conv-lessons lab`` runs: this Python's JupyterLab, on 127.0.0.1,
    serving ``root``, with the token set in ``config_file`` (loaded after the user's own Jupyter
    config, so a config that disables the token cannot take effect; command-line options win over both)."""
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--config={config_file}",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.open_browser={open_browser}",
    ]
    if (root / "index.ipynb").is_file():
        command.append("--LabApp.default_url=/lab/tree/index.ipynb")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def _lab(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("jupyterlab") is None:
        raise UsageError(f"JupyterLab is not installed in this Python ({sys.executable}): "
                         "pip install jupyterlab, or reinstall conv-lessons")
    port = _choose_port(args.port)
    report = copy_lessons(Path(args.dir))
    _print_report(report, verbose=False)
    root = report.target
    token = secrets.token_hex(24)
    page = "lab/tree/index.ipynb" if (root / "index.ipynb").is_file() else "lab"
    url = f"http://{HOST}:{port}/{page}?token={token}"

    with tempfile.TemporaryDirectory(prefix="conv-lessons-") as private:
        # The token goes in a file only this user can read (mkdtemp makes the folder 0700), never
        # on the command line, where other users of the machine could see it with `ps`.
        config_file = Path(private) / "conv_lessons_lab_config.json"
        config_file.write_text(json.dumps({"IdentityProvider": {"token": token}}), encoding="utf-8")
        env = dict(os.environ, JUPYTER_TOKEN=token)
        print(f"Starting JupyterLab in {root}")
        print(f"Open this address in your browser (it includes your access token; keep it private):\n    {url}")
        print("Stop JupyterLab with Ctrl+C (twice).", flush=True)
        return _run_foreground(lab_command(root, port, config_file, not args.no_browser), env, cwd=root)


def _run_foreground(command: list[str], env: dict[str, str], cwd: Path) -> int:
    """Run JupyterLab as a child; Ctrl+C goes to it (it asks before shutting down), SIGTERM is passed on."""
    process = subprocess.Popen(command, env=env, cwd=cwd)
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)

    def forward(signum: int, _frame: object) -> None:
        if process.poll() is None:
            process.send_signal(signum)

    previous_term = signal.signal(signal.SIGTERM, forward) if hasattr(signal, "SIGTERM") else None
    try:
        return process.wait()
    finally:
        signal.signal(signal.SIGINT, previous_int)
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
