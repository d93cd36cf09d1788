"""Every lesson is a MyST source in lessons/ paired with its executed notebook in notebooks/
(jupytext.toml), and the two cannot drift apart: the committed pairs are in step, and `make sync`
(tools/sync_lessons.py) brings an edited pair back in step without losing an edit, keeping cell ids.

Drift is judged as jupytext sees it: both sides written as MyST text (cell kinds, sources, tags and
other metadata, order, kernelspec) must be equal.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]


def _tool(name: str):
    sys.path.insert(0, str(REPO / "tools"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "tools"))


sync_lessons = _tool("sync_lessons")
CFG = sync_lessons.config(REPO)
PAIRS = sync_lessons.find_pairs(REPO)


def copy_project(tmp_path: Path) -> Path:
    """lessons/, notebooks/ and jupytext.toml in a temporary folder (not a git checkout)."""
    root = tmp_path / "project"
    for name in ("lessons", "notebooks"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns(".*"))
    shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
    return root


def sync(root: Path, *args: str) -> int:
    return sync_lessons.main(["--no-execute", *args], root=root)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def write(notebook: nbformat.NotebookNode, path: Path) -> None:
    nbformat.write(notebook, path)


# ---------------------------------------------------------------------------- the committed pairs


def test_every_lesson_exists_on_both_sides():
    assert len(PAIRS) >= 26
    one_sided = [f"{p.rel}: {'.md' if p.md.is_file() else 'no .md'}, {'.ipynb' if p.ipynb.is_file() else 'no .ipynb'}"
                 for p in PAIRS if not (p.md.is_file() and p.ipynb.is_file())]
    assert not one_sided, "lessons on one side only (run `make sync`):\n" + "\n".join(one_sided)


@pytest.mark.parametrize("pair", PAIRS, ids=lambda p: p.rel)
def test_notebook_and_its_myst_source_are_in_step(pair):
    why = sync_lessons.out_of_step(pair, REPO, CFG)
    assert why is None, f"{pair.rel} drifted; run `make sync` (it refuses if both sides were edited):\n{why}"


def test_no_test_marker_in_code_a_learner_reads():
    """nbval's markers are cell tags (nbval-ignore-output, nbval-skip, raises-exception), not comments."""
    found = [f"{path.relative_to(REPO)}: {cell.source.splitlines()[0]!r}"
             for pair in PAIRS for path, notebook in ((pair.ipynb, read(pair.ipynb)),
                                                      (pair.md, jupytext.read(pair.md, config=CFG)))
             for cell in notebook.cells if cell.cell_type == "code" and "NBVAL_" in cell.source]
    assert not found, "make these markers cell tags (:tags: [nbval-ignore-output] in the .md):\n" + "\n".join(found)
    tagged = [c for p in PAIRS for c in read(p.ipynb).cells if "nbval-ignore-output" in c.metadata.get("tags", [])]
    assert len(tagged) >= 6, "every explorer cell carries the nbval-ignore-output tag"


def test_the_chinese_edition_is_paired_lesson_for_lesson():
    """lessons/zh/…md ↔ notebooks/zh/…ipynb, one pair per English pair (jupytext.toml pairs sub-folders)."""
    chinese = {p.rel.removeprefix("zh/") for p in PAIRS if p.rel.startswith("zh/")}
    english = {p.rel for p in PAIRS if not p.rel.startswith("zh/")}
    assert chinese == english and len(chinese) >= 13
    for pair in PAIRS:
        if pair.rel.startswith("zh/"):
            assert pair.md == REPO / "lessons" / f"{pair.rel}.md"
            assert pair.ipynb == REPO / "notebooks" / f"{pair.rel}.ipynb"


# ------------------------------------------------------------------ the drift check can fail


def test_drift_is_caught_on_a_deliberately_edited_notebook(tmp_path):
    root = copy_project(tmp_path)
    pair = next(p for p in sync_lessons.find_pairs(root) if p.rel == "01_cross_correlation")
    assert sync_lessons.out_of_step(pair, root, CFG) is None

    edited = read(pair.ipynb)  # a sentence changed in the notebook only
    cell = next(c for c in edited.cells if c.cell_type == "markdown" and "sliding window" in c.source)
    cell.source = cell.source.replace("sliding window", "sliding windw")
    write(edited, pair.ipynb)
    why = sync_lessons.out_of_step(pair, root, CFG)
    assert why is not None and "sliding windw" in why

    edited = read(REPO / "notebooks" / "01_cross_correlation.ipynb")
    explorer = next(c for c in edited.cells if "nbval-ignore-output" in c.metadata.get("tags", []))
    explorer.metadata["tags"] = []  # a tag lost
    write(edited, pair.ipynb)
    assert "nbval-ignore-output" in sync_lessons.out_of_step(pair, root, CFG)

    edited = read(REPO / "notebooks" / "01_cross_correlation.ipynb")  # two cells swapped
    edited.cells[2], edited.cells[3] = edited.cells[3], edited.cells[2]
    write(edited, pair.ipynb)
    assert sync_lessons.out_of_step(pair, root, CFG) is not None

    write(read(REPO / "notebooks" / "01_cross_correlation.ipynb"), pair.ipynb)
    assert sync_lessons.out_of_step(pair, root, CFG) is None
    pair.md.unlink()  # a lesson on one side only
    assert "missing" in sync_lessons.out_of_step(pair, root, CFG)


