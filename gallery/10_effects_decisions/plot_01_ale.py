"""
# Accumulated local effects (ALE) against partial dependence on correlated features

**Catalog J1** · **Question:** importance, comparison · **Family:** any · **Phase:** after training · **Data:** synthetic, insurance

A partial dependence (PD) curve sets one feature to a value for *every* row and
averages the model's predictions. When that feature moves with another one, many of
those rows never occur (a person 1.90 m tall who weighs 45 kg), the model was fitted on
nothing like them, and its guesses there bend the curve. Accumulated local effects
(ALE; Apley and Zhu, 2020) ask a local question instead: within a narrow bin of the
feature, how much does the prediction change across the bin for the rows that lie in
it? Those changes are summed from left to right. This page runs both on a table whose
generating function it states, with two strongly correlated features, measures how far
each curve lies from the true effect over several draws of the table, and then compares
them on the insurance data.
"""

# %%
# ## A table whose effects are known
#
# An example from Apley and Zhu, with a third, independent feature added: $x_1$ is
# uniform on [0, 1], $x_2 = x_1 + \varepsilon_2$ with $\varepsilon_2 \sim N(0, 0.05^2)$,
# $x_3$ is uniform and independent of both, and
#
# $$y = x_1 + x_2^2 + \tfrac{1}{2}\sin(2\pi x_3) + \varepsilon, \qquad \varepsilon \sim N(0, 0.1^2).$$
#
# The terms add up, so each feature's true effect is its own term. A gradient-boosting
# model (100 trees of depth 5) is fitted to one draw of 2,000 rows and scored on
# another.
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor

from mlviz.config import QUICK
from mlviz.report import claim, say

n = 2000
truth = {
    "x1": lambda v: v,
    "x2": lambda v: v**2,
    "x3": lambda v: np.sin(2 * np.pi * v) / 2,
}


def draw_table(seed):
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(0, 1, n)
    x2, x3 = x1 + rng.normal(0, 0.05, n), rng.uniform(0, 1, n)
    X = pd.DataFrame({"x1": x1, "x2": x2, "x3": x3})
    y = sum(f(X[c]) for c, f in truth.items()) + rng.normal(0, 0.1, n)
    return X, y


def fit(X, y):
    gbm = GradientBoostingRegressor(max_depth=5, learning_rate=0.1, random_state=0)
    return gbm.fit(X, y)


X, y = draw_table(seed=0)
model = fit(X, y)
say(
    f"Correlation of x1 and x2: **{X['x1'].corr(X['x2']):.3f}**. R² of the model on "
    f"a fresh draw of {n} rows: **{model.score(*draw_table(seed=100)):.3f}**."
)

# %%
# ## ALE, written out
#
# Cut $x_1$'s range into 20 bins at its quantiles, so that each bin holds about as many
# rows. Each row is moved to the two edges of its own bin, $z_{k-1}$ and $z_k$, its
# other features kept; the change of the prediction across the bin, averaged over the
# bin's $n_k$ rows, is the bin's local effect. The running sum of the local effects is
# the ALE curve, centred so that its mean over the rows is zero:
#
# $$\mathrm{ALE}(z_k) = \sum_{j=1}^{k} \frac{1}{n_j} \sum_{i \in \text{bin } j} \left[f(z_j, x_{i,2}, x_{i,3}) - f(z_{j-1}, x_{i,2}, x_{i,3})\right] - c.$$
#
# PD at a value $v$ is the mean of $f(v, x_{i,2}, x_{i,3})$ over *all* rows, written
# out in one line below (scikit-learn's `partial_dependence` with `method="brute"`
# computes the same). Both are drawn at the same values, ALE's bin edges.
edges = np.unique(np.quantile(X["x1"], np.linspace(0, 1, 21), method="inverted_cdf"))
bin_of = np.clip(np.searchsorted(edges, X["x1"]), 1, len(edges) - 1)  # (z[k-1], z[k]]
upper = model.predict(X.assign(x1=edges[bin_of]))
lower = model.predict(X.assign(x1=edges[bin_of - 1]))
local = pd.Series(upper - lower).groupby(bin_of).mean()
ale_x1 = np.concatenate([[0.0], local.cumsum()])
ale_x1 -= np.interp(X["x1"], edges, ale_x1).mean()

