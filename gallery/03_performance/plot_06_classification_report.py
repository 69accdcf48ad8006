"""
# Classification report as a heatmap, with accuracy and log loss

**Catalog C6** · **Question:** performance, comparison · **Family:** any · **Phase:** after training · **Data:** MBA

`classification_report` prints, for each class, the precision (of the samples predicted
as that class, the share that really are), the recall (of the samples of that class,
the share found) and their harmonic mean, F1, with the class's support (its number of
test samples). As a block of text it is easy to skim past; as a heatmap the weak class
stands out at once. This page draws the report for two models of the MBA admission
decision and adds the two summary numbers that the report leaves out or buries:
accuracy, and the log loss, which judges the predicted probabilities. The MBA table is
synthetic: generated from the statistics of Wharton's Class of 2025, not the records
of real applicants.
"""

# %%
# ## Prepare the data and fit two models
#
# The random forest has the settings of pages C1 and D2 (balanced class weights); the
# logistic regression is unweighted, so it favours the common *Deny* class.
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlviz.explain import fit_mba_forest
from mlviz.report import claim

mba = fit_mba_forest()  # the forest of C1 and D2, fitted once per build
X_train, X_test, y_train, y_test = mba.X_train, mba.X_test, mba.y_train, mba.y_test
classes = list(y_test.cat.categories)  # Admit, Waitlist, Deny
logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
models = {
    "random forest (balanced)": mba.model,
    "logistic regression": logreg.fit(X_train, y_train),
}
predicted = {name: model.predict(X_test) for name, model in models.items()}
deny_share = {name: (pred == "Deny").mean() for name, pred in predicted.items()}
true_deny = (y_test == "Deny").mean()
forest_deny = deny_share["random forest (balanced)"]
claim(
    deny_share["logistic regression"] > max(forest_deny, true_deny),
    "the unweighted logistic regression favours the common Deny class",
    evidence=f"share predicted Deny: {deny_share}, true share {true_deny:.1%}",
)

# %%
# ## Compute the reports
#
# `classification_report(..., output_dict=True)` returns the report as a dict instead
# of text: one entry per class, then the macro average (every class counts the same)
# and the support-weighted average, each a dict of precision, recall, F1 and support.
# pandas turns it into a table with one row per entry. The dict also holds the
# accuracy, a single number rather than a row: we drop it here, and the last table
# reports it. `zero_division=0` scores the precision of a class that is never predicted
# as 0 (instead of a warning).
import pandas as pd
from sklearn.metrics import classification_report

reports = {}
for name, model in models.items():
    report = classification_report(
        y_test, predicted[name], labels=classes, output_dict=True, zero_division=0
    )
    del report["accuracy"]
    reports[name] = pd.DataFrame(report).T.astype({"support": int})
reports["random forest (balanced)"].round(3)

# %%
# ## Draw them as heatmaps
#
# `plot_heatmap` colours precision, recall and F1 on a fixed 0-1 scale (dark is low,
# yellow is high, as on the grid-search page C5), so the two panels compare directly;
# the support goes into the row labels, since it is a count on another scale.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

from mlviz.plotting import plot_heatmap

fig, axes = plt.subplots(1, 2, figsize=(13, 4.6))
for ax, (name, report) in zip(axes, reports.items()):
    labels = [f"{row} (n={n})" for row, n in zip(report.index, report["support"])]
    plot_heatmap(
        report[["precision", "recall", "f1-score"]].to_numpy(),
        labels,
        ["precision", "recall", "F1"],
        ax=ax,
        fmt="{:.2f}",
        cmap="viridis",
        vmin=0,
        vmax=1,
        colorbar=ax is axes[-1],
    )
    # a white line separates the classes from the averages
    ax.axhline(len(classes) - 0.5, color="white", lw=3)
    ax.set_title(name)
plt.show()

# %%
# ## Accuracy and log loss
#
# Accuracy counts correct decisions. The log loss is the mean of `-log p` where `p` is
# the probability the model gave the true class: it punishes confident mistakes hard
# and is the right score for probabilities. The reference is a model that ignores the
# applicant and always predicts the training set's class shares.
import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, log_loss


from mlviz.report import say

# log_loss expects probability columns in sorted label order, as predict_proba gives
alphabetical = sorted(classes)
prior = y_train.value_counts(normalize=True).reindex(alphabetical).to_numpy()
baseline_loss = log_loss(y_test, np.tile(prior, (len(y_test), 1)), labels=alphabetical)
losses, probas = {}, {}
for name, model in models.items():
    probas[name] = model.predict_proba(X_test)  # columns in model.classes_ order
    losses[name] = log_loss(y_test, probas[name], labels=model.classes_)
summary = pd.DataFrame(
    {
        "accuracy": [accuracy_score(y_test, p) for p in predicted.values()],
        "balanced accuracy": [
            balanced_accuracy_score(y_test, p) for p in predicted.values()
        ],
        "macro F1": [r.loc["macro avg", "f1-score"] for r in reports.values()],
        "log loss": list(losses.values()),
    },
    index=pd.Index(list(models), name="model"),
).round(3)
summary

# %%
# ## What the numbers say, and how sure they are
#
# Each model's log loss is compared with the class-share baseline on the same test
# applicants, and the two models' *Admit* precisions with each other, by a paired
# bootstrap (`bootstrap_difference`, helper package). A recall is a share of one
# class's applicants: its 95% (Wilson) interval says how much a small class can tell.
# Splitting the log loss by true class shows where a model loses to the baseline.
from scipy.stats import binomtest
from sklearn.metrics import precision_score

from mlviz.config import QUICK
from mlviz.inspect.performance import bootstrap_difference

