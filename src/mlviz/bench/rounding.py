"""Run code with other CPU kernels, so that floating-point rounding differs as it would
on another processor.

A page's claims must hold on any machine, not only on the one where they were written.
Processors differ in vector width (AVX-512, AVX2, SSE), and the libraries pick their
kernels by it: torch's ATen (``ATEN_CPU_CAPABILITY``), oneDNN's convolutions
(``ONEDNN_MAX_CPU_ISA``), MKL (``MKL_ENABLE_INSTRUCTIONS``, ``MKL_CBWR``), numpy's own loops
(``NPY_DISABLE_CPU_FEATURES``) and OpenBLAS (``OPENBLAS_CORETYPE``). Another kernel
adds the same numbers in another order, so the last bits of a float32 sum change. The
environment returned by :func:`other_rounding_env` steps each library one level below
what it picks here, and runs torch on another number of threads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

__all__ = ["build_site", "native_kernels", "other_rounding_env", "probe_sums", "run_page"]

#: One level below each torch capability (torch's names, as ATEN_CPU_CAPABILITY takes them).
_LOWER_ATEN = {"AVX512": "avx2", "AVX2": "default", "ZVECTOR": "default", "SVE256": "default", "DEFAULT": "default"}

# What the probe computes: sums whose last bits depend on the order of the additions.
_PROBE = r"""
import json, numpy as np, torch
rng = np.random.default_rng(0)
x = rng.standard_normal((64, 4099)).astype(np.float32)
w = rng.standard_normal((4099, 33)).astype(np.float32)
t = torch.from_numpy(x)
conv = torch.nn.functional.conv2d(torch.from_numpy(x[:3, :4096].reshape(1, 3, 64, 64)),
                                  torch.from_numpy(w[:27, :16].T.reshape(16, 3, 3, 3).copy()))
print(json.dumps({
    "capability": torch.backends.cpu.get_cpu_capability(),
    "threads": torch.get_num_threads(),
    "torch_sum": t.sum(1).numpy().tobytes().hex(),
    "torch_matmul": (t @ torch.from_numpy(w)).numpy().tobytes().hex(),
    "torch_conv": conv.detach().numpy().tobytes().hex(),
    "numpy_sum": x.sum(1).tobytes().hex(),
    "numpy_matmul": (x @ w).tobytes().hex(),
}))
"""


def native_kernels() -> str:
    """The ATen kernel level torch picks on this processor (``"AVX512"``, ``"AVX2"``, ...)."""
    import torch

    return torch.backends.cpu.get_cpu_capability()


def other_rounding_env(base: dict | None = None, *, threads: int = 2) -> dict:
    """A copy of ``base`` (default: ``os.environ``) that makes the CPU kernels differ.

    Parameters
    ----------
    base : dict, optional
        The environment to start from.
    threads : int, default 2
        Threads for torch's intra-op parallelism (``MLVIZ_TORCH_THREADS``, read by the
        gallery build): the build's own setting is 1, so 2 splits every reduction.

    Returns
    -------
    dict
        The environment, for ``subprocess.run(..., env=...)``.
    """
    env = dict(os.environ if base is None else base)
    lower = _LOWER_ATEN.get(native_kernels().upper(), "default")
    env["ATEN_CPU_CAPABILITY"] = lower
    env["ONEDNN_MAX_CPU_ISA"] = "AVX2" if lower == "avx2" else "SSE41"
    env["MKL_ENABLE_INSTRUCTIONS"] = "AVX2" if lower == "avx2" else "SSE4_2"
    # On AMD processors MKL already runs its AVX2 code, so the line above changes nothing
    # there (measured on an AMD EPYC: torch's matmul and convolution kept every bit). Its
    # conditional-reproducibility mode takes other code paths with other blocking, so
    # the sums round differently on every x86 processor (matmul about 1.7 times slower).
    env["MKL_CBWR"] = "COMPATIBLE"
    # numpy's dispatch: leave out the AVX-512 groups (names of numpy >= 2.4 and older)
    env["NPY_DISABLE_CPU_FEATURES"] = " ".join(
        f for f in _numpy_features() if f.startswith(("AVX512", "X86_V4"))
        or (lower == "default" and f in {"AVX2", "FMA3", "X86_V3"})
    )
    # OpenBLAS picks its kernels on its own (an AMD EPYC with AVX-512 got Haswell's):
    # one level below the kernels it picked here
    env["OPENBLAS_CORETYPE"] = _lower_openblas(_native_openblas())
    env["MLVIZ_TORCH_THREADS"] = str(threads)
    # Idle OpenMP threads sleep instead of spinning: on a busy 2-core machine two
    # spinning threads made a page 50 times slower. It changes no arithmetic.
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return env


#: OpenBLAS's x86 kernel families, oldest first (``OPENBLAS_CORETYPE`` names).
_OPENBLAS_LEVELS = ("Prescott", "Nehalem", "Sandybridge", "Haswell", "SkylakeX")
#: Kernel families OpenBLAS reports that share another family's level.
_OPENBLAS_ALIASES = {
    "Zen": "Haswell",
    "Cooperlake": "SkylakeX",
    "SapphireRapids": "SkylakeX",
    "Core2": "Prescott",
    "Penryn": "Prescott",
    "Dunnington": "Prescott",
}


def _native_openblas() -> str | None:
    """The kernel family numpy's OpenBLAS picked on this processor (None without OpenBLAS)."""
    import numpy  # noqa: F401  (loads numpy's BLAS, so that threadpoolctl sees it)
    from threadpoolctl import threadpool_info

    for library in threadpool_info():
        if library.get("internal_api") == "openblas":
            return library.get("architecture")
    return None


