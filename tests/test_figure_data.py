"""The data behind every figure: the CSV files written beside a figure hold what it shows.

(a) Each plot function the notebooks use draws a figure from small synthetic frames; the frames
go to ``report.save_figure(..., data=...)`` as the notebooks pass them, and the CSV files read
back must equal what the figure's artists hold (an ``imshow``'s array, a line's y values, a bar's
height), matched through the figure's own tick labels and titles. (b) Every figure of the
notebooks links its data in its caption and passes ``data=`` when it is saved, and in the
committed edition the linked files exist.

Galleries of pictures (rendered images and labels, network predictions, the primer's example
shapes) do not export their pixels: a panel *is* a picture, reproducible from the seed, and its
pixels say nothing a reader would plot. Their data file lists what each panel shows (task, image
index, title), and that is what is checked against the figure.
"""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest
import torch
from fakes import gallery_labels
from matplotlib.collections import LineCollection, PathCollection

from rsa_utils import gallery, plots, primer, report
from rsa_utils import target_task as tt
from rsa_utils.figures import beyond, s1, s2, s3, task_networks
from rsa_utils.figures import primer as primer_figures
from rsa_utils.tasks import S1_TASKS, S34_TASKS, TASKS

BOOK_FIGURES = {
    **s1.BOOK_FIGURES,
    **s2.BOOK_FIGURES,
    **s3.BOOK_FIGURES,
    **beyond.BOOK_FIGURES,
    **gallery.BOOK_FIGURES,
    **primer_figures.BOOK_FIGURES,
    **task_networks.BOOK_FIGURES,
}  # figures saved by one library call
ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
TOL = {"rtol": 1e-5, "atol": 1e-6}  # the CSV keeps 6 significant digits


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _save(out: Path, fig, name: str, data) -> dict[str, pd.DataFrame]:
    """Save ``fig`` with ``data`` like a notebook, then read the CSV files back (panel → frame;
    ``""`` for a single frame); the figure is drawn so that its tick labels are final."""
    assert report.save_figure(fig, name, data=data) == f"figures/{name}.png"
    assert (out / "figures" / f"{name}.png").is_file()
    panels = [""] if isinstance(data, pd.DataFrame) else list(data)
    written = sorted(p.name for p in (out / "data").glob(f"{name}*.csv"))
    assert written == sorted(f"{name}_{p}.csv" if p else f"{name}.csv" for p in panels)
    fig.canvas.draw()
    return {
        p: pd.read_csv(out / "data" / (f"{name}_{p}.csv" if p else f"{name}.csv")) for p in panels
    }


def _task_of(text: str) -> str:
    """The task a tick label or title names (labels are the paper's, e.g. ``surface normals``)."""
    by_label = {t.label: n for n, t in TASKS.items()}
    text = text.replace("\n", " ")
    return by_label.get(text, text)


def _ticks(ax, axis: str) -> list[str]:
    """The tasks named by an axis' tick labels, in order (also where a shared axis hides them)."""
    a = ax.xaxis if axis == "x" else ax.yaxis
    fmt = a.get_major_formatter()
    return [_task_of(fmt(v, i)) for i, v in enumerate(a.get_majorticklocs())]


def assert_matrix_shown(ax, csv: pd.DataFrame) -> None:
    """``ax``'s ``imshow`` is the task × task frame ``csv`` (row names first), read in the order
    of the axes' tick labels."""
    m = csv.set_index(csv.columns[0])
    rows, cols = _ticks(ax, "y"), _ticks(ax, "x")
    assert sorted(rows) == sorted(map(str, m.index)) and sorted(cols) == sorted(m.columns)
    shown = np.asarray(ax.images[0].get_array(), dtype=float)
    np.testing.assert_allclose(shown, m.loc[rows, cols].to_numpy(float), **TOL)


def assert_band_shown(ax, x, low, high) -> None:
    """A ``fill_between`` band of ``ax`` runs from ``low`` to ``high`` at each ``x``."""
    (band,) = [c for c in ax.collections if len(c.get_paths())]
    v = band.get_paths()[0].vertices
    for xi, lo, hi in zip(x, low, high, strict=True):
        at = v[np.isclose(v[:, 0], xi), 1]
        np.testing.assert_allclose([at.min(), at.max()], [lo, hi], **TOL)