# -------------------------------------------------------------------------------- make sync


def test_a_cell_inserted_in_the_text_keeps_every_other_cell_id(tmp_path):
    root = copy_project(tmp_path)
    assert sync(root) == 0  # in step: records the state both sides are in (a checkout has git for that)
    md, ipynb = root / "lessons" / "01_cross_correlation.md", root / "notebooks" / "01_cross_correlation.ipynb"
    before = read(ipynb)
    text = md.read_text(encoding="utf-8")
    anchor = "## The output shape"
    assert text.count(anchor) == 1
    md.write_text(text.replace(anchor, "A new remark.\n\n+++\n\n" + anchor), encoding="utf-8")
    code_anchor = "```{code-cell} ipython3\noutput_shape((3, 3), (2, 2))\n```"
    assert code_anchor in md.read_text(encoding="utf-8")
    md.write_text(md.read_text(encoding="utf-8").replace(
        code_anchor, "```{code-cell} ipython3\nn_h, n_w = 3, 3\n```\n\n" + code_anchor), encoding="utf-8")

    assert sync(root) == 0
    after = read(ipynb)
    assert len(after.cells) == len(before.cells) + 2
    old_ids = [c.id for c in before.cells]
    new_cells = [c for c in after.cells if c.id not in old_ids]
    assert [c.source for c in new_cells] == ["A new remark.", "n_h, n_w = 3, 3"]
    kept = [c for c in after.cells if c.id in old_ids]
    assert [c.id for c in kept] == old_ids, "every other cell keeps its id, in order"
    assert [c.source for c in kept] == [c.source for c in before.cells]
    assert [c.get("outputs") for c in kept] == [c.get("outputs") for c in before.cells], "outputs are kept"
    ids = [c.id for c in after.cells]
    assert len(set(ids)) == len(ids)
    assert sync_lessons.out_of_step(sync_lessons.Pair("01_cross_correlation", md, ipynb), root, CFG) is None


def test_sync_brings_the_edited_side_to_the_other(tmp_path):
    root = copy_project(tmp_path)
    assert sync(root) == 0  # in step: records the state both sides are in
    md, ipynb = root / "lessons" / "02_edge_detection.md", root / "notebooks" / "02_edge_detection.ipynb"

    text = md.read_text(encoding="utf-8")
    md.write_text(text.replace("# 02 Edge detection", "# 02 Edge detection, edited as text"), encoding="utf-8")
    assert sync(root) == 0
    assert read(ipynb).cells[1].source == "# 02 Edge detection, edited as text"

    notebook = read(ipynb)  # now the notebook side, as JupyterLab without jupytext would save it
    notebook.cells[1].source = "# 02 Edge detection, edited in the notebook"
    write(notebook, ipynb)
    assert sync(root) == 0
    assert "# 02 Edge detection, edited in the notebook\n" in md.read_text(encoding="utf-8")


def test_sync_brings_a_chinese_edit_across_with_chinese_navigation(tmp_path):
    root = copy_project(tmp_path)
    assert sync(root) == 0
    md, ipynb = root / "lessons" / "zh" / "02_edge_detection.md", root / "notebooks" / "zh" / "02_edge_detection.ipynb"
    pair = sync_lessons.Pair("zh/02_edge_detection", md, ipynb)
    navigation = read(ipynb).cells[0].source
    assert navigation.startswith("[目录](index.ipynb) · ← 上一课：[01 ")
    text = md.read_text(encoding="utf-8")
    edited = text.replace("# 02 边缘检测\n", "# 02 边缘检测（改）\n", 1).replace(navigation, "[Index](index.ipynb)", 1)
    assert edited.count("[Index](index.ipynb)") == 1
    md.write_text(edited, encoding="utf-8")
    assert "02 边缘检测（改）" in sync_lessons.out_of_step(pair, root, CFG)
    assert sync(root) == 0
    notebook = read(ipynb)
    assert notebook.cells[1].source == "# 02 边缘检测（改）"
    assert notebook.cells[0].source == notebook.cells[-1].source == navigation  # written again, in Chinese
    assert sync_lessons.out_of_step(pair, root, CFG) is None


