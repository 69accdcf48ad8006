"""
# Linear regression coefficients, and why feature scale matters

**Catalog D1** · **Question:** importance · **Family:** linear · **Phase:** after training · **Data:** insurance

A linear model's coefficients are its explanation: the prediction is the intercept plus
each feature times its coefficient. An annotated bar chart of them is the quickest way
to say what drives the predictions of a linear model, and in which direction. But a
coefficient is "change in the target per **unit** of the feature", and units differ
(years of age, BMI points, number of children, a 0/1 indicator), so the raw bars are
not comparable. This page fits the same model on raw and on standardized features and
draws both charts side by side.

The charges table is simulated: B. Lantz generated it from US Census Bureau
statistics for *Machine Learning with R*, so its patterns are the simulation's, not
evidence about real patients; the techniques read it as they would read real data.
"""

# %%
# ## Prepare the data, twice
#
# `prepare_insurance` turns the table into numeric columns (0/1 indicators for sex,
# smoker and region, *northeast* being the baseline). With `scale=True` it also
# standardizes the three numeric columns (age, BMI, children) to mean 0 and standard
# deviation 1, leaving the indicators as they are.
from mlviz.datasets import load_insurance, prepare_insurance

df = load_insurance()
X, y = prepare_insurance(df)
X_scaled, _ = prepare_insurance(df, scale=True)
X.describe().loc[["mean", "std", "min", "max"]].round(2)

# %%
# ## Fit the two models
#
# Ordinary least squares on all the people in the table (we interpret the fit, we do
# not evaluate it on new data here; page C7 does). Standardizing a feature is a linear
# change of units, so both models make exactly the same predictions.
import numpy as np
from sklearn.linear_model import LinearRegression

from mlviz.report import claim, say

raw = LinearRegression().fit(X, y)
scaled = LinearRegression().fit(X_scaled, y)
same = np.abs(raw.predict(X) - scaled.predict(X_scaled)).max()
say(
    f"{len(X):,} people. R² = **{raw.score(X, y):.3f}** for both models (largest "
    f"difference between their predictions: ${same:.1e}). Intercept: "
    f"${raw.intercept_:,.0f} raw, ${scaled.intercept_:,.0f} scaled."
)

# %%
# ## Draw the coefficients side by side
#
# `plot_bars` (gallery helper) sorts the bars by magnitude and writes each value in
# dollars. Left: change in charges per unit of each raw feature. Right: per standard
# deviation of the numeric features (and still per switch of the indicators).
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_bars

fig, (ax_raw, ax_scaled) = plt.subplots(1, 2, figsize=(13, 4.8))
plot_bars(
    raw.coef_,
    X.columns,
    ax=ax_raw,
    fmt="{:,.0f}",
    signed=True,
    xlabel="USD per unit of the feature",
)
ax_raw.set_title("Raw features: per year, per BMI point, per child")
plot_bars(
    scaled.coef_,
    X_scaled.columns,
    ax=ax_scaled,
    fmt="{:,.0f}",
    signed=True,
    xlabel="USD per standard deviation (numeric) or per switch (0/1)",
)
ax_scaled.set_title("Numeric features standardized")
plt.show()

coef_raw = dict(zip(X.columns, raw.coef_))
coef_scaled = dict(zip(X.columns, scaled.coef_))
std = X[["age", "bmi", "children"]].std(ddof=0)
rank_raw = list(X.columns[np.argsort(-np.abs(raw.coef_))])
rank_scaled = list(X.columns[np.argsort(-np.abs(scaled.coef_))])
claim(
    rank_raw[0] == rank_scaled[0] == "smoker",
    "being a smoker is the largest effect on both charts",
    evidence=f"raw {rank_raw[:2]}, scaled {rank_scaled[:2]}",
)
runner_up = np.sort(np.abs(scaled.coef_))[-2]  # the second-largest scaled effect
lead = abs(coef_raw["smoker"]) / runner_up
where = "below" if rank_raw.index("age") > rank_raw.index("children") else "above"
say(
    f"Being a smoker adds **${coef_raw['smoker']:,.0f}** to the predicted charges, "
    f"{lead:.1f} times the next largest standardized effect. Raw, one year of age "
    f"adds ${coef_raw['age']:,.0f} and ranks {rank_raw.index('age') + 1} of "
    f"{len(rank_raw)}, {where} *children* (${coef_raw['children']:,.0f} per child). "
    f"Scaled, age (one standard deviation = {std['age']:.1f} years) is worth "
    f"${coef_scaled['age']:,.0f} and ranks {rank_scaled.index('age') + 1}; a standard "
    f"deviation of children ({std['children']:.2f}) is worth "
    f"${coef_scaled['children']:,.0f}. Each scaled coefficient is the raw one times "
    f"the feature's standard deviation (age: {coef_raw['age']:,.1f} × "
    f"{std['age']:.2f} = {coef_raw['age'] * std['age']:,.1f})."
)

# %%
# ## How to read this figure
#
# * A bar is the change in predicted charges (USD) when its feature grows by one unit
#   and all others stay fixed. Red raises the prediction, blue lowers it (the
#   gallery's colours for a signed effect, as on the SHAP and LIME pages).
# * Region bars compare each region with the baseline, *northeast*, which has no bar.
# * Only the right-hand chart ranks the numeric features fairly against each other; the
#   0/1 indicators mean the same on both sides.
#
# ## Pitfalls
#
# * **Raw coefficients depend on units.** Measure age in months and its bar shrinks
#   twelve-fold; nothing about the model changed. Standardize before comparing.
# * **Standardizing indicators is a choice.** We keep them 0/1, so their bar means
#   "switching on"; a standardized indicator's coefficient depends on how common it is.
# * **Correlated features share and swap credit**: a coefficient is the effect *holding
#   the others fixed*, which may never happen in the data.
# * **Coefficients of a poor model mean little.** This linear model misses the
#   smoker × BMI interaction (see page C7's residuals); its coefficients describe the
#   best straight-line summary, not the true effects.
# * **Not causal**: a coefficient is an association in this data set.