def assert_curve_shown(ax, label: str, csv: pd.DataFrame, x: str) -> None:
    """The line labelled ``label`` runs through (``csv[x]``, ``csv.estimate``), inside the band
    from ``csv.low`` to ``csv.high``."""
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == label]
    np.testing.assert_allclose(line.get_xdata(), csv[x], **TOL)
    np.testing.assert_allclose(line.get_ydata(), csv["estimate"], **TOL)
    assert_band_shown(ax, csv[x], csv["low"], csv["high"])


def _bars(ax, n: int | None = None) -> np.ndarray:
    heights = np.array([p.get_height() for p in ax.patches if isinstance(p, plt.Rectangle)])
    return heights if n is None else heights[:n]


def _sim(names, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.uniform(-0.2, 0.9, (len(names), len(names)))
    s = (a + a.T) / 2
    np.fill_diagonal(s, 1.0)
    return pd.DataFrame(s, index=list(names), columns=list(names))


# --- (a) matrices -------------------------------------------------------------------------------


def test_matrices_csv_is_what_the_panels_show(out):
    names = list(S1_TASKS)[::-1]  # not the figure's order: the figure groups tasks by type
    sims = {"taskonomy": _sim(names, 0), "small": _sim(names, 1)}
    fig = plots.plot_matrices({"A": sims["taskonomy"], "B": sims["small"]}, vmin=-0.2, vmax=1)
    csv = _save(out, fig, "fig_matrices", sims)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2
    assert list(csv["taskonomy"].columns[1:]) == names  # the frame as the notebook has it
    for ax, panel in zip(panels, ("taskonomy", "small"), strict=True):
        assert_matrix_shown(ax, csv[panel])


def test_a_csv_that_differs_from_the_plot_fails_the_check(out):
    names = list(S1_TASKS)
    sim = _sim(names)
    fig = plots.plot_matrices({"A": sim})
    wrong = _save(out, fig, "fig_wrong", _sim(names, seed=5))[""]  # not what was plotted
    with pytest.raises(AssertionError):
        assert_matrix_shown(fig.axes[0], wrong)
    asym = sim.copy()
    asym.iloc[0, 1] += 0.5
    fig = plots.plot_matrices({"A": asym})
    swapped = _save(out, fig, "fig_swapped", asym.T)[""]  # rows and columns swapped
    with pytest.raises(AssertionError):
        assert_matrix_shown(fig.axes[0], swapped)
    assert_matrix_shown(fig.axes[0], _save(out, fig, "fig_right", asym)[""])
    # a curve: the same check on the estimate of one point
    table = pd.DataFrame({"n": [10, 20], "fraction": [0.25, 0.5], "estimate": [0.9, 0.97],
                          "low": [0.8, 0.95], "high": [0.95, 0.99]})  # fmt: skip
    fig = tt.plot_image_counts(table, 40)
    moved = _save(out, fig, "fig_curve", table.assign(estimate=[0.9, 0.96]))[""]
    with pytest.raises(AssertionError):
        assert_curve_shown(fig.axes[0], "median over draws", moved, "n")


def test_label_similarity_matrix_and_tree(out):
    names = list(S1_TASKS)
    sim = _sim(names)
    fig = gallery.plot_label_similarity(sim)
    csv = _save(out, fig, "data_label_rsa", {"matrix": sim, "tree": plots.dendrogram_data(sim)})
    assert_matrix_shown(fig.axes[0], csv["matrix"])
    tree = csv["tree"]
    assert len(tree) == len(names) - 1 and tree["size"].iloc[-1] == len(names)
    assert sorted(tree["tasks"].iloc[-1].split("; ")) == sorted(names)
    # each U of the dendrogram reaches its merge height on the distance axis (x: leaves on y)
    ax_tree = fig.axes[1]  # beside the matrix (the colour bar's axes come after)
    assert not ax_tree.images and ax_tree.collections
    heights = sorted(p.vertices[:, 0].max() for c in ax_tree.collections for p in c.get_paths())
    np.testing.assert_allclose(heights, sorted(tree["height"]), **TOL)


def test_primer_rdms_as_drawn(out):
    n_per = 4
    images, _ = primer.draw_shapes(n_per, 16, 0)
    rng = np.random.default_rng(0)
    rdms = {k: rng.uniform(0, 2, (len(images),) * 2) for k in ("pixels", "resnet18")}
    fig = primer_figures.plot_rdms(images, rdms, n_per)
    csv = _save(out, fig, "primer_rdms", primer.rdms_data(rdms, n_per))
    for name in rdms:
        (ax,) = [ax for ax in fig.axes if ax.images and ax.get_title() == name]
        m = csv[name].set_index("image")
        assert list(m.index[:2]) == ["disk 1", "disk 2"] and m.shape == (len(images),) * 2
        np.testing.assert_allclose(ax.images[0].get_array(), m.to_numpy(float), **TOL)
        assert m.to_numpy().min() >= 0 and m.to_numpy().max() <= 100  # percentiles
    examples = [ax for ax in fig.axes if ax.images and ax.get_title() in primer.SHAPES]
    assert [ax.get_title() for ax in examples] == list(csv["examples"]["shape"])
    for ax, i in zip(examples, csv["examples"]["image"], strict=True):
        np.testing.assert_array_equal(ax.images[0].get_array(), images[i].transpose(1, 2, 0))


# --- (a) curves ---------------------------------------------------------------------------------


def test_checkpoint_curve_and_rankings(out):
    table = pd.DataFrame({"fraction": [0.1, 0.25, 0.5, 1.0], "estimate": [0.9, 0.95, 0.99, 1.0],
                          "low": [0.8, 0.9, 0.97, 1.0], "high": [0.95, 0.98, 1.0, 1.0]})  # fmt: skip
    rng = np.random.default_rng(0)
    tasks = list(S34_TASKS)[:6]
    rankings = pd.DataFrame(rng.uniform(0, 1, (6, 4)), index=tasks, columns=table["fraction"])
    fig = tt.plot_checkpoints(table, rankings)
    csv = _save(out, fig, "s3_1_fig_s6", {"rho": table, "rankings": rankings.rename_axis("task")})
    assert_curve_shown(fig.axes[0], "all images", csv["rho"], "fraction")
    heat = fig.axes[1]
    r = csv["rankings"].set_index("task")
    assert _ticks(heat, "y") == list(r.index)
    assert [t.get_text() for t in heat.get_xticklabels()] == [
        tt.fraction_label(float(c)) for c in r.columns
    ]
    np.testing.assert_allclose(heat.images[0].get_array(), r.to_numpy(float), **TOL)


def test_image_count_curve(out):
    table = pd.DataFrame({"n": [10, 20, 40], "fraction": [0.125, 0.25, 0.5],
                          "estimate": [0.9, 0.97, 0.995], "low": [0.71, 0.93, 0.99],
                          "high": [0.95, 0.99, 1.0]})  # fmt: skip
    fig = tt.plot_image_counts(table, 80)
    csv = _save(out, fig, "s3_3_fig_s8", table)[""]
    assert_curve_shown(fig.axes[0], "median over draws", csv, "n")


# --- (a) bars -----------------------------------------------------------------------------------


def _transfer_table(seed=0):
    rng = np.random.default_rng(seed)
    sim = pd.Series(rng.uniform(0, 0.3, len(S34_TASKS)), index=list(S34_TASKS))
    miou = pd.Series(rng.uniform(1, 40, len(S34_TASKS)), index=list(S34_TASKS))
    return tt.transfer_table(sim, miou)


def test_size_bars(out):
    table = _transfer_table()[["label", "similarity"]].rename(columns={"similarity": "taskonomy"})
    table["small"] = table["taskonomy"] * 0.5
    fig = tt.plot_size(table)
    csv = _save(out, fig, "s3_2_fig_s7", table)[""]
    ax = fig.axes[0]
    n = len(csv)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(csv["label"])
    np.testing.assert_allclose(_bars(ax)[:n], csv["taskonomy"], **TOL)  # thick bars first
    np.testing.assert_allclose(_bars(ax)[n : 2 * n], csv["small"], **TOL)


def test_transfer_bars_line_baselines_and_paper(out):
    table = _transfer_table()
    baselines = pd.Series({"scratch": 20.0, "frozen_random": 5.0, "majority_class": 2.5})
    paper = tt.paper_table()
    fig = tt.plot_transfer(table, baselines, paper)
    csv = _save(out, fig, "s3_4_fig_s9", tt.transfer_data(table, baselines, paper))
    bars_ax, panel_b, twin = fig.axes[0], fig.axes[1], fig.axes[2]
    a = csv["a_transfer"]
    assert [t.get_text() for t in bars_ax.get_xticklabels()] == list(a["label"])
    np.testing.assert_allclose(_bars(bars_ax, len(a)), a["miou"], **TOL)
    colors = {"high": "C2", "low": "C3"}
    for tick, named in zip(bars_ax.get_xticklabels(), a["named"].fillna(""), strict=True):
        if named:
            assert matplotlib.colors.same_color(tick.get_color(), colors[named])
    (sim_line,) = twin.get_lines()
    np.testing.assert_allclose(sim_line.get_ydata(), a["similarity"], **TOL)
    flat = [ln.get_ydata()[0] for ln in bars_ax.get_lines()]  # the baselines' horizontal lines
    np.testing.assert_allclose(flat, csv["a_baselines"]["miou"], **TOL)
    b = csv["b_paper"]
    offsets = panel_b.collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], b["paper_miou"], **TOL)
    np.testing.assert_allclose(offsets[:, 1], b["miou"], **TOL)
    assert [t.get_text() for t in panel_b.texts] == list(b["label"])


