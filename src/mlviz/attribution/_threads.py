"""Run torch on one thread: on a shared machine two threads were 20x slower than one."""

from contextlib import contextmanager

import torch


@contextmanager
def one_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
