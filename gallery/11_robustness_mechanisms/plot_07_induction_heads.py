"""
# Induction heads in a tiny transformer: attention, logit lens and activation patching

**Catalog K7** · **Question:** internals · **Family:** neural network · **Phase:** after training · **Data:** synthetic

A transformer that has seen `... A B ... A` predicts `B`. Olsson et al. ("In-context
Learning and Induction Heads", 2022) traced this in-context learning to a circuit
described by Elhage et al. (2021): a *previous-token head* writes into each position
the token before it, and an *induction head* in a later layer attends to the position
whose previous token is the current one and copies what it finds there. This page
trains a two-layer model on repeated random tokens and locates the circuit with plain
PyTorch hooks: attention scores, the logit lens, activation patching and ablation.
"""

# %%
# ## Train a two-layer attention-only transformer
#
# Token and learned position embeddings, two layers of four attention heads (no MLPs,
# no layer norm) and an unembedding. A training sequence is a block of `T` random
# tokens (`T` between 4 and 16, drawn per sequence) repeated up to 32 tokens, so that
# the earlier copy cannot be found from positions alone; AdamW, seeded and cached. We
# then study 16-token blocks repeated once: `tokens[t] = tokens[t - 16]` from t = 16.
import numpy as np
import torch

from mlviz.config import QUICK
from mlviz.models.induction import repeated_tokens, run_with_cache, token_loss
from mlviz.models.induction import train_induction_model

V, T, n_layers, n_heads = 64, 16, 2, 4
model, history = train_induction_model(
    vocab_size=V, seq_len=2 * T, block_len=(4, T), n_layers=n_layers,
    n_heads=n_heads, d_model=64, d_head=16, steps=500 if QUICK else 1000, lr=2e-2,
)  # fmt: skip
n_seq = 200 if QUICK else 500
tokens = repeated_tokens(n_seq, T, V, generator=torch.Generator().manual_seed(1))
logits, cache = run_with_cache(model, tokens)  # hooks keep patterns, head outputs
loss = token_loss(logits, tokens).numpy()  # loss[:, t]: predicting token t + 1
print(f"{sum(p.numel() for p in model.parameters()):,} parameters; {n_seq} sequences")

# %%
# ## In-context learning: the loss on the second repeat
#
# Left, the loss at each position (band: 95% interval over sequences). The first
# repeat is random: no model beats `log V`, a uniform guess. On the second, each token
# can be copied from context. Right, the same two losses on the training batches.
import matplotlib.pyplot as plt

from mlviz.report import claim, say

plt.style.use("mlviz.gallery")


def half_width(x, axis=0):  # of the 95% interval of a mean over sequences
    return 1.96 * x.std(axis, ddof=1) / np.sqrt(x.shape[axis])


first, second = loss[:, : T - 1], loss[:, T:]  # predicting tokens 1..T-1, T+1..2T-1
position = np.arange(1, 2 * T)  # the position of the predicted token
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
repeats = {"first": (position < T, "C0"), "second": (position > T, "C2")}
for name, (part, colour) in repeats.items():
    mean, half = loss[:, part].mean(0), half_width(loss[:, part])
    ax.plot(position[part], mean, "o-", ms=3, color=colour, label=f"{name} repeat")
    ax.fill_between(position[part], mean - half, mean + half, color=colour, alpha=0.3)
ax.axhline(np.log(V), ls="--", color="C7", label=f"chance, log {V}")
ax.set(xlabel="position of the predicted token", ylabel="loss (nats)")
ax.legend(loc="center left")
ax2.plot(history["step"], history["first_loss"], color="C0", label="first occurrence")
ax2.plot(history["step"], history["repeat_loss"], color="C2", label="copyable")
ax2.axhline(np.log(V), ls="--", color="C7")
ax2.set(xlabel="training step", ylabel="training loss (nats)")
ax2.legend()
plt.show()