def test_ranking_panels_bars_and_rho(out):
    names = list(S1_TASKS)
    sim_a, sim_b = _sim(names, 0), _sim(names, 1)
    rng = np.random.default_rng(2)
    est = rng.uniform(0.5, 0.9, len(names))
    table = pd.DataFrame({"estimate": est, "low": est - 0.1, "high": est + 0.05}, index=names)
    fig = plots.plot_ranking_panels(sim_a, sim_b, table, label_a="Taskonomy arch.", label_b="small")
    data = plots.ranking_panels_data(sim_a, sim_b, table, label_a="taskonomy", label_b="small")
    csv = _save(out, fig, "s1_fig_s1", data)
    bars, rho = csv["bars"], csv["rho"].set_index("task")
    panels = [ax for ax in fig.axes if ax.patches]
    assert [_task_of(ax.get_title()) for ax in panels] == list(rho.index)
    for ax in panels:
        task = _task_of(ax.get_title())
        mine = bars[bars["task"] == task]
        assert _ticks(ax, "x") == list(mine["other"])
        n = len(mine)
        np.testing.assert_allclose(_bars(ax)[:n], mine["taskonomy"], **TOL)
        np.testing.assert_allclose(_bars(ax)[n : 2 * n], mine["small"], **TOL)
        r = rho.loc[task]
        assert ax.get_xlabel() == f"ρ = {r.estimate:.2f} [{r.low:.2f}, {r.high:.2f}]"


