"""Page I6 (LIME and SHAP on a photograph): its numbers, checked independently.

The page runs once in quick mode (the shared ``run_quick``). Its hand-written LIME is
checked against the ``lime`` package (same images, same weights) and against
scikit-learn's ``Ridge``; its wrapper, its deletions and SHAP's additivity against the
network's own ``predict_proba``; its tables and sentences against the page's arrays.

Every tolerance comes from the arithmetic (:func:`mlviz.report.rounding_tolerance`):

* two float64 ridge fits on the same data differ by rounding amplified by the
  condition number of the normal equations;
* the network evaluated in another layout or batch differs by the rounding of its
  float32 logits: the classifier layer sums 1,280 products, and a softmax probability
  moves by at most ``p * expm1(2 * max |d logit|)``.
"""

from __future__ import annotations

import contextlib
import io

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from scipy.stats import rankdata  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sklearn.metrics import pairwise_distances  # noqa: E402

from mlviz.explain import CachedClassifier  # noqa: E402
from mlviz.models import load_efficientnet_lite0, predict_proba, to_model_input  # noqa: E402
from mlviz.plotting import DIVERGING  # noqa: E402
from mlviz.report import rounding_tolerance  # noqa: E402

from .conftest import run_quick  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """Run the page once, in quick mode, for all the tests of this module."""
    yield run_quick("09_imagenet/plot_06_lime_shap_photos.py", tmp_path_factory.mktemp("page"))
    plt.close("all")


def network(images):
    """Probabilities through ``predict_proba`` (contiguous layout, one batch), and the most
    that float32 rounding of the logits explains in each of them.

    The classifier layer adds 1,280 products and a bias; another layout or batch adds
    them in another order. A logit error ``d`` moves ``log p`` by at most ``2 max |d|``.
    """
    model = load_efficientnet_lite0()
    features = []
    hook = model._fc.register_forward_pre_hook(lambda module, args: features.append(args[0].double()))
    try:
        proba = predict_proba(model, to_model_input(np.clip(images, 0, 1)))
    finally:
        hook.remove()
    h = torch.cat(features).numpy()  # (N, 1280)
    W, b = model._fc.weight.double().numpy(), model._fc.bias.double().numpy()
    scale = (np.abs(h) @ np.abs(W).T + np.abs(b)).max(axis=1)  # the largest sum of |terms|
    logit_tolerance = np.array([rounding_tolerance("float32", s, W.shape[1] + 1) for s in scale])
    return proba, proba * np.expm1(2 * logit_tolerance)[:, None]


def ridge_tolerance(z, kernel, weights):
    """What float64 rounding explains between two solutions of LIME's weighted ridge."""
    zc = z - kernel @ z / kernel.sum()
    A = zc.T @ (kernel[:, None] * zc) + np.eye(z.shape[1])
    scale = np.linalg.cond(A) * max(np.abs(weights).sum(), 1.0)
    return rounding_tolerance("float64", scale, len(z))


def switch_off(image, segments, z, fill):
    """One image per row of ``z``: superpixel ``s`` replaced by ``fill`` where ``z[s] == 0``."""
    out = np.repeat(image[None], len(z), axis=0)
    for j, bits in enumerate(z):
        for s in np.flatnonzero(bits == 0):
            out[j][segments == s] = fill[segments == s]
    return out


def test_wrapper_gives_the_network_s_probabilities(page):
    proba, tolerance = network(page["images"])
    assert np.all(np.abs(page["proba"] - proba) <= tolerance)
    # the explained classes are the network's predictions
    assert [page["classes"][p] for p in page["photos"]] == proba.argmax(axis=1).tolist()


