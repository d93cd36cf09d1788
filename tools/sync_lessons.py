"""Bring every lesson's MyST source and its notebook in step: ``make sync``.

Usage: python tools/sync_lessons.py [--check] [--keep md|ipynb] [--run-all] [--no-execute] [PATH ...]

Each lesson is a pair (jupytext.toml): ``lessons/<rel>.md``, the text a teacher edits, and
``notebooks/<rel>.ipynb``, the executed notebook learners open.  For each pair (or only the ones
named by PATH, either side):

1. Which side was edited?  Both sides are compared as jupytext's MyST text (cells: kind, source,
   tags and other metadata, order).  Equal: in step.  Otherwise the side that still matches the
   last synced state (``build/lessons-sync.json``, or the committed version in git when there is
   no record) is the stale one and is brought up to date from the other.  When *both* sides
   changed, nothing is written for that pair: the tool says so and how to keep one side
   (``--keep md`` or ``--keep ipynb``).  A newer edit is never overwritten silently.
2. The navigation cells and the index's table are rewritten from ``conv_lessons/toc.py``
   (tools/add_navigation.py).
3. The notebook is written with the text's cells and its stored outputs (jupytext keeps the outputs
   and the ids of unchanged cells; a new cell gets a new id), and the ``.md`` from the result.
4. A notebook whose code changed (since the last sync or commit), or that has a code cell never
   run, is re-executed in place, seeded, by tools/execute_notebooks.py.  ``--run-all`` re-executes
   every notebook (after a change to the package code the lessons call).

``--check`` writes nothing and exits 1 when any pair is out of step.  Exit status 1 also when a
pair was refused.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import hashlib
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
from jupytext.combine import combine_inputs_with_outputs
from jupytext.config import load_jupytext_configuration_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
import add_navigation  # noqa: E402
import execute_notebooks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEXT_DIR, NOTEBOOK_DIR = "lessons", "notebooks"
MYST = "md:myst"
STATE = Path("build") / "lessons-sync.json"


@dataclass(frozen=True)
class Pair:
    """One lesson: ``rel`` (``01_cross_correlation``, ``solutions/…``) and its two files."""

    rel: str
    md: Path
    ipynb: Path


class Refused(Exception):
    """Both sides of a pair changed: nothing was written."""


def config(root: Path):
    """The project's jupytext configuration (root/jupytext.toml)."""
    return load_jupytext_configuration_file(str(root / "jupytext.toml"))


def _visible(path: Path, base: Path) -> bool:
    return not any(part.startswith(".") for part in path.relative_to(base).parts)  # .ipynb_checkpoints


def find_pairs(root: Path) -> list[Pair]:
    """Every lesson with a file on either side, in path order."""
    text, notebooks = root / TEXT_DIR, root / NOTEBOOK_DIR
    rels = {p.relative_to(text).with_suffix("").as_posix() for p in text.rglob("*.md") if _visible(p, text)}
    rels |= {p.relative_to(notebooks).with_suffix("").as_posix()
             for p in notebooks.rglob("*.ipynb") if _visible(p, notebooks)}
    return [Pair(rel, text / f"{rel}.md", notebooks / f"{rel}.ipynb") for rel in sorted(rels)]


def myst_text(notebook: nbformat.NotebookNode, cfg) -> str:
    """The notebook as MyST Markdown: exactly what decides whether two sides are in step."""
    return jupytext.writes(copy.deepcopy(notebook), fmt=MYST, config=cfg)  # writes() adds to the metadata


def read_md(path: Path, cfg) -> nbformat.NotebookNode:
    """The cells of a MyST source, read as JupyterLab's contents manager reads them."""
    return jupytext.reads(path.read_text(encoding="utf-8"), fmt=MYST, config=cfg)


