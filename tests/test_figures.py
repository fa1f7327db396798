"""The book's figures: one colour convention, readable text at page width, the panels asked for.

Everything is drawn from small synthetic inputs (no models, no cache). "Readable" means: with
the saved figure (``bbox_inches="tight"``) scaled to :data:`PAGE_PX` wide, every visible text is
at least :data:`MIN_PX` pixels high (its font size in pixels at that scale).
"""

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch
from fakes import gallery_labels
from matplotlib.colors import to_hex
from scipy.stats import spearmanr

from rsa_utils import gallery, plots, primer
from rsa_utils import target_task as tt
from rsa_utils.figures import dendrogram
from rsa_utils.figures import primer as primer_figures
from rsa_utils.tasks import S1_TASKS, S34_TASKS, TASK_NAMES, TASK_TYPES, TASKS

PAGE_PX = 700  # width of the book's text column
MIN_PX = 7.8  # smallest acceptable text height there (~8 px)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _sim(names, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.uniform(-0.2, 0.9, (len(names), len(names)))
    s = (a + a.T) / 2
    np.fill_diagonal(s, 1.0)
    return pd.DataFrame(s, index=list(names), columns=list(names))


def _texts(fig):
    """Visible, non-empty texts of a figure (titles, labels, tick labels, legends, ...)."""
    return [
        t
        for t in fig.findobj(matplotlib.text.Text)
        if t.get_visible() and t.get_text().strip() and (t.axes is None or t.axes.get_visible())
    ]


def _rendered_px(fig) -> float:
    """Smallest text height in pixels once the tight-saved figure is PAGE_PX wide."""
    fig.canvas.draw()
    width_in = fig.get_tightbbox(fig.canvas.get_renderer()).width
    sizes = [t.get_fontsize() for t in _texts(fig)]
    return min(sizes) / 72 * PAGE_PX / width_in


def _hex(c) -> str:
    return to_hex(c).lower()


def _expected(name) -> str:
    return _hex(plots.TYPE_COLORS[TASKS[name].type])


def _by_label():
    return {t.label: n for n, t in TASKS.items()}


def _assert_no_fig_number(fig):
    for t in _texts(fig):
        assert not re.search(r"\bFig\.?\s*S?\d", t.get_text()), t.get_text()


# --- the one colour convention ------------------------------------------------------------------


def test_type_colors_cover_the_task_types_with_distinct_colours():
    assert list(plots.TYPE_COLORS) == list(TASK_TYPES)
    assert len({_hex(c) for c in plots.TYPE_COLORS.values()}) == len(TASK_TYPES)
    assert set(plots.TYPE_COLOR_NAMES) == set(TASK_TYPES)
    assert plots.type_colors_text().startswith("2D blue, 3D vermillion")
    assert plots.type_color("normal") == plots.TYPE_COLORS["3D"]
    assert plots.SIMILARITY_CMAP == "gray_r" and plots.DISSIMILARITY_CMAP == "gray"


def test_dendrogram_leaves_and_label_rsa_use_the_same_type_colours():
    sim = _sim(TASK_NAMES)
    fig, ax = plt.subplots()
    dendrogram.plot_dendrogram(sim, ax=ax)
    by_label = _by_label()
    leaves = ax.get_yticklabels()
    assert len(leaves) == len(TASK_NAMES)
    for tick in leaves:
        assert _hex(tick.get_color()) == _expected(by_label[tick.get_text()])
    fig = gallery.plot_label_similarity(sim)
    matrix_ax, tree_ax = fig.axes[0], fig.axes[1]
    for tick in [*matrix_ax.get_yticklabels(), *tree_ax.get_yticklabels()]:
        assert _hex(tick.get_color()) == _expected(by_label[tick.get_text()])


