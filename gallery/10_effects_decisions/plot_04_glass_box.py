"""
# Glass-box models: an Explainable Boosting Machine and a GAM against the black box

**Catalog J4** · **Question:** structure, comparison, performance · **Family:** tree, linear · **Phase:** after training · **Data:** insurance

Partial dependence and SHAP explain a black box from outside, approximately. A
*glass-box* model is its own explanation: a generalized additive model (GAM) predicts a
sum of one curve per feature, so the curves *are* the model. What does that cost? This
page fits two glass boxes to the insurance charges of pages D4-D7, an Explainable
Boosting Machine (EBM, `interpret`: boosted shallow trees, one feature at a time, plus a
few pairwise terms) and a penalized regression-spline GAM written with scikit-learn,
draws their curves next to the black box's partial dependence, and measures the accuracy
each gives up, or not, with a paired bootstrap interval.
"""

# %%
# ## The black box and the data
#
# The black box is the gradient-boosting model of pages D4-D7 (`fit_insurance_model`:
# 300 trees of depth 3, learning rate 0.05), fitted to yearly medical charges from age,
# BMI, children, sex, smoking and region; a quarter of the 1,338 people is held out.
# The table was simulated by B. Lantz from US Census statistics, so its patterns are the
# simulation's, not evidence about real patients.
import numpy as np
import pandas as pd

from mlviz.config import QUICK, SEED
from mlviz.explain import fit_insurance_model
from mlviz.report import claim, say

fitted = fit_insurance_model()
black_box, X_train, X_test = fitted.model, fitted.X_train, fitted.X_test
y_train, y_test = fitted.y_train.to_numpy(), fitted.y_test.to_numpy()
r2_black_box = black_box.score(X_test, y_test)
say(f"Black box test R²: **{r2_black_box:.3f}** ({len(y_test)} people).")

# %%
# ## An Explainable Boosting Machine
#
# An EBM (Lou, Caruana et al., 2012-2013) boosts very small trees on *one feature at a
# time*, cycling with a small learning rate, so that each feature's trees add up to one
# step-shaped curve, its *shape function*. It then ranks the pairs of features by how
# much a pair term would help (the FAST test) and boosts the best few (we ask for 3; the
# default, five per feature, takes all 28 here and several times as long). All this is
# repeated on `outer_bags` random 85% subsets of the training rows (14, the default; 4
# in quick mode) and averaged; the bags' spread is interpret's measure of uncertainty.
from interpret.glassbox import ExplainableBoostingRegressor

ebm = ExplainableBoostingRegressor(
    interactions=3, outer_bags=4 if QUICK else 14, random_state=SEED
).fit(X_train, y_train)

# A term's importance is its mean absolute contribution over the training rows; the same
# sum for each bag's own scores gives the spread across bags.
per_bag = [
    np.abs(bags.reshape(len(bags), -1)) @ w.ravel() / w.sum()
    for bags, w in zip(ebm.bagged_scores_, ebm.bin_weights_)
]
importance = pd.DataFrame(
    {
        "term": ebm.term_names_,
        "importance (USD)": ebm.term_importances(),
        "lowest bag": [bag.min() for bag in per_bag],
        "highest bag": [bag.max() for bag in per_bag],
    }
).sort_values("importance (USD)", ascending=False)
importance.round(0)

# %%
# The strongest pair should be BMI × smoker, the interaction pages D5 and J2 found in
# the black box; we ask that it come first in every bag, each fitted on other rows.
pairs = importance[importance["term"].str.contains(" & ")]
top, next_ = pairs.iloc[0], pairs.iloc[1]
claim(
    top["term"] == "bmi & smoker" and top["lowest bag"] > next_["highest bag"],
    "the EBM's strongest pair is BMI × smoker, ahead of the next pair in every bag",
    evidence=f"{top['lowest bag']:,.0f} against {next_['highest bag']:,.0f}",
)
say(
    f"Strongest pair: **{top['term']}**, ${top['lowest bag']:,.0f} to "
    f"${top['highest bag']:,.0f} across bags; next: {next_['term']}, at most "
    f"${next_['highest bag']:,.0f}. EBM test R²: **{ebm.score(X_test, y_test):.3f}**."
)

