"""Public loaders and the preparation that several pages share."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import SEED
from ._fetchers import _FETCHER, DataFetcher

__all__ = [
    "MnistSplit",
    "load_insurance",
    "load_iris",
    "load_mba",
    "load_mnist",
    "load_mnist_split",
    "prepare_insurance",
    "prepare_mba",
    "read_idx",
]

MBA_CLASSES = ("Admit", "Waitlist", "Deny")


def _fetcher(fetcher: DataFetcher | None) -> DataFetcher:
    return _FETCHER if fetcher is None else fetcher


# -- Iris ------------------------------------------------------------------------------
def load_iris() -> tuple[pd.DataFrame, pd.Series]:
    """Load Fisher's Iris data (it ships with scikit-learn; no file is fetched).

    Returns
    -------
    X : DataFrame of shape (150, 4)
        Sepal and petal length and width in cm (float64), with readable column names
        such as ``"petal length (cm)"``.
    y : Series of shape (150,)
        The species as a categorical: ``setosa``, ``versicolor``, ``virginica``.
    """
    from sklearn.datasets import load_iris as _sk_load_iris

    bunch = _sk_load_iris(as_frame=True)
    species = pd.Categorical.from_codes(bunch.target, categories=list(bunch.target_names))
    return bunch.data.copy(), pd.Series(species, name="species")


# -- Medical insurance -----------------------------------------------------------------
def load_insurance(*, fetcher: DataFetcher | None = None) -> pd.DataFrame:
    """Load the medical insurance table as published (1,338 rows, 7 columns).

    Columns: ``age`` (int), ``sex`` (female/male), ``bmi`` (float), ``children`` (int),
    ``smoker`` (yes/no), ``region`` (four US regions) and ``charges`` (float, USD, the
    regression target). Source: *Machine Learning with R* (B. Lantz).
    """
    path = _fetcher(fetcher).fetch("insurance.csv")
    return pd.read_csv(path)


INSURANCE_NUMERIC = ("age", "bmi", "children")


def prepare_insurance(df: pd.DataFrame, *, scale: bool = False) -> tuple[pd.DataFrame, pd.Series]:
    """Turn the insurance table into a numeric feature matrix and the ``charges`` target.

    Parameters
    ----------
    df : DataFrame
        The table from :func:`load_insurance`.
    scale : bool, default False
        Standardize ``age``, ``bmi`` and ``children`` to mean 0 and standard deviation 1
        (over the rows given). The 0/1 columns are left as they are, so a coefficient
        on them still means "the effect of switching the indicator on". Use the scaled
        version to compare coefficients across features; inside a predictive pipeline,
        fit a ``StandardScaler`` on the training rows instead.

    Returns
    -------
    X : DataFrame of shape (n, 8), float64
        ``age``, ``bmi``, ``children``, ``sex_male``, ``smoker`` (0/1) and one 0/1 column
        per region except the baseline ``northeast``: ``region_northwest``,
        ``region_southeast``, ``region_southwest``.
    y : Series of shape (n,)
        ``charges`` in USD.
    """
    expected = {"age", "sex", "bmi", "children", "smoker", "region", "charges"}
    missing = expected - set(df.columns)
    if missing:
        raise ValueError(f"df is missing the insurance columns {sorted(missing)}; got {list(df.columns)}")
    _check_values(df, "sex", {"female", "male"})
    _check_values(df, "smoker", {"yes", "no"})
    X = df[list(INSURANCE_NUMERIC)].astype(float)
    X["sex_male"] = (df["sex"] == "male").astype(float)
    X["smoker"] = (df["smoker"] == "yes").astype(float)
    regions = pd.get_dummies(
        pd.Categorical(df["region"], categories=["northeast", "northwest", "southeast", "southwest"]),
        prefix="region",
        drop_first=True,
        dtype=float,
    )
    regions.index = df.index
    X = pd.concat([X, regions], axis=1)
    if scale:
        cols = list(INSURANCE_NUMERIC)
        std = X[cols].std(ddof=0).replace(0, 1.0)
        X[cols] = (X[cols] - X[cols].mean()) / std
    return X, df["charges"].astype(float).rename("charges")


# -- MBA admissions --------------------------------------------------------------------
def load_mba(*, fetcher: DataFetcher | None = None) -> pd.DataFrame:
    """Load the MBA admissions table as published (6,194 rows, 10 columns).

    ``admission`` is empty for denied applicants and ``race`` is empty for international
    applicants: :func:`prepare_mba` makes both explicit. The data are synthetic,
    generated from Wharton's Class of 2025 statistics.
    """
    path = _fetcher(fetcher).fetch("MBA.csv")
    return pd.read_csv(path, dtype={"international": "string"})


def prepare_mba(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Clean the MBA table and one-hot encode it.

    * an empty ``admission`` means **Deny**; the target keeps the order Admit,
      Waitlist, Deny;
    * an empty ``race`` (international applicants) becomes **Unknown**;
    * ``international`` (TRUE/FALSE) and ``gender`` become 0/1 columns
      (``international``, ``gender_male``);
    * ``major``, ``race`` and ``work_industry`` become one 0/1 column per category,
      named ``major_STEM``, ``race_Unknown``, ``industry_Consulting``, ...;
    * ``application_id`` is dropped (it carries no information).

    Parameters
    ----------
    df : DataFrame
        The table from :func:`load_mba`.

    Returns
    -------
    X : DataFrame of shape (n, n_features), float64
        ``gpa``, ``gmat``, ``work_exp``, ``international``, ``gender_male`` and the
        one-hot columns.
    y : Series of shape (n,), categorical
        ``Admit``, ``Waitlist`` or ``Deny``.
    """
    expected = {"gender", "international", "gpa", "major", "race", "gmat", "work_exp", "work_industry", "admission"}
    missing = expected - set(df.columns)
    if missing:
        raise ValueError(f"df is missing the MBA columns {sorted(missing)}; got {list(df.columns)}")
    admission = df["admission"].fillna("Deny")
    _check_values(admission.to_frame(), "admission", set(MBA_CLASSES))
    _check_values(df, "gender", {"Male", "Female"})

    international = df["international"].astype("string").str.strip().str.upper()
    bad = ~international.isin(["TRUE", "FALSE"])
    if bad.any():
        raise ValueError(
            f"column 'international' must hold TRUE or FALSE; got {sorted(set(international[bad].astype(str)))}"
        )

    X = df[["gpa", "gmat", "work_exp"]].astype(float)
    X["international"] = (international == "TRUE").astype(float).to_numpy()
    X["gender_male"] = (df["gender"] == "Male").astype(float)
    cats = pd.DataFrame(
        {
            "major": df["major"],
            "race": df["race"].fillna("Unknown"),
            "industry": df["work_industry"],
        },
        index=df.index,
    )
    X = pd.concat([X, pd.get_dummies(cats, prefix_sep="_", dtype=float)], axis=1)
    y = pd.Series(pd.Categorical(admission, categories=list(MBA_CLASSES)), index=df.index, name="admission")
    return X, y