def test_lime_by_hand_is_lime_s_weighted_ridge_on_lime_s_own_samples(page):
    seed, n = page["SEED"], page["n_samples"]
    for photo in page["photos"]:
        z, p, kernel = page["samples"][photo]
        S = page["n_segments"][photo]
        expected_z = np.random.RandomState(seed).randint(0, 2, n * S).reshape(n, S)
        expected_z[0] = 1  # LIME's draws; the first sample is the photo
        np.testing.assert_array_equal(z, expected_z)
        # the kernel: sqrt(exp(-d^2 / 0.25^2)) of the cosine distance to the all-ones vector
        d = pairwise_distances(z, np.ones((1, S)), metric="cosine").ravel()
        reference = np.sqrt(np.exp(-(d**2) / 0.25**2))
        np.testing.assert_allclose(kernel, reference, rtol=0, atol=rounding_tolerance("float64", 1.0, S))
        # the fit: scikit-learn's weighted ridge, as LIME itself fits it
        ridge = Ridge(alpha=1.0).fit(z, p, sample_weight=kernel)
        weights, intercept, r2 = page["lime"][photo]
        tolerance = ridge_tolerance(z, kernel, weights)
        np.testing.assert_allclose(weights, ridge.coef_, rtol=0, atol=tolerance)
        assert abs(intercept - ridge.intercept_) <= tolerance
        assert abs(r2 - ridge.score(z, p, sample_weight=kernel)) <= tolerance


def test_lime_s_samples_are_the_network_s_answers_on_lime_s_images(page):
    for i, photo in enumerate(page["photos"]):
        z, p, _ = page["samples"][photo]
        chosen = [0, 1, len(z) - 1]
        # rebuilt superpixel by superpixel, with LIME's fill (checked bit for bit in tests/explain)
        rebuilt = switch_off(page["images"][i], page["segments"][photo], z[chosen], page["off"][photo])
        proba, tolerance = network(rebuilt)
        label = page["classes"][photo]
        assert np.all(np.abs(p[chosen] - proba[:, label]) <= tolerance[:, label])


def test_lime_package_builds_the_same_images_and_finds_the_same_weights(page):
    from lime.lime_image import LimeImageExplainer

    def refuse(batch):
        raise AssertionError(f"the package built {len(batch)} image(s) that the page did not")

    seed, n = page["SEED"], page["n_samples"]
    for i, photo in enumerate(page["photos"]):
        image, segments, label = page["images"][i], page["segments"][photo], page["classes"][photo]
        z, p, kernel = page["samples"][photo]
        # a memo that knows the page's images (rebuilt here) with the page's answers, and
        # nothing else: the package gets the page's numbers, or fails on a new image
        memo = CachedClassifier(refuse)
        for image_j, p_j in zip(switch_off(image, segments, z, page["off"][photo]), p):
            memo.classify = lambda batch, p_j=p_j: np.eye(1000)[[label]] * p_j
            memo(image_j[None])
        memo.classify, asked = refuse, memo.hits
        explainer = LimeImageExplainer(kernel_width=0.25, feature_selection="none", random_state=seed)
        with contextlib.redirect_stderr(io.StringIO()):  # lime's progress bar
            explanation = explainer.explain_instance(
                image, memo, labels=(label,), top_labels=None, num_samples=n, batch_size=10,
                segmentation_fn=lambda _: segments, random_seed=seed,
            )
        assert memo.hits - asked == n  # the package's n images, all of them the page's
        weights = np.array([dict(explanation.local_exp[label])[s] for s in range(len(z[0]))])
        tolerance = ridge_tolerance(z, kernel, weights)
        np.testing.assert_allclose(page["lime"][photo][0], weights, rtol=0, atol=tolerance)
        assert abs(page["lime"][photo][1] - explanation.intercept[label]) <= tolerance
        assert abs(page["lime"][photo][2] - explanation.score) <= tolerance


def box_blur(image, size):
    """A size x size box blur with reflect-101 borders, from cumulative sums in float64."""
    half = size // 2
    padded = np.pad(image.astype(float), ((half, half), (half, half), (0, 0)), mode="reflect")
    c = np.cumsum(np.cumsum(np.pad(padded, ((1, 0), (1, 0), (0, 0))), axis=0), axis=1)
    h, w = image.shape[:2]
    return (c[size : size + h, size : size + w] - c[:h, size : size + w] - c[size : size + h, :w] + c[:h, :w]) / size**2