# %%
# ## A GAM, written out
#
# The classic GAM fits each curve as a spline. We expand age, BMI and children into
# cubic B-spline bases (`SplineTransformer`), pass the 0/1 columns through, and fit one
# ridge regression on it all, its penalty chosen by leave-one-out error (`RidgeCV`): a
# penalized regression-spline GAM (`mgcv` would penalize wiggliness rather than size).
# With no pair terms, smoking can shift the BMI curve up, not make it steeper.
# `gam_terms` (helper package) splits its prediction into one centred curve per
# feature, with the pointwise sd of the ridge's Bayesian posterior (Wood, 2017).
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import SplineTransformer

from mlviz.explain.gam import gam_terms

splines = ColumnTransformer(
    [
        ("age", SplineTransformer(n_knots=8, degree=3), ["age"]),
        ("bmi", SplineTransformer(n_knots=8, degree=3), ["bmi"]),
        ("children", SplineTransformer(n_knots=4, degree=2), ["children"]),
    ],
    remainder="passthrough",  # sex, smoker and region are 0/1: one coefficient each
)
gam = make_pipeline(splines, RidgeCV(alphas=np.logspace(-3, 3, 25)))
gam.fit(X_train, y_train)
say(f"GAM: alpha {gam[-1].alpha_:.3g}, test R² **{gam.score(X_test, y_test):.3f}**.")

# %%
# ## Shape functions against the black box's partial dependence
#
# We evaluate every curve on one grid per feature: its training quantiles at 2.5%, 7.5%,
# ... 97.5% (20 levels; 10 in quick mode), each one a value somebody has. Every grid
# point stands for the same share of people, so a plain mean over the grid is a mean
# over the people, and we centre each curve by it. An EBM curve is a lookup table: the
# score of the bin a value falls in (interpret's bin 0 holds missing values). The black
# box's partial dependence is its mean prediction with the feature set to the grid value
# for everyone. Bands: ± 2 standard deviations, across bags (EBM) and posterior (GAM).
import matplotlib.pyplot as plt

from mlviz.explain.gam import plot_shape_functions

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

levels = (np.arange(10 if QUICK else 20) + 0.5) / (10 if QUICK else 20)
grid = pd.DataFrame(
    {c: np.quantile(X_train[c], levels, method="inverted_cdf") for c in X_train.columns}
)


def ebm_lookup(term, values):
    """The EBM's score and bag spread for a term at given values (one per feature)."""
    j = ebm.term_names_.index(term)
    features = ebm.term_features_[j]
    cuts = [ebm.bins_[f][min(len(features), len(ebm.bins_[f])) - 1] for f in features]
    index = tuple(np.searchsorted(c, v, side="right") + 1 for c, v in zip(cuts, values))
    return ebm.term_scores_[j][index], ebm.standard_deviations_[j][index]


def pd_at(model, feature, value, **others):
    """Partial dependence at one value: the mean prediction, the value set for all."""
    return model.predict(X_train.assign(**{feature: value}, **others)).mean()


gam_parts = gam_terms(gam, grid, X_train=X_train, y_train=y_train)
curves, bands = {}, {}
for feature in ["age", "bmi", "children"]:
    x = grid[feature].to_numpy()
    score, spread = ebm_lookup(feature, [x])
    pdp = np.array([pd_at(black_box, feature, v) for v in x])
    curves[feature] = pd.DataFrame(
        {"EBM": score, "GAM": gam_parts.terms[feature].to_numpy(), "black box PD": pdp},
        index=x,
    )
    curves[feature] -= curves[feature].mean()  # centred over the grid
    bands[feature] = {"EBM": 2 * spread, "GAM": 2 * gam_parts.std[feature].to_numpy()}

colors = {"EBM": "C0", "GAM": "C2", "black box PD": "C7"}
axes = plot_shape_functions(curves, bands, colors=colors, dashed=["black box PD"],
                            ylabel="centred contribution (USD)")  # fmt: skip
axes[0].figure.suptitle("Each model's curve per feature, centred over the same grid")
plt.show()

# %%
# How far apart are the curves? The root-mean-square gap of each glass box's centred
# curve from the black box's over the grid, next to the spread of the black box's curve:
rms = lambda values: (values**2).mean() ** 0.5  # over the grid, per column
gap = lambda c: rms(c[["EBM", "GAM"]].sub(c["black box PD"], axis=0))
gaps = pd.DataFrame({f: gap(c) for f, c in curves.items()}).T.add_prefix("gap ")
gaps.insert(0, "spread of PD", [rms(c["black box PD"]) for c in curves.values()])
gaps.round(0)

