"""Parsing and shared preparation, on fixture files the tests write."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlviz.datasets import (
    MIRROR_ENV,
    load_insurance,
    load_iris,
    load_mba,
    load_mnist,
    load_mnist_split,
    prepare_insurance,
    prepare_mba,
    read_idx,
)

from ..conftest import write_idx


# -- IDX ---------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".gz", ""])
def test_read_idx_round_trip(tmp_path, suffix):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    out = read_idx(write_idx(tmp_path / f"x-idx3-ubyte{suffix}", images))
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, images)


def test_read_idx_rejects_bad_magic_and_wrong_length(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x00\x08\x01\x00\x00\x00\x02ab")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(bad)
    short = tmp_path / "short"
    short.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x05ab")
    with pytest.raises(ValueError, match=r"announces shape \(5,\).*holds 2"):
        read_idx(short)
    floats = tmp_path / "floats"
    floats.write_bytes(b"\x00\x00\x0d\x01\x00\x00\x00\x01abcd")
    with pytest.raises(ValueError, match="0x0d is not supported"):
        read_idx(floats)


def test_load_mnist_from_fixture(fetcher, mnist_arrays):
    images, labels = load_mnist(fetcher=fetcher)
    assert images.shape == (200, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (200,) and labels.dtype == np.uint8
    np.testing.assert_array_equal(labels, mnist_arrays[1])


def test_mnist_split_is_stratified_disjoint_and_fixed(fetcher):
    split = load_mnist_split(fetcher=fetcher)
    sizes = len(split.y_train), len(split.y_val), len(split.y_test)
    assert sizes == (120, 40, 40)
    for y in (split.y_train, split.y_val, split.y_test):
        counts = np.bincount(y, minlength=10)
        assert counts.min() == counts.max(), "every digit equally represented"
    all_idx = np.concatenate([split.train_index, split.val_index, split.test_index])
    assert len(np.unique(all_idx)) == 200
    # the fixture images are filled with their label: images and labels stay aligned
    assert (split.X_train[:, 0, 0] == split.y_train).all()
    again = load_mnist_split(fetcher=fetcher)
    np.testing.assert_array_equal(split.train_index, again.train_index)
    other = load_mnist_split(fetcher=fetcher, seed=1)
    assert not np.array_equal(split.train_index, other.train_index)


@pytest.mark.parametrize(("kw", "msg"), [({"val_size": 0}, "val_size"), ({"test_size": 0.5, "val_size": 0.5}, "below 1")])
def test_mnist_split_rejects_bad_fractions(fetcher, kw, msg):
    with pytest.raises(ValueError, match=msg):
        load_mnist_split(fetcher=fetcher, **kw)


# -- MBA ---------------------------------------------------------------------------------
def test_prepare_mba_fills_and_encodes(fetcher):
    X, y = prepare_mba(load_mba(fetcher=fetcher))
    assert list(y) == ["Admit", "Deny", "Admit", "Deny", "Waitlist"]
    assert list(y.cat.categories) == ["Admit", "Waitlist", "Deny"]
    assert X["international"].tolist() == [0, 0, 1, 0, 1]
    assert X["gender_male"].tolist() == [0, 1, 0, 1, 1]
    assert X["race_Unknown"].tolist() == [0, 0, 1, 0, 1]
    assert {"major_STEM", "major_Business", "industry_Technology", "industry_Financial Services"} <= set(X.columns)
    assert "application_id" not in X.columns and "admission" not in X.columns
    assert all(dtype == np.float64 for dtype in X.dtypes) and not X.isna().any().any()
    one_hot = [c for c in X.columns if c.startswith(("major_", "race_", "industry_"))]
    assert X[one_hot].sum(axis=1).eq(3).all(), "exactly one category per variable"


def test_prepare_mba_rejects_unexpected_values(fetcher):
    df = load_mba(fetcher=fetcher)
    with pytest.raises(ValueError, match="'admission' must hold only.*found \\['Maybe'\\]"):
        prepare_mba(df.assign(admission=["Maybe", None, None, None, None]))
    with pytest.raises(ValueError, match="'international' must hold TRUE or FALSE"):
        prepare_mba(df.assign(international=["yes"] * 5))
    with pytest.raises(ValueError, match="missing the MBA columns \\['gmat'\\]"):
        prepare_mba(df.drop(columns="gmat"))


# -- insurance ---------------------------------------------------------------------------
def test_prepare_insurance_columns_and_baseline(fetcher):
    X, y = prepare_insurance(load_insurance(fetcher=fetcher))
    assert list(X.columns) == [
        "age", "bmi", "children", "sex_male", "smoker",
        "region_northwest", "region_southeast", "region_southwest",
    ]
    assert X["smoker"].tolist() == [1, 0, 0, 0, 0]
    assert X["sex_male"].tolist() == [0, 1, 1, 1, 0]
    # the north-east row has all region columns at 0 (it is the baseline)
    assert X.loc[4, ["region_northwest", "region_southeast", "region_southwest"]].eq(0).all()
    assert X.loc[0, "region_southwest"] == 1
    assert y.name == "charges" and y.iloc[0] == pytest.approx(16884.924)


def test_prepare_insurance_scaling_touches_only_numeric_columns(fetcher):
    raw = load_insurance(fetcher=fetcher)
    X, _ = prepare_insurance(raw, scale=True)
    X0, _ = prepare_insurance(raw)
    np.testing.assert_allclose(X[["age", "bmi", "children"]].mean(), 0, atol=1e-12)
    np.testing.assert_allclose(X[["age", "bmi", "children"]].std(ddof=0), 1)
    pd.testing.assert_frame_equal(X.drop(columns=["age", "bmi", "children"]), X0.drop(columns=["age", "bmi", "children"]))


def test_prepare_insurance_rejects_bad_input(fetcher):
    raw = load_insurance(fetcher=fetcher)
    with pytest.raises(ValueError, match="'smoker' must hold only"):
        prepare_insurance(raw.assign(smoker="sometimes"))
    with pytest.raises(ValueError, match="missing the insurance columns \\['region'\\]"):
        prepare_insurance(raw.drop(columns="region"))


# -- Iris and the real files ---------------------------------------------------------------
def test_load_iris():
    X, y = load_iris()
    assert X.shape == (150, 4) and list(y.cat.categories) == ["setosa", "versicolor", "virginica"]
    assert y.value_counts().eq(50).all()


real_data = pytest.mark.skipif(
    not __import__("os").environ.get(MIRROR_ENV), reason=f"${MIRROR_ENV} not set (make test sets it)"
)


@real_data
def test_real_files_have_the_documented_shapes():
    images, labels = load_mnist()
    assert images.shape == (10000, 28, 28) and np.bincount(labels).sum() == 10000
    split = load_mnist_split()
    assert (len(split.y_train), len(split.y_val), len(split.y_test)) == (6000, 2000, 2000)
    X, y = prepare_mba(load_mba())
    assert X.shape[0] == 6194 and y.value_counts().to_dict() == {"Deny": 5194, "Admit": 900, "Waitlist": 100}
    X, y = prepare_insurance(load_insurance())
    assert X.shape == (1338, 8)
