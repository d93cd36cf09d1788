"""The benchmarks still run against today's package: each script imports, and the effective-RF
benchmark times every setting the explorer offers (its list is read from the explorer's controls)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCHMARKS.glob("bench_*.py")))
def test_every_benchmark_imports_and_has_a_main(name: str) -> None:
    assert callable(load(name).main)


def test_the_effective_rf_benchmark_covers_every_setting_of_the_explorer() -> None:
    from conv_lessons.explorers import effective_rf_explorer

    explorer = effective_rf_explorer()
    controls = explorer.controls
    sizes = range(controls["kernel_size"].min, controls["kernel_size"].max + 1)
    offered = {(k, w, n)
               for w in (value for _, value in controls["weights"].options)
               for n in (value for _, value in controls["nonlinearity"].options)
               for k in ([2] if w == "learned" else sizes)}  # the learned kernel is the chapter's 1×2
    assert set(load("bench_effective_rf").settings()) == offered
    explorer.close()


def test_the_round_trip_reference_swaps_ready_pictures_and_computes_nothing() -> None:
    """The browser benchmark's floor: its slider shows one of four ready pictures (the correlation
    explorer's) and a readout line, as an explorer would, without echo; nothing is drawn per step."""
    import ipywidgets as widgets

    from conv_lessons import explorers

    bench = load("bench_browser_latency")
    scope: dict = {"explorers": explorers}
    exec(compile(bench.ROUND_TRIP_CELL, "round_trip", "exec"), scope)
    box = eval(bench.ROUND_TRIP_CELL.splitlines()[-1], scope)
    slider, image, line = box.children
    assert isinstance(slider, widgets.IntSlider) and isinstance(image, widgets.Image)
    assert slider.trait_metadata("value", "echo_update") is False
    seen = set()
    for value in range(1, 9):
        slider.value = value
        assert bytes(image.value) == scope["pictures"][value % 4] and f"picture {value}" in line.value
        seen.add(bytes(image.value))
    assert len(seen) == 4 and all(p.startswith(b"\x89PNG") for p in seen)
    box.close()
