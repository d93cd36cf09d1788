"""The effective-RF explorer's precomputed table: it holds every explorer setting, its fields are the
computation's, ``erf_by_depth`` reads it, a stale table is ignored, and ``tools/make_erf_table.py
--check`` tells a stale table from an up-to-date one."""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

import conv_lessons.effective_rf as erf
from conv_lessons.effective_rf import EffectiveField, _compute, _setting, _table_name, _tabulated
from conv_lessons.figures.effective_rf import MAX_DEPTH, erf_fields, explorer_settings

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
try:
    import make_erf_table
finally:
    sys.path.remove(str(REPO / "tools"))

SETTINGS = explorer_settings()  # (kernel size, weights, nonlinearity), from the explorer's constants


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts and ends without cached fields (a test may change what a setting gives)."""
    erf._cached.cache_clear()
    yield
    erf._cached.cache_clear()


@pytest.fixture(scope="module")
def computed() -> dict[tuple[int, str, str], list[EffectiveField]]:
    """Every explorer setting's fields, computed now (not read from the table)."""
    return {setting: _compute(*_setting(MAX_DEPTH, *setting, None, 0)) for setting in SETTINGS}


def key_of(setting: tuple[int, str, str], samples: int | None = None) -> erf._Key:
    return _setting(MAX_DEPTH, *setting, samples, 0)[0]


def test_the_table_holds_every_explorer_setting():
    assert len(SETTINGS) == len(set(SETTINGS)) >= 18  # 4 sizes × random/uniform × none/relu, learned × none/relu
    assert {key for key, _ in make_erf_table.table_settings()} == {key_of(setting) for setting in SETTINGS}
    with np.load(erf.TABLE_PATH) as table:
        names = set(table.files)
    for setting in SETTINGS:
        assert {f"{_table_name(key_of(setting))}.{part}" for part in ("gradient", "stats")} <= names, setting
        assert _tabulated(key_of(setting)) is not None, setting


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: "{}x{}-{}-{}".format(s[0], *s))
def test_the_tabulated_fields_are_the_computed_ones(setting, computed):
    tabulated = _tabulated(key_of(setting))
    assert tabulated is not None and len(tabulated) == MAX_DEPTH
    for table, fresh in zip(tabulated, computed[setting], strict=True):
        assert type(table) is type(fresh) is EffectiveField
        for item in ("depth", "kernel_shape", "weights", "nonlinearity", "box", "size"):
            assert getattr(table, item) == getattr(fresh, item), item
        assert table.gradient.dtype == fresh.gradient.dtype == torch.float32
        assert table.gradient.shape == fresh.gradient.shape
        (r0, r1), (c0, c1) = table.box
        outside = table.gradient.clone()
        outside[r0:r1, c0:c1] = 0
        assert not outside.any()
        assert torch.allclose(table.gradient, fresh.gradient, rtol=make_erf_table.GRADIENT_RTOL,
                              atol=make_erf_table.GRADIENT_ATOL)
        for item in ("centre", "sigma"):
            assert getattr(table, item) == pytest.approx(getattr(fresh, item), rel=make_erf_table.STATS_RTOL), item


def test_erf_by_depth_reads_the_table_and_hands_out_copies(monkeypatch, computed):
    def refuse(*args, **kwargs):
        raise AssertionError("computed, not read from the table")

    monkeypatch.setattr(erf, "_compute", refuse)
    for setting in SETTINGS:
        fields = erf.erf_by_depth(MAX_DEPTH, *setting)
        sigmas = [s for field in computed[setting] for s in field.sigma]
        assert [s for field in fields for s in field.sigma] == pytest.approx(sigmas, rel=make_erf_table.STATS_RTOL)
    assert erf_fields(5, "random", "relu")[-1].sigma == pytest.approx(computed[(5, "random", "relu")][-1].sigma)
    first = erf.erf_by_depth(MAX_DEPTH, 5, "random", "relu")
    first[-1].gradient.zero_()  # a caller spoiling its copy spoils nobody else's
    assert float(erf.erf_by_depth(MAX_DEPTH, 5, "random", "relu")[-1].gradient.sum()) == pytest.approx(1.0, abs=1e-5)
    # a setting the table does not hold (another depth, seed or number of samples) is computed
    for args, kwargs in [((8, 3, "random", "relu"), {}), ((MAX_DEPTH, 3, "random", "relu"), {"seed": 1}),
                         ((MAX_DEPTH, 3, "random", "relu"), {"samples": 16})]:
        with pytest.raises(AssertionError, match="computed"):
            erf.erf_by_depth(*args, **kwargs)


