"""Figures S6-S9 and S3's tables, each saved with its data by one call on a section's result."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rsa_utils.study import report
from rsa_utils.study.image_counts import ImageCounts
from rsa_utils.study.model_size import ModelSize
from rsa_utils.study.s3_data import PAPER_HIGH, PAPER_LOW, THRESHOLD, fraction_label, label
from rsa_utils.study.s3_statistics import paper_table, transfer_data, transfer_vs_paper
from rsa_utils.study.training_stage import TrainingStage
from rsa_utils.study.transfer_learning import TransferLearning


def plot_checkpoints(table: pd.DataFrame, rankings: pd.DataFrame | None = None) -> plt.Figure:
    """ρ with the final ranking vs fraction of training (band: bootstrap interval; y axis
    zoomed to the data, :func:`rsa_utils.figures.style.consistency_ylim`, with the 0.99 line);
    optionally a second panel with the similarity of each source at every checkpoint (gray,
    dark = similar)."""
    from rsa_utils.figures.style import SIMILARITY_CMAP, consistency_ylim

    ncols = 1 if rankings is None else 2
    fig, axes = plt.subplots(1, ncols, figsize=(5.4 * ncols, 4.4), squeeze=False,
                             layout="constrained")  # fmt: skip
    ax = axes[0, 0]
    x = table["fraction"].to_numpy()
    ax.fill_between(
        x, table["low"], table["high"], color="C0", alpha=0.25, lw=0, label="95 % bootstrap"
    )
    ax.plot(x, table["estimate"], "o-", color="C0", label="all images", clip_on=False, zorder=3)
    ax.axhline(THRESHOLD, color="0.3", ls="--", lw=1.0, label=f"ρ = {THRESHOLD}")
    ax.set_xticks(x, [fraction_label(f) for f in x], fontsize=10)
    ax.tick_params(axis="y", labelsize=10)
    ax.set_xlabel("fraction of training of the target model", fontsize=10.5)
    ax.set_ylabel("Pearson ρ with the final ranking", fontsize=10.5)
    ax.set_ylim(*consistency_ylim(table["low"]))
    ax.legend(fontsize=10, loc="lower right")
    if rankings is not None:
        ax = axes[0, 1]
        im = ax.imshow(rankings.to_numpy(), aspect="auto", cmap=SIMILARITY_CMAP)
        ax.set_yticks(range(len(rankings)), [label(t) for t in rankings.index], fontsize=10)
        ax.set_xticks(
            range(rankings.shape[1]), [fraction_label(f) for f in rankings.columns], fontsize=10
        )
        ax.set_xlabel("fraction of training", fontsize=10.5)
        cb = fig.colorbar(im, ax=ax)
        cb.set_label("RSA with the target model (dark = similar)", fontsize=10.5)
        cb.ax.tick_params(labelsize=10)
    return fig


def plot_size(table: pd.DataFrame) -> plt.Figure:
    """Thick bars (Taskonomy-architecture encoders) with thin bars (small encoders) on top, one
    pair per source task, sorted by the thick bars (legend above the axes)."""
    fig, ax = plt.subplots(figsize=(max(6.0, 0.42 * len(table)), 4.0), layout="constrained")
    x = np.arange(len(table))
    ax.bar(
        x,
        table["taskonomy"],
        width=0.8,
        color="0.75",
        edgecolor="0.4",
        label="Taskonomy architecture (thick)",
    )
    ax.bar(x, table["small"], width=0.25, color="C3", label="small model (thin)")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, table["label"], rotation=60, ha="right", fontsize=9)
    ax.tick_params(axis="y", labelsize=9)
    ax.set_ylabel("RSA with the target small model", fontsize=9.5)
    ax.legend(fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False,
              title="Similarity rankings: Taskonomy architecture (thick) vs small (thin)",
              title_fontsize=10)  # fmt: skip
    return fig


def plot_image_counts(table: pd.DataFrame, n_all: int) -> plt.Figure:
    """ρ with the all-image ranking vs number of images (median and 95 % band; y axis zoomed
    to the data, :func:`rsa_utils.figures.style.consistency_ylim`, with the 0.99 line)."""
    from rsa_utils.figures.style import consistency_ylim

    fig, ax = plt.subplots(figsize=(5.6, 4.0), layout="constrained")
    ax.fill_between(table["n"], table["low"], table["high"], color="C2", alpha=0.25, lw=0,
                    label="central 95 % of draws")  # fmt: skip
    ax.plot(table["n"], table["estimate"], "o-", color="C2", label="median over draws",
            clip_on=False, zorder=3)  # fmt: skip
    ax.axhline(THRESHOLD, color="0.3", ls="--", lw=1.0, label=f"ρ = {THRESHOLD}")
    ax.set_xlabel(f"number of images n (of {n_all})", fontsize=10)
    ax.set_ylabel(f"Pearson ρ with the ranking from {n_all} images", fontsize=10)
    ax.tick_params(labelsize=9.5)
    ax.set_ylim(*consistency_ylim(table["low"]))
    ax.legend(fontsize=9.5, loc="lower right")
    return fig


def _mark_named(ax, tasks: Sequence[str]) -> None:
    for tick, t in zip(ax.get_xticklabels(), tasks):
        if t in PAPER_HIGH:
            tick.set_color("C2")
        elif t in PAPER_LOW:
            tick.set_color("C3")


def plot_transfer(
    table: pd.DataFrame, baselines: pd.Series, paper: pd.DataFrame | None = None
) -> plt.Figure:
    """(a) our mIoU per source initialisation in descending similarity order, the similarity on
    a second axis and the baselines as labelled horizontal lines (legend above the axes);
    (b) if ``paper`` is given: our mIoU (y) against the paper's published Pascal VOC mIoU (x)
    for the tasks in both, each point labelled, Spearman's r_s in the title. Task labels: green
    = the paper's high-similarity tasks, red = its low-similarity tasks."""
    from scipy.stats import spearmanr

    from rsa_utils.figures.style import separate_labels

    panels = 1 if paper is None else 2
    width = max(7.5, 0.45 * len(table))
    heights = [4.6] if paper is None else [4.6, 5.0]
    fig, axes = plt.subplots(panels, 1, figsize=(width, sum(heights) + 0.4), squeeze=False,
                             layout="constrained", height_ratios=heights)  # fmt: skip
    ax = axes[0, 0]
    x = np.arange(len(table))
    reps = [c for c in ("miou_rep0", "miou_rep1") if c in table]
    two = len(reps) == 2 and table[reps[1]].notna().any()
    ax.bar(x, table["miou"], color="C0", width=0.7,
           label="fine-tuned from the source encoder" + (" (mean over its networks)" if two else ""))  # fmt: skip
    if two:  # each network's own run
        for c, dx in zip(reps, (-0.17, 0.17)):
            ax.plot(x + dx, table[c], "_", color="navy", ms=9, mew=1.5,
                    label="each network" if c == reps[0] else None)  # fmt: skip
    # a percentile interval need not contain its estimate: lines from low to high, not ± bars
    if "miou_low" in table:
        ax.vlines(x, table["miou_low"], table["miou_high"], color="0.25", lw=1.2,
                  label="95 % bootstrap over test images" + (" and networks" if two else ""))  # fmt: skip
    styles = {"scratch": ("k", "--"), "frozen_random": ("0.45", ":")}
    for name, value in baselines.items():
        color, ls = styles.get(name, ("k", "-."))
        ax.axhline(
            value, color=color, ls=ls, lw=1.2, label=f"{name.replace('_', ' ')} ({value:.1f})"
        )
    low, high = (table[c] if c in table else table["miou"] for c in ("miou_low", "miou_high"))
    lo = min(float(low.min()), float(baselines.min()) if len(baselines) else np.inf,
             *(float(table[c].min()) for c in reps if table[c].notna().any()))  # fmt: skip
    hi = max(float(high.max()), float(baselines.max()) if len(baselines) else -np.inf,
             *(float(table[c].max()) for c in reps if table[c].notna().any()))  # fmt: skip
    pad = max(1.0, 0.15 * (hi - lo))
    ax.set_ylim(max(0.0, lo - pad), hi + pad)
    ax.set_ylabel("target test mIoU (%)", fontsize=10)
    ax.set_xticks(x, table["label"], rotation=60, ha="right", fontsize=9.5)
    ax.tick_params(axis="y", labelsize=9.5)
    _mark_named(ax, list(table.index))
    tw = ax.twinx()
    tw.plot(x, table["similarity"], "o-", color="C1", ms=4, lw=1, label="RSA similarity")
    tw.set_ylabel("RSA with the target model", color="C1", fontsize=10)
    tw.tick_params(axis="y", labelsize=9.5)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = tw.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncol=2, frameon=False, title_fontsize=10,
              title="(a) this reproduction: sources in descending similarity order")  # fmt: skip
    if paper is not None:
        ax = axes[1, 0]
        both = transfer_vs_paper(table, paper)
        shared = list(both.index)
        ours, theirs = both["miou"], both["paper_miou"]
        ok = len(shared) >= 3 and ours.nunique() > 1 and theirs.nunique() > 1
        r_s = float(spearmanr(theirs, ours).statistic) if ok else float("nan")
        ax.scatter(theirs, ours, color="C0", s=28, zorder=3)
        texts = []
        for t in shared:
            color = "C2" if t in PAPER_HIGH else "C3" if t in PAPER_LOW else "k"
            texts.append(ax.annotate(label(t), (theirs[t], ours[t]), xytext=(5, 2),
                                     textcoords="offset points", fontsize=9, color=color))  # fmt: skip
        ax.set_xlabel("the paper's published Pascal VOC mIoU (%)", fontsize=10)
        ax.set_ylabel("our target test mIoU (%)", fontsize=10)
        ax.tick_params(labelsize=9.5)
        ax.margins(x=0.12, y=0.1)
        rs_text = f"Spearman r_s = {r_s:.2f}" if np.isfinite(r_s) else "Spearman r_s undefined"
        ax.set_title(f"(b) ours vs the paper, {len(shared)} shared tasks: {rs_text}", fontsize=10)
        fig.canvas.draw()  # final layout, then keep the point labels apart
        separate_labels(ax, texts)
    return fig


