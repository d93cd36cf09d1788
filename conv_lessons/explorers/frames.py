"""Pictures that keep up with the hand: an explorer's frames, drawn ahead in the kernel and kept in the page.

A picture drawn in the kernel reaches the page after a round trip (key press → front end → server →
kernel → server → front end), and on a 2-core machine that trip alone takes longer than the 50 ms a
drag can wait.  So while the learner looks, the kernel draws the states one or a few steps away
from the current one (the control moved last first, then every other control's neighbours), in a
*shadow* copy of the explorer that has no front end, and sends each finished frame -- the picture's
PNG tiles and the readouts' HTML -- to the page.  The browser half (``frames.js``, an anywidget)
keeps them under the state's key (the controls' values) and, when the learner moves a control to a
state it has, sets the explorer's Image and HTML widgets in the page at once.  The kernel still
draws every state the learner reaches (its widgets stay the truth for code in a cell and for tests)
and sends that frame, if the page does not have it yet, instead of the Image widgets' own updates.

Only frames that are a function of their state are kept under its key.  Where a step makes the
explorer change another control (the receptive-field explorer re-centres the output row and column
when the stack changes), the page cannot know the state the step ends in before the kernel says:
such a control's frames are *step frames*, kept under the state where the learner's presses began
and the value they reached (see :attr:`Frames.paths`).  A state with a message is shown but not kept
unless the explorer draws it from the state alone (``MESSAGE_STATES_KEPT``).  Without the browser
half (no anywidget in the front end, a plain script, nbval) the explorer never hears from the page
and works as before: the Image widgets carry every picture.

On a hub short of CPU, the environment variable ``CONV_LESSONS_LOOK_AHEAD=0`` switches the drawing
ahead off: the page then keeps only the frames of the states the learner reached, and a new state
takes the round trip plus the drawing.

:class:`FrameChannel` is the widget that talks to the page; :class:`Frames` is the kernel's half
(what the page holds, the look-ahead plan, the shadow).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import traitlets

if TYPE_CHECKING:
    from .base import Explorer

__all__ = ["FrameChannel", "Frames", "Frame", "detached", "available", "state_key", "MAX_FRAMES", "MAX_BYTES", "AHEAD"]

MAX_FRAMES = 240  # frames the page keeps per explorer (oldest sent, first forgotten)
MAX_STEPS = 120  # step frames (see Frames.paths) the page keeps per explorer
MAX_BYTES = 24 * 2**20  # PNG bytes the page keeps per explorer (and the kernel, to reuse them)
TURN_GAP = 0.005  # seconds between two frames drawn ahead (see _Turns)
AHEAD = 48  # frames drawn ahead around one state at most (states the page already has are free)
# The look-ahead plan around a state: (steps of the control moved last, steps of every other control),
# in this order of rounds -- the hand usually goes on the way it went.
ROUNDS = (((1, 2, 3, 4), (1,)), ((5, 6, 7, 8, 9, 10, 11, 12), (2, 3)))

LOOK_AHEAD_VARIABLE = "CONV_LESSONS_LOOK_AHEAD"  # "0": draw nothing ahead (see the module's docstring)

try:  # the browser half needs anywidget's front-end extension; without it explorers work as before
    import anywidget
except ImportError:  # pragma: no cover - anywidget is a dependency; kept optional for other front ends
    anywidget = None


def canonical(value: Any) -> Any:
    """A control value as it is keyed: floats rounded to 9 significant digits (as ``frames.js`` does)."""
    if isinstance(value, float) and not value.is_integer():
        return float(f"{value:.9g}")
    return value


def synced_trait(control: widgets.Widget) -> str:
    """The trait a front end sends for ``control``: ``index`` for a selection, else ``value``."""
    return "index" if isinstance(control, widgets.widget_selection._Selection) else "value"


def state_key(pairs: list[tuple[widgets.Widget, str]]) -> tuple[Any, ...]:
    """The key of a state: the canonical values of the (widget, trait) ``pairs``, in order."""
    return tuple(canonical(getattr(widget, trait)) for widget, trait in pairs)


@dataclass(frozen=True)
class Frame:
    """One state's picture as the page shows it: PNG tiles (by hash) and the readouts' HTML."""

    key: tuple[Any, ...]
    tiles: tuple[str, ...]
    texts: tuple[str, ...]
    cache: bool
    # A step frame (see Frames.paths): shown only when the learner's key presses on one control (its
    # slot in the state) went from the state ``start`` to the value ``to``.
    start: tuple[Any, ...] | None = None
    to: tuple[int, Any] | None = None

    def message(self) -> dict[str, Any]:
        return {"key": list(self.key), "tiles": list(self.tiles), "texts": list(self.texts), "cache": self.cache,
                "from": None if self.start is None else list(self.start),
                "to": None if self.to is None else list(self.to)}


def _digest(png: bytes) -> str:
    return hashlib.blake2b(png, digest_size=12).hexdigest()


if anywidget is not None:

    class FrameChannel(anywidget.AnyWidget):
        """The explorer's line to the page: the model ids of its controls (the state), its Image
        widgets (the picture's tiles) and its HTML widgets (readouts, message), and frames as custom
        messages.  It has no view of its own; ``frames.js`` works on the explorer's widgets."""

        _esm = Path(__file__).with_name("frames.js")
        controls = traitlets.List(traitlets.Unicode()).tag(sync=True)
        synced = traitlets.List(traitlets.Unicode()).tag(sync=True)
        images = traitlets.List(traitlets.Unicode()).tag(sync=True)
        texts = traitlets.List(traitlets.Unicode()).tag(sync=True)

else:  # pragma: no cover
    FrameChannel = None  # type: ignore[assignment,misc]


_detached = 0
_shadow_comms = None  # the comm manager of every shadow's widgets (none of them reaches a front end)


@contextmanager
def detached() -> Iterator[None]:
    """Widgets created inside the block have no front end: their comms send nothing (the shadow)."""
    global _detached, _shadow_comms
    import comm

    create, manager = comm.create_comm, comm.get_comm_manager
    if _shadow_comms is None:
        _shadow_comms = comm.base_comm.CommManager()
    private = _shadow_comms
    comm.create_comm = comm.DummyComm
    comm.get_comm_manager = lambda: private
    _detached += 1
    try:
        yield
    finally:
        _detached -= 1
        comm.create_comm, comm.get_comm_manager = create, manager


def available() -> bool:
    """Whether an explorer made now gets the browser half: anywidget is installed and the explorer is
    not a shadow being made."""
    return FrameChannel is not None and not _detached


class Frames:
    """The kernel's half for one explorer: which frames the page holds, sending new ones, and the
    look-ahead that draws the states around the current one in a shadow explorer."""

    def __init__(self, explorer: Explorer) -> None:
        self.explorer = explorer
        self.pairs = explorer.state_widgets()
        self.texts = list(explorer.text_widgets())
        self.channel = FrameChannel(
            controls=[w.model_id for w, _ in self.pairs], synced=[t for _, t in self.pairs],
            images=[image.model_id for image in explorer.view.images], texts=[w.model_id for w in self.texts])
        self.channel.on_msg(self._on_message)
        self.connected = False
        self.held: OrderedDict[tuple[Any, ...], Frame] = OrderedDict()  # what the page keeps, oldest first
        # Step frames: a control whose step makes the explorer change others (the receptive-field
        # explorer's depth re-centres the output row and column) has no frame of its own key; what
        # the page can show at once is where key presses on it lead *from* the state where they
        # began, keyed (from, (slot, value)).  The page keeps its walk's start while the kernel's
        # corrections of the other controls arrive, and a drag that turns back at a slider's end
        # finds the values it passed on the way out.  The explorer's corrections must depend only on
        # where the presses began (its state and :meth:`Explorer.memory`) and where they end, not on
        # the way or on which presses reached the kernel together.
        self.paths: OrderedDict[tuple[tuple[Any, ...], tuple[int, Any]], Frame] = OrderedDict()
        self._memory: Any = explorer.memory()  # what the step frames held were drawn with
        self.tiles: dict[str, bytes] = {}  # the PNG bytes of every tile the page keeps
        self.uses: Counter[str] = Counter()
        self.shadow: Explorer | None = None
        self.plan: Iterator[tuple[str, int, Any]] | None = None
        self.drawn_ahead = 0  # frames the look-ahead drew (tests and the benchmark read it)
        self._walking: set[str] = set()  # controls stepped as paths (their steps change other controls)
        self._dead: set[tuple[str, int]] = set()  # walks that cannot go on (an impossible state)
        self._at: tuple[str, int] | None = None  # the walk (control, direction) the shadow stands on
        self._centre: dict[str, Any] = {}
        self._budget = AHEAD
        self.error: BaseException | None = None  # what stopped the look-ahead, if anything did

    def close(self) -> None:
        """Close the line to the page and the shadow (the explorer is closed)."""
        self.plan, self.connected = None, False
        _turns.discard(self)
        self.channel.layout.close()
        self.channel.close()
        if self.shadow is not None:
            with detached():  # its comms are registered with the shadows' own manager
                self.shadow.close()
            self.shadow = None

    # -- talking to the page ----------------------------------------------------------------------
    def _on_message(self, _channel: Any, content: dict[str, Any], _buffers: list[Any]) -> None:
        if content.get("kind") == "hello":  # a page (re)loaded the browser half: it holds nothing
            self.held.clear()
            self.paths.clear()
            self.tiles.clear()
            self.uses.clear()
            self.connected = True
            self.channel.send({"kind": "reset"})
            self.publish(self.current_frame(), shown=True)
            self.look_ahead()

    def key(self) -> tuple[Any, ...]:
        """The explorer's current state."""
        return state_key(self.pairs)

    def current_frame(self, explorer: Explorer | None = None,
                      key: tuple[Any, ...] | None = None) -> tuple[Frame, list[bytes]]:
        """The frame ``explorer`` (default: the real one) shows now, with its tiles' PNG bytes."""
        explorer = explorer or self.explorer
        pngs = [bytes(image.value) for image in explorer.view.images]
        texts = tuple(w.value for w in explorer.text_widgets())
        # A picture under a message is often the last good one (it depends on how the learner got
        # there): kept only where the explorer says its message states are drawn from the state alone.
        frame = Frame(key if key is not None else self.key(), tuple(map(_digest, pngs)), texts,
                      cache=not explorer.message.value or explorer.MESSAGE_STATES_KEPT)
        return frame, pngs

    def publish(self, drawn: tuple[Frame, list[bytes]], shown: bool = False) -> bool:
        """Send ``drawn`` to the page unless it holds that frame already; True if a message went out.

        ``shown``: the frame of the explorer's own update, which the page shows if it is at that
        state: sent also when the page holds it (without its tiles), because the page does not show a
        held frame for a state that the kernel's corrections led to (see ``frames.js``).
        """
        frame, pngs = drawn
        store: OrderedDict[Any, Frame] = self.held if frame.start is None else self.paths
        name = frame.key if frame.start is None else (frame.start, frame.to)
        if not self.connected or (store.get(name) == frame and not shown):
            return False
        new = []
        for digest, png in zip(frame.tiles, pngs):
            if digest not in self.tiles and digest not in new:
                new.append(digest)
                self.tiles[digest] = png
        forget: list[tuple[Any, ...]] = []
        forget_paths: list[tuple[Any, ...]] = []
        if frame.cache and store.get(name) != frame:
            if name in store:
                self._drop(store, name)
            store[name] = frame
            self.uses.update(frame.tiles)
            while len(self.paths) > MAX_STEPS:
                forget_paths.append(next(iter(self.paths)))
                self._drop(self.paths, forget_paths[-1])
            while len(self.held) > MAX_FRAMES or (len(self.held) > 1 and self._bytes() > MAX_BYTES):
                forget.append(next(iter(self.held)))
                self._drop(self.held, forget[-1])
        self._send([frame], new, forget, forget_paths)
        return True

    def _forget_paths(self) -> None:
        if self.paths:
            forget = list(self.paths)
            for name in forget:
                self._drop(self.paths, name)
            self._send([], [], [], forget)

    def _send(self, frames: list[Frame], new: list[str], forget: list[tuple[Any, ...]],
              forget_paths: list[tuple[Any, ...]]) -> None:
        """One message to the page: ``frames`` with the ``new`` tiles' bytes, what to forget, and
        the tiles no frame kept (nor sent now) uses any more."""
        sent = {digest for frame in frames for digest in frame.tiles}
        gone = [d for d in self.tiles if not self.uses[d] and d not in sent]
        for digest in gone:
            del self.tiles[digest]
        self.channel.send({"kind": "frames", "frames": [frame.message() for frame in frames], "new_tiles": new,
                           "forget": [list(k) for k in forget],
                           "forget_paths": [[list(a), list(b)] for a, b in forget_paths], "forget_tiles": gone},
                          buffers=[self.tiles[d] for d in new])

    def _drop(self, store: OrderedDict[Any, Frame], name: Any) -> None:
        frame = store.pop(name)
        self.uses.subtract(frame.tiles)

    def _bytes(self) -> int:
        return sum(len(png) for png in self.tiles.values())

    # -- the look-ahead ---------------------------------------------------------------------------
    def look_ahead(self, last: str | None = None) -> None:
        """Plan the states around the current one (``last``: the control moved last) and start drawing
        them, one per turn of the kernel's event loop, while nothing else is waiting."""
        if not self.connected or os.environ.get(LOOK_AHEAD_VARIABLE, "1").strip() == "0":
            return
        if self.explorer.memory() != self._memory:  # the step frames held lead elsewhere now
            self._memory = self.explorer.memory()
            self._forget_paths()
        self._walking.clear()
        self._dead.clear()
        self._at = None
        self.plan = self._candidates(last)
        self._schedule()

    def _schedule(self) -> None:
        if self.plan is not None:
            _turns.add(self)

    def step(self) -> bool:
        """Draw the next planned state in the shadow and send its frame.  Returns False when there is
        nothing (more) to do now: the plan is done, or an update of the explorer is waiting (it
        plans anew when it is drawn)."""
        if self.plan is None or self.explorer.updates.pending or not self.connected:
            return False
        for name, sign, value in self.plan:
            if (name, sign) in self._dead:
                continue
            key = self._key_of({name: value})
            if name in self._walking:
                drew = self._walk(name, sign, value, key)
            elif key in self.held:
                continue
            else:
                drew, shadow = True, self._shadow()
                control, trait = dict(zip(shadow.state_names(), shadow.state_widgets(), strict=True))[name]
                if getattr(control, trait) == value:  # the step below must happen: it tells whether it is pure
                    self._set(shadow, {name: self._centre[name]})
                if self._goto(shadow, dict(self._centre, **{name: value}), last=name):
                    self._at = None
                    self._send_ahead(self.current_frame(self.shadow, key))
                else:  # the step changed other controls: its frame is not a function of its key; a step is
                    self._walking.add(name)
                    self._at = None
                    self._walk(name, sign, value, key)
            if not drew:
                continue
            if self._budget <= 0:
                break
            return True
        self.plan = None
        return False

    def _walk(self, name: str, sign: int, value: Any, key: tuple[Any, ...]) -> bool:
        """The step frame of key presses on ``name`` (direction ``sign``) from the centre to ``value``:
        keyed by the centre and (slot, value), as the page looks it up.  False if the page holds it
        already (nothing drawn)."""
        start, to = self._centre_key(), (self.explorer.state_names().index(name), canonical(value))
        if (start, to) in self.paths:
            return False
        shadow = self._shadow()
        if self._at != (name, sign) and not self._goto(shadow, self._centre):
            self._dead.add((name, sign))
            return True
        self._set(shadow, {name: value})  # from the walk's last value: the same end (see self.paths)
        self._at = (name, sign)
        frame, pngs = self.current_frame(shadow, key)
        if not frame.cache:
            self._dead.add((name, sign))  # past an impossible state the page's steps and the shadow's part
            return True
        self._send_ahead((Frame(key, frame.tiles, frame.texts, True, start, to), pngs))
        return True

    def _send_ahead(self, drawn: tuple[Frame, list[bytes]]) -> None:
        if drawn[0].cache:
            self.drawn_ahead += 1
            self._budget -= 1
            self.publish(drawn)

    def _centre_key(self) -> tuple[Any, ...]:
        return self._key_of({})

    def _candidates(self, last: str | None) -> Iterator[tuple[str, int, Any]]:
        """States one control away from the current one, nearest first (the control moved ``last``
        first): (name, direction, value), each direction's values nearest first (a walk)."""
        explorer = self.explorer
        self._centre = {name: getattr(control, trait) for name, (control, trait) in
                        zip(explorer.state_names(), self.pairs, strict=True)}
        self._budget = AHEAD
        names = [name for name in explorer.state_names() if name in explorer.controls]
        order = sorted(names, key=lambda n: n != last)
        steps = {name: _steps(explorer.controls[name]) for name in names}

        def plan() -> Iterator[tuple[str, int, Any]]:
            for mine, others in ROUNDS:
                for name in order:
                    for sign in (1, -1):
                        for distance in (mine if name == last or last is None else others):
                            value = steps[name](distance * sign)
                            if value is None:
                                break
                            yield name, sign, value

        return plan()

    def _key_of(self, state: dict[str, Any]) -> tuple[Any, ...]:
        values = dict(self._centre, **state)
        return tuple(canonical(values[name]) for name in self.explorer.state_names())

    def _shadow(self) -> Explorer:
        if self.shadow is None:
            with detached():
                self.shadow = type(self.explorer)()
        return self.shadow

    def _goto(self, shadow: Explorer, values: dict[str, Any], last: str | None = None) -> bool:
        """Bring ``shadow`` to the state ``values``, one control at a time as a learner would, the
        control ``last`` last (walking along one control costs one draw per state); True if it got
        there without its drawing changing any of the values."""
        pairs = dict(zip(shadow.state_names(), shadow.state_widgets(), strict=True))
        extras = {}
        for name, (widget, trait) in pairs.items():
            if name != last and getattr(widget, trait) != values[name]:
                if name in shadow.controls:
                    self._set(shadow, {name: values[name]})
                else:
                    extras[name] = values[name]
        if extras:  # what is typed into boxes (the kernel explorer's entries): all at once
            self._set(shadow, extras)
        shadow.recall(self.explorer.memory())
        if last is not None and getattr(*pairs[last]) != values[last]:
            self._set(shadow, {last: values[last]})
        return state_key(shadow.state_widgets()) == tuple(canonical(values[n]) for n in shadow.state_names())

    @staticmethod
    def _set(shadow: Explorer, state: dict[str, Any]) -> None:
        pairs = dict(zip(shadow.state_names(), shadow.state_widgets(), strict=True))
        with shadow.holding():
            for name, value in state.items():
                widget, trait = pairs[name]
                setattr(widget, trait, value)
        shadow.flush()


class _Turns:
    """Every explorer's look-ahead takes turns: one frame per turn of the kernel's event loop, for one
    explorer at a time, so a message from the page waits for one drawing at most (a notebook may
    show several explorers)."""

    def __init__(self) -> None:
        self.waiting: deque[Frames] = deque()
        self.handle: asyncio.Handle | None = None

    def add(self, frames: Frames) -> None:
        if frames not in self.waiting:
            self.waiting.append(frames)
        self._schedule()

    def discard(self, frames: Frames) -> None:
        if frames in self.waiting:
            self.waiting.remove(frames)

    def _schedule(self) -> None:
        if self.handle is not None or not self.waiting:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop (a script, a test): tests call Frames.step() themselves
        # A short gap between turns: a message from the page takes several turns of the event loop
        # to be received and handled, and a gap lets it through in one instead of waiting behind
        # several drawings.
        self.handle = loop.call_later(TURN_GAP, self._turn)

    def _turn(self) -> None:
        self.handle = None
        if not self.waiting:
            return
        frames = self.waiting.popleft()
        try:
            more = frames.step()
        except Exception as error:  # noqa: BLE001 - the look-ahead is an extra: stop it, the explorer goes on
            frames.plan, frames.error = None, error
            more = False
        if more:
            self.waiting.append(frames)
        self._schedule()


_turns = _Turns()


def _steps(control: widgets.Widget) -> Callable[[int], Any]:
    """``steps(n)``: the value ``control`` has ``n`` steps (key presses) from now, or None if there is
    none (past an end, disabled, or a control that is typed into)."""
    if control.disabled if control.has_trait("disabled") else False:
        return lambda n: None
    now = getattr(control, synced_trait(control))  # an index for a selection
    if isinstance(control, widgets.widget_selection._Selection):
        index, count = now, len(control.options)
        return lambda n: (index + n) if index is not None and 0 <= index + n < count else None
    if isinstance(control, widgets.Checkbox):
        return lambda n: (not now) if n == 1 else None
    if isinstance(control, widgets.FloatLogSlider):
        import math

        low, high, step, base = control.min, control.max, control.step, control.base
        k = round((math.log(now, base) - low) / step)
        last = round((high - low) / step)
        return lambda n: base ** (low + (k + n) * step) if 0 <= k + n <= last else None
    if isinstance(control, widgets.IntSlider):
        value, low, high, step = now, control.min, control.max, control.step
        return lambda n: value + n * step if low <= value + n * step <= high else None
    return lambda n: None
