"""Ranking consistency statistics: exact on constructed cases, resampling shapes and seeds."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss
import torch

from rsa_utils import consistency, rsa


def _rdms(t=5, n=30, d=10, seed=0):
    rng = np.random.default_rng(seed)
    base = rng.standard_normal((n, d))
    return rsa.rdm(
        np.stack([base + s * rng.standard_normal((n, d)) for s in np.linspace(0.2, 2, t)]),
        dtype=torch.float64,
    )


def test_identical_architectures_agree_perfectly():
    r = _rdms()
    names = list("abcde")
    table, res = consistency.compare_architectures(r, r, names, n_boot=10)
    np.testing.assert_allclose(table.estimate, 1.0, atol=1e-9)
    assert list(table.index) == [*names, "matrix"] and res.samples.shape == (10, 6)


def test_ranking_and_matrix_correlation_by_hand():
    s = pd.DataFrame(
        [[1, 0.5, 0.2], [0.5, 1, 0.1], [0.2, 0.1, 1]], index=list("abc"), columns=list("abc")
    )
    t = s.copy()
    t.loc["a", "b"] = t.loc["b", "a"] = 0.0  # a's ranking flips order of b and c
    rho = consistency.ranking_correlations(s, t)
    assert rho["a"] == pytest.approx(-1.0) and rho["c"] == pytest.approx(1.0)
    assert consistency.matrix_correlation(s, s) == pytest.approx(1.0)
    assert consistency.mean_off_diagonal(s) == pytest.approx((0.5 + 0.2 + 0.1) / 3)


def test_checkpoint_size_and_count_consistency():
    r = _rdms(t=6)
    res = consistency.checkpoint_consistency(r[:2], r[2:], n_boot=8)
    assert res.samples.shape == (8, 2) and res.estimate[-1] == pytest.approx(1.0)
    size = consistency.size_consistency(
        r[0], r[1:3], r[1:3], n_boot=5
    )  # same encoders: ρ = r_s = 1
    np.testing.assert_allclose(size.estimate, [1.0, 1.0])
    counts = consistency.image_count_consistency(r[0], r[1:], [10, 30], n_draws=5)
    assert list(counts.n) == [10, 30] and counts.estimate.iloc[-1] == pytest.approx(1.0)
    assert counts.estimate.iloc[0] <= 1.0


def test_spearman_with_interval():
    x = np.arange(10.0)
    est, lo, hi = consistency.spearman_with_interval(x, x**2, n_resamples=200)
    assert est == pytest.approx(1.0) and lo <= est <= hi


def test_mean_difference_interval():
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 0.1, 30), rng.normal(0.0, 0.1, 30)
    est, lo, hi = consistency.mean_difference(a, b)
    assert lo < est < hi and lo > 0.8 and hi < 1.2
    est, lo, hi = consistency.mean_difference(a, a + rng.normal(0, 0.01, 30), paired=True)
    assert lo < 0 < hi and hi - lo < 0.02  # paired: the shared part cancels


def test_off_diagonal_pairs():
    sim = pd.DataFrame(
        [[1, 0.2, 0.3], [0.2, 1, 0.4], [0.3, 0.4, 1]], index=list("abc"), columns=list("abc")
    )
    assert consistency.off_diagonal(sim, ["a", "c"]).tolist() == [0.3]
    assert sorted(consistency.off_diagonal(sim, list("abc"))) == [0.2, 0.3, 0.4]


def test_block_mean_difference_resamples_tasks():
    names = list("abcde")
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 1, (5, 5))
    base = (base + base.T) / 2
    a = pd.DataFrame(base + 0.2, index=names, columns=names)
    b = pd.DataFrame(base, index=names, columns=names)
    est, lo, hi = consistency.block_mean_difference(a, b, names[:4])
    assert est == pytest.approx(0.2) and lo == pytest.approx(0.2) and hi == pytest.approx(0.2)
    noisy = pd.DataFrame(base + rng.normal(0, 0.1, (5, 5)), index=names, columns=names)
    est, lo, hi = consistency.block_mean_difference(noisy, b, names)
    assert lo < est < hi and hi - lo > 0.01


def test_block_mean_difference_of_one_pair_has_no_interval():
    """Two tasks make one pair: resampling the tasks cannot move it, so the interval is
    undefined rather than the pair's own value (which read as a perfectly precise estimate)."""
    names = list("ab")
    a = pd.DataFrame([[1.0, 0.4], [0.4, 1.0]], index=names, columns=names)
    b = pd.DataFrame([[1.0, 0.5], [0.5, 1.0]], index=names, columns=names)
    est, lo, hi = consistency.block_mean_difference(a, b, names)
    assert est == pytest.approx(-0.1) and np.isnan(lo) and np.isnan(hi)


