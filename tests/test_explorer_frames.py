"""Frames drawn ahead (``conv_lessons.explorers.frames``): what the page shows before the kernel has
answered is what the kernel draws, the page is told exactly what to keep and to forget, and an
explorer without the page's browser half works as before.

The page's half (``frames.js``) is played here by :class:`Page`: it takes the place of the
channel's ``send`` and keeps frames and tiles the way ``frames.js`` does.  Outside a running event
loop nothing is drawn ahead by itself: the tests call ``Frames.step()`` until the look-ahead is done.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import comm
import ipywidgets as widgets
import pytest
from comm import DummyComm
from test_explorer_receptive_field import drag

from conv_lessons import explorers
from conv_lessons.explorers import frames

NAMES = explorers.__all__
SAMPLE = 10  # held frames compared with the kernel's drawing per explorer
STACK = ("depth", "kernel", "stride", "dilation")  # the receptive-field explorer's stack sliders
PATHS = 4  # pairs of ways to one state compared per explorer
MAX_STEPS = 2000  # a look-ahead that has not ended after this many steps never will

# -- the page's half, played in Python --------------------------------------------------------------
class Snapshot(NamedTuple):
    held: list[tuple[Any, ...]]  # the keys of the frames held, oldest first
    tiles: set[str]  # the hashes of the tiles kept
    used: set[str]  # the hashes of the tiles the held frames use


class Page:
    """What ``frames.js`` keeps (frames by key, PNG bytes by hash) and every message it was sent;
    after each message, also what the kernel believed the page held then."""

    def __init__(self, explorer: Any) -> None:
        self.explorer = explorer
        self.messages: list[tuple[dict[str, Any], list[bytes]]] = []
        self.kernel: list[Snapshot] = []  # what the kernel believed the page held, after each message
        self.frames: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.steps: dict[tuple[tuple[Any, ...], tuple[int, Any]], dict[str, Any]] = {}  # (from, (slot, value))
        self.tiles: dict[str, bytes] = {}
        explorer.frames.channel.send = self.receive

    def receive(self, content: dict[str, Any], buffers: list[Any] | None = None) -> None:
        buffers = [bytes(b) for b in buffers or []]
        self.messages.append((content, buffers))
        held = self.explorer.frames.held
        self.kernel.append(Snapshot(list(held), set(self.explorer.frames.tiles),
                                    {digest for frame in held.values() for digest in frame.tiles}))
        if content["kind"] == "reset":
            self.frames.clear()
            self.steps.clear()
            self.tiles.clear()
            return
        assert content["kind"] == "frames", content
        assert len(content["new_tiles"]) == len(buffers) == len(set(content["new_tiles"]))
        for key in content["forget"]:
            self.frames.pop(tuple(key), None)
        for start, (slot, value) in content["forget_paths"]:
            self.steps.pop((tuple(start), (slot, value)), None)
        for digest in content["forget_tiles"]:
            self.tiles.pop(digest, None)
        for digest, png in zip(content["new_tiles"], buffers, strict=True):
            assert png.startswith(b"\x89PNG"), digest
            assert digest not in self.tiles, f"tile {digest} sent again while the page holds it"
            self.tiles[digest] = png
        for frame in content["frames"]:
            assert all(digest in self.tiles for digest in frame["tiles"]), "a frame whose tiles the page lacks"
            if frame["cache"] and frame["from"] is None:
                self.frames[tuple(frame["key"])] = frame
            elif frame["cache"]:
                self.steps[tuple(frame["from"]), tuple(frame["to"])] = frame

    def hello(self) -> None:
        """The page (re)loaded the browser half and says so."""
        self.explorer.frames._on_message(self.explorer.frames.channel, {"kind": "hello"}, [])

    def look_ahead(self) -> int:
        """Draw ahead until the plan is done; returns the number of steps."""
        steps = 0
        while self.explorer.frames.step():
            steps += 1
            assert steps < MAX_STEPS
        return steps

    def press(self, slot: int, values: list[Any], answers: tuple[int, ...] = ()) -> list[dict[str, Any] | None]:
        """Key presses on the control of ``slot`` with ``values``, followed as ``frames.js`` does: the
        frame shown after each press (None: none held).  The kernel answers after the presses whose
        numbers are in ``answers`` (those not yet answered reach it together); its corrections of the
        other controls then arrive in the page while the learner goes on pressing."""
        now = self.explorer.frames.key()
        walk: tuple[Any, ...] | None = None  # the state where the presses began
        shown: list[dict[str, Any] | None] = []
        answered = 0
        for number, value in enumerate(values):
            before, now = now, (*now[:slot], value, *now[slot + 1:])
            frame = None
            if walk is not None:  # a walk: only for a control with step frames
                frame = self.frames.get(walk) if value == walk[slot] else self.steps.get((walk, (slot, value)))
            if frame is None:
                frame = self.steps.get((before, (slot, value)))
                if frame is not None:
                    walk = before
            shown.append(frame or self.frames.get(now))
            if number in answers:
                with self.explorer.holding():
                    for pressed in values[answered:number + 1]:
                        set_slot(self.explorer, slot, pressed)
                self.explorer.flush()
                answered = number + 1
                now = self.explorer.frames.key()
        return shown

    def sent_frames(self, start: int = 0) -> list[dict[str, Any]]:
        """The frames messages from message number ``start`` on."""
        return [content for content, _ in self.messages[start:] if content["kind"] == "frames"]

    def pngs(self, frame: frames.Frame) -> list[bytes]:
        """The PNG bytes the page would show for ``frame``."""
        return [self.tiles[digest] for digest in frame.tiles]


# -- fixtures and helpers --------------------------------------------------------------------------------
@pytest.fixture
def make() -> Iterator[Callable[[str], Any]]:
    """``make(name)``: a new explorer, closed (with its shadow) after the test."""
    made: list[Any] = []

    def make(name: str) -> Any:
        explorer = getattr(explorers, name)()
        made.append(explorer)
        return explorer

    yield make
    for explorer in made:
        explorer.close()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any], list[Any]]]:
    """Every comm message a widget would send to a front end: (comm id, data, buffers)."""
    messages: list[tuple[str, dict[str, Any], list[Any]]] = []

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        if msg_type == "comm_msg":
            messages.append((self.comm_id, data or {}, list(buffers or [])))

    monkeypatch.setattr(DummyComm, "publish_msg", publish_msg)
    return messages


def picture_and_texts(explorer: Any) -> set[str]:
    """The comm ids of the explorer's Image and HTML widgets (what a frame carries)."""
    return {w.comm.comm_id for w in [*explorer.view.images, *explorer.text_widgets()]}


