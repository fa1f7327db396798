"""More, smaller steps for the Taskonomy architecture on the CPU: one network per call, its
held-out relative quality and seconds under a given batch size and step count.

Usage::

    python benchmarks/batch_steps.py TASK ARCH BATCH STEPS REPLICATE [--lr PEAK] [--n-train N] [--cache-dir .cache]

Trains replicate ``REPLICATE`` of ``TASK`` on the ``cpu`` profile's data and recipe (one-cycle
Adam, peak lr 1e-2, or ``--lr``; its 3 072 training images, or ``--n-train`` of them, rendered
on first use beyond 3 072) with ``BATCH`` images per step for ``STEPS`` steps, one thread, step
seed 1000 + replicate, and prints one JSON line: task, arch, batch, steps, peak lr, training
images, replicate, seconds, relative quality on the 128 held-out images (against the profile's
baseline, fitted on its own 3 072 training images whatever ``--n-train`` is), final training
loss. ``batch_steps.json`` holds
the lines of the runs that chose the `cpu` profile's Taskonomy recipe (benchmarks/learning.md,
"Batch size against steps"); run pairs two at a time (``xargs -P2``) so that the seconds of a
pair are comparable.
"""

from __future__ import annotations

import argparse
import json
import time

import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("task")
    ap.add_argument("arch", choices=("small", "taskonomy"))
    ap.add_argument("batch", type=int)
    ap.add_argument("steps", type=int)
    ap.add_argument("replicate", type=int)
    ap.add_argument("--lr", type=float, help="peak learning rate (default: the profile's)")
    ap.add_argument("--n-train", type=int, help="training images (default: the profile's)")
    ap.add_argument("--cache-dir", default=".cache")
    args = ap.parse_args()
    if (args.lr is not None and args.lr <= 0) or (args.n_train is not None and args.n_train < 1):
        raise SystemExit(f"--lr {args.lr} / --n-train {args.n_train} is not allowed; use a peak > 0 "
                         "and at least one training image")  # fmt: skip
    from rsa_utils.nets import loop
    from rsa_utils.nets.evaluation import evaluate
    from rsa_utils.nets.losses import higher_is_better
    from rsa_utils.nets.train import init_model, load_source_data, task_baseline
    from rsa_utils.study.profiles import get_profile
    from rsa_utils.study.task_models import relative_quality
    from rsa_utils.world.tasks import get_task

    torch.set_num_threads(1)
    p = get_profile("cpu", steps=args.steps, batch_size=args.batch,
                    **({} if args.lr is None else {"lr": args.lr}),
                    **({} if args.n_train is None else {"n_train": args.n_train}))  # fmt: skip
    t = get_task(args.task)
    kw = dict(
        image_size=p.image_size, seed=0, cache_dir=args.cache_dir, device="cpu", tasks=[t.name]
    )
    train = load_source_data("train", p.n_train, **kw)
    test = load_source_data("test", p.n_test, **kw)
    base = task_baseline(t, get_profile("cpu"), seed=0, cache_dir=args.cache_dir)
    model = init_model(t, args.arch, p, 0, replicate=args.replicate)
    t0 = time.perf_counter()
    res = loop.fit(model, t, train, loop.TrainConfig.of(p, p.steps, 1000 + args.replicate),
                   show_progress=False)  # fmt: skip
    seconds = time.perf_counter() - t0
    ev = evaluate(res.model, t, test, 64)
    print(json.dumps({"task": t.name, "arch": args.arch, "batch": args.batch, "steps": args.steps, "lr": p.lr, "n_train": p.n_train,
                      "replicate": args.replicate, "seconds": round(seconds, 1),
                      "relative_quality": round(relative_quality(ev["metric"], base, higher_is_better(t)), 4),
                      "train_loss": round(res.train_loss, 4)}))  # fmt: skip


if __name__ == "__main__":
    main()