def test_agreement_bars(out):
    rng = np.random.default_rng(0)

    def table(index, name):
        m = rng.uniform(-0.2, 0.6, len(index))
        return pd.DataFrame({"mean": m, "low": m - 0.2, "high": m + 0.2, "positive": 3,
                             "targets": 5}, index=pd.Index(index, name=name))  # fmt: skip

    by_measure = table(["RSA (the paper)", "linear CKA"], "measure")
    by_layer = table(["block 1", "block 2", "output"], "layer")
    fig = plots.plot_agreement({"measure": by_measure, "RSA by layer": by_layer})
    csv = _save(out, fig, "beyond_measures_layers", {"measures": by_measure, "layers": by_layer})
    for ax, panel, key in zip(fig.axes, ("measures", "layers"), ("measure", "layer"), strict=True):
        t = csv[panel]
        assert [x.get_text() for x in ax.get_xticklabels()] == list(t[key])
        np.testing.assert_allclose(_bars(ax), t["mean"], **TOL)
        (whiskers,) = [c for c in ax.collections if isinstance(c, LineCollection)]
        segs = whiskers.get_segments()
        np.testing.assert_allclose([s[:, 1].min() for s in segs], t["low"], **TOL)
        np.testing.assert_allclose([s[:, 1].max() for s in segs], t["high"], **TOL)


