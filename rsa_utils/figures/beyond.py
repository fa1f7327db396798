"""The figure of the chapter beyond the paper: agreement with transfer by measure and by layer."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from rsa_utils.figures.plots import plot_agreement
from rsa_utils.study import report

#: The book's figure functions: name → (the figure it saves, the table whose data it glues).
BOOK_FIGURES: dict[str, tuple[str, str]] = {"figure_beyond": ("beyond_measures_layers", "")}


def figure_beyond(by_measure: pd.DataFrame, by_layer: pd.DataFrame) -> None:
    """The figure ``beyond_measures_layers``: drawn, saved with its data, closed."""
    fig = plot_agreement({"measure (encoder output)": by_measure, "RSA by layer": by_layer})
    report.save_figure(fig, "beyond_measures_layers",
                              data={"measures": by_measure, "layers": by_layer})  # fmt: skip
    plt.close(fig)
