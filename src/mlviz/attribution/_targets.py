"""What to explain: tiny callables that pick one score out of a model's output."""

from __future__ import annotations

import torch

__all__ = ["ClassifierOutputSoftmaxTarget", "ClassifierOutputTarget", "resolve_targets"]


class ClassifierOutputTarget:
    """The logit of one class.

    Parameters
    ----------
    category : int
        Index of the class whose score is explained.

    Examples
    --------
    >>> ClassifierOutputTarget(3)(torch.arange(10.0))
    tensor(3.)
    """

    def __init__(self, category: int):
        self.category = int(category)

    def __call__(self, model_output: torch.Tensor) -> torch.Tensor:
        if model_output.ndim == 1:
            return model_output[self.category]
        return model_output[:, self.category]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.category})"


class ClassifierOutputSoftmaxTarget(ClassifierOutputTarget):
    """The softmax probability of one class (bounded, so it saturates where logits do not)."""

    def __call__(self, model_output: torch.Tensor) -> torch.Tensor:
        return super().__call__(torch.softmax(model_output, dim=-1))


def resolve_targets(targets, output: torch.Tensor) -> list:
    """Return one target per sample: the predicted class when ``targets`` is None."""
    n = output.shape[0]
    if targets is None:
        return [ClassifierOutputTarget(c) for c in output.argmax(dim=1).tolist()]
    if callable(targets):
        return [targets] * n
    targets = [ClassifierOutputTarget(t) if isinstance(t, int) else t for t in targets]
    if len(targets) != n:
        raise ValueError(f"targets must be None, one callable or one target per image ({n}); got {len(targets)}")
    return targets


def target_scores(targets, output: torch.Tensor) -> torch.Tensor:
    """Return the 1-D tensor of the explained scores, one per sample."""
    return torch.stack([target(row) for target, row in zip(targets, output)])