# %%
# One reading the three models should share is that charges rise with age. For each
# curve, the rise from the youngest to the oldest grid point; for the EBM and the GAM it
# must exceed twice its standard deviation (the two ends' deviations added, a bound
# that holds however they are correlated).
age = curves["age"]
rise = age.iloc[-1] - age.iloc[0]
rise_sd = {name: band[0] / 2 + band[-1] / 2 for name, band in bands["age"].items()}
claim(
    all(rise[name] > 2 * rise_sd[name] for name in rise_sd)
    and rise["black box PD"] > 0,
    "all three models say charges rise with age, beyond the glass boxes' uncertainty",
    evidence=", ".join(f"{name} {value:,.0f}" for name, value in rise.items()),
)
say(
    f"From age {age.index[0]:.0f} to {age.index[-1]:.0f} the curves rise by "
    + ", ".join(f"**${value:,.0f}** ({name})" for name, value in rise.items())
    + f"; its sd is at most ${rise_sd['EBM']:,.0f} (EBM), ${rise_sd['GAM']:,.0f} (GAM)."
)

# %%
# ## The pairwise term: BMI × smoker
#
# For each model, the predicted charge against BMI with everybody set to non-smoker and
# to smoker: the black box's two-feature partial dependence; the EBM's BMI curve +
# smoker term + pair term; the GAM's BMI curve + smoker term (all centred alike).
bmi = grid["bmi"].to_numpy()
share = X_train["smoker"].mean()
surfaces, pair_sd = {}, {}
for s in (0, 1):
    gam_s = gam_terms(gam, grid.assign(smoker=s), X_train=X_train).terms
    pair, pair_sd[s] = ebm_lookup("bmi & smoker", [bmi, np.full_like(bmi, s)])
    surfaces[s] = pd.DataFrame(
        {
            "black box PD": [pd_at(black_box, "bmi", b, smoker=s) for b in bmi],
            "EBM": ebm_lookup("bmi", [bmi])[0] + ebm_lookup("smoker", [[s]])[0] + pair,
            "GAM": (gam_s["bmi"] + gam_s["smoker"]).to_numpy(),
        },
        index=bmi,
    )
centre = (1 - share) * surfaces[0].mean() + share * surfaces[1].mean()

fig, axes = plt.subplots(1, 3, figsize=(13, 4.5), sharey=True)
for ax, name in zip(axes, ["black box PD", "EBM", "GAM"]):
    for s, color, label in [(0, "C0", "non-smoker"), (1, "C1", "smoker")]:
        ax.plot(bmi, surfaces[s][name] - centre[name], color=color, lw=2.5, label=label)
    ax.axvline(30, color="0.5", ls=":", lw=1)
    ax.set(title=name, xlabel="bmi")
axes[0].set_ylabel("centred predicted charge (USD)")
axes[0].legend(loc="upper left")
fig.suptitle("Predicted charge against BMI, everybody set to non-smoker or to smoker")
plt.show()

# %%
# The interaction as one number per model: how much more crossing BMI 30 adds for a
# smoker than for a non-smoker (the grid points above 30 against those below). The main
# terms cancel from this double difference, so for the EBM it is the pair term alone,
# and its bag spread bounds it as above.
above = bmi > 30
weights_dd = np.where(above, 1 / above.sum(), -1 / (~above).sum())
extra = weights_dd @ (surfaces[1] - surfaces[0])  # one number per model
extra_sd = np.abs(weights_dd) @ (pair_sd[0] + pair_sd[1])
claim(
    extra["EBM"] > 2 * extra_sd,
    "the EBM's pair term makes crossing BMI 30 cost smokers more than non-smokers, "
    "beyond its bag spread",
    evidence=f"{extra['EBM']:,.0f}, sd at most {extra_sd:,.0f}",
)
say(
    f"Crossing BMI 30 adds **${round(extra['black box PD']):,}** more for a smoker in "
    f"the black box, **${round(extra['EBM']):,}** (sd at most ${round(extra_sd):,}) in "
    f"the EBM, and **${round(extra['GAM']):,}** in the GAM, which cannot express it."
)

