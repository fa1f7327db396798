"""Training losses, held-out metrics and trivial baselines, read off the task registry.

Every function dispatches on the registry's fields (:class:`rsa_utils.tasks.Task`): ``loss``
(``l1`` | ``l2`` | ``soft_ce`` | ``ce`` | ``metric``), ``target`` (label format, see
:mod:`rsa_utils.tasks`) and ``metric``. Predictions are what :mod:`rsa_utils.models` returns:
(B, n, H, W) for dense tasks, (B, n) otherwise.

* ``l1`` / ``l2``: mean absolute / squared error over channels and pixels.
* ``soft_ce``: colorization soft-encodes the ab target (B, 2, H, W) onto the
  :data:`~rsa_utils.tasks.N_COLOR_BINS` grid with a Gaussian kernel (sigma = half a bin, as
  Zhang et al.'s 5 / 10 ab units), then per-pixel cross-entropy with the logits; class_object
  uses its (B, C) soft targets directly.
* ``ce``: class_scene (B,) labels; segment_semantic (B, H, W) labels with ignore index 255,
  each pixel weighted by its class's weight (``Task.class_weights``: inverse square root of the
  class's pixel share, :func:`rsa_utils.tasks.balanced_class_weights`), averaged over the
  image's pixels.
* ``metric``: Taskonomy's pixel-pair loss for the unsupervised segmentations: M pixel pairs
  (i, j) are sampled per image, each gets d = ||e_i - e_j||^2 clipped to [0, 80],
  sigma = 2 / (1 + exp(d)) and loss = -mean(same log sigma + (1 - same) log(1 - sigma)).

``reduction="none"`` returns one loss per image, shape (B,) (for Taskonomy-style win rates).
Randomness (the pixel pairs) comes only from the ``generator`` argument; without one a fixed
generator (seed 0) is used, so metrics are deterministic.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from rsa_utils.world.tasks import COLOR_BINS_PER_AXIS, IGNORE_INDEX, Task, get_task

#: Pixel pairs sampled per image for the metric loss.
METRIC_PAIRS = 1024
#: Clip of the squared embedding distance in the metric loss (Taskonomy: 80).
METRIC_D_MAX = 80.0
_EPS = 1e-6


def _task(task: Task | str) -> Task:
    return get_task(task) if isinstance(task, str) else task


def _reduce(per_image: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return per_image.mean()
    if reduction == "none":
        return per_image
    raise ValueError(f"reduction={reduction!r} is not allowed; allowed: 'mean', 'none'")


def _axis_centers(device, dtype) -> torch.Tensor:
    """Centres of the ab bins along one axis of [-1, 1]: (COLOR_BINS_PER_AXIS,)."""
    step = 2.0 / COLOR_BINS_PER_AXIS
    return -1 + step / 2 + step * torch.arange(COLOR_BINS_PER_AXIS, device=device, dtype=dtype)


def color_bin_centers(device: torch.device | str = "cpu") -> torch.Tensor:
    """Centres of the K = 6 x 6 ab bins over [-1, 1]^2 (ab / 128), shape (K, 2) as (a, b)."""
    c = _axis_centers(device, torch.float32)
    a, b = torch.meshgrid(c, c, indexing="ij")
    return torch.stack([a.reshape(-1), b.reshape(-1)], dim=1)


def soft_encode_ab(ab: torch.Tensor, sigma: float | None = None) -> torch.Tensor:
    """Soft-encode ab (B, 2, H, W) in [-1, 1] onto the bins: (B, K, H, W), summing to 1 per pixel.

    Gaussian kernel on the distance to each bin centre; ``sigma`` defaults to half a bin width.
    The kernel on the square grid is separable, so it is the outer product of a softmax over
    the a-centres and one over the b-centres (bin k = 6 i_a + i_b, as :func:`color_bin_centers`).
    """
    sigma = sigma if sigma is not None else 1.0 / COLOR_BINS_PER_AXIS
    c = _axis_centers(ab.device, ab.dtype)[None, :, None, None]
    pa = torch.softmax(-((ab[:, 0:1] - c) ** 2) / (2 * sigma**2), dim=1)  # (B, 6, H, W)
    pb = torch.softmax(-((ab[:, 1:2] - c) ** 2) / (2 * sigma**2), dim=1)
    return (pa[:, :, None] * pb[:, None, :]).flatten(1, 2)


def _soft_ce(logits: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
    """Per-image soft cross-entropy, class axis 1, averaged over pixels: (B,)."""
    ce = -(soft * F.log_softmax(logits.float(), dim=1)).sum(1)
    return ce.flatten(1).mean(1) if ce.dim() > 1 else ce


def _soft_kl(logits: torch.Tensor, soft: torch.Tensor) -> torch.Tensor:
    """Per-image KL(soft || softmax(logits)), averaged over pixels: (B,). The soft
    cross-entropy minus the soft targets' own entropy, so 0 is a perfect prediction."""
    entropy = -(soft * soft.clamp_min(1e-12).log()).sum(1)
    entropy = entropy.flatten(1).mean(1) if entropy.dim() > 1 else entropy
    return _soft_ce(logits, soft) - entropy


