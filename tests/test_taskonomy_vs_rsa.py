"""S2 on fake data: the section's numbers, prose values and claims from one call, each figure and
table from one more."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import torch

from rsa_utils import profiles, rsa
from rsa_utils.figures import s2 as figures
from rsa_utils.study import taskonomy_vs_rsa as s2
from rsa_utils.study.verdicts import VERDICTS

FAKE_TASKS = ["autoencoding", "edge_texture", "normal", "depth_zbuffer", "room_layout", "class_object"]  # fmt: skip


def _similarity(tasks, g: torch.Generator) -> pd.DataFrame:
    rdms = rsa.rdm(torch.randn(len(tasks), 10, 6, generator=g), as_numpy=False)
    return rsa.similarity_matrix(rdms, tasks)


def fake_s2_data(tasks=FAKE_TASKS, usable=None, n_test: int = 8, seed: int = 0) -> s2.S2Data:
    """Random transfer losses in which each target's own source does best, and random RSA
    matrices of networks and labels."""
    g = torch.Generator().manual_seed(seed)
    losses = {}
    for i, t in enumerate(tasks):
        loss = 1 + torch.rand(len(tasks), n_test, generator=g).numpy()
        loss[i] -= 0.8  # the own encoder wins on every image
        losses[t] = loss
    usable = list(tasks) if usable is None else usable
    set_aside = {t: "no signal (taskonomy)" for t in tasks if t not in usable}
    return s2.S2Data(list(tasks), losses, _similarity(tasks, g), _similarity(tasks, g), usable,
                     set_aside)  # fmt: skip


@pytest.fixture
def study(tmp_path):
    prof = profiles.get_profile("smoke", "cpu")
    return profiles.Study(prof, torch.device("cpu"), 0, tmp_path, profiles.SYNTHETIC)


def test_taskonomy_vs_rsa_is_one_result(study):
    res = s2.compare(study, fake_s2_data(), n_clusters=2)
    assert list(res.trees) == ["Taskonomy, published (16k images)", "Taskonomy way, recomputed here",
                               "RSA (ours)"]  # fmt: skip
    recomputed = res.trees["Taskonomy way, recomputed here"]
    assert np.allclose(recomputed.sum(axis=0), 1)  # each target's sources sum to 1
    assert list(res.clusters.columns) == ["affinity", "rsa", "label", "moved"]
    assert res.clusters.affinity.nunique() <= 2 and res.clusters.rsa.nunique() <= 2
    assert list(res.agreement.index) == FAKE_TASKS
    assert res.values["n_transfers"] == 36 and res.values["n_clusters"] == 2
    assert res.values["n_moved"] == res.clusters.moved.sum()
    assert res.text["self_wins"] == "100 %" and res.text["chance_wins"] == "17 %"
    assert res.text["self_undecided"] == "0 of 6"  # it wins on every image: every draw agrees
    assert res.text["set_aside"] == "none"
    assert {"real_rsa", "real_affinity", "real_labels", "real_labels_all"} <= set(res.text)
    assert list(res.real.index) == ["rsa", "affinity", "labels", "labels_all"]
    assert [c.section for c in res.claims] == ["S2"] * 6
    assert [c.kind for c in res.claims] == ["paper"] + ["ours"] * 5
    assert (
        res.claims[2].ours
        == "own or a label twin's: 6 of 6 targets whose networks carry signal "
        "(0 could go either way); own alone: 6 of 6 targets"
        and res.claims[2].holds == "holds"
    )
    assert {c.holds for c in res.claims} <= set(VERDICTS)


def test_own_best_counts_label_twins_over_the_targets_with_signal(study):
    """A target whose label twin's encoder is its best source passes the sanity check; a target
    whose networks carry no signal is not counted; the strict count is shown beside."""
    data = fake_s2_data(usable=FAKE_TASKS[:5])
    i, j = FAKE_TASKS.index("autoencoding"), FAKE_TASKS.index("edge_texture")
    data.losses["autoencoding"][j] -= 1.0  # the twin beats the own encoder on every image
    data.losses["class_object"][i] -= 1.0  # a target without signal whose own encoder loses
    data.label_sim.loc["autoencoding", "edge_texture"] = 1.0  # label twins
    data.label_sim.loc["edge_texture", "autoencoding"] = 1.0
    res = s2.compare(study, data, n_clusters=2)
    assert res.text["self_wins"] == "67 %" and res.text["self_or_twin"] == "5 of 5"
    assert res.claims[2].ours.startswith("own or a label twin's: 5 of 5 targets")
    assert "own alone: 4 of 6 targets" in res.claims[2].ours and res.claims[2].holds == "holds"
    data.label_sim.loc[["autoencoding", "edge_texture"], ["edge_texture", "autoencoding"]] = 0.0
    strict = s2.compare(study, data, n_clusters=2)
    assert strict.text["self_or_twin"] == "4 of 5" and strict.claims[2].holds != "holds"


def test_too_few_tasks_with_signal_leave_the_network_claims_untested(study):
    data = fake_s2_data(usable=["autoencoding", "normal"])
    res = s2.compare(study, data, n_clusters=2)
    assert [c.holds for c in res.claims[:5]] == ["not tested"] * 5
    assert res.claims[0].ours.startswith("not tested: too few networks with signal; set aside:")
    assert res.claims[5].holds != "not tested"  # the label RSA involves no network


def test_the_number_of_clusters_is_checked(study):
    with pytest.raises(ValueError, match="n_clusters=6"):
        s2.compare(study, fake_s2_data(), n_clusters=6)
    with pytest.raises(ValueError, match="n_clusters=1"):
        s2.taskonomy_vs_rsa(study, FAKE_TASKS, n_clusters=1)  # before anything is loaded


def test_figures_and_tables_are_one_call_each(study, tmp_path, monkeypatch):
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path))
    res = s2.compare(study, fake_s2_data(), n_clusters=2)
    assert figures.figure_s4(res) is res.clusters
    figures.figure_s5(res)
    assert figures.table_agreement(res) is res.agreement
    assert figures.table_real(res).equals(res.real.round(3))
    assert figures.table_real_by_type(res) is res.real_by_type
    for name in ("s2_fig_s4", "s2_fig_s5"):
        assert (tmp_path / "figures" / f"{name}.png").is_file(), name
    for name in ("s2_fig_s4_rsa", "s2_fig_s5_affinity", "s2_table_agreement", "s2_real_taskonomy",
                 "s2_table_real_by_type"):  # fmt: skip
        assert (tmp_path / "data" / f"{name}.csv").is_file(), name


def test_type_reading_says_whether_labels_or_training_set_the_limit():
    from rsa_utils.study.taskonomy_vs_rsa import type_reading

    by_type = pd.DataFrame({"label RSA": [0.42, 0.10, 0.30], "RSA (networks)": [0.02, 0.03, 0.09]},
                           index=["2D", "semantic", "geometric"])  # fmt: skip
    assert type_reading(by_type).startswith("the networks fall furthest short on 2D targets, "
                                            "whose labels follow Taskonomy better (0.42) than the semantic")  # fmt: skip
    by_type.loc["semantic", "RSA (networks)"] = 0.01
    assert type_reading(by_type).startswith(
        "networks and labels alike fall furthest short on semantic"
    )
