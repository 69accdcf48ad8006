"""Prototypes and criticisms: MMD-critic (Kim, Khanna and Koyejo, NeurIPS 2016).

Prototypes are a few examples whose distribution is close to the data's, in the sense
of the maximum mean discrepancy (MMD) under a kernel; criticisms are the examples where
the data's density and the prototypes' differ most (largest absolute *witness*). Both
are chosen greedily from a kernel matrix ``K`` of the data with itself. Everything here
computes arrays; nothing draws.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "median_bandwidth",
    "mmd2",
    "rbf_kernel",
    "select_criticisms",
    "select_prototypes",
    "witness",
]


def _as_2d(X, name):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array (n_samples, n_features); got shape {X.shape}"
        )
    return X


def _check_kernel(K):
    K = np.asarray(K, dtype=np.float64)
    if K.ndim != 2 or K.shape[0] != K.shape[1] or len(K) == 0:
        raise ValueError(
            f"K must be a non-empty square kernel matrix (n, n); got shape {K.shape}"
        )
    return K


def _squared_distances(X, Y):
    d2 = (X**2).sum(1)[:, None] + (Y**2).sum(1)[None, :] - 2.0 * X @ Y.T
    return np.maximum(d2, 0.0)


def median_bandwidth(X) -> float:
    """The median heuristic: the median Euclidean distance between two distinct rows of ``X``.

    Parameters
    ----------
    X : array of shape (n, d), n >= 2

    Returns
    -------
    float
        The bandwidth ``sigma`` for :func:`rbf_kernel`.
    """
    X = _as_2d(X, "X")
    if len(X) < 2:
        raise ValueError(f"X needs at least 2 rows for a distance; got {len(X)}")
    d2 = _squared_distances(X, X)[np.triu_indices(len(X), k=1)]
    sigma = float(np.sqrt(np.median(d2)))
    if sigma <= 0:
        raise ValueError(
            "X has a median distance of 0 (mostly duplicate rows); choose a bandwidth by hand"
        )
    return sigma


def rbf_kernel(X, Y=None, *, bandwidth: float) -> np.ndarray:
    """Gaussian (RBF) kernel ``k(x, y) = exp(-||x - y||^2 / (2 bandwidth^2))``.

    Parameters
    ----------
    X : array of shape (n, d)
    Y : array of shape (m, d), optional
        Defaults to ``X``.
    bandwidth : float
        ``sigma`` > 0, e.g. from :func:`median_bandwidth`.

    Returns
    -------
    ndarray of shape (n, m), float64
    """
    if not np.isfinite(bandwidth) or bandwidth <= 0:
        raise ValueError(f"bandwidth must be a positive number; got {bandwidth!r}")
    X = _as_2d(X, "X")
    Y = X if Y is None else _as_2d(Y, "Y")
    if Y.shape[1] != X.shape[1]:
        raise ValueError(f"Y must have X's {X.shape[1]} features; got {Y.shape[1]}")
    return np.exp(-_squared_distances(X, Y) / (2.0 * bandwidth**2))


def mmd2(K, subset) -> float:
    """Squared MMD between all ``n`` points and the points ``subset`` (biased V-statistic).

    ``MMD^2 = mean_ij k(x_i, x_j) - 2 mean_{i, s} k(x_i, x_s) + mean_{s, t} k(x_s, x_t)``,
    with ``i, j`` over all points and ``s, t`` over the subset.

    Parameters
    ----------
    K : array of shape (n, n)
        Kernel matrix of the points with themselves.
    subset : sequence of int
        Indices of the chosen points (at least one).
    """
    K = _check_kernel(K)
    S = np.asarray(subset, dtype=int)
    if S.ndim != 1 or len(S) == 0:
        raise ValueError(
            f"subset must be a non-empty 1-D sequence of indices; got {subset!r}"
        )
    return float(K.mean() - 2.0 * K[:, S].mean() + K[np.ix_(S, S)].mean())


def select_prototypes(K, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Greedily choose ``m`` prototypes, each one the point that lowers MMD^2 the most.

    With ``S`` the prototypes so far, the point ``c`` added maximizes
    ``J(S + c) = 2 / (n |S'|) sum_{s in S', j} k(x_s, x_j) - 1 / |S'|^2 sum_{s, t in S'} k(x_s, x_t)``
    (``S' = S + c``), which is ``mean(K) - MMD^2(S')``.

    Parameters
    ----------
    K : array of shape (n, n)
    m : int
        Number of prototypes, 1 <= m <= n.

    Returns
    -------
    prototypes : ndarray of shape (m,), int
        Indices, in the order chosen.
    mmd2_path : ndarray of shape (m,)
        MMD^2 between all points and the first ``k`` prototypes, for ``k = 1..m``.
    """
    K = _check_kernel(K)
    n = len(K)
    if not isinstance(m, (int, np.integer)) or not 1 <= m <= n:
        raise ValueError(f"m must be an int in [1, {n}]; got {m!r}")
    colsum, diag, total = K.sum(0), np.diag(K), K.mean()
    chosen: list[int] = []
    path = []
    sum_s = k_ss = 0.0  # sum of colsum over S, sum of K over S x S
    cross = np.zeros(n)  # sum_{s in S} k(x_s, x_c) for every candidate c
    for _ in range(m):
        size = len(chosen) + 1
        gain = (
            2.0 * (sum_s + colsum) / (n * size) - (k_ss + 2.0 * cross + diag) / size**2
        )
        gain[chosen] = -np.inf
        best = int(np.argmax(gain))
        sum_s, k_ss = sum_s + colsum[best], k_ss + 2.0 * cross[best] + diag[best]
        cross += K[best]
        chosen.append(best)
        path.append(total - gain[best])
    return np.array(chosen), np.array(path)


