"""Can a network learn curvature from the ground-truth surface normals? (see curvature.md)

Usage::

    python benchmarks/curvature_inputs.py INPUT ARCH LOSS LR [--blur SIGMA] [--steps-factor F]
        [--seed S] [--replicate R] [--warmup W] [--clip C] [--crease-weight K] [--cache-dir .cache]

Trains replicate ``R`` (default 0) of the ``ARCH`` curvature network of study seed ``S``
(default 0; the book's network seeds and data) on the ``cpu`` profile's recipe (peak
learning rate ``LR``, loss and metric ``LOSS``: ``l1`` or ``l2``), one thread, with ``INPUT`` as
its input: ``rgb`` (the book's setting) or ``normal`` (the normals label, (n + 1) / 2, whose
derivatives *are* the curvature); ``--steps-factor``: the profile's optimiser steps times ``F``
(same batch, same one-cycle shape); ``--blur``: the curvature label itself blurred by a Gaussian of
``SIGMA`` pixels around its flat value 0.5; ``--warmup``: the fraction of the steps spent warming
up (default: the profile's); ``--clip``: gradients clipped to a global norm of ``C`` before each
optimiser step; ``--crease-weight``: the training loss (not the score) weights every pixel off the
flat value (a crease: either curvature farther than 0.02 from 0.5) ``1 + K`` times a flat one,
normalised by the batch's mean weight. Prints one JSON line: relative quality against the best
constant under ``LOSS`` on the profile's test images and on 256 training images. The data
come from the cache's source splits (rendered on first use).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", choices=("rgb", "normal"))
    ap.add_argument("arch", choices=("small", "taskonomy"))
    ap.add_argument("loss", choices=("l1", "l2"))
    ap.add_argument("lr", type=float)
    ap.add_argument("--blur", type=float, default=0.0, help="blur the label (pixels)")
    ap.add_argument("--steps-factor", type=float, default=1.0, help="train F x the steps")
    ap.add_argument("--seed", type=int, default=0, help="study seed (data and network seeds)")
    ap.add_argument("--replicate", type=int, default=0, help="which of the task's networks")
    ap.add_argument("--warmup", type=float, help="warm-up fraction (default: the profile's)")
    ap.add_argument("--clip", type=float, help="clip the gradients' global norm to C")
    ap.add_argument("--crease-weight", type=float, default=0.0, help="crease pixels weigh 1 + K")
    ap.add_argument("--cache-dir", default=".cache")
    args = ap.parse_args()
    if args.clip is not None and args.clip <= 0:
        raise SystemExit(f"--clip {args.clip} is not allowed; use a norm > 0")
    if args.crease_weight < 0 or (args.crease_weight and args.loss != "l2"):
        raise SystemExit(f"--crease-weight {args.crease_weight} with loss {args.loss} is not allowed; "
                         "use K >= 0, with the l2 loss (the weighting is of squared errors)")  # fmt: skip

    import torch

    from rsa_utils.nets import loop
    from rsa_utils.nets.evaluation import evaluate, evaluate_baseline
    from rsa_utils.nets.seeds import network_seed
    from rsa_utils.nets.train import init_model, load_source_data
    from rsa_utils.study.profiles import get_profile
    from rsa_utils.study.task_models import relative_quality
    from rsa_utils.world.filters import gaussian_blur
    from rsa_utils.world.tasks import get_task

    torch.set_num_threads(1)
    if args.clip:  # the training loop builds torch.optim.Adam: clip inside its step

        class ClippedAdam(torch.optim.Adam):
            def step(self, closure=None):
                params = [q for g in self.param_groups for q in g["params"] if q.grad is not None]
                torch.nn.utils.clip_grad_norm_(params, args.clip)
                return super().step(closure)

        torch.optim.Adam = ClippedAdam
    if args.crease_weight:  # the training loop's loss (the network trains on curvature only)

        def weighted(task, decoder, z, target, generator=None):
            err = (decoder(z).float() - target) ** 2
            w = 1 + args.crease_weight * ((target - 0.5).abs().amax(1, keepdim=True) > 0.02)
            return (w * err).mean() / w.mean()

        loop.training_loss = weighted
    p = get_profile("cpu").replace(
        lr=args.lr, **({} if args.warmup is None else {"warmup": args.warmup})
    )
    t = dataclasses.replace(get_task("curvature"), loss=args.loss, metric=args.loss)
    kw = dict(image_size=p.image_size, seed=args.seed, cache_dir=args.cache_dir, device="cpu",
              tasks=["curvature", "normal"])  # fmt: skip

    class Inputs:
        """A source split whose images are replaced by the normals label when asked."""

        def __init__(self, data):
            self.data = data

        def __len__(self):
            return len(self.data)

        def batch(self, idx, device="cpu"):
            x, lab = self.data.batch(idx, device)
            if args.blur:
                lab = {
                    **lab,
                    "curvature": gaussian_blur(lab["curvature"].float() - 0.5, args.blur) + 0.5,
                }
            return (lab["normal"].float() if args.input == "normal" else x), lab

    train = Inputs(load_source_data("train", p.n_train, **kw))
    test = Inputs(load_source_data("test", p.n_test, **kw))
    seen = Inputs(load_source_data("train", 256, **kw))
    best_constant = evaluate_baseline(t, train, test)
    steps, batch = p.recipe(args.arch)
    steps = round(steps * args.steps_factor)
    rep = args.replicate
    cfg = loop.TrainConfig.of(
        p, steps, network_seed(args.seed, "task", t.name, args.arch, rep), batch
    )
    t0 = time.perf_counter()
    res = loop.fit(init_model(t, args.arch, p, args.seed, rep), t, train, cfg, show_progress=False)
    rq = {name: relative_quality(evaluate(res.model, t, d, 64)["metric"], best_constant, False)
          for name, d in (("test", test), ("train256", seen))}  # fmt: skip
    print(json.dumps({"input": args.input, "arch": args.arch, "loss": args.loss, "lr": args.lr, "blur": args.blur, "warmup": p.warmup, "clip": args.clip, "crease_weight": args.crease_weight,
                      "seed": args.seed, "replicate": rep, "steps": steps,
                      "seconds": round(time.perf_counter() - t0, 1),
                      "relative_quality_test": rq["test"], "relative_quality_train": rq["train256"]}),
          flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
