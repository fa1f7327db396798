"""Figures of the supplement's sections S1 and S2 (tables and figure numbering live in the book).

Matrix plots follow SPEC §1: tasks grouped by type, gray colormap, dark = high.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch

from .gallery import label_image
from .tasks import TASK_NAMES, TASKS
from .taxonomy import TYPE_COLORS, plot_dendrogram


def by_type(names: Sequence[str]) -> list[str]:
    """``names`` in the registry's order (grouped 2D, 3D, geometric, semantic)."""
    return [n for n in TASK_NAMES if n in set(names)]


def _label(name: str) -> str:
    return TASKS[name].label if name in TASKS else str(name)


def _color_ticks(ax, names: Sequence[str], axis: str = "both") -> None:
    ticks = []
    if axis in ("x", "both"):
        ticks += list(zip(ax.get_xticklabels(), names))
    if axis in ("y", "both"):
        ticks += list(zip(ax.get_yticklabels(), names))
    for tick, n in ticks:
        if n in TASKS:
            tick.set_color(TYPE_COLORS[TASKS[n].type])


def plot_matrices(matrices: dict[str, pd.DataFrame], *, vmin=None, vmax=None, cmap: str = "gray_r"):
    """Similarity matrices side by side (same colour scale unless it would hide one),
    tasks grouped by type. Returns the figure."""
    n = len(matrices)
    fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 4.8), constrained_layout=True)
    axes = np.atleast_1d(axes)
    for ax, (title, m) in zip(axes, matrices.items()):
        order = by_type(m.index)
        m = m.loc[order, order]
        im = ax.imshow(m.to_numpy(), cmap=cmap, vmin=vmin, vmax=vmax)
        ax.set_xticks(range(len(order)), [_label(t) for t in order], rotation=90, fontsize=7)
        ax.set_yticks(range(len(order)), [_label(t) for t in order], fontsize=7)
        _color_ticks(ax, order)
        ax.set_title(title, fontsize=10)
        fig.colorbar(im, ax=ax, shrink=0.75)
    return fig


def plot_ranking_panels(sim_a: pd.DataFrame, sim_b: pd.DataFrame, table: pd.DataFrame, *,
                        label_a: str, label_b: str, ncols: int = 7):  # fmt: skip
    """Fig S1: for each task, its similarity to every other task under two sets of models, with
    ρ [interval] under each panel (``table``: estimate/low/high per task)."""
    tasks = [t for t in by_type(sim_a.index) if t in table.index]
    nrows = int(np.ceil(len(tasks) / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(2.6 * ncols, 2.9 * nrows), constrained_layout=True
    )
    for ax, t in zip(axes.flat, tasks):
        others = [o for o in by_type(sim_a.index) if o != t]
        x = np.arange(len(others))
        ax.bar(x - 0.2, sim_a.loc[t, others], 0.4, color="0.25", label=label_a)
        ax.bar(x + 0.2, sim_b.loc[t, others], 0.4, color="tab:orange", label=label_b)
        ax.set_title(_label(t), fontsize=9, color=TYPE_COLORS[TASKS[t].type])
        ax.set_xticks(x, [_label(o) for o in others], rotation=90, fontsize=5.5)
        ax.tick_params(axis="y", labelsize=6)
        r = table.loc[t]
        ax.set_xlabel(f"ρ = {r.estimate:.2f} [{r.low:.2f}, {r.high:.2f}]", fontsize=8)
    for ax in list(axes.flat)[len(tasks) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6, loc="upper right")
    return fig


def prediction_image(name: str, pred: torch.Tensor) -> np.ndarray:
    """One image's network output (C, H, W) as something ``imshow`` shows (like its label):
    maps clamped to [0, 1]; pixel embeddings (metric-loss tasks) by their first 3 principal
    components."""
    t = TASKS[name]
    pred = pred.detach().float().cpu()
    if t.target == "segments":
        e = pred.flatten(1).T  # (HW, C)
        e = e - e.mean(0)
        _, _, v = torch.linalg.svd(e, full_matrices=False)
        pcs = (e @ v[:3].T).T.reshape(3, *pred.shape[1:])
        lo, hi = pcs.flatten(1).min(1).values, pcs.flatten(1).max(1).values
        return (
            ((pcs - lo[:, None, None]) / (hi - lo).clamp_min(1e-6)[:, None, None])
            .permute(1, 2, 0)
            .numpy()
        )
    if t.target in ("rgb", "map"):
        return label_image(name, pred.clamp(0, 1))
    raise ValueError(f"no picture for predictions of {name!r} (target format {t.target!r})")


def plot_predictions(rows: dict[str, dict[str, np.ndarray]], columns: Sequence[str]):
    """Fig S2: one row per task, one column per picture (input, target, predictions)."""
    fig, axes = plt.subplots(len(rows), len(columns), figsize=(1.6 * len(columns), 1.6 * len(rows)),
                             constrained_layout=True)  # fmt: skip
    axes = np.atleast_2d(axes)
    for i, (task, pics) in enumerate(rows.items()):
        for j, col in enumerate(columns):
            ax = axes[i, j]
            img = pics[col]
            ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
            if i == 0:
                ax.set_title(col, fontsize=8)
        axes[i, 0].set_ylabel(_label(task), fontsize=7, color=TYPE_COLORS[TASKS[task].type])
    return fig


def plot_dendrograms(matrices: dict[str, pd.DataFrame]):
    """Fig S4: the dendrogram of each matrix side by side, leaves coloured by task type."""
    fig, axes = plt.subplots(
        1, len(matrices), figsize=(5.5 * len(matrices), 5.5), constrained_layout=True
    )
    for ax, (title, m) in zip(np.atleast_1d(axes), matrices.items()):
        plot_dendrogram(m, ax=ax, title=title)
        ax.tick_params(axis="y", labelsize=8)
    handles = [plt.Line2D([], [], color=c, lw=6, label=k) for k, c in TYPE_COLORS.items()]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, bbox_to_anchor=(0.5, -0.04))
    return fig


def plot_agreement(tables: dict, ylabel: str = "mean per-target r_s with transfer"):
    """Bar panels (one per title → table with mean, low, high) of agreement estimates with
    their intervals, side by side on one y axis."""
    fig, axes = plt.subplots(
        1, len(tables), figsize=(5.5 * len(tables), 3.6), sharey=True, squeeze=False
    )
    for ax, (title, table) in zip(axes[0], tables.items(), strict=True):
        est = table["mean"].astype(float)
        err = [est - table["low"].astype(float), table["high"].astype(float) - est]
        ax.bar(range(len(est)), est, yerr=err, color="tab:blue", capsize=3)
        ax.axhline(0, color="k", lw=0.8)
        ax.set_xticks(range(len(est)), est.index, rotation=25, ha="right")
        ax.set_title(title)
    axes[0][0].set_ylabel(ylabel)
    fig.tight_layout()
    return fig
