"""Explorers in a real Jupyter kernel (ipykernel), driven by widget messages as a front end sends them.

A learner's drag arrives as a stream of ``comm_msg`` updates.  Here twenty of them are sent at once
(values that queued while the kernel was busy, or a front end without a message throttle): the
explorer must draw the newest state, not one picture per value.  With a plain ``call_soon`` the
kernel handles each queued message after the update scheduled by the one before it, and draws
twenty times; see :mod:`conv_lessons.explorers.base`.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Iterator

import pytest

from conv_lessons.explorers import correlation_explorer

pytest.importorskip("ipykernel")
jupyter_client = pytest.importorskip("jupyter_client")


@pytest.fixture(scope="module")
def kernel() -> Iterator[object]:
    """A python3 kernel of this environment (started with this interpreter), and its client."""
    manager = jupyter_client.KernelManager(kernel_name="python3")
    manager.kernel_spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client, code: str) -> str:
    """Execute ``code`` in the kernel; return what it printed (fail on an error)."""
    msg_id = client.execute(code)
    printed = []
    while True:
        msg = client.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "error":
            pytest.fail(f"the kernel raised {msg['content']['ename']}: {msg['content']['evalue']}")
        if kind == "stream":
            printed.append(msg["content"]["text"])
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(printed)


def test_twenty_queued_slider_messages_draw_a_few_pictures_not_twenty(kernel):
    model = run(kernel, "from conv_lessons.explorers import correlation_explorer\n"
                        "e = correlation_explorer()\nprint(e.controls['position'].model_id)").strip()
    values = [1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 3]
    for value in values:  # all sent before the kernel has handled the first
        kernel.session.send(kernel.shell_channel.socket, "comm_msg",
                            {"comm_id": model, "data": {"method": "update", "state": {"value": value},
                                                        "buffer_paths": []}})
    time.sleep(1.0)
    report = run(kernel, "import hashlib\nprint(e.view.renders, e.controls['position'].value, "
                         "hashlib.sha256(e.view.image.value).hexdigest(), e.sum_readout.value)")
    renders, position, digest, readout = report.split(" ", 3)
    assert int(position) == 3
    # the first picture, then one (two when the kernel is slow: a backlog is drawn every 0.25 s)
    assert 2 <= int(renders) <= 4
    assert "Y[1, 1] = 4×0 + 5×1 + 7×2 + 8×3 = 43" in readout
    reference = correlation_explorer()
    reference.controls["position"].value = 3
    assert digest == hashlib.sha256(reference.view.image.value).hexdigest()  # the final state, drawn


def test_a_cell_that_sets_a_control_sees_the_new_picture_at_once(kernel):
    report = run(kernel, "from conv_lessons.explorers import matmul_explorer\n"
                         "m = matmul_explorer()\nm.controls['row'].value = 4\n"
                         "print(m.updates.pending, 'Row 4 of W' in m.readout.value)")
    assert report.strip() == "() True"  # drawn inside the cell, not after it


def test_a_step_in_the_kernel_sends_no_echo_and_the_iopub_queue_can_be_sent_before_drawing(kernel):
    """What the kernel sends for one slider step: no ``echo_update`` (one message fewer on the way to
    the browser), then the picture.  And the IOPub thread can be asked to send its queue, which a
    scheduled update does before drawing (a newer ipykernel without that thread would make it
    return False: the explorers would still work, only answer later)."""
    assert run(kernel, "from conv_lessons.explorers.base import send_queued_messages\n"
                       "print(send_queued_messages())").strip() == "True"
    model = run(kernel, "from conv_lessons.explorers import matmul_explorer\n"
                        "s = matmul_explorer()\nprint(s.controls['row'].model_id)").strip()
    image = run(kernel, "print(s.view.image.model_id)").strip()
    msg_id = kernel.session.send(kernel.shell_channel.socket, "comm_msg",
                                 {"comm_id": model, "data": {"method": "update", "state": {"value": 2},
                                                             "buffer_paths": []}})["header"]["msg_id"]
    methods, deadline = [], time.monotonic() + 60
    while (image, "update") not in methods and time.monotonic() < deadline:
        msg = kernel.get_iopub_msg(timeout=60)
        if msg["msg_type"] == "comm_msg":
            methods.append((msg["content"]["comm_id"], msg["content"]["data"].get("method")))
        elif msg["msg_type"] == "status" and msg["parent_header"].get("msg_id") == msg_id:
            methods.append(("status", msg["content"]["execution_state"]))
    assert (image, "update") in methods  # the new picture
    assert all(method != "echo_update" for _, method in methods), methods
    assert methods.index(("status", "idle")) < methods.index((image, "update"))  # idle first: see base.py


def test_outside_a_kernel_there_is_no_queue_to_send():
    from conv_lessons.explorers.base import send_queued_messages

    assert send_queued_messages() is False
