"""Learning curves: relative quality of task networks against optimiser steps and seconds, under
the earlier training recipe and the new one, in one run on one machine.

Usage::

    python benchmarks/learning.py [--profile cpu] [--device cpu] [--workers 2] [--quick]

Recipes (every run starts from the same network seed, so recipes differ only in training):

* ``old``: Adam at a constant 1e-3 (the recipe before the networks issue), one run evaluated
  at several steps;
* ``new``: Adam, one-cycle schedule (15 % warm-up to the peak lr, cosine decay), peak
  lr 1e-2 for the small model and 3e-3 for the Taskonomy architecture; one run per length,
  because a one-cycle run is only finished at its last step;
* variants of ``new`` at one length (other peak lr, AdamW-style weight decay is not tried
  here, another ResNet width) where the profile's choice is in question.

Relative quality = the fraction of the trivial baseline's error removed on held-out images
(:func:`rsa_utils.task_models.relative_quality`). Four tasks, two 2D (autoencoding, 2D edges)
and two 3D (z-depth, surface normals), both architectures. Runs go ``--workers`` at a time in
separate processes (one thread each on the CPU). Writes ``benchmarks/learning.json``; print
the markdown of ``benchmarks/learning.md`` with ``--table``.
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
TASKS = ("autoencoding", "edge_texture", "depth_zbuffer", "normal")


def plan(profile_name: str, quick: bool) -> list[dict]:
    """The runs: (task, arch, recipe, steps, lr, width, eval_at)."""
    # the old recipe also had the old profile's sizes: on gpu, ResNet width 64 and batch 256
    old_over = {"resnet_width": 64, "batch_size": 256} if profile_name == "gpu" else {}
    if profile_name == "gpu":
        old = {"small": 600, "taskonomy": 360}
        lengths = {"small": (150, 300, 600), "taskonomy": (150, 300, 600)}
    else:
        old = {"small": 1000, "taskonomy": 400}
        lengths = {"small": (150, 300, 600), "taskonomy": (100, 200, 400)}
    if quick:
        old = {"small": 20, "taskonomy": 10}
        lengths = {"small": (10, 20), "taskonomy": (10,)}
    peak = {"small": 1e-2, "taskonomy": 3e-3}
    runs = []
    for task in TASKS:
        for arch in ("taskonomy", "small"):
            n = old[arch]
            evals = sorted({max(1, round(f * n)) for f in (0.1, 0.2, 0.25, 0.5, 0.75, 1.0)})
            runs.append(dict(task=task, arch=arch, recipe="old", schedule="constant", lr=1e-3,
                             steps=n, eval_at=evals, over=old_over))  # fmt: skip
            for m in lengths[arch]:
                runs.append(dict(task=task, arch=arch, recipe="new", schedule="onecycle",
                                 lr=peak[arch], steps=m, eval_at=[m]))  # fmt: skip
            m = lengths[arch][-1]
            other = 1e-2 if arch == "taskonomy" else 3e-3
            runs.append(dict(task=task, arch=arch, recipe=f"new, peak {other:g}",
                             schedule="onecycle", lr=other, steps=m, eval_at=[m]))  # fmt: skip
            if arch == "taskonomy" and profile_name == "cpu":
                runs.append(dict(task=task, arch=arch, recipe="new, width 8", schedule="onecycle",
                                 lr=peak[arch], steps=m, eval_at=[m], width=8))  # fmt: skip
    return runs


BEFORE, ZERO = "BN scale 1 (before)", "zero-init residual (the book)"


def plan_zero_init(tasks: list[str], profile_name: str, quick: bool) -> list[dict]:
    """The Taskonomy architecture's networks of ``tasks`` at the profile's recipe, each twice: with
    every residual branch's last BatchNorm scale at 1 (BatchNorm's default, the book before
    ``ZOO_VERSION`` 3) and at zero (the book since)."""
    from rsa_utils.profiles import get_profile

    P = get_profile(profile_name)
    steps = 10 if quick else P.steps
    return [dict(task=task, arch="taskonomy", recipe=recipe, schedule=P.schedule, lr=P.lr,
                 steps=steps, eval_at=[steps], zero_init=zero)
            for task in tasks for recipe, zero in ((BEFORE, False), (ZERO, True))]  # fmt: skip


def zero_init_table(results: list[dict], meta: dict) -> str:
    """The markdown of benchmarks/zero_init.md: relative quality per task, BN scale 1 against 0."""
    by = {(r["task"], r["recipe"]): r["points"][-1] for r in results}
    tasks = list(dict.fromkeys(r["task"] for r in results))
    lines = [f"Run: {meta['machine']}, profile `{meta['profile']}`, device {meta['device']}, "
             f"{meta['workers']} runs side by side, {meta['wall_s'] / 60:.1f} min wall.", "",
             f"| task | {BEFORE} | {ZERO} | difference | s (before / zero-init) |", "|---|---|---|---|---|"]  # fmt: skip
    diffs = []
    for t in tasks:
        a, b = by[(t, BEFORE)], by[(t, ZERO)]
        diffs.append(b["relative_quality"] - a["relative_quality"])
        lines.append(f"| {t} | {a['relative_quality']:.3f} | {b['relative_quality']:.3f} | {diffs[-1]:+.3f} | "
                     f"{a['seconds']:.0f} / {b['seconds']:.0f} |")  # fmt: skip
    q = {
        k: float(np.median([by[(t, k)]["relative_quality"] for t in tasks])) for k in (BEFORE, ZERO)
    }
    lines += ["", f"Median over the {len(tasks)} tasks: BN scale 1 {q[BEFORE]:.3f}, zero-init residual "
              f"{q[ZERO]:.3f}; zero-init better on {sum(d > 0 for d in diffs)} of {len(tasks)}."]  # fmt: skip
    return "\n".join(lines)


def run_one(spec: dict, profile_name: str, device: str, cache_dir: str | None) -> dict:
    """Train one network of ``spec`` and evaluate it at ``spec['eval_at']`` steps."""
    from rsa_utils import train
    from rsa_utils.profiles import get_profile, resolve_device
    from rsa_utils.task_models import relative_quality
    from rsa_utils.tasks import get_task

    dev = resolve_device(device)
    if dev.type == "cpu":
        torch.set_num_threads(1)
    over = {k: spec[k] for k in ("schedule", "lr", "steps") if k in spec}
    over.update(spec.get("over", {}))
    if "width" in spec:
        over["resnet_width"] = spec["width"]
    P = get_profile(profile_name, **over)
    task = get_task(spec["task"])
    kw = dict(image_size=P.image_size, seed=0, cache_dir=cache_dir, device=dev, tasks=[task.name])
    data = {s: train.load_source_data(s, n, **kw)
            for s, n in (("train", P.n_train), ("test", P.n_test))}  # fmt: skip
    for d in data.values():
        if hasattr(d, "prepare"):
            d.prepare()
    base = train.evaluate_baseline(task, data["train"], data["test"])
    hib = task.metric in ("accuracy", "miou")
    model = train.init_model(task, spec["arch"], P, seed=0)
    if "zero_init" in spec:  # residual branches start at zero (the book) or at BatchNorm's 1
        from torchvision.models.resnet import Bottleneck

        for m in model.modules():
            if isinstance(m, Bottleneck):
                torch.nn.init.constant_(m.bn3.weight, 0.0 if spec["zero_init"] else 1.0)
    snaps: dict[float, dict] = {}
    fractions = tuple(s / P.steps for s in spec["eval_at"])
    cfg = train.TrainConfig.of(P, P.steps, train.network_seed(0, "task", task.name, spec["arch"], 0),
                               checkpoints=fractions)  # fmt: skip
    t_snap: dict[float, float] = {}
    t0 = time.perf_counter()

    def on_checkpoint(f, state):
        t_snap[f] = time.perf_counter() - t0
        snaps[f] = state

    res = train.fit(model, task, data["train"], cfg, dev, on_checkpoint=on_checkpoint,
                    show_progress=False)  # fmt: skip
    points = []
    for f, state in sorted(snaps.items()):
        m = copy.deepcopy(res.model)
        m.load_state_dict(state)
        ev = train.evaluate(m, task, data["test"], 64, dev)
        points.append({"step": round(f * P.steps), "seconds": t_snap[f],
                       "relative_quality": relative_quality(ev["metric"], base, hib)})  # fmt: skip
    return {**spec, "width": P.resnet_width if spec["arch"] == "taskonomy" else None,
            "image_size": P.image_size, "batch_size": P.batch_size, "n_train": P.n_train,
            "points": points, "device": str(dev)}  # fmt: skip


def time_to_reach(points: list[dict], level: float) -> float:
    """Seconds of the first point at or above ``level`` (NaN if none)."""
    hit = [p["seconds"] for p in points if p["relative_quality"] >= level]
    return min(hit) if hit else float("nan")


def table(results: list[dict], meta: dict) -> str:
    """The markdown of benchmarks/learning.md from a run's results."""
    lines = [f"Run: {meta['machine']}, profile `{meta['profile']}`, device {meta['device']}, "
             f"{meta['workers']} runs side by side, {meta['wall_s'] / 60:.1f} min wall.", "",
             "| task | arch | recipe | width | batch | steps | seconds | relative quality |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in results:
        for p in r["points"]:
            lines.append(f"| {r['task']} | {r['arch']} | {r['recipe']} | {r['width'] or '–'} | {r['batch_size']} | "
                         f"{p['step']} | {p['seconds']:.1f} | {p['relative_quality']:.3f} |")  # fmt: skip
    lines += ["", "**The recipe the profiles use** (one-cycle, peak lr 1e-2 for both architectures; for the",
              "Taskonomy architecture that is the run labelled `new, peak 0.01`). Time to reach the old",
              "recipe's quality at the old profile length (`old@L`: 200 steps on cpu, 120 on gpu), and",
              "quality at about the same number of steps (the chosen recipe's longest run):", "",
              "| task | arch | old@L quality | old@L s | chosen: first point reaching it (steps, s) | time ratio new/old "
              "| steps (old / chosen) | old quality | chosen quality |", "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for task in TASKS:
        for arch in ("taskonomy", "small"):
            mine = [r for r in results if r["task"] == task and r["arch"] == arch]
            old = next(r for r in mine if r["recipe"] == "old")
            ref = meta["old_length"][arch]
            pt = min(old["points"], key=lambda p: abs(p["step"] - ref))
            chosen = sorted((p for r in mine if r["schedule"] == "onecycle" and r["lr"] == 1e-2
                             and "width" not in r["recipe"] for p in r["points"]), key=lambda p: p["step"])  # fmt: skip
            hit = next((p for p in chosen if p["relative_quality"] >= pt["relative_quality"]), None)
            end = chosen[-1]
            same = min(old["points"], key=lambda p: abs(p["step"] - end["step"]))
            bound = "≤ " if hit is chosen[0] and len(chosen) == 1 else ""
            lines.append(
                f"| {task} | {arch} | {pt['relative_quality']:.3f} | {pt['seconds']:.0f} | "
                + (f"{hit['step']}, {hit['seconds']:.0f} | {bound}{hit['seconds'] / pt['seconds']:.2f}" if hit else "not reached | –")
                + f" | {same['step']} / {end['step']} | {same['relative_quality']:.3f} | {end['relative_quality']:.3f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument(
        "--quick", action="store_true", help="a few steps per run (a test of the script)"
    )
    ap.add_argument(
        "--zero-init", nargs="+", metavar="TASK", default=None,
        help="instead of the curves: the Taskonomy architecture on these tasks with its residual "
        "branches' last BatchNorm scale at 1 and at 0 (writes zero_init.json)",
    )  # fmt: skip
    ap.add_argument("--out", default=None, help="default: learning.json (zero_init.json)")
    ap.add_argument("--table", action="store_true", help="print the markdown of an earlier run")
    args = ap.parse_args()
    zero = args.zero_init is not None
    args.out = args.out or str(HERE / ("zero_init.json" if zero else "learning.json"))
    show = zero_init_table if zero else table
    if args.table:
        got = json.loads(Path(args.out).read_text())
        print(show(got["results"], got["meta"]))
        return
    runs = (
        plan_zero_init(args.zero_init, args.profile, args.quick)
        if zero
        else plan(args.profile, args.quick)
    )
    # longest first, so that the side-by-side workers finish together
    runs.sort(key=lambda r: -r["steps"] * (4 if r["arch"] == "taskonomy" else 1))
    t0 = time.perf_counter()
    from tqdm.auto import tqdm

    ctx = multiprocessing.get_context("spawn")
    results = []
    with ProcessPoolExecutor(args.workers, mp_context=ctx) as pool:
        futs = [pool.submit(run_one, r, args.profile, args.device, args.cache_dir) for r in runs]
        for f in tqdm(futs, desc="learning-curve runs"):
            results.append(f.result())
    order = args.zero_init if zero else TASKS
    results.sort(key=lambda r: (order.index(r["task"]), r["arch"], r["recipe"], r["steps"]))
    meta = {"machine": f"{platform.machine()} {platform.processor() or ''}".strip()
            + (f", {torch.cuda.get_device_name()}" if args.device.startswith("cuda") else f", {multiprocessing.cpu_count()} cores"),
            "profile": args.profile, "device": args.device, "workers": args.workers,
            "wall_s": time.perf_counter() - t0,
            "old_length": {"small": 200, "taskonomy": 200} if args.profile == "cpu" else {"small": 120, "taskonomy": 120}}  # fmt: skip
    Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print(show(results, meta))


if __name__ == "__main__":
    main()