def _soft_target(t: Task, target: torch.Tensor) -> torch.Tensor:
    """The distribution a soft-CE task is trained towards: colorization's ab soft-encoded onto
    its bins (B, K, H, W), class_object's (B, C) soft labels as they are."""
    return soft_encode_ab(target) if t.target == "ab" else target


def _pixel_pairs(segments: torch.Tensor, n_pairs: int, generator, device):
    """``n_pairs`` uniform pixel pairs per image of segments (B, H, W): indices (2, B, M), whether
    each pair lies in one segment (B, M) float, and whether its two pixels differ (B, M) float."""
    b, h, w = segments.shape
    gen = generator if generator is not None else torch.Generator().manual_seed(0)
    ij = torch.randint(0, h * w, (2, b, n_pairs), generator=gen).to(device)
    seg = segments.to(device).flatten(1)
    same = (seg.gather(1, ij[0]) == seg.gather(1, ij[1])).float()
    return ij, same, (ij[0] != ij[1]).float()


def _pair_loss(d: torch.Tensor, same: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """The pixel-pair loss per image from squared distances d (B, M), clipped to [0, 80]: (B,)."""
    d = d.clamp(0, METRIC_D_MAX)
    log_sigma = math.log(2.0) - F.softplus(d)  # log(2 / (1 + e^d))
    log_1m_sigma = torch.log(torch.tanh(d / 2).clamp_min(_EPS))  # 1 - sigma = tanh(d / 2)
    ll = same * log_sigma + (1 - same) * log_1m_sigma
    return -(ll * valid).sum(1) / valid.sum(1).clamp_min(1)


def metric_loss(
    emb: torch.Tensor,
    segments: torch.Tensor,
    n_pairs: int = METRIC_PAIRS,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Taskonomy's pixel-pair segmentation loss per image: emb (B, D, H, W), segments (B, H, W) -> (B,).

    ``n_pairs`` pixel pairs (i, j) are drawn uniformly per image from ``generator``; pairs with
    i == j are left out. d = ||e_i - e_j||^2 is computed from the differences (not from
    ||e_i||^2 + ||e_j||^2 - 2 e_i.e_j, whose cancellation makes d -- and the 1/d gradient of
    log(1 - sigma) -- noisy for nearby embeddings).
    """
    b, d_, h, w = emb.shape
    ij, same, valid = _pixel_pairs(segments, n_pairs, generator, emb.device)
    flat = emb.float().permute(0, 2, 3, 1).reshape(b, h * w, d_)  # a view for channels_last
    rows = torch.arange(b, device=emb.device)[:, None]
    return _pair_loss((flat[rows, ij[0]] - flat[rows, ij[1]]).pow(2).sum(2), same, valid)


def conv_at_pixels(h: torch.Tensor, conv: torch.nn.Conv2d, pixels: torch.Tensor) -> torch.Tensor:
    """``conv(h)`` at some pixels only: h (B, C, H, W), pixels (B, M) flat indices y * W + x ->
    (B, n, M). For a stride-1, "same"-padded (zeros) square convolution, as the last layer of
    every dense decoder; the patches are gathered from the padded input, so gradients reach
    ``h`` and ``conv`` exactly as through the full map."""
    k, p = conv.kernel_size[0], conv.padding[0]
    if (conv.kernel_size != (k, k) or conv.stride != (1, 1) or conv.dilation != (1, 1) or conv.groups != 1
            or conv.padding != (p, p) or 2 * p != k - 1 or conv.padding_mode != "zeros"):  # fmt: skip
        raise ValueError(
            f"conv_at_pixels needs a stride-1 'same'-padded square convolution, got {conv}"
        )
    b, c, _, w = h.shape
    wp = w + 2 * p
    hp = F.pad(h.contiguous(), (p, p, p, p)).flatten(2)  # (B, C, (H + 2p)(W + 2p))
    corner = (pixels // w) * wp + pixels % w  # the patch's top-left in the padded map
    offsets = (
        torch.arange(k, device=h.device)[:, None] * wp + torch.arange(k, device=h.device)
    ).reshape(-1)
    idx = (corner[:, None, :] + offsets[None, :, None]).reshape(b, 1, -1).expand(b, c, -1)
    patches = hp.gather(2, idx).reshape(b, c * k * k, -1)  # (B, C k k, M), the weight's order
    m = patches.shape[2]
    # one matrix product over all images: (n, C k k) @ (C k k, B M)
    out = conv.weight.reshape(conv.out_channels, -1) @ patches.transpose(0, 1).reshape(
        c * k * k, b * m
    )
    out = out.reshape(-1, b, m).transpose(0, 1)
    return out if conv.bias is None else out + conv.bias[None, :, None]


def metric_loss_at_pixels(
    h: torch.Tensor,
    head: torch.nn.Conv2d,
    segments: torch.Tensor,
    n_pairs: int = METRIC_PAIRS,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """:func:`metric_loss` of ``head(h)`` (B,), computing the embeddings only at the sampled
    pixel pairs (:func:`conv_at_pixels`): the same pairs and the same loss, without the
    (B, 64, H, W) map and its gradient (benchmarks/losses.md)."""
    ij, same, valid = _pixel_pairs(segments, n_pairs, generator, h.device)
    emb = conv_at_pixels(h, head, torch.cat([ij[0], ij[1]], 1)).float()  # (B, D, 2M)
    return _pair_loss((emb[..., :n_pairs] - emb[..., n_pairs:]).pow(2).sum(1), same, valid)


def training_loss(
    task: Task | str,
    decoder: torch.nn.Module,
    z: torch.Tensor,
    target: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """The mean training loss of ``decoder``'s prediction from ``z`` (a representation or a
    decoder's input): :func:`task_loss`, except that a metric-loss task whose decoder is an
    ``nn.Sequential`` ending in a convolution gets :func:`metric_loss_at_pixels` (equal, faster)."""
    t = _task(task)
    if (
        t.loss == "metric"
        and isinstance(decoder, torch.nn.Sequential)
        and isinstance(decoder[-1], torch.nn.Conv2d)
    ):
        *body, head = decoder.children()
        for layer in body:
            z = layer(z)
        return metric_loss_at_pixels(z, head, target, generator=generator).mean()
    return task_loss(t, decoder(z), target, generator=generator)


def class_weight_tensor(
    task: Task | str, device: torch.device | str = "cpu"
) -> torch.Tensor | None:
    """The task's per-class cross-entropy weights (C,) float32 on ``device``, or None (plain CE)."""
    w = _task(task).class_weights
    return None if w is None else torch.tensor(w, dtype=torch.float32, device=device)


def task_loss(
    task: Task | str,
    pred: torch.Tensor,
    target: torch.Tensor,
    reduction: str = "mean",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """The training loss of ``task``: a scalar (``"mean"``) or per-image losses (B,) (``"none"``)."""
    t = _task(task)
    pred = pred.float()
    if t.loss in ("l1", "l2"):
        err = (pred - target).abs() if t.loss == "l1" else (pred - target) ** 2
        per = err.flatten(1).mean(1)
    elif t.loss == "soft_ce":
        per = _soft_ce(pred, _soft_target(t, target))
    elif t.loss == "ce":
        if t.target == "dense_class":
            ce = F.cross_entropy(pred, target, weight=class_weight_tensor(t, pred.device),
                                 ignore_index=IGNORE_INDEX, reduction="none")  # fmt: skip
            valid = (target != IGNORE_INDEX).flatten(1).sum(1).clamp_min(1)
            per = ce.flatten(1).sum(1) / valid
        else:
            per = F.cross_entropy(pred, target, reduction="none")
    elif t.loss == "metric":
        per = metric_loss(pred, target, generator=generator)
    else:
        raise AssertionError(t.loss)
    return _reduce(per, reduction)


def higher_is_better(task: Task | str) -> bool:
    """Whether the held-out metric of ``task`` improves upwards (accuracy, mIoU) or downwards."""
    return _task(task).metric in ("accuracy", "miou")


def confusion_matrix(
    pred_labels: torch.Tensor,
    target: torch.Tensor,
    n_classes: int,
    ignore_index: int = IGNORE_INDEX,
) -> torch.Tensor:
    """Confusion counts (n_classes, n_classes), rows = target class, columns = predicted class."""
    valid = target != ignore_index
    t, p = target[valid].long(), pred_labels[valid].long()
    return torch.bincount(t * n_classes + p, minlength=n_classes**2).reshape(n_classes, n_classes)


def miou_from_confusion(conf: torch.Tensor) -> float:
    """Mean IoU over the classes present in target or prediction (absent classes are skipped)."""
    conf = conf.double()
    inter = conf.diag()
    union = conf.sum(0) + conf.sum(1) - inter
    present = union > 0
    return float((inter[present] / union[present]).mean()) if present.any() else float("nan")


def miou(
    pred_labels: torch.Tensor,
    target: torch.Tensor,
    n_classes: int,
    ignore_index: int = IGNORE_INDEX,
) -> float:
    """Mean intersection over union of label maps (any shape), pixels equal to ``ignore_index`` ignored."""
    return miou_from_confusion(confusion_matrix(pred_labels, target, n_classes, ignore_index))


def task_metric(
    task: Task | str,
    pred: torch.Tensor,
    target: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """The held-out quality of each image, shape (B,) (direction: :func:`higher_is_better`).

    ``l1`` / ``l2`` / ``soft_ce`` / ``metric``: the per-image loss; ``soft_kl`` (colorization):
    the soft cross-entropy less the soft targets' own entropy, i.e. the part of the loss a
    prediction can remove (about 1.5 of the baseline's 1.7 nats are that entropy); ``accuracy``: 1 if the
    argmax of the prediction equals the (arg-max of the) target; ``miou``: the image's mean IoU
    over the classes present in its target or prediction (dataset mIoU: :func:`miou`).
    """
    t = _task(task)
    pred = pred.float()
    if t.metric in ("l1", "l2", "soft_ce", "metric"):
        return task_loss(t, pred, target, reduction="none", generator=generator)
    if t.metric == "soft_kl":
        return _soft_kl(pred, _soft_target(t, target))
    if t.metric == "accuracy":
        truth = target.argmax(1) if target.dim() == 2 else target
        return (pred.argmax(1) == truth).float()
    if t.metric == "miou":
        labels = pred.argmax(1)
        return torch.tensor(
            [miou(labels[i], target[i], t.out_channels) for i in range(len(labels))],
            dtype=torch.float32,
        )
    raise AssertionError(t.metric)


# --- trivial baselines (the quality gate: a trained model must beat these) ---------------------


def fit_baseline(task: Task | str, targets: torch.Tensor) -> torch.Tensor:
    """A constant prediction for one image, fitted on training targets (N, ...).

    The best constant under each task's loss, as Taskonomy's blind guess: per pixel and channel,
    the median target for L1 tasks (a mean would leave error that a constant removes: on sparse
    maps such as occlusion edges the median alone removes much of the mean's error) and the
    mean target for L2 tasks; the log of the mean soft distribution for soft-CE tasks; the
    majority class as one-hot logits for CE tasks (segment_semantic: the majority class at every
    pixel). Shape: that of ``model(x)[0]``.
    For the metric-loss tasks no embedding is constant and informative (equal embeddings give
    sigma = 1 for every pair), so the baseline is the pair probability itself: the fraction q of
    training pixel pairs that lie in one segment, a 0-dim tensor (see :func:`baseline_metric`).
    """
    t = _task(task)
    targets = targets.cpu()
    n = t.out_channels
    if t.loss == "l1":
        return targets.float().median(0).values
    if t.loss == "l2":
        return targets.float().mean(0)
    if t.loss == "soft_ce":
        return _soft_target(t, targets.float()).mean(0).clamp_min(1e-6).log()
    if t.loss == "ce":
        valid = targets[targets != IGNORE_INDEX]
        major = int(torch.bincount(valid.flatten(), minlength=n).argmax())
        logits = torch.full((n,), -10.0)
        logits[major] = 10.0
        if t.target == "dense_class":
            return logits[:, None, None].expand(n, *targets.shape[1:]).clone()
        return logits
    if t.loss == "metric":
        _, same, valid = _pixel_pairs(targets, METRIC_PAIRS, None, "cpu")
        return ((same * valid).sum() / valid.sum()).clamp(_EPS, 1 - _EPS)
    raise AssertionError(t.loss)


def baseline_prediction(
    fitted: torch.Tensor, batch_size: int, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """The fitted constant prediction repeated for a batch: (B, ...)."""
    return fitted.to(device)[None].expand(batch_size, *fitted.shape)


def baseline_metric(
    task: Task | str,
    fitted: torch.Tensor,
    target: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """The held-out metric of the fitted baseline on each image of ``target``: (B,).

    Metric-loss tasks: the pair loss of predicting sigma = q for every pixel pair,
    -mean(same log q + (1 - same) log(1 - q)) over pixel pairs drawn as :func:`metric_loss`
    draws them (uniformly, ``generator``; not necessarily the very pairs a model was scored on);
    other tasks: :func:`task_metric` of the constant prediction.
    """
    t = _task(task)
    if t.loss == "metric":
        _, same, valid = _pixel_pairs(target, METRIC_PAIRS, generator, "cpu")
        q = float(fitted)
        ll = same * math.log(q) + (1 - same) * math.log(1 - q)
        return -(ll * valid).sum(1) / valid.sum(1).clamp_min(1)
    return task_metric(t, baseline_prediction(fitted, len(target)), target, generator=generator)
