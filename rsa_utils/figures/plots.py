"""Figures of S1, S2 and beyond: matrices, ranking panels, predictions, dendrograms, agreement."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rsa_utils.figures.dendrogram import plot_dendrogram
from rsa_utils.figures.style import (  # noqa: F401  (re-exported: plots.TYPE_COLORS etc.)
    ARCH_COLORS,
    DISSIMILARITY_CMAP,
    SIMILARITY_CMAP,
    SIMILARITY_LABEL,
    TYPE_COLOR_NAMES,
    TYPE_COLORS,
    by_type,
    color_ticks,
    consistency_ylim,
    matrix_label,
    separate_labels,
    task_label,
    type_boundaries,
    type_color,
    type_colors_text,
    type_legend,
)
from rsa_utils.world.tasks import TASKS


def plot_matrices(
    matrices: dict[str, pd.DataFrame], *, vmin=None, vmax=None, cmap: str = SIMILARITY_CMAP,
    cbar_labels: Sequence[str] | str | None = None, fontsize: float = 10.0,
):  # fmt: skip
    """Similarity matrices side by side, tasks grouped by type (tick labels coloured by type,
    thin lines between the groups). Returns the figure.

    With ``vmin`` and ``vmax`` both given all panels share one colour scale and one colour bar;
    otherwise each panel has its own. ``cbar_labels``: one label or one per panel (default:
    "transfer affinity (dark = high)" for a title naming affinities, else :data:`SIMILARITY_LABEL`).
    Matrices with the same tasks share the y tick labels (shown once, on the left). Sized so that
    20 labels stay readable with the figure about 700 px wide.
    """
    titles = list(matrices)
    n = len(titles)
    orders = [by_type(m.index) for m in matrices.values()]
    share_y = all(o == orders[0] for o in orders)
    shared_scale = vmin is not None and vmax is not None
    if cbar_labels is None or isinstance(cbar_labels, str):
        cbar_labels = [cbar_labels or matrix_label(t) for t in titles]
    side = 4.3 if n > 1 else 5.4
    width = 1.5 + n * side + (0.8 if shared_scale else 0.8 * n)
    fig, axes = plt.subplots(1, n, figsize=(width, side + 1.9), layout="constrained",
                             sharey=share_y, squeeze=False)  # fmt: skip
    axes = axes[0]
    for i, (ax, title, order) in enumerate(zip(axes, titles, orders)):
        m = matrices[title].loc[order, order]
        im = ax.imshow(m.to_numpy(dtype=float), cmap=cmap, vmin=vmin, vmax=vmax)
        labels = [task_label(t) for t in order]
        ax.set_xticks(range(len(order)), labels, rotation=90, fontsize=fontsize)
        ax.set_yticks(range(len(order)), labels, fontsize=fontsize)
        if share_y and i > 0:
            ax.tick_params(axis="y", labelleft=False)
        color_ticks(ax, order)
        type_boundaries(ax, order)
        ax.set_title(title, fontsize=fontsize + 1.5)
        if not shared_scale:
            cb = fig.colorbar(im, ax=ax, shrink=0.8, aspect=30)
            cb.set_label(cbar_labels[i], fontsize=fontsize)
            cb.ax.tick_params(labelsize=fontsize)
    if shared_scale:
        cb = fig.colorbar(im, ax=list(axes), shrink=0.8, aspect=30)
        cb.set_label(cbar_labels[0], fontsize=fontsize)
        cb.ax.tick_params(labelsize=fontsize)
    type_legend(fig, {TASKS[t].type for o in orders for t in o if t in TASKS})
    return fig


def plot_ranking_panels(sim_a: pd.DataFrame, sim_b: pd.DataFrame, table: pd.DataFrame, *,
                        label_a: str, label_b: str, ncols: int = 4, fontsize: float = 9.5):  # fmt: skip
    """For each task, its similarity to every other task under two sets of models (dark bars:
    ``sim_a``, orange bars: ``sim_b``), with Pearson's ρ [interval] under each panel (``table``:
    estimate/low/high per task). Panel titles are coloured by task type; one shared y axis.
    Four columns by default so that text stays ~8 px high on a ~700 px page."""
    tasks = [t for t in by_type(sim_a.index) if t in table.index]
    nrows = int(np.ceil(len(tasks) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(2.75 * ncols, 3.45 * nrows + 0.6),
                             layout="constrained", sharey=True, squeeze=False)  # fmt: skip
    for ax, t in zip(axes.flat, tasks):
        others = [o for o in by_type(sim_a.index) if o != t]
        x = np.arange(len(others))
        ax.bar(x - 0.2, sim_a.loc[t, others], 0.4, color=ARCH_COLORS["taskonomy"], label=label_a)
        ax.bar(x + 0.2, sim_b.loc[t, others], 0.4, color=ARCH_COLORS["small"], label=label_b)
        ax.axhline(0, color="k", lw=0.6)
        ax.set_title(task_label(t), fontsize=fontsize + 1.5, color=type_color(t), fontweight="bold")
        ax.set_xticks(x, [task_label(o) for o in others], rotation=90, fontsize=fontsize)
        color_ticks(ax, others, "x")
        ax.tick_params(axis="y", labelsize=fontsize)
        r = table.loc[t]
        ax.set_xlabel(f"ρ = {r.estimate:.2f} [{r.low:.2f}, {r.high:.2f}]", fontsize=fontsize + 1)
    for row in axes:
        row[0].set_ylabel("RSA similarity", fontsize=fontsize)
    for ax in list(axes.flat)[len(tasks) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncol=2, fontsize=fontsize + 1,
               frameon=False)  # fmt: skip
    type_legend(fig, {TASKS[t].type for t in tasks}, fontsize=fontsize + 1)
    return fig


def plot_predictions(rows: dict[str, dict[str, np.ndarray]], columns: Sequence[str]):
    """One row per task (label coloured by type), one column per picture (input, target,
    predictions)."""
    fig, axes = plt.subplots(len(rows), len(columns), figsize=(1.6 * len(columns), 1.6 * len(rows)),
                             layout="constrained", squeeze=False)  # fmt: skip
    for i, (task, pics) in enumerate(rows.items()):
        for j, col in enumerate(columns):
            ax = axes[i, j]
            img = pics[col]
            ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
            if i == 0:
                ax.set_title(col, fontsize=10)
        axes[i, 0].set_ylabel(task_label(task), fontsize=9, color=type_color(task))
    return fig


def plot_dendrograms(matrices: dict[str, pd.DataFrame], *, fontsize: float = 10.0):
    """The dendrogram of each matrix side by side (:func:`rsa_utils.figures.dendrogram.plot_dendrogram`:
    single linkage on the Euclidean distance between rows), leaves coloured by task type, the
    merge height labelled, one legend of the type colours."""
    n = len(matrices)
    fig, axes = plt.subplots(1, n, figsize=(5.8 * n, 6.4), layout="constrained", squeeze=False)
    names = set()
    for ax, (title, m) in zip(axes[0], matrices.items()):
        plot_dendrogram(m, ax=ax, title=title, fontsize=fontsize)
        names |= set(m.index)
    type_legend(fig, {TASKS[t].type for t in names if t in TASKS}, fontsize=fontsize)
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


# --- the data behind the figures (``report.save_figure(..., data=...)``) ---------------------------


def ranking_panels_data(sim_a: pd.DataFrame, sim_b: pd.DataFrame, table: pd.DataFrame, *,
                        label_a: str, label_b: str) -> dict[str, pd.DataFrame]:  # fmt: skip
    """What :func:`plot_ranking_panels` shows: ``bars``, one row per pair of bars (panel task,
    other task, the two similarities, in drawing order) and ``rho``, the ρ under each panel."""
    tasks = [t for t in by_type(sim_a.index) if t in table.index]
    order = by_type(sim_a.index)
    bars = pd.DataFrame(
        [
            {
                "task": t,
                "other": o,
                label_a: float(sim_a.loc[t, o]),
                label_b: float(sim_b.loc[t, o]),
            }
            for t in tasks
            for o in order
            if o != t
        ]  # fmt: skip
    )
    rho = table.loc[tasks, ["estimate", "low", "high"]].astype(float).rename_axis("task")
    return {"bars": bars, "rho": rho}


def prediction_panels(rows: dict[str, dict], columns: Sequence[str], *, image: int = 0,
                      split: str = "test") -> pd.DataFrame:  # fmt: skip
    """What :func:`plot_predictions` shows, one row per panel (pictures, not numbers: a panel's
    pixels are the network's output or label, which the figure alone holds): grid row and column,
    task, picture (input, target, an architecture's prediction) and the image it is of."""
    return pd.DataFrame(
        [
            {
                "row": i + 1,
                "column": j + 1,
                "task": t,
                "label": task_label(t),
                "picture": c,
                "split": split,
                "image": image,
            }
            for i, t in enumerate(rows)
            for j, c in enumerate(columns)
        ]  # fmt: skip
    )


def dendrogram_data(similarity: pd.DataFrame) -> pd.DataFrame:
    """The merges of :func:`rsa_utils.figures.dendrogram.plot_dendrogram`'s tree (single linkage of the
    rows of ``similarity``), one row per merge: the two clusters joined (a task, or ``merge k``),
    the merge height (the dendrogram's distance axis) and the tasks of the new cluster."""
    from rsa_utils.rsa.taxonomy import linkage

    names = [str(n) for n in similarity.index]
    members = {i: [n] for i, n in enumerate(names)}
    rows = []
    for k, (a, b, height, size) in enumerate(linkage(similarity), start=1):
        a, b = int(a), int(b)
        members[len(names) + k - 1] = members[a] + members[b]
        rows.append({"merge": k,
                     "left": names[a] if a < len(names) else f"merge {a - len(names) + 1}",
                     "right": names[b] if b < len(names) else f"merge {b - len(names) + 1}",
                     "height": float(height), "size": int(size),
                     "tasks": "; ".join(members[len(names) + k - 1])})  # fmt: skip
    return pd.DataFrame(rows)
