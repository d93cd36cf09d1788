"""Write the effective-RF explorer's precomputed fields: conv_lessons/data/effective_rf_table.npz.

Usage: python tools/make_erf_table.py [--check] [--table PATH]

Lesson 06's explorer shows depths 1–16 of a stack of layers for every kernel size, kind of weights and
nonlinearity it offers (``conv_lessons.figures.effective_rf.explorer_settings``).  Computing one setting
the first time took 40–170 ms (a ReLU stack sends 128 samples back through 136 depthwise layers; and
PyTorch's oneDNN builds its kernels for every new shape), over the 100 ms a learner should wait.  So
the package ships the fields of every explorer setting, and ``erf_by_depth`` reads a setting from this
table (a few kilobytes, ~1 ms) instead of computing it.

This script computes every explorer setting with the package's own computation
(``conv_lessons.effective_rf._compute``: 16 depths, seed 0, the default number of samples) and writes
them into one ``.npz`` (see "the precomputed table" in ``conv_lessons/effective_rf.py``): per setting the
float32 gradient of every depth on its receptive field and the float64 centre and σ, and a header with
the table's format, ``MARGIN``, ``DEFAULT_SAMPLES``, ``RELU_SAMPLES`` and the learned kernel's float32
weights.  The package does not use a table whose header differs from its own constants.  The output is
deterministic: the members are written in a fixed order with a fixed timestamp, so the same numbers
give the same bytes (the computation runs on one thread, with fixed seeds).

Run it after changing anything the numbers depend on: the computation in ``conv_lessons/effective_rf.py``
(raise ``TABLE_FORMAT`` there when the numbers change, so that an old table is ignored), its constants,
the explorer's settings (``conv_lessons/figures/effective_rf.py``) or the learned kernel's training;
``tests/test_effective_rf_table.py`` fails until you do.
``--check`` writes nothing and exits 1, saying why, when the table lacks a setting, holds one the explorer
does not offer, has another header, or differs from a fresh computation by more than float32 rounding
(relative 1e-5 on the gradients, 1e-6 on centres and σ: another CPU may round differently).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import torch

from conv_lessons.effective_rf import (
    TABLE_PATH,
    EffectiveField,
    _compute,
    _Key,
    _setting,
    _table_arrays,
    _table_header,
)
from conv_lessons.figures.effective_rf import MAX_DEPTH, explorer_settings

# Another CPU rounds float32 convolutions differently (another order of summation), and now and then a
# ReLU whose input lies within that rounding of 0 switches the other way in one of the 128 draws: the
# table must still count as up to date there.  Anything that changes the lesson changes far more: σ
# is printed with two decimals (about 1e-3 of it), and a new seed, sample count or margin moves σ by %.
GRADIENT_RTOL, GRADIENT_ATOL = 1e-3, 1e-6  # the gradients sum to 1 over up to 65 × 65 pixels
STATS_RTOL = 1e-4  # centre and σ, in pixels


def table_settings() -> list[tuple[_Key, torch.Tensor | None]]:
    """The settings the table holds: every explorer setting, as ``erf_by_depth`` keys them, each with its
    fixed kernel (None for random weights)."""
    return [_setting(MAX_DEPTH, k, weights, nonlinearity, None, 0) for k, weights, nonlinearity in
            explorer_settings()]


def table_arrays(computed: Iterable[tuple[_Key, Sequence[EffectiveField]]] | None = None) -> dict[str, np.ndarray]:
    """Every member of the table: the header, then two arrays per setting, from ``computed`` (pairs of a
    setting and its fields; default: every explorer setting, computed now)."""
    if computed is None:
        computed = ((key, _compute(key, fixed)) for key, fixed in table_settings())
    arrays = {"header": np.array(json.dumps(_table_header(learned=True), sort_keys=True))}
    for key, fields in computed:
        arrays.update(_table_arrays(key, fields))
    return arrays


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an ``.npz`` (what ``np.load`` reads), deterministically: one deflated ``.npy``
    member per array, in the given order, each dated 1980-01-01."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=False)
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, buffer.getvalue(), compresslevel=9)


def problems(path: Path, fresh: dict[str, np.ndarray] | None = None) -> list[str]:
    """Why the table at ``path`` is not up to date with ``fresh`` (default: :func:`table_arrays`); [] if it is."""
    fresh = table_arrays() if fresh is None else fresh
    if not path.is_file():
        return [f"{path} does not exist"]
    found = []
    with np.load(path, allow_pickle=False) as table:
        missing, extra = sorted(set(fresh) - set(table.files)), sorted(set(table.files) - set(fresh))
        found += [f"lacks {name}" for name in missing] + [f"holds {name}, which is not an explorer setting"
                                                           for name in extra]
        for name in sorted(set(fresh) & set(table.files)):
            stored, expected = table[name], fresh[name]
            if name == "header":
                if json.loads(str(stored)) != json.loads(str(expected)):
                    found.append(f"header {stored} differs from today's {expected}")
            elif stored.shape != expected.shape or stored.dtype != expected.dtype:
                found.append(f"{name}: {stored.dtype}{stored.shape}, computed {expected.dtype}{expected.shape}")
            elif name.endswith(".gradient"):
                if not np.allclose(stored, expected, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL):
                    found.append(f"{name}: differs from a fresh computation by up to "
                                 f"{np.abs(stored - expected).max():.3g}")
            elif not np.allclose(stored, expected, rtol=STATS_RTOL, atol=0):
                found.append(f"{name} (centre, σ): differs from a fresh computation by up to "
                             f"{np.abs(stored - expected).max():.3g} px")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the table is not up to date with the computation")
    parser.add_argument("--table", type=Path, default=TABLE_PATH, help=f"the table (default: {TABLE_PATH})")
    args = parser.parse_args(argv)
    if args.check:
        found = problems(args.table)
        for problem in found:
            print(f"make_erf_table: {args.table.name}: {problem}", file=sys.stderr)
        if found:
            print("  run: python tools/make_erf_table.py", file=sys.stderr)
            return 1
        print(f"{args.table}: every explorer setting ({len(table_settings())}) matches a fresh computation")
        return 0
    arrays = table_arrays()
    write(args.table, arrays)
    print(f"wrote {args.table}: {len(table_settings())} settings, {args.table.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