def live_widgets() -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return len(widgets.Widget.widgets)


def differing(key: tuple[Any, ...], other: tuple[Any, ...]) -> list[int]:
    return [i for i, (a, b) in enumerate(zip(key, other, strict=True)) if a != b]


def sample(keys: list[tuple[Any, ...]], current: tuple[Any, ...], count: int = SAMPLE) -> list[tuple[Any, ...]]:
    """Up to ``count`` of ``keys`` (each one control away from ``current``): every control's nearest
    values first, the controls taken in turn, so that each control with frames ahead is tried."""
    by_slot: dict[int, list[tuple[Any, ...]]] = {}
    for key in keys:
        [slot] = differing(key, current)
        by_slot.setdefault(slot, []).append(key)
    for slot, candidates in by_slot.items():
        candidates.sort(key=lambda k, s=slot: (abs(k[s] - current[s]), k[s] < current[s]))
    chosen: list[tuple[Any, ...]] = []
    while len(chosen) < count and any(by_slot.values()):
        for slot in sorted(by_slot):
            if by_slot[slot] and len(chosen) < count:
                chosen.append(by_slot[slot].pop(0))
    return chosen


def set_slot(explorer: Any, slot: int, value: Any) -> None:
    """Set what key slot ``slot`` reads (a control's value, a selection's index) as the front end would."""
    widget, trait = explorer.state_widgets()[slot]
    setattr(widget, trait, value)


def walk(explorer: Any, slot: int, value: Any) -> None:
    """Move the control of key slot ``slot`` to ``value`` one key press at a time, each one drawn."""
    control = explorer.state_widgets()[slot][0]
    if isinstance(value, bool):  # a checkbox: one click either way
        set_slot(explorer, slot, value)
        return
    for _ in range(MAX_STEPS):
        now = explorer.frames.key()[slot]
        if now == value:
            return
        step = frames._steps(control)(1 if value > now else -1)
        assert step is not None, (value, now)
        set_slot(explorer, slot, step)
    raise AssertionError(f"{value!r} not reached")


