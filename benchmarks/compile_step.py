"""One training step of the width-16 ResNet-50 (Taskonomy architecture, task ``normal``, batch
32, 64 px, one thread, channels_last), eager against ``torch.compile``: the mean of 20 steps
after 3 of warm-up (the first of which includes the compilation). The eager step is the
runner's reference step (:mod:`rsa_utils.study.calibration`).

Usage::

    python benchmarks/compile_step.py eager
    python benchmarks/compile_step.py compile

Result on this project's 2-core CPU: benchmarks/learning.md ("Batch size against steps, and
torch.compile").
"""

from __future__ import annotations

import sys

from rsa_utils.study.calibration import reference_step_seconds


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "eager"
    if mode not in ("eager", "compile"):
        raise SystemExit(f"mode {mode!r} is not allowed; use eager or compile")
    seconds = reference_step_seconds(steps=20, warmup=3, compile=mode == "compile")
    print(f"{mode}: {seconds:.3f} s per step")


if __name__ == "__main__":
    main()