def test_shap_adds_up_to_the_change_from_the_blurred_photo(page):
    findings = "\n".join(page["_findings"])
    for i, photo in enumerate(page["photos"]):
        label, image = page["classes"][photo], page["images"][i]
        # the hidden photo: a 63 x 63 mean of values in [0, 1], each pass adding 63 of them
        blurred = box_blur(image, 63)
        np.testing.assert_allclose(page["blurred"][photo], blurred, rtol=0, atol=rounding_tolerance("float32", 1.0, 2 * 63))
        # f(photo) and f(blurred photo) are the network's, within the rounding of its logits
        proba, tolerance = network(np.stack([image, page["blurred"][photo]]))
        ends = np.array([page["proba"][i, label], page["hidden"][photo][1]])
        assert np.all(np.abs(ends - proba[:, label]) <= tolerance[:, label])
        # the values add up to their difference, within the page's derived tolerance; and
        # that tolerance is tight enough to catch a wrong base (f(blurred) left out)
        gap, additivity = page["gaps"][photo]
        assert gap == abs(page["shap_map"][photo].sum() - (ends[0] - ends[1]))
        assert gap <= additivity < ends[1] / 10
        assert f"the SHAP values sum to {page['shap_map'][photo].sum():.4f}" in findings
        # per-superpixel totals, by a loop over the superpixels
        segments, values = page["segments"][photo], page["shap_map"][photo]
        for s in range(page["n_segments"][photo]):
            inside = values[segments == s]
            expected = inside.sum()
            atol = rounding_tolerance("float64", np.abs(inside).sum(), max(inside.size, 1))
            assert abs(page["shap_totals"][photo][s] - expected) <= atol


def test_table_recomputed(page):
    table = page["table"]
    top = lambda w: set(np.argsort(-w)[:5].tolist())  # noqa: E731
    for i, photo in enumerate(page["photos"]):
        lime, shap, other = page["lime"][photo][0], page["shap_totals"][photo], page["lime_other"][photo][0]
        column = table[photo]
        n = len(lime)
        for row, (a, b) in {"LIME-SHAP rank correlation": (lime, shap), "seed-seed rank correlation": (lime, other)}.items():
            rho = np.corrcoef(rankdata(a), rankdata(b))[0, 1]
            assert abs(column[row] - rho) <= rounding_tolerance("float64", 1.0, n)
        assert column["LIME-SHAP top five shared"] == len(top(lime) & top(shap))
        assert column["seed-seed top five shared"] == len(top(lime) & top(other))
        assert page["lower"][photo] == [(lime < 0).sum(), (other < 0).sum(), (shap < 0).sum()]
        assert column["superpixels"] == n == len(np.unique(page["segments"][photo]))
        # the local linear model at the photo (every superpixel on), by scikit-learn
        z, p, kernel = page["samples"][photo]
        ridge = Ridge(alpha=1.0).fit(z, p, sample_weight=kernel)
        at_photo = ridge.predict(np.ones((1, n)))[0]
        assert abs(column["LIME model at the photo"] - at_photo) <= ridge_tolerance(z, kernel, lime)
        assert column["network at the photo"] == page["proba"][i, page["classes"][photo]]


def agreement_beyond_noise(lime_shap, seed_seed, n):
    """Spearman's attenuation ceiling sqrt(seed-seed) against LIME-SHAP, over two
    standard errors apart on Fisher's z scale (written here without the page's code)."""
    ceiling = np.sqrt(max(seed_seed, 0.0))
    return 0.5 * np.log((1 + ceiling) / (1 - ceiling)) - 0.5 * np.log((1 + lime_shap) / (1 - lime_shap)) > 2 * np.sqrt(2 / (n - 3))


