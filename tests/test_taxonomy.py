"""Clustering against scipy directly, AHP on a closed-form case, win rates and ARI."""

import numpy as np
import pandas as pd
import pytest
from scipy.cluster import hierarchy

from rsa_utils import taxonomy


def _sim(seed=0, t=8):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((t, 5))
    s = np.corrcoef(a)
    names = [f"t{i}" for i in range(t)]
    return pd.DataFrame(s, index=names, columns=names)


def test_linkage_is_scipy_single_euclidean_optimal():
    s = _sim()
    z = taxonomy.linkage(s)
    ref = hierarchy.linkage(s.to_numpy(), "single", "euclidean", optimal_ordering=True)
    np.testing.assert_array_equal(z, ref)
    assert taxonomy.leaf_order(s) == [s.index[i] for i in hierarchy.leaves_list(ref)]
    labels = taxonomy.clusters(s, 3)
    assert labels.nunique() == 3 and list(labels.index) == list(s.index)


def test_ahp_recovers_consistent_priorities():
    p = np.array([0.5, 0.25, 0.15, 0.1])
    w = p[:, None] / (p[:, None] + p[None, :])  # Bradley-Terry: W/Wᵀ = p_i / p_j, rank one
    np.testing.assert_allclose(taxonomy.ahp_affinities(w), p, atol=1e-12)


def test_win_rates_and_affinities_from_losses():
    losses = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 0.5, 2.0, 2.0], [3.0, 3.0, 3.0, 1.0]])
    w = taxonomy.win_rates(losses)
    assert w[0, 1] == pytest.approx(0.75) and w[1, 0] == pytest.approx(0.25)
    np.testing.assert_allclose(w + w.T, 1.0)
    aff = taxonomy.ahp_affinities(w)
    assert aff.sum() == pytest.approx(1.0) and np.argmax(aff) == 0 and np.argmin(aff) == 2
    with pytest.raises(ValueError, match="NaN"):
        taxonomy.win_rates(np.array([[1.0, np.nan]]))


def test_adjusted_rand_index_against_sklearn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    for _ in range(5):
        a, b = rng.integers(0, 4, 30), rng.integers(0, 3, 30)
        assert taxonomy.adjusted_rand_index(a, b) == pytest.approx(
            sklearn_metrics.adjusted_rand_score(a, b)
        )
    assert taxonomy.adjusted_rand_index([1, 1, 2, 2], [5, 5, 7, 7]) == 1.0


def test_transfer_agreement_per_target():
    import pandas as pd

    from rsa_utils.taxonomy import transfer_agreement

    rng = np.random.default_rng(3)
    names = list("abcde")
    a = rng.random((5, 5))
    sym = pd.DataFrame(a + a.T, index=names, columns=names)
    assert np.allclose(transfer_agreement(sym, sym), 1.0)  # the same ordering for every target
    assert np.allclose(transfer_agreement(sym, -sym), -1.0)
    aff = sym.copy()
    aff["c"] = 1.0  # a constant column has no ranking
    out = transfer_agreement(sym, aff)
    assert np.isnan(out["c"]) and list(out.index) == names


def test_moved_either_way_counts_splits_and_merges():
    a = pd.Series([0, 0, 0, 1, 2], index=list("abcde"))  # d and e alone in a
    b = pd.Series([0, 0, 0, 0, 0], index=list("abcde"))  # everything merged in b
    assert taxonomy.moved_items(a, b) == []  # every a-cluster went wholly to b's cluster
    assert taxonomy.moved_either_way(a, b) == ["d", "e"]  # seen from b, d and e left the majority


def test_own_best_share_counts_the_draws_where_the_own_encoder_wins():
    """A target whose own encoder wins on every image is its best source in every draw; one
    that wins on half of the images against an equal rival, in some draws only."""
    rng = np.random.default_rng(0)
    names = ["a", "b", "c"]
    clear = rng.random((3, 40)) + 1
    clear[0] -= 1.5  # a wins everywhere as a source for target a
    close = rng.random((3, 40)) + 1
    close[:2] = 0.5
    close[1, ::2] = 0.4  # b beats a on half of the images ...
    close[0, 1::2] = 0.4  # ... and a beats b on the other half
    share = taxonomy.own_best_share({"a": clear, "b": close}, names, n_boot=200, seed=1)
    assert share["a"] == 1.0
    assert 0.1 < share["b"] < 0.9
    # with a as b's label twin, every draw's best source is b or its twin
    twin = taxonomy.own_best_share({"b": close}, names, n_boot=200, seed=1, twins={"b": ["a"]})
    assert twin["b"] == 1.0
