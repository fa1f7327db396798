"""Can the networks learn curvature and the vanishing point? The labels of generator synth-2
against those of synth-3, and the cpu profile's 1 536 training images against more, in one run.

Usage::

    python benchmarks/labels.py [--sizes 1536 6144] [--archs small taskonomy] [--labels ...]
                                [--append] [--quick]

Both tasks failed their trivial baseline in every synth-2 edition (``book/data/models_quality.csv``)
and so left the claims that involve them *not tested*. The labels compared:

* ``curvature`` (synth-2): the analytic principal curvatures of spheres and cylinders, 0
  elsewhere (``Render.curvature``), so 97 % of pixels are flat; L2 loss and metric.
  ``curvature_creases`` (synth-3's label, :func:`rsa_utils.labels.principal_curvatures`): the
  shape operator of the rendered positions and crease-smoothed normals, which gives the
  creases of boxes, walls and floors a signed curvature, as SPEC's recipe and Taskonomy's images
  have. ``*_l1``: the same labels with an L1 loss and metric (synth-3 trains curvature with L1).
* ``vanishing_point`` (synth-2): the three Manhattan axes in camera coordinates with the yaw
  folded into [-45, 45] deg (9 numbers), which jumps where the camera looks into a corner;
  ``vanishing_point_cont`` (synth-3, :func:`rsa_utils.labels.vanishing_point_raw`): up axis and
  (cos 4ψ, sin 4ψ), continuous (5 numbers); ``vanishing_point_std`` (synth-4,
  :func:`rsa_utils.labels.vanishing_point`): the same standardised per component, so that the
  pitch (the up axis) weighs in the L2 loss and metric as much as the yaw.
* ``normal`` is the anchor: a task that learns under the same recipe.

Every run: the profile's recipe (one-cycle Adam, its batch size and peak lr, its steps), the
same network seed for every label of a task, one thread; held-out images: 256 of the ``val``
split. Relative quality = the fraction of the trivial baseline's error removed
(:func:`rsa_utils.task_models.relative_quality`) in the label's own metric, on the held-out and
on the training images. Writes ``benchmarks/labels.json`` (``--append`` adds rows) and prints
the table of ``benchmarks/labels.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import time
from pathlib import Path

import torch

from rsa_utils import labels as L
from rsa_utils import train as T
from rsa_utils.profiles import get_profile
from rsa_utils.task_models import relative_quality
from rsa_utils.tasks import get_task
from rsa_utils.world.render import render_source

HERE = Path(__file__).resolve().parent
N_HELD_OUT = 256


def folded_vanishing_point(render) -> torch.Tensor:
    """Generator synth-2's label: the three Manhattan axes in camera coordinates, yaw folded
    into [-45, 45] deg: (B, 9)."""
    axes, _ = L.manhattan_frame(render)
    return axes.reshape(len(render), 9)


#: label name -> (the task whose model it uses, recipe, loss and metric: None = the task's own)
LABELS = {
    "curvature": ("curvature", lambda r: L.encode_curvature(r.curvature), "l2"),
    "curvature_creases": (
        "curvature",
        lambda r: L.encode_curvature(L.principal_curvatures(r)),
        "l2",
    ),
    "curvature_l1": ("curvature", lambda r: L.encode_curvature(r.curvature), "l1"),
    "curvature_creases_l1": (
        "curvature",
        lambda r: L.encode_curvature(L.principal_curvatures(r)),
        "l1",
    ),
    "vanishing_point": ("vanishing_point", folded_vanishing_point, None),
    "vanishing_point_cont": ("vanishing_point", L.vanishing_point_raw, None),
    "vanishing_point_std": ("vanishing_point", L.vanishing_point, None),
    "normal": ("normal", lambda r: (r.normal + 1) / 2, None),
}


class Labelled:
    """Rendered images and every label of :data:`LABELS`: ``batch(idx, device)`` as the trainer
    expects ((B, 3, H, W) RGB in [0, 1], {label name: tensor})."""

    def __init__(self, split: str, n: int, image_size: int, seed: int = 0, chunk: int = 128):
        rgb, labels = [], {k: [] for k in LABELS}
        for s in range(0, n, chunk):
            r = render_source(
                range(s, min(n, s + chunk)), split=split, image_size=image_size, seed=seed
            )
            rgb.append(r.rgb)
            for k, (_, recipe, _) in LABELS.items():
                labels[k].append(recipe(r))
        self.rgb = torch.cat(rgb)
        self.labels = {k: torch.cat(v) for k, v in labels.items()}

    def __len__(self) -> int:
        return len(self.rgb)

    def batch(self, idx, device="cpu"):
        idx = torch.as_tensor(idx)
        return self.rgb[idx].to(device), {k: v[idx].to(device) for k, v in self.labels.items()}


def run_one(name: str, arch: str, train, held_out, profile, steps: int) -> dict:
    base, loss = get_task(LABELS[name][0]), LABELS[name][2]
    task = dataclasses.replace(base, name=name, out_channels=train.labels[name].shape[1],
                               loss=loss or base.loss, metric=loss or base.metric)  # fmt: skip
    hib = task.metric in ("accuracy", "miou")
    baseline = T.evaluate_baseline(task, train, held_out)
    model = T.init_model(base, arch, profile, 0)  # one network seed per task and architecture
    if model.task.out_channels != task.out_channels:
        model = T.seeded(T.network_seed(0, "task", base.name, arch, 0),
                         lambda: T.build_model(task, arch, profile))  # fmt: skip
    cfg = T.TrainConfig.of(profile, steps, 0)
    t0 = time.perf_counter()
    fitted = T.fit(model, task, train, cfg, show_progress=False)
    seconds = time.perf_counter() - t0
    held = T.evaluate(fitted.model, task, held_out, 64)["metric"]
    seen = T.evaluate(fitted.model, task, train, 64)["metric"]
    return {"label": name, "loss": task.loss, "arch": arch, "n_train": len(train), "steps": steps, "baseline": baseline,
            "metric": held, "relative_quality": relative_quality(held, baseline, hib),
            "train_relative_quality": relative_quality(seen, baseline, hib), "seconds": seconds}  # fmt: skip


def table(rows: list[dict]) -> str:
    out = ["| label | loss | arch | training images | held-out rel. quality | training-image rel. quality | s |",
           "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        out.append(f"| {r['label']} | {r.get('loss', '')} | {r['arch']} | {r['n_train']} | {r['relative_quality']:.3f} | "
                   f"{r['train_relative_quality']:.3f} | {r['seconds']:.0f} |")  # fmt: skip
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1536, 6144])
    ap.add_argument("--archs", nargs="+", default=["small"])
    ap.add_argument("--labels", nargs="+", default=list(LABELS))
    ap.add_argument("--steps", type=int, default=None, help="default: the profile's steps")
    ap.add_argument("--quick", action="store_true", help="tiny run (tests)")
    ap.add_argument("--out", default=str(HERE / "labels.json"))
    ap.add_argument("--append", action="store_true", help="add the rows to those already in --out")
    args = ap.parse_args()
    torch.set_num_threads(1)
    profile = get_profile(args.profile)
    steps = 5 if args.quick else (args.steps or profile.steps)
    sizes = [32] if args.quick else args.sizes
    held_out = Labelled("val", 16 if args.quick else N_HELD_OUT, profile.image_size)
    out = Path(args.out)
    rows = json.loads(out.read_text())["rows"] if args.append and out.is_file() else []
    for n in sizes:
        t0 = time.perf_counter()
        train = Labelled("train", n, profile.image_size)
        print(
            f"rendered and labelled {n} training images in {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        for arch in args.archs:
            for name in args.labels:
                rows.append(run_one(name, arch, train, held_out, profile, steps))
                print(table(rows[-1:]).splitlines()[-1], flush=True)
    record = {"machine": platform.machine(), "processor": platform.processor(), "threads": 1,
              "profile": args.profile, "steps": steps, "rows": rows}  # fmt: skip
    out.write_text(json.dumps(record, indent=1))
    print(table(rows))


if __name__ == "__main__":
    main()
