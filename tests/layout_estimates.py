"""Estimates of how wide a control's texts are in JupyterLab, for the explorer tests that check, without a
browser, that no label is cut and every slider keeps a usable track (issue 11, item 5).  The browser test
(tests/test_browser.py) measures the real page; these estimates were calibrated on its measurements."""

from __future__ import annotations

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
