"""CKA and DDS: their defining formulas and invariances."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ortho_group

from rsa_utils import similarity as S


@pytest.fixture
def xy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 7))
    y = np.tanh(x @ rng.normal(size=(7, 4))) + 0.3 * rng.normal(size=(60, 4))
    return x, y


def test_linear_cka_matches_the_feature_space_formula(xy):
    x, y = xy
    xc, yc = x - x.mean(0), y - y.mean(0)
    ref = np.linalg.norm(yc.T @ xc) ** 2 / (np.linalg.norm(xc.T @ xc) * np.linalg.norm(yc.T @ yc))
    assert S.linear_cka(x, y) == pytest.approx(ref, abs=1e-12)
    assert 0 < S.linear_cka(x, y) < 1


def test_linear_cka_invariances(xy):
    x, _ = xy
    q = ortho_group.rvs(7, random_state=1)
    assert S.linear_cka(x, x) == pytest.approx(1.0)
    assert S.linear_cka(x, 3.0 * x @ q + 5.0) == pytest.approx(1.0)  # rotation, scale, shift
    a = np.diag([1.0, 10, 0.1, 1, 1, 1, 1])
    assert S.linear_cka(x, x @ a) < 0.99  # not invariant to anisotropic scaling


def test_dds_standardises_features(xy):
    x, y = xy
    scaled = x * np.array([1.0, 10, 0.1, 2, 3, 4, 5]) + 7.0
    for k in S.KERNELS:
        assert S.dds(x, scaled, k) == pytest.approx(1.0)
        assert S.dds(x, y, k) < 0.999


def test_table_agrees_with_pairs_and_is_a_similarity(xy):
    x, y = xy
    feats = {"x": x, "y": y, "z": x[:, :3]}
    for measure, pair in (
        ("linear_cka", S.linear_cka),
        ("dds_laplacian", lambda a, b: S.dds(a, b, "laplacian")),
    ):
        t = S.similarity_table(feats, measure)
        assert list(t.index) == ["x", "y", "z"] and np.allclose(t.to_numpy(), t.to_numpy().T)
        assert np.allclose(np.diag(t), 1.0)
        assert t.loc["x", "y"] == pytest.approx(pair(x, y), abs=1e-12)
    k = S.kernel_matrix(x, "linear")
    assert S.kernel_cka(k, S.kernel_matrix(y, "linear")) == pytest.approx(S.linear_cka(x, y))


def test_unknown_names_list_the_choices(xy):
    with pytest.raises(ValueError, match="linear, cosine, laplacian"):
        S.kernel_matrix(xy[0], "rbf")
    with pytest.raises(ValueError, match="linear_cka, dds_linear, dds_cosine, dds_laplacian"):
        S.similarity_table([xy[0], xy[1]], "cca")


def test_measure_and_layer_matrices_feed_the_agreement_table():
    import pandas as pd

    rng = np.random.default_rng(2)
    base = rng.normal(size=(30, 6))
    feats = {"a": base, "b": base @ ortho_group.rvs(6, random_state=3), "c": rng.normal(size=(30, 4)),
             "d": np.tanh(base[:, :3])}  # fmt: skip
    mats = S.measure_matrices(feats)
    assert list(mats) == list(S.MEASURES)
    for m in mats.values():  # a rotated copy is the most similar task to the original
        assert m.loc["a"].drop("a").idxmax() == "b"
    stages = {t: [f] * len(S.LAYERS) for t, f in feats.items()}
    layers = S.layer_rsa_matrices(stages)
    assert list(layers) == list(S.LAYERS)
    assert np.allclose(layers["block 1"].to_numpy(), mats["RSA (the paper)"].to_numpy())
    names = list(feats)
    affinity = pd.DataFrame(mats["linear CKA"].to_numpy(), index=names, columns=names)
    table = S.agreement_table(mats, affinity)
    assert list(table.columns) == ["mean", "low", "high", "positive", "targets"]
    assert table.loc["linear CKA", "mean"] == pytest.approx(1.0)  # agrees with itself
    corr = S.matrix_correlations(mats)
    assert np.allclose(np.diag(corr), 1.0)
