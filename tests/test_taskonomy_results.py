"""Taskonomy's shipped transfer results: the reader against the raw CSVs, name mapping, errors,
and the rank comparisons on constructed cases."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import scipy.stats as ss

from rsa_utils import taskonomy_results as tr
from rsa_utils.tasks import TASK_NAMES

TARGETS = [n for n in TASK_NAMES if n not in ("colorization", "inpainting")]


@pytest.fixture(scope="module")
def affinity():
    return tr.load_taskonomy_transfers("affinity", "16k")


def test_the_data_ship_with_the_project():
    assert tr.TASKONOMY_RESULTS_DIR == tr.REPO_ROOT / "book" / "data" / "taskonomy"
    for name in ("LICENSE", "README.md"):
        assert (tr.TASKONOMY_RESULTS_DIR / name).is_file()
    for kind, regimes in tr.TASKONOMY_RESULT_FILES.items():
        for regime in regimes:
            assert tr.taskonomy_results_path(kind, regime).is_file()
    readme = (tr.TASKONOMY_RESULTS_DIR / "README.md").read_text()
    assert "Zamir" in readme and "CVPR 2018" in readme and "MIT" in readme
    assert "MIT License" in (tr.TASKONOMY_RESULTS_DIR / "LICENSE").read_text()


def test_loaded_values_match_the_raw_csv(affinity):
    raw = pd.read_csv(tr.TASKONOMY_RESULTS_DIR / "affinity_16k.csv")
    for upstream_source, upstream_target, source, target in (
        ("autoencoder", "class_1000", "autoencoding", "class_object"),
        ("impainting_whole", "rgb2sfnorm", "inpainting", "normal"),
        ("segmentsemantic_rb", "rgb2depth", "segment_semantic", "depth_zbuffer"),
    ):
        row = raw[
            (raw.source_taskonomy == upstream_source) & (raw.target_taskonomy == upstream_target)
        ]
        assert len(row) == 1
        assert affinity.loc[source, target] == pytest.approx(float(row.value.iloc[0]), rel=1e-12)


def test_every_file_is_20_sources_by_18_targets_in_registry_order():
    for kind, regimes in tr.TASKONOMY_RESULT_FILES.items():
        for regime in regimes:
            frame = tr.load_taskonomy_transfers(kind, regime)
            assert frame.shape == (20, 18), (kind, regime)
            assert list(frame.index) == list(TASK_NAMES)
            assert list(frame.columns) == TARGETS
            assert np.isfinite(frame.to_numpy()).all()


def test_every_upstream_name_maps_to_the_registry():
    assert sorted(tr.TASKONOMY_TO_REGISTRY.values()) == sorted(TASK_NAMES)
    raw = pd.read_csv(tr.TASKONOMY_RESULTS_DIR / "affinity_16k.csv")
    for col in ("source", "target"):
        mapped = raw[f"{col}_taskonomy"].map(tr.registry_name)
        assert (mapped == raw[col]).all() and set(mapped) <= set(TASK_NAMES)
    with pytest.raises(ValueError, match="'rgb2foo'.*mapped names are: autoencoder, "):
        tr.registry_name("rgb2foo")


def test_bad_kind_regime_file_and_name_raise(tmp_path):
    with pytest.raises(
        ValueError,
        match="unknown kind 'gain'; allowed kinds are: affinity, winrate_vs_pixels, winrate_vs_task",
    ):
        tr.load_taskonomy_transfers("gain")
    with pytest.raises(ValueError, match="no regime '1k' for kind 'winrate_vs_task'.*: 16k"):
        tr.load_taskonomy_transfers("winrate_vs_task", "1k")
    with pytest.raises(FileNotFoundError, match=re.escape(str(tmp_path / "affinity_16k.csv"))):
        tr.load_taskonomy_transfers(root=tmp_path)
    pd.DataFrame(
        {"source_taskonomy": ["autoencoder", "rgb2foo"], "target_taskonomy": ["edge2d"] * 2,
         "value": [0.1, 0.2]}
    ).to_csv(tmp_path / "affinity_1k.csv", index=False)  # fmt: skip
    with pytest.raises(ValueError, match="'rgb2foo'"):
        tr.load_taskonomy_transfers("affinity", "1k", root=tmp_path)


def test_per_target_spearman_of_monotone_and_reversed_transforms(affinity):
    est, low, high, n = tr.per_target_spearman(affinity, np.log(affinity) * 3 + 1, n_boot=200)
    assert (est, low, high, n) == (pytest.approx(1.0), pytest.approx(1.0), pytest.approx(1.0), 18)
    est, low, high, n = tr.per_target_spearman(affinity, -affinity, n_boot=200)
    assert est == pytest.approx(-1.0) and n == 18


def test_per_target_spearman_interval_seed_self_and_constant_columns(affinity):
    rng = np.random.default_rng(0)
    noisy = affinity * np.exp(rng.normal(0, 2, affinity.shape))
    res = tr.per_target_spearman(affinity, noisy, n_boot=300, seed=3)
    est, low, high, n = res
    assert low <= est <= high and low < high and n == 18
    assert tr.per_target_spearman(affinity, noisy, n_boot=300, seed=3) == res
    assert tr.per_target_spearman(affinity, noisy, n_boot=300, seed=4)[1:3] != res[1:3]
    by_hand = [
        ss.spearmanr(affinity.drop(index=t)[t], noisy.drop(index=t)[t]).statistic for t in TARGETS
    ]
    assert est == pytest.approx(np.mean(by_hand))
    # only the diagonal differs: excluded, the ranks agree; included, they do not
    diag = affinity.copy()
    for t in TARGETS:
        diag.loc[t, t] = -1.0
    assert tr.per_target_spearman(affinity, diag, n_boot=50)[0] == pytest.approx(1.0)
    assert tr.per_target_spearman(affinity, diag, n_boot=50, exclude_self=False)[0] < 0.95
    # a constant target column has no correlation: dropped and not counted
    flat = affinity.copy()
    flat["normal"] = 0.5
    assert tr.per_target_spearman(affinity, flat, n_boot=50)[3] == 17
    # only shared targets and sources count
    sub = affinity.iloc[2:, :10]
    assert tr.per_target_spearman(affinity, sub, n_boot=50)[3] == 10


def test_ranking_spearman_and_comparison_row():
    idx = list(TASK_NAMES)
    a = pd.Series(np.arange(20.0), index=idx)
    shuffled = a.sample(frac=1, random_state=1)
    up = np.exp(shuffled / 5)
    assert tr.ranking_spearman(a, up, n_boot=200) == (
        pytest.approx(1.0), pytest.approx(1.0), pytest.approx(1.0), 20
    )  # fmt: skip
    rho, low, high, n = tr.ranking_spearman(a, -up.iloc[:12], n_boot=200)
    assert rho == pytest.approx(-1.0) and high == pytest.approx(-1.0) and n == 12
    rng = np.random.default_rng(0)
    b = pd.Series(a.to_numpy() + rng.normal(0, 8, 20), index=idx)
    res = tr.ranking_spearman(a, b, n_boot=500, seed=7)
    rho, low, high, n = res
    assert rho == pytest.approx(ss.spearmanr(a, b).statistic) and low <= rho <= high and n == 20
    assert tr.ranking_spearman(a, b, n_boot=500, seed=7) == res
    with pytest.raises(ValueError, match="need at least 3"):
        tr.ranking_spearman(a.iloc[:2], b)
    row = tr.comparison_row("ours vs Pascal", res)
    assert tuple(row) == tr.COMPARISON_COLUMNS
    assert row == {"comparison": "ours vs Pascal", "spearman": rho, "low": low, "high": high,
                   "n_targets": 20}  # fmt: skip


def test_real_taskonomy_comparisons_recover_a_known_structure():
    from rsa_utils.taskonomy_results import as_target_matrix, real_taskonomy_comparisons

    real = tr.load_taskonomy_transfers()
    tasks = list(real.index)
    sym = as_target_matrix(real, tasks).fillna(0.0)
    sym = (sym + sym.T) / 2  # a task x task matrix that carries the real structure
    noise = pd.DataFrame(
        np.random.default_rng(0).normal(size=sym.shape), index=tasks, columns=tasks
    )
    out = real_taskonomy_comparisons(real, rsa_similarity=sym, affinity=real, label_similarity=noise,
                                     n_boot=200, seed=0)  # fmt: skip
    assert list(out.index) == ["rsa", "affinity", "labels"]
    assert out.loc["affinity", "spearman"] == pytest.approx(1.0)  # the real frame against itself
    assert out.loc["affinity", "n_targets"] == 18
    assert out.loc["rsa", "spearman"] > out.loc["labels", "spearman"] + 0.3
    assert (out.low <= out.spearman).all() and (out.spearman <= out.high).all()
    m = as_target_matrix(real, tasks)
    assert (
        m.loc["colorization"].isna().all()
        and m.loc["normal", "reshading"] == real.loc["reshading", "normal"]
    )