f_seq, s_seq = first.mean(1), second.mean(1)  # per sequence
rise = first[:, -5:].mean(1) - first[:, :5].mean(1)
claim(
    f_seq.mean() - half_width(f_seq) > np.log(V) and rise.mean() > half_width(rise),
    "on the first repeat the loss lies above chance and rises with position",
    evidence=f"{f_seq.mean():.3f} ± {half_width(f_seq):.3f}, log V {np.log(V):.3f}; "
    f"last five minus first five {rise.mean():.3f} ± {half_width(rise):.3f}",
)
claim(
    np.percentile(s_seq, 97.5) < np.percentile(f_seq, 2.5),
    "the middle 95% of sequences of the two repeats do not overlap",
    evidence=f"second's 97.5% {np.percentile(s_seq, 97.5):.2f}, "
    f"first's 2.5% {np.percentile(f_seq, 2.5):.2f}",
)
step, copyable = history["step"], history["repeat_loss"]
k = 100 // (step[1] - step[0])  # points in 100 steps
fall = copyable[:-k] - copyable[k:]
claim(
    fall.max() > (copyable[0] - copyable[-1]) / 2,
    "most of the fall happens within 100 steps",
    evidence=f"largest fall {fall.max():.2f}, {copyable[0]:.2f} → {copyable[-1]:.2f}",
)
say(
    f"Loss on the first repeat **{f_seq.mean():.2f}** nats (chance "
    f"{np.log(V):.2f}), {rise.mean():.2f} higher at its end than at its start; "
    f"on the second **{s_seq.mean():.2f}**. In training, the loss on copyable tokens "
    f"fell by {fall.max():.2f} nats within 100 steps from step {step[fall.argmax()]}."
)

# %%
# ## Which heads attend where: scores on many sequences
#
# A previous-token head attends to the key before the query (offset 1); an induction
# head, on the second repeat, to the key after the previous occurrence of the query's
# token (offset `T - 1`). A head's *score* is its mean attention on that diagonal per
# sequence (chance: `1 / (q + 1)`, uniform over visible keys). A kind's heads are those
# above the largest gap in sorted mean scores, checked sequence by sequence.
import pandas as pd

from mlviz.models.induction import chance_diagonal_score, diagonal_score

n_h = n_layers * n_heads  # heads numbered L0H0, L0H1, ..., L1H3
pattern = cache["pattern"].numpy().swapaxes(0, 1).reshape(n_seq, n_h, 2 * T, 2 * T)
q_prev, q_ind = np.arange(1, 2 * T), np.arange(T, 2 * T - 1)
prev = diagonal_score(pattern, 1, q_prev)  # (sequence, head): mean of p[q, q - 1]
ind = diagonal_score(pattern, T - 1, q_ind)  # mean of p[q, q - T + 1]
chance = chance_diagonal_score(q_prev), chance_diagonal_score(q_ind)


def above_largest_gap(score):
    ranked = np.sort(score)
    return score >= ranked[np.argmax(np.diff(ranked)) + 1]


is_prev, is_ind = above_largest_gap(prev.mean(0)), above_largest_gap(ind.mean(0))
kinds = [("previous-token", prev, is_prev), ("induction", ind, is_ind)]
for kind, score, chosen in kinds:
    lowest = np.percentile(score[:, chosen], 2.5, axis=0).min()
    others = np.percentile(score[:, ~chosen], 97.5, axis=0).max()
    claim(
        lowest > others,
        f"the {kind} heads stand apart from the other heads on 95% of sequences",
        evidence=f"their 2.5% {lowest:.3f}, the others' 97.5% {others:.3f}",
    )
