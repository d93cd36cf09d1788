"""What every explorer shares: named controls, one picture, readout lines, a message line, and
updates that keep up with the hand.

An explorer is a :class:`Explorer` (an ``ipywidgets.VBox``).  Its state is the values of its
controls (ipywidgets are ``traitlets.HasTraits``); its picture is drawn by the matching module of
:mod:`conv_lessons.figures` from those values.  Observers are one line: they *request* an update
(:meth:`Explorer.watch` wires them); the update reads the controls' current values and draws.

**Latest state only.**  A learner who drags a slider sends a stream of values.  Requests are
coalesced (:class:`Updates`): whatever arrived before the update could run is drawn once, for the
newest values.  Inside a Jupyter kernel the update is scheduled on the kernel's event loop
(``loop.call_soon``) instead of running inside the widget message's handler.  Why that works
(ipykernel 7.4, ipywidgets 8.1): the kernel handles one shell message per event-loop step and
reports "idle" when its handler returns; the front end sends a widget's next value only after that
"idle" (ipywidgets' message throttle: one pending message per widget, newer values merged into
the waiting one).  Handling the message is cheap (store the value, request an update), so "idle"
goes out at once and the front end sends the newest value while the picture is being drawn.
Messages that are already waiting (several controls, or values queued while a cell ran) are read
one per event-loop step, each *after* a callback scheduled by the previous one -- measured: 20
queued updates made 20 renders with a plain ``call_soon``.  So the scheduled update first steps
aside, one loop step at a time, for as long as new requests keep arriving (at most
:data:`MAX_WAIT`), and then draws once for all of them.  A drag of N steps therefore costs the
picture being drawn plus one more for the final value, never N.  Outside a running event loop (a
script, plain pytest), and in a cell that sets a control, an update runs at once, inside the
request, so tests stay deterministic and a cell sees its own change; :meth:`Explorer.flush` runs
a pending update now.

**Few messages, sent early.**  What a learner feels is the whole trip: key press → the front end
→ the server → the kernel → the picture back (``benchmarks/bench_browser_latency.py``), and on
two cores every message on the way costs the server and the browser time the picture then waits
for.  So an explorer's controls do not ask for ipywidgets' echo of the values the front end sends
(:func:`no_echo`: one message fewer per step; the echo only serves a second browser window on the
same kernel), and before a scheduled update draws, the kernel's IOPub thread is given the moment
it needs to send what is queued, "idle" first (:func:`send_queued_messages`): otherwise it waits
for Python's GIL behind the drawing, and the front end, which sends a dragged slider's next value
only after that "idle", waits with it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from html import escape
from typing import Any

import ipywidgets as widgets

from ..style import ERROR, scaled_font_size
from ..threads import one_thread
from . import frames
from .figure_widget import FigureView

__all__ = ["Explorer", "Updates", "MessageBox", "Readout", "no_echo", "send_queued_messages"]

MAX_ROUNDS = 3  # an update whose drawing requests another update is run again at most this often
MAX_WAIT = 0.25  # seconds a scheduled update waits at most for queued messages to be handled first
SEND_WAIT = 0.02  # seconds a scheduled update waits at most for the IOPub thread to send what is queued
ECHOED = ("value", "index")  # the attributes a front end sends when the learner moves a control


class MessageBox(widgets.HTML):
    """One line under an explorer for status and for problems with what the learner typed."""

    def show_error(self, text: str) -> None:
        """Show ``text`` as a problem (red), keeping the last good picture on screen."""
        self.value = f'<span style="color:{ERROR}{_font_size()}" class="conv-lessons-error">⚠ {escape(text)}</span>'

    def show_info(self, text: str) -> None:
        """Show ``text`` as neutral status (monospace, so written-out sums line up)."""
        self.value = f'<span style="font-family:monospace{_font_size()}">{escape(text)}</span>'

    def clear(self) -> None:
        """Remove any message."""
        self.value = ""


class Readout(widgets.HTML):
    """Readout lines under a picture, in monospace so that formulas and written-out sums line up."""

    def show(self, *lines: str, size: str | None = None, markup: bool = False) -> None:
        """Show ``lines`` (escaped unless ``markup``: then they are HTML, e.g. with ``<b>``)."""
        body = "\n".join(line if markup else escape(line) for line in lines)  # pre-wrap: \n breaks the line
        style = "font-family:monospace;line-height:1.4;white-space:pre-wrap" + _font_size(size)
        self.value = f'<div class="conv-lessons-readout" style="{style}">{body}</div>'


def _font_size(size: str | None = None) -> str:
    """A ``;font-size:…`` declaration for ``size`` at the presenter size, or nothing at the page's size."""
    scaled = scaled_font_size(size)
    return f";font-size:{scaled}" if scaled else ""


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _running_a_cell() -> bool:
    """True while a Jupyter kernel runs a cell (its current shell message is an execute_request).

    Code in a cell that sets a control expects the picture to follow at once (``e.flush()``
    would be a surprise); widget messages from the front end are the ones to coalesce.
    """
    try:
        from ipykernel.kernelbase import Kernel

        if not Kernel.initialized():
            return False
        parent = Kernel.instance().get_parent("shell") or {}
        return parent.get("header", {}).get("msg_type") == "execute_request"
    except Exception:  # noqa: BLE001 - another kernel or an older ipykernel: treat as a widget message
        return False