#: The book's figure functions: name → (the figure it saves, the table whose data it glues).
BOOK_FIGURES: dict[str, tuple[str, str]] = {
    "figure_s6": ("s3_1_fig_s6", "s3_1_table_checkpoints"),
    "figure_s7": ("s3_2_fig_s7", "s3_2_table_size"),
    "table_correlation": ("", "s3_2_table_correlation"),
    "figure_s8": ("s3_3_fig_s8", "s3_3_table_image_counts"),
    "figure_s9": ("s3_4_fig_s9", "s3_4_table_transfer"),
    "table_named": ("", "s3_4_table_named"),
}


def figure_s6(s31: TrainingStage) -> pd.DataFrame:
    """Fig S6 of the book (``s3_1_fig_s6``): drawn, saved with its data, closed; returns the
    table of ρ per checkpoint, its data glued as ``s3_1_table_checkpoints_data``."""
    fig = plot_checkpoints(s31.table, s31.rankings)
    report.save_figure(
        fig, "s3_1_fig_s6", data={"rho": s31.table, "rankings": s31.rankings.rename_axis("task")}
    )
    plt.close(fig)
    return report.table(s31.table, "s3_1_table_checkpoints", digits=4)


def figure_s7(s32: ModelSize) -> pd.DataFrame:
    """Fig S7 of the book (``s3_2_fig_s7``): drawn, saved with its data, closed; returns the
    table of similarities behind it, its data glued as ``s3_2_table_size_data``."""
    fig = plot_size(s32.table)
    report.save_figure(fig, "s3_2_fig_s7", data=s32.table)
    plt.close(fig)
    return report.table(s32.table, "s3_2_table_size")


