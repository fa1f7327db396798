"""Benchmark: the 20-task similarity matrix (n images, d features per task) vs rsatoolbox.

Both compute RDMs (feature-centred correlation distance) of 20 feature sets and the 20 x 20
Spearman matrix between them, on the same data in the same run. Prints and records the ratio.

    .venv/bin/python benchmarks/rsa_core.py [--n 2000] [--d 2048] [--tasks 20] [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

from rsa_utils import rsa


def ours(features: np.ndarray, device: str) -> np.ndarray:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return rsa.similarity_matrix(
        rsa.condensed_rdms(features, device=device), device=device
    ).to_numpy()


def rsatoolbox_reference(features: np.ndarray) -> np.ndarray:
    import rsatoolbox

    rdms = []
    for f in features:
        ds = rsatoolbox.data.Dataset(f - f.mean(axis=0, keepdims=True))  # centre features as ours
        rdms.append(rsatoolbox.rdm.calc_rdm(ds, method="correlation").dissimilarities[0])
    all_rdms = rsatoolbox.rdm.RDMs(np.stack(rdms), dissimilarity_measure="correlation")
    return rsatoolbox.rdm.compare(all_rdms, all_rdms, method="spearman")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--d", type=int, default=2048)
    ap.add_argument("--tasks", type=int, default=20)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--record", type=Path, default=Path(__file__).with_name("rsa_core.json"))
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    # features with shared structure so that the similarity matrix is not all ~0
    base = rng.standard_normal((args.n, args.d), dtype=np.float32)
    feats = np.stack([base * rng.uniform(0.2, 1) + rng.standard_normal((args.n, args.d), dtype=np.float32)
                      for _ in range(args.tasks)])  # fmt: skip
    ours(feats[:2, :50], args.device)  # warm-up
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        s_ours = ours(feats, args.device)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    s_ref = rsatoolbox_reference(feats)
    t_ref = time.perf_counter() - t0
    err = float(np.abs(s_ours - s_ref).max())
    rec = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores" if args.device == "cpu" else args.device,
        "n": args.n, "d": args.d, "tasks": args.tasks, "device": args.device,
        "ours_s": round(min(times), 2), "ours_all_s": [round(t, 2) for t in times],
        "rsatoolbox_s": round(t_ref, 2), "speedup": round(t_ref / min(times), 1), "max_abs_diff": err,
    }  # fmt: skip
    print(json.dumps(rec, indent=1))
    args.record.write_text(json.dumps(rec, indent=1) + "\n")
    assert err < 1e-6, f"results differ by {err}"


if __name__ == "__main__":
    main()
