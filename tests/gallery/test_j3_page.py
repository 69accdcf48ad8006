"""Page J3 (counterfactual explanations) and :mod:`mlviz.explain.counterfactuals`, checked.

The page's counterfactuals are checked without the helper: the forest is asked again
whether each one flips, the immutable columns and the allowed directions are read off
the rows, the distance is recomputed from scipy's median absolute deviation, and the
"nearest" is checked by brute force: every candidate of the grid nearer than the first
counterfactual (or a random sample of them) is decided by the forest, and so is a random
sample of the whole grid. The page's written-out search is compared with
:func:`find_counterfactuals`, the helper with a brute-force search on a rule-based model
whose answers are known, and each claim's condition is fed the opposite case.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402
from scipy.stats import median_abs_deviation  # noqa: E402

from mlviz.explain.counterfactuals import (  # noqa: E402
    counterfactual_grid,
    find_counterfactuals,
    mad_scale,
    one_hot_groups,
)
from mlviz.report import rounding_tolerance  # noqa: E402

from .conftest import ROOT, run_quick  # noqa: E402

PAGE = "10_effects_decisions/plot_03_counterfactuals.py"
NUMERIC = ["gpa", "gmat", "work_exp"]
GROUPS = ("major", "industry")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    return run_quick(PAGE, tmp_path_factory.mktemp("j3"))


def members(columns, prefix):
    return [c for c in columns if c.startswith(prefix + "_")]


def category(rows: pd.DataFrame, prefix):
    """The name of the one-hot column that is 1, per row."""
    block = rows[members(rows.columns, prefix)]
    assert (block.sum(axis=1) == 1).all(), f"{prefix} must hold exactly one category"
    return block.idxmax(axis=1).to_numpy()


def scipy_mad(X_train):
    return {c: median_abs_deviation(X_train[c].to_numpy(), scale=1.0) for c in NUMERIC}


def distances(rows: pd.DataFrame, x: pd.Series, mad) -> np.ndarray:
    """The page's distance, written out again: MAD-scaled L1 plus 1 per changed category."""
    total = np.zeros(len(rows))
    for c in NUMERIC:
        total += np.abs(rows[c].to_numpy() - x[c]) / mad[c]
    original = x.to_frame().T
    for g in GROUPS:
        total += category(rows, g) != category(original, g)[0]
    return total


def tolerance(n_terms=5, scale=10.0):
    return rounding_tolerance("float64", scale=scale, n_terms=n_terms)


def all_candidates(x, X_train):
    """Every allowed row for applicant ``x`` (brute force; the applicant included)."""
    choices = []
    for c in NUMERIC:
        observed = np.unique(np.append(X_train[c].to_numpy(), x[c]))
        choices.append([(c, v) for v in observed[observed >= x[c]]])
    for g in GROUPS:
        seen = [col for col in members(X_train.columns, g) if X_train[col].max() == 1]
        choices.append([(g, col) for col in seen])
    sizes = [len(c) for c in choices]
    picks = np.indices(sizes).reshape(len(sizes), -1).T
    rows = pd.DataFrame(np.repeat(x.to_numpy()[None], len(picks), 0), columns=x.index)
    for j, options in enumerate(choices):
        if options[0][0] in NUMERIC:
            rows[options[0][0]] = np.array([v for _, v in options])[picks[:, j]]
        else:
            names = [col for _, col in options]
            rows[members(x.index, options[0][0])] = 0.0
            for k, col in enumerate(names):
                rows.loc[picks[:, j] == k, col] = 1.0
    return rows


# -- the page's counterfactuals ----------------------------------------------------------


def test_every_counterfactual_flips_holds_immutables_and_allowed_moves(page):
    forest, X_train, applicants = page["forest"], page["X_train"], page["applicants"]
    assert not forest.predict(applicants).any()
    immutable = ["gender_male", "international", *members(X_train.columns, "race")]
    n = 0
    for name, x in applicants.iterrows():
        rows = page["found_rows"][name]
        n += len(rows)
        if not len(rows):
            continue
        assert forest.predict(rows).all()
        np.testing.assert_array_equal(
            rows[immutable].to_numpy(), np.tile(x[immutable].to_numpy(), (len(rows), 1))
        )
        for c in NUMERIC:  # up only, to observed values
            assert (rows[c] >= x[c]).all()
            assert rows[c].isin(np.append(X_train[c].unique(), x[c])).all()
        for g in GROUPS:
            category(rows, g)
    assert n == page["n_found"] == len(page["all_rows"]) > 0