@pytest.mark.parametrize("change", ["RELU_SAMPLES", "DEFAULT_SAMPLES", "MARGIN", "TABLE_FORMAT", "learned kernel",
                                    "no table"])
def test_a_stale_or_missing_table_is_not_used(change, monkeypatch, tmp_path):
    setting = (2, "learned", "relu") if change == "learned kernel" else (3, "random", "relu")
    key = key_of(setting)
    assert _tabulated(key) is not None
    if change == "learned kernel":
        monkeypatch.setattr(erf, "_learned", lambda: torch.tensor([[1.0, -1.0]], dtype=torch.float64))
    elif change == "no table":
        monkeypatch.setattr(erf, "TABLE_PATH", tmp_path / "effective_rf_table.npz")
    else:
        monkeypatch.setattr(erf, change, getattr(erf, change) + 1)
    assert _tabulated(key) is None
    calls = []
    compute = erf._compute
    monkeypatch.setattr(erf, "_compute", lambda *args: calls.append(args) or compute(*args))
    fields = erf.erf_by_depth(MAX_DEPTH, *setting)
    assert len(calls) == 1 and len(fields) == MAX_DEPTH
    if change == "RELU_SAMPLES":
        assert calls[0][0].count == erf.RELU_SAMPLES == 129  # the default number of samples follows the constant


def test_check_tells_a_stale_table_from_an_up_to_date_one(computed, tmp_path, monkeypatch, capsys):
    arrays = make_erf_table.table_arrays((key_of(setting), fields) for setting, fields in computed.items())
    monkeypatch.setattr(make_erf_table, "table_arrays", lambda: arrays)  # what a fresh computation gives
    assert make_erf_table.problems(erf.TABLE_PATH) == []
    assert make_erf_table.main(["--check"]) == 0
    name = _table_name(key_of((5, "random", "relu")))
    stale = {
        "a gradient off by 1 %": {**arrays, f"{name}.gradient": arrays[f"{name}.gradient"] * np.float32(1.01)},
        "a σ off by 0.1 %": {**arrays, f"{name}.stats": arrays[f"{name}.stats"] * 1.001},
        "a setting missing": {item: array for item, array in arrays.items() if not item.startswith(name)},
        "a setting too many": {**arrays, **{item.replace("_s0.", "_s1."): array for item, array in arrays.items()
                                            if item.startswith(name)}},
        "another header": {**arrays, "header": np.array(str(arrays["header"]).replace('"MARGIN": 2',
                                                                                       '"MARGIN": 3'))},
    }
    for what, content in stale.items():
        path = tmp_path / f"{what}.npz"
        make_erf_table.write(path, content)
        assert make_erf_table.problems(path), what
        capsys.readouterr()
        assert make_erf_table.main(["--check", "--table", str(path)]) == 1, what
        assert "run: python tools/make_erf_table.py" in capsys.readouterr().err
    assert make_erf_table.problems(tmp_path / "nowhere.npz") == [f"{tmp_path / 'nowhere.npz'} does not exist"]


def test_the_table_is_written_deterministically(tmp_path):
    arrays = {"header": np.array('{"format": 1}'), "a.gradient": np.arange(5, dtype=np.float32),
              "a.stats": np.ones((2, 4))}
    make_erf_table.write(tmp_path / "one.npz", arrays)
    shutil.copy(tmp_path / "one.npz", tmp_path / "copy.npz")
    make_erf_table.write(tmp_path / "two.npz", dict(reversed(arrays.items())))
    make_erf_table.write(tmp_path / "three.npz", arrays)
    assert (tmp_path / "three.npz").read_bytes() == (tmp_path / "one.npz").read_bytes()
    assert (tmp_path / "two.npz").read_bytes() != (tmp_path / "one.npz").read_bytes()  # the order is kept
    with zipfile.ZipFile(tmp_path / "one.npz") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    with np.load(tmp_path / "one.npz", allow_pickle=False) as table:
        assert table.files == list(arrays)
        for name, array in arrays.items():
            assert np.array_equal(table[name], array) and table[name].dtype == array.dtype
