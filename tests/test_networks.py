"""The networks of the study: independent initial weights, the learning-rate schedule, replicates
and the noise ceiling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from rsa_utils import rsa, train, transfer
from rsa_utils.models import ARCHS
from rsa_utils.profiles import get_profile
from rsa_utils.task_models import ceiling_statistic, network_status, relative_quality
from rsa_utils.tasks import TASK_NAMES, get_task

P = get_profile("smoke")


def _encoder_tensors(model):
    return {k: v for k, v in model.encoder.state_dict().items() if v.is_floating_point() and v.numel() > 8
            and v.std() > 0}  # fmt: skip


def test_every_network_starts_from_its_own_weights():
    models = {(t, a): train.init_model(t, a, P, seed=0) for t in TASK_NAMES for a in ARCHS}
    for a in ARCHS:
        keys = _encoder_tensors(models[(TASK_NAMES[0], a)]).keys()
        assert keys
        for t1, t2 in itertools.combinations(TASK_NAMES, 2):
            e1, e2 = models[(t1, a)].encoder.state_dict(), models[(t2, a)].encoder.state_dict()
            shared = [k for k in keys if torch.equal(e1[k], e2[k])]
            assert not shared, f"{t1} and {t2} ({a}) share encoder tensors {shared[:3]}"
    # replicates, the target model's role and another study seed all change the weights
    base = train.init_model("normal", "small", P, seed=0)
    for other in (train.init_model("normal", "small", P, seed=0, replicate=1),
                  train.init_model("normal", "small", P, seed=0, role="target"),
                  train.init_model("normal", "small", P, seed=1)):  # fmt: skip
        assert not torch.equal(base.encoder[0][0].weight, other.encoder[0][0].weight)


def test_taskonomy_residual_branches_start_at_zero():
    """Every bottleneck's last BatchNorm scale starts at 0, so each block starts as its shortcut:
    with identity shortcuts a block's output is ReLU of its input (ZOO_VERSION 3)."""
    from torchvision.models.resnet import Bottleneck

    enc = train.init_model("normal", "taskonomy", P, seed=0).encoder
    blocks = [m for m in enc.modules() if isinstance(m, Bottleneck)]
    assert len(blocks) == 16  # ResNet-50: 3 + 4 + 6 + 3
    assert all(torch.count_nonzero(b.bn3.weight) == 0 for b in blocks)
    plain = next(b for b in blocks if b.downsample is None)
    x = torch.randn(2, plain.conv1.in_channels, 4, 4)
    plain.train()
    assert torch.equal(plain(x), torch.relu(x))


def test_same_arguments_give_bit_identical_weights():
    for t, a in (("normal", "taskonomy"), ("class_scene", "small")):
        s1 = train.init_model(t, a, P, seed=3, replicate=1).state_dict()
        s2 = train.init_model(t, a, P, seed=3, replicate=1).state_dict()
        assert all(torch.equal(s1[k], s2[k]) for k in s1)
    rng_before = torch.get_rng_state()
    train.init_model("normal", "small", P, seed=0)
    assert torch.equal(rng_before, torch.get_rng_state())  # global RNG untouched


def test_network_seeds_differ_by_role_and_parts():
    seeds = {train.network_seed(0, role, *parts) for role, parts in
             [("task", ("normal", "small", 0)), ("task", ("normal", "small", 1)),
              ("task", ("normal", "taskonomy", 0)), ("target", ("normal", "small", 0)),
              ("readout", ("normal", "depth_zbuffer")), ("readout", ("depth_zbuffer", "normal"))]}  # fmt: skip
    assert len(seeds) == 6
    assert all(0 <= s < 2**63 for s in seeds)


def test_readouts_of_two_sources_start_apart():
    z = torch.randn(8, 8, 2, 2)
    labels = {"normal": torch.rand(8, 3, 32, 32)}
    kw = dict(steps=0, batch_size=4, image_size=32, seed=0)
    heads = []
    for source in ("depth_zbuffer", "autoencoding"):
        torch.manual_seed(0)
        heads.append(transfer.seeded(train.network_seed(0, "readout", source, "normal"),
                                     lambda: transfer.Readout(get_task("normal"), 32)))  # fmt: skip
    w0, w1 = (h.transfer[0].weight for h in heads)
    assert not torch.equal(w0, w1)
    assert set(transfer.train_readouts(z, labels, z, labels, source="x", **kw)) == {"normal"}