names = np.array([f"L{i // n_heads}H{i % n_heads}" for i in range(n_h)])
role = np.where(is_prev, "previous token", np.where(is_ind, "induction", "-"))
last = np.arange(n_h) // n_heads == n_layers - 1
claim(
    is_prev.sum() == 1 and not last[is_prev].any() and (is_ind == last).all(),
    "one previous-token head, in layer 0; every head of layer 1 an induction head",
    evidence=f"previous-token {names[is_prev]}, induction {names[is_ind]}",
)
times = prev.mean(0)[is_prev].min() / chance[0], ind.mean(0)[is_ind].min() / chance[1]
say(
    f"Previous-token head **{', '.join(names[is_prev])}**, induction heads "
    f"**{', '.join(names[is_ind])}**: scores at least {times[0]:.0f} and "
    f"{times[1]:.0f} times chance ({chance[0]:.3f}, {chance[1]:.3f})."
)
scores = {"previous-token": prev.mean(0), "induction": ind.mean(0), "role": role}
pd.DataFrame(scores, index=pd.Index(names, name="head")).round(3)

# %%
# ## The attention patterns of one sequence
#
# Each head's attention on the first test sequence (rows: queries, columns: keys),
# titled with its role: a line just below the diagonal for a previous-token head,
# `T - 1` below it in the second half for an induction head.
fig, axes = plt.subplots(n_layers, n_heads, figsize=(11, 5.8), sharex=True, sharey=True)
role_colour = {"previous token": "C1", "induction": "C2", "-": "C7"}
for ax, name, r, p in zip(axes.flat, names, role, pattern[0]):
    ax.imshow(p, cmap="viridis", vmin=0, vmax=1)
    ax.set_title(f"{name}: {r}", color=role_colour[r], fontsize=10)
    ax.grid(False)
fig.supxlabel("key position")
fig.supylabel("query position")
plt.show()

# %%
# ## The logit lens: where does the answer appear?
#
# The residual stream after the embeddings, after layer 0 and after layer 1, decoded
# straight through the unembedding (nostalgebraist, 2020): which token would the
# model predict if it stopped there? Top-1 accuracy per repeat against chance `1 / V`.
from mlviz.models.induction import logit_lens

guesses = [logit_lens(model, r)[:, :-1].argmax(-1) for r in cache["resid"]]
hit = np.stack([(g == tokens[:, 1:]).float().numpy() for g in guesses])  # stage,seq,pos
acc = {"first repeat": hit[..., : T - 1].mean(2), "second repeat": hit[..., T:].mean(2)}
stages = ["embeddings"] + [f"after layer {i}" for i in range(n_layers)]
fig, ax = plt.subplots(figsize=(6, 3.8))
for (name, a), colour in zip(acc.items(), ["C0", "C2"]):  # 95% intervals
    ax.errorbar(stages, a.mean(1), half_width(a, 1), fmt="o-", color=colour, label=name)
ax.axhline(1 / V, ls="--", color="C7", label=f"chance, 1/{V}")
ax.set(ylabel="top-1 accuracy", ylim=(0, 1.05))
ax.legend()
plt.show()

a2, h2 = acc["second repeat"].mean(1), half_width(acc["second repeat"], 1)
claim(
    a2[-1] - h2[-1] > a2[-2] + h2[-2],
    "the copy appears in the last layer",
    evidence=f"second-repeat accuracy by stage {a2.round(3)} ± {h2.round(3)}",
)
say(
    f"Second repeat, top-1 accuracy: {a2[-2]:.1%} after layer 0 (chance "
    f"{1 / V:.1%}), **{a2[-1]:.1%}** after layer 1."
)

# %%
# ## Activation patching and ablation
#
# *Patching* asks whether a head's output is enough: a corrupted copy of each sequence
# gets a fresh random first half (nothing to copy) and one head's output from the
# clean run (a forward hook swaps it in); `recovered = (corrupted - patched) /
# (corrupted - clean)` on the second-repeat loss. *Ablation* asks whether a head is
# needed: its output becomes its mean over clean sequences (per position), alone,
# with all induction heads, or with all but one (does one alone do the job?).
from contextlib import ExitStack

from mlviz.models.induction import replace_head

fresh = torch.randint(V, (n_seq, T), generator=torch.Generator().manual_seed(2))
corrupted = torch.cat([fresh, tokens[:, T:]], 1)  # a new first half, the same second
clean_out, mean_out = cache["result"], cache["result"].mean(1, keepdim=True)