def connected(make: Callable[[str], Any], name: str, look_ahead: bool = True) -> tuple[Any, Page]:
    """A new explorer whose page said hello (and, if ``look_ahead``, whose look-ahead is done)."""
    explorer = make(name)
    page = Page(explorer)
    page.hello()
    if look_ahead:
        page.look_ahead()
    return explorer, page


# -- 1. what the page shows ahead is what the kernel draws --------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_a_frame_drawn_ahead_is_what_the_explorer_draws_when_the_learner_gets_there(make, name):
    """The page shows a held frame the moment the learner moves a control, before the kernel has
    drawn anything: it must be the very picture and readouts the kernel then draws for that state.
    The real explorer goes there as the learner does, one key press (one drawing) at a time."""
    explorer, page = connected(make, name)
    current = explorer.frames.key()
    held = dict(explorer.frames.held)
    assert held[current] == explorer.frames.current_frame()[0]
    ahead = [key for key in held if key != current]
    assert ahead, "nothing drawn ahead"
    assert all(len(differing(key, current)) == 1 for key in ahead), "a frame ahead two controls away"
    assert set(page.frames) == set(held)  # the page keeps what the kernel thinks it keeps
    names = explorer.state_names()
    for key in sample(ahead, current):
        [slot] = differing(key, current)
        where = f"{names[slot]} = {key[slot]!r}"
        walk(explorer, slot, key[slot])
        assert explorer.frames.key() == key, where
        frame, pngs = explorer.frames.current_frame()
        assert frame.texts == held[key].texts, where
        assert frame.tiles == held[key].tiles, where
        assert pngs == page.pngs(held[key]), where
        walk(explorer, slot, current[slot])
        assert explorer.frames.key() == current, where


@pytest.mark.parametrize("name", NAMES)
def test_a_state_draws_the_same_frame_whichever_way_the_explorer_got_there(make, name):
    """Frames are kept by state, and the shadow reaches a state by another way than the learner: a
    state's picture and readouts must not depend on the way there.  One explorer moves control a one
    step, then b, then a back; another moves only b: both show the same state, and the same frame."""
    one, other = make(name), make(name)
    start = one.frames.key()
    names = one.state_names()
    slots = [i for i, n in enumerate(names) if n in one.controls and frames._steps(one.controls[n])(1) is not None]

    def step(explorer: Any, slot: int) -> None:
        set_slot(explorer, slot, frames._steps(explorer.controls[names[slot]])(1))

    compared = 0
    for a in slots:
        for b in slots:
            if a == b or compared == PATHS:
                continue
            if one.frames.key() != start:  # a way that did not come back (a control moved others)
                one = make(name)
            if other.frames.key() != start:
                other = make(name)
            step(one, a)
            if differing(one.frames.key(), start) != [a]:  # a moves other controls: no way back by a alone
                break
            step(one, b)
            step(other, b)
            set_slot(one, a, start[a])
            if one.frames.key() != other.frames.key():  # b moves other controls, differently from elsewhere
                continue
            where = f"{names[a]} there and back around {names[b]} = {other.frames.key()[b]!r}"
            mine, theirs = one.frames.current_frame()[0], other.frames.current_frame()[0]
            assert mine.texts == theirs.texts, where
            assert mine.tiles == theirs.tiles, where
            compared += 1
            set_slot(one, b, start[b])
            set_slot(other, b, start[b])
    assert compared, "no state was reached two ways"


