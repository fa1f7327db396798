"""The dendrogram of a similarity matrix: single-linkage tree, leaves coloured by task type."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from scipy.cluster import hierarchy

from rsa_utils.figures.style import TYPE_COLORS
from rsa_utils.rsa.taxonomy import linkage
from rsa_utils.world.tasks import TASKS


def plot_dendrogram(
    similarity: pd.DataFrame, ax=None, *, title: str | None = None, orientation="left",
    fontsize: float | None = None,
    distance_label: str | None = "merge height: Euclidean distance\nbetween rows (single linkage)",
):  # fmt: skip
    """Dendrogram of :func:`rsa_utils.rsa.taxonomy.linkage` with leaves labelled by paper label and coloured by task
    type (:data:`rsa_utils.figures.style.TYPE_COLORS`); the distance axis is labelled with
    ``distance_label`` (the merge height of single linkage: the smallest Euclidean distance
    between the rows of ``similarity`` of two clusters). ``fontsize``: of the leaf labels."""
    ax = ax or plt.gca()
    names = list(similarity.index)
    labels = [TASKS[n].label if n in TASKS else str(n) for n in names]
    hierarchy.dendrogram(
        linkage(similarity), labels=labels, ax=ax, orientation=orientation,
        color_threshold=0, above_threshold_color="0.3", leaf_font_size=fontsize,
    )  # fmt: skip
    by_label = dict(zip(labels, names))
    leaves_on_y = orientation in ("left", "right")
    ticks = ax.get_yticklabels() if leaves_on_y else ax.get_xticklabels()
    for tick in ticks:
        name = by_label.get(tick.get_text())
        if name in TASKS:
            tick.set_color(TYPE_COLORS[TASKS[name].type])
    if distance_label:
        set_label = ax.set_xlabel if leaves_on_y else ax.set_ylabel
        set_label(distance_label, fontsize=fontsize)
    if fontsize:
        ax.tick_params(axis="x" if leaves_on_y else "y", labelsize=fontsize)
    if title:
        ax.set_title(title, fontsize=None if fontsize is None else fontsize + 1.5)
    return ax