def test_ranking_panels_predictions_and_matrices_use_the_same_type_colours():
    names = list(S1_TASKS)
    table = pd.DataFrame({"estimate": 0.5, "low": 0.4, "high": 0.6}, index=names)
    fig = plots.plot_ranking_panels(_sim(names), _sim(names, 1), table, label_a="a", label_b="b")
    titled = [ax for ax in fig.axes if ax.get_title()]
    by_label = _by_label()
    for ax in titled:
        assert _hex(ax.title.get_color()) == _expected(by_label[ax.get_title()])
    pic = np.zeros((8, 8, 3))
    fig = plots.plot_predictions({"normal": {"x": pic}, "autoencoding": {"x": pic}}, ["x"])
    assert [_hex(ax.yaxis.label.get_color()) for ax in fig.axes] == [
        _expected("normal"),
        _expected("autoencoding"),
    ]
    fig = plots.plot_matrices({"RSA": _sim(TASK_NAMES)})
    for tick in fig.axes[0].get_xticklabels():
        assert _hex(tick.get_color()) == _expected(by_label[tick.get_text()])


# --- Fig S1: the ranking panels --------------------------------------------------------------------


def test_ranking_panels_four_columns_readable():
    names = list(S1_TASKS)
    table = pd.DataFrame({"estimate": 0.5, "low": 0.4, "high": 0.6}, index=names)
    fig = plots.plot_ranking_panels(
        _sim(names), _sim(names, 1), table, label_a="Taskonomy arch.", label_b="small"
    )
    assert isinstance(fig, plt.Figure)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == len(names) == 14
    assert len({round(ax.get_position().x0, 3) for ax in panels}) == 4  # four columns
    assert all(ax.get_xlabel().startswith("ρ = 0.50 [0.40, 0.60]") for ax in panels)
    assert 10 <= fig.get_figwidth() <= 12
    assert _rendered_px(fig) >= MIN_PX
    _assert_no_fig_number(fig)


# --- matrices (Fig S3, S5) and the data page's label RSA ------------------------------------------


@pytest.mark.parametrize("n_panels", [1, 2])
def test_matrices_readable_with_labelled_colour_bars(n_panels):
    sim = _sim(TASK_NAMES)
    mats = {"Taskonomy affinities (unscaled)": sim.abs() / 20, "RSA (ours)": sim}
    mats = dict(list(mats.items())[-n_panels:])
    fig = plots.plot_matrices(mats)
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == n_panels
    assert all(ax.images[0].get_cmap().name == "gray_r" for ax in images)
    bars = [ax for ax in fig.axes if not ax.images and ax.get_ylabel()]
    assert len(bars) == n_panels  # one colour bar per panel: the scales differ
    assert all("dark = " in ax.get_ylabel() for ax in bars)
    if n_panels == 2:
        assert "affinity" in bars[0].get_ylabel() and "similar" in bars[1].get_ylabel()
        # the same tasks: the y labels are shown once
        assert not images[1].yaxis.get_major_ticks()[0].label1.get_visible()
    assert len(images[0].get_xticklabels()) == 20
    assert _rendered_px(fig) >= MIN_PX
    _assert_no_fig_number(fig)


def test_matrices_with_a_common_scale_share_one_colour_bar():
    sim = _sim(S1_TASKS)
    fig = plots.plot_matrices({"a": sim, "b": sim}, vmin=-0.2, vmax=1)
    bars = [ax for ax in fig.axes if not ax.images and ax.get_ylabel()]
    assert len(bars) == 1 and bars[0].get_ylabel() == plots.SIMILARITY_LABEL


def test_label_similarity_readable_and_dark_is_similar():
    fig = gallery.plot_label_similarity(_sim(TASK_NAMES))
    ax = fig.axes[0]
    assert ax.images[0].get_cmap().name == "gray_r"
    assert any("dark = similar" in a.get_ylabel() for a in fig.axes)
    assert _rendered_px(fig) >= MIN_PX


# --- Fig S4: dendrograms ----------------------------------------------------------------------------


def test_dendrograms_label_the_merge_height():
    sim = _sim(TASK_NAMES)
    fig = plots.plot_dendrograms({"affinities": sim, "RSA": _sim(TASK_NAMES, 3)})
    trees = [ax for ax in fig.axes if ax.get_yticklabels()]
    assert len(trees) == 2
    for ax in trees:
        label = ax.get_xlabel()
        assert "single linkage" in label and "Euclidean" in label
    assert _rendered_px(fig) >= MIN_PX
    legend_texts = {t.get_text() for leg in fig.legends for t in leg.get_texts()}
    assert set(TASK_TYPES) <= legend_texts


