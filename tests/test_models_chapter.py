"""The models chapter: its numbers (quality against baselines, noise ceilings) from a fake quality
table, and its figure and table saved by one call each."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from rsa_utils import profiles
from rsa_utils.figures import task_networks as figures
from rsa_utils.study.task_networks import median_quality, signal_counts, task_networks, twin_groups
from rsa_utils.tasks import S1_TASKS, TASK_NAMES, TASKS

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "models.py"
TASKS_USED = list(S1_TASKS)[:4]


def fake_quality(beats: dict | None = None, signal: dict | None = None) -> pd.DataFrame:
    """A quality table as :func:`rsa_utils.study.task_models.quality_table` returns it, for
    ``TASKS_USED`` and both architectures (every network beats its baseline and has signal unless
    ``beats`` / ``signal`` map (task, arch) to something else)."""
    rng = np.random.default_rng(0)
    rows = []
    for arch in ("small", "taskonomy"):
        for t in TASKS_USED:
            c, o = rng.uniform(0.6, 1.0), rng.uniform(0.2, 0.5)
            rows.append({"task": t, "label": TASKS[t].label, "type": TASKS[t].type, "arch": arch,
                         "metric_name": "l1", "metric": 0.1, "baseline": 0.2,
                         "beats_baseline": (beats or {}).get((t, arch), True),
                         "relative_quality": rng.uniform(0, 1), "relative_quality_each": (0.5, 0.5),
                         "replicates": 2, "seconds": 30.0, "ceiling": c, "ceiling_low": c - 0.1,
                         "ceiling_high": c + 0.05, "max_other": o, "max_other_low": o - 0.1,
                         "max_other_high": o + 0.1, "nearest": TASKS_USED[0], "max_nontwin": o,
                         "max_nontwin_low": o - 0.1, "max_nontwin_high": o + 0.1,
                         "nearest_nontwin": TASKS_USED[0], "twins": "",
                         "signal": (signal or {}).get((t, arch), True),
                         "signal_strict": (signal or {}).get((t, arch), True)})  # fmt: skip
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return profiles.setup("smoke", "cpu", 0, str(tmp_path_factory.mktemp("cache")))


def test_signal_counts_per_architecture():
    q = fake_quality(signal={(TASKS_USED[0], "small"): False, (TASKS_USED[1], "small"): None})
    assert signal_counts(q) == {
        "signal_yes_small": 2, "signal_no_small": 1, "signal_unknown_small": 1,
        "signal_yes_taskonomy": 4, "signal_no_taskonomy": 0, "signal_unknown_taskonomy": 0,
        "signal_strict_yes_small": 2, "signal_strict_yes_taskonomy": 4,
    }  # fmt: skip
    q.loc[(q.task == TASKS_USED[2]) & (q.arch == "taskonomy"), "signal_strict"] = False
    assert signal_counts(q)["signal_strict_yes_taskonomy"] == 3


def test_twin_groups_names_each_group_once():
    assert twin_groups(fake_quality()) == "none"
    q2 = pd.DataFrame({"task": ["autoencoding", "denoising", "inpainting", "normal"] * 2,
                       "twins": ["denoising, inpainting", "autoencoding, inpainting", "autoencoding, denoising", ""] * 2})  # fmt: skip
    assert twin_groups(q2) == "autoencoding, denoising, inpainting"


def test_median_quality_groups_2d_3d_and_the_rest():
    q = fake_quality()
    m = median_quality(q)
    assert set(m.columns) == {"small", "taskonomy"}
    for group, rows in q.assign(g=q.type.where(q.type.isin(["2D", "3D"]), "other")).groupby("g"):
        small = rows[rows.arch == "small"].relative_quality.median()
        assert m.loc[group, "small"] == pytest.approx(small)


def test_the_chapter_reads_the_quality_table(study):
    gone, nosig = (TASKS_USED[2], "taskonomy"), (TASKS_USED[3], "small")
    nets = task_networks(TASKS_USED, study, quality=fake_quality({gone: False}, {nosig: False}))
    n = nets.values
    assert (n["n_models"], n["n_networks"], n["n_beat"]) == (8, 16, 7)
    assert n["train_min"] == 4.0 and n["n_tasks"] == 4 and n["size"] == 32
    assert n["replicate_tasks"] == min(study.profile.replicate_tasks, 4)
    assert float(n["tk_params"]) > 0 and float(n["small_params"]) > 0
    assert nets.text["failing"] == f"{TASKS[gone[0]].label} (taskonomy)"
    nearest = TASKS[TASKS_USED[0]].label
    assert nets.text["no_signal"] == f"{TASKS[nosig[0]].label} (small; nearest: {nearest})"
    assert re.fullmatch(r"(\w+ \w+ −?\d\.\d\d)(; \w+ \w+ −?\d\.\d\d)*", nets.text["medians"])


def test_nothing_failing_reads_none(study):
    nets = task_networks(TASKS_USED, study, quality=fake_quality(signal={}))
    assert nets.text["failing"] == "none" and nets.text["no_signal"] == "none"


def test_every_value_the_prose_shows_is_glued(study):
    nets = task_networks(TASKS_USED, study, quality=fake_quality())
    made = set(nets.values) | set(nets.text)
    made |= {f"{name}_data" for pair in figures.BOOK_FIGURES.values() for name in pair if name}
    shown = set(re.findall(r"\{glue(?::\w+)?\}`(\w+)`", NOTEBOOK.read_text()))
    assert shown - made == set()


def test_figure_and_table_are_saved_with_their_data(study, out):
    nets = task_networks(TASKS_USED, study, quality=fake_quality({(TASKS_USED[0], "small"): False}))
    table = figures.table_network_quality(nets).data
    assert list(table.flag) == ["⚠ not better than baseline"] + [""] * 7
    ceiling = figures.figure_noise_ceiling(nets).data
    assert list(ceiling.columns) == figures.CEILING_TABLE_COLUMNS
    assert (out / "figures" / "models_noise_ceiling.png").is_file()
    data = pd.read_csv(out / "data" / "models_noise_ceiling.csv")
    assert list(data.columns) == figures.CEILING_DATA_COLUMNS and len(data) == 8
    assert (out / "data" / "models_quality.csv").is_file()
    assert len(pd.read_csv(out / "data" / "models_table_quality.csv")) == 8


def test_longer_recipes_name_each_network_that_leaves_the_profile():
    """The models chapter names every task whose networks train other steps or another peak
    than the profile's, with the numbers the zoo trains them with, and nothing else."""
    from rsa_utils.profiles import get_profile
    from rsa_utils.study.task_networks import longer_recipes

    p = get_profile("cpu")
    text = longer_recipes(p, TASK_NAMES)
    assert f"curvature: {p.recipe('small', 'curvature')[0]} steps (small)" in text
    assert f"peak {p.peak_lr('curvature'):g}" in text
    assert f"surface normals, reshading: {2 * p.steps} steps (small)" in text
    assert "autoencoding" not in text and "2.5d segment" not in text
    assert longer_recipes(p, ["autoencoding", "class_scene"]) == "none"


def test_network_jobs_cover_every_network_longest_first():
    """Every (task, arch, replicate) once, in decreasing estimated time (steps x step cost), so
    that the longest networks (curvature's) do not start last on a worker."""
    from types import SimpleNamespace

    from rsa_utils.profiles import get_profile
    from rsa_utils.study.task_models import STEP_COST, network_jobs

    p = get_profile("cpu")
    jobs = network_jobs(SimpleNamespace(profile=p), TASK_NAMES)
    assert sorted(jobs) == sorted({(t, a, r) for t in TASK_NAMES for a in ("small", "taskonomy")
                                   for r in range(p.replicates_of(t))})  # fmt: skip
    cost = [p.recipe(a, t)[0] * STEP_COST[a] for t, a, _ in jobs]
    assert cost == sorted(cost, reverse=True) and jobs[0][0] == "curvature"