def no_echo(control: widgets.Widget) -> None:
    """Stop ipywidgets from echoing back the values the front end sends for ``control``.

    ipywidgets 8 answers every value a front end sends with an ``echo_update`` message, so that a
    second front end on the same kernel (another browser window) follows.  One learner's explorer
    has one front end; the echo is one more message per step through the server and the browser.
    The setting is this control's own (traitlets' per-instance metadata): other widgets in the
    notebook keep their echo.  Values the kernel itself changes are sent as always.
    """
    for name in ECHOED:
        if control.has_trait(name):
            setattr(control, f"_{name}_metadata", {"echo_update": False})


def send_queued_messages(timeout: float = SEND_WAIT) -> bool:
    """Let the kernel's IOPub thread send the messages queued so far (at most ``timeout`` seconds).

    ipykernel sends IOPub messages (status "idle", widget updates) from a thread of its own; while
    the main thread draws, that thread waits for the GIL, and the messages with it.  Waiting here
    releases the GIL until the thread has handed everything queued to ZeroMQ.  Returns whether it
    did (False outside an ipykernel kernel, where there is nothing to send).
    """
    try:
        from ipykernel.kernelbase import Kernel

        if not Kernel.initialized():
            return False
        io_thread = getattr(Kernel.instance().iopub_socket, "io_thread", None)
        if io_thread is None or not io_thread.thread.is_alive():
            return False
        sent = threading.Event()
        io_thread.schedule(sent.set)  # runs after every send queued before it, in order
    except Exception:  # noqa: BLE001 - another kernel or ipykernel version: nothing to wait for
        return False
    return sent.wait(timeout)


