"""Can the networks learn curvature? Two replicates per setting, scored against the best constant.

Usage::

    python benchmarks/curvature.py SIGMA ARCH LOSS [--lr PEAK] [--cache-dir .cache]  # one setting
    python benchmarks/curvature.py --table                                 # curvature.md

Renders the ``cpu`` profile's training and test images with curvature labels whose creases are
smoothed by ``SIGMA`` pixels (at 64 px; the book's labels use ``CREASE_SIGMA_PX``), trains
replicates 0 and 1 of the ``ARCH`` curvature network with loss ``LOSS`` (``l1`` or ``l2``) on the
profile's recipe (``--lr``: another peak learning rate), one thread, and prints one JSON line per replicate (held-out metric, the best
constant's metric under that loss: the per-pixel median for L1, the mean for L2, and the
relative quality against it) and one with the replicates' RSA on the profile's 400 RSA images
(the noise ceiling). ``curvature.json`` keeps the lines behind ``curvature.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

HERE = Path(__file__).parent


def run(sigma: float, arch: str, loss: str, cache_dir: str, lr: float | None = None) -> None:
    import numpy as np
    import torch

    import rsa_utils.world.labels as labels
    from rsa_utils.nets import loop
    from rsa_utils.nets.evaluation import evaluate, evaluate_baseline
    from rsa_utils.nets.seeds import network_seed
    from rsa_utils.nets.train import init_model, load_source_data
    from rsa_utils.rsa import core as rsa
    from rsa_utils.rsa import features
    from rsa_utils.study.profiles import get_profile, setup
    from rsa_utils.study.task_models import relative_quality
    from rsa_utils.world.tasks import get_task

    torch.set_num_threads(1)
    book_sigma = labels.CREASE_SIGMA_PX
    labels.CREASE_SIGMA_PX = sigma
    # labels of another smoothing live in their own data cache (the data's key does not name sigma)
    data_dir = (
        cache_dir if sigma == book_sigma else str(Path(cache_dir) / f"bench-curvature-s{sigma}")
    )
    p = get_profile("cpu")
    p = dataclasses.replace(p, lr=lr or p.lr)
    t = dataclasses.replace(get_task("curvature"), loss=loss, metric=loss)
    kw = dict(image_size=p.image_size, seed=0, cache_dir=data_dir, device="cpu", tasks=[t.name])
    train = load_source_data("train", p.n_train, **kw)
    test = load_source_data("test", p.n_test, **kw)
    best_const = evaluate_baseline(t, train, test)  # the best constant under ``loss``
    target = loop.task_target(test.batch(np.arange(p.n_test), "cpu")[1], t).float()
    images = features.images_of(setup("cpu", "cpu", 0, cache_dir).source_set("rsa", p.n_rsa))
    rdms = []
    for rep in (0, 1):
        steps, batch = p.recipe(arch)
        cfg = loop.TrainConfig.of(p, steps, network_seed(0, "task", t.name, arch, rep), batch)
        t0 = time.perf_counter()
        res = loop.fit(init_model(t, arch, p, 0, replicate=rep), t, train, cfg, show_progress=False)
        metric = evaluate(res.model, t, test, 64)["metric"]
        with torch.no_grad():  # how much the predictions vary between images (0: a constant)
            spread = float(res.model.eval()(test.batch(np.arange(64), "cpu")[0]).std(0).mean())
        rdms.append(rsa.rdm(features.encoder_features(res.model, images)))
        print(json.dumps({"sigma": sigma, "arch": arch, "loss": loss, "replicate": rep,
                          "lr": p.lr, "seconds": round(time.perf_counter() - t0, 1), "metric": metric,
                          "prediction_spread": spread, "target_spread": float(target.std(0).mean()),
                          "best_constant": best_const,
                          "relative_quality": relative_quality(metric, best_const, False)}),
              flush=True)  # fmt: skip
    ceiling = rsa.compare_rdms(rdms[0], rdms[1])
    print(json.dumps({"sigma": sigma, "arch": arch, "loss": loss, "lr": p.lr, "ceiling": ceiling}),
          flush=True)  # fmt: skip


def table() -> str:
    lines = [json.loads(s) for s in (HERE / "curvature.json").read_text().splitlines() if s.strip()]
    rows = {}
    for r in lines:
        row = rows.setdefault((r["sigma"], r["arch"], r["loss"], r.get("lr", 0.01)), {})
        if "ceiling" in r:
            row["ceiling"] = f"{r['ceiling']:.2f}"
        else:
            row.setdefault("rq", []).append(f"{r['relative_quality']:+.3f}")
            if "prediction_spread" in r:
                row.setdefault("spread", []).append(f"{r['prediction_spread']:.4f}")
            row["s"] = f"{r['seconds']:.0f}"
    out = ["| crease σ (px) | architecture | loss | peak lr | relative quality (rep. 0 / 1) | "
           "prediction spread (rep. 0 / 1) | ceiling | s / network |",
           "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for (sigma, arch, loss, lr), row in sorted(
        rows.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], -kv[0][3])
    ):
        out.append(f"| {sigma:g} | {arch} | {loss.upper()} | {lr:g} | {' / '.join(row.get('rq', []))} | "
                   f"{' / '.join(row.get('spread', [])) or '–'} | {row.get('ceiling', '–')} | "
                   f"{row.get('s', '–')} |")  # fmt: skip
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sigma", type=float, nargs="?")
    ap.add_argument("arch", nargs="?", choices=("small", "taskonomy"))
    ap.add_argument("loss", nargs="?", choices=("l1", "l2"))
    ap.add_argument("--lr", type=float, help="peak learning rate (default: the profile's)")
    ap.add_argument("--cache-dir", default=".cache")
    ap.add_argument("--table", action="store_true", help="print the table of curvature.json")
    args = ap.parse_args()
    if args.table:
        print(table())
    elif args.sigma is None or args.arch is None or args.loss is None:
        ap.error("give SIGMA ARCH LOSS, or --table")
    else:
        run(args.sigma, args.arch, args.loss, args.cache_dir, args.lr)


if __name__ == "__main__":
    main()