def test_sync_refuses_a_lesson_edited_on_both_sides_and_writes_nothing(tmp_path, capsys):
    root = copy_project(tmp_path)
    assert sync(root) == 0
    md, ipynb = root / "lessons" / "03_learning_a_kernel.md", root / "notebooks" / "03_learning_a_kernel.ipynb"
    md.write_text(md.read_text(encoding="utf-8").replace("# 03 Learning a kernel", "# 03 Text edit"), encoding="utf-8")
    notebook = read(ipynb)
    notebook.cells[1].source = "# 03 Notebook edit"
    write(notebook, ipynb)
    md_bytes, nb_bytes = md.read_bytes(), ipynb.read_bytes()

    assert sync(root) == 1
    err = capsys.readouterr().err
    assert "both edited" in err and "--keep md lessons/03_learning_a_kernel.md" in err
    assert "# 03 Text edit" in err and "# 03 Notebook edit" in err, "the message shows the two versions"
    assert md.read_bytes() == md_bytes and ipynb.read_bytes() == nb_bytes, "neither edit is overwritten"

    assert sync(root, "--keep", "md", str(md)) == 0
    assert read(ipynb).cells[1].source == "# 03 Text edit"
    assert sync(root) == 0


def test_sync_recreates_the_missing_side(tmp_path):
    root = copy_project(tmp_path)
    md = root / "lessons" / "solutions" / "04_feature_maps_and_receptive_fields_solutions.md"
    text = md.read_text(encoding="utf-8")
    md.unlink()
    assert sync(root) == 0
    assert md.read_text(encoding="utf-8") == text


TINY = """\
---
kernelspec:
  display_name: Python 3 (ipykernel)
  language: python
  name: python3
---

# {title}

```{{code-cell}} ipython3
value = {value}
print(value * 2)
```
"""


def test_sync_executes_only_the_lessons_whose_code_changed(tmp_path, monkeypatch):
    root = tmp_path / "tiny"
    (root / "lessons").mkdir(parents=True)
    shutil.copy(REPO / "jupytext.toml", root / "jupytext.toml")
    for name, value in (("one", 1), ("two", 2)):
        (root / "lessons" / f"{name}.md").write_text(TINY.format(title=name, value=value), encoding="utf-8")
    ran: list[str] = []
    real = sync_lessons.execute_notebooks.execute
    monkeypatch.setattr(sync_lessons.execute_notebooks, "execute", lambda path: ran.append(path.name) or real(path))

    assert sync_lessons.main([], root=root) == 0  # new lessons: notebooks created and executed
    assert sorted(ran) == ["one.ipynb", "two.ipynb"]
    one, two = root / "notebooks" / "one.ipynb", root / "notebooks" / "two.ipynb"
    assert read(one).cells[1].outputs[0].text == "2\n"
    assert read(one).metadata["kernelspec"]["name"] == "python3"

    ran.clear()
    assert sync_lessons.main([], root=root) == 0
    assert ran == [], "nothing changed: nothing runs"

    md = root / "lessons" / "one.md"
    md.write_text(md.read_text(encoding="utf-8").replace("# one", "# one, retitled"), encoding="utf-8")
    assert sync_lessons.main([], root=root) == 0
    assert ran == [], "a Markdown edit needs no run"
    assert read(one).cells[0].source == "# one, retitled"

    two_before = two.read_bytes()
    md.write_text(md.read_text(encoding="utf-8").replace("value = 1", "value = 21"), encoding="utf-8")
    assert sync_lessons.main([], root=root) == 0
    assert ran == ["one.ipynb"]
    assert read(one).cells[1].outputs[0].text == "42\n"
    assert "execution" not in read(one).cells[1].metadata, "no per-cell timing stored"
    assert two.read_bytes() == two_before

    ran.clear()  # a code edit synced with --no-execute is still run by the next sync
    md.write_text(md.read_text(encoding="utf-8").replace("value = 21", "value = 5"), encoding="utf-8")
    assert sync_lessons.main(["--no-execute"], root=root) == 0
    assert ran == [] and read(one).cells[1].outputs[0].text == "42\n"
    assert sync_lessons.main([], root=root) == 0
    assert ran == ["one.ipynb"] and read(one).cells[1].outputs[0].text == "10\n"


# ---------------------------------------------------------------------- nbval reads the tags