def _report(error: BaseException) -> None:
    """An unexpected error in a scheduled update: show its traceback in the notebook (as ipywidgets
    does for errors in observers), or raise it when there is no IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        raise error from None
    shell = get_ipython()
    if shell is None:
        raise error
    shell.showtraceback()


class Updates:
    """Coalesced update requests: ``work(reasons)`` runs once for every request made before it ran.

    ``reasons`` are the distinct reasons, oldest first (a repeated reason moves to the end).  In a
    running event loop the work is scheduled (``call_soon``), unless a kernel is running a cell;
    otherwise it runs inside :meth:`request`.  :meth:`held` collects requests and runs them once when the block ends.
    """

    def __init__(self, work: Callable[[tuple[str, ...]], None]) -> None:
        self._work = work
        self._reasons: dict[str, None] = {}
        self._handle: asyncio.Handle | None = None
        self._held = 0
        self._running = False
        self._requests = 0  # requests ever made ...
        self._seen: int | None = None  # ... and how many had been made at the last look
        self._since = 0.0  # when the scheduled run was first due (event-loop time)
        self.runs = 0  # how often the work ran (tests count renders with it)

    @property
    def pending(self) -> tuple[str, ...]:
        """The reasons waiting for the next run."""
        return tuple(self._reasons)

    def request(self, reason: str) -> None:
        """Ask for the work to run for ``reason`` (at once, or soon on the running event loop)."""
        self._reasons.pop(reason, None)
        self._reasons[reason] = None
        self._requests += 1
        self._schedule()

    def _schedule(self) -> None:
        if self._held or self._running or self._handle is not None or not self._reasons:
            return
        loop = _running_loop()
        if loop is None or _running_a_cell():
            self.flush()
        else:
            self._seen, self._since = None, loop.time()
            self._handle = loop.call_soon(self._scheduled, loop)

    def _scheduled(self, loop: asyncio.AbstractEventLoop) -> None:
        self._handle = None
        if self._seen != self._requests and loop.time() - self._since < MAX_WAIT:
            # Messages already waiting in the kernel are handled one per loop step, each after this
            # callback; while they keep adding requests, let them in first (at most MAX_WAIT).
            self._seen = self._requests
            self._handle = loop.call_soon(self._scheduled, loop)
            return
        send_queued_messages()  # "idle" out before the drawing: the front end sends the next value meanwhile
        try:
            self.flush()
        except Exception as error:  # noqa: BLE001 - shown like an observer's error, the kernel goes on
            _report(error)

    @contextmanager
    def held(self) -> Iterator[None]:
        """Collect requests made inside the block; run (or schedule) the work once at its end."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
        self._schedule()

    def flush(self) -> None:
        """Run the work now for whatever is pending (nothing happens when nothing is)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._running:
            return
        self._running = True
        try:
            for _ in range(MAX_ROUNDS):
                if not self._reasons:
                    break
                reasons = tuple(self._reasons)
                self._reasons.clear()
                self.runs += 1
                self._work(reasons)
        finally:
            self._running = False
            self._reasons.clear()


class Explorer(widgets.VBox):
    """The base of every explorer: ``controls`` (by name), ``view`` (the picture), ``message``.

    A subclass creates its controls with :meth:`add`, wires them with :meth:`watch`, lays out its
    parts with :meth:`lay_out`, and implements :meth:`draw`, which reads the controls and shows the
    picture and readouts for them.  Bad input raised as ``ValueError``/``TypeError`` inside
    :meth:`draw` becomes the message (the last good picture stays); a successful draw should clear
    it.
    """

    #: Whether a state that shows a message is drawn from the state alone (then the page may keep its
    #: frame, :mod:`.frames`); False where the message keeps the last good picture on screen.
    MESSAGE_STATES_KEPT = False

    def __init__(self, view: FigureView, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.view = view
        self.message = MessageBox()
        self.controls: dict[str, widgets.Widget] = {}
        self.updates = Updates(self._draw_guarded)
        self._quiet = 0
        self._watched: list[str] = []
        self._moved: str | None = None  # the control the learner moved last (the look-ahead starts there)
        self._texts: list[widgets.HTML] = []
        self.frames: frames.Frames | None = None  # the browser half, once the explorer is laid out

    # -- building ---------------------------------------------------------------------------------
    def add(self, name: str, control: widgets.Widget) -> Any:
        """Register ``control`` under ``name`` (``self.controls[name]``, without echo: :func:`no_echo`)
        and return it."""
        no_echo(control)
        self.controls[name] = control
        return control

    def watch(self, names: str | Iterable[str], reason: str | None = None) -> None:
        """Request an update whenever a control in ``names`` changes value (reason: its name, or
        ``reason``)."""
        for name in [names] if isinstance(names, str) else names:
            self.controls[name].observe(partial(self._changed, reason or name, name), names="value")
            self._watched.append(name)

    def lay_out(self, *children: widgets.Widget) -> None:
        """Set the explorer's rows, then draw the first picture (at once, also inside a kernel), and
        open the line to the page that keeps frames drawn ahead (:mod:`.frames`)."""
        self.children = children
        self._texts = [w for w in _descendants(self, styles=False) if isinstance(w, widgets.HTML)]
        self.request("start")
        self.flush()
        if frames.available():
            self.frames = frames.Frames(self)

    # -- the state ----------------------------------------------------------------------------------
    def extra_state(self) -> dict[str, widgets.Widget]:
        """Widgets besides the controls whose ``value`` is part of the state (by name); none here."""
        return {}

    def state_names(self) -> list[str]:
        """The names of what determines the picture: the watched controls, then :meth:`extra_state`."""
        return [*self._watched, *self.extra_state()]

    def state_widgets(self) -> list[tuple[widgets.Widget, str]]:
        """(widget, trait) for every name of :meth:`state_names`: the trait the front end sends."""
        extra = self.extra_state()
        return [(self.controls[name], frames.synced_trait(self.controls[name])) if name in self.controls
                else (extra[name], "value") for name in self.state_names()]

    def memory(self) -> Any:
        """What the explorer remembers besides its state and uses when a control's step makes it
        correct others (the receptive-field explorer: the photo pixel its field stays centred on);
        the look-ahead gives its shadow the same (:meth:`recall`).  None here."""
        return None

    def recall(self, memory: Any) -> None:
        """Take ``memory`` (what :meth:`memory` returned, maybe of another explorer of this kind)."""

    def text_widgets(self) -> list[widgets.HTML]:
        """The explorer's HTML widgets (readouts, message, notes): what a frame carries besides the picture."""
        return self._texts

    # -- updating ---------------------------------------------------------------------------------
    def _changed(self, reason: str, name: str | None = None, change: Any = None) -> None:
        if not self._quiet:
            self._moved = name
            self.updates.request(reason)

    def request(self, reason: str = "draw") -> None:
        """Ask for an update (it will read the controls' values when it runs)."""
        self.updates.request(reason)

    @contextmanager
    def quietly(self) -> Iterator[None]:
        """Change controls without requesting updates (the code that does so draws what it needs)."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Change several controls, then draw once for all of them when the block ends."""
        with self.updates.held():
            yield

    def flush(self) -> None:
        """Draw now if an update is pending (tests use this to wait for a scheduled update)."""
        self.updates.flush()

    def _draw_guarded(self, reasons: tuple[str, ...]) -> None:
        # Texts (readouts, the message, notes) are sent when the update is done, after the picture,
        # so the browser decodes the picture while it lays out the texts.  Controls send their own
        # changes as they happen: holding a slider's would merge its new range and value into one
        # message with its keys in no fixed order, and a front end that applies the value before
        # the range clamps it and sends the clamped value back.  (Set range and value in the order
        # that never clamps.)  With the page's browser half connected, the picture and the texts go
        # as one frame instead (only if the page does not hold it already).
        connected = self.frames is not None and self.frames.connected
        with ExitStack() as stack:
            held = [*self._texts, *(self.view.images if connected else ())]
            for widget in held:
                stack.enter_context(widget.hold_sync())
            stack.enter_context(one_thread())  # small tensors: PyTorch's thread pool would only make us wait
            try:
                self.draw(reasons)
            except (ValueError, TypeError) as error:
                self.message.show_error(str(error))
            if connected:
                self.frames.publish(self.frames.current_frame(), shown=True)
                for widget in held:  # the frame carries them
                    widget._states_to_send.discard("value")
        if connected:
            self.frames.look_ahead(self._moved)

    def draw(self, reasons: tuple[str, ...]) -> None:
        """Read the controls and show the picture and readouts for them (subclasses implement it).

        ``reasons``: what changed since the last draw (control names or the reasons given to
        :meth:`watch`/:meth:`request`, oldest first; ``"start"`` for the first picture).
        """
        raise NotImplementedError

    def close(self) -> None:
        """Close the explorer and every widget it holds (their comms and front-end views go too)."""
        for widget in _descendants(self):
            if widget is not self:
                widget.close()
        if self.frames is not None:
            self.frames.close()
        super().close()


def _descendants(widget: widgets.Widget, styles: bool = True) -> list[widgets.Widget]:
    """``widget``, its children (recursively), and (``styles``) their layouts and styles: everything to close."""
    found: list[widgets.Widget] = []
    stack = [widget]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen or not isinstance(item, widgets.Widget):
            continue
        seen.add(id(item))
        found.append(item)
        stack.extend(getattr(item, "children", ()))
        if styles:
            stack.extend(getattr(item, name, None) for name in ("layout", "style"))
    return found
