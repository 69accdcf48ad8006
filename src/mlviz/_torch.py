"""Small torch utilities shared by the models, attribution and landscape code."""

from __future__ import annotations

from contextlib import contextmanager

import torch

__all__ = ["one_thread"]


@contextmanager
def one_thread():
    """Run torch on one CPU thread inside the block, then restore the previous setting.

    On the shared 2-core build machine, two OpenMP threads competing with other processes
    made an epoch about 20 times slower (busy-waiting), not faster.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