def run_replacing(run_tokens, heads, source):
    """Second-repeat loss per sequence and top-1 guesses, `heads` writing `source`."""
    with ExitStack() as stack, torch.no_grad():
        for i in heads:
            layer, head = divmod(int(i), n_heads)
            patch = source[layer][:, :, head]
            stack.enter_context(replace_head(model, layer, head, patch))
        out = model(run_tokens)
    return token_loss(out, run_tokens)[:, T:].mean(1).numpy(), out[:, T:-1].argmax(-1)


share = lambda guess, target: (guess == target).float().mean(1).numpy()  # per seq
corrupt_loss, corrupt_guess = run_replacing(corrupted, [], None)
patched = np.stack([run_replacing(corrupted, [i], clean_out)[0] for i in range(n_h)])
recovered = ((corrupt_loss - patched) / (corrupt_loss - s_seq)).T  # (sequence, head)
prev_guess = run_replacing(corrupted, np.flatnonzero(is_prev), clean_out)[1]
# the token after the previous occurrence, in the corrupted first half
copied = [share(g, corrupted[:, 1:T]) for g in (corrupt_guess, prev_guess)]
ind_heads = np.flatnonzero(is_ind)
groups = [[i] for i in range(n_h)] + [ind_heads]  # each head; all induction heads
groups += [ind_heads[ind_heads != i] for i in ind_heads]  # all induction heads but i
runs = [run_replacing(tokens, g, mean_out)[1] for g in groups]
without = np.stack([share(g, tokens[:, T + 1 :]) for g in runs], 1)  # (seq, group)
ablated, alone = without[:, : n_h + 1], without[:, n_h + 1 :]  # alone: one kept
intact = acc["second repeat"][-1]

