"""Wall time and peak memory of executing every lesson notebook, as a shared hub would see them.

Usage: python benchmarks/bench_notebooks.py [NOTEBOOK ...]   (default: every notebook under notebooks/)
       make bench-notebooks

Each notebook runs top to bottom in a fresh ``python3`` kernel (nbclient, as nbval and JupyterLab's
"Run All" do), from its own folder; the files on disk are not changed.

Time: wall-clock seconds per notebook, kernel start-up included (what a learner waits for on a
"Restart and Run All").

Memory, two measurements of the kernel, the larger one reported as "peak":

- high-water mark ("hwm" column): after the last cell, one extra cell asks the kernel for its own
  peak resident memory, kept by the OS: ``VmHWM`` from ``/proc/self/status`` on Linux (the peak
  of the kernel's address space since it started), elsewhere ``resource.getrusage(RUSAGE_SELF)
  .ru_maxrss``.  Exact, for the kernel process alone.  (Linux's ``ru_maxrss`` is not used there:
  it survives ``exec``, so a kernel forked from a big process -- this script with torch loaded,
  say -- would report that process's size.  For the same reason this script does not import
  conv_lessons.)
- sampled: a thread reads the resident set size (RSS) of the kernel process and all its descendants
  with psutil every 20 ms and keeps the largest sum.  It covers live child processes too, but can
  miss a spike shorter than the interval.

RSS counts shared libraries (torch's are ~300 MB of it) once per process; it is what the Linux
out-of-memory killer and a hub's memory limit (cgroup) count, so it is the right number for "does the
set fit in Binder's 2 GB".  The notebooks run one after another, so the set's peak is the largest
notebook's peak.  Each kernel is left running until all notebooks are done (unless
``--one-at-a-time``), and then the memory of all of them together is measured: a learner who opens
every lesson and never shuts a kernel down.  That figure is the sum of PSS (proportional set size:
each shared page split between the processes sharing it, so torch's libraries count once), which is
close to what a hub's memory limit counts; the sum of RSS, which counts them once per kernel, is
shown beside it.  The JupyterLab server process is not included
(measure it separately: about 100-150 MB).

Goals (issue 6): the whole set ≤ 1 GB peak and ≤ 60 s wall time on a 2-core machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

MIB = 1024 * 1024
GOAL_PEAK_MIB = 1024
GOAL_SECONDS = 60.0
PROBE = """\
import re as _re, resource as _r
_u = _r.getrusage(_r.RUSAGE_SELF)
try:
    _hwm = int(_re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
except (OSError, AttributeError):
    _hwm = _u.ru_maxrss
print("HWM_KIB", _hwm, _u.ru_utime + _u.ru_stime)
"""


def lesson_files(folder: Path) -> list[Path]:
    """conv_lessons.lessons.lesson_files (reading order), loaded from its file: importing the package
    would load torch into this process, which is not the kernel being measured."""
    spec = importlib.util.spec_from_file_location("_conv_lessons_lessons", ROOT / "conv_lessons" / "lessons.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.lesson_files(folder)


@dataclass
class Result:
    path: Path
    seconds: float
    hwm_mib: float | None  # the kernel process's own high-water mark (VmHWM), exact
    cpu_seconds: float | None  # the kernel's CPU time (user + system): less sensitive to a busy machine
    sampled_mib: float  # largest sampled RSS of the kernel's process tree
    error: str | None = None

    @property
    def peak_mib(self) -> float:
        return max(self.sampled_mib, self.hwm_mib or 0.0)


class TreeSampler(threading.Thread):
    """Samples the RSS of the client's kernel and its descendants until stopped; keeps the largest sum."""

    def __init__(self, client: NotebookClient, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.client = client
        self.interval = interval
        self.pid: int | None = None
        self.peak = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        root: psutil.Process | None = None
        while not self._stop_event.is_set():
            if root is None:
                self.pid = kernel_pid(self.client)  # appears once nbclient has started the kernel
                if self.pid is not None:
                    try:
                        root = psutil.Process(self.pid)
                    except psutil.Error:
                        return
            if root is not None:
                total = 0
                try:
                    for proc in [root, *root.children(recursive=True)]:
                        try:
                            total += proc.memory_info().rss
                        except psutil.Error:
                            pass
                except psutil.Error:
                    pass
                self.peak = max(self.peak, total)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)


def kernel_pid(client: NotebookClient) -> int | None:
    manager = getattr(client, "km", None)
    provisioner = getattr(manager, "provisioner", None)
    process = getattr(provisioner, "process", None)
    return getattr(process, "pid", None)


def run_notebook(path: Path, timeout: int = 300, keep: list[NotebookClient] | None = None) -> Result:
    """Execute one notebook in a fresh kernel; returns its wall time and memory.  With ``keep``, the
    kernel is left running and its client appended to ``keep`` (shut it down with :func:`shut_down`)."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(notebook, kernel_name="python3", timeout=timeout,
                            resources={"metadata": {"path": str(path.parent)}})
    sampler = TreeSampler(client)
    error = None
    sampler.start()
    start = time.perf_counter()
    if keep is not None:
        keep.append(client)
    try:
        client.execute(cleanup_kc=keep is None)
    except Exception as exc:  # report it in the table, measure the rest
        message = str(exc).strip().splitlines()
        error = f"{type(exc).__name__}: {message[-1] if message else ''}"
    finally:
        seconds = time.perf_counter() - start
        sampler.stop()
    hwm = cpu = None
    for out in notebook.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if "HWM_KIB" in text:
            fields = text.split()
            hwm = int(fields[1]) * 1024 / MIB  # Linux reports KiB
            cpu = float(fields[2])
    if sampler.pid is None and error is None:
        error = "could not find the kernel's process id (memory not sampled)"
    return Result(path=path, seconds=seconds, hwm_mib=hwm, cpu_seconds=cpu, sampled_mib=sampler.peak / MIB,
                  error=error)


def shut_down(clients: list[NotebookClient]) -> None:
    for client in clients:
        try:
            client._cleanup_kernel()  # nbclient's own shutdown (what it runs at exit)
        except Exception as exc:
            print(f"could not shut a kernel down: {exc}", file=sys.stderr)


def combined_memory(clients: list[NotebookClient]) -> tuple[float, float | None]:
    """Memory of all kernels running at once: (sum of RSS, sum of PSS) in MiB.  PSS ("proportional
    set size", Linux) splits each shared page between the processes that map it, so torch's shared
    libraries are counted once in total, as a hub's memory limit (cgroup) counts them."""
    rss, pss, have_pss = 0, 0, True
    for client in clients:
        pid = kernel_pid(client)
        if pid is None:
            continue
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            continue
        for proc in procs:
            try:
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            rss += info.rss
            if getattr(info, "pss", None) is None:
                have_pss = False
            else:
                pss += info.pss
    return rss / MIB, (pss / MIB if have_pss else None)


def table(results: list[Result], together: tuple[float, float | None] | None = None) -> str:
    width = max([len("notebook"), *(len(_name(r.path)) for r in results)])
    head = f"{'notebook':{width}s} {'wall s':>7s} {'cpu s':>6s} {'peak MiB':>9s} {'hwm':>10s} {'sampled':>8s}"
    lines = [head]
    for r in results:
        maxrss = f"{r.hwm_mib:10.0f}" if r.hwm_mib is not None else f"{'n/a':>10s}"
        cpu = f"{r.cpu_seconds:6.1f}" if r.cpu_seconds is not None else f"{'n/a':>6s}"
        lines.append(f"{_name(r.path):{width}s} {r.seconds:7.1f} {cpu} {r.peak_mib:9.0f} {maxrss} {r.sampled_mib:8.0f}"
                     + (f"  ERROR {r.error}" if r.error else ""))
    total_time = sum(r.seconds for r in results)
    total_cpu = sum(r.cpu_seconds or 0.0 for r in results)
    peak = max((r.peak_mib for r in results), default=0.0)
    lines.append("-" * len(head))
    lines.append(f"{'total (one after another)':{width}s} {total_time:7.1f} {total_cpu:6.1f} {peak:9.0f}")
    if together is not None:
        rss, pss = together
        label = "all kernels open at the end (PSS; RSS sum)"
        figure = pss if pss is not None else rss
        lines.append(f"{label:{width}s} {'':7s} {'':6s} {figure:9.0f}   ({rss:.0f} MiB RSS summed)")
    ok_time = "ok" if total_time <= GOAL_SECONDS else "OVER"
    ok_peak = "ok" if peak <= GOAL_PEAK_MIB else "OVER"
    lines.append(f"goals: wall time {total_time:.1f} s ≤ {GOAL_SECONDS:.0f} s: {ok_time}; "
                 f"peak {peak:.0f} MiB ≤ {GOAL_PEAK_MIB} MiB: {ok_peak}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None:
        lines.append(f"load average now {load:.1f} on {os.cpu_count()} cores"
                     + (" (busy machine: wall times are inflated; cpu s is the steadier figure)"
                        if load > (os.cpu_count() or 1) * 0.75 else ""))
    return "\n".join(lines)


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to run (default: all)")
    parser.add_argument("--one-at-a-time", action="store_true",
                        help="shut each kernel down when its notebook is done (default: keep them all running "
                        "until the end and measure them together, as when a learner opens every lesson)")
    args = parser.parse_args(argv)
    folder = ROOT / "notebooks"
    paths = [p.resolve() for p in args.notebooks] or [folder / rel for rel in lesson_files(folder)]
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    results: list[Result] = []
    kept: list[NotebookClient] | None = None if args.one_at_a_time else []
    together = None
    try:
        for path in paths:
            result = run_notebook(path, keep=kept)
            results.append(result)
            print(f"  {result.seconds:5.1f} s  {result.peak_mib:6.0f} MiB  {_name(path)}", flush=True)
        if kept:
            together = combined_memory(kept)
    finally:
        if kept:
            shut_down(kept)
    print()
    print(table(results, together))
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
