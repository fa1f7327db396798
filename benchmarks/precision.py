"""bf16 autocast against float32 in training on the CPU: time per network, relative quality and
the agreement of two replicates (the noise ceiling), in one run on one machine.

Usage::

    python benchmarks/precision.py [--profile cpu] [--workers 2] [--cache-dir DIR] [--quick]

Every network is trained with the profile's recipe, seed 0, replicates 0 and 1 of the Taskonomy
architecture and replicate 0 of the small model, once with ``precision="fp32"`` and once with
``"bf16"`` (weights, gradients and Adam stay float32; only forward passes run in bfloat16).
RSA is Spearman's correlation between the RDMs of two networks' representations of the
profile's ``n_rsa`` RSA images: between replicates 0 and 1 (the ceiling), and between the fp32
and bf16 networks of one seed. Writes ``benchmarks/precision.json``; ``--table`` prints the
markdown of ``benchmarks/precision.md``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
TASKS = ("normal", "depth_zbuffer", "edge_texture", "class_object")
PRECISIONS = ("fp32", "bf16")


def plan(quick: bool) -> list[dict]:
    """The runs: task, arch, precision, replicate (longest first)."""
    runs = [dict(task=t, arch=a, precision=p, replicate=r)
            for a, reps in (("taskonomy", (0, 1)), ("small", (0,)))
            for t in TASKS for p in PRECISIONS for r in reps]  # fmt: skip
    return runs[:4] + runs[-2:] if quick else runs


def _profile(name: str, precision: str, quick: bool):
    from rsa_utils.profiles import get_profile

    over = {"precision": precision}
    if quick:
        over.update(steps=5, n_rsa=24)
    return get_profile(name, **over)


def run_one(spec: dict, profile_name: str, cache_dir: str | None, quick: bool) -> dict:
    """Train one network; its relative quality, seconds and RDM (condensed, as a list)."""
    from rsa_utils import train
    from rsa_utils.data.datasets import source_data
    from rsa_utils.rsa import core as rsa
    from rsa_utils.rsa.features import images_of, model_rdm
    from rsa_utils.task_models import relative_quality
    from rsa_utils.tasks import get_task

    torch.set_num_threads(1)
    P = _profile(profile_name, spec["precision"], quick)
    res, rec = train.train_task_model(spec["task"], spec["arch"], P, seed=0, cache_dir=cache_dir,
                                      replicate=spec["replicate"], show_progress=False)  # fmt: skip
    hib = get_task(spec["task"]).metric in ("accuracy", "miou")
    rsa_set = source_data("rsa", P.n_rsa, image_size=P.image_size, seed=0, cache_dir=cache_dir)
    rdm = model_rdm(res.model, images_of(rsa_set), device="cpu")
    return {**spec, "seconds": rec["seconds"], "steps": rec["steps"],
            "relative_quality": relative_quality(rec["metric"], rec["baseline"], hib),
            "rdm": rsa.upper_triangle(rdm).reshape(-1).tolist()}  # fmt: skip


def summarise(results: list[dict]) -> list[dict]:
    """One row per (task, arch): seconds, relative quality and RSA under each precision."""
    from scipy.stats import spearmanr

    def get(t, a, p, r):
        return next(
            (
                x
                for x in results
                if (x["task"], x["arch"], x["precision"], x["replicate"]) == (t, a, p, r)
            ),
            None,
        )

    rows = []
    for a in ("taskonomy", "small"):
        for t in TASKS:
            row = {"task": t, "arch": a}
            for p in PRECISIONS:
                r0, r1 = get(t, a, p, 0), get(t, a, p, 1)
                if r0 is None:
                    continue
                row[f"s_{p}"] = r0["seconds"]
                row[f"rq_{p}"] = r0["relative_quality"]
                if r1 is not None:
                    row[f"ceiling_{p}"] = float(spearmanr(r0["rdm"], r1["rdm"])[0])
            f, b = get(t, a, "fp32", 0), get(t, a, "bf16", 0)
            if f and b:
                row["rsa_fp32_bf16"] = float(spearmanr(f["rdm"], b["rdm"])[0])
            rows.append(row)
    return rows


def table(rows: list[dict], meta: dict) -> str:
    """The markdown of benchmarks/precision.md."""

    def fmt(v, spec=".3f"):
        return "–" if v is None else format(v, spec)

    lines = [f"Run: {meta['machine']}, profile `{meta['profile']}` ({meta['steps']} steps), "
             f"{meta['workers']} networks side by side (one thread each), {meta['wall_s'] / 60:.1f} min wall.", "",
             "| task | arch | s fp32 | s bf16 | speed-up | quality fp32 | quality bf16 | ceiling fp32 | ceiling bf16 | RSA fp32 vs bf16 (one seed) |",
             "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        lines.append(f"| {r['task']} | {r['arch']} | {fmt(r.get('s_fp32'), '.0f')} | {fmt(r.get('s_bf16'), '.0f')} | "
                     f"{fmt(r['s_fp32'] / r['s_bf16'] if 's_bf16' in r and 's_fp32' in r else None, '.2f')}× | {fmt(r.get('rq_fp32'))} | {fmt(r.get('rq_bf16'))} | "
                     f"{fmt(r.get('ceiling_fp32'))} | {fmt(r.get('ceiling_bf16'))} | {fmt(r.get('rsa_fp32_bf16'))} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument(
        "--quick", action="store_true", help="5 steps per network (a test of the script)"
    )
    ap.add_argument("--out", default=str(HERE / "precision.json"))
    ap.add_argument("--table", action="store_true", help="print the markdown of an earlier run")
    args = ap.parse_args()
    if args.table:
        got = json.loads(Path(args.out).read_text())
        print(table(got["rows"], got["meta"]))
        return
    from tqdm.auto import tqdm

    runs = plan(args.quick)
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(args.workers, mp_context=ctx) as pool:
        futs = [pool.submit(run_one, r, args.profile, args.cache_dir, args.quick) for r in runs]
        results = [f.result() for f in tqdm(futs, desc="networks")]
    rows = summarise(results)
    meta = {"machine": f"{platform.machine()}, {multiprocessing.cpu_count()} cores", "profile": args.profile,
            "steps": results[0]["steps"], "workers": args.workers, "wall_s": time.perf_counter() - t0}  # fmt: skip
    Path(args.out).write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    print(table(rows, meta))


if __name__ == "__main__":
    main()
