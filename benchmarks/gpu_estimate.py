"""What the ``gpu`` profile's book should take on one H200, from the training rates measured there.

Usage::

    python benchmarks/gpu_estimate.py [--readout-cost 0.5] [--set FIELD=VALUE ...]

No GPU is needed: the estimate multiplies the images each part of the book trains on (read off
the profile and the task registry, per-task recipes included) by the images per second that
``benchmarks/train.py`` measured on an NVIDIA H200 (``train_gpu.json``: one training step of the
small model and of the Taskonomy-architecture network at the gpu profile's size, batch 256) and
adds the rendering at ``render_gpu.json``'s pipeline rate. Assumptions, each flattering the
estimate: a batch of 128 trains at the rate measured at 256; evaluation, RDMs, bootstrap,
process start-up and notebook overheads cost nothing; a frozen-random fine-tuning costs as much
as a full one (the one assumption that does not flatter). The S2 readouts were never timed on a
GPU: one readout step of one target is taken to cost ``--readout-cost`` small-model training
steps (its decoder without the encoder). ``--set`` changes integer fields of the ``gpu`` profile
(e.g. ``--set steps=250 --set transfer_steps=150``), except those the measured rates depend on
(:data:`FIXED`). Prints one row per part and the total in minutes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).parent
#: Profile fields the H200 rates were measured at (128 px, width 64): not to be changed.
FIXED = ("image_size", "resnet_width")


def rates() -> dict[str, float]:
    """Training images per second on the H200, by architecture, and rendering's."""
    train = json.loads((HERE / "train_gpu.json").read_text())
    out = {r["arch"]: float(r["pipeline_img_s"]) for r in train["throughput"]}
    render = json.loads((HERE / "render_gpu.json").read_text())
    out["render"] = max(float(r["images_per_s"]) for r in render["pipeline"])
    return out


def estimate(
    readout_cost: float = 0.5, overrides: dict | None = None
) -> list[tuple[str, float, str]]:
    """(part, seconds, what it counts) for the ``gpu`` profile's book (``overrides``: its fields)."""
    from rsa_utils.study.profiles import get_profile
    from rsa_utils.world.tasks import S34_TASKS, TASK_NAMES

    fixed = sorted(set(overrides or {}) & set(FIXED))
    if fixed:
        raise ValueError(f"--set {fixed} is not allowed: the H200 rates were measured at the gpu "
                         f"profile's {', '.join(FIXED)}")  # fmt: skip
    p, r = get_profile("gpu", **(overrides or {})), rates()
    n_tasks = len(TASK_NAMES)
    parts = []
    for arch in ("taskonomy", "small"):
        images = sum(
            p.replicates_of(t) * (lambda s, b: s * b)(*p.recipe(arch, t)) for t in TASK_NAMES
        )
        n = sum(p.replicates_of(t) for t in TASK_NAMES)
        parts.append(
            (f"task networks, {arch}", images / r[arch], f"{n} networks, {images:,} images")
        )
    images = p.target_models * p.target_steps * p.batch_size
    parts.append(("target models", images / r["small"], f"{p.target_models} small networks"))
    runs = sum(min(p.replicates_of(t), 2) for t in S34_TASKS) + 2 * min(p.replicates, 2)
    images = runs * p.finetune_steps * p.batch_size
    parts.append(
        ("S3.4 fine-tunings", images / r["taskonomy"], f"{runs} runs of {p.finetune_steps} steps")
    )
    images = n_tasks * p.transfer_steps * p.transfer_batch * n_tasks * readout_cost
    parts.append(("S2 readouts", images / r["small"],
                  f"{n_tasks} sources x {n_tasks} targets, {p.transfer_steps} steps; assumed {readout_cost} of a small step"))  # fmt: skip
    # the source domain's four splits, the target's (its validation split taken as large as test)
    rendered = p.n_train + p.n_val + p.n_test + p.n_rsa + p.target_train + 2 * p.n_test + p.n_rsa
    parts.append(("rendering", rendered / r["render"], f"about {rendered:,} images"))
    return parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--readout-cost", type=float, default=0.5)
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    args = ap.parse_args()
    overrides = {}
    for item in args.set:
        name, _, value = item.partition("=")
        if not value.isdigit():
            raise SystemExit(f"--set {item!r} is not allowed; use FIELD=INTEGER, e.g. steps=250")
        overrides[name] = int(value)
    if args.readout_cost <= 0:
        raise SystemExit(f"--readout-cost {args.readout_cost} is not allowed; use a number > 0")
    try:
        parts = estimate(args.readout_cost, overrides)
    except ValueError as err:
        raise SystemExit(str(err)) from None
    print("| part (gpu profile, H200 rates) | min | what |\n|---|---|---|")
    for name, seconds, what in parts:
        print(f"| {name} | {seconds / 60:.1f} | {what} |")
    print(f"| **total** | **{sum(s for _, s, _ in parts) / 60:.1f}** | |")


if __name__ == "__main__":
    main()