def _check_values(df: pd.DataFrame, column: str, allowed: set[str]) -> None:
    values = set(df[column].dropna().unique())
    if not values <= allowed:
        raise ValueError(
            f"column {column!r} must hold only {sorted(allowed)}; found {sorted(map(str, values - allowed))}"
        )


# -- MNIST -----------------------------------------------------------------------------
_IDX_DTYPES = {0x08: np.uint8}


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (MNIST's format), gzip-compressed or not.

    Parameters
    ----------
    path : path-like
        An ``*-idx1-ubyte`` (labels) or ``*-idx3-ubyte`` (images) file, optionally ``.gz``.

    Returns
    -------
    ndarray of uint8
        Shape ``(n,)`` for labels, ``(n, rows, cols)`` for images.

    Raises
    ------
    ValueError
        If the header is not an unsigned-byte IDX header or the data length does not
        match the dimensions in the header.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        raw = fh.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path} is not an IDX file: it must start with two zero bytes")
    dtype_code, ndim = raw[2], raw[3]
    if dtype_code not in _IDX_DTYPES:
        raise ValueError(f"{path}: IDX data type 0x{dtype_code:02x} is not supported (expected 0x08, unsigned byte)")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path} ends inside its IDX header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header announces shape {shape} ({int(np.prod(shape))} values), file holds {data.size}")
    return data.reshape(shape).copy()


def load_mnist(*, fetcher: DataFetcher | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST's official 10,000-image **test** split.

    The gallery builds on CPUs, so it uses only this split and divides it into its own
    train/validation/test parts (:func:`load_mnist_split`). Pages say so.

    Returns
    -------
    images : ndarray of shape (10000, 28, 28), uint8
        Grey levels 0 (background) to 255 (ink).
    labels : ndarray of shape (10000,), uint8
        Digits 0-9.

    Notes
    -----
    MNIST is by Y. LeCun, C. Cortes and C. J. C. Burges, licensed CC BY-SA 3.0.
    """
    f = _fetcher(fetcher)
    images = read_idx(f.fetch("t10k-images-idx3-ubyte.gz"))
    labels = read_idx(f.fetch("t10k-labels-idx1-ubyte.gz"))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"MNIST images {images.shape} and labels {labels.shape} do not match")
    return images, labels


@dataclass(frozen=True)
class MnistSplit:
    """A fixed, stratified train/validation/test split of MNIST's 10,000 test images.

    Attributes ``X_train``, ``X_val``, ``X_test`` are uint8 arrays of shape
    ``(n, 28, 28)``; ``y_train``, ``y_val``, ``y_test`` are uint8 labels; the
    ``*_index`` arrays give each image's position in the original file.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    train_index: np.ndarray
    val_index: np.ndarray
    test_index: np.ndarray


def load_mnist_split(
    *, val_size: float = 0.2, test_size: float = 0.2, seed: int = SEED, fetcher: DataFetcher | None = None
) -> MnistSplit:
    """Split MNIST's 10,000 official test images into train/validation/test parts.

    The split is stratified by digit and fixed by ``seed``: with the defaults, 6,000
    training, 2,000 validation and 2,000 test images, the same on every machine.

    Parameters
    ----------
    val_size, test_size : float
        Fractions of the 10,000 images, each in (0, 1), together below 1.
    seed : int
        Seed of the shuffling.
    """
    from sklearn.model_selection import train_test_split

    for arg, value in (("val_size", val_size), ("test_size", test_size)):
        if not 0 < value < 1:
            raise ValueError(f"{arg} must be a fraction in (0, 1); got {value!r}")
    if val_size + test_size >= 1:
        raise ValueError(f"val_size + test_size must be below 1; got {val_size} + {test_size}")
    images, labels = load_mnist(fetcher=fetcher)
    index = np.arange(len(labels))
    rest, test = train_test_split(index, test_size=test_size, stratify=labels, random_state=seed)
    train, val = train_test_split(
        rest, test_size=val_size / (1 - test_size), stratify=labels[rest], random_state=seed
    )
    train, val, test = np.sort(train), np.sort(val), np.sort(test)
    return MnistSplit(
        images[train], labels[train], images[val], labels[val], images[test], labels[test], train, val, test
    )