def test_noise_ceiling_points(out):
    rng = np.random.default_rng(0)
    rows = []
    for arch in ("small", "taskonomy"):
        for t in S1_TASKS:
            c, o = rng.uniform(0.6, 1.0), rng.uniform(0.2, 0.8)
            rows.append({"task": t, "label": TASKS[t].label, "type": TASKS[t].type, "arch": arch,
                         "ceiling": c, "ceiling_low": c - 0.1, "ceiling_high": min(c + 0.05, 1),
                         "max_nontwin": o, "max_nontwin_low": o - 0.1, "max_nontwin_high": o + 0.1,
                         "max_other": o + (0.15 if t == S1_TASKS[0] else 0), "max_other_low": o - 0.1,
                         "max_other_high": o + 0.1, "nearest": "edge_texture", "signal": c - 0.1 > o})  # fmt: skip
    quality = pd.DataFrame(rows)
    fig = task_networks.plot_noise_ceiling(quality)
    csv = _save(out, fig, "models_noise_ceiling", quality)[""]
    for ax, arch in zip(fig.axes, ("small", "taskonomy"), strict=True):
        q = csv[csv["arch"] == arch].set_index("task").loc[_ticks(ax, "x")]
        ceiling, other, twin = [c for c in ax.collections if isinstance(c, PathCollection)]
        np.testing.assert_allclose(ceiling.get_offsets()[:, 1], q["ceiling"], **TOL)
        np.testing.assert_allclose(other.get_offsets()[:, 1], q["max_nontwin"], **TOL)
        # a cross only where a label twin is closer than every other task
        np.testing.assert_allclose(
            twin.get_offsets()[:, 1], q.loc[[S1_TASKS[0]], "max_other"], **TOL
        )


# --- (a) galleries of pictures: what each panel shows ------------------------------------------


def test_source_gallery_lists_its_panels(out):
    labels = gallery_labels()
    fig = gallery.plot_source_gallery(torch.rand(2, 3, 16, 16), labels, n=2)
    csv = _save(out, fig, "data_source_gallery", gallery.source_gallery_panels(labels, 2))[""]
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == len(csv)
    assert [ax.get_title().replace("\n", " ") for ax in shown] == list(csv["title"])
    heads = [sf._suptitle.get_text() for sf in fig.subfigs]
    for i, head in enumerate(heads):
        room = csv.loc[csv["image"] == i + 1, "room_type"].iloc[0]
        assert head == f"image {i + 1}: {room.replace('_', ' ')}"


def test_target_gallery_lists_its_panels(out):
    seg = torch.randint(0, 6, (3, 16, 16), generator=torch.Generator().manual_seed(0))
    fig = gallery.plot_target_gallery(torch.rand(3, 3, 16, 16), seg, n=3)
    csv = _save(out, fig, "data_target_gallery", gallery.target_gallery_panels(seg, 3))[""]
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == [t.replace("; ", "\n") for t in csv["title"].fillna("")]


def test_prediction_gallery_lists_its_panels(out):
    pic = np.zeros((8, 8, 3))
    columns = ["input", "target", "small", "taskonomy"]
    rows = {t: dict.fromkeys(columns, pic) for t in list(S1_TASKS)[:3]}
    fig = plots.plot_predictions(rows, columns)
    csv = _save(out, fig, "s1_fig_s2", plots.prediction_panels(rows, columns))[""]
    axes = np.array(fig.axes).reshape(len(rows), len(columns))
    for r in csv.itertuples():
        ax = axes[r.row - 1, r.column - 1]
        assert _task_of(axes[r.row - 1, 0].get_ylabel()) == r.task
        assert axes[0, r.column - 1].get_title() == r.picture and ax.images


# --- (b) the notebooks link their figures' data -------------------------------------------------

FIGURE = re.compile(r"^# ```\{figure\} figures/(?P<name>[\w.-]+)\.png\s*$")


