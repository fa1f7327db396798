"""How fast this machine trains: the seconds of one reference training step.

The runner measures it once at the start of every run (a few seconds) and records it with
each executed notebook, so that wall times measured on different machines can be compared:
machines of one kind differ by 1.4× in how fast they train the same networks
(``benchmarks/book.md``). The reference step is one training step of the ``cpu`` profile's
Taskonomy-architecture network (width-16 ResNet-50 encoder and dense decoder, task ``normal``):
a batch of 32 random 64-px images, L1 loss, Adam, channels_last, on one CPU thread (or on the
GPU when the run's device is one). It is ``benchmarks/compile_step.py``'s eager step, which
took :data:`BUDGET_MACHINE_STEP_S` on the machine the ``cpu`` profile's one-hour budget was set
on.
"""

from __future__ import annotations

import os
import statistics
import time

import torch

#: The environment variable through which a run hands its measurement to its child runners.
REFERENCE_ENV = "RSA_REFERENCE_STEP_S"
#: Seconds of the reference step on the machine the ``cpu`` budget was set on (the eager step of
#: ``benchmarks/compile_step.py``, ``benchmarks/learning.md``, "torch.compile does not pay").
BUDGET_MACHINE_STEP_S = 0.151


def reference_step_seconds(
    device: torch.device | str = "cpu",
    steps: int = 10,
    warmup: int = 3,
    compile: bool = False,
    blocks: int = 3,
) -> float:
    """Seconds of one reference training step (see the module docstring), on one thread on a
    CPU; ``compile``: through ``torch.compile``. After ``warmup`` untimed steps, ``blocks``
    blocks of ``steps`` steps are timed and the median of their means is returned: on a shared
    machine one block of 10 steps has measured anywhere from 170 to 236 ms within a minute."""
    from rsa_utils.nets.train import init_model
    from rsa_utils.study.profiles import get_profile

    if steps < 1 or warmup < 0 or blocks < 1:
        raise ValueError(f"steps={steps}, warmup={warmup}, blocks={blocks}: steps and blocks "
                         "must be >= 1 and warmup >= 0")  # fmt: skip
    device = torch.device(device)
    threads = torch.get_num_threads()
    try:
        if device.type == "cpu":
            torch.set_num_threads(1)
        model = init_model("normal", "taskonomy", get_profile("cpu"), 0).to(device)
        model = model.to(memory_format=torch.channels_last)
        g = torch.Generator().manual_seed(0)
        x = torch.rand(32, 3, 64, 64, generator=g).to(device, memory_format=torch.channels_last)
        y = torch.rand(32, 3, 64, 64, generator=g).to(device)
        opt = torch.optim.Adam(model.parameters(), 1e-3)
        f = torch.compile(model) if compile else model

        def step() -> None:
            opt.zero_grad()
            (f(x) - y).abs().mean().backward()
            opt.step()

        for _ in range(warmup):
            step()
        _sync(device)
        means = []
        for _ in range(blocks):
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            _sync(device)
            means.append((time.perf_counter() - t0) / steps)
        return statistics.median(means)
    finally:
        torch.set_num_threads(threads)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def recorded_or_measured(device: torch.device | str = "cpu") -> float:
    """The reference step of this run: the value a parent runner handed down
    (:data:`REFERENCE_ENV`), or a new measurement, which is then handed down to children."""
    if os.environ.get(REFERENCE_ENV):
        return float(os.environ[REFERENCE_ENV])
    seconds = reference_step_seconds(device)
    os.environ[REFERENCE_ENV] = repr(seconds)
    return seconds
