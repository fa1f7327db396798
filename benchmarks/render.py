"""Render speed of the synthetic Taskonomy: images per second with all 20 labels.

Usage: ``python benchmarks/render.py [--sizes 64] [--n 256] [--device cpu|cuda] [--out benchmarks/render.json]``

Measures, per image size, the wall time to sample the scenes, ray-cast them (with shadows) and
compute every label, in the batch sizes the dataset cache uses; reports the split between
rendering, the torch labels and the two Felzenszwalb segmentations (CPU, scikit-image). Defaults:
64 px on the CPU, plus 128 px when CUDA is present. Writes a JSON record and prints a markdown
table row per setting.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

import torch

from rsa_utils import labels as L
from rsa_utils.datasets import RENDER_BATCH
from rsa_utils.scenes import GENERATOR_VERSION, render, render_source, source_scene
from rsa_utils.tasks import TASK_NAMES

SEGMENTS = ("segment_unsup2d", "segment_unsup25d")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(size: int, n: int, device: torch.device) -> dict:
    step = RENDER_BATCH["cuda" if device.type == "cuda" else "cpu"]
    others = [t for t in TASK_NAMES if t not in SEGMENTS]
    # warm-up (allocator, kernels)
    r = render_source(range(min(step, 8)), split="bench", image_size=size, device=device)
    L.make_labels(r)
    t_scenes = t_render = t_labels = t_seg = 0.0
    for s in range(0, n, step):
        _sync(device)
        ts = time.perf_counter()
        scenes = [source_scene(0, "bench", i) for i in range(s, min(s + step, n))]
        t0 = time.perf_counter()
        r = render(scenes, size, device)
        _sync(device)
        t1 = time.perf_counter()
        L.make_labels(r, others)
        _sync(device)
        t2 = time.perf_counter()
        L.make_labels(r, list(SEGMENTS))
        _sync(device)
        t3 = time.perf_counter()
        t_scenes += t0 - ts
        t_render, t_labels, t_seg = t_render + t1 - t0, t_labels + t2 - t1, t_seg + t3 - t2
    total = t_scenes + t_render + t_labels + t_seg
    return {
        "image_size": size, "n_images": n, "device": str(device), "batch": step,
        "images_per_s": n / total, "scene_sampling_s": t_scenes, "render_s": t_render, "labels_s": t_labels, "segmentation_s": t_seg,
        "segmentation_share": t_seg / total,
    }  # fmt: skip


def measure_dataset(size: int, n: int, device: torch.device) -> dict:
    """End to end: ``SourceData(...).prepare()`` into an empty cache (labels overlapped, files written)."""
    import tempfile

    from rsa_utils.datasets import SourceData

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        SourceData("train", n, image_size=size, device=device, cache_dir=tmp).prepare()
        _sync(device)
        dt_ = time.perf_counter() - t0
    return {
        "image_size": size,
        "n_images": n,
        "device": str(device),
        "images_per_s": n / dt_,
        "seconds": dt_,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--out", default=str(Path(__file__).with_suffix(".json")))
    args = ap.parse_args()
    device = torch.device(args.device)
    sizes = args.sizes or ([128] if device.type == "cuda" else [64])
    machine = {
        "cpu": platform.processor() or platform.machine(), "cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }  # fmt: skip
    rows = [measure(s, args.n, device) for s in sizes]
    dataset_rows = [measure_dataset(s, args.n, device) for s in sizes]
    record = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "generator_version": GENERATOR_VERSION,
              "machine": machine, "torch": torch.__version__, "results": rows, "dataset": dataset_rows}  # fmt: skip
    Path(args.out).write_text(json.dumps(record, indent=2))
    print(f"{record['date']}  {machine}")
    print(
        "| size | device | images | img/s | scene sampling s | ray casting s | labels s | segmentation s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['image_size']} | {r['device']} | {r['n_images']} | {r['images_per_s']:.1f} | {r['scene_sampling_s']:.2f} | {r['render_s']:.2f} | {r['labels_s']:.2f} | {r['segmentation_s']:.2f} |"
        )
    print(
        "\nend to end (SourceData.prepare: render, labels in a background thread, cache files written)"
    )
    print("| size | device | images | img/s | seconds |")
    print("|---|---|---|---|---|")
    for r in dataset_rows:
        print(
            f"| {r['image_size']} | {r['device']} | {r['n_images']} | {r['images_per_s']:.1f} | {r['seconds']:.2f} |"
        )


if __name__ == "__main__":
    main()