def test_nbval_honours_the_tags_under_strict_checking(tmp_path):
    """The tags that replaced the # NBVAL_* comments work with the installed nbval (strict --nbval)."""
    code = "import uuid\nprint(uuid.uuid4())"
    for name, tags in (("tagged", ["nbval-ignore-output"]), ("untagged", [])):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code, metadata={"tags": tags})])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        notebook.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="stored\n")]
        notebook.cells[0].execution_count = 1
        write(notebook, tmp_path / f"{name}.ipynb")
    run = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
                          "-q", str(tmp_path / "tagged.ipynb"), str(tmp_path / "untagged.ipynb")],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert "1 failed, 1 passed" in run.stdout, run.stdout[-2000:]
    assert "untagged.ipynb::Cell 0 FAILED" in run.stdout or "FAILED untagged.ipynb" in run.stdout, run.stdout[-2000:]


# -------------------------------------------------------------------- editing in JupyterLab


def test_jupyterlab_opens_the_text_as_a_notebook_and_saves_both_sides(tmp_path):
    """What JupyterLab does through jupytext's contents manager (jupytext's server extension puts it in
    place): the .md opens as the notebook, with the stored outputs and cell ids; saving writes both
    files in step, and `make sync` then has nothing left to do."""
    from jupytext import TextFileContentsManager

    root = copy_project(tmp_path)
    assert sync(root) == 0
    manager = TextFileContentsManager(root_dir=str(root))
    md, ipynb = root / "lessons" / "01_cross_correlation.md", root / "notebooks" / "01_cross_correlation.ipynb"
    stored = read(ipynb)

    model = manager.get("lessons/01_cross_correlation.md")
    assert model["type"] == "notebook"
    notebook = model["content"]
    assert [c.id for c in notebook.cells] == [c.id for c in stored.cells]
    assert [c.get("outputs") for c in notebook.cells] == [c.get("outputs") for c in stored.cells]

    notebook.cells[1].source = "# 01 Cross-correlation, edited in JupyterLab"
    notebook.cells.insert(2, nbformat.v4.new_markdown_cell("A cell added in JupyterLab."))
    manager.save({"type": "notebook", "content": notebook}, "lessons/01_cross_correlation.md")
    saved = read(ipynb)
    assert saved.cells[1].source == "# 01 Cross-correlation, edited in JupyterLab"
    assert saved.cells[2].source == "A cell added in JupyterLab."
    assert saved.cells[2].id not in {c.id for c in stored.cells}
    assert "A cell added in JupyterLab." in md.read_text(encoding="utf-8")
    assert sync_lessons.out_of_step(sync_lessons.Pair("01_cross_correlation", md, ipynb), root, CFG) is None
    md_bytes, nb_bytes = md.read_bytes(), ipynb.read_bytes()
    assert sync(root) == 0
    assert (md.read_bytes(), ipynb.read_bytes()) == (md_bytes, nb_bytes), "make sync rewrites nothing after a save"

    model = manager.get("notebooks/02_edge_detection.ipynb")  # opening the notebook side edits both too
    model["content"].cells[1].source = "# 02 Edge detection, edited in the .ipynb"
    manager.save({"type": "notebook", "content": model["content"]}, "notebooks/02_edge_detection.ipynb")
    assert "# 02 Edge detection, edited in the .ipynb\n" in (root / "lessons" / "02_edge_detection.md").read_text()


def test_running_an_unchanged_notebook_again_changes_no_byte(tmp_path):
    """Stored notebooks are deterministic: print output cut into pieces by timing is joined, and an
    explorer's widget model id (random on every run) is derived from its cell."""
    code = ("import time\nimport ipywidgets\nprint('first', flush=True)\ntime.sleep(0.3)\nprint('second')\n"
            "ipywidgets.IntSlider(value=3)")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    path = tmp_path / "01_tiny.ipynb"
    write(notebook, path)
    sync_lessons.execute_notebooks.execute(path)
    first = path.read_bytes()
    outputs = read(path).cells[0].outputs
    assert [o.output_type for o in outputs] == ["stream", "execute_result"]
    assert outputs[0].text == "first\nsecond\n"
    assert "application/vnd.jupyter.widget-view+json" in outputs[1].data
    sync_lessons.execute_notebooks.execute(path)
    assert path.read_bytes() == first


def test_jupyterlab_opens_a_pair_whose_notebook_is_the_newer_file(tmp_path):
    """After a `git pull` that brings only re-executed outputs, the .ipynb is newer than its .md.
    jupytext's contents manager then compares the two; identical cells must open, not fail."""
    import os

    from jupytext import TextFileContentsManager

    root = copy_project(tmp_path)
    manager = TextFileContentsManager(root_dir=str(root))
    for pair in sync_lessons.find_pairs(root):
        stamp = pair.md.stat().st_mtime
        os.utime(pair.ipynb, (stamp + 60, stamp + 60))
        for path in (pair.md, pair.ipynb):
            model = manager.get(path.relative_to(root).as_posix())
            assert model["type"] == "notebook" and len(model["content"].cells) == len(read(pair.ipynb).cells)
