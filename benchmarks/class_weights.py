"""Semantic segmentation under class-weighted cross-entropy: one network per call.

Usage::

    python benchmarks/class_weights.py source ARCH WEIGHTING REPLICATE [--cache-dir .cache]
    python benchmarks/class_weights.py target INIT WEIGHTING [--cache-dir .cache]

``source`` trains replicate ``REPLICATE`` of the source task ``segment_semantic`` on the ``cpu``
profile's data and recipe (the book's network seed, step seed and batches) and prints its
held-out dataset mIoU and relative quality over the majority-class baseline. ``target``
fine-tunes S3.4's segmentation network on the target domain from ``INIT`` (a source task's
cached Taskonomy-architecture encoder, or ``scratch``) with the book's steps, seed and one-cycle
schedule, and prints its mIoU on the profile's 128 target test images.

``WEIGHTING`` is the per-class weight of the pixel cross-entropy, from the class frequencies f_c
of the training labels (pixel shares): ``none`` (the book), ``inv_sqrt`` (w_c ∝ f_c^-1/2) or
``median`` (median-frequency balancing, w_c = median(f) / f_c, as SegNet); weights are
normalised so that a pixel's expected weight is 1 (the book's loss is ``inv_sqrt`` with fixed
shares, :func:`rsa_utils.tasks.balanced_class_weights`). One JSON line per call; run two at a time
(``xargs -P2``), one thread each. ``class_weights.json`` keeps the lines behind
``class_weights.md``.
"""

from __future__ import annotations

import argparse
import json
import time

import torch

WEIGHTINGS = ("none", "inv_sqrt", "median")


def class_weights(freq: torch.Tensor, weighting: str) -> torch.Tensor | None:
    """Per-class weights (C,) from pixel shares ``freq`` (C,), mean weight per pixel 1; absent
    classes get weight 0; ``none`` gives None."""
    if weighting == "none":
        return None
    present = freq > 0
    w = torch.zeros_like(freq)
    if weighting == "inv_sqrt":
        w[present] = freq[present].rsqrt()
    elif weighting == "median":
        w[present] = freq[present].median() / freq[present]
    else:
        raise ValueError(f"weighting={weighting!r}; allowed: {WEIGHTINGS}")
    return w / (w * freq).sum()


def frequencies(labels: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Pixel share of each class (C,) in label maps (N, H, W), ignored pixels left out."""
    valid = labels[labels < n_classes]
    return torch.bincount(valid.flatten(), minlength=n_classes).double().div(valid.numel()).float()


def run_source(arch: str, weighting: str, replicate: int, cache_dir: str) -> dict:
    import torch.nn.functional as F

    from rsa_utils.nets import losses, zoo
    from rsa_utils.nets.train import load_source_data, task_baseline, train_task_model
    from rsa_utils.study.profiles import get_profile
    from rsa_utils.study.task_models import relative_quality
    from rsa_utils.world.tasks import IGNORE_INDEX, get_task

    p, t = get_profile("cpu"), get_task("segment_semantic")
    kw = dict(image_size=p.image_size, seed=0, cache_dir=cache_dir, device="cpu", tasks=[t.name])
    train = load_source_data("train", p.n_train, **kw)
    labels = train.batch(list(range(len(train))), "cpu")[1][t.name]
    w = class_weights(frequencies(labels, t.out_channels), weighting)
    book_loss = losses.task_loss

    def weighted(task, pred, target, reduction="mean", generator=None):
        if losses._task(task).name != t.name:
            return book_loss(task, pred, target, reduction, generator)
        ce = F.cross_entropy(pred.float(), target, weight=w, ignore_index=IGNORE_INDEX,
                             reduction="none")  # fmt: skip
        valid = (target != IGNORE_INDEX).flatten(1).sum(1).clamp_min(1)
        return losses._reduce(ce.flatten(1).sum(1) / valid, reduction)

    losses.task_loss = weighted  # the weighting asked for, whatever the book's loss is
    try:
        _, rec = train_task_model(t, arch, p, seed=0, cache_dir=cache_dir, replicate=replicate,
                                  show_progress=False)  # fmt: skip
    finally:
        losses.task_loss = book_loss  # scoring uses the book's metric
    base = task_baseline(t, p, seed=0, cache_dir=cache_dir)
    ev, seconds = {"metric": rec["metric"]}, rec["seconds"]
    book = zoo.get_record(t.name, arch, p, seed=0, cache_dir=cache_dir, replicate=replicate)
    return {"mode": "source", "arch": arch, "weighting": weighting, "replicate": replicate,
            "miou": round(100 * ev["metric"], 2), "book_miou": round(100 * book["metric"], 2),
            "baseline_miou": round(100 * base, 2),
            "relative_quality": round(relative_quality(ev["metric"], base, True), 4),
            "seconds": round(seconds, 1)}  # fmt: skip


def run_target(init: str, weighting: str, cache_dir: str) -> dict:
    import torch.nn.functional as F

    from rsa_utils.data.datasets import target_data
    from rsa_utils.nets import transfer, zoo
    from rsa_utils.nets.losses import miou_from_confusion
    from rsa_utils.nets.seeds import network_seed, seeded
    from rsa_utils.study.profiles import get_profile
    from rsa_utils.world.tasks import N_TARGET_CLASSES

    p = get_profile("cpu")
    net = seeded(
        network_seed(0, "finetune", init), lambda: transfer.SegmentationNet(p.resnet_width)
    )
    if init != "scratch":
        src = zoo.get_model(init, "taskonomy", p, seed=0, cache_dir=cache_dir, show_progress=False)
        net.encoder.load_state_dict(src.encoder.state_dict())
    net = net.to(memory_format=torch.channels_last)
    kw = dict(image_size=p.image_size, seed=0, cache_dir=cache_dir)
    train = target_data("train", p.target_train, **kw)
    test = target_data("test", p.n_test, **kw)
    labels = train.batch(slice(0, len(train)), "cpu")[1]
    w = class_weights(frequencies(labels, N_TARGET_CLASSES), weighting)
    book_ce = F.cross_entropy
    transfer.nn.functional.cross_entropy = lambda x, y, **k: book_ce(x, y, **{**k, "weight": w})
    opt = torch.optim.Adam(net.parameters(), lr=p.finetune_lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=p.finetune_lr, total_steps=p.finetune_steps, pct_start=p.warmup,
        anneal_strategy="cos",
    )  # fmt: skip
    g = torch.Generator().manual_seed(network_seed(0, "finetune", init))
    t0 = time.perf_counter()
    transfer.finetune_steps(net, opt, sched, train, p, g, torch.device("cpu"))
    seconds = time.perf_counter() - t0
    transfer.nn.functional.cross_entropy = book_ce
    conf = transfer.image_confusions(net, test, torch.device("cpu")).sum(0)
    book = transfer.finetune(init, p, seed=0, cache_dir=cache_dir)["miou"]
    return {
        "mode": "target",
        "init": init,
        "weighting": weighting,
        "miou": round(100 * miou_from_confusion(conf), 2),
        "book_miou": round(100 * book, 2),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("source", "target"))
    ap.add_argument("what", help="ARCH (source) or INIT (target)")
    ap.add_argument("weighting", choices=WEIGHTINGS)
    ap.add_argument("replicate", type=int, nargs="?", default=0)
    ap.add_argument("--cache-dir", default=".cache")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.mode == "source":
        row = run_source(args.what, args.weighting, args.replicate, args.cache_dir)
    else:
        row = run_target(args.what, args.weighting, args.cache_dir)
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