def witness(K_points, K_points_prototypes) -> np.ndarray:
    """The witness function at some points: ``mean_j k(x, x_j) - mean_s k(x, x_s)``.

    Positive where the data are denser than the prototypes (the prototypes miss them),
    negative where the prototypes over-represent.

    Parameters
    ----------
    K_points : array of shape (q, n)
        Kernel between the ``q`` points and all ``n`` data points.
    K_points_prototypes : array of shape (q, m)
        Kernel between the points and the ``m`` prototypes.

    Returns
    -------
    ndarray of shape (q,)
    """
    A, B = (
        np.asarray(K_points, dtype=np.float64),
        np.asarray(K_points_prototypes, dtype=np.float64),
    )
    if A.ndim != 2 or B.ndim != 2 or len(A) != len(B) or B.shape[1] == 0:
        raise ValueError(
            f"K_points (q, n) and K_points_prototypes (q, m >= 1) must have the same rows; got {A.shape} and {B.shape}"
        )
    return A.mean(1) - B.mean(1)


def select_criticisms(
    K, prototypes, m: int, *, regularizer: str | None = "logdet"
) -> np.ndarray:
    """Greedily choose ``m`` criticisms: points of largest ``|witness|``, kept apart.

    Maximizes ``L(C) = sum_{c in C} |witness(x_c)| + log det K[C, C]`` over sets ``C`` that
    avoid the prototypes (Kim et al., 2016); the log-determinant is the diversity term
    (near-duplicate criticisms make ``K[C, C]`` nearly singular). Adding ``c`` to ``C``
    raises the log-determinant by ``log(k(c, c) - K[c, C] K[C, C]^-1 K[C, c])``.
    ``regularizer=None`` drops that term: the ``m`` points of largest ``|witness|``.

    Parameters
    ----------
    K : array of shape (n, n)
    prototypes : sequence of int
        Indices from :func:`select_prototypes`.
    m : int
        Number of criticisms, at most ``n - len(prototypes)``.
    regularizer : {"logdet", None}

    Returns
    -------
    ndarray of shape (m,), int
        Indices, in the order chosen.
    """
    K = _check_kernel(K)
    P = np.asarray(prototypes, dtype=int)
    if regularizer not in ("logdet", None):
        raise ValueError(f"regularizer must be 'logdet' or None; got {regularizer!r}")
    free = len(K) - len(np.unique(P))
    if not isinstance(m, (int, np.integer)) or not 1 <= m <= free:
        raise ValueError(
            f"m must be an int in [1, {free}] (points that are not prototypes); got {m!r}"
        )
    score = np.abs(witness(K, K[:, P]))
    score[P] = -np.inf
    chosen: list[int] = []
    for _ in range(m):
        total = score.copy()
        if regularizer == "logdet":
            if chosen:
                C = np.array(chosen)
                K_cx = K[C]
                schur = np.diag(K) - np.einsum(
                    "ij,ij->j", K_cx, np.linalg.solve(K[np.ix_(C, C)], K_cx)
                )
            else:
                schur = np.diag(K).copy()
            with np.errstate(divide="ignore", invalid="ignore"):
                total = total + np.log(np.maximum(schur, 0.0))
        total[chosen] = -np.inf
        chosen.append(int(np.argmax(total)))
    return np.array(chosen)
