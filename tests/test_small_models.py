"""S1 on fake data: the section's numbers, prose values and claims from one call, each figure and
table from one more."""

import dataclasses

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import torch

from rsa_utils import profiles, rsa
from rsa_utils.figures import s1 as figures
from rsa_utils.study import small_models as s1
from rsa_utils.study.task_networks import longer_recipes
from rsa_utils.study.verdicts import VERDICTS
from rsa_utils.tasks import TASKS

FAKE_TASKS = ["autoencoding", "edge_texture", "segment_unsup2d", "normal", "depth_zbuffer", "reshading"]  # fmt: skip


def _rdms(features: torch.Tensor) -> torch.Tensor:
    return rsa.rdm(features, as_numpy=False)


def fake_s1_data(tasks=FAKE_TASKS, usable=None, n: int = 12, seed: int = 0) -> s1.S1Data:
    """Random RDMs of both architectures (the small one a noisy copy of the other), one
    replicate per architecture for the first task, a quality table and 4 × 4 pictures."""
    g = torch.Generator().manual_seed(seed)
    feats = torch.randn(len(tasks), n, 10, generator=g)
    small = feats + 0.3 * torch.randn(feats.shape, generator=g)
    rdms = {"taskonomy": _rdms(feats), "small": _rdms(small)}
    usable = list(tasks) if usable is None else usable
    reps = {a: {usable[0]: _rdms(torch.randn(n, 10, generator=g))} for a in s1.ARCHS}
    quality = pd.DataFrame([
        {"task": t, "label": TASKS[t].label, "arch": a, "metric": 0.1 * i, "baseline": 0.5,
         "beats_baseline": True, "relative_quality": 0.1 * i + (a == "small") * 0.05,
         "relative_quality_each": (0.1 * i + (a == "small") * 0.05, 0.1 * i)}
        for a in s1.ARCHS for i, t in enumerate(tasks)
    ])  # fmt: skip
    pic = np.linspace(0, 1, 16).reshape(4, 4)
    pictures = {t: {"input": np.stack([pic] * 3, -1), "target": pic, "small": pic, "taskonomy": pic}
                for t in tasks}  # fmt: skip
    set_aside = {t: "no signal (small)" for t in tasks if t not in usable}
    return s1.S1Data(list(tasks), quality, usable, set_aside, rdms, reps, pictures)


@pytest.fixture
def study(tmp_path):
    prof = profiles.get_profile("smoke", "cpu", n_boot=8)
    return profiles.Study(prof, torch.device("cpu"), 0, tmp_path, profiles.SYNTHETIC)


def test_small_models_is_one_result(study):
    res = s1.compare(study, fake_s1_data())
    assert res.tasks == FAKE_TASKS
    assert list(res.sim_tk.index) == FAKE_TASKS and res.sim_small.shape == (6, 6)
    assert list(res.table.index) == [*FAKE_TASKS, "matrix"]
    assert list(res.rho.index) == FAKE_TASKS
    assert (res.rho.low <= res.rho.high).all()
    assert res.values["n_claim_tasks"] == 6 and res.values["n_replicated"] == 1
    assert res.values["rep_size"] == 8 * 2 * 2  # 32 px → 2 × 2
    assert res.text["rep_shape"] == "8 × 2 × 2" and res.text["set_aside"] == "none"
    longer = longer_recipes(study.profile, FAKE_TASKS)  # tasks that train longer, named
    assert res.text["train_steps"] == f"{study.profile.steps} steps" + (
        "" if longer == "none" else f" (except {longer})"
    )  # one recipe for both architectures
    other = dataclasses.replace(study, profile=study.profile.replace(taskonomy_steps=7))
    assert (
        s1.compare(other, fake_s1_data())
        .text["train_steps"]
        .startswith(f"{study.profile.steps} (small) and 7 (Taskonomy architecture) steps")
    )
    assert res.text["min_rho_3d_task"] in {TASKS[t].label for t in FAKE_TASKS[3:]}
    assert res.text["seg2d_clause"].startswith("reaches ")  # 2D segmentation is a claim task
    assert [c.section for c in res.claims] == ["S1"] * 6
    assert [c.paper for c in res.claims] == ["> 0.97", "> 0.77", "< 0", "0.8510", "< 0",
                                             "> 0 (observed visually)"]  # fmt: skip
    assert {c.holds for c in res.claims} <= set(VERDICTS)


