"""
# Confusion matrices: counts and row-normalized rates

**Catalog C1** · **Question:** performance · **Family:** kernel, tree · **Phase:** after training · **Data:** synthetic, MBA

Accuracy says how often a classifier is right; a confusion matrix says *which* classes
it mixes up. Each row is a true class, each column a predicted class, and each cell
counts the test samples that landed there. Read as counts, it shows where most errors
are; normalized by row, it shows each class's recall and the share of that class sent
to every other class, which is what matters when classes have very different sizes.
This page draws both for a six-class support vector machine on synthetic data and for
the random forest that predicts MBA admission decisions. The MBA table is itself
synthetic: generated from the statistics of Wharton's Class of 2025, not the records of
real applicants.
"""

# %%
# ## A six-class problem
#
# `make_classification` places one Gaussian cluster per class on the 6 informative
# dimensions of a 10-dimensional space (2 more are mixtures of them, 2 are noise).
# The clusters overlap, so even a model far better than chance makes mistakes. We hold
# out a third for testing.
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split

from mlviz.config import QUICK, SEED

X, y = make_classification(
    n_samples=900 if QUICK else 3000,
    n_features=10,
    n_informative=6,
    n_redundant=2,
    n_classes=6,
    n_clusters_per_class=1,
    class_sep=1.0,
    random_state=SEED,
)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1 / 3, stratify=y, random_state=SEED
)
class_names = [f"class {k}" for k in range(6)]

# %%
# ## Fit an RBF support vector machine
#
# Features are standardized first: the RBF kernel measures Euclidean distances, so a
# feature with a large scale would dominate them.
import numpy as np
from scipy.stats import binomtest
from sklearn.metrics import accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from mlviz.report import claim, say

svc = make_pipeline(StandardScaler(), SVC(C=3.0, gamma="scale", random_state=SEED))
svc.fit(X_train, y_train)
pred = svc.predict(X_test)
accuracy = accuracy_score(y_test, pred)
majority = np.bincount(y_test).max() / len(y_test)  # always predicting one class
say(
    f"Test accuracy of the SVC on {len(y_test)} samples: **{accuracy:.1%}** "
    f"(always predicting the largest class: {majority:.1%})."
)
n_right = int((pred == y_test).sum())
accuracy_ci = binomtest(n_right, len(y_test)).proportion_ci(method="wilson")
claim(
    accuracy_ci.low > majority and n_right < len(y_test),
    "even a model far better than chance makes mistakes",
    evidence=f"accuracy {accuracy:.1%}, 95% interval from {accuracy_ci.low:.1%}",
)

# %%
# ## Counts and row-normalized rates, side by side
#
# `ConfusionMatrixDisplay.from_predictions` computes the matrix and draws it;
# `normalize="true"` divides each row by its total, so the diagonal becomes each
# class's recall and a row sums to 100%.
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

fig, (ax_counts, ax_rates) = plt.subplots(1, 2, figsize=(13, 5.5))
counts = ConfusionMatrixDisplay.from_predictions(
    y_test, pred, display_labels=class_names, cmap="Blues", ax=ax_counts, colorbar=False
)
rates = ConfusionMatrixDisplay.from_predictions(
    y_test,
    pred,
    display_labels=class_names,
    normalize="true",
    values_format=".0%",
    cmap="Blues",
    ax=ax_rates,
    colorbar=False,
)
ax_counts.set_title("SVC, counts")
ax_rates.set_title("SVC, normalized by true class (row = 100%)")
for ax in (ax_counts, ax_rates):
    ax.grid(False)
    ax.tick_params(axis="x", labelrotation=45)
plt.show()

# %%
# The Display keeps the matrix it drew (`confusion_matrix`), so the page's conclusions
# come from the figure's own numbers. `top_confusions` lists the largest off-diagonal
# cells of the row-normalized matrix. Each test sample is a step of one over the row's
# size in its row's rates, so two tests say what the split can resolve: a
# chi-square test of the correct and wrong counts of every class (do the recalls differ
# by more than chance?) and, for the largest confusion, an exact binomial test of the
# errors between the two classes (the classes are the same size, so a confusion that
# went both ways alike would split them like coin flips). That pair was picked as the
# largest, after looking: among many symmetric pairs the largest cell is often the
# lopsided one, so its p-value is multiplied by the number of pairs (Bonferroni).
from scipy.stats import chi2_contingency

