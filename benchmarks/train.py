"""Training speed: the full pipeline vs a bare loop, and the time of a whole profile's zoo.

Usage::

    python benchmarks/train.py throughput [--profile cpu] [--device cpu] [--steps 20]
    python benchmarks/train.py zoo [--profile cpu] [--steps 6]
    python benchmarks/train.py all            # both, on this machine (cpu; + gpu profile if CUDA)

``throughput``: images/s of :func:`rsa_utils.train.fit` on the real cached dataset (batch
gather from the memory-mapped cache, label decoding, task input, forward, loss, backward, Adam;
what the zoo runs) against a bare loop on fixed random tensors of the same shapes already on
the device (forward, loss, backward, Adam only), for both architectures; the ratio
pipeline / bare is the pipeline's efficiency (goal on GPU: >= 0.9). Task ``normal`` (a dense
3-channel L1 task, the common case). Rendering is excluded (``prepare()`` first).

``zoo``: seconds per step of every (task, arch) of the profile, measured on random stand-in
data (``RandomData`` of ``tests/fakes.py``) after warm-up, times ``profile.steps``, plus the
evaluation passes, summed: the estimated wall time of ``python -m rsa_utils.zoo train`` for the
profile (rendering the dataset excluded; see benchmarks/render.py).

Prints markdown rows and writes ``benchmarks/train.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

from rsa_utils import train as T
from rsa_utils.losses import task_loss
from rsa_utils.models import ARCHS
from rsa_utils.profiles import get_profile, resolve_device
from rsa_utils.tasks import TASK_NAMES, get_task

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from fakes import RandomData, random_labels  # noqa: E402  (the test fakes)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_loop(arch: str, profile, device: torch.device, steps: int, task: str = "normal") -> float:
    """Images/s of forward + loss + backward + Adam on fixed random tensors already on ``device``."""
    t = get_task(task)
    model = T.init_model(t, arch, profile, 0).to(device).train()
    cuda = device.type == "cuda"
    if cuda:
        model.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=profile.lr)
    g = torch.Generator().manual_seed(0)
    b, s = profile.batch_size, profile.image_size
    x = torch.rand(b, 3, s, s, generator=g).to(device)
    if cuda:
        x = x.contiguous(memory_format=torch.channels_last)
    y = random_labels(t, b, s, g).to(device)
    warm = max(3, steps // 5)
    for i in range(warm + steps):
        if i == warm:
            _sync(device)
            t0 = time.perf_counter()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
            pred = model(x)
        loss = task_loss(t, pred, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    _sync(device)
    return steps * b / (time.perf_counter() - t0)


def pipeline_loop(
    arch: str, profile, device: torch.device, steps: int, task: str = "normal", data=None
) -> float:
    """Images/s of :func:`rsa_utils.train.fit` (data + step), rendering excluded."""
    t = get_task(task)
    if data is None:
        n = min(profile.n_train, 256)
        data = T.load_source_data("train", n, image_size=profile.image_size, seed=0, cache_dir=None,
                                  device=device, tasks=[t.name]).prepare()  # fmt: skip
    model = T.init_model(t, arch, profile, 0)
    warm = max(3, steps // 5)
    T.fit(
        model,
        t,
        data,
        T.TrainConfig(warm, profile.batch_size, profile.lr),
        device,
        show_progress=False,
    )
    _sync(device)
    t0 = time.perf_counter()
    T.fit(
        model,
        t,
        data,
        T.TrainConfig(steps, profile.batch_size, profile.lr),
        device,
        show_progress=False,
    )
    _sync(device)
    return steps * profile.batch_size / (time.perf_counter() - t0)


def throughput(
    profile_name: str, device: torch.device, steps: int, repeats: int = 3, **overrides
) -> list[dict]:
    profile = get_profile(profile_name, **overrides)
    rows = []
    t0 = time.perf_counter()
    n = min(profile.n_train, 256)
    data = T.load_source_data("train", n, image_size=profile.image_size, seed=0, cache_dir=None,
                              device=device, tasks=["normal"]).prepare()  # fmt: skip
    print(f"(dataset ready in {time.perf_counter() - t0:.1f}s)", flush=True)
    if device.type == "cuda":  # what fit() does on CUDA, once here instead of in every timed call
        t0 = time.perf_counter()
        data = T.DeviceData(data, device)
        print(f"(copied to the GPU in {time.perf_counter() - t0:.2f}s)", flush=True)
    for arch in ARCHS:
        # interleaved repeats, best of each: robust to other load on the machine
        bare = max(bare_loop(arch, profile, device, steps) for _ in range(repeats))
        pipe = max(pipeline_loop(arch, profile, device, steps, data=data) for _ in range(repeats))
        rows.append({"profile": profile.name, "device": str(device), "arch": arch,
                     "image_size": profile.image_size, "batch_size": profile.batch_size,
                     "resnet_width": profile.resnet_width, "bare_img_s": round(bare, 1),
                     "pipeline_img_s": round(pipe, 1), "ratio": round(pipe / bare, 3)})  # fmt: skip
        r = rows[-1]
        print(f"| {r['profile']} | {r['device']} | {arch} | {r['image_size']} | {r['batch_size']} | "
              f"{r['bare_img_s']} | {r['pipeline_img_s']} | {r['ratio']} |", flush=True)  # fmt: skip
    return rows


def zoo_estimate(profile_name: str, device: torch.device, steps: int, **overrides) -> dict:
    """Estimated seconds to train the whole zoo of ``profile_name`` (all tasks x both archs)."""
    profile = get_profile(profile_name, **overrides)
    per: dict[str, float] = {}
    for arch in ARCHS:
        for name in TASK_NAMES:
            t = get_task(name)
            data = RandomData(max(2 * profile.batch_size, 64), profile.image_size, [name], seed=0)
            model = T.init_model(t, arch, profile, 0)
            T.fit(
                model,
                t,
                data,
                T.TrainConfig(2, profile.batch_size, profile.lr),
                device,
                show_progress=False,
            )
            _sync(device)
            t0 = time.perf_counter()
            T.fit(
                model,
                t,
                data,
                T.TrainConfig(steps, profile.batch_size, profile.lr),
                device,
                show_progress=False,
            )
            _sync(device)
            step_s = (time.perf_counter() - t0) / steps
            t0 = time.perf_counter()
            T.evaluate(model, t, data, profile.batch_size, device)
            eval_img_s = (time.perf_counter() - t0) / len(data)
            total = step_s * profile.recipe(arch, name)[0] + eval_img_s * (
                profile.n_val + profile.n_test
            )
            per[f"{name}/{arch}"] = round(total, 2)
            print(
                f"  {name:18s} {arch:9s} {1000 * step_s:7.1f} ms/step -> {total:6.1f} s", flush=True
            )
    tgt = get_task("segment_semantic")
    target_s = np.mean([per[f"{tgt.name}/small"]]) / profile.steps * profile.target_steps
    small = sum(v for k, v in per.items() if k.endswith("/small"))
    big = sum(v for k, v in per.items() if k.endswith("/taskonomy"))
    out = {"profile": profile.name, "overrides": overrides, "device": str(device),
           "small_s": round(small, 1), "taskonomy_s": round(big, 1), "target_s": round(float(target_s), 1),
           "total_s": round(small + big + float(target_s), 1), "per_model_s": per}  # fmt: skip
    print(f"| {profile.name} {overrides or ''} | {device} | {out['small_s']} | {out['taskonomy_s']} | "
          f"{out['target_s']} | {out['total_s']} |", flush=True)  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=("throughput", "zoo", "all"))
    ap.add_argument("--profile", default=None)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--set", action="append", default=[], help="profile override key=value (zoo)")
    ap.add_argument("--out", default=str(HERE / "train.json"))
    args = ap.parse_args()
    device = resolve_device(args.device)
    overrides = {
        k: type(getattr(get_profile("cpu"), k))(v) for k, v in (s.split("=") for s in args.set)
    }
    record = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
              "torch": torch.__version__, "threads": torch.get_num_threads(),
              "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
              "time": time.strftime("%Y-%m-%d %H:%M:%S")}  # fmt: skip
    if args.what in ("throughput", "all"):
        print("| profile | device | arch | px | batch | bare img/s | pipeline img/s | ratio |")
        print("|---|---|---|---|---|---|---|---|")
        names = (
            [args.profile] if args.profile else ["cpu"] + (["gpu"] if device.type == "cuda" else [])
        )
        record["throughput"] = []
        for name in names:
            dev = torch.device("cpu") if name == "cpu" else device
            record["throughput"] += throughput(name, dev, args.steps, **overrides)
    if args.what in ("zoo", "all"):
        print("| profile | device | small s | taskonomy s | target s | total s |")
        print("|---|---|---|---|---|---|")
        record["zoo"] = zoo_estimate(
            args.profile or "cpu", device, max(3, args.steps // 3), **overrides
        )
    Path(args.out).write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
