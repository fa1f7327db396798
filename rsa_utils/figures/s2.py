"""Figures S4 and S5 and the tables of S2, each saved with its data by one call."""

from __future__ import annotations

import matplotlib.pyplot as plt

from rsa_utils.figures import plots
from rsa_utils.study import outputs
from rsa_utils.study.prose import glue_text
from rsa_utils.study.taskonomy_vs_rsa import TaskonomyVsRSA

#: The book's figure functions: name → (the figure it saves, the table whose data it glues).
BOOK_FIGURES: dict[str, tuple[str, str]] = {
    "figure_s4": ("s2_fig_s4", ""),
    "figure_s5": ("s2_fig_s5", ""),
    "table_agreement": ("", "s2_table_agreement"),
    "table_real": ("", ""),
    "table_real_by_type": ("", "s2_table_real_by_type"),
}


def figure_s4(s2: TaskonomyVsRSA):
    """Fig S4: the three trees, saved with their matrices; returns the clusters table to show."""
    fig = plots.plot_dendrograms(s2.trees)
    published, recomputed, rsa = s2.trees.values()
    outputs.save_figure(
        fig, "s2_fig_s4", data={"published": published, "recomputed": recomputed, "rsa": rsa}
    )
    plt.close(fig)
    return s2.clusters


def figure_s5(s2: TaskonomyVsRSA) -> None:
    """Fig S5: the three matrices side by side, saved with their data."""
    fig = plots.plot_matrices(s2.matrices, cmap="gray_r")
    outputs.save_figure(
        fig, "s2_fig_s5", data=dict(zip(("published", "affinity", "rsa"), s2.matrices.values()))
    )
    plt.close(fig)


def table_agreement(s2: TaskonomyVsRSA):
    """The per-target Spearman between RSA and the affinities (``s2_table_agreement_data``)."""
    return outputs.table(s2.agreement, "s2_table_agreement", digits=None)


def table_real(s2: TaskonomyVsRSA):
    """The comparisons with Taskonomy's published affinities, written as
    ``data/s2_real_taskonomy.csv`` (linked from the prose)."""
    outputs.save_data(s2.real, "s2_real_taskonomy")
    return s2.real.round(3)


def table_real_by_type(s2: TaskonomyVsRSA):
    """The agreement with Taskonomy's published affinities by the type of the target
    (``s2_table_real_by_type_data``)."""
    glue_text(
        "s2_table_real_by_type_data", outputs.figure_data("s2_table_real_by_type", s2.real_by_type)
    )
    return s2.real_by_type
