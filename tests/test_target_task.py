"""S3 logic (rsa_utils.target_task) on tiny inputs: random RDMs, tiny untrained models."""

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss
import torch

from rsa_utils import datasets, profiles, rsa, task_models
from rsa_utils import target_task as tt
from rsa_utils.models import build_model
from rsa_utils.study import s3_statistics as s3s
from rsa_utils.tasks import S34_TASKS

TASKS = ["autoencoding", "normal", "class_object", "vanishing_point", "segment_unsup25d"]


def _rdms(k: int, n: int = 12, d: int = 20, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return rsa.rdm(torch.randn(k, n, d, generator=g), as_numpy=False)


def _data(target: torch.Tensor, sources: dict, checkpoints=(0.5, 1.0)) -> tt.S3Data:
    n = target.shape[-1]
    return tt.S3Data(TASKS, tuple(checkpoints), torch.zeros(n, 3, 8, 8), target, sources)


def _study(tmp_path, **overrides) -> profiles.Study:
    """A study on the smoke profile (with ``overrides``) whose cache is ``tmp_path``."""
    return profiles.Study(profiles.get_profile("smoke", "cpu", **overrides), torch.device("cpu"),
                          0, tmp_path, profiles.SYNTHETIC)  # fmt: skip


def test_paper_constant_names_the_17_tasks_in_descending_order():
    assert set(tt.PAPER_VOC_MIOU) == set(S34_TASKS) and len(tt.PAPER_VOC_MIOU) == 17
    assert tt.PAPER_VOC_MIOU["segment_unsup25d"] == 65.65
    assert tt.PAPER_VOC_MIOU["vanishing_point"] == 58.92
    assert set(tt.PAPER_HIGH + tt.PAPER_LOW) <= set(S34_TASKS)
    paper = tt.paper_table()
    assert list(paper.index) == list(tt.PAPER_VOC_MIOU)
    assert paper.loc["normal", "label"] == "surface normals"


def test_ranking_of_identical_rdms_puts_the_copy_first_with_similarity_one():
    src = _rdms(len(TASKS))
    r = tt.ranking(src[2].clone(), src, TASKS)
    assert r.index[0] == TASKS[2]
    assert r.iloc[0] == pytest.approx(1.0)
    assert r.is_monotonic_decreasing and set(r.index) == set(TASKS)
    # the same ranking correlates 1 with itself
    assert np.corrcoef(r.to_numpy(), tt.ranking(src[2], src, TASKS)[r.index].to_numpy())[
        0, 1
    ] == pytest.approx(1)


def test_stays_above():
    x = [0.1, 0.2, 0.5, 1.0]
    assert tt.stays_above(x, [0.8, 0.995, 0.98, 1.0]) == 1.0
    assert tt.stays_above(x, [0.8, 0.995, 0.992, 1.0]) == 0.2
    assert tt.stays_above(x, [0.999, 0.995, 0.992, 1.0]) == 0.1
    assert tt.stays_above(x, [0.999, 0.995, 0.992, 0.9]) is None
    assert tt.stays_above([1.0, 0.1], [1.0, 0.5]) == 1.0  # sorts by x first


def test_fraction_label_and_verdicts():
    assert [tt.fraction_label(f) for f in (0.1, 0.5, 0.3, 1.0)] == ["1/10", "1/2", "3/10", "1"]
    assert tt.correlation_verdict(0.95, 0.97, 0.9, 0.99) == "holds"
    assert tt.correlation_verdict(0.95, 0.90, 0.85, 0.96) == "holds"
    assert tt.correlation_verdict(0.95, 0.70, 0.60, 0.80) == "partly"
    assert tt.correlation_verdict(0.95, 0.30, 0.05, 0.50) == "partly"  # above 0, short of 0.95
    assert tt.correlation_verdict(0.95, 0.60, -0.2, 0.97) == "inconclusive"
    assert tt.correlation_verdict(0.95, 0.10, -0.2, 0.3) == "does not hold"
    assert tt.spearman_verdict(0.5, 0.1, 0.8) == "holds"
    assert tt.spearman_verdict(0.3, -0.1, 0.6) == "inconclusive"
    assert tt.spearman_verdict(-0.3, -0.6, -0.1) == "does not hold"


def test_checkpoint_table_is_one_when_all_checkpoints_equal_the_final():
    src = _rdms(len(TASKS), seed=1)
    final = _rdms(1, seed=2)[0]
    data = _data(torch.stack([final, final, final]), {"taskonomy": src}, (0.1, 0.5, 1.0))
    table = tt.checkpoint_table(data, n_boot=5)
    assert list(table.columns) == ["fraction", "estimate", "low", "high"]
    assert list(table["fraction"]) == [0.1, 0.5, 1.0]
    np.testing.assert_allclose(table[["estimate", "low", "high"]].to_numpy(), 1.0, atol=1e-9)
    ranks = tt.checkpoint_rankings(data)
    assert ranks.shape == (len(TASKS), 3) and ranks[1.0].is_monotonic_decreasing
    fig = tt.plot_checkpoints(table, ranks)
    assert isinstance(fig, plt.Figure)
    plt.close(fig)


def test_checkpoint_table_with_a_different_early_model_is_below_one():
    src = _rdms(len(TASKS), seed=1)
    data = _data(_rdms(2, seed=3), {"taskonomy": src})
    table = tt.checkpoint_table(data, n_boot=5)
    assert table["estimate"].iloc[-1] == pytest.approx(1.0)
    assert table["estimate"].iloc[0] < 0.999
    assert (table["low"] <= table["high"]).all()


def test_size_table_and_correlation():
    src = _rdms(len(TASKS), seed=4)
    data = _data(_rdms(1, seed=5), {"small": src.clone(), "taskonomy": src})
    table = tt.size_table(data)
    assert list(table.columns) == ["label", "small", "taskonomy"]
    assert table["taskonomy"].is_monotonic_decreasing
    np.testing.assert_allclose(table["small"], table["taskonomy"])
    corr = tt.size_correlation(data, n_boot=5)
    assert list(corr.index) == ["rho", "r_s"]
    np.testing.assert_allclose(corr["estimate"], 1.0, atol=1e-9)
    other = _data(data.target, {"small": _rdms(len(TASKS), seed=6), "taskonomy": src})
    assert tt.size_correlation(other, n_boot=5).loc["rho", "estimate"] < 0.999
    fig = tt.plot_size(table)
    plt.close(fig)


def test_image_counts():
    assert tt.usable_counts([100, 8, 2, 16, 8, 20, 24], 20) == [8, 16]  # 20: the reference
    with pytest.raises(ValueError, match="no image count"):
        tt.usable_counts([50, 100], 20)
    data = _data(_rdms(1, n=16, seed=7), {"taskonomy": _rdms(len(TASKS), n=16, seed=8)})
    table = tt.image_count_table(data, [6, 10, 15, 16, 40], n_draws=4)
    assert list(table["n"]) == [6, 10, 15]  # 16, all images, is the reference itself
    np.testing.assert_allclose(table["fraction"], [6 / 16, 10 / 16, 15 / 16])
    assert table["estimate"].iloc[-1] > table["estimate"].iloc[0]  # more images: closer
    fig = tt.plot_image_counts(table, 16)
    plt.close(fig)


def test_transfer_table_checks_and_plot():
    sim = pd.Series([0.9, 0.7, 0.5, 0.3, 0.1], index=TASKS)  # autoencoding most similar
    miou = pd.Series([20.0, 30.0, 40.0, 50.0, 60.0], index=TASKS)
    table = tt.transfer_table(sim, miou)
    assert list(table.index) == TASKS
    assert list(table["similarity_rank"]) == [1, 2, 3, 4, 5]
    assert list(table["miou_rank"]) == [5, 4, 3, 2, 1]
    checks = tt.task_checks(table)
    assert set(checks.index) == {"autoencoding", "normal", "class_object", "vanishing_point",
                                 "segment_unsup25d"}  # fmt: skip
    assert checks.loc["autoencoding", "paper"] == "low"
    assert not checks.loc["autoencoding", "similarity_as_paper"]  # rank 1 of 5: not low
    assert checks.loc["vanishing_point", "similarity_as_paper"]  # rank 4 of 5: low
    assert not checks.loc["vanishing_point", "miou_as_paper"]  # mIoU rank 2 of 5: not low
    ours, verdict = tt.group_verdict(checks, "low", "similarity_as_paper")
    assert verdict == "does not hold" and "vanishing point 4" in ours  # 1 of 2: not more than half
    assert tt.group_verdict(checks.iloc[:0], "high", "miou_as_paper") == (
        "none of the named tasks in this run",
        "not tested",
    )
    # a named task that is set aside is counted, not a reason to drop the group
    ours, verdict = tt.group_verdict(checks.drop("autoencoding"), "low", "similarity_as_paper")
    assert verdict == "holds" and ours == "vanishing point 4; 1 could not be tested"
    # with a bootstrap of the mIoU, a named task whose rank interval reaches both halves is
    # undecided, and a group it decides is inconclusive
    boot = pd.DataFrame([miou.to_numpy(), miou.to_numpy()[[0, 3, 2, 1, 4]]], columns=TASKS)
    checks = tt.task_checks(table, pd.concat([boot] * 20, ignore_index=True))
    vp = checks.loc["vanishing_point"]
    assert (vp.miou_rank_low, vp.miou_rank_high) == (2, 4) and vp.miou_undecided
    assert not checks.loc["autoencoding", "miou_undecided"]  # rank 5 in every draw
    ours, verdict = tt.group_verdict(checks, "low", "miou_as_paper")
    assert verdict == "inconclusive" and "vanishing point 2 (2–4)" in ours
    # a percentile interval that misses its estimate (few test images) still draws
    table["miou_low"], table["miou_high"] = table["miou"] + 1, table["miou"] + 2
    baselines = pd.Series({"scratch": 35.0, "frozen_random": 10.0})
    fig = tt.plot_transfer(table, baselines, tt.paper_table())
    assert len(fig.axes) == 3  # two panels + the similarity axis
    plt.close(fig)


def test_similarity_ranks_get_intervals_over_images_and_networks():
    """S3.4's similarity ranks: a source whose two networks disagree about the target gets a
    rank interval over both halves (undecided); one that copies the target is first in every
    draw."""
    target = _rdms(1, n=16, seed=2)[0]
    src = torch.cat([target[None], _rdms(len(TASKS) - 1, n=16, seed=5)])  # autoencoding = target
    data = dataclasses.replace(_data(target[None], {"taskonomy": src}, (1.0,)),
                               replicates={"taskonomy": {"vanishing_point": target}})  # fmt: skip
    draws = tt.similarity_draws(data, n_boot=60, seed=1)
    assert draws.shape == (60, len(TASKS)) and list(draws.columns) == TASKS
    np.testing.assert_allclose(draws["autoencoding"], 1.0, atol=1e-9)
    vp = draws["vanishing_point"].to_numpy()
    assert (vp > 0.999).any() and (vp < 0.9).any()  # either of its networks, draw by draw
    table = tt.transfer_table(draws.mean(), pd.Series(10.0 * np.arange(5), index=TASKS))
    checks = tt.task_checks(table, similarity_boot=draws)
    a = checks.loc["autoencoding"]
    assert (a.similarity_rank_low, a.similarity_rank_high) == (1, 1)
    assert not a.similarity_undecided and not a.similarity_as_paper  # first: not "low"
    assert checks.loc["vanishing_point", "similarity_undecided"]  # first or low, by network
    assert "miou_undecided" not in checks  # no mIoU draws given
    ours, verdict = tt.group_verdict(checks, "low", "similarity_as_paper")
    assert "autoencoding 1 (1–1)" in ours and verdict == "does not hold"
    # without the second network, vanishing point is never the target's copy
    alone = tt.similarity_draws(dataclasses.replace(data, replicates={}), n_boot=60, seed=1)
    assert (alone["vanishing_point"] < 0.999).all()


def test_load_and_finetune_all_with_tiny_models(monkeypatch, tmp_path):
    """The plumbing of load() / finetune_all() with untrained tiny models and fake data."""
    study = profiles.setup(
        "smoke", "cpu", 0, str(tmp_path), workers=1
    )  # fakes live in this process
    size = 32

    class FakeData:
        def __init__(self, n):
            self.n = n

        def __len__(self):
            return self.n

        def batch(self, idx, device=None):
            g = torch.Generator().manual_seed(0)
            x = torch.rand(self.n, 3, size, size, generator=g)[idx]
            return x, torch.zeros(len(x), size, size, dtype=torch.long)

    calls = []

    def fake_model(task, arch, profile, seed, device, cache_dir, sources=None):
        calls.append((task, arch))
        torch.manual_seed(hash((task, arch)) % 1000)
        return build_model(task, "small", image_size=size).eval()

    def fake_target(profile, seed, device, cache_dir, checkpoint=1.0, sources=None, replicate=0):
        torch.manual_seed(int(checkpoint * 100) + 1000 * replicate)
        return build_model("segment_semantic", "small", image_size=size).eval()

    monkeypatch.setattr(datasets, "target_data", lambda split, n, **kw: FakeData(n))
    monkeypatch.setattr(tt.zoo, "get_model", fake_model)
    monkeypatch.setattr(tt.zoo, "get_target_model", fake_target)
    monkeypatch.setattr(
        tt.zoo, "get_target_record", lambda *a, **k: {"metric": 0.5, "baseline": 0.1}
    )
    # the quality gate keeps every source here (it is tested in test_networks.py)
    monkeypatch.setattr(task_models, "usable_tasks", lambda study, tasks, archs: (list(tasks), {}))
    monkeypatch.setattr(task_models, "replicate_rdms", lambda *a, **k: {})
    data = tt.load(
        study, n_images=10, tasks=TASKS[:3], archs=("small", "taskonomy"), checkpoints=(0.5,)
    )
    assert data.checkpoints == (0.5, 1.0)
    assert data.target.shape == (2, 10, 10)
    # the other target models (smoke profile: 3 in all), other networks at every checkpoint
    assert [r.shape for r in data.target_replicates] == [(2, 10, 10)] * 2
    assert not torch.equal(data.target_replicates[0], data.target)
    assert not torch.equal(data.target_replicates[0], data.target_replicates[1])
    assert data.sources["small"].shape == (3, 10, 10)
    assert len(calls) == 6
    assert torch.allclose(data.final.diagonal(), torch.zeros(10))
    assert set(data.ranking("small").index) == set(TASKS[:3])
    with pytest.raises(ValueError, match="at least 3"):
        tt.load(study, n_images=10, tasks=TASKS[:2])
    # a target model that fails its baseline is left out, with a warning
    monkeypatch.setattr(tt.zoo, "get_target_record",
                        lambda *a, replicate=0, **k: {"metric": 0.05 if replicate == 1 else 0.5, "baseline": 0.1})  # fmt: skip
    with pytest.warns(UserWarning, match="target model 1 fails its baseline"):
        failed = tt.load(study, n_images=10, tasks=TASKS[:3], archs=("small",), checkpoints=(0.5,))
    assert len(failed.target_replicates) == 1 and failed.tested and not failed.set_aside
    assert torch.equal(failed.target_replicates[0], data.target_replicates[1])

    monkeypatch.setattr(tt.transfer, "finetune",
                        lambda init, profile, replicate=0, **kw: {"miou": 0.25 + 0.1 * replicate, "seconds": 1.0})  # fmt: skip
    runs = tt.finetune_all(study, TASKS[:3])
    assert list(runs.index) == [*TASKS[:3], "scratch", "frozen_random"]
    assert runs.loc["scratch", "kind"] == "baseline" and runs.loc["normal", "kind"] == "source"
    # smoke: two networks of every task, two seeds of every baseline; the mIoU is their mean
    assert runs["miou"].eq(30.0).all() and runs["seconds"].eq(2.0).all()
    assert runs["miou_rep0"].eq(25.0).all() and runs["miou_rep1"].eq(35.0).all()
    one = tt.finetune_all(profiles.setup("smoke", "cpu", 0, str(tmp_path), workers=1, replicates=1),
                          TASKS[:3])  # fmt: skip
    assert one["miou"].eq(25.0).all() and one["miou_rep1"].isna().all()


def test_miou_draws_resample_each_inits_replicates():
    """Paired image draws; an init with two fine-tuned networks averages two of them drawn with
    replacement, so its draws take the first's, the second's or their mean mIoU."""
    one = np.ones((6, 1), dtype=np.int64)
    images = {"a": (one * 20, one * 100), "b": [(one * 10, one * 100), (one * 30, one * 100)]}
    draws = s3s.miou_draws(images, n_boot=400, seed=3)
    assert draws["a"].eq(20.0).all()
    assert set(np.round(draws["b"], 6)) == {10.0, 20.0, 30.0}
    assert draws["b"].mean() == pytest.approx(20.0, abs=1.5)


def test_transfer_spearman_resamples_the_networks_of_each_task():
    """With two networks per task, the estimate is r_s of the task means and the interval
    covers which networks were trained: wider than the interval over tasks alone."""
    # the first networks order the tasks one way, the second the other way
    sims = pd.DataFrame({0: [0.9, 0.7, 0.5, 0.3, 0.1], 1: [0.1, 0.3, 0.5, 0.7, 0.9]}, index=TASKS)
    mious = pd.DataFrame({0: [50.0, 40, 30, 20, 10], 1: [52.0, 41, 31, 21, 11]}, index=TASKS)
    table = s3s.transfer_table(sims.mean(axis=1) + [0.01, 0.02, 0.03, 0.04, 0.05], mious.mean(axis=1),
                               {"similarity": sims, "miou": mious})  # fmt: skip
    assert list(table.columns[-4:]) == [
        "similarity_rep0",
        "similarity_rep1",
        "miou_rep0",
        "miou_rep1",
    ]
    est, low, high = s3s.transfer_spearman(table, seed=0)
    assert est == pytest.approx(ss.spearmanr(table["similarity"], table["miou"]).statistic)
    # the draws reach what either set of networks alone gives (r_s = 1 and -1)
    assert high > 0.9 and low < -0.9
    one_net = table.drop(columns=["similarity_rep1", "miou_rep1"])
    assert s3s.transfer_spearman(one_net, seed=0) == s3s.consistency.spearman_with_interval(
        table["similarity"], table["miou"], seed=0)  # fmt: skip
    # a task with one network keeps it in every draw
    table.loc[TASKS[0], ["similarity_rep1", "miou_rep1"]] = np.nan
    assert np.isfinite(s3s.transfer_spearman(table, seed=0)).all()


def test_tied_miou_is_not_tested_and_spearman_is_nan():
    sim = pd.Series([0.9, 0.7, 0.5, 0.3, 0.1], index=TASKS)
    table = tt.transfer_table(sim, pd.Series(0.0, index=TASKS))
    checks = tt.task_checks(table)
    assert checks["miou_as_paper"].isna().all()
    assert tt.group_verdict(checks, "high", "miou_as_paper")[1] == "not tested"
    assert tt.group_verdict(checks, "high", "similarity_as_paper")[1] != "not tested"
    assert np.isnan(tt.transfer_spearman(table)[0])
    assert tt.spearman_verdict(*tt.transfer_spearman(table)) == "not tested"
    good = tt.transfer_table(sim, pd.Series([5.0, 4.0, 3.0, 2.0, 1.0], index=TASKS))
    est, low, high = tt.transfer_spearman(good)
    assert est == pytest.approx(1.0)  # (with 5 pairs some resamples are constant: NaN bounds)


def test_most_beat_needs_more_than_half():
    assert tt.most_beat(pd.Series([5.0, 6.0, 3.0]), 4.0)
    assert not tt.most_beat(pd.Series([5.0, 3.0]), 4.0)  # half is not more than half
    assert not tt.most_beat(pd.Series([4.0, 4.0, 5.0]), 4.0)  # equal does not beat


def test_model_size_is_one_result(tmp_path, monkeypatch):
    """S3.2's numbers, prose values and claims come from one call; Fig S7 and the table of
    correlations from one more each."""
    from rsa_utils.figures import s3 as figures
    from rsa_utils.study import model_size

    src = _rdms(len(TASKS), seed=4)
    data = _data(_rdms(1, seed=5), {"small": src.clone(), "taskonomy": src})
    study = _study(tmp_path, n_boot=5)
    res = model_size.compare(study, data)
    assert list(res.correlation.index) == ["rho", "r_s"]
    assert res.correlation.index.name == "statistic"
    assert res.text["v_rho"] == "holds" and res.text["rho"].startswith("1.00")
    assert {"rho", "r_s", "top_large", "top_small", "gap", "mean_small", "v_rs"} <= set(res.text)
    assert [c.holds for c in res.claims] == ["holds", "holds"]
    assert [c.paper for c in res.claims] == ["0.95", "0.96"]
    assert res.values == {"n_images": 24, "n_tasks": len(TASKS), "n_boot": 5, "n_replicated": 0,
                           "n_target_models": 1}  # fmt: skip
    assert res.text["set_aside"] == "none"
    assert res.text["rho_rep0"] == res.text["rho_rep1"] == "1.00"  # no second networks
    # second networks that rank the sources differently: the estimate averages over both
    # networks of each source, and the rows per replicate show how far apart they lie
    other = _rdms(len(TASKS), seed=6)
    reps = {a: {t: other[i] for i, t in enumerate(TASKS)} for a in ("small", "taskonomy")}
    reps["small"] = {t: src[i] for i, t in enumerate(TASKS)}  # the small ones stay the same
    mixed = model_size.compare(study, dataclasses.replace(data, replicates=reps))
    assert mixed.values["n_replicated"] == len(TASKS)
    rep1 = float(mixed.text["rho_rep1"].replace("−", "-"))
    assert mixed.text["rho_rep0"] == "1.00" and rep1 < 0.9
    assert rep1 < mixed.correlation.loc["rho", "estimate"] < 1.0
    # a second target model alone moves the second row
    apart = dataclasses.replace(data, sources={"small": src, "taskonomy": other})
    one = model_size.compare(study, apart)
    two = model_size.compare(
        study, dataclasses.replace(apart, target_replicates=[_rdms(2, seed=7)])
    )
    assert (one.values["n_target_models"], two.values["n_target_models"]) == (1, 2)
    assert one.text["rho_rep1"] == one.text["rho_rep0"] == two.text["rho_rep0"]
    assert two.text["rho_rep1"] != two.text["rho_rep0"]
    untested = model_size.compare(study, dataclasses.replace(data, tested=False))
    assert {c.holds for c in untested.claims} == {"not tested"}
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path))
    shown = figures.figure_s7(res)
    assert (tmp_path / "figures" / "s3_2_fig_s7.png").is_file()
    assert (tmp_path / "data" / "s3_2_fig_s7.csv").is_file()
    assert (tmp_path / "data" / "s3_2_table_size.csv").is_file()
    assert shown.equals(res.table.round(3))
    assert figures.table_correlation(res).equals(res.correlation.round(3))
    assert (tmp_path / "data" / "s3_2_table_correlation.csv").is_file()