@pytest.mark.parametrize("name", NAMES)
def test_key_presses_that_reach_the_kernel_together_draw_what_they_draw_one_by_one(make, name):
    """A drag sends key presses faster than the kernel draws, so several reach one update; the page
    meanwhile showed the frame held for where they end.  For every control: three presses out and
    one back, each drawn, or all in one update, end in the same state with the same frame."""
    one, together = make(name), make(name)
    start = one.frames.key()
    names = one.state_names()
    compared = 0
    for slot, control in enumerate(names):
        if control not in one.controls:
            continue
        steps = frames._steps(one.controls[control])
        for sign in (1, -1):
            out = [value for value in (steps(sign), steps(2 * sign), steps(3 * sign)) if value is not None]
            if not out:
                continue
            values = [*out, out[-2]] if len(out) > 1 else out
            for value in values:
                set_slot(one, slot, value)
            with together.holding():
                for value in values:
                    set_slot(together, slot, value)
            together.flush()
            where = f"{control}: {values}"
            assert together.frames.key() == one.frames.key(), where
            mine, theirs = one.frames.current_frame(), together.frames.current_frame()
            assert (mine[0].tiles, mine[0].texts) == (theirs[0].tiles, theirs[0].texts), where
            assert mine[1] == theirs[1], where
            compared += 1
            for explorer in (one, together):
                set_slot(explorer, slot, start[slot])
            if one.frames.key() != start or together.frames.key() != start:
                one, together = make(name), make(name)
    assert compared


# -- 2. the protocol ----------------------------------------------------------------------------------
def test_hello_resets_the_page_then_sends_the_current_frame_with_its_pngs(make):
    """A page that (re)loads holds nothing: the kernel says reset, then sends the picture on screen as
    PNG tiles named by hash, with the readouts' HTML."""
    explorer, page = connected(make, "kernel_explorer", look_ahead=False)
    assert explorer.frames.connected
    (reset, no_buffers), (first, buffers) = page.messages[:2]
    assert reset == {"kind": "reset"} and no_buffers == []
    assert first["kind"] == "frames" and first["forget"] == [] and first["forget_tiles"] == []
    [frame] = first["frames"]
    assert tuple(frame["key"]) == explorer.frames.key()
    assert frame["cache"] is True
    assert frame["texts"] == [w.value for w in explorer.text_widgets()]
    pictures = [bytes(image.value) for image in explorer.view.images]
    assert len(pictures) == 2 and all(png.startswith(b"\x89PNG") for png in pictures)
    assert first["new_tiles"] == list(dict.fromkeys(frame["tiles"]))  # each tile once, with its bytes
    assert buffers == [pictures[frame["tiles"].index(digest)] for digest in first["new_tiles"]]
    assert [page.tiles[digest] for digest in frame["tiles"]] == pictures
    assert explorer.frames.tiles == page.tiles


def test_a_tile_the_page_holds_is_never_sent_again(make):
    """The kernel explorer's picture is two tiles; a stride changes only the output tile, so only that
    one is sent, and the photo tile, which the page has, is not."""
    explorer, page = connected(make, "kernel_explorer", look_ahead=False)
    [shown] = page.sent_frames()[0]["frames"]
    start = len(page.messages)
    explorer.controls["stride"].value = 2
    [message] = page.sent_frames(start)
    [frame] = message["frames"]
    assert tuple(frame["key"]) == explorer.frames.key()
    assert frame["tiles"][0] == shown["tiles"][0] and frame["tiles"][1] != shown["tiles"][1]
    assert message["new_tiles"] == [frame["tiles"][1]]
    assert page.messages[-1][1] == [bytes(explorer.view.images[1].value)]
    page.look_ahead()  # Page.receive checks every message: no tile the page holds comes again
    explorer.controls["display"].index = 1
    page.look_ahead()
    assert not any(content["forget_tiles"] for content in page.sent_frames())
    sent_tiles = [d for content in page.sent_frames() for d in content["new_tiles"]]
    assert len(sent_tiles) == len(set(sent_tiles))  # nothing was forgotten, so nothing came twice


