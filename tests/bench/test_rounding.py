"""Other rounding: the switched CPU kernels really change float32 results, and the
tolerance derived from the arithmetic separates rounding from a real difference."""

from __future__ import annotations

import os

import numpy as np
import pytest

from mlviz._torch import build_threads
from mlviz.bench.rounding import native_kernels, other_rounding_env, probe_sums
from mlviz.report import rounding_tolerance


def test_other_rounding_env_changes_the_last_bits_of_float32_results():
    native = probe_sums(dict(os.environ, MLVIZ_TORCH_THREADS="1"))
    other = probe_sums(other_rounding_env())
    assert native["capability"] == native_kernels()
    assert other["capability"] != native["capability"], "torch ignored ATEN_CPU_CAPABILITY"
    assert (native["threads"], other["threads"]) == (1, 2)
    # the kernels a network's forward pass uses: matrix products and convolutions
    assert native["torch_matmul"] != other["torch_matmul"]
    assert native["torch_conv"] != other["torch_conv"]
    assert native["numpy_matmul"] != other["numpy_matmul"]


def test_other_rounding_env_keeps_the_rest_of_the_environment():
    env = other_rounding_env({"PATH": "/bin", "MLVIZ_QUICK": "1"})
    assert env["PATH"] == "/bin" and env["MLVIZ_QUICK"] == "1"
    assert env["MLVIZ_TORCH_THREADS"] == "2"
    assert set(other_rounding_env({})) == set(env) - {"PATH", "MLVIZ_QUICK"}
    assert other_rounding_env({"OMP_WAIT_POLICY": "ACTIVE"})["OMP_WAIT_POLICY"] == "ACTIVE"


@pytest.mark.slow
def test_quick_site_was_built_under_other_kernels(quick_site):
    _, log = quick_site
    lower = other_rounding_env({})["ATEN_CPU_CAPABILITY"].upper()
    assert f"torch runs the examples on {lower} kernels, 2 thread(s)" in log


def test_rounding_tolerance_covers_float32_against_float64_sums():
    rng = np.random.default_rng(0)
    for n in (10, 1280, 100_000):
        terms = rng.standard_normal(n).astype(np.float32) * 3
        exact = terms.astype(np.float64).sum()
        single = np.float32(0)
        for chunk in np.array_split(terms, 7):  # another order of additions
            single = np.float32(single + chunk.sum(dtype=np.float32))
        tolerance = rounding_tolerance("float32", np.abs(terms).sum(dtype=np.float64), n)
        assert abs(float(single) - exact) <= tolerance
        if n <= 1280:  # a logit's size: a real difference (the largest term left out) is far outside
            assert np.abs(terms).max() > 10 * tolerance


def test_rounding_tolerance_scales_with_dtype_and_terms():
    assert rounding_tolerance("float32", 1.0) == pytest.approx(10 * np.finfo(np.float32).eps)
    assert rounding_tolerance(np.float64, 2.0, 100) == pytest.approx(200 * np.finfo(np.float64).eps)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"n_terms": 0}, "n_terms must be a positive count"), ({"scale": -1.0}, "scale must be"), ({"scale": np.nan}, "scale must be")],
)
def test_rounding_tolerance_rejects_bad_arguments(kwargs, message):
    arguments = {"dtype": "float32", "scale": 1.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        rounding_tolerance(**arguments)


def test_build_threads_reads_the_environment(monkeypatch):
    monkeypatch.delenv("MLVIZ_TORCH_THREADS", raising=False)
    assert build_threads() == 1
    monkeypatch.setenv("MLVIZ_TORCH_THREADS", "3")
    assert build_threads() == 3
    for bad in ("0", "two"):
        monkeypatch.setenv("MLVIZ_TORCH_THREADS", bad)
        with pytest.raises(ValueError, match=f"MLVIZ_TORCH_THREADS must be a positive whole number; got '{bad}'"):
            build_threads()


def test_openblas_steps_one_kernel_family_below_the_one_it_picked():
    from mlviz.bench.rounding import _lower_openblas

    assert _lower_openblas("SkylakeX") == "Haswell"
    assert _lower_openblas("Haswell") == _lower_openblas("Zen") == "Sandybridge"
    assert _lower_openblas("SapphireRapids") == "Haswell"
    assert _lower_openblas("Prescott") == "Nehalem" and _lower_openblas(None) == "Sandybridge"