def test_image_counts_is_one_result(tmp_path, monkeypatch):
    """S3.3's numbers, prose values and claims from one call; Fig S8 from one more."""
    from rsa_utils.figures import s3 as figures
    from rsa_utils.study import image_counts

    data = _data(_rdms(1, n=16, seed=7), {"taskonomy": _rdms(len(TASKS), n=16, seed=8)})
    study = _study(tmp_path, n_rsa=16, n_boot=4, image_counts=(6, 10, 15, 16, 40))
    res = image_counts.compare(study, data)
    assert list(res.table["n"]) == [6, 10, 15]  # 16 is the reference, 40 more than there are
    assert res.values == {
        "n_all": 16,
        "n_tasks": len(TASKS),
        "n_draws": 4,
        "n_replicated": 0,
        "n_choices": 1,
        "n_target_models": 1,
    }
    assert res.text["counts"] == "6, 10, 15" and res.text["set_aside"] == "none"
    assert res.text["paper_fraction"] == "20 %" and res.text["lowest_n"] == "6"
    assert res.text["at_paper_n"] == "6 (38 %)"  # the count nearest 20 % of the images
    assert [c.section for c in res.claims] == ["S3.3", "S3.3"]
    assert res.claims[1].holds == "not tested"  # no n = 500 among 16 images
    assert res.claims[1].ours.startswith("not tested: 16 images in all")
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path))
    shown = figures.figure_s8(res)
    assert (tmp_path / "figures" / "s3_3_fig_s8.png").is_file()
    assert (tmp_path / "data" / "s3_3_table_image_counts.csv").is_file()
    assert shown.equals(res.table.round(4))


