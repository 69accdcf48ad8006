"""Small torch utilities shared by the models, attribution and landscape code."""

from __future__ import annotations

import os
from contextlib import contextmanager

import torch

__all__ = ["build_threads", "one_thread"]


def build_threads() -> int:
    """The gallery build's torch thread count: ``MLVIZ_TORCH_THREADS``, or 1.

    Pages set no thread count (a reader's machine should run at full speed); the build
    and the tests do, through this function.
    """
    value = os.environ.get("MLVIZ_TORCH_THREADS", "1")
    try:
        threads = int(value)
    except ValueError:
        threads = 0
    if threads < 1:
        raise ValueError(f"MLVIZ_TORCH_THREADS must be a positive whole number; got {value!r}")
    return threads


@contextmanager
def one_thread():
    """Run torch on the build's thread count inside the block, then restore the setting.

    One thread unless ``MLVIZ_TORCH_THREADS`` says otherwise: on the shared 2-core build
    machine, two OpenMP threads competing with other processes made an epoch about 20
    times slower (busy-waiting), not faster. The rounding check sets it to 2, so that
    the helpers' reductions split differently too.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(build_threads())
    try:
        yield
    finally:
        torch.set_num_threads(previous)