def table_correlation(s32: ModelSize) -> pd.DataFrame:
    """The two correlations between the rankings with their intervals
    (``s3_2_table_correlation_data``)."""
    return report.table(s32.correlation, "s3_2_table_correlation")


def figure_s8(s33: ImageCounts) -> pd.DataFrame:
    """Fig S8 of the book (``s3_3_fig_s8``): drawn, saved with its data, closed; returns the
    table behind it, its data glued as ``s3_3_table_image_counts_data``."""
    fig = plot_image_counts(s33.table, s33.n_all)
    report.save_figure(fig, "s3_3_fig_s8", data=s33.table)
    plt.close(fig)
    return report.table(s33.table, "s3_3_table_image_counts", digits=4)


def figure_s9(s34: TransferLearning) -> pd.DataFrame:
    """Fig S9 of the book (``s3_4_fig_s9``, beside the paper's published mIoU): drawn, saved
    with its data, closed; the published list against our RSA ranking is written as
    ``data/s3_4_pascal_vs_rsa.csv``. Returns the transfer table, its data glued as
    ``s3_4_table_transfer_data``."""
    paper = paper_table()
    fig = plot_transfer(s34.table, s34.baselines, paper)
    report.save_figure(fig, "s3_4_fig_s9", data=transfer_data(s34.table, s34.baselines, paper))
    plt.close(fig)
    report.save_data(s34.pascal, "s3_4_pascal_vs_rsa")
    return report.table(s34.table, "s3_4_table_transfer", digits=None).set_index("label").round(3)


def table_named(s34: TransferLearning) -> pd.DataFrame:
    """Where the tasks the supplement names fall in our two rankings
    (``s3_4_table_named_data``)."""
    return report.table(s34.checks, "s3_4_table_named", digits=None)