def test_onecycle_schedule_warms_up_then_decays():
    m = torch.nn.Linear(2, 2)
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    sched = train.lr_scheduler(opt, 100, "onecycle", 0.15)
    lrs = []
    for _ in range(100):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[0] == pytest.approx(1e-2 / 25)
    assert max(lrs) == pytest.approx(1e-2, rel=1e-3) and int(np.argmax(lrs)) in (14, 15)
    assert lrs[-1] < 1e-4
    opt2 = torch.optim.Adam(m.parameters(), lr=1e-3)
    s2 = train.lr_scheduler(opt2, 10, "constant", 0.15)
    for _ in range(10):
        opt2.step()
        s2.step()
    assert opt2.param_groups[0]["lr"] == 1e-3
    with pytest.raises(ValueError, match="schedule"):
        train.lr_scheduler(opt2, 10, "cosine", 0.1)
    with pytest.raises(ValueError, match="schedule"):
        get_profile("smoke", schedule="cosine")
    with pytest.raises(ValueError, match="replicates"):
        get_profile("smoke", replicates=0)


def test_replicates_of_follow_the_profile():
    from rsa_utils.profiles import REPLICATE_ORDER
    from rsa_utils.tasks import S34_TASKS

    assert sorted(REPLICATE_ORDER) == sorted(TASK_NAMES)
    p = get_profile("smoke", replicates=2, replicate_tasks=3)
    assert [p.replicates_of(t) for t in REPLICATE_ORDER[:4]] == [2, 2, 2, 1]
    p = get_profile("smoke", replicates=3, replicate_tasks=17)
    assert {t for t in TASK_NAMES if p.replicates_of(t) == 3} == set(S34_TASKS)


def _noisy_rdms(n=30, seed=0):
    """Three 'tasks' with two replicates each: replicates share a task's structure plus noise."""
    g = np.random.default_rng(seed)
    base = [g.normal(size=(n, 5)) for _ in range(3)]
    feats = [b + 0.3 * g.normal(size=b.shape) for b in base] + [
        b + 0.3 * g.normal(size=b.shape) for b in base[:2]
    ]
    return torch.stack([rsa.rdm(f, as_numpy=False).double() for f in feats])


def test_precision_is_a_profile_choice_with_its_own_cache_keys():
    from rsa_utils import zoo
    from rsa_utils.nets.loop import autocast

    p = get_profile("smoke", "cpu")
    assert (p.precision, get_profile("gpu", "cpu").precision) == ("fp32", "bf16")
    bf16 = p.replace(precision="bf16")
    keys = {
        zoo.cache_key("model", zoo.model_key("normal", "small", q, 0, q.checkpoints))
        for q in (p, bf16)
    }
    assert len(keys) == 2
    with pytest.raises(ValueError, match="precision='fp16'.*'bf16', 'fp32'"):
        p.replace(precision="fp16")
    with pytest.raises(ValueError, match="allowed values"):
        autocast("cpu", "half")
    x = torch.randn(2, 3)
    w = torch.randn(3, 3)
    with autocast("cpu", "fp32"):
        assert (x @ w).dtype == torch.float32
    with autocast("cpu", "bf16"):
        assert (x @ w).dtype == torch.bfloat16


def test_noise_ceiling_statistic_finds_signal_and_its_absence():
    rdms = _noisy_rdms()
    tasks = ["a", "b", "c"]
    stat = ceiling_statistic(tasks, [0, 1, 2], {"a": 3, "b": 4})
    out = stat(rsa.upper_triangle(rdms))
    assert out.shape == (3, 6)
    assert out[0, 0] > out[0, 1] and out[1, 0] > out[1, 1]  # replicates agree more than tasks
    assert np.isnan(out[2, 0])  # no replicate: unknown
    assert np.isnan(out[0, 3]) and out[0, 1] == pytest.approx(np.nanmax(out[0, 3:]))
    np.testing.assert_array_equal(out[:, 2], out[:, 1])  # no twins: the two maxima agree
    # a 'replicate' that is another task's network carries no signal
    swapped = ceiling_statistic(tasks, [0, 1, 2], {"a": 4})(rsa.upper_triangle(rdms))
    assert swapped[0, 0] < swapped[0, 1] + 0.2