def test_distances_use_scipy_mad(page):
    mad = scipy_mad(page["X_train"])
    for c in NUMERIC:
        assert page["mad"][c] == pytest.approx(mad[c], abs=tolerance(1, mad[c]))
    for name, x in page["applicants"].iterrows():
        grid, found = page["grids"][name], page["found"][name]
        mine = distances(page["found_rows"][name], x, mad)
        np.testing.assert_allclose(grid.distance[found], mine, rtol=0, atol=tolerance())
        assert np.all(np.diff(mine) >= -tolerance())  # nearest first


def test_nearest_counterfactual_is_the_smallest_flip_by_brute_force(page):
    """No candidate nearer than the first counterfactual flips the forest: all of them
    (or 3,000 drawn at random when there are more), plus 2,000 drawn from the whole grid."""
    forest, X_train, mad = page["forest"], page["X_train"], scipy_mad(page["X_train"])
    rng = np.random.default_rng(7)
    checked = 0
    for name, x in page["applicants"].iterrows():
        found = page["found"][name]
        d1 = page["grids"][name].distance[found[0]] if found else 5.0
        everything = all_candidates(x, X_train)
        d = distances(everything, x, mad)
        nearer = np.flatnonzero((d > 0) & (d < d1 - tolerance()))
        if len(nearer) > 3000:
            nearer = rng.choice(nearer, 3000, replace=False)
        anywhere = rng.choice(
            len(everything), min(2000, len(everything)), replace=False
        )
        admitted = forest.predict(everything.iloc[nearer])
        assert not admitted.any(), f"applicant {name}: a flip nearer than {d1:.3f}"
        flips = forest.predict(everything.iloc[anywhere])
        if found:
            assert d[anywhere][flips].min(initial=np.inf) >= d1 - tolerance()
        else:  # none within 5: no random flip within 5 either
            assert not (flips & (d[anywhere] <= 5.0)).any()
        checked += len(nearer)
    assert checked > 0  # the check decided candidates, it is not vacuous


def test_no_change_can_be_undone(page):
    forest = page["forest"]
    for name, x in page["applicants"].iterrows():
        rows = page["found_rows"][name]
        for _, row in rows.iterrows():
            changed = [c for c in NUMERIC if row[c] != x[c]]
            changed += [
                g
                for g in GROUPS
                if (row[members(x.index, g)] != x[members(x.index, g)]).any()
            ]
            assert changed
            for feature in changed:
                undone = row.copy()
                cols = [feature] if feature in NUMERIC else members(x.index, feature)
                undone[cols] = x[cols]
                if (undone == x).all():
                    continue  # the applicant itself, denied
                assert not forest.predict(undone.to_frame().T)[0], (name, feature)


def test_counterfactuals_are_diverse(page):
    mad = scipy_mad(page["X_train"])
    for name, x in page["applicants"].iterrows():
        rows = page["found_rows"][name]
        for a, b in itertools.combinations(range(len(rows)), 2):
            later, earlier = rows.iloc[b], rows.iloc[a]
            gap = distances(later.to_frame().T, earlier, mad)[0]
            assert gap >= 1.0 - tolerance()
            # the later one is not the earlier one with the same or larger steps
            step_e = {c: earlier[c] - x[c] for c in NUMERIC}
            bigger = all(later[c] - x[c] >= s for c, s in step_e.items() if s)
            same_cats = all(
                category(later.to_frame().T, g)[0]
                == category(earlier.to_frame().T, g)[0]
                for g in GROUPS
                if category(earlier.to_frame().T, g)[0]
                != category(x.to_frame().T, g)[0]
            )
            assert not (bigger and same_cats)