from mlviz.inspect.performance import top_confusions

recall = np.diag(rates.confusion_matrix)
n_class = counts.confusion_matrix.sum(axis=1)
correct = np.diag(counts.confusion_matrix)
recall_p = chi2_contingency(np.c_[correct, n_class - correct]).pvalue
worst = top_confusions(rates.confusion_matrix, class_names, top=2)
i, j = class_names.index(worst.true[0]), class_names.index(worst.predicted[0])
forward, backward = counts.confusion_matrix[i, j], counts.confusion_matrix[j, i]
reverse = rates.confusion_matrix[j, i]
pair_p = binomtest(forward, forward + backward).pvalue
both_ways = counts.confusion_matrix + counts.confusion_matrix.T
n_pairs = np.count_nonzero(np.triu(both_ways, 1))  # pairs with any confusion
one_sided_p = min(1.0, n_pairs * pair_p)  # the pair was chosen among n_pairs
if recall_p < 0.05:
    recall_words = f"more than chance would spread them (chi-square p = {recall_p:.3f})"
else:
    recall_words = (
        f"a spread that chance alone could give (chi-square p = {recall_p:.2f}): "
        "do not rank the classes on it"
    )
if one_sided_p < 0.05:
    reverse_words = (
        f"only {reverse:.0%} ({backward} samples against {forward}, exact binomial "
        f"p = {one_sided_p:.3f} after Bonferroni over {n_pairs} pairs): confusions "
        "need not be symmetric"
    )
elif pair_p < 0.05:
    reverse_words = (
        f"{reverse:.0%} ({backward} samples against {forward}, exact binomial "
        f"p = {pair_p:.3f} for this pair alone). But the pair was picked as the "
        f"largest of {n_pairs}, and over all of them (Bonferroni p = "
        f"{one_sided_p:.2f}) chance can give a split this lopsided: this test set "
        "does not show whether the confusion is one-sided"
    )
else:
    reverse_words = (
        f"{reverse:.0%} ({backward} samples against {forward}): a difference that "
        f"chance could give (exact binomial p = {pair_p:.2f}, before even counting "
        f"that the pair was picked as the largest of {n_pairs}), so this split does "
        "not show whether the confusion is one-sided"
    )
say(
    f"Recall ranges from **{recall.min():.0%}** (*{class_names[recall.argmin()]}*) to "
    f"**{recall.max():.0%}** (*{class_names[recall.argmax()]}*), on about "
    f"{n_class.mean():.0f} test samples a class: {recall_words}. The most frequent "
    f"confusion: **{worst.value[0]:.0%}** of *{worst.true[0]}* is predicted as "
    f"*{worst.predicted[0]}*, then {worst.value[1]:.0%} of *{worst.true[1]}* as "
    f"*{worst.predicted[1]}*. The reverse of the first pair (*{worst.predicted[0]}* "
    f"predicted as *{worst.true[0]}*) is {reverse_words}."
)

# %%
# ## The random forest on MBA admissions
#
# The same forest as the MDI page (D2): 300 trees (60 in a quick build),
# `min_samples_leaf=5` and `class_weight="balanced"`, so that the rare *Admit* and
# *Waitlist* classes count as much as *Deny*. Here the classes are very unequal, which
# is where counts and rates tell different stories.
# `fit_mba_forest` (helper package) fits it once per build on D2's split.
import pandas as pd

from mlviz.explain import fit_mba_forest

mba = fit_mba_forest()
forest, Xm_test, ym_test = mba.model, mba.X_test, mba.y_test
mba_classes = list(ym_test.cat.categories)  # Admit, Waitlist, Deny

fig, (ax_counts, ax_rates) = plt.subplots(1, 2, figsize=(12, 4.8))
mba_counts = ConfusionMatrixDisplay.from_estimator(
    forest,
    Xm_test,
    ym_test,
    labels=mba_classes,
    cmap="Blues",
    ax=ax_counts,
    colorbar=False,
)
mba_rates = ConfusionMatrixDisplay.from_estimator(
    forest,
    Xm_test,
    ym_test,
    labels=mba_classes,
    normalize="true",
    values_format=".0%",
    cmap="Blues",
    ax=ax_rates,
    colorbar=False,
)
ax_counts.set_title("Random forest on MBA, counts")
ax_rates.set_title("normalized by true class (row = 100%)")
for ax in (ax_counts, ax_rates):
    ax.grid(False)