def test_noise_ceiling_statistic_leaves_label_twins_out_of_the_nontwin_maximum():
    rdms = _noisy_rdms()
    tasks = ["a", "b", "c"]
    v = rsa.upper_triangle(rdms)
    plain = ceiling_statistic(tasks, [0, 1, 2], {"a": 3, "b": 4})(v)
    twins = ceiling_statistic(tasks, [0, 1, 2], {"a": 3, "b": 4}, {"a": ["b"], "b": ["a"]})(v)
    np.testing.assert_array_equal(twins[:, :2], plain[:, :2])
    assert twins[0, 2] == pytest.approx(plain[0, 5])  # a's nearest non-twin is c
    assert twins[1, 2] == pytest.approx(plain[1, 5])
    assert twins[2, 2] == pytest.approx(plain[2, 1])  # c has no twin
    alone = ceiling_statistic(["a", "b"], [0, 1], {"a": 3}, {"a": ["b"], "b": ["a"]})(v)
    assert np.isnan(alone[:, 2]).all()  # every other task a twin: nothing to compare with


def test_signal_is_unknown_without_a_replicate_or_a_task_to_compare_with():
    import pandas as pd

    from rsa_utils.study.task_models import _above

    low = pd.Series([0.8, 0.3, np.nan, 0.8])
    other = pd.Series([0.5, 0.5, 0.5, np.nan])
    assert _above(low, other) == [True, False, None, None]


def test_label_twins_from_label_similarity():
    import pandas as pd

    from rsa_utils.study.label_rsa import TWIN_THRESHOLD, label_twins

    names = ["depth_zbuffer", "depth_euclidean", "normal"]
    sim = pd.DataFrame(
        [[1.0, 0.99, 0.6], [0.99, 1.0, 0.55], [0.6, 0.55, 1.0]], index=names, columns=names
    )
    assert label_twins(sim) == {"depth_zbuffer": ["depth_euclidean"], "depth_euclidean": ["depth_zbuffer"],
                                "normal": []}  # fmt: skip
    assert label_twins(sim, threshold=0.5)["normal"] == ["depth_zbuffer", "depth_euclidean"]
    assert 0.8 < TWIN_THRESHOLD < 1


def test_network_status_names_the_reason():
    import pandas as pd

    q = pd.DataFrame({"task": ["a", "b", "c", "d"], "arch": ["small"] * 4,
                      "beats_baseline": [True, False, True, True], "signal": [True, True, False, None]})  # fmt: skip
    st = network_status(q)
    assert list(st.why) == ["", "fails its baseline", "no signal", "signal unknown"]
    assert list(st.usable) == [True, False, False, True]


def test_relative_quality():
    assert relative_quality(0.5, 1.0, False) == pytest.approx(0.5)
    assert relative_quality(0.6, 0.2, True) == pytest.approx(0.5)
    assert relative_quality(1.2, 1.0, False) < 0


def test_parallel_run_returns_every_job_once():
    from rsa_utils import parallel

    jobs = [(i, i + 1) for i in range(5)]
    seq = dict(parallel.run(max, jobs, 1))
    par = dict(parallel.run(max, jobs, 2))
    assert seq == par == {j: j[1] for j in jobs}


def test_bootstrap_over_replicates_widens_intervals_and_averages_the_estimate():
    rdms = _noisy_rdms(n=40)
    stat = lambda v: rsa.similarity_matrix(v).to_numpy()[0, 1]  # noqa: E731
    pair = rdms[[0, 3]]  # task a and its replicate: they agree
    plain = rsa.bootstrap(pair, stat, n_boot=60, seed=0)
    g = np.random.default_rng(5)
    other = rsa.rdm(g.normal(size=(40, 5)), as_numpy=False).double()  # a replicate that disagrees
    with_other = rsa.bootstrap(torch.stack([pair[0], other]), stat, n_boot=2, seed=0).estimate
    both = rsa.bootstrap(pair, stat, n_boot=60, seed=0, replicates={1: other})
    assert (both.high - both.low) > (plain.high - plain.low)
    # the estimate does not rest on which replicate is listed first: it lies between the
    # statistic with either network, near their mean (each is drawn about half the time)
    lo, hi = sorted([plain.estimate, with_other])
    assert lo + 0.25 * (hi - lo) < both.estimate < hi - 0.25 * (hi - lo)
    same = rsa.bootstrap(pair, stat, n_boot=60, seed=0, replicates={1: rdms[3]})
    # an identical replicate changes nothing but which images the draws take
    assert same.estimate == pytest.approx(plain.estimate)
    assert abs((same.high - same.low) - (plain.high - plain.low)) < 0.1