def test_page_search_equals_the_helper(page):
    for name in page["applicants"].index:
        grid = page["grids"][name]
        result = find_counterfactuals(
            page["forest"],
            grid,
            n_counterfactuals=4,
            min_separation=1.0,
            max_distance=5.0,
        )
        assert result.positions.tolist() == [int(i) for i in page["found"][name]]
        pd.testing.assert_frame_equal(result.rows, page["found_rows"][name])
        assert np.all(result.proba > 0.5) and result.proba_original < 0.5


# -- the figures and the words -----------------------------------------------------------


def test_one_applicant_figure_draws_each_change(page):
    fig = page["_figures"][0]
    axes = fig.axes
    assert len(axes) == 5
    shown, x = page["shown"], page["x"]
    rows = page["found_rows"][shown]
    k = len(rows)
    for ax, c in zip(axes[:3], NUMERIC):
        arrows = [t for t in ax.texts if isinstance(t, Annotation)]
        moved = rows[c].to_numpy()[rows[c].to_numpy() != x[c]]
        assert len(arrows) == len(moved)
        assert sorted(a.xy[0] for a in arrows) == pytest.approx(sorted(moved))
        assert all(a.xyann[0] == pytest.approx(x[c]) for a in arrows)
        assert ax.get_xlim() == pytest.approx(
            (page["X_train"][c].min(), page["X_train"][c].max())
        )
    prob_arrows = [t for t in axes[4].texts if isinstance(t, Annotation)]
    after = page["forest"].predict_proba(rows)[:, 1]
    assert [a.xy[0] for a in prob_arrows] == pytest.approx(after)
    assert all(a.xy[0] > 0.5 > a.xyann[0] for a in prob_arrows)
    assert any(list(line.get_xdata()) == [0.5, 0.5] for line in axes[4].lines)
    assert len(axes[3].texts) == k
    labels = [t.get_text() for t in axes[0].get_yticklabels()]
    assert len(labels) == k and labels[0].startswith("#1")


def test_summary_figure_counts(page):
    fig = page["_figures"][1]
    ax_n, ax_f, _ = fig.axes
    applicants, found, grids = page["applicants"], page["found"], page["grids"]
    n_changed = []
    for name in applicants.index:
        if not found[name]:
            n_changed.append(0)
            continue
        row, x = page["found_rows"][name].iloc[0], applicants.loc[name]
        n_changed.append(
            sum(row[c] != x[c] for c in NUMERIC)
            + sum(
                (row[members(x.index, g)] != x[members(x.index, g)]).any()
                for g in GROUPS
            )
        )
    heights = [p.get_height() for p in ax_n.patches]
    assert heights == np.bincount(n_changed, minlength=len(heights)).tolist()
    features = NUMERIC + list(GROUPS)
    widths = [p.get_width() for p in ax_f.patches]
    in_any = [
        sum(
            f in c
            for n in applicants.index
            for c in grids[n].changed_features(found[n])
        )
        for f in features
    ]
    assert widths[: len(features)] == in_any
    assert sum(widths[len(features) :]) == sum(n_changed)
    text = next(
        t
        for t in page["_findings"]
        if t.startswith("The nearest counterfactual changes")
    )
    assert f"one feature for {n_changed.count(1)} of {len(applicants)}" in text


def test_refit_share_recomputed(page):
    kept = page["refit"].predict(page["all_rows"]).mean()
    assert page["kept"] == kept
    assert any(
        f"admits {kept:.0%} of the {page['n_found']}" in t for t in page["_findings"]
    )


# -- each claim can fail -------------------------------------------------------------------