pd_x1 = np.array([model.predict(X.assign(x1=v)).mean() for v in edges])
pd_x1 -= np.interp(X["x1"], edges, pd_x1).mean()
say(
    f"From x1 = {edges[0]:.2f} to {edges[-1]:.2f} the true effect rises by "
    f"{truth['x1'](edges[-1]) - truth['x1'](edges[0]):.2f}; "
    f"ALE by {ale_x1[-1] - ale_x1[0]:.2f}, PD by {pd_x1[-1] - pd_x1[0]:.2f}."
)

# %%
# ## Where each method asks the model
#
# The farthest any row of the table lies from the diagonal $x_2 = x_1$ is called
# `reach` below. To draw PD at $x_1 = v$ every row is set to $x_1 = v$ and keeps its own
# $x_2$; a row set farther than `reach` from the diagonal is one the table never
# produces (red crosses, left). ALE moves each row only to the edges of its own bin
# (right: the rows of one bin, each a short segment).
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

reach = (X["x2"] - X["x1"]).abs().max()
k = len(edges) - 3  # a bin near the top of the range
v = edges[k]
off = (X["x2"] - v).abs() > reach
rows = X["x2"][bin_of == k]

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.8), sharex=True, sharey=True)
for ax in (left, right):
    ax.scatter(X["x1"], X["x2"], s=4, color="0.6", alpha=0.5, label="the table's rows")
    for sign in (-1, 1):
        ax.plot([0, 1], [sign * reach, 1 + sign * reach], ls=":", color="0.4", lw=1)
    ax.set_xlabel("x1")
left.scatter(np.full(off.sum(), v), X["x2"][off], marker="x", s=14, color="C3",
             label=f"PD rows outside the data ({off.sum()})")  # fmt: skip
left.scatter(np.full((~off).sum(), v), X["x2"][~off], s=10, color="C1",
             label=f"PD rows like the data ({(~off).sum()})")  # fmt: skip
left.set(ylabel="x2", title=f"PD at x1 = {v:.2f}: every row, set to x1 = v")
right.hlines(rows, edges[k - 1], edges[k], color="C0", lw=2,
             label=f"ALE rows of bin {k} ({len(rows)})")  # fmt: skip
right.set_title(f"ALE, bin {k}: its rows, moved across the bin")
for ax in (left, right):
    ax.legend(loc="upper left", markerscale=2)
plt.show()

# over the whole grid: PD's rows, and ALE's rows at both edges of their bins
pd_off = np.mean([(X["x2"] - z).abs() > reach for z in edges])
ale_off = np.mean(
    [(X["x2"] - edges[bin_of - s]).abs() > reach for s in (0, 1)]  # upper, lower edge
)
claim(
    pd_off > 0.5,
    "most of the rows PD averages over lie farther from the diagonal than any row of "
    "the table",
    evidence=f"{pd_off:.1%}",
)
say(
    f"`reach` = {reach:.3f}. Over the {len(edges)} grid values, **{pd_off:.0%}** of "
    f"the rows PD asks the model about lie beyond it; of ALE's moved rows, "
    f"**{ale_off:.2%}**. At x1 = {v:.2f} (left), {off.mean():.0%} of PD's rows do."
)

# %%
# ## Both curves against the truth
#
# `accumulated_local_effects` from the gallery's helper package does the steps above
# for any feature (returning a table of bin edges and effects); PD is computed at the
# same edges. All curves are centred on their mean over the rows, so that only shapes
# are compared. A curve's error is the root mean square of (curve − true effect) over
# the rows.
from mlviz.explain.ale import accumulated_local_effects


def curves(model, X):
    out = {}
    for c in X.columns:
        ale = accumulated_local_effects(model.predict, X, c, bins=20)
        grid, x = ale["value"].to_numpy(), X[c].to_numpy()
        pd_c = np.array([model.predict(X.assign(**{c: v})).mean() for v in grid])
        d = {"grid": grid, "ALE": ale["effect"].to_numpy()}
        d["PD"] = pd_c - np.interp(x, grid, pd_c).mean()
        d["truth"] = truth[c](grid) - truth[c](x).mean()
        for m in ("ALE", "PD"):
            gap = np.interp(x, grid, d[m]) - (truth[c](x) - truth[c](x).mean())
            d[f"{m} error"] = np.sqrt(np.mean(gap**2))
        out[c] = d
    return out


fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
for ax, (c, d) in zip(axes, curves(model, X).items()):
    ax.plot(d["grid"], d["truth"], color="0.45", ls="--", lw=2, label="true effect")
    ax.plot(d["grid"], d["PD"], color="C1", lw=2, label=f"PD ({d['PD error']:.3f})")
    ax.plot(d["grid"], d["ALE"], color="C0", lw=2, label=f"ALE ({d['ALE error']:.3f})")
    ax.set(xlabel=c, title=f"effect of {c}")
    ax.legend(loc="best", title="curve (RMS error)")
axes[0].set_ylabel("centred effect on y")
plt.show()

# %%
# ## Beyond one draw: other tables, other models
#
# One draw could favour either method by chance. We draw the table again with other
# seeds, refit the model and compare the two errors seed by seed: the mean paired
# difference, with its standard error over the seeds. For $x_1$ we also ask why PD
# goes wrong: how far the model is from the true function on PD's rows outside the
# data, and on PD's rows like the data (root mean square).
seeds = range(3 if QUICK else 8)
records = []
for seed in seeds:
    X_s, y_s = draw_table(seed)
    model_s = fit(X_s, y_s)
    row = {}
    for c, d in curves(model_s, X_s).items():
        row.update({f"{m} error, {c}": d[f"{m} error"] for m in ("PD", "ALE")})
    others = (truth["x2"](X_s["x2"]) + truth["x3"](X_s["x3"])).to_numpy()
    reach_s = (X_s["x2"] - X_s["x1"]).abs().max()
    # PD's rows for x1 (one row of the arrays per grid value): model minus truth
    ice = np.array([model_s.predict(X_s.assign(x1=v)) for v in edges])
    gap = ice - (truth["x1"](edges)[:, None] + others)
    outside = np.abs(X_s["x2"].to_numpy() - edges[:, None]) > reach_s
    row["model error, outside"] = np.sqrt(np.mean(gap[outside] ** 2))
    row["model error, like data"] = np.sqrt(np.mean(gap[~outside] ** 2))
    records.append(row)
per_seed = pd.DataFrame(records, index=pd.Index(seeds, name="seed"))


def paired(a, b):
    """Mean of a - b over the seeds, and its standard error."""
    d = per_seed[a] - per_seed[b]
    return d.mean(), d.std(ddof=1) / np.sqrt(len(d))


table = pd.DataFrame(
    {
        c: [per_seed[f"PD error, {c}"].mean(), per_seed[f"ALE error, {c}"].mean()]
        + list(paired(f"PD error, {c}", f"ALE error, {c}"))
        for c in X.columns
    },
    index=["PD error", "ALE error", "PD − ALE", "± standard error"],
).T
diff, se = table["PD − ALE"], table["± standard error"]
claim(
    all(diff[c] > 2 * se[c] for c in ("x1", "x2")),
    "for both correlated features ALE lies closer to the true effect than PD, by more "
    "than twice the paired standard error over the seeds",
    evidence=", ".join(f"{c}: {diff[c]:.4f} ± {se[c]:.4f}" for c in ("x1", "x2")),
)
span = {c: np.ptp(truth[c](X[c])) for c in X.columns}
say(
    f"Over {len(seeds)} draws PD's error exceeds ALE's by {diff['x1']:.3f} ± "
    f"{se['x1']:.3f} for x1 and {diff['x2']:.3f} ± {se['x2']:.3f} for x2 (true "
    f"effects spanning {span['x1']:.2f} and {span['x2']:.2f}). For the independent x3 "
    f"the difference is {diff['x3']:+.4f} ± {se['x3']:.4f}, "
    + ("beyond" if abs(diff["x3"]) > 2 * se["x3"] else "within")
    + " twice its standard error."
)
why = paired("model error, outside", "model error, like data")
claim(
    why[0] > 2 * why[1],
    "on PD's rows outside the data the model is farther from the true function than "
    "on rows like the data",
    evidence=f"{why[0]:.3f} ± {why[1]:.3f}",
)
say(
    f"On PD's rows for x1 outside the data the model misses the true function by "
    f"{per_seed['model error, outside'].mean():.3f} (root mean square); on rows like "
    f"the data, by {per_seed['model error, like data'].mean():.3f}. PD averages both "
    "kinds; ALE uses rows within a bin's width of the data."
)
table.round(4)

# %%
# ## On the insurance data
#
# The gradient-boosting model of pages D4-D7 (`fit_insurance_model`: 300 trees of
# depth 3) on its training people. The table gives each feature's largest correlation
# with another column, and the rise of each curve from the lowest to the highest
# value: PD's is the mean over people of the change between the two; ALE's, the sum
# of its local effects. Their difference gets a standard error from a bootstrap over
# the people (the model fixed).
from mlviz.explain import fit_insurance_model
from mlviz.explain.ale import ale_bin_edges

