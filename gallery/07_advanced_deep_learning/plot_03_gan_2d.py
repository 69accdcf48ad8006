"""
# GAN training on a 2-D ring of Gaussians: samples and the discriminator, step by step

**Catalog G3** · **Question:** training · **Family:** neural network · **Phase:** during training · **Data:** synthetic

A generative adversarial network (Goodfellow et al., 2014) trains two networks against
each other: a generator that turns noise into samples and a discriminator that tells
real samples from generated ones. Its losses say little about whether it works, and on
images it is hard to see what goes wrong. On a 2-D distribution everything can be
drawn: the real points, the generated points and the discriminator's decision surface,
at several moments of training. This is the standard way to see the GAN's typical
failure, **mode collapse**: the generator covering only some of the data's modes.
"""

# %%
# ## The data: eight Gaussians on a ring
#
# `ring_of_gaussians` draws points from an equal mixture of eight narrow Gaussians
# (standard deviation 0.05) on a circle of radius 2. A good generator puts points on
# all eight, in equal shares, and nowhere in between.
from mlviz.config import QUICK, SEED
from mlviz.inspect.gan import ring_centers, ring_of_gaussians

STD = 0.05
centers = ring_centers(8, radius=2.0)
real = ring_of_gaussians(5_000 if QUICK else 20_000, std=STD, seed=SEED)
print(real.shape)

# %%
# ## Two small networks and the adversarial loop
#
# The generator maps 8-dimensional Gaussian noise to a point of the plane; the
# discriminator maps a point to a logit ("real" when high). Each step, the
# discriminator takes one gradient step to score a batch of real points as 1 and
# generated points as 0; then the generator takes one step to make the discriminator
# score its points as 1 (the "non-saturating" loss). We keep a copy of both networks
# at a few chosen steps.
import copy

import torch
from torch import nn

torch.manual_seed(SEED)
NOISE = 8


def mlp(n_in, n_out):
    return nn.Sequential(
        nn.Linear(n_in, 128),
        nn.ReLU(),
        nn.Linear(128, 128),
        nn.ReLU(),
        nn.Linear(128, n_out),
    )


generator, discriminator = mlp(NOISE, 2), mlp(2, 1)
opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
bce = nn.BCEWithLogitsLoss()
real_t = torch.from_numpy(real)
batch, n_steps = 256, (1000 if QUICK else 3000)
snapshot_steps = [0, n_steps // 8, n_steps // 3, n_steps]
snapshots, losses = {}, []
sampler = torch.Generator().manual_seed(SEED)
for step in range(n_steps + 1):
    if step in snapshot_steps:
        snapshots[step] = (copy.deepcopy(generator), copy.deepcopy(discriminator))
    if step == n_steps:
        break
    x_real = real_t[torch.randint(len(real_t), (batch,), generator=sampler)]
    x_fake = generator(torch.randn(batch, NOISE, generator=sampler))
    # Discriminator step: real -> 1, generated -> 0 (the generator is not updated here).
    opt_d.zero_grad()
    d_loss = bce(discriminator(x_real), torch.ones(batch, 1)) + bce(
        discriminator(x_fake.detach()), torch.zeros(batch, 1)
    )
    d_loss.backward()
    opt_d.step()
    # Generator step: make the discriminator call the generated points real.
    opt_g.zero_grad()
    g_loss = bce(discriminator(x_fake), torch.ones(batch, 1))
    g_loss.backward()
    opt_g.step()
    losses.append((d_loss.item(), g_loss.item()))

# %%
# ## Measure mode coverage at each snapshot
#
# `mode_coverage` assigns each generated point to the nearest Gaussian if it lies
# within 3 standard deviations of its centre. A mode counts as covered when it gets at
# least 1 % of the points; the share of points that belong to some mode measures
# sample quality. Three more measures tell a collapse from an unfinished fit: the
# modes that the generated points barely reach (fewer than 1 % of them within 0.5, ten
# standard deviations, about a third of the gap between neighbouring modes), the share
# of points near the ring itself (radius between 1.75 and 2.25), and the
# discriminator's probability D(x) at each mode's centre. A discriminator that has
# learned its job scores D(x) = p_real / (p_real + p_generated), so D(x) > 0.5 at a
# centre says the generator puts fewer points there than the data have.
import numpy as np
import pandas as pd

from mlviz.inspect.gan import mode_coverage
from mlviz.report import claim, say

noise = torch.randn(2000, NOISE, generator=torch.Generator().manual_seed(SEED + 1))
samples, coverage, covered_modes = {}, {}, {}
missed, on_ring, d_at_modes = {}, {}, {}
with torch.no_grad():
    for step, (g, d) in snapshots.items():
        samples[step] = g(noise).numpy()
        coverage[step] = mode_coverage(samples[step], centers, std=STD)
        counts = coverage[step]["counts"]
        covered_modes[step] = set(np.flatnonzero(counts >= 0.01 * len(noise)))
        d_at_modes[step] = torch.sigmoid(d(torch.tensor(centers).float())).numpy()[:, 0]
        near = mode_coverage(samples[step], centers, std=0.5, k=1.0)
        missed[step] = len(centers) - near["covered"]
        radius = np.linalg.norm(samples[step], axis=1)
        on_ring[step] = np.mean(np.abs(radius - 2.0) < 0.25)
table = pd.DataFrame(
    {
        "modes covered (of 8)": [coverage[s]["covered"] for s in snapshot_steps],
        "modes barely reached": [missed[s] for s in snapshot_steps],
        "points near the ring": [f"{on_ring[s]:.0%}" for s in snapshot_steps],
        "points on a mode": [
            f"{coverage[s]['high_quality']:.0%}" for s in snapshot_steps
        ],
        "largest mode's share of those": [
            f"{coverage[s]['counts'].max() / max(coverage[s]['counts'].sum(), 1):.0%}"
            for s in snapshot_steps
        ],
        "highest D(x) at a mode centre": [
            f"{d_at_modes[s].max():.2f}" for s in snapshot_steps
        ],
    },
    index=pd.Index(snapshot_steps, name="step"),
)
table

# %%
# ## Real vs generated samples and the discriminator's decision surface
#
# Each panel is one snapshot. The background is the discriminator's probability that a
# point is real (red: real, blue: generated, white: undecided at 0.5); grey points are
# real data, black points generated ones; green circles mark the modes not covered at
# that step.
import matplotlib.pyplot as plt

plt.style.use("mlviz.gallery")  # the gallery's look, shipped with mlviz

lim = 2.8
gx, gy = np.meshgrid(np.linspace(-lim, lim, 150), np.linspace(-lim, lim, 150))
grid_points = torch.from_numpy(
    np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)
)
fig, axes = plt.subplots(
    1, len(snapshot_steps), figsize=(3.3 * len(snapshot_steps), 3.9), sharey=True
)
for ax, step in zip(axes, snapshot_steps):
    with torch.no_grad():
        prob = torch.sigmoid(snapshots[step][1](grid_points)).numpy().reshape(gx.shape)
    surface = ax.contourf(
        gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.75
    )
    ax.scatter(*real[:1000].T, s=2, color="0.45", label="real")
    ax.scatter(*samples[step][:600].T, s=3, color="black", label="generated")
    empty = sorted(set(range(len(centers))) - covered_modes[step])
    circle = {"s": 260, "facecolors": "none", "edgecolors": "lime", "lw": 1.5}
    ax.scatter(*centers[empty].reshape(-1, 2).T, **circle)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_title(f"step {step}: {coverage[step]['covered']}/8 modes", fontsize=10)
    ax.set_xticks([-2, 0, 2])
    ax.set_yticks([-2, 0, 2])