def test_training_stage_is_one_result(tmp_path, monkeypatch):
    """S3.1's numbers, prose values and claims from one call; Fig S6 from one more."""
    from rsa_utils.figures import s3 as figures
    from rsa_utils.study import training_stage

    src = _rdms(len(TASKS), seed=1)
    final = _rdms(1, seed=2)[0]
    data = _data(torch.stack([final, final, final]), {"taskonomy": src}, (0.1, 0.5, 1.0))
    data = dataclasses.replace(data, set_aside={"normal": "no signal"})
    study = _study(tmp_path, n_boot=5)
    monkeypatch.setattr(
        tt.zoo, "get_target_record", lambda *a, **k: {"metric": 0.5, "baseline": 0.1}
    )
    res = training_stage.compare(study, data)
    assert res.values == {"n_images": 24, "n_tasks": len(TASKS), "n_checkpoints": 3, "n_boot": 5,
                          "target_steps": study.profile.target_steps, "n_replicated": 0,
                          "n_target_models": 1}  # fmt: skip
    assert res.text["set_aside"] == "surface normals (no signal)"
    assert list(res.table["fraction"]) == [0.1, 0.5, 1.0]
    assert res.text["first_fraction"] == "1/10" and res.text["half_fraction"] == "1/2"
    assert res.text["from_when"] == "from 1/10 of training on"  # identical at every checkpoint
    assert res.text["first_rho_each"] == "1.00"  # one target model, the same at every checkpoint
    # each target model alone: the first agrees with itself, another that changes its early
    # ranking does not
    other = torch.stack([src[0], src[0], final])
    two = training_stage.compare(study, dataclasses.replace(data, target_replicates=[other]))
    first, second = (float(x.replace("−", "-")) for x in two.text["first_rho_each"].split(", "))
    assert first == 1.0 and second < 0.99 and two.values["n_target_models"] == 2
    assert (
        res.text["target_miou"] == "50.0" and res.text["target_learned"] == "it beats that baseline"
    )
    assert [c.paper for c in res.claims] == ["0.88", "> 0.99 from 1/2"]
    assert res.claims[1].ours.startswith("stays > 0.99 from 1/10 on; ρ at 1/2 = 1.000")
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path))
    shown = figures.figure_s6(res)
    assert (tmp_path / "figures" / "s3_1_fig_s6.png").is_file()
    assert (tmp_path / "data" / "s3_1_fig_s6_rankings.csv").is_file()
    assert (tmp_path / "data" / "s3_1_table_checkpoints.csv").is_file()
    assert shown.equals(res.table.round(4))


