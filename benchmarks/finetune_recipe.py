"""S3.4's fine-tuning under other learning rates: does a pretrained encoder beat scratch?

Usage::

    python benchmarks/finetune_recipe.py INIT ENCODER_LR_FACTOR STEPS [PEAK_LR] [--probe F] [--cache-dir .cache]

Fine-tunes the ``cpu`` profile's segmentation network on the target domain with
``rsa_utils.nets.transfer.finetune``'s steps and scoring (same network seed, batches and
one-cycle schedule, float32, one thread), except that the encoder's peak learning rate is ``ENCODER_LR_FACTOR`` ×
the decoder's and the peak is ``PEAK_LR`` (default: the profile's ``finetune_lr``). ``INIT`` is a
source task (its cached Taskonomy-architecture encoder) or ``scratch``. Prints one JSON line:
the mIoU (%) on the profile's 128 target test images beside the book's fine-tuning of the same
initialisation (the anchor: with factor 1 and the default peak the two agree to the digit).
``--probe F``: linear probing, then fine-tuning (LP-FT, Kumar et al. 2022): for the first F of the
steps only the decoder learns (the encoder frozen, its BatchNorm statistics fixed), then every
parameter does, under the same one-cycle schedule and batches.
``finetune_recipe.json`` keeps the runs behind ``finetune_recipe.md``.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("init")
    ap.add_argument("encoder_lr_factor", type=float)
    ap.add_argument("steps", type=int)
    ap.add_argument("peak_lr", type=float, nargs="?")
    ap.add_argument("--probe", type=float, default=0.0)
    ap.add_argument("--cache-dir", default=".cache")
    args = ap.parse_args()
    if not 0 <= args.probe < 1 or round(args.probe * args.steps) >= args.steps:
        raise SystemExit(f"--probe {args.probe} is not allowed with {args.steps} steps; use a "
                         "fraction in [0, 1) that leaves the encoder at least one step")  # fmt: skip
    import dataclasses

    import torch

    from rsa_utils.data.datasets import target_data
    from rsa_utils.nets import zoo
    from rsa_utils.nets.losses import miou_from_confusion
    from rsa_utils.nets.seeds import network_seed, seeded
    from rsa_utils.nets.transfer import SegmentationNet, finetune, finetune_steps, image_confusions
    from rsa_utils.study.profiles import get_profile

    torch.set_num_threads(1)
    p, cd, init = get_profile("cpu"), args.cache_dir, args.init
    net = seeded(network_seed(0, "finetune", init), lambda: SegmentationNet(p.resnet_width))
    if init != "scratch":
        src = zoo.get_model(init, "taskonomy", p, seed=0, cache_dir=cd, show_progress=False)
        net.encoder.load_state_dict(src.encoder.state_dict())
    net = net.to(
        memory_format=torch.channels_last
    )  # as the book's fine-tuning (FINETUNE_VERSION 4)
    lr = args.peak_lr or p.finetune_lr
    peaks = [lr * args.encoder_lr_factor, lr]
    opt = torch.optim.Adam([{"params": net.encoder.parameters(), "lr": peaks[0]},
                            {"params": net.decoder.parameters(), "lr": peaks[1]}])  # fmt: skip
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=peaks, total_steps=args.steps, pct_start=p.warmup, anneal_strategy="cos"
    )
    kw = dict(image_size=p.image_size, seed=0, cache_dir=cd)
    train = target_data("train", p.target_train, **kw)
    test = target_data("test", p.n_test, **kw)
    g = torch.Generator().manual_seed(network_seed(0, "finetune", init))
    cpu = torch.device("cpu")
    t0 = time.perf_counter()
    probe = round(args.probe * args.steps)
    if probe:  # the decoder alone first: Adam skips the encoder while it has no gradients
        net.encoder.requires_grad_(False)
        finetune_steps(net, opt, sched, train, dataclasses.replace(p, finetune_steps=probe), g, cpu,
                       frozen_encoder=True)  # fmt: skip
        net.encoder.requires_grad_(True)
    rest = dataclasses.replace(p, finetune_steps=args.steps - probe)
    finetune_steps(net, opt, sched, train, rest, g, cpu)
    seconds = time.perf_counter() - t0
    miou = miou_from_confusion(image_confusions(net, test, cpu).sum(0))
    book = finetune(init, p, seed=0, cache_dir=cd)["miou"]
    print(json.dumps({"init": init, "encoder_lr_factor": args.encoder_lr_factor, "steps": args.steps,
                      "peak_lr": lr, "probe": args.probe, "miou": round(100 * miou, 2), "book_miou": round(100 * book, 2),
                      "seconds": round(seconds, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