axes[0].legend(loc="lower left", fontsize=8, markerscale=3)
fig.colorbar(surface, ax=axes, fraction=0.02, pad=0.01, label="D(x) = P(real)")
fig.suptitle(
    "Generated samples and the discriminator's decision surface during training",
    fontsize=11,
)
plt.show()

with torch.no_grad():
    d_start = torch.sigmoid(snapshots[0][1](grid_points))
spread = samples[0].std(axis=0).max()
claim(
    spread < 0.5 and 0.3 < d_start.min() and d_start.max() < 0.7,
    "at step 0 the generated points sit in a small blob and the untrained "
    "discriminator is undecided everywhere",
    evidence=f"spread {spread:.2f}, D from {d_start.min():.2f} to {d_start.max():.2f}",
)

# %%
# ## The losses
#
# The two losses, smoothed over 50 steps. A discriminator that always wins pushes its
# loss to 0 and the generator's up; at the game's equilibrium the discriminator cannot
# tell real from generated and its loss is 2 ln 2 ≈ 1.39 (ln 2 for each half).
losses_arr = np.array(losses)
kernel = np.ones(50) / 50
fig, ax = plt.subplots(figsize=(9, 3.4))
for col, name, color in ((0, "discriminator", "C3"), (1, "generator", "C0")):
    ax.plot(
        np.convolve(losses_arr[:, col], kernel, mode="valid"), color=color, label=name
    )
ax.axhline(2 * np.log(2), color="grey", ls="--", lw=1)
ax.text(
    len(losses_arr) * 0.99,
    2 * np.log(2),
    "2 ln 2",
    ha="right",
    va="bottom",
    color="grey",
    fontsize=9,
)
for step in snapshot_steps[1:-1]:
    ax.axvline(step, color="0.8", lw=1)
ax.set_xlabel("step")
ax.set_ylabel("loss (50-step mean)")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

final = coverage[n_steps]
trend = [coverage[s]["covered"] for s in snapshot_steps]
uncovered = sorted(set(range(len(centers))) - covered_modes[n_steps])
dropped = [m for m in uncovered if any(m in covered_modes[s] for s in snapshot_steps)]
never = [m for m in uncovered if m not in dropped]
rising = trend[-1] > max(trend[:-1])  # more modes covered at the end than ever before
lost = missed[n_steps]


def named(modes):
    """Modes by their position on the ring, with D(x) at their centres now."""
    return ", ".join(
        f"the mode at {np.degrees(np.arctan2(*centers[m][::-1])) % 360:.0f}° "
        f"(D = {d_at_modes[n_steps][m]:.2f})"
        for m in modes
    )