def test_transfer_learning_is_one_result(tmp_path, monkeypatch):
    """S3.4's numbers, prose values and claims from one call; Fig S9 and the table of the
    named tasks from one more each."""
    from rsa_utils.figures import s3 as figures
    from rsa_utils.study import transfer_learning as s34

    data = _data(_rdms(1, seed=5), {"taskonomy": _rdms(len(TASKS), seed=4)})
    miou = {t: 30.0 + 5 * i for i, t in enumerate(TASKS)}
    runs = pd.DataFrame({"miou": [*miou.values(), 20.0, 10.0], "seconds": 60.0,
                         "kind": ["source"] * len(TASKS) + ["baseline"] * 2},
                        index=[*TASKS, "scratch", "frozen_random"])  # fmt: skip
    runs = runs.assign(
        miou_rep0=runs["miou"], miou_rep1=np.nan
    )  # one network each, as finetune_all
    monkeypatch.setattr(s34, "finetune_all", lambda study, tasks: runs)
    # per test image: one class, intersection = the run's mIoU in % of a 100-pixel union
    one = np.ones((8, 1), dtype=np.int64)
    monkeypatch.setattr(s34, "finetune_images",
                        lambda study, inits: {i: (one * int(runs.loc[i, "miou"]), one * 100) for i in inits})  # fmt: skip
    monkeypatch.setattr(
        tt.zoo, "get_target_record", lambda *a, **k: {"metric": 0.5, "baseline": 0.05}
    )
    study = _study(tmp_path)
    res = s34.compare(study, data)
    prof = study.profile
    assert res.values == {
        "n_tasks": len(TASKS), "n_images": prof.n_rsa, "target_train": prof.target_train,
        "finetune_steps": prof.finetune_steps, "n_test": prof.n_test, "pascal_n": len(TASKS),
        "n_target_models": 1, "n_runs": len(runs),
        "n_above_scratch": len(TASKS), "n_learned": len(TASKS),
        "n_clearly_above_scratch": len(TASKS), "n_clearly_below_scratch": 0,
    }  # fmt: skip
    assert res.text["margin_scratch"] == "20.0 [20.0, 20.0]"  # median 40 - scratch 20, no noise
    assert res.text["scratch_reading"].startswith("the median source lies clearly above")
    assert s34._scratch_reading(-2.5, -0.5).startswith("the median source lies clearly below")
    assert s34._scratch_reading(-1.0, 0.5).startswith("these runs cannot tell")
    np.testing.assert_allclose(res.table["miou_low"], res.table["miou"])
    assert res.text["set_aside"] == "none"
    assert res.text["scratch"] == "20.0" and res.text["majority"] == "5.0"
    assert res.text["finetune_minutes"] == f"{len(runs):.1f}"
    assert res.text["r_s_reading"].startswith("the paper's claim is a positive r_s")
    assert len(res.claims) == 6 and res.claims[-1].kind == "ours"
    assert list(res.pascal.columns)[:1] and len(res.pascal) == 1
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path))
    shown = figures.figure_s9(res)
    assert (tmp_path / "figures" / "s3_4_fig_s9.png").is_file()
    assert (tmp_path / "data" / "s3_4_table_transfer.csv").is_file()
    assert (tmp_path / "data" / "s3_4_pascal_vs_rsa.csv").is_file()
    assert shown.index.name == "label"
    assert figures.table_named(res).equals(res.checks)
    assert (tmp_path / "data" / "s3_4_table_named.csv").is_file()
    # with a second target model the similarity is the mean of the two target models' (the
    # fine-tuned encoders stay the sources' first networks)
    second = _rdms(1, seed=9)
    two = s34.compare(study, dataclasses.replace(data, target_replicates=[second]))
    mean = (data.ranking() + tt.ranking(second[-1], data.sources["taskonomy"], TASKS)) / 2
    pd.testing.assert_series_equal(
        two.table["similarity"], mean[two.table.index], check_names=False
    )
    assert two.values["n_target_models"] == 2
    assert not two.table["similarity"].equals(res.table["similarity"][two.table.index])
    # sources with two networks: each is fine-tuned; similarity and mIoU are the means over them
    reps = {t: r for t, r in zip(TASKS, _rdms(len(TASKS), seed=11))}
    runs2 = runs.assign(
        miou_rep0=runs["miou"], miou_rep1=runs["miou"] + 2.0, miou=runs["miou"] + 1.0
    )
    monkeypatch.setattr(s34, "finetune_all", lambda study, tasks: runs2)
    both = s34.compare(study, dataclasses.replace(data, replicates={"taskonomy": reps}))
    sim1 = tt.ranking(data.final, torch.stack([reps[t] for t in TASKS]), TASKS)
    np.testing.assert_allclose(both.table["similarity_rep1"], sim1[both.table.index])
    np.testing.assert_allclose(
        both.table["similarity"], ((data.ranking() + sim1) / 2)[both.table.index]
    )
    np.testing.assert_allclose(both.table["miou"], runs2.loc[both.table.index, "miou"])
    assert both.text["n_networks"] == "2" and both.values["n_runs"] == 2 * len(runs)
    # scratch per seed (20 and 22 %), against the median source's margin over their mean (19)
    assert both.text["scratch_seeds"].startswith(
        "20.0 and 22.0 % with its 2 seeds, 2.0 points apart: less"
    ) and both.text["scratch_seeds"].endswith("points above)")
    assert res.text["scratch_seeds"] == "one seed (20.0 %)"
    assert res.text["n_networks"] == "1"
    # a source whose second network has no RDM is read by its first network alone, in both
    partial = s34.compare(
        study, dataclasses.replace(data, replicates={"taskonomy": {TASKS[0]: reps[TASKS[0]]}})
    )
    rest = partial.table.drop(index=TASKS[0])
    assert rest["similarity_rep1"].isna().all() and rest["miou_rep1"].isna().all()
    np.testing.assert_allclose(rest["miou"], runs2.loc[rest.index, "miou_rep0"])
    assert partial.table.loc[TASKS[0], ["similarity_rep1", "miou_rep1"]].notna().all()
    assert partial.text["n_networks"] == "1–2"


def test_the_reading_of_r_s_comes_from_the_library():
    from rsa_utils.study.transfer_learning import _r_s_reading

    base = "the paper's claim is a positive r_s (mIoU falls as similarity falls)"
    assert _r_s_reading(float("nan"), 0, 0) == base
    assert _r_s_reading(0.5, 0.1, 0.8) == base + "; ours has that sign"
    assert (
        _r_s_reading(-0.5, -0.8, 0.1)
        == base + "; ours has the opposite sign, but its interval includes zero"
    )


def test_scratch_seeds_compare_the_distance_below_as_well():
    from rsa_utils.study.transfer_learning import _seeds_reading

    text = _seeds_reading(pd.Series([14.8, 13.8]), -0.2)
    assert text.endswith("1.0 points apart: more than the median source lies from their mean "
                         "(0.2 points below)")  # fmt: skip
    assert "less than" in _seeds_reading(pd.Series([14.8, 13.8]), -1.5)
