"""
# Regression diagnostics: residuals, predicted vs actual, error metrics

**Catalog C7** · **Question:** performance, comparison · **Family:** linear, tree · **Phase:** after training · **Data:** insurance

A single error number (RMSE, R²) says how wrong a regression model is on average; it
does not say *where* it is wrong. Residual plots do: they show whether errors grow with
the prediction, whether some group of people is systematically under-predicted, and
whether the errors are the symmetric noise that a linear model assumes. This page fits
two models to predict the medical charges billed to insured people (Lantz's *Medical
Cost Personal Datasets*) and reads their residuals side by side.

The charges table is simulated: B. Lantz generated it from US Census Bureau
statistics for *Machine Learning with R*, so its patterns are the simulation's, not
evidence about real patients; the techniques read it as they would read real data.
"""

# %%
# ## Prepare the data
#
# `prepare_insurance` turns the table into numbers: `sex_male` and `smoker` become
# 0/1, the region becomes three 0/1 columns (north-east is the baseline). We hold out a
# quarter of the people for evaluation.
from sklearn.model_selection import train_test_split

from mlviz.config import SEED
from mlviz.datasets import load_insurance, prepare_insurance

X, y = prepare_insurance(load_insurance())
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=SEED
)
print(
    f"{len(X_train)} training rows, {len(X_test)} test rows; "
    f"charges from ${y.min():,.0f} to ${y.max():,.0f}"
)

# %%
# ## Fit two models
#
# A linear regression (one coefficient per feature, no interactions) and a gradient
# boosting model (trees, which can learn that smoking matters more at high BMI).
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression

models = {
    "linear regression": LinearRegression(),
    "gradient boosting": HistGradientBoostingRegressor(
        max_iter=200, learning_rate=0.05, random_state=SEED
    ),
}
predictions = {
    name: model.fit(X_train, y_train).predict(X_test) for name, model in models.items()
}

# %%
# ## Error metrics
#
# MSE squares each error, so a few large misses dominate it; RMSE brings it back to
# dollars. MSLE compares logarithms, so it measures *relative* error (being $2,000 off
# on a $4,000 bill counts as much as $20,000 off on a $40,000 bill) and it is only
# defined when no prediction is negative.
import numpy as np
import pandas as pd
from sklearn.metrics import mean_squared_error, mean_squared_log_error, r2_score

from mlviz.report import claim, say


def usd(value):  # -161 -> "-$161"
    return f"{'-' if value < 0 else ''}${abs(value):,.0f}"


scores = {}
for name, pred in predictions.items():
    mse = mean_squared_error(y_test, pred)
    negative = int((pred < 0).sum())
    scores[name] = {
        "MSE": mse,
        "RMSE (USD)": np.sqrt(mse),
        # MSLE is only defined without negative predictions
        "MSLE": mean_squared_log_error(y_test, pred) if negative == 0 else np.nan,
        "negative predictions": negative,
        "R²": r2_score(y_test, pred),
    }
better = min(scores, key=lambda n: scores[n]["RMSE (USD)"])
worse = max(scores, key=lambda n: scores[n]["RMSE (USD)"])
pd.DataFrame.from_dict(scores, orient="index").rename_axis("model").round(3)

# %%
# Is the gap in RMSE more than luck of the test split? A paired bootstrap redraws the
# test people with replacement and scores both models on each draw
# (`bootstrap_difference`, helper package, over `scipy.stats.bootstrap`); the middle
# 95% of the differences is the interval.
from mlviz.config import QUICK
from mlviz.inspect.performance import bootstrap_difference


def rmse(y_true, y_pred):
    return np.sqrt(np.mean((y_true - y_pred) ** 2))


gap = bootstrap_difference(
    rmse,
    y_test.to_numpy(),
    predictions[worse],
    predictions[better],
    n_resamples=200 if QUICK else 1000,
)
verdict = (
    "the interval excludes 0, so the test set does rank them"
    if gap.excludes(0)
    else "the interval contains 0: this test set cannot rank the two"
)
say(
    f"On the {len(y_test)} test people, **{better}** is off by "
    f"{usd(scores[better]['RMSE (USD)'])} (RMSE) against "
    f"{usd(scores[worse]['RMSE (USD)'])} for "
    f"{worse}: {usd(gap.estimate)} less, with a 95% paired bootstrap interval of "
    f"[{usd(gap.low)}, {usd(gap.high)}]; {verdict}."
)

