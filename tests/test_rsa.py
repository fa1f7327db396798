"""The RSA core against rsatoolbox and scipy, and its behaviour on degenerate input."""

import numpy as np
import pytest
import scipy.stats as ss
import torch

from rsa_utils import rsa

rsatoolbox = pytest.importorskip("rsatoolbox")


def _features(t=4, n=25, d=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((t, n, d))


def _rsatoolbox_rdms(f):
    """rsatoolbox's correlation RDM after our feature centring (it centres each image only)."""
    f = f - f.mean(axis=0, keepdims=True)
    return rsatoolbox.rdm.calc_rdm(rsatoolbox.data.Dataset(f), method="correlation")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_rdm_matches_rsatoolbox(dtype):
    f = _features()
    ours = rsa.rdm(f, dtype=dtype)
    for k in range(len(f)):
        ref = _rsatoolbox_rdms(f[k]).get_matrices()[0]
        np.testing.assert_allclose(ours[k], ref, atol=1e-6 if dtype == torch.float32 else 1e-12)
        assert np.all(np.diag(ours[k]) == 0)
        np.testing.assert_allclose(ours[k], ours[k].T, atol=1e-6)
    assert ours.dtype == (np.float32 if dtype == torch.float32 else np.float64)
    np.testing.assert_array_equal(rsa.rdm(f[1], dtype=dtype), ours[1])  # one set == stack slice


def test_rdm_centres_features_across_images():
    f = _features(t=1)[0]
    shifted = f + np.arange(f.shape[1]) * 10.0  # a per-feature offset must not change the RDM
    np.testing.assert_allclose(
        rsa.rdm(shifted, dtype=torch.float64), rsa.rdm(f, dtype=torch.float64), atol=1e-10
    )


@pytest.mark.parametrize("ties", [False, True])
def test_similarity_matrix_matches_rsatoolbox_and_scipy(ties):
    rdms = rsa.rdm(_features(t=5), dtype=torch.float64)
    if ties:  # coarse dissimilarities: many tied pairs
        rdms = np.round(rdms, 1)
    sim = rsa.similarity_matrix(rdms, names=list("abcde"))
    assert list(sim.index) == list("abcde")
    v = rsa.upper_triangle(rdms).numpy()
    if ties:
        assert len(np.unique(v[0])) < len(v[0]) / 2  # the test really has ties
    np.testing.assert_allclose(sim.to_numpy(), ss.spearmanr(v.T).statistic, atol=1e-6)
    rt = rsatoolbox.rdm.RDMs(v, dissimilarity_measure="correlation")
    ref = rsatoolbox.rdm.compare(rt, rt, method="spearman")
    np.testing.assert_allclose(sim.to_numpy(), ref, atol=1e-6)
    pear = rsa.similarity_matrix(rdms, method="pearson").to_numpy()
    np.testing.assert_allclose(pear, np.corrcoef(v), atol=1e-10)
    assert rsa.compare_rdms(rdms[0], rdms[2]) == pytest.approx(sim.iloc[0, 2], abs=1e-12)


def test_rank_rows_matches_rankdata():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 5, (3, 200)).astype(float)
    np.testing.assert_array_equal(rsa.rank_rows(torch.tensor(x)).numpy(), ss.rankdata(x, axis=1))


def test_degenerate_input_names_the_image():
    f = _features(t=1, n=10)[0]
    g = f.copy()
    g[7] = np.nan
    with pytest.raises(ValueError, match="image 7"):
        rsa.rdm(g)
    h = f.copy()  # image 3 = the other images' mean + a constant: constant after centring
    h[3] = np.delete(f, 3, axis=0).mean(axis=0) + 0.5
    with pytest.raises(ValueError, match="image 3.*constant"):
        rsa.rdm(h)
    with pytest.raises(ValueError, match="method"):
        rsa.similarity_matrix(rsa.rdm(_features()), method="kendall")