fitted = fit_insurance_model()
ins, X_ins = fitted.model, fitted.X_train
rng = np.random.default_rng(0)
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
rises = {}
for ax, c in zip(axes, ["age", "bmi"]):
    x = X_ins[c].to_numpy()
    z = ale_bin_edges(x, bins=20)  # as accumulated_local_effects cuts them
    b = np.clip(np.searchsorted(z, x), 1, len(z) - 1)
    set_to = lambda values: ins.predict(X_ins.assign(**{c: values}))
    step, whole = set_to(z[b]) - set_to(z[b - 1]), set_to(z[-1]) - set_to(z[0])
    ale_rise = lambda i: (np.bincount(b[i], step[i])[1:] / np.bincount(b[i])[1:]).sum()
    boot = []
    for _ in range(200 if QUICK else 1000):
        i = rng.integers(0, len(x), len(x))
        boot.append(whole[i].mean() - ale_rise(i))
    r = X_ins.drop(columns=c).corrwith(X_ins[c]).abs()
    rises[c] = {
        "PD rise (USD)": whole.mean(),
        "ALE rise (USD)": ale_rise(np.arange(len(x))),
        "± bootstrap SE": np.std(boot),
        "largest |r|": f"{r.max():.2f} ({r.idxmax()})",
    }
    ale = accumulated_local_effects(ins.predict, X_ins, c, bins=20)
    pd_c = np.array([set_to(v).mean() for v in z])
    ax.plot(z, pd_c - np.interp(x, z, pd_c).mean(), color="C1", lw=2, label="PD")
    ax.plot(ale["value"], ale["effect"], color="C0", lw=2, label="ALE")
    ax.set(xlabel=c, title=f"{c}: PD and ALE, centred")
    ax.legend(loc="upper left")
axes[0].set_ylabel("centred effect on charges (USD)")
plt.show()

rises = pd.DataFrame.from_dict(rises, orient="index")
rises.insert(2, "PD − ALE", rises["PD rise (USD)"] - rises["ALE rise (USD)"])
verdicts = [
    f"{d:,.0f} ± {e:,.0f} USD for {c}, "
    + ("within" if abs(d) <= 2 * e else "beyond")
    + " twice the standard error"
    for c, d, e in zip(rises.index, rises["PD − ALE"], rises["± bootstrap SE"])
]
say("On the insurance data the two rises differ by " + "; ".join(verdicts) + ".")
rises.round(0)

# %%
# ## How to read these figures
#
# * **Where each method asks the model** (first figure): the grey cloud is the table
#   and the dotted lines bound it. PD's column of points at one value of x1 runs
#   through the whole range of x2; its red crosses lie where the table has no row.
#   ALE's segments are one bin wide and start at real rows.
# * **The curves** (second figure): the dashed line is the term the table was built
#   with; the legend gives each curve's error. The table below it repeats the errors
#   over several draws; a difference within two standard errors is evidence for
#   neither method. Impossible rows cost PD nothing when the model adds one function
#   per feature (PD and ALE then coincide at every bin edge); they cost it where the
#   model's guesses off the data do not add up. Here the curves differ, so the trees'
#   guesses do not.
# * **Insurance** (last figure): no truth to compare with; the table says whether the
#   two methods disagree by more than resampling the people explains.
#
# ## Pitfalls
#
# * **ALE is local: do not read it across bins when features are strongly
#   correlated.** Each step is the model's change within one bin, with the partner
#   feature where it was; the sum from the lowest to the highest value describes no
#   row's change, since no row moves x1 that far while keeping its x2 (Molnar,
#   *Interpretable Machine Learning*, on ALE). ALE avoids impossible rows; it cannot
#   separate two correlated effects that the model itself mixes up.
# * **The number of bins** trades bias against noise: few bins smooth the curve, many
#   leave few rows per bin and a jagged curve, and no rule fixes it. Quantile bins, as
#   here, keep the counts even.
# * **An average hides groups.** Like PD, ALE is a mean; effects that differ between
#   people (the smoker × BMI interaction of page D5) need ICE curves or the spread of
#   the local effects within each bin.
# * **Compare shapes, not levels.** Both curves are centred; their height says nothing
#   about the average prediction.
# * **The model, not the world.** Both curves describe what the model predicts. On the
#   synthetic table they could be checked against the truth; on real data they cannot.