def code_digest(notebook: nbformat.NotebookNode) -> str:
    """Fingerprint of what runs: the code cells' sources, in order."""
    return _digest("\n\0".join(c.source for c in notebook.cells if c.cell_type == "code"))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _git_text(root: Path, path: Path) -> str | None:
    """The committed (HEAD) text of ``path``, or None outside git / for a file not committed."""
    try:
        run = subprocess.run(["git", "show", f"HEAD:./{path.relative_to(root).as_posix()}"], cwd=root,
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return run.stdout if run.returncode == 0 else None


def last_synced(pair: Pair, root: Path, cfg, state: dict) -> dict | None:
    """{"cells": digest of the MyST text, "code": digest of the code} when the pair was last in step."""
    if pair.rel in state:
        return state[pair.rel]
    committed = _git_text(root, pair.md)
    if committed is None:
        return None
    notebook = jupytext.reads(committed, fmt=MYST, config=cfg)
    return {"cells": _digest(myst_text(notebook, cfg)), "code": code_digest(notebook)}


def diff(a: str, b: str, a_name: str, b_name: str, limit: int = 60) -> str:
    lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), a_name, b_name, lineterm="", n=1))
    more = f"\n… ({len(lines) - limit} more lines)" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def out_of_step(pair: Pair, root: Path, cfg) -> str | None:
    """Why the pair is out of step (a side missing, or the diff of their cells); None when in step."""
    for path in (pair.md, pair.ipynb):
        if not path.is_file():
            return f"{path.relative_to(root)} is missing (the lesson exists on one side only)"
    text = myst_text(read_md(pair.md, cfg), cfg)
    from_notebook = myst_text(nbformat.read(pair.ipynb, as_version=4), cfg)
    if text == from_notebook:
        return None
    return diff(from_notebook, text, str(pair.ipynb.relative_to(root)), str(pair.md.relative_to(root)))


def _refusal(pair: Pair, root: Path, md_text: str, nb_text: str) -> str:
    md, ipynb = pair.md.relative_to(root), pair.ipynb.relative_to(root)
    return (f"{md} and {ipynb} were both edited since they were last in step, differently.\n"
            f"Nothing was written for this lesson. Differences ({ipynb} → {md}):\n"
            f"{diff(nb_text, md_text, str(ipynb), str(md))}\n"
            f"Keep one side (the other side's edits are lost: copy what you need first), then sync again:\n"
            f"  keep the text:     .venv/bin/python tools/sync_lessons.py --keep md {md}\n"
            f"  keep the notebook: .venv/bin/python tools/sync_lessons.py --keep ipynb {ipynb}")


def sync_pair(pair: Pair, root: Path, cfg, state: dict, *, keep: str | None = None, execute: bool = True,
              run: bool = False, navigate: bool = True) -> list[str]:
    """Bring one pair in step; returns what was done (empty: nothing).  Raises Refused."""
    md_rel, nb_rel = pair.md.relative_to(root), pair.ipynb.relative_to(root)
    done: list[str] = []
    has_md, has_nb = pair.md.is_file(), pair.ipynb.is_file()
    old = nbformat.read(pair.ipynb, as_version=4) if has_nb else None
    if has_md:
        text_nb = read_md(pair.md, cfg)
    if has_md and has_nb:
        md_text, nb_text = myst_text(text_nb, cfg), myst_text(old, cfg)
        if md_text == nb_text:
            source = "md"
        elif keep is not None:
            source = keep
        else:
            base = last_synced(pair, root, cfg, state)
            if base is not None and _digest(nb_text) == base["cells"]:
                source = "md"
            elif base is not None and _digest(md_text) == base["cells"]:
                source = "ipynb"
            else:
                raise Refused(_refusal(pair, root, md_text, nb_text))
        if md_text != nb_text:
            done.append(f"{nb_rel} ← {md_rel}" if source == "md" else f"{md_rel} ← {nb_rel}")
    elif has_md:
        source = "md"
        done = [f"{nb_rel} created from {md_rel}"]
        pair.ipynb.parent.mkdir(parents=True, exist_ok=True)
    else:
        source = "ipynb"
        done = [f"{md_rel} created from {nb_rel}"]
        pair.md.parent.mkdir(parents=True, exist_ok=True)
    # Cells from the source side, read as MyST text (so the result is the same whichever side was
    # edited, and the same as a save from JupyterLab); outputs and ids from the stored notebook.
    inputs = text_nb if source == "md" else jupytext.reads(myst_text(old, cfg), fmt=MYST, config=cfg)
    notebook = combine_inputs_with_outputs(inputs, old if old is not None else nbformat.v4.new_notebook(), fmt=MYST)

    if navigate and add_navigation.apply_navigation(notebook, pair.rel):
        done.append(f"navigation of {pair.rel} rewritten from conv_lessons/toc.py")
    _unique_ids(notebook)

    notebook = execute_notebooks.clean(notebook)
    nb_written = _write_if_changed(pair.ipynb, nbformat.writes(notebook) + "\n")
    base = last_synced(pair, root, cfg, state) if has_md and has_nb else None
    code = code_digest(notebook)
    code_changed = old is None or code_digest(old) != code or (base is not None and base["code"] != code)
    never_run = any(c.cell_type == "code" and c.get("execution_count") is None for c in notebook.cells)
    stale = (run or never_run or code_changed) and any(c.cell_type == "code" for c in notebook.cells)
    if execute and stale:
        seconds = execute_notebooks.execute(pair.ipynb)
        done.append(f"{nb_rel} re-executed ({seconds:.1f} s)")
        notebook, nb_written, stale = nbformat.read(pair.ipynb, as_version=4), True, False

    md_text = myst_text(notebook, cfg)
    if _write_if_changed(pair.md, md_text):
        if not done:
            done.append(f"{md_rel} rewritten as jupytext writes it (same cells)")
    elif nb_written:
        pair.md.touch()  # the text stays the newer file: JupyterLab reads the cells from it
    # "code": the code the stored outputs come from; outputs left stale (--no-execute) keep the old
    # fingerprint, so the next sync still runs them.
    state[pair.rel] = {"cells": _digest(md_text), "code": (base or {}).get("code", "") if stale else code}
    return done