# %%
# ## Patching and ablation, side by side
#
# Left, the loss recovered by patching each head (red: worse). Right, second-repeat
# accuracy with each head ablated, all induction heads, or all but one ("only").
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4), width_ratios=[1, 1.5])
r_mean, r_half = recovered.mean(0), half_width(recovered)
ax.imshow(r_mean.reshape(n_layers, n_heads), cmap="RdBu", vmin=-1, vmax=1)
boxed = dict(ha="center", va="center", bbox=dict(boxstyle="round", fc="w", ec="none"))
for i, value in enumerate(r_mean):
    ax.text(i % n_heads, i // n_heads, f"{value:+.2f}", **boxed)
ax.set(xticks=range(n_heads), yticks=range(n_layers), xlabel="head", ylabel="layer")
ax.set_title("loss recovered by patching")
ax.grid(False)
a_mean, a_half = ablated.mean(0), half_width(ablated)
bars = [*names, "all induction", *(f"only {n}" for n in names[is_ind])]
colours = [role_colour[r] for r in role] + ["C2"] * (1 + is_ind.sum())
ax2.bar(bars, without.mean(0), yerr=half_width(without), color=colours, capsize=3)
ax2.axhline(intact.mean(), ls="--", color="C0", label="intact model")
ax2.axhline(1 / V, ls=":", color="C7", label="chance")
ax2.tick_params(axis="x", rotation=45)
ax2.set(ylabel="second-repeat accuracy")
ax2.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
plt.show()

claim(
    (r_mean - r_half > 0)[is_ind].all() and (r_mean + r_half < 1)[is_ind].all(),
    "each induction head alone restores part of the loss, none all of it",
    evidence=f"recovered {r_mean[is_ind].round(2)} ± {r_half[is_ind].round(2)}",
)
claim(
    (r_mean + r_half < 0)[is_prev].all(),
    "patching the previous-token head alone makes the loss worse",
    evidence=f"recovered {r_mean[is_prev].round(2)} ± {r_half[is_prev].round(2)}",
)
unpatched, patched = (c.mean() + s * half_width(c) for c, s in zip(copied, [1, -1]))
claim(
    patched > max(0.5, unpatched),
    "the induction heads then copy the corrupted token, most of the time",
    evidence=f"copied {copied[1].mean():.1%}, unpatched {copied[0].mean():.1%}",
)
half_way = 1 / V + (intact.mean() - 1 / V) / 2  # keeps most / loses most of the gain
up, down = a_mean + a_half, a_mean - a_half
for holds, text in [
    ((up[:-1][is_prev] < half_way).all() and up[-1] < half_way,
     "ablating the previous-token head, or all induction heads at once, loses most"),
    ((down[:-1][~is_prev] > half_way).all(),
     "ablating any other single head, one induction head included, keeps most"),
]:  # fmt: skip
    claim(holds, text, evidence=f"accuracies {a_mean.round(3)}, mid {half_way:.3f}")
kept_one = intact[:, None] - alone  # paired with the intact model, per sequence
claim(
    (kept_one.mean(0) - half_width(kept_one) > 0).all()
    and (alone.mean(0) - half_width(alone) > up[-1]).all(),
    "one induction head alone keeps part of the accuracy, none all of it",
    evidence=f"only one: {alone.mean(0).round(3)}, intact {intact.mean():.3f}",
)
say(
    f"Intact: {intact.mean():.1%} second-repeat accuracy. Without the previous-token "
    f"head **{a_mean[:-1][is_prev].max():.1%}**; without one induction head "
    f"{a_mean[:-1][is_ind].min():.1%}-{a_mean[:-1][is_ind].max():.1%}; without all "
    f"{is_ind.sum()} **{a_mean[-1]:.1%}**; with one left, **{alone.mean(0).min():.1%}"
    f"-{alone.mean(0).max():.1%}**. Patching one induction head recovers "
    f"{r_mean[is_ind].min():.0%}-{r_mean[is_ind].max():.0%} of the loss, patching "
    f"the previous-token head {r_mean[is_prev].max():+.0%}: then "
    f"{copied[1].mean():.0%} of the guesses copy the corrupted token."
)

# %%
# ## How to read these figures
#
# * **Loss by position**: above `log V` on the first repeat (not knowing where the
#   block ends, the model bets on tokens it has seen), near zero on the second:
#   in-context learning. Most of the copying arrived in one fast drop after a slower
#   start, like Olsson et al.'s "phase change".
# * **Scores and patterns**: one previous-token head in layer 0, and *all four* heads
#   of layer 1 are induction heads; the copy appears only after layer 1 (logit lens).
# * **Patching** (left, what is *sufficient*): one induction head's clean output
#   brings back part of the loss. The previous-token head's makes it *worse*: the
#   induction heads find the right position (clean keys), and copy the corrupted
#   token there. Ablation (right) tests what is *necessary*.
# * **Ablation** (right): without the previous-token head, or all four induction
#   heads, in-context learning is gone; without one induction head it barely moves,
#   yet one left alone keeps only part of it: each adds part of the copy signal, and
#   any three add enough for most top-1 answers. The circuit is the pair,
#   previous-token head → induction heads' keys.
#
# ## Pitfalls
#
# * **An attention pattern is not a mechanism.** An induction score says where a head
#   looks on repeated random tokens, not what it writes or that it copies on other
#   text; Olsson et al. (2022) call their evidence causal for small attention-only
#   models like this one and only correlational for large models with MLPs.
#   Patching and ablation test the effect.
# * **Patching depends on the corruption and the metric** (Zhang and Nanda, 2023):
#   another corruption, a logit difference, or patching corrupted into clean can rank
#   heads differently.
# * **Heads that share a job hide from single-head ablation.** Removing one of four
#   induction heads costs little, yet each contributes (patching, one left alone);
#   ablate groups (Wang et al., 2022, found backup heads in GPT-2).
# * **The logit lens assumes the residual stream speaks the output's language**: true
#   here (no final layer norm); deep models need the tuned lens (Belrose et al., 2023).
