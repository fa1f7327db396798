"""Losses and metrics: values by hand, per-image reduction, mIoU from a confusion matrix, baselines."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from fakes import random_labels

from rsa_utils.losses import (
    baseline_metric,
    baseline_prediction,
    color_bin_centers,
    confusion_matrix,
    conv_at_pixels,
    fit_baseline,
    metric_loss,
    metric_loss_at_pixels,
    miou,
    soft_encode_ab,
    task_loss,
    task_metric,
    training_loss,
)
from rsa_utils.tasks import (
    N_COLOR_BINS,
    SOURCE_CLASS_SHARES,
    TARGET_TASK,
    TASK_NAMES,
    TASKS,
    balanced_class_weights,
    get_task,
)


def test_l1_l2_per_image():
    pred = torch.zeros(2, 1, 2, 2)
    target = torch.stack([torch.full((1, 2, 2), 1.0), torch.full((1, 2, 2), 2.0)])
    assert torch.allclose(
        task_loss("depth_zbuffer", pred, target, reduction="none"), torch.tensor([1.0, 2.0])
    )
    pred_v, target_v = pred.flatten(1)[:, :1].expand(2, 5), target.flatten(1)[:, :1].expand(2, 5)
    assert torch.allclose(
        task_loss("vanishing_point", pred_v, target_v, reduction="none"), torch.tensor([1.0, 4.0])
    )  # fmt: skip  (an L2 task)
    assert float(task_loss("depth_zbuffer", pred, target)) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="reduction"):
        task_loss("depth_zbuffer", pred, target, reduction="sum")


def test_colorization_soft_encoding():
    c = color_bin_centers()
    assert c.shape == (N_COLOR_BINS, 2)
    ab = c[7].view(1, 2, 1, 1).expand(1, 2, 3, 3)
    soft = soft_encode_ab(ab)
    assert soft.shape == (1, N_COLOR_BINS, 3, 3)
    assert torch.allclose(soft.sum(1), torch.ones(1, 3, 3))
    assert int(soft[0, :, 0, 0].argmax()) == 7
    # logits that put all mass on the soft target's mode beat uniform logits
    good = torch.log(soft.clamp_min(1e-6))
    assert task_loss("colorization", good, ab) < task_loss(
        "colorization", torch.zeros_like(good), ab
    )


def test_soft_encoding_is_the_gaussian_kernel_on_the_bins():
    """The separable computation equals the kernel on the squared distance to every bin centre."""
    ab = torch.rand(2, 2, 4, 5) * 2 - 1
    c = color_bin_centers()
    d2 = ((ab[:, None] - c[None, :, :, None, None]) ** 2).sum(2)  # (B, K, H, W)
    sigma = 1.0 / 6
    direct = torch.softmax(-d2 / (2 * sigma**2), dim=1)
    torch.testing.assert_close(soft_encode_ab(ab), direct, atol=1e-6, rtol=1e-5)


def test_cross_entropies():
    logits = torch.tensor([[0.0, 0.0], [10.0, -10.0]])
    assert float(task_loss("class_scene", torch.nn.functional.pad(logits, (0, 3), value=-1e9),
                           torch.tensor([0, 0]), reduction="none")[0]) == pytest.approx(math.log(2))  # fmt: skip
    soft = torch.tensor([[0.5, 0.5]])
    t = TASKS["class_object"]
    pred = torch.zeros(1, t.out_channels)
    target = torch.zeros(1, t.out_channels)
    target[0, :2] = soft
    assert float(task_loss(t, pred, target)) == pytest.approx(math.log(t.out_channels))
    # segment_semantic ignores 255
    seg = torch.tensor([[[1, 255]]])
    p = torch.zeros(1, 13, 1, 2)
    p[0, 1, 0, 0] = 50.0
    assert float(task_loss("segment_semantic", p, seg)) == pytest.approx(0.0, abs=1e-6)


def test_semantic_segmentation_weights_each_pixel_by_its_class():
    """A pixel's cross-entropy is multiplied by its class's weight (rare objects cost more than
    background); the weights are the inverse square roots of the classes' shares, with
    expected weight 1 per pixel."""
    t = get_task("segment_semantic")
    w = torch.tensor(t.class_weights)
    seg = torch.tensor([[[0, 7]]])  # background, then the rarest source class
    p = torch.zeros(1, t.out_channels, 1, 2)  # uniform prediction: CE log(C) at both pixels
    per_pixel = math.log(t.out_channels)
    expected = (w[0] + w[7]) / 2 * per_pixel
    assert float(task_loss(t, p, seg)) == pytest.approx(float(expected), rel=1e-5)
    assert w[7] > 10 * w[0]
    shares = torch.tensor(SOURCE_CLASS_SHARES, dtype=torch.float64)
    assert float((w.double() * shares).sum()) == pytest.approx(1.0, abs=1e-4)
    ratio = w.double() * shares.sqrt()  # constant for w ∝ shares^-1/2
    assert float(ratio.max() / ratio.min()) == pytest.approx(1.0, abs=1e-4)
    assert balanced_class_weights([0.5, 0.5]) == (1.0, 1.0)
    with pytest.raises(ValueError, match="positive"):
        balanced_class_weights([1.0, 0.0])
    assert (
        TARGET_TASK.class_weights is not None
        and len(TARGET_TASK.class_weights) == TARGET_TASK.out_channels
    )
    # the other cross-entropy task stays unweighted
    assert get_task("class_scene").class_weights is None


def test_metric_loss_formula():
    # two segments, embeddings far apart across segments and equal within: loss ~ 0
    seg = torch.zeros(1, 4, 4, dtype=torch.long)
    seg[:, :, 2:] = 1
    emb = torch.zeros(1, 2, 4, 4)
    emb[:, 0, :, 2:] = 20.0
    assert float(metric_loss(emb, seg)) < 1e-4
    # all embeddings equal: same pairs cost 0, different pairs -log(eps); scales with their share
    flat = torch.zeros(1, 2, 4, 4)
    assert float(metric_loss(flat, seg)) > 5
    # hand-computed on one pair type: d = 1 for every different pair
    emb2 = torch.zeros(1, 1, 4, 4)
    emb2[:, 0, :, 2:] = 1.0
    sig = 2 / (1 + math.e)
    loss = float(metric_loss(emb2, seg, n_pairs=20000))
    assert -math.log(1 - sig) * 0.3 < loss < -math.log(1 - sig) * 0.7  # about half the pairs differ


@pytest.mark.parametrize("k", [1, 3])
def test_metric_loss_at_pixels_equals_the_loss_of_the_full_map(k):
    """Same pairs, same loss, same gradients as metric_loss of the whole embedding map."""
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(4, 16, k, padding=k // 2)
    h = torch.randn(3, 4, 9, 7).contiguous(memory_format=torch.channels_last).requires_grad_()
    seg = torch.randint(0, 4, (3, 9, 7))
    full = metric_loss(conv(h), seg, n_pairs=50, generator=torch.Generator().manual_seed(5))
    g_full = torch.autograd.grad(full.sum(), [h, conv.weight, conv.bias])
    part = metric_loss_at_pixels(
        h, conv, seg, n_pairs=50, generator=torch.Generator().manual_seed(5)
    )
    g_part = torch.autograd.grad(part.sum(), [h, conv.weight, conv.bias])
    torch.testing.assert_close(part, full, rtol=1e-5, atol=1e-5)
    for a, b in zip(g_part, g_full, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    # conv_at_pixels is the convolution at those pixels (corners included)
    pix = torch.tensor([[0, 6, 56, 62], [3, 10, 20, 30], [1, 2, 3, 4]])
    torch.testing.assert_close(
        conv_at_pixels(h, conv, pix), conv(h).flatten(2).gather(2, pix[:, None].expand(3, 16, 4))
    )
    with pytest.raises(ValueError, match="stride-1"):
        conv_at_pixels(h, torch.nn.Conv2d(4, 2, 3, stride=2, padding=1), pix)


def test_training_loss_takes_the_metric_shortcut_only_where_it_applies():
    from rsa_utils.nets.models import build_model

    for name, arch in itertools.product(
        ("segment_unsup2d", "normal", "class_scene"), ("small", "taskonomy")
    ):
        m = build_model(name, arch, image_size=32, width=8)
        x = torch.rand(2, 3, 32, 32)
        t = get_task(name)
        y = {"segments": torch.randint(0, 3, (2, 32, 32)), "class": torch.tensor([0, 1])}.get(
            t.target, torch.rand(2, t.out_channels, 32, 32)
        )
        a = training_loss(
            name, m.decoder, m.encode(x), y, generator=torch.Generator().manual_seed(1)
        )
        b = task_loss(name, m(x), y, generator=torch.Generator().manual_seed(1))
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_none_reduction_shapes_for_every_task():
    g = torch.Generator().manual_seed(0)
    for name in TASK_NAMES:
        t = TASKS[name]
        target = random_labels(t, 3, 16, g)
        pred = torch.randn(3, t.out_channels, 16, 16) if t.dense else torch.randn(3, t.out_channels)
        assert task_loss(t, pred, target, reduction="none").shape == (3,)
        m = task_metric(t, pred, target)
        assert m.shape == (3,) and torch.isfinite(m).all()


def test_miou_hand_computed():
    target = torch.tensor([0, 0, 1, 1, 2, 255])
    pred = torch.tensor([0, 1, 1, 1, 0, 2])
    conf = confusion_matrix(pred, target, 3)
    assert conf.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    # IoU: class0 1/(2+2-1)=1/3, class1 2/(2+3-2)=2/3, class2 0/(1+0-0)=0
    assert miou(pred, target, 3) == pytest.approx((1 / 3 + 2 / 3 + 0) / 3)
    assert miou(target.clamp(max=2), torch.tensor([0, 0, 1, 1, 2, 255]), 3) == pytest.approx(1.0)
    # the ignore label is ignored whatever is predicted there
    assert miou(torch.tensor([0, 1, 2, 0]), torch.tensor([0, 1, 2, 255]), 3) == pytest.approx(1.0)


def test_baselines():
    t = TASKS["class_scene"]
    fitted = fit_baseline(t, torch.tensor([1, 1, 2, 1, 0]))
    pred = baseline_prediction(fitted, 3)
    assert task_metric(t, pred, torch.tensor([1, 2, 1])).tolist() == [1.0, 0.0, 1.0]
    d = TASKS["depth_zbuffer"]
    # L1: the median (the best constant under L1), not the mean 2/3
    fitted = fit_baseline(
        d, torch.stack([torch.zeros(1, 2, 2), torch.ones(1, 2, 2), torch.ones(1, 2, 2)])
    )
    assert torch.allclose(fitted, torch.ones(1, 2, 2))
    # L2: the mean
    r = TASKS["room_layout"]
    assert torch.allclose(
        fit_baseline(r, torch.tensor([[0.0] * 9, [1.0] * 9, [1.0] * 9])), torch.full((9,), 2 / 3)
    )
    for name in TASK_NAMES:
        tt = TASKS[name]
        target = random_labels(tt, 4, 16, torch.Generator().manual_seed(1))
        score = baseline_metric(tt, fit_baseline(tt, target), target)
        assert score.shape == (4,) and torch.isfinite(score).all()


def test_no_constant_beats_the_baseline_of_a_sparse_map():
    """On a sparse map under L1 (mostly one value, as occlusion edges are) the baseline is the best constant:
    neither the median nor the mean prediction scores better than it on held-out targets of
    the same distribution, while the mean image would leave error that the median removes."""
    g = torch.Generator().manual_seed(0)
    t = TASKS["edge_occlusion"]
    assert t.loss == t.metric == "l1"

    def sparse(n):
        y = torch.full((n, 1, 8, 8), 0.5)
        lines = torch.rand(n, 1, 8, 8, generator=g) < 0.15
        return torch.where(lines, torch.rand(n, 1, 8, 8, generator=g), y)

    train, test = sparse(256), sparse(256)
    base = float(
        task_metric(t, baseline_prediction(fit_baseline(t, train), len(test)), test).mean()
    )
    for const in (train.median(0).values, train.mean(0)):
        score = float(task_metric(t, baseline_prediction(const, len(test)), test).mean())
        assert score >= base - 1e-6
    mean_score = float(task_metric(t, baseline_prediction(train.mean(0), len(test)), test).mean())
    assert 1 - base / mean_score > 0.1  # the mean would credit a constant with > 10 % of "learning"


def test_segmentation_baseline_is_the_pair_entropy():
    """The metric-loss baseline predicts sigma = q, the training same-segment rate: on held-out
    images with same-segment rate r its loss is the cross-entropy -(r log q + (1 - r) log(1 - q)),
    below the all-equal embedding's loss (sigma = 1 everywhere) and above a perfect one's."""
    seg = torch.zeros(8, 16, 16, dtype=torch.long)
    seg[:, :, 12:] = 1  # a quarter strip: same-segment rate 0.75^2 + 0.25^2 = 0.625
    t = TASKS["segment_unsup2d"]
    q = fit_baseline(t, seg)
    assert abs(float(q) - 0.625) < 0.03

    def ce(r):
        return -(r * math.log(float(q)) + (1 - r) * math.log(1 - float(q)))

    loss = baseline_metric(t, q, seg)
    assert torch.allclose(loss, torch.full((8,), ce(0.625)), atol=0.03)
    assert abs(float(loss.mean()) - ce(0.375)) > 0.05  # same and different not swapped
    halves = torch.zeros(8, 16, 16, dtype=torch.long)
    halves[:, :, 8:] = 1  # held-out rate 0.5, unlike the fitted q
    assert torch.allclose(baseline_metric(t, q, halves), torch.full((8,), ce(0.5)), atol=0.03)
    constant = metric_loss(torch.zeros(8, 4, 16, 16), seg)
    assert (constant > 3 * loss).all()
    perfect = metric_loss(seg[:, None].float().expand(8, 4, 16, 16) * 20, seg)
    assert (perfect < 0.1 * loss).all()


def test_colorization_metric_is_the_removable_part_of_its_loss():
    """The held-out metric is KL = soft CE - the soft targets' entropy: 0 for the soft targets
    themselves (where the CE is the entropy, over 1 nat), positive for any other prediction."""
    ab = torch.rand(3, 2, 4, 4) * 1.6 - 0.8
    soft = soft_encode_ab(ab)
    perfect = soft.clamp_min(1e-12).log()
    assert task_metric("colorization", perfect, ab) == pytest.approx(torch.zeros(3), abs=1e-5)
    entropy = -(soft * soft.clamp_min(1e-12).log()).sum(1).flatten(1).mean(1)
    assert (entropy > 1.0).all()
    ce_perfect = task_loss("colorization", perfect, ab, reduction="none")
    assert torch.allclose(ce_perfect, entropy, atol=1e-5)
    flat = torch.zeros(3, N_COLOR_BINS, 4, 4)
    kl = task_metric("colorization", flat, ab)
    ce = task_loss("colorization", flat, ab, reduction="none")
    assert (kl > 0).all() and torch.allclose(kl, ce - entropy, atol=1e-5)