under = [m for m in range(len(centers)) if d_at_modes[n_steps][m] > 0.5]
if not uncovered:
    shares = final["counts"] / max(final["counts"].sum(), 1)
    verdict = (
        "No mode collapse in this run: every mode receives from "
        f"{shares.min():.0%} to {shares.max():.0%} of the points on a mode (an even "
        f"split is {1 / len(centers):.1%}). "
        + (
            f"The discriminator still scores {len(under)} of the mode centres as real "
            f"(D from {d_at_modes[n_steps][under].min():.2f} to "
            f"{d_at_modes[n_steps][under].max():.2f}): there the generator puts fewer "
            "points than the data, and the fit is not finished. "
            if under
            else ""
        )
    )
else:
    verdict = f"Modes covered at the four snapshots: {' → '.join(map(str, trend))}. "
    if dropped:
        first = {
            m: min(s for s in snapshot_steps if m in covered_modes[s]) for m in dropped
        }
        verdict += (
            f"**Mode collapse**: {named(dropped)} "
            + ("was" if len(dropped) == 1 else "were")
            + " covered at step "
            + ", ".join(str(first[m]) for m in dropped)
            + " and "
            + ("is" if len(dropped) == 1 else "are")
            + " not any more: the generator gave up data it once produced. "
            + (
                "The discriminator still calls the dropped data real, yet the "
                f"generator puts only {final['counts'][dropped].sum()} of its "
                f"{len(noise)} points there (an even share is "
                f"{len(noise) // len(centers)} per mode). The collapse is the "
                "generator's, not the discriminator's: it keeps pointing at the "
                "mode the generator left. "
                if (d_at_modes[n_steps][dropped] > 0.5).all()
                else "The discriminator no longer calls all of it real either "
                "(D at most 0.5): it has stopped pushing the generator back there. "
            )
        )
    if never:
        verdict += (
            f"{named(never)} never got points, and coverage "
            + (
                "is still rising: an unfinished fit rather than a collapse. "
                if rising
                else "has stopped rising: the generator has not found "
                + ("it" if len(never) == 1 else "them")
                + " in this run. "
            )
        )
    if lost:
        verdict += f"{lost} mode(s) get (almost) no generated point even nearby. "
losses_end = losses_arr[-200:].mean(axis=0)
say(
    f"After {n_steps} steps the generator covers **{final['covered']} of the 8 "
    f"modes**, with {final['high_quality']:.0%} of its points within 3 standard "
    f"deviations of a mode and {on_ring[n_steps]:.0%} near the ring. "
    + verdict
    + f"Over the last 200 steps the discriminator's loss averages "
    f"{losses_end[0]:.2f}, {losses_end[0] / (2 * np.log(2)) - 1:+.0%} from 2 ln 2 = "
    "1.39, the loss of a discriminator that cannot tell real from generated"
    + (
        ": it still tells real from generated."
        if losses_end[0] <= 0.9 * 2 * np.log(2)
        else ": by its loss the game looks near its equilibrium, yet "
        f"{len(uncovered)} of the 8 modes {'is' if len(uncovered) == 1 else 'are'} "
        "missing. The losses do not show it (see the pitfalls)."
        if uncovered
        else ": overall, the game is near that equilibrium."
    )
)

# %%
# ## How to read this figure
#
# * **At step 0** the untrained generator puts its points in a small blob near the
#   origin, and the untrained discriminator is undecided (near 0.5) everywhere (checked
#   when the page runs). Once training starts, the discriminator learns to score low
#   (blue) where the generated points are and high (red) where only real points are.
# * **Then** the generator moves towards the regions the discriminator calls real. In
#   some runs it sweeps from mode to mode; in others it first spreads along the ring and
#   only later sharpens onto the modes. The table tells which: many points near the
#   ring but few on a mode is the second.
# * **Mode collapse** shows as modes with real (grey) points but (almost) no black
#   ones (circled in green). The discriminator is then red over those modes (it knows
#   they are real) but the generator gets no gradient pulling it there once it sits
#   elsewhere. The table tells a collapse from an unfinished fit: in a collapse the
#   count of covered modes *falls* from one snapshot to the next; in an unfinished fit
#   it is still rising.
# * A surface that is white (0.5) everywhere near the data means the discriminator
#   can no longer tell real from generated: the game is near its equilibrium.
#
# ## Pitfalls
#
# * **GAN losses do not measure sample quality.** They describe a two-player game, not
#   a distance to the data; the losses can look stable while the generator collapses.
#   Measure coverage and quality directly (here by counting modes; on images with
#   FID or precision/recall).
# * **One snapshot cannot tell a collapse from an unfinished fit**: seven of eight modes
#   looks the same either way. Track coverage during training (the table) and keep
#   the generator of the best snapshot, as early stopping keeps the best epoch.
# * **One seed, one run**: GAN training is famously sensitive to seeds, learning
#   rates and architecture. Whether and when collapse appears changes from run to run.
# * **2-D intuition is partial**: real data lie on manifolds in thousands of
#   dimensions, where the discriminator's surface cannot be drawn.