# --- the data page's source gallery ----------------------------------------------------------------


def test_source_gallery_is_a_grid_of_rows_per_scene():
    labels = gallery_labels()
    dense = [k for k in labels if TASKS[k].dense]
    fig = gallery.plot_source_gallery(torch.rand(2, 3, 16, 16), labels, n=2)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 2 * (1 + len(dense))
    per_row = {}
    for ax in shown:
        key = (id(ax.get_figure()), round(ax.get_position().y0, 3))
        per_row[key] = per_row.get(key, 0) + 1
    assert max(per_row.values()) <= 9  # at most 9 columns, not one row of 18
    assert fig.get_figwidth() <= 11.5
    titled = {ax.get_title().replace("\n", " "): ax for ax in shown}
    for k in dense:
        assert _hex(titled[TASKS[k].label].title.get_color()) == _expected(k)
    assert _rendered_px(fig) >= MIN_PX


# --- the primer's RDMs ------------------------------------------------------------------------------


def test_primer_rdms_large_gray_dark_blocks_on_the_diagonal():
    n_per, n_shapes = 6, len(primer.SHAPES)
    images, labels = primer.draw_shapes(n_per, 16, 0)
    same = labels[:, None] == labels[None, :]
    rng = np.random.default_rng(0)
    block = np.where(same, 0.2, 1.2) + rng.uniform(0, 0.1, same.shape)
    np.fill_diagonal(block, 0)
    rdms = {"pixels": block, "net": rng.uniform(0, 2, same.shape)}
    fig = primer_figures.plot_rdms(images, rdms, n_per)
    rdm_axes = [ax for ax in fig.axes if ax.images and ax.get_title() in rdms]
    assert len(rdm_axes) == 2
    shown = rdm_axes[0].images[0]
    assert shown.get_cmap().name == plots.DISSIMILARITY_CMAP
    a = np.asarray(shown.get_array())
    assert a[same].mean() < a[~same].mean()  # dark (low) blocks on the diagonal
    assert len([ax for ax in fig.axes if ax.images]) == n_shapes + 2  # examples + RDMs
    assert any("dark = similar" in ax.get_ylabel() for ax in fig.axes)
    fig.canvas.draw()
    width = fig.get_tightbbox(fig.canvas.get_renderer()).width
    panel = rdm_axes[0].get_position().width * fig.get_figwidth()
    assert panel / width * PAGE_PX >= 180  # each RDM at least ~180 px wide on the page
    assert _rendered_px(fig) >= MIN_PX


# --- S3 figures -------------------------------------------------------------------------------------


def _checkpoint_table(lows):
    x = np.linspace(0.1, 1.0, len(lows))
    lows = np.asarray(lows, float)
    return pd.DataFrame(
        {"fraction": x, "estimate": np.minimum(lows + 0.02, 1), "low": lows, "high": 1.0}
    )


@pytest.mark.parametrize("lows, bottom", [([0.94, 0.96, 0.99, 1.0], 0.8), ([0.62, 0.9, 1.0], 0.6)])
def test_checkpoints_zoom_to_the_data_and_keep_the_threshold(lows, bottom):
    table = _checkpoint_table(lows)
    ranks = pd.DataFrame(
        np.random.default_rng(0).uniform(0, 1, (len(S34_TASKS), len(table))),
        index=list(S34_TASKS),
        columns=table["fraction"],
    )
    fig = tt.plot_checkpoints(table, ranks)
    ax = fig.axes[0]
    assert ax.get_ylim() == pytest.approx((bottom, 1.0))
    lines = [ln for ln in ax.get_lines() if np.allclose(ln.get_ydata(), tt.THRESHOLD)]
    assert lines and bottom < tt.THRESHOLD < 1.0
    assert "dark = similar" in fig.axes[-1].get_ylabel()
    assert _rendered_px(fig) >= MIN_PX
    _assert_no_fig_number(fig)
    assert tt.plot_checkpoints(table).axes[0].get_ylim() == pytest.approx((bottom, 1.0))