def test_moving_to_a_held_state_sends_no_picture_and_to_a_new_state_one_frame(make, sent):
    """Once the page holds a state's frame, the kernel's drawing of that state sends no picture again:
    no tile, no Image or HTML update (at most the held frame's name, tiles by hash).  A state the page
    lacks costs one frames message with its new tile, and still no Image or HTML update (the frame
    carries them)."""
    explorer, page = connected(make, "correlation_explorer")
    carried = picture_and_texts(explorer)
    current, held = explorer.frames.key(), set(explorer.frames.held)
    slot = explorer.state_names().index("position")
    there = (*current[:slot], 1, *current[slot + 1:])
    kept = page.frames[there]
    start, sent[:] = len(page.messages), []
    before = explorer.view.renders
    explorer.controls["position"].value = 1
    assert explorer.view.renders > before  # the kernel did draw it
    again = page.sent_frames(start)
    assert len(again) <= 1 and all(content["new_tiles"] == [] for content in again)
    assert all(frame == kept for content in again for frame in content["frames"])
    assert [data for comm_id, data, _ in sent if comm_id in carried] == []
    start = len(page.messages)
    explorer.controls["n_w"].value += 1
    assert explorer.frames.key() not in held
    [message] = page.sent_frames(start)
    [frame] = message["frames"]
    assert tuple(frame["key"]) == explorer.frames.key()
    assert frame["tiles"] == list(explorer.frames.current_frame()[0].tiles) == message["new_tiles"]
    assert page.messages[-1][1] == [bytes(explorer.view.images[0].value)]
    assert [data for comm_id, data, _ in sent if comm_id in carried] == []
    assert page.frames[explorer.frames.key()] == frame


# -- 3. without the page ------------------------------------------------------------------------------
def test_without_the_page_the_image_widget_carries_the_picture_as_before(make, sent):
    """In a front end without the browser half (no hello), moving a control sends no frames and the
    Image widget gets the new PNG itself, as before frames existed."""
    explorer = make("correlation_explorer")
    page = Page(explorer)
    image = explorer.view.images[0]
    before = bytes(image.value)
    sent.clear()
    explorer.controls["position"].value = 2
    assert page.messages == []
    assert bytes(image.value) != before and bytes(image.value).startswith(b"\x89PNG")
    updates = [buffers for comm_id, _, buffers in sent if comm_id == image.comm.comm_id]
    assert len(updates) == 1 and [bytes(b) for b in updates[0]] == [bytes(image.value)]
    assert not explorer.frames.connected and not explorer.frames.step()
    assert explorer.frames.held == {} and explorer.frames.shadow is None


# -- 4. only frames that are a function of their state are kept -----------------------------------------
def test_a_message_state_that_keeps_the_last_good_picture_is_shown_but_not_kept(make):
    """The matrix explorer keeps the last good picture under a message (a kernel larger than the
    input): that frame depends on the way there, so the page shows it but does not keep it, and no
    such frame is drawn ahead."""
    explorer, page = connected(make, "matmul_explorer")
    at = explorer.text_widgets().index(explorer.message)
    assert all(frame.texts[at] == "" for frame in explorer.frames.held.values())
    start = len(page.messages)
    explorer.controls["n_h"].value = 2  # the kernel is 3 rows high
    assert explorer.message.value
    [message] = page.sent_frames(start)
    [frame] = message["frames"]
    assert tuple(frame["key"]) == explorer.frames.key() and frame["cache"] is False
    assert explorer.message.value in frame["texts"]
    assert explorer.frames.current_frame()[0].cache is False
    assert explorer.frames.key() not in explorer.frames.held and explorer.frames.key() not in page.frames
    page.look_ahead()
    assert all(frame.texts[at] == "" for frame in explorer.frames.held.values())


def test_a_message_state_drawn_from_the_state_alone_is_kept(make):
    """The correlation explorer greys the whole picture out when the kernel does not fit: drawn from
    the sizes alone (MESSAGE_STATES_KEPT), so the page keeps that frame like any other."""
    explorer, page = connected(make, "correlation_explorer", look_ahead=False)
    assert type(explorer).MESSAGE_STATES_KEPT is True
    start = len(page.messages)
    explorer.controls["k_h"].value = 4  # the input is 3 rows high
    assert explorer.message.value
    [message] = page.sent_frames(start)
    [frame] = message["frames"]
    assert frame["cache"] is True and explorer.message.value in frame["texts"]
    assert explorer.frames.key() in explorer.frames.held and explorer.frames.key() in page.frames


