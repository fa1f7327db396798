"""The tables and Figures S1-S3 of S1, each saved with its data by one call."""

from __future__ import annotations

import matplotlib.pyplot as plt

from rsa_utils.figures import plots
from rsa_utils.nets import models
from rsa_utils.study import outputs
from rsa_utils.study.prose import glue_text
from rsa_utils.study.small_models import SmallModels

#: The book's figure functions: name → (the figure it saves, the table whose data it glues).
BOOK_FIGURES: dict[str, tuple[str, str]] = {
    "figure_s1": ("s1_fig_s1", ""),
    "figure_s2": ("s1_fig_s2", ""),
    "figure_s3": ("s1_fig_s3", ""),
    "table_s1": ("", "s1_table_s1"),
    "table_quality": ("", "s1_table_quality"),
    "table_rho": ("", "s1_table_rho"),
}
PICTURE_COLUMNS = ["input", "target", "small", "taskonomy"]


def table_s1():
    """Table S1, read off the small model: its data glued as ``s1_table_s1_data``."""
    table = models.table_s1()
    glue_text("s1_table_s1_data", outputs.figure_data("s1_table_s1", table))
    return table.style.hide(axis="index")


def table_quality(s1: SmallModels):
    """Held-out metric and baseline of each task's two networks (``s1_table_quality_data``)."""
    quality = s1.quality.pivot(index="label", columns="arch", values=["metric", "baseline", "beats_baseline"])  # fmt: skip
    flat = quality.set_axis([f"{v}_{a}" for v, a in quality.columns], axis=1).infer_objects()
    glue_text("s1_table_quality_data", outputs.figure_data("s1_table_quality", flat))
    return quality.round(4)


def table_rho(s1: SmallModels):
    """The ranking ρ of each claim task with its interval (``s1_table_rho_data``)."""
    rho = s1.rho[["label", "type", "estimate", "low", "high"]].rename_axis("task")
    return outputs.table(rho, "s1_table_rho")


def figure_s1(s1: SmallModels) -> None:
    """Fig S1: each task's similarity ranking from both architectures, saved with its data."""
    fig = plots.plot_ranking_panels(
        s1.sim_tk, s1.sim_small, s1.table, label_a="Taskonomy arch.", label_b="small"
    )
    data = plots.ranking_panels_data(
        s1.sim_tk, s1.sim_small, s1.table, label_a="taskonomy", label_b="small"
    )
    outputs.save_figure(fig, "s1_fig_s1", data=data)
    plt.close(fig)


def figure_s2(s1: SmallModels) -> None:
    """Fig S2: one image's predictions by both architectures, saved with its data."""
    fig = plots.plot_predictions(s1.pictures, PICTURE_COLUMNS)
    outputs.save_figure(
        fig, "s1_fig_s2", data=plots.prediction_panels(s1.pictures, PICTURE_COLUMNS)
    )
    plt.close(fig)


def figure_s3(s1: SmallModels) -> None:
    """Fig S3: both similarity matrices on one colour scale, saved with their data."""
    fig = plots.plot_matrices(
        {"Taskonomy-architecture models": s1.sim_tk, "small models": s1.sim_small},
        vmin=min(s1.sim_tk.min().min(), s1.sim_small.min().min()), vmax=1,
    )  # fmt: skip
    outputs.save_figure(fig, "s1_fig_s3", data={"taskonomy": s1.sim_tk, "small": s1.sim_small})
    plt.close(fig)
