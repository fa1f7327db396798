"""Time of one training step with the metric-loss shortcut against the full embedding map.

Usage::

    python benchmarks/losses.py [--image-size 64] [--batch 32] [--width 16]

One thread, random inputs and labels of the right formats, the CPU. For each architecture, a
plain dense task (surface normals) as the reference and the metric-loss segmentation; then one
step of S2's readouts (all 20 targets on one source's representation). ``full map``: the loss of
the whole prediction (``task_loss(model(x))``); ``shortcut``: ``training_loss``, which applies
the metric-loss decoders' last convolution only at the sampled pixel pairs. Both give the same
loss and gradients (``tests/test_losses.py``). Writes ``benchmarks/losses.json``; ``--table``
prints the markdown of ``benchmarks/losses.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent


def fake_target(task, b: int, size: int) -> torch.Tensor:
    """Random labels of ``task``'s format for a batch of ``b`` images of ``size`` px."""
    if task.target == "segments":
        return torch.randint(0, 20, (b, size, size))
    if task.target == "dense_class":
        return torch.randint(0, task.out_channels, (b, size, size))
    if task.target == "class":
        return torch.randint(0, task.out_channels, (b,))
    if task.target == "ab":
        return torch.rand(b, 2, size, size) * 2 - 1
    if not task.dense:
        return torch.softmax(torch.randn(b, task.out_channels), 1)
    return torch.rand(b, task.out_channels, size, size)


def ms_per_step(step, repeats: int = 8, warm: int = 3) -> float:
    for _ in range(warm):
        step()
    t0 = time.perf_counter()
    for _ in range(repeats):
        step()
    return 1000 * (time.perf_counter() - t0) / repeats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--image-size", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--width", type=int, default=16)
    ap.add_argument("--out", default=str(HERE / "losses.json"))
    ap.add_argument("--table", action="store_true")
    args = ap.parse_args()
    if not args.table:
        from rsa_utils.nets.losses import task_loss, training_loss
        from rsa_utils.nets.models import build_model
        from rsa_utils.nets.transfer import Readout
        from rsa_utils.world.tasks import TASK_NAMES, get_task

        torch.set_num_threads(1)
        b, size = args.batch, args.image_size
        rows = []
        for arch in ("small", "taskonomy"):
            for name in ("normal", "segment_unsup2d"):
                task = get_task(name)
                model = build_model(name, arch, image_size=size, width=args.width).to(
                    memory_format=torch.channels_last
                )
                opt = torch.optim.Adam(model.parameters(), 1e-3)
                x = torch.rand(b, 3, size, size).contiguous(memory_format=torch.channels_last)
                y = fake_target(task, b, size)

                def step(short: bool, task=task, model=model, opt=opt, x=x, y=y) -> None:
                    g = torch.Generator().manual_seed(0)
                    loss = (training_loss(task, model.decoder, model.encode(x), y, g) if short
                            else task_loss(task, model(x), y, generator=g))  # fmt: skip
                    opt.zero_grad()
                    loss.backward()
                    opt.step()

                rows.append({"what": f"{arch} {name}", "full_ms": ms_per_step(lambda: step(False)),
                             "shortcut_ms": ms_per_step(lambda: step(True))})  # fmt: skip
        heads = {n: Readout(get_task(n), size) for n in TASK_NAMES}
        opt = torch.optim.Adam([p for h in heads.values() for p in h.parameters()], 1e-3)
        z = torch.randn(b, 8, size // 16, size // 16)
        ys = {n: fake_target(get_task(n), b, size) for n in TASK_NAMES}

        def readout_step(short: bool) -> None:
            g = torch.Generator().manual_seed(0)
            loss = sum((training_loss(n, heads[n].decoder, heads[n].transfer(z), ys[n], g) if short
                        else task_loss(n, heads[n](z), ys[n], generator=g)) for n in TASK_NAMES)  # fmt: skip
            opt.zero_grad()
            loss.backward()
            opt.step()

        rows.append({"what": "S2 readouts, 20 targets", "full_ms": ms_per_step(lambda: readout_step(False), 4, 2),
                     "shortcut_ms": ms_per_step(lambda: readout_step(True), 4, 2)})  # fmt: skip
        meta = {"machine": f"{platform.machine()}, 1 thread", "batch": b, "image_size": size, "width": args.width,
                "torch": torch.__version__}  # fmt: skip
        Path(args.out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    got = json.loads(Path(args.out).read_text())
    m = got["meta"]
    print(
        f"Run: {m['machine']}, batch {m['batch']} of {m['image_size']} px, ResNet width {m['width']}, torch {m['torch']}.\n"
    )
    print("| training step | full map (ms) | shortcut (ms) | speed-up |\n|---|---|---|---|")
    for r in got["rows"]:
        print(
            f"| {r['what']} | {r['full_ms']:.0f} | {r['shortcut_ms']:.0f} | {r['full_ms'] / r['shortcut_ms']:.2f}× |"
        )


if __name__ == "__main__":
    main()