# %%
# ## Predicted vs actual, and residuals vs predicted
#
# `PredictionErrorDisplay` draws both views. Top row: each dot is a person, placed by
# the prediction (x) and the actual charge (y); the diagonal is a perfect prediction.
# Bottom row: the residual (actual minus predicted) against the prediction; an unbiased
# model scatters evenly around zero at every predicted value. Smokers are drawn in
# orange.
#
# !!! question "Predict the plot"
#     The linear model adds the same extra charge to every smoker (one coefficient), but
#     for smokers the charges climb steeply with BMI. In its *residuals vs predicted*
#     panel, where do you expect the smokers (orange) to sit?
#
# ??? success "Answer"
#     Not in one cloud around zero: they split into two bands, one well above zero
#     (under-predicted, the smokers with a high BMI) and one well below (over-predicted,
#     those with a low BMI). The two bands partly cancel, which is why the smokers'
#     *average* residual computed below looks much smaller than either band. Gradient
#     boosting can learn the smoking-BMI interaction and puts the smokers back around
#     zero.
import matplotlib.pyplot as plt
from sklearn.metrics import PredictionErrorDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

dollars = FuncFormatter(lambda value, _: usd(value / 1000) + "k")  # -8000 -> -$8k

smoker = X_test["smoker"].to_numpy() == 1
colors = np.where(smoker, "C1", "C0")
legend = [
    Line2D([], [], ls="", marker="o", color=c, label=name)
    for c, name in [("C0", "non-smoker"), ("C1", "smoker")]
]
fig, axes = plt.subplots(2, 2, figsize=(11, 10))
for col, (name, pred) in enumerate(predictions.items()):
    for row, kind in enumerate(["actual_vs_predicted", "residual_vs_predicted"]):
        ax = axes[row, col]
        display = PredictionErrorDisplay.from_predictions(
            y_test,
            pred,
            kind=kind,
            subsample=None,
            ax=ax,
            scatter_kwargs={"s": 12, "alpha": 0.6},
        )
        # the Display keeps its artists: recolour by smoking
        display.scatter_.set_color(colors)
        ax.set_title(
            f"{name}: {'actual vs predicted' if row == 0 else 'residuals vs predicted'}"
        )
        ax.legend(handles=legend, loc="upper left" if row == 0 else "lower left")
        for axis in (ax.xaxis, ax.yaxis):  # dollars in thousands, at round values
            axis.set_major_locator(MaxNLocator(6))
            axis.set_major_formatter(dollars)
plt.show()

# %%
# ## The distribution of residuals
#
# A linear model's error bars assume roughly normal, symmetric residuals. A long tail
# on one side means some people are systematically under-predicted. (Grey here: the
# histograms count everyone, smokers and non-smokers.)
from scipy import stats

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, (name, pred) in zip(axes, predictions.items()):
    residuals = y_test.to_numpy() - pred
    ax.hist(residuals, bins=40, color="0.55")
    ax.axvline(0, color="0.2", lw=1)
    ax.axvline(
        np.median(residuals),
        color="black",
        ls="--",
        label=f"median {usd(np.median(residuals))}",
    )
    ax.set_title(f"{name}: skewness {stats.skew(residuals):.2f}")
    ax.set_xlabel("residual: actual - predicted charge (USD)")
    ax.legend()
axes[0].set_ylabel("number of people")
plt.show()