def test_the_receptive_field_look_ahead_keeps_no_stack_step_that_moves_the_row_and_column(make):
    """A step of a stack slider (depth, kernel size, stride, dilation) often moves the row and column
    sliders (the field stays centred on the same place): the state the page reads right after the key
    press is then not the one the kernel draws, and no frame is kept for it.  A frame kept for another
    stack is one whose steps leave the row and column alone: stepping the real explorer there, one key
    press at a time, gives that state and that frame."""
    explorer, _ = connected(make, "receptive_field_explorer")
    current = explorer.frames.key()
    names = explorer.state_names()
    held = dict(explorer.frames.held)
    assert all(len(differing(key, current)) <= 1 for key in held)
    moving = 0
    for slot in (names.index(name) for name in STACK):
        for sign in (1, -1):
            value = frames._steps(explorer.controls[names[slot]])(sign)
            if value is None:
                continue
            walker = make("receptive_field_explorer")
            set_slot(walker, slot, value)
            pressed = (*current[:slot], value, *current[slot + 1:])  # what the page reads after the key press
            if walker.frames.key() != pressed:
                moving += 1
                assert pressed not in held, f"{names[slot]} = {value} moves the row and column, yet is kept"
    assert moving  # some stack steps do move the row and column
    for key, frame in held.items():
        if key == current or not any(key[names.index(name)] != current[names.index(name)] for name in STACK):
            continue
        [slot] = differing(key, current)
        walker = make("receptive_field_explorer")
        walk(walker, slot, key[slot])
        assert walker.frames.key() == key, names[slot]
        assert walker.frames.current_frame()[0] == frame, names[slot]


@pytest.mark.parametrize("answers", [(), (2, 5)], ids=["kernel silent", "kernel answers twice"])
@pytest.mark.parametrize("name", STACK)
def test_a_drag_of_a_receptive_field_stack_slider_shows_a_held_frame_at_every_press(make, name, answers):
    """Ten key presses on a stack slider, to its end and back (the benchmark's burst): whether the
    kernel answers none of them before the end or some (its corrections of the row and column then
    reach the page in the middle of the drag), the page has a frame for every press, and the last
    one is the picture and readouts the kernel draws when the presses reach it, one by one or all
    together."""
    explorer, page = connected(make, "receptive_field_explorer")
    names = explorer.state_names()
    slot = names.index(name)
    slider = explorer.controls[name]
    values = drag(slider)
    shown = page.press(slot, values, answers)
    assert all(frame is not None for frame in shown), [v for v, f in zip(values, shown, strict=True) if f is None]
    together, one_by_one = make("receptive_field_explorer"), make("receptive_field_explorer")
    with together.holding():
        for value in values:
            set_slot(together, slot, value)
    together.flush()
    for value in values:
        set_slot(one_by_one, slot, value)
    for kernel in (together, one_by_one):
        frame, pngs = kernel.frames.current_frame()
        assert (list(frame.tiles), list(frame.texts)) == (shown[-1]["tiles"], shown[-1]["texts"]), values
        assert pngs == [page.tiles[digest] for digest in shown[-1]["tiles"]]


def test_moving_the_receptive_field_row_forgets_the_step_frames_drawn_for_the_old_place(make):
    """The step frames lead to outputs centred on the photo pixel the learner chose; when the learner
    chooses another (the row or column slider), the page is told to forget them all."""
    explorer, page = connected(make, "receptive_field_explorer")
    assert page.steps and set(page.steps) == set(explorer.frames.paths)
    old = set(page.steps)
    explorer.controls["row"].value += 1
    assert not set(page.steps) & old
    page.look_ahead()
    assert page.steps and set(page.steps) == set(explorer.frames.paths)


def test_with_the_look_ahead_switched_off_the_page_gets_only_the_states_the_learner_reaches(make, monkeypatch):
    """``CONV_LESSONS_LOOK_AHEAD=0`` (a hub short of CPU): nothing is drawn ahead and no shadow is made;
    the page still gets the frame of every state the learner reaches, and keeps it for coming back."""
    monkeypatch.setenv(frames.LOOK_AHEAD_VARIABLE, "0")
    explorer, page = connected(make, "correlation_explorer")
    start = explorer.frames.key()
    assert explorer.frames.drawn_ahead == 0 and explorer.frames.shadow is None
    assert list(page.frames) == [start]
    explorer.controls["position"].value = 1
    assert page.look_ahead() == 0 and explorer.frames.drawn_ahead == 0
    assert list(page.frames) == [start, explorer.frames.key()]
    monkeypatch.setenv(frames.LOOK_AHEAD_VARIABLE, "1")
    explorer.controls["position"].value = 2
    assert page.look_ahead() > 0 and explorer.frames.drawn_ahead > 0