def test_spearman_interval_leaves_out_draws_that_are_all_tied():
    """Three pairs drawn with repeats are often all one value: such a draw has no r_s. The
    interval comes from the other draws, without a warning; NaN only when no draw has one."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est, low, high = consistency.spearman_with_interval([1, 2, 3], [1, 3, 2], seed=0)
        assert est == 0.5 and -1 <= low < high <= 1
        est, low, high = consistency.spearman_with_interval([1, 1, 1], [1, 2, 3], seed=0)
        assert np.isnan(est) and np.isnan(low) and np.isnan(high)


def test_image_counts_over_replicates_compare_each_choice_with_itself():
    r = _rdms(t=6)
    rng = np.random.default_rng(3)
    other = rsa.rdm(rng.standard_normal((30, 10)), dtype=torch.float64)  # unlike the target
    plain = consistency.image_count_consistency(r[0], r[1:], [10, 29], n_draws=20)
    pd.testing.assert_frame_equal(
        plain, consistency.image_count_consistency(r[0], r[1:], [10, 29], n_draws=20, replicates={})
    )
    # the best source's second network ranks last: a draw that takes it is compared with the
    # ranking from all images by the same networks, so 29 of 30 images still agree closely
    mixed = consistency.image_count_consistency(r[0], r[1:], [10, 29], n_draws=20,
                                                replicates={0: other}, n_choices=4)  # fmt: skip
    assert mixed.estimate.iloc[-1] > 0.95 and mixed.low.iloc[-1] > 0.9
    assert list(mixed.n) == [10, 29]
    # fewer draws than choices: one choice per draw, every draw counted
    few = consistency.image_count_consistency(r[0], r[1:], [10], n_draws=3, replicates={0: other})
    assert np.isfinite(few.estimate.iloc[0]) and few.low.iloc[0] <= few.high.iloc[0]


def test_checkpoints_over_replicates_rank_every_checkpoint_with_the_same_networks():
    r = _rdms(t=6)
    other = rsa.rdm(np.random.default_rng(4).standard_normal((30, 10)), dtype=torch.float64)
    plain = consistency.checkpoint_consistency(r[:2], r[2:], n_boot=20)
    mixed = consistency.checkpoint_consistency(r[:2], r[2:], n_boot=20, replicates={0: other})
    # the final ranking is compared with itself under whichever network a draw took
    assert mixed.estimate[-1] == pytest.approx(1.0) and mixed.low[-1] == pytest.approx(1.0)
    assert mixed.estimate[0] != pytest.approx(plain.estimate[0])  # the other network counts


def test_mean_difference_of_a_single_value_has_no_interval():
    est, low, high = consistency.mean_difference([0.5], [0.1, 0.3])
    assert est == pytest.approx(0.3) and np.isnan(low) and np.isnan(high)
    assert np.isnan(consistency.mean_difference([], [0.1, 0.3])[0])


def test_several_target_models_are_each_drawn_equally_often():
    # one alternative behaves as before: a list of one gives the same draws as the bare RDM
    r = _rdms(t=6)
    rng = np.random.default_rng(5)
    others = [rsa.rdm(rng.standard_normal((30, 10)), dtype=torch.float64) for _ in range(3)]
    one = consistency.target_similarity(r[0], r[1:], n_boot=40, target_replicate=others[0])
    listed = consistency.target_similarity(r[0], r[1:], n_boot=40, target_replicate=others[:1])
    np.testing.assert_array_equal(one.samples, listed.samples)
    assert consistency.target_similarity(
        r[0], r[1:], n_boot=40, target_replicate=[]
    ).estimate == pytest.approx(consistency.target_similarity(r[0], r[1:], n_boot=40).estimate)
    # four target models: the estimate is the mean over the draws' choices of target network,
    # and each of the four is drawn about a quarter of the time
    per = [consistency.target_similarity(t, r[1:], n_boot=1).estimate for t in [r[0], *others]]
    picks = [rsa.pick_network(u, 3) for u in np.random.default_rng(0).random(4000)]
    counts = np.bincount([3 if p is None else p for p in picks], minlength=4) / 4000
    assert np.allclose(counts, 0.25, atol=0.03)
    four = consistency.target_similarity(r[0], r[1:], n_boot=400, target_replicate=others)
    on_all = np.stack(per)
    assert on_all.min(0).min() <= four.estimate.min() and four.estimate.max() <= on_all.max()
    assert np.allclose(four.estimate, on_all.mean(0), atol=0.1)
    # S3.3's choices of networks draw among all target models as well
    counts_table = consistency.image_count_consistency(r[0], r[1:], [10], n_draws=20,
                                                       target_replicate=others, n_choices=8)  # fmt: skip
    assert counts_table.attrs["n_choices"] == 8 and np.isfinite(counts_table.estimate.iloc[0])
    with pytest.raises(ValueError, match="need 1 RDMs, got 2"):
        rsa.bootstrap(r, lambda v: 0.0, n_boot=2, replicates={0: [others[0], r[:2]]})


def test_spearman_over_draws_widens_with_the_networks_behind_each_value():
    rng = np.random.default_rng(0)
    x = np.arange(8.0)
    y = x + rng.normal(0, 0.5, 8)
    # draws with no network noise: the interval is the plain bootstrap over tasks
    still = consistency.spearman_over_draws(x, y, np.tile(x, (50, 1)), np.tile(y, (50, 1)))
    assert still[0] == pytest.approx(ss.spearmanr(x, y).statistic)
    assert still[1] > 0.5
    # each task's y moves by more than the gap between tasks under a draw of its networks
    noisy = consistency.spearman_over_draws(
        x, y, np.tile(x, (50, 1)), y + rng.normal(0, 4, (50, 8))
    )
    assert noisy[0] == still[0] and noisy[1] < 0 < noisy[2]
    with pytest.raises(ValueError, match="same tasks"):
        consistency.spearman_over_draws(x, y, np.zeros((5, 7)), np.zeros((5, 7)))