def figure_captions(source: Path) -> dict[str, str]:
    """Figure name → the text of its ``{figure}`` block in a notebook's percent source."""
    lines = source.read_text().splitlines()
    out = {}
    for i, line in enumerate(lines):
        m = FIGURE.match(line)
        if m:
            block = []
            for rest in lines[i + 1 :]:
                if rest.strip() == "# ```":
                    break
                block.append(rest)
            out[m["name"]] = "\n".join(block)
    return out


def save_figure_calls(source: Path) -> dict[str, str]:
    """Figure name → the text of its ``report.save_figure(...)`` call."""
    text = source.read_text()
    out = {}
    for m in re.finditer(r"report\.save_figure\(", text):
        depth, j = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        call = text[m.start() : j]
        name = re.search(r'^\s*\w+,\s*"([^"]+)"', call[len("report.save_figure(") :])
        out[name.group(1) if name else call] = call
    for func, (figure, _) in BOOK_FIGURES.items():  # saved, with data, by one library function
        if figure and re.search(rf"\b{func}\(", text):
            out[figure] = f"{func}(..., data=...)"
    return out


#: every notebook that shows a figure (the S2 chapter included)
WITH_FIGURES = [pytest.param(nb, id=nb.stem) for nb in NOTEBOOKS if figure_captions(nb)]


@pytest.mark.parametrize("source", WITH_FIGURES)
def test_every_figure_caption_links_its_data(source):
    captions = figure_captions(source)
    missing = [n for n, text in captions.items() if f"{{glue:md}}`{n}_data`" not in text]
    assert not missing, f"{source.name}: captions without their data link: {missing}"
    calls = save_figure_calls(source)
    assert set(calls) == set(captions), f"{source.name}: saved {set(calls)}, shown {set(captions)}"
    no_data = [n for n, call in calls.items() if "data=" not in call]
    assert not no_data, f"{source.name}: save_figure without data=: {no_data}"


def test_every_glued_data_link_is_used_in_the_text():
    """Each ``<name>_data`` a notebook glues for a table (``figure_data``) is shown in its prose."""
    for nb in NOTEBOOKS:
        text = nb.read_text()
        glued = set(re.findall(r'glue_text\(\s*"(\w+_data)"', text))
        glued |= {f"{n}_data" for n in re.findall(r'report\.table\(\s*[\w.]+,\s*"(\w+)"', text)}
        glued |= {
            f"{t}_data" for f, (_, t) in BOOK_FIGURES.items() if t and re.search(rf"\b{f}\(", text)
        }
        for name in glued:
            assert f"{{glue:md}}`{name}`" in text, f"{nb.name}: {name} glued but never shown"


def _glued_markdown(notebook: Path) -> dict[str, str]:
    """The Markdown values glued by an executed notebook (name → text)."""
    nb = nbformat.read(notebook, as_version=4)
    out = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get("scrapbook", {}).get("name")
            text = o.get("data", {}).get("application/papermill.record/text/markdown")
            if name and text is not None:
                out[name] = text
    return out


@pytest.mark.parametrize("source", WITH_FIGURES)
def test_the_edition_has_the_linked_data(source):
    book = report.book_dir()  # the committed edition, or a run's folder with $RSA_BOOK_DIR
    nb = book / f"{source.stem}.ipynb"
    if not nb.is_file():
        pytest.skip(f"{nb.name} is not in the edition (not executed)")
    executed = nbformat.read(nb, as_version=4)
    if "rsa_book" not in executed.metadata:
        pytest.skip(f"{nb.name} was not executed by the runner")
    glued = _glued_markdown(nb)
    figures = figure_captions(source)
    if not any(f"{n}_data" in glued for n in figures):
        pytest.skip(f"{nb.name} was executed before figures had data files: regenerate the edition")
    for name in figures:
        assert (book / "figures" / f"{name}.png").is_file(), name
        assert f"{name}_data" in glued, f"{nb.name}: {name}_data not glued"
    for key, text in glued.items():
        if key.endswith("_data"):
            files = re.findall(r"\]\((data/[^)]+\.csv)\)", text)
            assert files, f"{nb.name}: {key} links no file: {text}"
            for f in files:
                assert (book / f).is_file(), f"{nb.name}: {key} links {f}, not in the edition"