# -- 5. limits -----------------------------------------------------------------------------------------
def test_the_page_keeps_at_most_max_frames_and_is_told_exactly_what_to_forget(make, monkeypatch):
    """With room for five frames, a long look-ahead makes the page forget the oldest: each message
    names exactly the frames the kernel stopped counting on, and the tiles no kept frame uses any
    more, which the kernel drops too."""
    monkeypatch.setattr(frames, "MAX_FRAMES", 5)
    explorer, page = connected(make, "correlation_explorer")
    explorer.controls["position"].value = 1
    page.look_ahead()
    evicted = 0
    previous = Snapshot([], set(), set())
    for (content, _), now in zip(page.messages, page.kernel, strict=True):
        if content["kind"] == "reset":
            previous = Snapshot([], set(), set())
            continue
        assert len(now.held) <= 5
        [frame] = content["frames"]
        new = [tuple(frame["key"])] if frame["cache"] else []
        gone = [key for key in dict.fromkeys([*previous.held, *new]) if key not in now.held]
        assert [tuple(key) for key in content["forget"]] == gone  # oldest first, as they went
        evicted += len(gone)
        forgotten = set(content["forget_tiles"])
        assert forgotten == previous.tiles - now.tiles  # every tile the kernel dropped, and only those
        assert not forgotten & now.used and not forgotten & set(frame["tiles"])
        assert now.tiles <= now.used | set(frame["tiles"])  # the kernel keeps no tile that nothing uses
        previous = now
    assert evicted > 10
    assert len(explorer.frames.held) <= 5 and set(page.frames) == set(explorer.frames.held)
    used = {d for frame in explorer.frames.held.values() for d in frame.tiles}
    shown = set(page.sent_frames()[-1]["frames"][0]["tiles"])
    assert set(explorer.frames.tiles) <= used | shown
    assert set(page.tiles) == set(explorer.frames.tiles)


# -- 6. the look-ahead plan ------------------------------------------------------------------------------
def test_the_look_ahead_starts_with_the_control_moved_last(make):
    """The hand usually goes on the way it went: after the learner moves the row slider, the first
    frames drawn ahead are its neighbours 1, 2, 3 and 4 steps away on either side."""
    explorer, page = connected(make, "matmul_explorer", look_ahead=False)
    held = set(explorer.frames.held)
    explorer.controls["row"].value = 4
    assert explorer._moved == "row"
    centre = explorer.frames.key()
    slot = explorer.state_names().index("row")
    expected = {(*centre[:slot], row, *centre[slot + 1:]) for row in (0, 1, 2, 3, 5, 6, 7, 8)} - held
    start = len(page.messages)
    page.look_ahead()
    ahead = [tuple(content["frames"][0]["key"]) for content in page.sent_frames(start)]
    assert len(ahead) > len(expected)
    assert set(ahead[:len(expected)]) == expected
    assert differing(ahead[len(expected)], centre) != [slot]


def test_steps_of_an_int_slider_respect_its_ends_and_its_step():
    """What one key press does to a slider: one step, never past an end; a disabled slider moves not."""
    slider = widgets.IntSlider(value=3, min=0, max=5)
    steps = frames._steps(slider)
    assert [steps(n) for n in (1, 2, 3, -1, -3, -4)] == [4, 5, None, 2, 0, None]
    slider.step, slider.max, slider.value = 2, 8, 4
    steps = frames._steps(slider)
    assert [steps(n) for n in (1, 2, 3, -1, -2, -3)] == [6, 8, None, 2, 0, None]
    slider.disabled = True
    steps = frames._steps(slider)
    assert [steps(n) for n in (1, -1, 2)] == [None, None, None]
    slider.close()


def test_steps_of_a_selection_move_its_index():
    """A menu or toggle buttons are keyed by index (what the front end sends): a step is the next option."""
    buttons = widgets.ToggleButtons(options=[("one", "a"), ("two", "b"), ("three", "c")], value="b")
    assert frames.synced_trait(buttons) == "index"
    steps = frames._steps(buttons)
    assert [steps(n) for n in (1, -1, 2, -2)] == [2, 0, None, None]
    menu = widgets.Dropdown(options=["x", "y", "z", "w"], value="x")
    steps = frames._steps(menu)
    assert [steps(n) for n in (1, 3, 4, -1)] == [1, 3, None, None]
    buttons.close()
    menu.close()