def test_the_agreement_verdict_can_go_both_ways():
    # LIME's seeds agree (0.8), LIME and SHAP do not (0.1): beyond the noise
    assert agreement_beyond_noise(0.1, 0.8, 38)
    # LIME's seeds barely agree (0.2): the same LIME-SHAP correlation says nothing
    assert not agreement_beyond_noise(0.1, 0.2, 38)
    # close to the ceiling: no disagreement
    assert not agreement_beyond_noise(0.85, 0.8, 38)


def test_agreement_sentence_follows_the_numbers(page):
    table, agreement = page["table"], page["agreement"]
    sentence = next(f for f in page["_findings"] if "**Agreement.**" in f)
    beyond = []
    for photo in page["photos"]:
        lime_shap, seeds = table[photo]["LIME-SHAP rank correlation"], table[photo]["seed-seed rank correlation"]
        assert agreement.loc[photo, "LIME-SHAP"] == lime_shap
        assert agreement.loc[photo, "most LIME's noise allows"] == pytest.approx(np.sqrt(max(seeds, 0)), rel=1e-12)
        verdict = agreement_beyond_noise(lime_shap, seeds, table[photo]["superpixels"])
        assert agreement.loc[photo, "beyond the noise"] == verdict
        if verdict:
            beyond.append(photo)
    if beyond:
        assert f"disagree beyond LIME's sampling noise for {' and '.join(beyond)}." in sentence
    else:
        assert "for neither photo: more samples are needed to compare." in sentence


def fewer_negatives_for_shap(lower):
    """The side-by-side claim: SHAP's count of superpixels that lower p is below both of
    LIME's (two seeds), photo by photo (written here without the page's code)."""
    return all(shap < min(lime, lime_other) for lime, lime_other, shap in lower.values())


def test_the_fewer_negatives_claim_holds_and_can_fail(page):
    assert fewer_negatives_for_shap(page["lower"])
    assert all(page["hidden"][p][1] < 0.05 for p in page["photos"])  # a near-zero base
    # the opposite case: SHAP finds as many as one of LIME's seeds
    assert not fewer_negatives_for_shap({"a": [10, 3, 3]})
    assert not fewer_negatives_for_shap({"a": [2, 3, 5], "b": [9, 9, 0]})


def chance_of_wins(wins, cases, n_random):
    """P(at least ``wins`` of ``cases`` beat all ``n_random`` random rankings) for rankings
    no better than random: each case wins with probability 1 / (n_random + 1)."""
    from math import comb

    q = 1 / (n_random + 1)
    return sum(comb(cases, w) * q**w * (1 - q) ** (cases - w) for w in range(wins, cases + 1))


def test_the_deletion_verdict_can_go_both_ways():
    # every case beats 19 random rankings: far beyond chance
    assert chance_of_wins(4, 4, 19) < 0.05
    # one case in four beats 4 random rankings: what chance gives most of the time
    assert chance_of_wins(1, 4, 4) > 0.5
    # no win at all is certain under chance
    assert chance_of_wins(0, 4, 19) == pytest.approx(1.0)


