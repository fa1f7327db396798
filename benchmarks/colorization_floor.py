"""How much of colorization's error can a network remove? The soft cross-entropy against the
soft-encoded ab target includes the target's own entropy, which no prediction removes.

Usage::

    python benchmarks/colorization_floor.py [--profile cpu] [--cache-dir .cache]

For the committed networks (replicate 0 of both architectures, read from the zoo; nothing is
trained) and the trivial baseline (the per-pixel mean soft distribution of 256 training
images), on the profile's held-out images: the mean entropy H of the soft targets (nats per
pixel), the soft cross-entropy CE, the relative quality in CE (1 − CE_net / CE_base, what the
models chapter reports) and in KL = CE − H (1 − KL_net / KL_base, the share of the removable
error). Prints a markdown table and writes ``colorization_floor.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--cache-dir", default=".cache")
    args = ap.parse_args()
    from rsa_utils.nets import zoo
    from rsa_utils.nets.loop import task_target
    from rsa_utils.nets.losses import fit_baseline, soft_encode_ab
    from rsa_utils.nets.seeds import step_generator
    from rsa_utils.nets.train import load_source_data
    from rsa_utils.study.profiles import get_profile
    from rsa_utils.world.tasks import get_task, task_input

    p, t = get_profile(args.profile), get_task("colorization")
    kw = dict(
        image_size=p.image_size, seed=0, cache_dir=args.cache_dir, device="cpu", tasks=[t.name]
    )
    train = load_source_data("train", p.n_train, **kw)
    test = load_source_data("test", p.n_test, **kw)
    log_base = fit_baseline(t, task_target(train.batch(np.arange(256), "cpu")[1], t))
    rows = []
    for arch in ("small", "taskonomy"):
        model = zoo.get_model(t.name, arch, p, seed=0, device="cpu", cache_dir=args.cache_dir)
        h = ce_net = ce_base = 0.0
        with torch.no_grad():
            for s in range(0, p.n_test, 64):
                idx = np.arange(s, min(p.n_test, s + 64))
                rgb, labels = test.batch(idx, "cpu")
                soft = soft_encode_ab(task_target(labels, t).float())  # (B, K, H, W)
                logp = torch.log_softmax(
                    model(task_input(t, rgb, generator=step_generator(0, -1 - s))).float(), 1
                )
                h += float((-(soft * soft.clamp_min(1e-12).log()).sum(1)).mean((1, 2)).sum())
                ce_net += float((-(soft * logp).sum(1)).mean((1, 2)).sum())
                ce_base += float((-(soft * log_base[None]).sum(1)).mean((1, 2)).sum())
        h, ce_net, ce_base = h / p.n_test, ce_net / p.n_test, ce_base / p.n_test
        rows.append({"arch": arch, "entropy": h, "ce_net": ce_net, "ce_base": ce_base,
                     "quality_ce": 1 - ce_net / ce_base, "quality_kl": 1 - (ce_net - h) / (ce_base - h)})  # fmt: skip
    (HERE / "colorization_floor.json").write_text(
        json.dumps({"profile": args.profile, "rows": rows}, indent=1)
    )
    print(
        "| arch | H (nats) | CE net | CE baseline | quality in CE | quality in KL |\n|---|---|---|---|---|---|"
    )
    for r in rows:
        print(f"| {r['arch']} | {r['entropy']:.3f} | {r['ce_net']:.3f} | {r['ce_base']:.3f} | "
              f"{r['quality_ce']:.3f} | {r['quality_kl']:.3f} |")  # fmt: skip


if __name__ == "__main__":
    main()
