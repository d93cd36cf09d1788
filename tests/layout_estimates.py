"""Estimates of how wide a control's texts are in JupyterLab, for the explorer tests that check, without a
browser, that no label is cut and every slider keeps a usable track (issue 11, item 5).  The browser test
(tests/test_browser.py) measures the real page; these estimates were calibrated on its measurements."""

from __future__ import annotations

from typing import Any

from browser_support import MIN_TRACK_PX

MIN_TRACK = MIN_TRACK_PX  # pixels: a slider track narrower than this shows little more than its handle


def px(css: str) -> float:
    """A CSS width in pixels (``"330px"`` → 330.0); fails on any other unit."""
    assert css.endswith("px"), css
    return float(css[:-2])


def text_width(label: str) -> float:
    """A generous estimate of a label's width in JupyterLab's 13 px UI font: CJK characters are
    square (13 px), Latin ones average about 7.5 px."""
    return sum(13.0 if ord(c) > 0x2E80 else 7.5 for c in label)


def estimated_track(slider: Any, readout_chars: int) -> float:
    """A slider's track width in px as JupyterLab lays it out (13 px font): the slider's width less
    its description (about 7.5 px a Latin character, 14.5 px a Chinese one), its readout and the
    margins.  The browser test measures the real thing (issue 11 item 5); this catches a narrow
    slider without a browser."""
    import unicodedata

    label = sum(14.5 if unicodedata.east_asian_width(ch) in "WF" else 7.5 for ch in slider.description)
    return px(slider.layout.width) - label - max(40.0, 7.5 * readout_chars) - 30