def test_claim_conditions_fail_on_the_opposite_case(page):
    forest, applicants, all_rows = page["forest"], page["applicants"], page["all_rows"]
    immutable = page["immutable"]
    # "every counterfactual flips": the applicants themselves do not
    assert not (
        forest.predict(applicants).all() and not forest.predict(applicants).any()
    )
    # "immutables held fixed": a counterfactual with another gender breaks it
    changed = all_rows.copy()
    changed.loc[0, "gender_male"] = 1 - changed.loc[0, "gender_male"]
    assert not (
        changed[immutable].to_numpy() == page["origins"][immutable].to_numpy()
    ).all()
    # "no change can be undone": a counterfactual with a needless extra change, whose
    # undone rows (the page's construction) include the admitted counterfactual itself
    x, base = page["x"], page["found_rows"][page["shown"]].iloc[0]
    extras = []
    for col in members(x.index, "industry"):
        if base[col] == 0:
            extras.append(base.copy())
            extras[-1][members(x.index, "industry")] = 0.0
            extras[-1][col] = 1.0
    for value in sorted(set(page["X_train"]["gmat"]) - {base["gmat"]}):
        if value > base["gmat"]:
            extras.append(base.copy())
            extras[-1]["gmat"] = value
    extras = pd.DataFrame(extras)
    needless = extras[forest.predict(extras)].iloc[0]  # admitted with the extra change
    undone = needless.copy()
    changed = [c for c in needless.index if needless[c] != base[c]]
    undone[changed] = base[changed]
    assert forest.predict(needless.to_frame().T)[0]
    assert forest.predict(
        undone.to_frame().T
    ).any()  # the page's condition would be False


def test_spearman_words_go_both_ways(page):
    from scipy import stats

    p = np.linspace(0.01, 0.45, 20)
    rho, p_value = stats.spearmanr(p, 3 - 5 * p)
    assert p_value < 0.05 and rho < 0
    rho, p_value = stats.spearmanr(p, 1 + 5 * p)
    assert not (p_value < 0.05 and rho < 0)
    text = next(t for t in page["_findings"] if "Spearman" in t)
    assert text.startswith("The lower the probability") == page["linked"]


# -- the helper --------------------------------------------------------------------------


class RuleModel:
    """Admits when a + b >= 6, or when the category is v and a >= 3."""

    classes_ = np.array([False, True])

    def predict(self, X):
        return ((X["a"] + X["b"] >= 6) | ((X["c_v"] == 1) & (X["a"] >= 3))).to_numpy()

    def predict_proba(self, X):
        p = self.predict(X).astype(float)
        return np.column_stack([1 - p, 0.25 + 0.5 * p])


@pytest.fixture
def toy():
    rng = np.random.default_rng(0)
    n = 200
    X = pd.DataFrame(
        {
            "a": rng.integers(0, 6, n).astype(float),
            "b": rng.integers(0, 6, n).astype(float),
        }
    )
    cat = rng.choice(["u", "v", "w"], n)
    for c in "uvw":
        X[f"c_{c}"] = (cat == c).astype(float)
    X["fixed"] = rng.normal(size=n)
    return X


def brute_force(model, x, X, mad, n_wanted, min_separation):
    """The search's rules over every candidate, in the order (distance, changes)."""
    options = [
        sorted(set(X["a"]) | {x["a"]}),
        sorted(set(X["b"]) | {x["b"]}),
        ["c_u", "c_v", "c_w"],
    ]
    own = [x["a"], x["b"], next(c for c in options[2] if x[c] == 1)]

    def row(a, b, c):
        r = x.copy()
        r["a"], r["b"] = a, b
        r[["c_u", "c_v", "c_w"]] = 0.0
        r[c] = 1.0
        return r

    def dist(p, q):
        return (
            abs(p[0] - q[0]) / mad["a"] + abs(p[1] - q[1]) / mad["b"] + (p[2] != q[2])
        )

    def admits(p):
        return bool(model.predict(row(*p).to_frame().T)[0])

    cands = [p for p in itertools.product(*options) if list(p) != own]
    cands.sort(
        key=lambda p: (round(dist(p, own), 9), sum(u != v for u, v in zip(p, own)))
    )
    kept = []
    for p in cands:
        if not admits(p):
            continue
        undo = [
            tuple(own[j] if j == i else p[j] for j in range(3))
            for i in range(3)
            if p[i] != own[i]
        ]
        if any(list(u) != own and admits(u) for u in undo):
            continue

        def extends(p, q):
            return all(
                (p[j] == q[j]) if j == 2 else (p[j] - own[j] >= q[j] - own[j])
                for j in range(3)
                if q[j] != own[j]
            )

        if any(extends(p, q) or dist(p, q) < min_separation for q in kept):
            continue
        kept.append(p)
        if len(kept) == n_wanted:
            break
    return [dist(p, own) for p in kept], [row(*p) for p in kept]


