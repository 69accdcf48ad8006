"""Influential training examples: TracIn from training checkpoints, and flagging flips.

TracIn (Pruthi, Liu, Kale and Sundararajan, NeurIPS 2020) traces how much each training
example moved the loss of a test example during training. With plain SGD a step on
training example ``z`` changes the loss of ``z'`` by about ``lr * g(z) . g(z')`` (``g``:
the gradient of the loss with respect to the weights); summed over checkpoints saved
during training (*TracInCP*),

``influence(z, z') = sum_k lr_k * g_k(z) . g_k(z')``.

Positive scores mark *proponents* (training examples that lowered the test loss),
negative ones *opponents*; ``influence(z, z)`` is the *self-influence*, large for
examples the network had trouble fitting, such as mislabelled ones.

* :func:`per_example_grads` -- the gradient of each example's own loss with respect to
  chosen parameters, one row per example (``torch.func``);
* :func:`tracin` and :func:`self_influence` -- TracInCP over a list of checkpoints,
  streamed in batches so that the gradients of all parameters never sit in memory;
* :func:`detection_curve`, :func:`recall_at`, :func:`random_recall_interval`,
  :func:`paired_bootstrap_recall` -- how well a score finds known targets (e.g.
  deliberately flipped labels) when examples are inspected from the highest score down;
* :func:`plot_detection_curves` -- those curves against random inspection.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from scipy.stats import hypergeom
from torch import nn
from torch.func import functional_call, grad, vmap

__all__ = [
    "detection_curve",
    "paired_bootstrap_recall",
    "per_example_grads",
    "plot_detection_curves",
    "random_recall_interval",
    "recall_at",
    "self_influence",
    "tracin",
]


def _param_names(module: nn.Module, params) -> list[str]:
    names = [n for n, p in module.named_parameters()]
    if params is None:
        return [n for n, p in module.named_parameters() if p.requires_grad]
    params = [params] if isinstance(params, str) else list(params)
    chosen = []
    for (
        name
    ) in params:  # a parameter's name, or a submodule's name for all its parameters
        found = [n for n in names if n == name or n.startswith(f"{name}.")]
        if not found:
            raise ValueError(
                f"params must name parameters or submodules of the module; got {name!r}"
            )
        chosen += [n for n in found if n not in chosen]
    return chosen


def per_example_grads(
    module: nn.Module,
    inputs: torch.Tensor,
    targets: torch.Tensor,
    *,
    params: str | Sequence[str] | None = None,
    loss_fn: Callable = F.cross_entropy,
    batch_size: int | None = None,
) -> torch.Tensor:
    """Return the gradient of each example's own loss, one flattened row per example.

    Parameters
    ----------
    module : torch.nn.Module
        The network (or only its last layer, fed that layer's inputs: the cheap way to
        get last-layer gradients). Use it in eval mode.
    inputs : Tensor of shape (n, ...)
        The examples, as ``module`` reads them.
    targets : Tensor of shape (n,)
        Their labels (the loss is taken at these).
    params : str or sequence of str, optional
        Names of parameters (``"fc2.weight"``) or submodules (``"fc2"``: all of its
        parameters) to differentiate; default all parameters that require grad.
    loss_fn : callable
        ``loss_fn(output, target)`` for a batch of one; default cross-entropy.
    batch_size : int, optional
        Examples per vectorized batch (memory: ``batch_size`` times the parameters);
        default as many as keep one batch's gradients near 16 million numbers.

    Returns
    -------
    Tensor of shape (n, n_params)
        Row ``i`` is the gradient of ``loss_fn(module(inputs[i]), targets[i])``, the
        chosen parameters flattened and concatenated in ``named_parameters`` order.

    Examples
    --------
    >>> layer = torch.nn.Linear(3, 2)
    >>> per_example_grads(layer, torch.ones(4, 3), torch.tensor([0, 1, 0, 1])).shape
    torch.Size([4, 8])
    """
    if len(inputs) != len(targets):
        raise ValueError(
            f"inputs and targets must have the same length; got {len(inputs)} and {len(targets)}"
        )
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(
            f"batch_size must be None or a positive int; got {batch_size!r}"
        )
    names = _param_names(module, params)
    chosen = {n: p.detach() for n, p in module.named_parameters() if n in names}
    if batch_size is None:  # few large batches: each vmap call has a fixed cost
        batch_size = max(1, 2**24 // sum(p.numel() for p in chosen.values()))

    def loss(weights, x, t):
        return loss_fn(
            functional_call(module, weights, (x.unsqueeze(0),)), t.unsqueeze(0)
        )

    per_example = vmap(grad(loss), in_dims=(None, 0, 0))
    rows = []
    with torch.no_grad():  # the parameters left out stay constants; grad() ignores this
        for start in range(0, len(inputs), batch_size):
            g = per_example(
                chosen,
                inputs[start : start + batch_size],
                targets[start : start + batch_size],
            )
            rows.append(torch.cat([g[n].reshape(len(g[n]), -1) for n in names], dim=1))
    return (
        torch.cat(rows)
        if rows
        else torch.zeros(0, sum(chosen[n].numel() for n in names))
    )


def _learning_rates(lr, n: int) -> list[float]:
    rates = [float(lr)] * n if np.ndim(lr) == 0 else [float(r) for r in lr]
    if len(rates) != n:
        raise ValueError(
            f"lr must be a number or one per checkpoint ({n}); got {len(rates)}"
        )
    return rates


def _check_checkpoints(checkpoints) -> list:
    checkpoints = list(checkpoints)
    if not checkpoints or not all(isinstance(s, Mapping) for s in checkpoints):
        raise ValueError("checkpoints must be a non-empty list of state_dicts")
    return checkpoints


def tracin(
    model: nn.Module,
    checkpoints: Sequence[Mapping],
    train: tuple[torch.Tensor, torch.Tensor],
    test: tuple[torch.Tensor, torch.Tensor],
    *,
    lr: float | Sequence[float],
    params: str | Sequence[str] | None = None,
    normalize: bool = False,
    batch_size: int = 256,
) -> np.ndarray:
    """TracInCP: the influence of every training example on every test example.

    ``influence[i, j] = sum_k lr_k * g_k(train_i) . g_k(test_j)``, with ``g_k`` the
    gradient of the example's own loss at checkpoint ``k`` (:func:`per_example_grads`).

    Parameters
    ----------
    model : torch.nn.Module
        The network; it is copied, never changed.
    checkpoints : sequence of state_dict
        Weights saved during training (e.g. ``TrainedModel.checkpoints``).
    train, test : (inputs, labels)
        The examples; test labels are those whose loss is traced (the true ones, or the
        model's predictions to explain a prediction).
    lr : float or sequence of float
        The learning rate in force at each checkpoint.
    params : str or sequence of str, optional
        Parameters or submodules whose gradients count (default all).
    normalize : bool
        Divide each checkpoint's dot product by both gradients' norms (a cosine), so that
        examples with large gradients stop dominating every ranking.
    batch_size : int
        Training examples per batch.

    Returns
    -------
    ndarray of shape (n_train, n_test), float64
        Positive: proponent; negative: opponent.
    """
    checkpoints = _check_checkpoints(checkpoints)
    rates = _learning_rates(lr, len(checkpoints))
    net = copy.deepcopy(model).eval()
    (X, y), (X_test, y_test) = train, test
    scores = np.zeros((len(X), len(X_test)))
    for state, rate in zip(checkpoints, rates):
        net.load_state_dict(state)
        g_test = per_example_grads(net, X_test, y_test, params=params).double()
        if normalize:
            g_test = g_test / g_test.norm(dim=1, keepdim=True).clamp_min(1e-30)
        for start in range(0, len(X), batch_size):
            part = slice(start, start + batch_size)
            g = per_example_grads(net, X[part], y[part], params=params).double()
            if normalize:
                g = g / g.norm(dim=1, keepdim=True).clamp_min(1e-30)
            scores[part] += rate * (g @ g_test.T).numpy()
    return scores


def self_influence(
    model: nn.Module,
    checkpoints: Sequence[Mapping],
    train: tuple[torch.Tensor, torch.Tensor],
    *,
    lr: float | Sequence[float],
    params: str | Sequence[str] | None = None,
    per_checkpoint: bool = False,
    batch_size: int = 256,
) -> np.ndarray:
    """TracInCP self-influence: ``sum_k lr_k * ||g_k(z)||^2`` for every training example.

    Large for examples the network kept pulling at: mislabelled, rare or hard ones.

    Parameters
    ----------
    model, checkpoints, train, lr, params, batch_size
        As for :func:`tracin`.
    per_checkpoint : bool
        Return each checkpoint's term instead of their sum.

    Returns
    -------
    ndarray of shape (n,), or (n_checkpoints, n) with ``per_checkpoint``, float64
    """
    checkpoints = _check_checkpoints(checkpoints)
    rates = _learning_rates(lr, len(checkpoints))
    net = copy.deepcopy(model).eval()
    X, y = train
    terms = np.zeros((len(checkpoints), len(X)))
    for k, (state, rate) in enumerate(zip(checkpoints, rates)):
        net.load_state_dict(state)
        for start in range(0, len(X), batch_size):
            part = slice(start, start + batch_size)
            g = per_example_grads(net, X[part], y[part], params=params).double()
            terms[k, part] = rate * (g * g).sum(1).numpy()
    return terms if per_checkpoint else terms.sum(0)


def _as_targets(scores, is_target) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores, dtype=float)
    is_target = np.asarray(is_target)
    if scores.ndim != 1 or is_target.shape != scores.shape:
        raise ValueError(
            f"scores and is_target must be 1-D of one length; got shapes {scores.shape} and {is_target.shape}"
        )
    if is_target.dtype != bool:
        raise ValueError(
            f"is_target must be a boolean mask; got dtype {is_target.dtype}"
        )
    if not is_target.any():
        raise ValueError("is_target marks no example: recall is undefined")
    return scores, is_target


def detection_curve(scores, is_target) -> tuple[np.ndarray, np.ndarray]:
    """Recall of the targets as examples are inspected from the highest score down.

    Parameters
    ----------
    scores : array of shape (n,)
        Higher means "inspect first" (e.g. self-influence, or the loss).
    is_target : bool array of shape (n,)
        The examples to find (e.g. flipped labels).

    Returns
    -------
    share : ndarray of shape (n + 1,)
        Share of the examples inspected, ``0, 1/n, ..., 1``.
    recall : ndarray of shape (n + 1,)
        Share of the targets among them. Ties are broken by position.
    """
    scores, is_target = _as_targets(scores, is_target)
    found = np.cumsum(is_target[np.argsort(-scores, kind="stable")])
    n = len(scores)
    return np.arange(n + 1) / n, np.r_[0, found] / is_target.sum()


def recall_at(scores, is_target, share: float) -> float:
    """Recall of the targets among the ``round(share * n)`` highest scores.

    Parameters
    ----------
    scores : array of shape (n,)
        Higher means "inspect first".
    is_target : bool array of shape (n,)
        The examples to find.
    share : float
        Share of the examples inspected, in [0, 1].

    Returns
    -------
    float
        Share of the targets found (ties broken by position).
    """
    if not 0 <= share <= 1:
        raise ValueError(f"share must be in [0, 1]; got {share!r}")
    scores, is_target = _as_targets(scores, is_target)
    k = round(share * len(scores))
    return float(
        is_target[np.argsort(-scores, kind="stable")[:k]].sum() / is_target.sum()
    )


def random_recall_interval(
    n: int, n_target: int, share, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Central interval of the recall when ``round(share * n)`` examples are drawn at random.

    The number of targets among them is hypergeometric; its expected recall is
    ``share`` itself.

    Parameters
    ----------
    n : int
        Number of examples.
    n_target : int
        Number of targets among them.
    share : float or array of float
        Share of the examples drawn.
    level : float
        Coverage of the interval.

    Returns
    -------
    low, high : ndarray
        The ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the recall, one per
        share.
    """
    if not 0 < n_target <= n:
        raise ValueError(f"n_target must be in [1, n={n}]; got {n_target!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1); got {level!r}")
    k = np.round(np.asarray(share, dtype=float) * n).astype(int)
    draw = hypergeom(n, n_target, k)
    return draw.ppf((1 - level) / 2) / n_target, draw.ppf((1 + level) / 2) / n_target


def paired_bootstrap_recall(
    scores_a, scores_b, is_target, share: float, *, n_boot: int = 1000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Recall at ``share`` of two scores on the same bootstrap resamples of the examples.

    Each resample draws ``n`` examples with replacement; both scores inspect its top
    ``round(share * n)`` (ties at the cut are broken arbitrarily). The difference
    ``a - b`` resample by resample gives a paired interval for "does score a find more
    targets than score b".

    Parameters
    ----------
    scores_a, scores_b : array of shape (n,)
        Two rankings of the same examples (higher: inspect first).
    is_target : bool array of shape (n,)
        The examples to find.
    share : float
        Share of the examples inspected.
    n_boot : int
        Number of resamples.
    seed : int
        Seeds the resampling.

    Returns
    -------
    recall_a, recall_b : ndarray of shape (n_boot,)
    """
    scores_a, is_target = _as_targets(scores_a, is_target)
    scores_b, _ = _as_targets(scores_b, is_target)
    n = len(is_target)
    k = round(share * n)
    rows = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    hits = is_target[rows]
    recalls = []
    for scores in (scores_a, scores_b):
        if k == 0:
            recalls.append(np.zeros(n_boot))
            continue
        top = np.argpartition(-scores[rows], k - 1, axis=1)[:, :k]  # ties: either
        recalls.append(
            np.take_along_axis(hits, top, axis=1).sum(1) / np.maximum(hits.sum(1), 1)
        )
    return recalls[0], recalls[1]


def plot_detection_curves(
    curves: Mapping[str, np.ndarray],
    is_target,
    *,
    ax=None,
    colors: Mapping[str, str] | None = None,
    level: float = 0.95,
):
    """Draw recall against the share inspected for each score, against random inspection.

    Parameters
    ----------
    curves : mapping of name -> scores
        Each score ranks the same examples (higher: inspect first).
    is_target : bool array
        The examples to find.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when absent.
    colors : mapping of name -> colour, optional
    level : float
        Coverage of the random-inspection band.

    Returns
    -------
    matplotlib Axes
        One line per score, then the perfect ranking (dotted) and random inspection
        (dashed, with its band as the only collection).
    """
    import matplotlib.pyplot as plt

    if not curves:
        raise ValueError("curves must map at least one name to scores")
    is_target = np.asarray(is_target)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4.5))
    colors = dict(colors or {})
    for i, (name, scores) in enumerate(curves.items()):
        share, recall = detection_curve(scores, is_target)
        ax.plot(share, recall, color=colors.get(name, f"C{i}"), label=name)
    n, n_target = len(is_target), int(is_target.sum())
    grid = np.linspace(0, 1, 201)
    ax.plot(
        grid,
        np.minimum(grid * n / n_target, 1),
        ":",
        color="C7",
        label="perfect ranking",
    )
    low, high = random_recall_interval(n, n_target, grid, level)
    ax.plot(grid, grid, "--", color="C7", label=f"random inspection ({level:.0%} band)")
    ax.fill_between(grid, low, high, color="C7", alpha=0.25, linewidth=0)
    ax.set(
        xlabel="share of the training set inspected",
        ylabel="recall of the targets",
        xlim=(0, 1),
        ylim=(0, 1.02),
    )
    ax.legend(loc="lower right")
    return ax