residuals = {name: y_test.to_numpy() - pred for name, pred in predictions.items()}
residuals_lin = residuals["linear regression"]
share_big = float(np.mean(np.abs(residuals_lin) > 2 * np.std(residuals_lin)))
smoker_bias = residuals_lin[smoker].mean()
obese = X_test["bmi"].to_numpy() > 30
high_band = residuals_lin[smoker & obese]  # smokers with a BMI above 30
low_band = residuals_lin[smoker & ~obese]
above, below = np.mean(high_band > 0), np.mean(low_band < 0)
claim(
    above > 0.9 and below > 0.9,
    "smokers split into two bands: high BMI under-predicted, low BMI over-predicted",
    evidence=f"high BMI above 0: {above:.0%}; low BMI below 0: {below:.0%}",
)
claim(
    abs(smoker_bias) < min(abs(high_band.mean()), abs(low_band.mean())) / 2,
    "the two bands partly cancel: the smokers' average residual is much smaller",
    evidence=f"{smoker_bias:,.0f} vs {high_band.mean():,.0f}, {low_band.mean():,.0f}",
)
smoker_error = {name: np.abs(r[smoker]).mean() for name, r in residuals.items()}
claim(
    smoker_error["gradient boosting"] < smoker_error["linear regression"] / 2,
    "gradient boosting puts the smokers back around zero",
    evidence=f"mean |residual| of smokers: {smoker_error}",
)
skew = {name: stats.skew(r) for name, r in residuals.items()}
# is one model's skewness larger beyond the noise? the same paired bootstrap as above
skew_gap = bootstrap_difference(
    lambda y, pred: stats.skew(y - pred),
    y_test.to_numpy(),
    predictions["gradient boosting"],
    predictions["linear regression"],
    n_resamples=200 if QUICK else 1000,
)
normal_share = 2 * stats.norm.sf(2)  # beyond two standard deviations, if normal
share_noise = 1.96 * np.sqrt(normal_share * (1 - normal_share) / len(residuals_lin))
boost_under = residuals["gradient boosting"] > 5000
say(
    f"Linear regression: {share_big:.1%} of test people have a residual beyond two "
    f"standard deviations, "
    + (
        f"about what normal errors give ({normal_share:.1%} ± {share_noise:.1%}), so "
        "this count alone says nothing about the shape of the errors."
        if abs(share_big - normal_share) <= share_noise
        else f"against {normal_share:.1%} ± {share_noise:.1%} for normal errors."
    )
    + f" On average it is off by **{usd(smoker_bias)}** for smokers "
    f"(positive = under-predicted), against {usd(residuals_lin[~smoker].mean())} for "
    f"non-smokers, yet the smokers with a BMI above 30 are under-predicted by "
    f"{usd(high_band.mean())} on average and the others over-predicted by "
    f"{usd(-low_band.mean())}: the two bands of the figure. Residual skewness: "
    f"{skew['linear regression']:.2f} for linear regression, "
    f"{skew['gradient boosting']:.2f} for gradient boosting (0 for a symmetric "
    f"distribution; difference {skew_gap:.2f}, 95% paired bootstrap interval). "
    + (
        "Gradient boosting's residuals are the *more* skewed, beyond the noise: its "
        f"lower RMSE comes with a long right tail. {boost_under.sum()} test people are "
        f"charged more than $5,000 above its prediction, "
        f"{(boost_under & ~smoker).sum()} of them non-smokers, and the linear model "
        f"under-predicts {(residuals_lin[boost_under] > 5000).sum()} of them by as "
        "much: charges that neither model explains from the six columns."
        if skew_gap.low > 0
        else "The test set cannot tell which model's residuals are more skewed."
    )
)
claim(
    skew_gap.low <= 0 or np.mean(residuals_lin[boost_under] > 5000) > 0.5,
    "charges that neither model explains: most of the people gradient boosting "
    "under-predicts by more than $5,000, the linear model under-predicts as much",
    evidence=f"linear residuals of those people: {residuals_lin[boost_under].round()}",
)

# %%
# ## How to read these figures
#
# * **Actual vs predicted**: points on the diagonal are perfect; a cloud of points
#   *above* it at some range means the model under-predicts there.
# * **Residuals vs predicted**: look for structure. Bands, curves or a funnel (spread
#   growing with the prediction) mean the model misses a pattern, here the interaction
#   between smoking and BMI that a plain linear model cannot express.
# * **Residual histogram**: its centre shows bias, its tails show how often the model is
#   far off. Skewness far from 0 says the errors are not symmetric.
#
# ## Pitfalls
#
# * **Plot residuals against the predictions, not against the actual values.** A
#   residual is actual minus predicted, so it grows with the actual value even for a
#   model without any systematic error (for least squares, their correlation is
#   `sqrt(1 - R²)`): a residuals-vs-actual plot slopes upwards, and that slope is not a
#   model failure.
# * **One metric hides groups.** Compare residuals across a variable you care about
#   (smokers here): an acceptable average can hide a group that is always wrong.
# * **MSE vs MSLE measure different things.** Absolute errors favour getting the
#   expensive cases right; log errors favour getting the ratio right for everyone. And
#   MSLE is undefined for negative predictions, which linear models can make.
# * **Evaluate on held-out data.** Training residuals are optimistic, especially for
#   flexible models like gradient boosting.
# * **R² depends on the spread of the test set**; it is not comparable across datasets.