def test_too_few_tasks_with_signal_leave_the_claims_untested(study):
    data = fake_s1_data(usable=["autoencoding", "edge_texture", "normal"][:2])
    assert not s1.claims_tested(data.usable) and data.claim_tasks == FAKE_TASKS
    res = s1.compare(study, data)
    assert {c.holds for c in res.claims} == {"not tested"}
    assert res.claims[0].ours.startswith("not tested: too few networks with signal; set aside:")
    assert s1.claims_tested(["autoencoding", "edge_texture", "normal"])
    assert not s1.claims_tested(["segment_unsup2d", "normal", "reshading"])  # no 2D but 2D segment


def test_one_task_of_a_type_gives_no_interval_for_the_difference_of_types(study):
    """With a single 3D task that carries signal there is nothing to resample on the 3D side:
    the 3D-against-2D difference is not tested (it raised before), the rest is computed."""
    res = s1.compare(study, fake_s1_data(usable=["autoencoding", "edge_texture", "normal"]))
    rows = {c.claim: c for c in res.claims}
    assert rows["3D tasks agree less than 2D tasks: mean ρ (3D − 2D)"].holds == "not tested"
    assert rows["3D tasks: ranking ρ small vs Taskonomy > 0.77"].holds != "not tested"
    assert res.text["min_rho_3d_task"] == TASKS["normal"].label


def test_set_aside_tasks_are_left_out_of_the_claims(study):
    usable = ["autoencoding", "edge_texture", "normal", "reshading"]
    res = s1.compare(study, fake_s1_data(usable=usable))
    assert list(res.rho.index) == usable
    assert (
        res.text["seg2d_clause"].startswith("is set aside (")
        and "—" not in res.text["seg2d_clause"]
    )
    assert res.text["set_aside"].startswith("2D segm")  # labels, not registry names
    assert all("; set aside: " in c.ours for c in res.claims)
    assert list(res.sim_tk.index) == FAKE_TASKS  # the figures show every task


def test_figures_and_tables_are_one_call_each(study, tmp_path, monkeypatch):
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path))
    res = s1.compare(study, fake_s1_data())
    shown = figures.table_quality(res)
    assert shown.shape == (6, 6)
    assert figures.table_rho(res).equals(
        res.rho[["label", "type", "estimate", "low", "high"]].rename_axis("task").round(3)
    )
    for draw in (figures.figure_s1, figures.figure_s2, figures.figure_s3):
        draw(res)
    for name, (figure, _) in figures.BOOK_FIGURES.items():
        if figure:
            assert (tmp_path / "figures" / f"{figure}.png").is_file(), name
    assert (tmp_path / "data" / "s1_table_rho.csv").is_file()
    assert (tmp_path / "data" / "s1_table_quality.csv").is_file()
    assert (tmp_path / "data" / "s1_fig_s3_small.csv").is_file()


def test_quality_draws_pick_one_replicate_of_each_architecture():
    quality = pd.DataFrame({
        "task": ["a", "a", "b", "b"], "arch": ["small", "taskonomy"] * 2,
        "relative_quality_each": [(0.2, 0.4), (0.6,), (0.1, 0.1), (0.3, 0.5)],
    })  # fmt: skip
    draws = s1.quality_draws(quality, ["b", "a"], 400, seed=1)
    assert draws.shape == (400, 2)
    assert set(np.round(draws[:, 1], 6)) == {0.4, 0.5}  # (0.2 or 0.4, then 0.6) / 2
    assert set(np.round(draws[:, 0], 6)) == {0.2, 0.3}