def test_helper_matches_a_brute_force_search(toy):
    model, mad = RuleModel(), mad_scale(toy, ["a", "b"])
    for c in ("a", "b"):
        assert mad[c] == median_abs_deviation(toy[c], scale=1.0)
    for start in ([1.0, 1.0, "c_u"], [0.0, 2.0, "c_w"], [2.0, 0.0, "c_v"]):
        x = toy.iloc[0].copy()
        x["a"], x["b"] = start[:2]
        x[["c_u", "c_v", "c_w"]] = 0.0
        x[start[2]] = 1.0
        grid = counterfactual_grid(
            x, toy, numeric=["a", "b"], categorical=one_hot_groups(toy.columns, ["c"])
        )
        assert (
            len(grid.distance)
            == len(set(toy["a"]) | {x["a"]}) * len(set(toy["b"]) | {x["b"]}) * 3 - 1
        )
        for n_wanted, sep in ((1, 1.0), (3, 1.0), (4, 0.0)):
            result = find_counterfactuals(
                model,
                grid,
                n_counterfactuals=n_wanted,
                min_separation=sep,
                batch_size=7,
            )
            expected_d, expected_rows = brute_force(model, x, toy, mad, n_wanted, sep)
            np.testing.assert_allclose(
                result.distance, expected_d, atol=tolerance(3, 20.0)
            )
            assert len(result.rows) == len(expected_rows)
            for got, want in zip(result.rows.to_numpy(), expected_rows):
                np.testing.assert_array_equal(got, want.to_numpy(dtype=float))
            assert (result.rows["fixed"] == x["fixed"]).all()  # not listed: held fixed


def test_increasing_and_max_distance(toy):
    x = toy.iloc[0].copy()
    x["a"], x["b"] = 3.0, 1.0
    grid = counterfactual_grid(x, toy, numeric=["a", "b"], increasing=["a", "b"])
    rows = grid.rows(np.arange(len(grid.distance)))
    assert (rows["a"] >= 3).all() and (rows["b"] >= 1).all()
    assert np.all(np.diff(np.round(grid.distance, 9)) >= 0)
    result = find_counterfactuals(RuleModel(), grid, max_distance=0.5)
    assert len(result.rows) == 0 and result.searched_to <= 0.5


def test_helper_errors_name_the_argument(toy):
    x = toy.iloc[0].copy()
    x[["a", "b"]] = 0.0
    with pytest.raises(ValueError, match="median absolute deviation"):
        mad_scale(toy.assign(a=1.0), ["a"])
    with pytest.raises(ValueError, match="prefixes"):
        one_hot_groups(toy.columns, ["nope"])
    with pytest.raises(ValueError, match="increasing"):
        counterfactual_grid(x, toy, numeric=["a"], increasing=["b"])
    with pytest.raises(ValueError, match="numeric names columns"):
        counterfactual_grid(x, toy, numeric=["zzz"])
    with pytest.raises(TypeError, match="x must be a pandas Series"):
        counterfactual_grid(x.to_numpy(), toy, numeric=["a"])
    grid = counterfactual_grid(x, toy, numeric=["a", "b"])
    with pytest.raises(ValueError, match="desired"):
        find_counterfactuals(RuleModel(), grid, desired="yes")
    with pytest.raises(ValueError, match="n_counterfactuals"):
        find_counterfactuals(RuleModel(), grid, n_counterfactuals=0)
    with pytest.raises(ValueError, match="min_separation"):
        find_counterfactuals(RuleModel(), grid, min_separation=-1)
    with pytest.raises(TypeError, match="grid"):
        find_counterfactuals(RuleModel(), "grid")
    admitted = x.copy()
    admitted[["a", "b"]] = 5.0
    with pytest.raises(ValueError, match="already"):
        find_counterfactuals(
            RuleModel(), counterfactual_grid(admitted, toy, numeric=["a"])
        )


def test_page_imports_no_torch():
    """What running the page may import, ``mlviz`` followed through (as the build
    computes its install line): no torch, and nothing beyond the core extras."""
    from mlviz.build.extras import page_extras, page_modules

    code = (ROOT / "gallery" / PAGE).read_text()
    assert "torch" not in page_modules(code)
    assert page_extras(code) == ()