def _lower_openblas(native: str | None) -> str:
    """One kernel family below ``native``: its sums take another order (and no FMA below Haswell)."""
    level = _OPENBLAS_ALIASES.get(native, native)
    if level not in _OPENBLAS_LEVELS:
        return "Sandybridge"  # an unknown family: AVX without FMA rounds differently from any newer one
    index = _OPENBLAS_LEVELS.index(level)
    return _OPENBLAS_LEVELS[index - 1] if index > 0 else "Nehalem"


def _numpy_features() -> list[str]:
    """The CPU features numpy's dispatch found on this processor."""
    from numpy._core._multiarray_umath import __cpu_features__

    return sorted(name for name, present in __cpu_features__.items() if present)


def probe_sums(env: dict | None = None) -> dict:
    """Run a few order-dependent float32 sums in a fresh interpreter with ``env``.

    Returns the kernel level, thread count and each result's bytes (hex), so that two
    environments can be compared bit for bit.
    """
    env = dict(os.environ if env is None else env)
    threads = env.get("MLVIZ_TORCH_THREADS")
    code = _PROBE if threads is None else f"import torch; torch.set_num_threads({int(threads)})\n" + _PROBE
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_page(path, *, quick: bool = True, env: dict | None = None, timeout: float = 1800) -> subprocess.CompletedProcess:
    """Run one gallery page as a script in a fresh interpreter under other rounding.

    The page runs as the build runs it (``MLVIZ_GALLERY_BUILD=1``, torch on
    ``MLVIZ_TORCH_THREADS`` threads), in quick mode unless ``quick=False``.
    """
    env = other_rounding_env(env)
    env["MLVIZ_QUICK"] = "1" if quick else "0"
    env["MLVIZ_GALLERY_BUILD"] = "1"
    env.setdefault("MPLBACKEND", "agg")
    code = (
        "import os, runpy, torch\n"
        "torch.set_num_threads(int(os.environ['MLVIZ_TORCH_THREADS']))\n"
        f"runpy.run_path({str(path)!r}, run_name='__main__')\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=timeout)


def build_site(project, site, *, quick: bool = False, examples: str | None = None, env: dict | None = None) -> dict:
    """Build the gallery of ``project`` into ``site`` under other rounding.

    Every example runs (``mkdocs build --strict``), in full mode unless ``quick``, with
    the kernels of :func:`other_rounding_env`: a claim whose tolerance was tuned to this
    processor fails the build here, naming the page and the sentence.

    Returns
    -------
    dict
        ``ok``, ``seconds``, ``kernels`` (what torch ran on), ``examples`` (the pattern)
        and, on failure, ``error`` (the end of the build log).
    """
    import time
    from pathlib import Path

    env = other_rounding_env(env)
    env.update(MLVIZ_QUICK="1" if quick else "0", PYTHONPATH=str(Path(project) / "src"), NO_MKDOCS_2_WARNING="1")
    env.pop("MLVIZ_EXAMPLES", None)
    if examples:
        env["MLVIZ_EXAMPLES"] = examples
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    log = result.stdout + result.stderr
    kernels = next((line.split("mlviz: ", 1)[1] for line in log.splitlines() if "torch runs the examples on" in line), None)
    report = {
        "ok": result.returncode == 0,
        "seconds": round(time.perf_counter() - start, 1),
        "kernels": kernels,
        "examples": examples or "all",
        "mode": "quick" if quick else "full",
    }
    if result.returncode:
        report["error"] = log[-6000:]
    return report


def main(argv=None) -> int:
    """``python -m mlviz.bench.rounding {page,build,probe}``: pages under other rounding."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m mlviz.bench.rounding", description=main.__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    page = sub.add_parser("page", help="run gallery pages under other CPU kernels; exit 1 if any fails")
    page.add_argument("paths", nargs="+")
    page.add_argument("--full", action="store_true", help="full mode instead of quick mode")
    build = sub.add_parser("build", help="build the site (full mode) in a copy of the project under other CPU kernels")
    build.add_argument("--quick", action="store_true", help="quick mode instead of full mode")
    build.add_argument("--examples", help="only the examples whose path matches this regular expression")
    sub.add_parser("probe", help="show which kernels and thread counts the two environments use")
    args = parser.parse_args(argv)
    if args.command == "build":
        import tempfile
        from pathlib import Path

        from .build import copy_project

        with tempfile.TemporaryDirectory(prefix="mlviz-rounding-") as tmp:
            project = copy_project(Path(tmp) / "project")
            report = build_site(project, project / "site", quick=args.quick, examples=args.examples)
        verdict = "every claim held" if report["ok"] else "FAILED"
        print(f"{report['mode']} build of {report['examples']} under other rounding ({report['kernels']}): "
              f"{verdict} in {report['seconds']:.0f} s")
        if not report["ok"]:
            print(report["error"])
        return 0 if report["ok"] else 1
    if args.command == "probe":
        native = probe_sums(dict(os.environ, MLVIZ_TORCH_THREADS=os.environ.get("MLVIZ_TORCH_THREADS", "1")))
        other = probe_sums(other_rounding_env())
        for key in native:
            same = native[key] == other[key]
            shown = f"{native[key]} -> {other[key]}" if len(str(native[key])) < 20 else ("same bits" if same else "differs")
            print(f"{key:14s} {shown}")
        return 0
    failed = 0
    for path in args.paths:
        result = run_page(path, quick=not args.full)
        status = "ok" if result.returncode == 0 else "FAILED"
        print(f"{status:6s} {path}")
        if result.returncode:
            failed += 1
            print(result.stderr[-3000:])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