def test_image_counts_zoom_like_the_checkpoints():
    table = pd.DataFrame({"n": [10, 20, 40], "estimate": [0.9, 0.97, 1.0],
                          "low": [0.71, 0.93, 1.0], "high": [0.95, 0.99, 1.0]})  # fmt: skip
    fig = tt.plot_image_counts(table, 40)
    assert fig.axes[0].get_ylim() == pytest.approx((0.7, 1.0))
    assert plots.consistency_ylim([0.95, 0.99]) == (0.8, 1.0)
    assert plots.consistency_ylim([-0.31]) == pytest.approx((-0.35, 1.0))


def _transfer_table(seed=0):
    rng = np.random.default_rng(seed)
    sim = pd.Series(rng.uniform(0, 0.3, len(S34_TASKS)), index=list(S34_TASKS))
    miou = pd.Series(rng.uniform(1, 40, len(S34_TASKS)), index=list(S34_TASKS))
    return tt.transfer_table(sim, miou)


def test_transfer_scatter_against_the_paper_with_spearman_in_the_title():
    table = _transfer_table()
    baselines = pd.Series({"scratch": 20.0, "frozen_random": 5.0})
    paper = tt.paper_table()
    fig = tt.plot_transfer(table, baselines, paper)
    assert len(fig.axes) == 3  # (a), its similarity axis, (b)
    bars = fig.axes[0]
    (scatter_ax,) = [ax for ax in fig.axes if ax.collections]
    shared = [t for t in table.index if t in paper.index]
    offsets = scatter_ax.collections[0].get_offsets()
    assert len(offsets) == len(shared) == 17
    np.testing.assert_allclose(offsets[:, 0], paper.loc[shared, "miou"])  # x: published
    np.testing.assert_allclose(offsets[:, 1], table.loc[shared, "miou"])  # y: ours
    r = spearmanr(paper.loc[shared, "miou"], table.loc[shared, "miou"]).statistic
    assert f"r_s = {r:.2f}" in scatter_ax.get_title()
    labels = {t.get_text() for t in scatter_ax.texts}
    assert labels == {TASKS[t].label for t in shared}
    # no two point labels overlap
    fig.canvas.draw()
    r_ = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r_) for t in scatter_ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
    # baselines: labelled horizontal lines; legend above the axes, not over the bars
    legend = bars.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert "scratch (20.0)" in texts and "frozen random (5.0)" in texts
    assert legend.get_window_extent(r_).y0 >= bars.get_window_extent(r_).y1 - 1
    assert _rendered_px(fig) >= MIN_PX
    _assert_no_fig_number(fig)


def test_transfer_without_paper_is_one_panel():
    fig = tt.plot_transfer(_transfer_table(1), pd.Series({"scratch": 20.0}))
    assert len(fig.axes) == 2  # the bars and their similarity axis
    assert not fig.axes[0].collections or all(
        len(c.get_offsets()) == 0 for c in fig.axes[0].collections
    )


def test_size_legend_above_the_bars():
    table = _transfer_table()[["label", "similarity"]].rename(columns={"similarity": "taskonomy"})
    table["small"] = table["taskonomy"] * 2
    fig = tt.plot_size(table)
    fig.canvas.draw()
    r_ = fig.canvas.get_renderer()
    ax = fig.axes[0]
    assert ax.get_legend().get_window_extent(r_).y0 >= ax.get_window_extent(r_).y1 - 1
    assert _rendered_px(fig) >= MIN_PX
    _assert_no_fig_number(fig)


def test_separate_labels_removes_overlaps():
    fig, ax = plt.subplots()
    texts = [ax.annotate(f"label {i}", (0.5, 0.5), xytext=(3, 3), textcoords="offset points")
             for i in range(4)]  # fmt: skip
    fig.canvas.draw()
    plots.separate_labels(ax, texts)
    r_ = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r_) for t in texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_shape_contrast_sign():
    from rsa_utils import primer

    blocks = np.kron(1 - np.eye(3), np.ones((4, 4)))  # dissimilar across shapes only
    assert primer.shape_contrast(blocks, 4, standardise=False) == pytest.approx(1.0)
    assert primer.shape_contrast(blocks, 4) > 1  # in standard deviations of the RDM
    assert primer.shape_contrast(1 - blocks, 4) < 0
