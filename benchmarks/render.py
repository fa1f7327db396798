"""Render speed of the synthetic Taskonomy: images per second with all 20 labels.

Usage: ``python benchmarks/render.py [--sizes 64] [--n 256] [--device cpu|cuda] [--batches 128 256 512] [--out benchmarks/render.json]``

Four measurements per image size: (1) *stages*, serial: scene sampling and packing, ray casting
(with shadows), the torch labels and the two Felzenszwalb segmentations (CPU, scikit-image), to
see where the time goes; (2) *pipeline*: the dataset pipeline producing all 20 labels in their
storage formats in host memory, stages overlapped (scene sampling and segmentation in worker
processes on machines with >= 8 cores), for each render batch size in ``--batches``; (3) *end to
end*: ``SourceData.prepare()`` into an empty cache, files written; (4) *host work*: the CPU
milliseconds per image of what the worker processes do (scene sampling, the segmentations),
which bounds the pipeline by the number of cores. Defaults: 64 px on the CPU,
128 px on CUDA. Writes a JSON record and prints markdown tables.
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
from rsa_utils.labels import SEGMENT_TASKS
from rsa_utils.scenes import GENERATOR_VERSION, pack_scene, render, render_source, source_scene
from rsa_utils.tasks import TASK_NAMES


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(size: int, n: int, device: torch.device, batch: int) -> dict:
    """Serial stage times (no overlap): where the time of one image goes."""
    others = [t for t in TASK_NAMES if t not in SEGMENT_TASKS]
    # warm-up (allocator, kernels)
    r = render_source(range(min(batch, 8)), split="bench", image_size=size, device=device)
    L.make_labels(r)
    t_scenes = t_render = t_labels = t_seg = 0.0
    for s in range(0, n, batch):
        _sync(device)
        ts = time.perf_counter()
        scenes = [pack_scene(source_scene(0, "bench", i)) for i in range(s, min(s + batch, n))]
        t0 = time.perf_counter()
        r = render(scenes, size, device)
        _sync(device)
        t1 = time.perf_counter()
        L.make_labels(r, others)
        _sync(device)
        t2 = time.perf_counter()
        L.make_labels(r, list(SEGMENT_TASKS))
        _sync(device)
        t3 = time.perf_counter()
        t_scenes += t0 - ts
        t_render, t_labels, t_seg = t_render + t1 - t0, t_labels + t2 - t1, t_seg + t3 - t2
    total = t_scenes + t_render + t_labels + t_seg
    return {
        "image_size": size, "n_images": n, "device": str(device), "batch": batch,
        "serial_images_per_s": n / total, "scene_sampling_s": t_scenes, "render_s": t_render, "labels_s": t_labels,
        "segmentation_s": t_seg, "segmentation_share": t_seg / total,
    }  # fmt: skip


def measure_host(size: int, n: int, device: torch.device) -> dict:
    """CPU work per image that the worker processes do, one thread, no overlap: sampling and
    packing a scene (:func:`pipeline.sample_scenes`) and each Felzenszwalb segmentation with its
    upsampling and encoding (:func:`segmentation._felzenszwalb_many`), in ms. ``ceiling_per_core`` is
    1000 / total: the images per second one free core sustains, i.e. the pipeline's upper bound
    is about (cores - 1) x that on a machine whose cores are as fast as this one's."""
    from rsa_utils.data import pipeline
    from rsa_utils.world import segmentation

    t0 = time.perf_counter()
    packs = pipeline.sample_scenes("source", 0, "bench", list(range(n)))
    out = {"sample_and_pack_ms": (time.perf_counter() - t0) / n * 1e3}
    r = render(packs, size, device)
    feats = {
        "segment_unsup2d": r.rgb.float() * 255,
        "segment_unsup25d": L._geometry_features(r.depth, r.normal, L.edge_occlusion(r.depth)),
    }
    for name, feat in feats.items():
        images, p, f = segmentation.segment_inputs(feat, L.SEGMENT_PARAMS[name])
        t0 = time.perf_counter()
        segmentation._felzenszwalb_many(images, p, f, size, size)
        out[f"{name}_ms"] = (time.perf_counter() - t0) / n * 1e3
    total = sum(out.values())
    return {
        "image_size": size,
        "n_images": n,
        **out,
        "total_ms": total,
        "ceiling_per_core": 1e3 / total,
    }