plt.show()

cm = mba_counts.confusion_matrix
support = cm.sum(axis=1)
mba_recall = np.diag(mba_rates.confusion_matrix)
admit, wait, deny = (mba_classes.index(c) for c in ("Admit", "Waitlist", "Deny"))
claim(
    support.max() > 10 * support.min(),
    "here the classes are very unequal",
    evidence=f"support {dict(zip(mba_classes, support))}",
)
# each recall is a share of one row: its 95% (Wilson) interval says what it resolves
interval = [
    binomtest(k, n).proportion_ci(method="wilson") for k, n in zip(np.diag(cm), support)
]
recall_table = pd.DataFrame(
    {
        "test applicants": support,
        "recall": mba_recall,
        "95% low": [ci.low for ci in interval],
        "95% high": [ci.high for ci in interval],
    },
    index=pd.Index(mba_classes, name="true class"),
).round(2)
recall_table

# %%
# ## What the counts and the rates say
#
# Reading down the *Admit* column of the counts gives the applicants predicted *Admit*;
# the share of them who were in fact denied gets the same kind of interval.
largest_cell = "dominates" if cm[deny, deny] == cm.max() else "does not dominate"
missed = mba_rates.confusion_matrix[wait].copy()
missed[wait] = -1  # where the waitlisted applicants who were missed went
wait_to = mba_classes[int(np.argmax(missed))]
flagged = cm[:, admit].sum()
false_alarm = binomtest(cm[deny, admit], flagged)
alarm_ci = false_alarm.proportion_ci(method="wilson")
if alarm_ci.low > 0.5:
    alarm_words = (
        "more than half, beyond the noise. A high recall on a rare class can come "
        "with many false alarms from the large one"
    )
elif alarm_ci.high < 0.5:
    alarm_words = "fewer than half, beyond the noise"
else:
    alarm_words = "about half: the interval contains 50%"
say(
    f"On the counts, the *Deny* row holds **{support[deny] / len(ym_test):.0%}** of "
    f"the test applicants and its diagonal cell {largest_cell} the picture. The rates "
    f"show that {mba_recall[wait]:.0%} of the {support[wait]} waitlisted applicants "
    f"are recognized (95% interval {interval[wait].low:.0%} to "
    f"{interval[wait].high:.0%}: each of them is {1 / support[wait]:.0%} of the row), "
    f"and {missed.max():.0%} are "
    f"predicted *{wait_to}*. *Admit* is recognized {mba_recall[admit]:.0%} of the "
    f"time, yet of the {flagged} applicants predicted *Admit*, "
    f"**{false_alarm.statistic:.0%}** (95% interval {alarm_ci.low:.0%} to "
    f"{alarm_ci.high:.0%}) were in fact denied: {alarm_words}."
)

# %%
# ## How to read this figure
#
# * **Rows are the truth, columns the prediction.** The diagonal holds the correct
#   predictions; everything off it is an error, labelled by what it was and what the
#   model said.
# * **Counts** answer "where are most of the errors?"; a large class fills its row with
#   large numbers whatever the model does.
# * **Row-normalized rates** answer "how well is each class recognized?": the diagonal
#   is each class's recall, the rest of the row says where the misses go.
# * Reading **down a column** of the counts gives the precision view: of everything
#   predicted as that class, how much really was.
#
# ## Pitfalls
#
# * **Check which normalization you are looking at.** `normalize="true"` (rows),
#   `"pred"` (columns) and `"all"` answer different questions; a figure without the
#   word in its title invites the wrong one.
# * **Percentages hide small classes.** A rate on a row of a few dozen samples moves by
#   several points per sample and has a wide interval (the *Waitlist* recall above);
#   show the counts next to the rates (as here), or the interval.
# * **One test split is one draw.** In a small class each sample is several points of
#   its row, so those cells move a lot between random splits; cross-validated
#   predictions (`cross_val_predict`) give a steadier matrix.
# * **A confusion matrix fixes a decision rule.** It shows the classifier's decisions
#   (the most probable class, or a threshold of 0.5 for two classes); ROC and
#   precision-recall curves (pages C2, C3) show every threshold.