# %%
# ## The accuracy each model gives up, or not
#
# Test R² of each model minus the black box's, on the same test people, with a paired
# bootstrap interval (`bootstrap_difference`, helper package). We also score the EBM
# *without* its pair terms (its main curves and intercept, not refitted) to see what the
# pairs buy. The verdicts: "gives up X" when the interval lies below 0; "more
# accurate" when it lies above 0; "gives up nothing that matters" when it contains 0 and
# its lower end is above -0.01 (a loss of at most 1% of the variance of charges: our
# margin, stated so that you can apply yours); otherwise the test set cannot tell.
from sklearn.metrics import r2_score

from mlviz.inspect.performance import bootstrap_difference

NEGLIGIBLE = 0.01
contributions = ebm.eval_terms(X_test)
is_main = [len(features) == 1 for features in ebm.term_features_]
predictions = {
    "EBM": ebm.predict(X_test),
    "EBM, main terms only": ebm.intercept_ + contributions[:, is_main].sum(axis=1),
    "GAM": gam.predict(X_test),
}
n_resamples, reference = 500 if QUICK else 2000, black_box.predict(X_test)
versus = {
    name: bootstrap_difference(r2_score, y_test, p, reference, n_resamples=n_resamples)
    for name, p in predictions.items()
}


def verdict(d):
    if d.high < 0:
        return f"gives up {-d.estimate:.3f}"
    if d.low > 0:
        return "more accurate"
    return "gives up nothing that matters" if d.low > -NEGLIGIBLE else "cannot tell"


accuracy = pd.DataFrame(
    {
        "test R²": [r2_score(y_test, p) for p in predictions.values()],
        "minus black box": [d.estimate for d in versus.values()],
        "95% interval": [f"{d.low:+.3f} to {d.high:+.3f}" for d in versus.values()],
        "verdict": [verdict(d) for d in versus.values()],
    },
    index=list(predictions),
).round(3)
accuracy

# %%
# What the pair terms buy: the EBM against its own main terms, paired the same way.
mains = predictions["EBM, main terms only"]
gain = bootstrap_difference(
    r2_score, y_test, predictions["EBM"], mains, n_resamples=n_resamples
)
claim(
    versus["GAM"].high < 0,
    "the additive GAM gives up accuracy against the black box",
    evidence=f"{versus['GAM']:+.3f}",
)
claim(
    versus["EBM"].low > -NEGLIGIBLE and gain.low > 0,
    "the EBM gives up nothing that matters, and its pair terms are what close the gap",
    evidence=f"EBM {versus['EBM']:+.3f}; pairs add {gain:+.3f}",
)
say(
    f"R² against the black box: GAM **{verdict(versus['GAM'])}**; EBM "
    f"**{verdict(versus['EBM'])}** ({versus['EBM']:+.3f}). Its pair terms add "
    f"{gain:.3f}; without them: {verdict(versus['EBM, main terms only'])}."
)

# %%
# ## How to read these figures
#
# * **Shape functions** (first figure): how much one feature adds to a prediction,
#   centred to average zero over the people. For the EBM and the GAM the curve *is* the
#   model's use of the feature; the black box's partial dependence describes it from
#   outside, as an average. Where the three agree, the learner matters little.
# * **The bands** (± 2 sd: the EBM's bags, the GAM's posterior) do not cover the choice
#   of model, nor the black box's own uncertainty.
# * **BMI × smoker** (second figure): non-parallel curves are the interaction. The GAM's
#   are parallel by construction; the accuracy table shows what that costs (compare
#   the EBM without its pair terms).
# * **Accuracy** (the table) holds for this test set only: another split or seed moves
#   both models too (see [page J8](plot_08_model_comparison_cv.md)).
#
# ## Pitfalls
#
# * **A shape function is one learner's answer, not the data's.** Different GAM learners
#   fitted to the same data draw different curves (Chang et al., "How interpretable and
#   trustworthy are GAMs?", KDD 2021): trees make jumps, splines smooth them away, and
#   with correlated features (concurvity) credit can move between curves. Trust the
#   features where learners agree, and read the rest as the learner's bias.
# * **Main effects depend on how pairs are centred.** A pair term can absorb part of a
#   main effect; interpret *purifies* each pair (its averages along each feature are
#   zero) so that the BMI curve means "on average over smokers and non-smokers"
#   (Lengerich et al., 2020). A GAM without pairs answers the same question differently.
# * **Glass box, not causal box.** An intelligible model shows what the data taught it,
#   confounders included: Caruana et al. (2015) found a pneumonia model in which asthma
#   *lowered* the risk of death, because asthmatics were treated faster.
