"""One training step of the width-16 ResNet-50 (Taskonomy architecture, task ``normal``, batch
32, 64 px, one thread, channels_last), eager against ``torch.compile``: the first step's seconds
(compilation included) and the mean of 20 steps after 3 of warm-up.

Usage::

    python benchmarks/compile_step.py eager
    python benchmarks/compile_step.py compile

Result on this project's 2-core CPU: benchmarks/learning.md ("Batch size against steps, and
torch.compile").
"""

from __future__ import annotations

import sys
import time

import torch


def main() -> None:
    from rsa_utils.nets.train import init_model
    from rsa_utils.study.profiles import get_profile

    mode = sys.argv[1] if len(sys.argv) > 1 else "eager"
    if mode not in ("eager", "compile"):
        raise SystemExit(f"mode {mode!r} is not allowed; use eager or compile")
    torch.set_num_threads(1)
    model = init_model("normal", "taskonomy", get_profile("cpu"), 0)
    model = model.to(memory_format=torch.channels_last)
    x = torch.rand(32, 3, 64, 64).to(memory_format=torch.channels_last)
    y = torch.rand(32, 3, 64, 64)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    f = torch.compile(model) if mode == "compile" else model

    def step() -> None:
        opt.zero_grad()
        (f(x) - y).abs().mean().backward()
        opt.step()

    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(20):
        step()
    print(
        f"{mode}: first step {first:.1f} s, then {(time.perf_counter() - t0) / 20:.3f} s per step"
    )


if __name__ == "__main__":
    main()