def _unique_ids(notebook: nbformat.NotebookNode) -> None:
    seen: set[str] = set()
    for cell in notebook.cells:
        while not cell.get("id") or cell.id in seen:
            cell.id = nbformat.v4.new_markdown_cell().id
        seen.add(cell.id)


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def _selected(pairs: list[Pair], paths: list[str], root: Path) -> list[Pair]:
    if not paths:
        return pairs
    wanted = {Path(p).resolve() for p in paths}
    chosen = [pair for pair in pairs if {pair.md.resolve(), pair.ipynb.resolve()} & wanted]
    unknown = wanted - {f.resolve() for pair in chosen for f in (pair.md, pair.ipynb)}
    if unknown:
        raise SystemExit(f"PATH: not a lesson under {TEXT_DIR}/ or {NOTEBOOK_DIR}/: "
                         f"{', '.join(sorted(map(str, unknown)))}")
    return chosen


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", metavar="PATH", help="only these lessons (.md or .ipynb)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a pair is out of step")
    parser.add_argument("--keep", choices=["ipynb", "md"], help="when both sides changed, keep this one")
    parser.add_argument("--run-all", action="store_true", help="re-execute every notebook")
    parser.add_argument("--no-execute", action="store_true", help="never execute (outputs may be stale)")
    args = parser.parse_args(argv)
    if args.keep and not args.paths:
        parser.error("--keep needs the PATH of the lesson(s) whose side you keep")
    cfg = config(root)
    pairs = _selected(find_pairs(root), args.paths, root)

    if args.check:
        problems = [f"{p.rel}: {why}" for p in pairs if (why := out_of_step(p, root, cfg))]
        print("\n\n".join(problems) if problems else f"{len(pairs)} lessons in step")
        return 1 if problems else 0

    state_path = root / STATE
    state = json.loads(state_path.read_text()) if state_path.is_file() else {}
    refused = 0
    for pair in pairs:
        try:
            for line in sync_pair(pair, root, cfg, state, keep=args.keep, execute=not args.no_execute,
                                  run=args.run_all):
                print(line)
        except Refused as why:
            refused += 1
            print(f"REFUSED {pair.rel}:\n{why}\n", file=sys.stderr)
    state_path.parent.mkdir(parents=True, exist_ok=True)
    state_path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n")
    print(f"{len(pairs) - refused} of {len(pairs)} lessons in step" + (f"; {refused} refused" if refused else ""))
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