def measure_pipeline(size: int, n: int, device: torch.device, batch: int) -> dict:
    """The dataset pipeline without the files: scene sampling and packing in worker processes,
    ray casting and labels on ``device``, segmentations in the workers while the next batches
    render, every label encoded into its storage format in host memory."""
    import tempfile

    from rsa_utils import datasets

    datasets.RENDER_BATCH[device.type] = batch
    with tempfile.TemporaryDirectory() as tmp:
        ds = datasets.SourceData("train", n, image_size=size, device=device, cache_dir=tmp)
        for _ in ds._produce([(10**6, min(2 * batch, n))]):  # warm-up: pool, kernels
            pass
        _sync(device)
        t0 = time.perf_counter()
        got = sum(len(a["rgb"]) for _, a in ds._produce([(0, n)]))
        dt_ = time.perf_counter() - t0
    assert got == n
    return {"image_size": size, "n_images": n, "device": str(device), "batch": batch,
            "images_per_s": n / dt_, "seconds": dt_}  # fmt: skip


def measure_dataset(size: int, n: int, device: torch.device, batch: int) -> dict:
    """End to end: ``SourceData(...).prepare()`` into an empty cache (files written, fsynced)."""
    import tempfile

    from rsa_utils import datasets

    datasets.RENDER_BATCH[device.type] = batch
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        datasets.SourceData("train", n, image_size=size, device=device, cache_dir=tmp).prepare()
        _sync(device)
        dt_ = time.perf_counter() - t0
        mb = sum(p.stat().st_size for p in Path(tmp).rglob("*.npy")) / 2**20
    return {"image_size": size, "n_images": n, "device": str(device), "batch": batch,
            "images_per_s": n / dt_, "seconds": dt_, "megabytes": mb}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument(
        "--batches",
        type=int,
        nargs="*",
        default=None,
        help="render batch sizes to compare (pipeline)",
    )
    ap.add_argument("--out", default=str(Path(__file__).with_suffix(".json")))
    args = ap.parse_args()
    device = torch.device(args.device)
    sizes = args.sizes or ([128] if device.type == "cuda" else [64])
    machine = {
        "cpu": platform.processor() or platform.machine(), "cpus": os.cpu_count(), "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }  # fmt: skip
    batches = args.batches or [RENDER_BATCH[device.type]]
    rows = [measure(s, args.n, device, batches[0]) for s in sizes]
    pipe_rows = [measure_pipeline(s, args.n, device, b) for s in sizes for b in batches]
    dataset_rows = [measure_dataset(s, args.n, device, batches[0]) for s in sizes]
    host_rows = [measure_host(s, args.n, device) for s in sizes]
    record = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "generator_version": GENERATOR_VERSION,
              "machine": machine, "torch": torch.__version__, "results": rows, "pipeline": pipe_rows,
              "dataset": dataset_rows, "host": host_rows}  # fmt: skip
    Path(args.out).write_text(json.dumps(record, indent=2))
    print(f"{record['date']}  {machine}")
    print("\nstages, serial (no overlap)")
    print(
        "| size | device | images | batch | img/s | scene sampling s | ray casting s | labels s | segmentation s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['image_size']} | {r['device']} | {r['n_images']} | {r['batch']} | {r['serial_images_per_s']:.1f} | {r['scene_sampling_s']:.2f} | {r['render_s']:.2f} | {r['labels_s']:.2f} | {r['segmentation_s']:.2f} |"
        )
    print("\npipeline: all 20 labels in host memory, stages overlapped (SourceData._produce)")
    print("| size | device | images | batch | img/s | seconds |")
    print("|---|---|---|---|---|---|")
    for r in pipe_rows:
        print(
            f"| {r['image_size']} | {r['device']} | {r['n_images']} | {r['batch']} | {r['images_per_s']:.1f} | {r['seconds']:.2f} |"
        )
    print(
        "\nend to end (SourceData.prepare: the pipeline plus the cache files written and fsynced)"
    )
    print("| size | device | images | batch | img/s | seconds | MB written |")
    print("|---|---|---|---|---|---|---|")
    for r in dataset_rows:
        print(
            f"| {r['image_size']} | {r['device']} | {r['n_images']} | {r['batch']} | {r['images_per_s']:.1f} | {r['seconds']:.2f} | {r['megabytes']:.0f} |"
        )
    cores = os.cpu_count() or 1
    print("\nhost work per image in the worker processes (one thread, ms), and the bound it sets")
    print(
        f"| size | sample + pack | segment_unsup2d | segment_unsup25d | total | img/s per core | x {cores - 1} free cores |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in host_rows:
        print(
            f"| {r['image_size']} | {r['sample_and_pack_ms']:.2f} | {r['segment_unsup2d_ms']:.2f} | {r['segment_unsup25d_ms']:.2f} | {r['total_ms']:.2f} | {r['ceiling_per_core']:.0f} | {r['ceiling_per_core'] * max(cores - 1, 1):.0f} |"
        )


if __name__ == "__main__":
    main()