n_resamples = 200 if QUICK else 1000
truth = y_test.to_numpy()
prior_rows = np.tile(prior, (len(y_test), 1))
versus_prior = {
    name: bootstrap_difference(
        lambda y, p: log_loss(y, p, labels=alphabetical),
        truth,
        probas[name],
        prior_rows,
        n_resamples=n_resamples,
    )
    for name in models
}
worse_than_prior = [name for name, d in versus_prior.items() if d.low > 0]
forest_report = reports["random forest (balanced)"]
logreg_report = reports["logistic regression"]
forest_f1 = forest_report.loc[classes, "f1-score"]
weakest = forest_f1.idxmin()
never = [c for c in classes if (predicted["logistic regression"] == c).sum() == 0]
# the log loss of each true class's applicants, for the forest and the class shares
forest_proba = probas["random forest (balanced)"]
by_class = {
    c: tuple(
        log_loss(truth[truth == c], p[truth == c], labels=alphabetical)
        for p in (forest_proba, prior_rows)
    )
    for c in ("Deny", "Admit")
}
in_weakest = truth == weakest
found = int((predicted["random forest (balanced)"][in_weakest] == weakest).sum())
weakest_ci = binomtest(found, int(in_weakest.sum())).proportion_ci(method="wilson")


def admit_precision(y, pred):
    return precision_score(y == "Admit", pred == "Admit", zero_division=0)


precision_gap = bootstrap_difference(
    admit_precision,
    truth,
    predicted["logistic regression"],
    predicted["random forest (balanced)"],
    n_resamples=n_resamples,
)
say(
    f"Predicting the class shares for everyone gives a log loss of {baseline_loss:.3f}"
    + (
        f"; **{' and '.join(worse_than_prior)}** does worse than that beyond the noise "
        f"({', '.join(f'{versus_prior[n]:+.3f}' for n in worse_than_prior)}, 95% "
        "paired "
        "interval)."
        if worse_than_prior
        else "; neither model does worse than that beyond the noise."
    )
    + " The forest gives the denied applicants a log loss of "
    f"{by_class['Deny'][0]:.2f} "
    f"against {by_class['Deny'][1]:.2f} for the class shares, and the admitted ones "
    f"{by_class['Admit'][0]:.2f} against {by_class['Admit'][1]:.2f}: its class "
    "weights move probability from *Deny*, the class of most applicants, to the rare "
    f"classes. The weakest class of the forest is *{weakest}* (F1 "
    f"{forest_f1.min():.2f}); it rests on {in_weakest.sum()} applicants, and its "
    f"recall of {found / in_weakest.sum():.0%} ({found} of them) has a 95% interval "
    f"of {weakest_ci.low:.0%} to {weakest_ci.high:.0%}. *Admit*: recall "
    f"{forest_report.loc['Admit', 'recall']:.0%} and precision "
    f"{forest_report.loc['Admit', 'precision']:.0%} for the balanced forest, recall "
    f"{logreg_report.loc['Admit', 'recall']:.0%} and precision "
    f"{logreg_report.loc['Admit', 'precision']:.0%} for the unweighted logistic "
    f"regression (precision difference {precision_gap:.2f}, 95% paired interval)."
    + (
        f" The logistic regression never predicts *{'* or *'.join(never)}*: its "
        "precision there is the 0 of `zero_division`, not a measured value."
        if never
        else ""
    )
)
forest_admit, logreg_admit = forest_report.loc["Admit"], logreg_report.loc["Admit"]
claim(
    forest_admit["recall"] > logreg_admit["recall"] and precision_gap.low > 0,
    "the balanced forest finds more admits; fewer of its Admit predictions are right",
    evidence=f"forest {forest_admit.to_dict()}, regression {logreg_admit.to_dict()}; "
    f"precision difference {precision_gap:.3f}",
)
mean_proba = dict(zip(alphabetical, forest_proba.mean(axis=0)))
share = y_test.value_counts(normalize=True)
claim(
    all(mean_proba[c] > share[c] for c in ("Admit", "Waitlist"))
    and by_class["Deny"][0] > by_class["Deny"][1]
    and by_class["Admit"][0] < by_class["Admit"][1],
    "the balanced forest's class weights move probability from Deny to the rare "
    "classes: worse than the class shares on the denied, better on the admitted",
    evidence=f"log loss by class (forest, class shares): {by_class}; forest's mean "
    f"probabilities {mean_proba}",
)

# %%
# ## How to read this figure
#
# * **Rows are classes, columns metrics.** A dark cell is a weakness: low precision
#   means many false alarms for that class, low recall many misses.
# * **Precision and recall trade off**: class weights move a model along that trade-off
#   (compare the *Admit* rows: the balanced forest finds far more admits than the
#   unweighted regression, and fewer of its *Admit* predictions are right).
# * **Macro avg** treats every class equally, so a weak small class pulls it down;
#   **weighted avg** follows the support and mostly reflects the largest class.
# * **Log loss** judges probabilities, not decisions: lower is better. `exp(-log loss)`
#   is the geometric mean of the probability given to the true class, so a model worse
#   than the class-share baseline gives the truth less probability, on that average,
#   than the class shares do.
#
# ## Pitfalls
#
# * **Accuracy and weighted averages flatter imbalanced problems.** Look at the rows of
#   the small classes and at macro averages.
# * **A row of a small class is a small sample.** Its precision and recall rest on a
#   few dozen applicants and move by several points per applicant (the *Waitlist*
#   interval above); give the support, or an interval, with each row. A class that is
#   never predicted gets the precision of `zero_division`, not a measured value.
# * **Class weights distort probabilities.** The balanced forest's log loss suffers on
#   the many denied applicants, from whom it moves probability to the rare classes
#   (see the calibration page, C4).
# * **The report fixes the decision rule** (the most probable class); thresholds tuned
#   per class give another report from the same model.
