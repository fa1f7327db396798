"""The zoo's command line: train a profile's networks into the zoo (shardable), or list its entries.

``python -m rsa_utils.zoo train --profile cpu --tasks a,b --archs small,taskonomy --shard i/n
[--target]`` and ``python -m rsa_utils.zoo ls``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import pandas as pd

from rsa_utils.nets import zoo
from rsa_utils.nets.models import ARCHS, check_arch
from rsa_utils.study.profiles import setup
from rsa_utils.world.tasks import TASK_NAMES, check_tasks


def _shard(spec: str) -> tuple[int, int]:
    try:
        i, n = (int(v) for v in spec.split("/"))
        assert 0 <= i < n
    except Exception:  # noqa: BLE001
        raise ValueError(f"--shard {spec!r}: expected i/n with 0 <= i < n") from None
    return i, n


def main(argv: Sequence[str] | None = None) -> int:
    """``train`` the zoo (shardable) or ``ls`` its entries."""
    ap = argparse.ArgumentParser(
        prog="python -m rsa_utils.zoo", description=zoo.__doc__.split("\n")[0]
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    tr = sub.add_parser("train", help="train (or check) models into the zoo")
    tr.add_argument("--profile", default="auto")
    tr.add_argument("--tasks", default=None, help="comma-separated task names (default: all 20)")
    tr.add_argument("--archs", default=",".join(ARCHS))
    tr.add_argument(
        "--shard",
        default="0/1",
        help="i/n: this worker's share of the (task, arch, replicate) jobs",
    )
    tr.add_argument("--target", action="store_true", help="also the target-task model (in shard 0)")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--device", default="auto")
    tr.add_argument("--cache-dir", default=None)
    tr.add_argument("--data", default="synthetic", help="synthetic | taskonomy (with --data-root)")
    tr.add_argument("--data-root", default=None)
    tr.add_argument(
        "--target-data", default="synthetic", help="synthetic | voc (with --target-root)"
    )
    tr.add_argument("--target-root", default=None)
    ls = sub.add_parser(
        "ls",
        help="list cached entries with their metrics (baseline as recorded at training; the "
        "book's quality gate recomputes it)",
    )
    ls.add_argument("--cache-dir", default=None)
    args = ap.parse_args(argv)
    if args.cmd == "ls":
        df = zoo.list_entries(args.cache_dir)
        with pd.option_context("display.max_rows", None, "display.width", 200):
            print(
                df.to_string(index=False)
                if len(df)
                else f"(no entries under {zoo.zoo_dir(args.cache_dir)})"
            )
        return 0
    study = setup(args.profile, args.device, args.seed, args.cache_dir, args.data, args.data_root,
                  args.target_data, args.target_root)  # fmt: skip
    device, profile, sources = study.device, study.profile, study.sources
    tasks = check_tasks(args.tasks, TASK_NAMES)
    archs = [check_arch(a.strip()) for a in args.archs.split(",") if a.strip()]
    i, n = _shard(args.shard)
    jobs = [(t, a, r) for t in tasks for a in archs for r in range(profile.replicates_of(t))][i::n]
    t0 = time.perf_counter()
    for t, a, r in jobs:
        zoo.get_record(
            t, a, profile, args.seed, device, args.cache_dir, sources=sources, replicate=r
        )
    if args.target and i == 0:
        zoo.get_target_record(profile, args.seed, device, args.cache_dir, sources=sources)
    print(f"[zoo] shard {i}/{n}: {len(jobs)} models ready in {time.perf_counter() - t0:.1f}s "
          f"(profile {profile.name}, device {device})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