def test_deletion_recomputed(page):
    deletion, n_random = page["deletion"], page["n_random"]
    assert page["ks"][0] == 1  # the first point of each curve: one superpixel removed
    for i, photo in enumerate(page["photos"]):
        label, image, segments = page["classes"][photo], page["images"][i], page["segments"][photo]
        S = page["n_segments"][photo]
        fills = {"mean colour": page["off"][photo], "blur": page["blurred"][photo]}
        weights = {"LIME": page["lime"][photo][0], "SHAP": page["shap_totals"][photo]}
        # the top superpixel of each method, removed superpixel by superpixel, through predict_proba
        batch, cases = [image], []
        for fill_name, fill in fills.items():
            for method, w in weights.items():
                on = np.ones((1, S), int)
                on[0, np.argmax(w)] = 0
                batch.append(switch_off(image, segments, on, fill)[0])
                cases.append((fill_name, method))
        proba, tolerance = network(np.stack(batch))
        for j, (fill_name, method) in enumerate(cases, start=1):
            drop = proba[0, label] - proba[j, label]
            page_drop = page["curves"][photo, fill_name][method][0]
            assert abs(page_drop - drop) <= tolerance[0, label] + tolerance[j, label]
        for fill_name in fills:
            curves = page["curves"][photo, fill_name]
            assert set(curves) == {"LIME", "SHAP", *range(n_random)}
            row = deletion.loc[(photo, fill_name)]
            assert row["LIME"] == curves["LIME"].mean()
            assert row["SHAP"] == curves["SHAP"].mean()
            assert row["best random"] == max(curves[r].mean() for r in range(n_random))
    # the sentence counts what the table shows, and sets it against chance per photo:
    # the two removals of one photo share its ranking, so only the photos are independent
    sentence = next(f for f in page["_findings"] if "**Deletion.**" in f)
    best, cases = deletion["best random"], len(deletion)
    won = {m: deletion[m] > best for m in ("LIME", "SHAP")}
    counts = f"in {won['LIME'].sum()} (LIME) and {won['SHAP'].sum()} (SHAP) of {cases} cases"
    assert counts in sentence
    photos = page["photos"]
    wins = {m: sum(all(w.loc[p]) for p in photos) for m, w in won.items()}
    assert f"under both removals for {wins['LIME']} and {wins['SHAP']} of the 2 photos" in sentence
    chance = {m: chance_of_wins(w, len(photos), n_random) for m, w in wins.items()}
    assert f"at most {chance['LIME']:.2f} and {chance['SHAP']:.2f}:" in sentence
    words = {m: "beats chance" if q < 0.05 else "is within chance" for m, q in chance.items()}
    assert f"LIME {words['LIME']}, SHAP {words['SHAP']}." in sentence


def test_deletion_wins_on_one_photo_under_both_removals_are_within_chance(page):
    """The full build's case: LIME beats all 19 random rankings under both removals of the
    coffee and under neither of the cat. Counted as four independent cases that was
    'beats chance' (p = 0.01); the two removals of a photo share a ranking, and per photo
    it is one of two (p <= 0.10). Both photos won is beyond chance."""
    from .conftest import rerun_cell

    deletion = page["deletion"].copy()
    n_random = page["n_random"]
    best = deletion["best random"]
    lose, win = best - 0.01, best + 0.01
    deletion["LIME"] = [lose.iloc[0], lose.iloc[1], win.iloc[2], win.iloc[3]]  # coffee only
    deletion["SHAP"] = win  # every case
    name = "09_imagenet/plot_06_lime_shap_photos.py"
    after, said = rerun_cell(name, page, "What the numbers say", deletion=deletion)
    assert list(after["wins"]) == [1, 2]
    assert after["verdict"] == ["is within chance", "beats chance"]
    assert chance_of_wins(1, 2, n_random) > 0.05 > chance_of_wins(2, 2, n_random)
    assert "LIME is within chance, SHAP beats chance." in said[0]


def test_figures(page):
    figures = page["_figures"]
    assert len(figures) == 4  # hidden, LIME's samples, LIME and SHAP, deletion
    signed = [im for fig in figures for ax in fig.axes for im in ax.get_images() if im.get_cmap().name == DIVERGING]
    assert len(signed) == 3 * 2  # LIME, SHAP per pixel and SHAP per superpixel, two photos
    assert all(im.get_clim()[0] == -im.get_clim()[1] for im in signed)
    # the deletion figure: every random ranking drawn, with both methods and the zero line
    deletion = figures[-1]
    assert [len(ax.get_lines()) for ax in deletion.axes] == [page["n_random"] + 3] * 4
    # the first figure's titles carry the page's numbers
    titles = [ax.get_title() for ax in figures[0].axes]
    assert titles[1].endswith(f"= {page['hidden']['chelsea'][0]:.2f}")
    assert titles[5].endswith(f"= {page['hidden']['coffee'][1]:.2f}")
