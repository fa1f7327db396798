"""The chapter beyond the paper's figure and tables: agreement with transfer by measure, layer."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from rsa_utils.figures.plots import plot_agreement
from rsa_utils.study import report
from rsa_utils.study.beyond import Beyond

#: The book's figure functions: name → (the figure it saves, the table whose data it glues).
BOOK_FIGURES: dict[str, tuple[str, str]] = {
    "figure_beyond": ("beyond_measures_layers", ""),
    "table_measures": ("", "beyond_table_measures"),
    "table_between": ("", "beyond_table_between"),
}


def table_measures(beyond: Beyond) -> pd.DataFrame:
    """Agreement with transfer of each measure on the encoder output
    (``beyond_table_measures_data``)."""
    return report.table(beyond.by_measure, "beyond_table_measures")


def figure_beyond(beyond: Beyond) -> None:
    """The figure ``beyond_measures_layers``: drawn, saved with its data, closed."""
    fig = plot_agreement(
        {"measure (encoder output)": beyond.by_measure, "RSA by layer": beyond.by_layer}
    )
    report.save_figure(fig, "beyond_measures_layers",
                       data={"measures": beyond.by_measure, "layers": beyond.by_layer})  # fmt: skip
    plt.close(fig)


def table_between(beyond: Beyond) -> pd.DataFrame:
    """Pearson correlation between the measures' similarity matrices
    (``beyond_table_between_data``)."""
    return report.table(beyond.between, "beyond_table_between")
