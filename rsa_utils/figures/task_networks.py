"""The models chapter's table and figure: each network's quality and the noise ceilings."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rsa_utils.figures.style import by_type, color_ticks, task_label, type_color
from rsa_utils.study import report
from rsa_utils.study.task_models import write_quality_csv
from rsa_utils.study.task_networks import TaskNetworks

#: The book's figure functions: name → (the figure it saves, the table whose data it glues).
BOOK_FIGURES: dict[str, tuple[str, str]] = {
    "figure_noise_ceiling": ("models_noise_ceiling", ""),
    "table_network_quality": ("", "models_table_quality"),
}
#: The columns of the quality table as shown, and of the noise ceiling's data and table.
QUALITY_COLUMNS = ["label", "type", "arch", "metric_name", "metric", "baseline", "relative_quality", "flag"]  # fmt: skip
CEILING_DATA_COLUMNS = ["task", "label", "type", "arch", "ceiling", "ceiling_low", "ceiling_high",
                        "max_nontwin", "max_nontwin_low", "max_nontwin_high", "nearest_nontwin", "signal",
                        "twins", "max_other", "max_other_low", "max_other_high", "nearest", "signal_strict"]  # fmt: skip
CEILING_TABLE_COLUMNS = ["label", "arch", "ceiling", "ceiling_low", "ceiling_high", "max_nontwin",
                         "nearest_nontwin", "signal", "twins", "max_other", "signal_strict"]  # fmt: skip


def plot_noise_ceiling(quality: pd.DataFrame):
    """Per architecture, per task (grouped by type): the RSA between two replicates (the noise
    ceiling, filled marker, 95 % interval) beside the task's highest RSA to the network of a task
    that is not its label twin (open marker, interval), and, where higher, its highest RSA to a
    label twin (cross). A task has signal where the filled interval clears the open marker."""
    archs = list(dict.fromkeys(quality.arch))
    fig, axes = plt.subplots(1, len(archs), figsize=(8.5, 3.6), sharey=True, squeeze=False)
    for ax, arch in zip(axes[0], archs):
        q = (
            quality[quality.arch == arch]
            .set_index("task")
            .loc[by_type(list(quality[quality.arch == arch].task))]
        )
        x = np.arange(len(q))
        colors = [type_color(t) for t in q.index]
        # a bootstrap estimate can lie outside its percentile interval: clip the bars at 0
        ax.errorbar(x - 0.15, q.ceiling, yerr=np.clip([q.ceiling - q.ceiling_low, q.ceiling_high - q.ceiling], 0, None),
                    fmt="none", ecolor="0.4", lw=1)  # fmt: skip
        ax.scatter(x - 0.15, q.ceiling, c=colors, s=22, zorder=3, label="between replicates")
        nt = q.max_nontwin
        ax.errorbar(x + 0.15, nt, yerr=np.clip([nt - q.max_nontwin_low, q.max_nontwin_high - nt], 0, None),
                    fmt="none", ecolor="0.7", lw=1)  # fmt: skip
        ax.scatter(x + 0.15, nt, facecolors="white", edgecolors=colors, s=22, zorder=3,
                   label="highest to another task (not a twin)")  # fmt: skip
        twin = q.max_other > nt
        ax.scatter(x[twin] + 0.15, q.max_other[twin], c="0.3", marker="x", s=18, lw=0.8, zorder=4,
                   label="highest to a label twin")  # fmt: skip
        ax.set_xticks(x, [task_label(t) for t in q.index], rotation=90, fontsize=7)
        color_ticks(ax, list(q.index), axis="x")
        ax.set_title(f"{arch} networks", fontsize=9)
        ax.set_ylim(min(0.0, float(np.nanmin(q.max_nontwin_low)) - 0.05), 1.0)
        ax.grid(axis="y", lw=0.3)
    axes[0][0].set_ylabel("RSA (Spearman)", fontsize=8)
    axes[0][0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    return fig


def table_network_quality(networks: TaskNetworks):
    """Each network's held-out metric beside its baseline, flagged where it is not better; its
    data (with ``models_quality.csv``, quality and ceiling per network) glued as
    ``models_table_quality_data``. Returns the table styled for display."""
    quality = networks.quality
    flag = quality.beats_baseline.map({True: "", False: "⚠ not better than baseline"})
    table = quality.assign(flag=flag)[QUALITY_COLUMNS]
    csv = write_quality_csv(quality)
    report.glue_text("models_table_quality_data",
                     report.figure_data("models_table_quality", table) + f", [models_quality.csv]({csv})")  # fmt: skip
    return table.style.hide(axis="index").format(precision=4)


def figure_noise_ceiling(networks: TaskNetworks):
    """The noise ceilings (``models_noise_ceiling``): drawn, saved with their data, closed;
    returns the same numbers as a table styled for display."""
    quality = networks.quality
    fig = plot_noise_ceiling(quality)
    report.save_figure(fig, "models_noise_ceiling", data=quality[CEILING_DATA_COLUMNS])
    plt.close(fig)
    return quality[CEILING_TABLE_COLUMNS].style.hide(axis="index").format(precision=3)