def test_ranking_and_resampling():
    f = _features(t=4, n=40)
    rdms = rsa.rdm(f, dtype=torch.float64)
    sim = rsa.similarity_matrix(rdms, names=["a", "b", "c", "d"])
    r = rsa.ranking(sim, "b")
    assert list(r.index) == ["a", "c", "d"]
    assert rsa.ranking(sim, "b", sort=True).is_monotonic_decreasing
    with pytest.raises(ValueError, match="unknown task 'z'"):
        rsa.ranking(sim, "z")

    def stat(v):
        return rsa.similarity_matrix(v).iloc[0, 1]

    boot = rsa.bootstrap(rdms, stat, n_boot=30, seed=3)
    again = rsa.bootstrap(rdms, stat, n_boot=30, seed=3)
    np.testing.assert_array_equal(boot.samples, again.samples)  # seeded
    assert boot.samples.shape == (30,)
    assert boot.estimate == pytest.approx(sim.loc["a", "b"])
    assert boot.low <= boot.high and np.std(boot.samples) > 0
    full = rsa.subsample(rdms, stat, n=40, n_draws=5)  # all images, any order: the estimate
    np.testing.assert_allclose(full.samples, boot.estimate, atol=1e-12)
    with pytest.raises(ValueError, match="subsample size"):
        rsa.subsample(rdms, stat, n=41)


def test_identical_representations_score_one():
    f = _features(t=1, n=30)[0]
    rdms = rsa.rdm(np.stack([f, 3 * f + 1]))
    assert rsa.similarity_matrix(rdms).iloc[0, 1] == pytest.approx(1.0, abs=1e-6)


def test_condensed_rdms_give_the_same_similarities():
    f = _features(t=4, n=37, d=9)
    full = rsa.similarity_matrix(rsa.rdm(f, dtype=torch.float64))
    cond = rsa.condensed_rdms(f, dtype=torch.float64, block=8)  # several blocks, ragged last one
    assert cond.shape == (4, 37 * 36 // 2)
    np.testing.assert_allclose(
        np.sort(cond[2].numpy()),
        np.sort(rsa.upper_triangle(rsa.rdm(f[2], dtype=torch.float64))[0].numpy()),
    )
    np.testing.assert_allclose(rsa.similarity_matrix(cond).to_numpy(), full.to_numpy(), atol=1e-12)
    with pytest.raises(ValueError, match="image 3"):
        g = f.copy()
        g[1, 3, 0] = np.inf
        rsa.condensed_rdms(g)


def test_square_input_is_a_checked_rdm_or_explicitly_condensed():
    g = np.random.default_rng(0)
    x, y = g.normal(size=(12, 30)), g.normal(size=(12, 30))
    y = x + 0.5 * y
    a, b = 1 - np.corrcoef(x), 1 - np.corrcoef(y)  # diagonal ~1e-16, not exactly 0
    want = float(ss.spearmanr(a[np.triu_indices(12, 1)], b[np.triu_indices(12, 1)]).statistic)
    assert rsa.compare_rdms(a, b) == pytest.approx(want, abs=1e-9)
    with pytest.raises(ValueError, match="diagonal is not 0"):
        rsa.upper_triangle(np.corrcoef(x))  # a similarity matrix, not an RDM
    asym = a.copy()
    asym[0, 1] += 0.1
    with pytest.raises(ValueError, match="not symmetric"):
        rsa.compare_rdms(asym, b)
    rows = g.normal(size=(3, 3))  # three condensed RDMs of three images: square by chance
    assert torch.equal(rsa.upper_triangle(rows, condensed=True), torch.as_tensor(rows))
    with pytest.raises(ValueError, match="condensed=True"):
        rsa.similarity_matrix(rows)
    assert rsa.similarity_matrix(rows, condensed=True).shape == (3, 3)


def test_scores_lie_in_minus_one_to_one():
    """S2's "RSA scores lie in [−1, 1]": a property of the method (a correlation), not a claim
    of the scorecard; checked here on random, anti-correlated and identical representations."""
    f = _features(t=6, n=30, d=5, seed=3)
    f = np.concatenate([f, 2 * f[:1] + 1])  # a rescaled copy: similarity 1 with the first
    sim = rsa.similarity_matrix(rsa.rdm(f))
    values = sim.to_numpy() if hasattr(sim, "to_numpy") else np.asarray(sim)
    assert values.min() >= -1 - 1e-6 and values.max() <= 1 + 1e-6
    assert np.allclose(np.diag(values), 1, atol=1e-5) and values[0, -1] == pytest.approx(
        1, abs=1e-5
    )