def test_steps_of_the_learning_rate_slider_are_the_front_ends_log_steps(make):
    """The learning-rate slider moves its exponent by ``step``: one step right of 0.03 is
    10 ** (log10(0.03) + 0.01), and the start value is keyed as 0.03 exactly as the page keys it."""
    explorer = make("training_explorer")
    lr = explorer.controls["lr"]
    assert isinstance(lr, widgets.FloatLogSlider) and lr.value == 0.03
    steps = frames._steps(lr)
    assert math.isclose(steps(1), 10 ** (math.log10(0.03) + lr.step), rel_tol=1e-12)
    assert math.isclose(steps(-1), 10 ** (math.log10(0.03) - lr.step), rel_tol=1e-12)
    assert frames.canonical(steps(0)) == 0.03 == frames.canonical(lr.value)
    assert explorer.frames.key()[explorer.state_names().index("lr")] == 0.03
    lr.value = steps(1)
    assert frames.canonical(lr.value) == frames.canonical(10 ** (math.log10(0.03) + lr.step))


# -- 7. the shadow has no front end ----------------------------------------------------------------------
def test_widgets_made_detached_have_no_front_end_and_the_comm_functions_come_back(monkeypatch):
    """The shadow's widgets must not open views in the page: inside ``detached()`` a widget gets a comm
    that sends nothing and that the kernel's comm manager does not know; afterwards (also after an
    error in the block) widgets are made by the kernel's comm functions again."""
    made: list[Any] = []

    def create_comm(*args: Any, **kwargs: Any) -> DummyComm:
        made.append(kwargs)
        return DummyComm(*args, **kwargs)

    monkeypatch.setattr(comm, "create_comm", create_comm)
    manager = comm.get_comm_manager
    with frames.detached():
        assert not frames.available()
        slider = widgets.IntSlider()
    assert made == [] and type(slider.comm) is DummyComm
    assert slider.comm.comm_id not in comm.get_comm_manager().comms
    assert comm.create_comm is create_comm and comm.get_comm_manager is manager and frames.available()
    with pytest.raises(RuntimeError, match="inside"), frames.detached():
        raise RuntimeError("inside")
    assert comm.create_comm is create_comm and comm.get_comm_manager is manager and frames.available()
    attached = widgets.IntSlider()
    assert made and attached.comm.comm_id in comm.get_comm_manager().comms
    attached.close()
    with frames.detached():
        slider.close()


def test_the_shadow_has_no_channel_and_no_front_end(make):
    """The shadow explorer that draws ahead has no line to the page of its own, and the kernel's comm
    manager knows none of its widgets."""
    explorer, page = connected(make, "matmul_explorer", look_ahead=False)
    assert explorer.frames.step()
    shadow = explorer.frames.shadow
    assert shadow is not None and shadow is not explorer and shadow.frames is None
    known = comm.get_comm_manager().comms
    assert all(image.comm.comm_id not in known for image in shadow.view.images)
    assert all(image.comm.comm_id in known for image in explorer.view.images)


# -- 8. closing ------------------------------------------------------------------------------------------
def test_closing_an_explorer_closes_its_channel(make):
    """A closed explorer leaves no line to the page open."""
    explorer, _ = connected(make, "matmul_explorer", look_ahead=False)
    channel = explorer.frames.channel
    assert channel.comm is not None
    explorer.close()
    assert channel.comm is None and not explorer.frames.connected
    assert not explorer.frames.step()


def test_closing_an_explorer_that_drew_ahead_closes_its_shadow(make):
    """After a look-ahead the explorer has a shadow; closing the explorer closes it too, and no widget
    of either stays alive in the kernel."""
    before = live_widgets()
    explorer, _ = connected(make, "matmul_explorer", look_ahead=False)
    assert explorer.frames.step()
    shadow = explorer.frames.shadow
    assert live_widgets() > before
    explorer.close()
    assert explorer.frames.channel.comm is None and explorer.frames.shadow is None
    assert shadow.comm is None and all(image.comm is None for image in shadow.view.images)
    assert live_widgets() == before
