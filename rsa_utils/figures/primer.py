"""The primer's figure and table: RDMs of drawn shapes and the RSA between the representations."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rsa_utils.figures.style import DISSIMILARITY_CMAP
from rsa_utils.study import report
from rsa_utils.study.primer import SHAPES, Primer, rdms_data, shown_rdm

#: The book's figure functions: name → (the figure it saves, the table whose data it glues).
BOOK_FIGURES: dict[str, tuple[str, str]] = {
    "figure_rdms": ("primer_rdms", ""),
    "table_similarity": ("", "primer_table_similarity"),
}


def plot_rdms(
    images: np.ndarray, rdms: dict, n_per_shape: int, *, ncols: int = 3, rank: bool = True,
    fontsize: float = 10.0,
):  # fmt: skip
    """One example image per shape above a grid of the RDMs (``rdms``: name → (n, n), images
    grouped by shape as :func:`rsa_utils.study.primer.draw_shapes` returns them), each large
    enough to show the blocks on its diagonal. Colours follow the book's convention (gray,
    **dark = similar**, :data:`rsa_utils.figures.style.DISSIMILARITY_CMAP`). ``rank``: show each
    RDM's dissimilarities as percentiles within the RDM (what the Spearman correlation of RSA
    compares, :func:`rsa_utils.study.primer.shown_rdm`), so that RDMs of different spread share
    one colour bar; otherwise raw 1 − r on [0, 2]. Returns the figure."""
    names = list(rdms)
    n_shapes = len(images) // n_per_shape
    shape_names = SHAPES[:n_shapes] if n_shapes <= len(SHAPES) else range(n_shapes)
    nrows = int(np.ceil(len(names) / ncols))
    side = 3.3
    fig = plt.figure(figsize=(side * ncols + 1.2, 1.9 + nrows * (side + 0.4)), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.9, nrows * (side + 0.4)])
    ex = top.subplots(1, n_shapes, squeeze=False)[0]
    for k, ax in enumerate(ex):
        ax.imshow(np.asarray(images[k * n_per_shape]).transpose(1, 2, 0))
        ax.set_title(str(shape_names[k]), fontsize=fontsize)
        ax.set_xticks([]), ax.set_yticks([])
    top.suptitle(f"one image per shape ({n_per_shape} images of each, in this order)",
                 fontsize=fontsize)  # fmt: skip
    axes = bottom.subplots(nrows, ncols, squeeze=False)
    centres = [(k + 0.5) * n_per_shape - 0.5 for k in range(n_shapes)]
    edges = [k * n_per_shape - 0.5 for k in range(1, n_shapes)]
    for ax, name in zip(axes.flat, names):
        m = shown_rdm(rdms[name], rank)
        im = ax.imshow(m, cmap=DISSIMILARITY_CMAP, vmin=0, vmax=100 if rank else 2,
                       interpolation="nearest")  # fmt: skip
        ax.set_title(name, fontsize=fontsize + 1)
        ax.set_xticks(centres, [str(s) for s in shape_names], rotation=90, fontsize=fontsize - 1)
        ax.set_yticks(centres, [str(s) for s in shape_names], fontsize=fontsize - 1)
        ax.set_xticks(edges, minor=True), ax.set_yticks(edges, minor=True)
        ax.tick_params(which="major", length=0)
        ax.tick_params(which="minor", length=6)
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    cb = bottom.colorbar(im, ax=list(axes.flat), shrink=0.6, aspect=30)
    what = "dissimilarity percentile within the RDM" if rank else "dissimilarity 1 − r"
    cb.set_label(f"{what} (dark = similar)", fontsize=fontsize)
    cb.ax.tick_params(labelsize=fontsize - 1)
    return fig


def figure_rdms(primer: Primer) -> None:
    """The RDMs (``primer_rdms``): drawn, saved with each RDM as drawn, closed."""
    fig = plot_rdms(primer.images, primer.rdms, primer.n_per_shape)
    report.save_figure(fig, "primer_rdms", data=rdms_data(primer.rdms, primer.n_per_shape))
    plt.close(fig)


def table_similarity(primer: Primer) -> pd.DataFrame:
    """The RSA between every pair of representations, its data glued as
    ``primer_table_similarity_data``; rounded to 3 digits for display."""
    return report.table(primer.similarity, "primer_table_similarity", digits=3)
