"""What every explorer shares: updates that keep up with the hand, one image message per step, no
leaked widgets.

In a Jupyter kernel an explorer's update runs on the kernel's event loop after the widget message
that asked for it; here a plain asyncio loop plays the kernel's.  Outside a running loop (the rest
of the test suite) updates run at once, inside the control change.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import ipywidgets as widgets
import pytest
from comm import DummyComm

from conv_lessons import explorers
from conv_lessons.explorers.base import Explorer, Updates

NAMES = explorers.__all__
SKIP = (widgets.Play, widgets.Button, widgets.Text, widgets.Textarea)


def steps(explorer: Any, count: int) -> list[tuple[str, Any]]:
    """``count`` control changes a learner could make: every control in turn, walking each slider up
    and down its range and cycling each menu (disabled controls and Play buttons left alone)."""
    plans = []
    for name, control in explorer.controls.items():
        if isinstance(control, SKIP) or getattr(control, "disabled", False):
            continue
        if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons)):
            values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        elif isinstance(control, widgets.Checkbox):
            values = [not control.value, control.value]
        elif isinstance(control, widgets.FloatLogSlider):
            values = [control.base ** (control.min + (control.max - control.min) * f) for f in (0.2, 0.5, 0.8, 0.5)]
        else:
            grid = list(range(control.min, control.max + 1))
            values = grid + grid[-2:0:-1]
        plans.append((name, values))
    changes = []
    while len(changes) < count:
        for name, values in plans:
            changes.extend((name, value) for value in values[: max(1, count // (2 * len(plans)))])
    return changes[:count]


def live_widgets() -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return len(widgets.Widget.widgets)


def picture(explorer: Any) -> tuple[bytes, ...]:
    return tuple(bytes(image.value) for image in explorer.view.images)


# -- latest state only ---------------------------------------------------------------------------
def test_outside_an_event_loop_updates_run_at_once():
    ran = []
    updates = Updates(ran.append)
    updates.request("a")
    assert ran == [("a",)] and updates.pending == ()
    with updates.held():
        updates.request("b")
        updates.request("c")
        updates.request("b")
        assert ran == [("a",)]
    assert ran == [("a",), ("c", "b")]  # once for all, a repeated reason moved to the end


def test_an_update_that_asks_for_another_runs_again_at_once():
    ran = []

    def work(reasons):
        ran.append(reasons)
        if reasons == ("first",):
            updates.request("second")

    updates = Updates(work)
    updates.request("first")
    assert ran == [("first",), ("second",)]


async def loop_steps(count: int = 5) -> None:
    """Let the event loop run ``count`` steps (as a kernel does between widget messages)."""
    for _ in range(count):
        await asyncio.sleep(0)


def test_in_an_event_loop_many_requests_make_one_update_after_the_handler():
    async def scenario():
        ran = []
        updates = Updates(ran.append)
        for step in range(10):
            updates.request(f"step {step % 3}")
        assert ran == []  # nothing drawn inside the "message handler"
        await loop_steps()
        assert ran == [("step 1", "step 2", "step 0")]

    asyncio.run(scenario())


def test_a_scheduled_update_waits_while_queued_messages_keep_asking():
    """Messages already waiting are handled one per loop step, after the update the first one
    scheduled: the update steps aside while requests keep coming, then runs once."""

    async def scenario():
        ran = []
        updates = Updates(ran.append)
        loop = asyncio.get_running_loop()

        def message(number: int) -> None:  # one queued message: handled, then the next one is read
            updates.request(f"value {number}")
            if number < 20:
                loop.call_soon(message, number + 1)

        message(1)
        await loop_steps(30)
        assert ran == [tuple(f"value {n}" for n in range(1, 21))]

    asyncio.run(scenario())


@pytest.mark.parametrize("name", NAMES)
def test_a_drag_of_many_steps_draws_once_and_shows_the_final_state(name):
    """Twenty control changes handled before the update could run (messages that arrived while a
    picture was being drawn) cost one render, and that render shows the final values."""

    async def drag() -> tuple[Any, int, int]:
        explorer = getattr(explorers, name)()
        renders = explorer.view.renders
        changes = steps(explorer, 20)
        loop = asyncio.get_running_loop()
        for control, value in changes:  # each change is one widget message, handled in its own loop step
            loop.call_soon(setattr, explorer.controls[control], "value", value)
        await loop_steps(len(changes) + 5)
        return explorer, explorer.view.renders - renders, explorer.updates.runs

    explorer, renders, _ = asyncio.run(drag())
    assert renders == 1
    final = {name: control.value for name, control in explorer.controls.items()}
    reference = getattr(explorers, name)()  # the same final values set one by one, outside a loop
    for control, value in final.items():
        if not isinstance(reference.controls[control], widgets.Play):
            reference.controls[control].value = value
    assert picture(explorer) == picture(reference)
    assert explorer.message.value == reference.message.value


def test_a_bad_value_in_a_scheduled_update_becomes_the_message():
    async def scenario():
        explorer = explorers.correlation_explorer()
        explorer.controls["k_h"].value = 4  # larger than the 3×3 input
        await loop_steps()
        return explorer

    explorer = asyncio.run(scenario())
    assert "K: expected a kernel no larger than the input X (3×3)" in explorer.message.value


def test_flush_draws_a_pending_update_now():
    async def scenario():
        explorer = explorers.matmul_explorer()
        explorer.controls["row"].value = 4
        assert explorer.updates.pending == ("row",)
        explorer.flush()
        return explorer

    explorer = asyncio.run(scenario())
    assert explorer.updates.pending == () and "Row 4 of W" in explorer.readout.value


def test_a_subclass_must_draw():
    from conv_lessons.explorers.figure_widget import FigureView

    with pytest.raises(NotImplementedError):
        Explorer(FigureView()).lay_out()


# -- one image message per step ------------------------------------------------------------------
@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict, list]]:
    """Every comm message the kernel would send: (comm id, data, buffers)."""
    messages: list[tuple[str, dict, list]] = []

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        if msg_type == "comm_msg":
            messages.append((self.comm_id, data or {}, list(buffers or [])))

    monkeypatch.setattr(DummyComm, "publish_msg", publish_msg)
    return messages


@pytest.mark.parametrize("name", NAMES)
def test_each_step_sends_one_image_message_and_slider_ranges_the_front_end_can_follow(name, sent):
    """One new PNG per changed image per step.  When a step moves a slider's range and value (a
    smaller input clamps the position), the messages come in an order in which the front end's
    slider never holds a value outside its range: one that did would clamp it and send the
    clamped value back, a second, wrong update."""
    explorer = getattr(explorers, name)()
    images = {image.model_id: image for image in explorer.view.images}
    sliders = {control.model_id: control for control in explorer.controls.values()
               if isinstance(control, widgets.IntSlider)}
    for control, value in steps(explorer, 40):
        before = picture(explorer)
        shown = {model: {"min": s.min, "max": s.max, "value": s.value} for model, s in sliders.items()}
        sent.clear()
        explorer.controls[control].value = value
        pictures = [comm for comm, data, buffers in sent if comm in images and buffers]
        changed = sum(a != b for a, b in zip(before, picture(explorer), strict=True))
        assert len(pictures) == len(set(pictures)) == changed, (control, value)
        if len(images) == 1 and before != picture(explorer):
            assert len(pictures) == 1
        for comm, data, _ in sent:  # replay each slider update as the front end applies it, key by key
            if comm in shown and data.get("method") == "update":
                for key, new in data["state"].items():
                    if key in ("min", "max", "value"):
                        shown[comm][key] = new
                        state = shown[comm]
                        assert state["min"] <= state["value"] <= state["max"], (control, value, data["state"])
        for model, slider in sliders.items():
            assert shown[model]["value"] == slider.value and shown[model]["max"] == slider.max
    if name == "kernel_explorer":  # the input part is sent only when the input changes
        sent.clear()
        explorer.controls["display"].value = "absolute" if explorer.controls["display"].value != "absolute" \
            else "signed"
        assert [comm for comm, _, buffers in sent if buffers] == [explorer.view.images[1].model_id]


@pytest.mark.parametrize("name", NAMES)
def test_values_from_the_front_end_are_not_echoed_back(name, sent):
    """A value the learner's front end sends is taken without the ``echo_update`` message ipywidgets 8
    sends by default (one message fewer per step through server and browser); the front end still
    hears of every value the kernel itself changes, and other widgets keep their echo."""
    explorer = getattr(explorers, name)()
    ids = {control.model_id: key for key, control in explorer.controls.items()}
    for key, value in steps(explorer, 12):
        control = explorer.controls[key]
        if isinstance(control, widgets.ToggleButtons | widgets.Dropdown):  # a menu sends the option's index
            attribute, wire = "index", [o[1] if isinstance(o, tuple) else o for o in control.options].index(value)
        else:
            attribute, wire = "value", value
        sent.clear()
        control.set_state({attribute: wire})  # what ipywidgets does with a front end's "update" message
        echoes = [ids.get(comm) for comm, data, _ in sent if data.get("method") == "echo_update"]
        assert echoes == [], (key, value)
        assert getattr(control, attribute) == wire
    plain = widgets.IntSlider(value=0, max=5)
    sent.clear()
    plain.set_state({"value": 3})
    assert [data["method"] for comm, data, _ in sent if comm == plain.model_id] == ["echo_update"]
    plain.close()


# -- no leaked widgets ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_two_hundred_changes_leave_no_new_widgets(name):
    explorer = getattr(explorers, name)()
    changes = steps(explorer, 200)
    if name == "kernel_explorer":  # presets and kernel sizes are what used to leak: make sure they are in
        changes = [("preset", p) for _, p in explorer.controls["preset"].options] * 5 + \
                  [(size, v) for v in (3, 1, 5, 2) for size in ("k_h", "k_w")] * 10
    before = live_widgets()
    for control, value in changes[:200]:
        explorer.controls[control].value = value
    assert live_widgets() == before


@pytest.mark.parametrize("name", NAMES)
def test_closing_an_explorer_closes_every_widget_it_made(name):
    before = live_widgets()
    explorer = getattr(explorers, name)()
    assert live_widgets() > before
    explorer.close()
    assert live_widgets() == before


# -- where the lessons import figures from ----------------------------------------------------------
def test_lessons_import_figures_from_conv_lessons_figures_and_explorers_from_conv_lessons_explorers():
    """A lesson's first cell imports its pictures from two places, and every name it imports is there."""
    import ast
    import importlib
    from pathlib import Path

    import jupytext

    import conv_lessons.figures as figures

    for name in figures.__all__:
        assert callable(getattr(figures, name)) or name.endswith("CMAP"), name
    lessons = sorted((Path(__file__).resolve().parents[1] / "lessons").rglob("*.md"))
    assert lessons
    for path in lessons:
        for cell in jupytext.read(path).cells:
            if cell.cell_type != "code":
                continue
            source = "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("conv_lessons."):
                    continue
                names = [alias.name for alias in node.names]
                assert node.module != "conv_lessons.explorers" or all(n.endswith("_explorer") for n in names), \
                    (path.name, names)
                assert not node.module.startswith("conv_lessons.explorers."), \
                    f"{path.name} imports {names} from {node.module}: use conv_lessons.figures / conv_lessons.explorers"
                module = importlib.import_module(node.module)
                for name in names:
                    assert hasattr(module, name), f"{path.name}: {node.module} has no {name}"
                    if name.endswith("_figure"):
                        assert node.module == "conv_lessons.figures", (path.name, name)
