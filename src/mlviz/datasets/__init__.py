"""Verified datasets: Iris, MNIST (official test split), medical insurance, MBA admissions.

Every file is checked against the SHA-256 in :mod:`mlviz.datasets._registry` each time
it is read. See :class:`DataFetcher` for where files are looked for.
"""

from ._fetchers import (
    DATA_DIR_ENV,
    MIRROR_ENV,
    OFFLINE_ENV,
    DataFetcher,
    DatasetError,
    DatasetHashError,
    DatasetNotFoundError,
    fetch,
)
from ._loaders import (
    MBA_CLASSES,
    MnistSplit,
    load_insurance,
    load_iris,
    load_mba,
    load_mnist,
    load_mnist_split,
    prepare_insurance,
    prepare_mba,
    read_idx,
)
from ._registry import REGISTRY, SOURCES, URLS

__all__ = [
    "DATA_DIR_ENV",
    "MBA_CLASSES",
    "MIRROR_ENV",
    "OFFLINE_ENV",
    "REGISTRY",
    "SOURCES",
    "URLS",
    "DataFetcher",
    "DatasetError",
    "DatasetHashError",
    "DatasetNotFoundError",
    "MnistSplit",
    "fetch",
    "load_insurance",
    "load_iris",
    "load_mba",
    "load_mnist",
    "load_mnist_split",
    "prepare_insurance",
    "prepare_mba",
    "read_idx",
]
