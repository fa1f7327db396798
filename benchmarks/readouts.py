"""Transfer readouts (S2): does a longer or larger readout training make a target's own encoder
its best source, and at what CPU cost?

Usage::

    python benchmarks/readouts.py [--targets T ...] [--settings 240x32 80x96 80x32:taskonomy]
                                  [--only 80x96=T,T,...] [--budget-min 35] [--table]

S2's sanity check (a target's own encoder should be its best source) held for 6 of 20 targets
on the ``cpu`` profile when its readouts trained ``transfer_steps`` = 80 steps of batch 32 on 512
images (since 2026-12-03: 160 steps of 16, chosen with this script). For a subset of targets
and **all 20 sources** this script reads the cached frozen Taskonomy-architecture encoders of
the zoo (it never trains them), computes each source's representations of the readout
training and test images once, and trains the readouts with
:func:`rsa_utils.transfer.train_readouts` under several settings (``STEPSxBATCH[@LR][:DECODER]``;
the decoder is one of :data:`rsa_utils.transfer.READOUT_DECODERS`, default ``small``; the schedule,
warm-up and seeds are the profile's, as in :func:`rsa_utils.transfer.transfer_losses`):

* ``80x32`` — today's setting. Its losses are in the zoo already (``transfer`` entries of the
  20 targets); the readouts are retrained from ``--verify`` sources, checked to equal the cache
  and timed, and the other sources are read from the cache (``--no-cache`` retrains them all);
* ``240x32`` — three times the steps;
* ``80x96`` — the same number of epochs as ``240x32`` in a third of the steps;
* ``240x32@0.003`` — 240 steps at a lower peak learning rate;
* ``80x32:taskonomy`` — today's steps, the readouts ending in the Taskonomy network's decoder
  (the one each source network was trained with) instead of Table S1's small decoder.

Per (setting, target): the own source's rank by mean test loss (0 = best), the best source,
the own loss and the median over sources, and the own source's rank by the AHP affinity that
the notebook's check uses (:func:`rsa_utils.taxonomy.affinity_matrix`), and the readouts'
relative quality (1 - test loss / the trivial baseline's, own / best / median source). Per
(setting, source):
seconds of readout training, all targets of the subset at once.

``--only SETTING=T,T,...`` restricts the targets a setting *ranks* (trained from all sources);
the setting's other targets are then trained from the first ``--cost-sources`` sources only,
for the timing. Cost of S2 (20 sources × 20 targets, ``--s2-workers`` processes of one thread):
the per-step cost of all 20 targets' readouts at each batch size is measured on one source
(runs of 5 and 15 steps: slope and intercept), plus data and representation seconds per
source. ``--budget-min``: a setting whose projected time (from its first source) would end
past the budget is cut and recorded as such. ``--n-test N`` ranks the sources on N test images
instead of the profile's ``n_test`` (rendered into the cache; every readout is then retrained).
The anchor of the cost columns is the profile's own setting (``meta["today"]``; ``80x32`` in runs
made before it was recorded). Writes ``benchmarks/readouts.json`` and
``benchmarks/readouts.md``; ``--table`` rewrites the markdown from the JSON (with
``--conclusion TEXT`` stored into the JSON first).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import re
import time
from pathlib import Path

import numpy as np
import torch

from rsa_utils.paths import portable

HERE = Path(__file__).resolve().parent
DEFAULT_TARGETS = ("colorization", "segment_unsup2d", "edge_occlusion", "vanishing_point",
                   "depth_zbuffer", "keypoints3d", "reshading", "class_object")  # fmt: skip
DEFAULT_SETTINGS = ("80x32", "240x32", "80x96", "240x32@0.003")
#: The anchor setting of runs that predate ``meta["today"]`` (the ``cpu`` profile's until 2026-12-03).
TODAY = "80x32"


def parse_setting(spec: str, default_lr: float) -> dict:
    """``STEPSxBATCH[@LR][:DECODER]`` → {name, steps, batch, lr, decoder} (decoder: one of
    :data:`rsa_utils.transfer.READOUT_DECODERS`, default ``small``)."""
    m = re.fullmatch(r"(\d+)x(\d+)(?:@([0-9.eE-]+))?(?::(\w+))?", spec)
    if not m:
        raise ValueError(f"setting {spec!r}: use STEPSxBATCH[@LR][:DECODER], e.g. 240x32@0.003 "
                         "or 80x32:taskonomy")  # fmt: skip
    from rsa_utils.transfer import READOUT_DECODERS

    if m[4] and m[4] not in READOUT_DECODERS:
        raise ValueError(
            f"setting {spec!r}: decoder {m[4]!r}; allowed: {', '.join(READOUT_DECODERS)}"
        )
    return {"name": spec, "steps": int(m[1]), "batch": int(m[2]),
            "lr": float(m[3]) if m[3] else default_lr, "decoder": m[4] or "small"}  # fmt: skip


def cost_key(setting: dict) -> str:
    """The calibration entry of a setting: its batch, and its decoder unless ``small``."""
    dec = setting.get("decoder", "small")
    return str(setting["batch"]) + ("" if dec == "small" else f":{dec}")


def own_stats(loss: np.ndarray, sources: list[str], target: str, ahp, base: float) -> dict:
    """Rank statistics of ``target``'s own source from its (S, N) test losses and its AHP
    affinities ``ahp`` (a Series over sources); ``base``: the trivial baseline's mean test loss,
    which gives each readout's relative quality 1 - loss / base (own, best, median source)."""
    mean = loss.mean(1)
    order = np.argsort(mean, kind="stable")
    names = [sources[i] for i in order]
    own = sources.index(target)
    rq = 1 - mean / base
    return {
        "own_rq": float(rq[own]), "best_rq": float(rq.max()), "median_rq": float(np.median(rq)),
        "own_rank": names.index(target), "best": names[0], "top3": names[:3],
        "own_loss": float(mean[own]), "best_loss": float(mean[order[0]]),
        "median_loss": float(np.median(mean)),
        "ahp_rank": int(ahp.rank(ascending=False, method="min")[target]) - 1,
        "ahp_best": str(ahp.idxmax()),
    }  # fmt: skip


def baseline_loss(target: str, y_train: torch.Tensor, y_test: torch.Tensor) -> float:
    """Mean test loss of the trivial baseline (the best constant, fitted on the readouts' training
    labels; for the metric-loss tasks the pair probability, :func:`rsa_utils.losses.baseline_metric`)."""
    from rsa_utils.losses import baseline_metric, baseline_prediction, fit_baseline, task_loss
    from rsa_utils.tasks import get_task

    fitted = fit_baseline(target, y_train)
    g = torch.Generator().manual_seed(4242)
    if get_task(target).loss == "metric":
        return float(baseline_metric(target, fitted, y_test, generator=g).mean())
    return float(task_loss(target, baseline_prediction(fitted, len(y_test)), y_test))


class Bench:
    """Data, representations and readout training of one study."""

    def __init__(self, study, targets: list[str], n_test: int | None = None) -> None:
        from rsa_utils import transfer, zoo
        from rsa_utils.datasets import source_data
        from rsa_utils.tasks import TASK_NAMES

        self.study, self.P, self.targets = study, study.profile, targets
        self.sources = list(TASK_NAMES)
        P, st = self.P, study
        t0 = time.perf_counter()
        kw = dict(image_size=P.image_size, seed=st.seed, tasks=list(TASK_NAMES), cache_dir=st.cache_dir,
                  **st.sources.source_kwargs())  # fmt: skip
        train = source_data("val", P.transfer_train, **kw)
        self.n_test = n_test or P.n_test
        test = source_data("test", self.n_test, **kw)
        (self.x_tr, self.y_tr), (self.x_te, self.y_te) = (
            train.batch(slice(None), "cpu"),
            test.batch(slice(None), "cpu"),
        )
        self.data_s = time.perf_counter() - t0
        self.base = {t: baseline_loss(t, self.y_tr[t], self.y_te[t]) for t in TASK_NAMES}
        self.z: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
        self.repr_s: dict[str, float] = {}
        from tqdm.auto import tqdm

        for s in tqdm(self.sources, desc="representations"):
            t0 = time.perf_counter()
            model = zoo.get_model(s, "taskonomy", P, seed=st.seed, device="cpu", cache_dir=st.cache_dir,
                                  sources=st.sources, show_progress=False)  # fmt: skip
            self.z[s] = (transfer._representations(model, self.x_tr, "cpu", P.image_size),
                         transfer._representations(model, self.x_te, "cpu", P.image_size))  # fmt: skip
            self.repr_s[s] = time.perf_counter() - t0

    def train(
        self, source: str, targets: list[str], setting: dict
    ) -> tuple[dict[str, np.ndarray], float]:
        """Per-image test losses of ``source``'s readouts to ``targets``, and training seconds."""
        from rsa_utils import transfer

        P = self.P
        z_tr, z_te = self.z[source]
        t0 = time.perf_counter()
        out = transfer.train_readouts(
            z_tr, {t: self.y_tr[t] for t in targets}, z_te, {t: self.y_te[t] for t in targets},
            steps=setting["steps"], batch_size=setting["batch"], lr=setting["lr"], seed=self.study.seed,
            device="cpu", image_size=P.image_size, desc=f"{setting['name']} {source}", source=source,
            schedule=P.schedule, warmup=P.warmup, decoder=setting.get("decoder", "small"),
            width=P.resnet_width,
        )  # fmt: skip
        return out, time.perf_counter() - t0

    def cached_today(self, source: str) -> dict[str, np.ndarray] | None:
        """The zoo's losses of today's readouts from ``source`` (all 20 targets), or None."""
        from rsa_utils import transfer, zoo
        from rsa_utils.tasks import TASK_NAMES

        key = transfer.transfer_key(
            source, list(TASK_NAMES), self.P, self.study.seed, self.study.sources
        )
        entry = zoo.Entry("transfer", key, self.study.cache_dir)
        status, meta = entry.check()
        if status != "ok":
            return None
        return {t: v.numpy() for t, v in entry.load().items()} | {
            "_seconds": meta["record"]["seconds"]
        }


def calibrate(bench: Bench, settings: list[dict], steps=(5, 15)) -> dict:
    """Seconds of all 20 targets' readouts on one source for each batch size and decoder of
    ``settings``: per step + fixed, keyed by :func:`cost_key`."""
    from rsa_utils.tasks import TASK_NAMES

    src = "normal"
    out = {}
    for key in sorted({cost_key(s) for s in settings}):
        b, _, dec = key.partition(":")
        t = {}
        for n in steps:
            _, t[n] = bench.train(src, list(TASK_NAMES), {"name": f"calibrate {n}x{key}", "steps": n, "batch": int(b),
                                                          "lr": bench.P.lr, "decoder": dec or "small"})  # fmt: skip
        per_step = (t[steps[1]] - t[steps[0]]) / (steps[1] - steps[0])
        out[key] = {"per_step_s": per_step, "fixed_s": max(0.0, t[steps[0]] - steps[0] * per_step),
                       "runs": {str(k): v for k, v in t.items()}}  # fmt: skip
    return out


def s2_estimate(meta: dict, setting: dict, workers: int) -> dict:
    """Seconds per source and S2 minutes (20 sources × 20 targets on ``workers`` processes)."""
    cal = meta["calibration"][cost_key(setting)]
    prep = meta["data_s"] / 20 + float(np.mean(list(meta["repr_s"].values())))
    per_source = cal["fixed_s"] + setting["steps"] * cal["per_step_s"] + prep
    return {"per_source_s": per_source, "s2_min": 20 * per_source / workers / 60}


def run(args) -> dict:
    from tqdm.auto import tqdm

    from rsa_utils import profiles, taxonomy
    from rsa_utils.tasks import check_tasks

    study = profiles.setup(
        args.profile, "cpu", args.seed, args.cache_dir, "synthetic", None, "synthetic", None
    )
    P = study.profile
    targets = list(check_tasks(args.targets))
    settings = [parse_setting(s, P.lr) for s in args.settings]
    only = {}
    for spec in args.only:
        name, _, ts = spec.partition("=")
        only[name] = [t for t in targets if t in set(ts.split(","))]
    t_start = time.perf_counter()
    bench = Bench(study, targets, args.n_test)
    meta = {
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip() + f", {multiprocessing.cpu_count()} cores",
        "profile": P.name, "threads": torch.get_num_threads(), "transfer_train": P.transfer_train,
        "n_test": bench.n_test, "today": f"{P.transfer_steps}x{P.transfer_batch}", "schedule": P.schedule, "warmup": P.warmup, "profile_lr": P.lr,
        "targets": targets, "sources": bench.sources, "s2_workers": args.s2_workers,
        "data_s": bench.data_s, "repr_s": bench.repr_s, "budget_min": args.budget_min, "cut": [],
    }  # fmt: skip
    meta["calibration"] = calibrate(bench, [parse_setting(meta["today"], P.lr), *settings])
    meta["baseline_loss"] = bench.base
    # today's readouts as built for the book (all 20 targets, in the zoo's records): seconds per source
    rec = [c["_seconds"] for c in map(bench.cached_today, bench.sources) if c is not None]
    meta["today_zoo_s_per_source"] = float(np.mean(rec)) if rec else None
    meta["today_s2_min"] = args.today_s2_min
    results: list[dict] = []

    def save():
        meta["wall_s"] = time.perf_counter() - t_start
        Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, indent=1))

    save()
    for setting in settings:
        ranked = only.get(setting["name"], targets)
        cost_only = [t for t in targets if t not in ranked]
        losses: dict[str, list[np.ndarray]] = {t: [] for t in ranked}
        secs: dict[str, float] = {}
        cost_s: dict[str, float] = {}
        verify: dict[str, bool] = {}
        use_cache = (setting["name"] == meta["today"] and not args.no_cache and setting["lr"] == P.lr
                     and meta["n_test"] == P.n_test)  # fmt: skip
        cut, n_cached = False, 0
        for i, s in enumerate(tqdm(bench.sources, desc=f"setting {setting['name']}")):
            cached = bench.cached_today(s) if use_cache else None
            if cached is not None and i >= args.verify:
                for t in ranked:
                    losses[t].append(cached[t])
                n_cached += 1
                continue
            got, secs[s] = bench.train(s, ranked, setting)
            if cost_only and i < args.cost_sources:
                _, cost_s[s] = bench.train(s, cost_only, setting)
            if cached is not None:
                verify[s] = all(np.array_equal(got[t], cached[t]) for t in ranked)
                if not verify[s]:
                    tqdm.write(
                        f"{s}: retrained losses differ from the cache; training every source"
                    )
                    use_cache = False
            for t in ranked:
                losses[t].append(got[t])
            if i == 0 and args.budget_min:
                left = args.budget_min * 60 - (time.perf_counter() - t_start)
                todo = (
                    (args.verify - 1) * secs[s] if use_cache else (len(bench.sources) - 1) * secs[s]
                )
                if todo > left:
                    meta["cut"].append({"setting": setting["name"], "projected_s": todo + secs[s] + sum(cost_s.values()),
                                        "left_s": left + secs[s] + sum(cost_s.values())})  # fmt: skip
                    tqdm.write(f"setting {setting['name']}: projected {todo / 60:.1f} min more, "
                               f"{left / 60:.1f} left of the budget: cut")  # fmt: skip
                    cut = True
                    break
        if cut:
            continue
        stacked = {t: np.stack(v) for t, v in losses.items()}
        aff = taxonomy.affinity_matrix(stacked, bench.sources)
        per_target = {
            t: own_stats(stacked[t], bench.sources, t, aff[t], bench.base[t]) for t in ranked
        }
        subset_s = float(np.mean(list(secs.values()))) + (
            float(np.mean(list(cost_s.values()))) if cost_s else 0.0
        )
        results.append({
            **setting, "ranked": ranked, "cost_only": cost_only, "from_cache": use_cache and n_cached > 0,
            "verified": verify, "train_s": secs, "cost_only_s": cost_s,
            "subset_s_per_source": subset_s, "per_target": per_target,
            "s2": s2_estimate(meta, setting, args.s2_workers),
        })  # fmt: skip
        save()
    save()
    return {"meta": meta, "results": results}


def merge(paths: list[str]) -> dict:
    """One record of runs made side by side on the same zoo (one process each): their results
    in order, the first run's metadata with every run's calibration, the longest wall time and
    every run's command line (``meta["argvs"]``)."""
    runs = [json.loads(Path(p).read_text()) for p in paths]
    meta = dict(runs[0]["meta"])
    for r in runs[1:]:
        if r["meta"]["targets"] != meta["targets"] or r["meta"]["profile"] != meta["profile"]:
            raise ValueError(f"cannot merge runs of other targets or profiles: {paths}")
        meta["calibration"] = {**r["meta"]["calibration"], **meta["calibration"]}
        meta["cut"] = meta["cut"] + r["meta"]["cut"]
    meta["wall_s"] = max(r["meta"]["wall_s"] for r in runs)
    meta["argvs"] = [r["meta"]["argv"] for r in runs]
    return {"meta": meta, "results": [x for r in runs for x in r["results"]]}


def summary(r: dict, targets: list[str] | None = None) -> dict:
    """Own-best count, own in top 3, mean own rank (by mean loss and by AHP) over ``targets``."""
    pt = {t: v for t, v in r["per_target"].items() if targets is None or t in targets}
    ranks = [v["own_rank"] for v in pt.values()]
    ahp = [v["ahp_rank"] for v in pt.values()]
    return {"n": len(pt), "best": sum(x == 0 for x in ranks), "top3": sum(x < 3 for x in ranks),
            "mean_rank": float(np.mean(ranks)) if ranks else float("nan"),
            "ahp_best": sum(x == 0 for x in ahp)}  # fmt: skip


def _cli(argv: dict) -> list[str]:
    """The options of a run (those that differ from the defaults) as command-line words."""
    words = []
    if list(argv.get("settings", DEFAULT_SETTINGS)) != list(DEFAULT_SETTINGS):
        words += ["--settings", *argv["settings"]]
    if list(argv.get("targets", DEFAULT_TARGETS)) != list(DEFAULT_TARGETS):
        words += ["--targets", *argv["targets"]]
    if argv.get("only"):
        words += ["--only", *argv["only"]]
    return words


def _per_target_table(title: str, targets: list[str], results: list[dict], cell) -> list[str]:
    """Markdown lines of one section: a row per target, a column per setting, ``cell(v)`` of
    the setting's per-target record (``–`` where the setting did not rank the target)."""
    lines = ["", f"## Per target: {title}", "", "| target | " + " | ".join(r["name"] for r in results) + " |",
             "|---|" + "---|" * len(results)]  # fmt: skip
    for t in targets:
        cells = ["–" if (v := r["per_target"].get(t)) is None else cell(v) for r in results]
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    return lines


def table(got: dict) -> str:
    """The markdown of benchmarks/readouts.md."""
    meta, results = got["meta"], got["results"]
    meta.setdefault("today_s2_min", 12.7)
    common = [t for t in meta["targets"] if all(t in r["per_target"] for r in results)]
    cal = meta["calibration"]
    lines = [
        "# Transfer readouts: steps, batch and learning rate against S2's sanity check (benchmarks/readouts.py)",
        "",
        f"Run: {meta['machine']}, profile `{meta['profile']}`, {len(meta.get('argvs', [0]))} process(es) of "
        f"{meta['threads']} thread, "
        f"{meta['wall_s'] / 60:.1f} min wall. Readouts on {meta['transfer_train']} images, tested on "
        f"{meta['n_test']}, {meta['schedule']} schedule (warm-up {meta['warmup']:g}), frozen encoders of the zoo, "
        f"all {len(meta['sources'])} sources. Rank 0 = the own encoder has the lowest mean test loss. "
        "`AHP best` = the notebook's check (own encoder has the largest AHP affinity).",
        "",
        "Regenerate: "
        + "; ".join(f"`OMP_NUM_THREADS=1 python benchmarks/readouts.py {' '.join(_cli(a))}`"
                    for a in meta.get("argvs", [meta.get("argv", {})]))
        + (" (side by side, then `--merge` of their JSON files)" if len(meta.get("argvs", [])) > 1 else "")
        + "; `--table` rewrites this page from `benchmarks/readouts.json`.",
        "",
        f"## Summary (the {len(common)} targets every setting ranked: {', '.join(common)})",
        "",
        "| setting | steps | batch | peak lr | own best | own in top 3 | mean own rank | AHP best "
        "| readout s / source (subset) | est. s / source (20 targets) | est. S2 min (20×20, "
        f"{meta['s2_workers']} workers) | S2 min scaled to today's {meta['today_s2_min']:g} |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    today = meta.get("today", TODAY)
    today_est = s2_estimate(meta, parse_setting(today, meta["profile_lr"]), meta["s2_workers"])[
        "s2_min"
    ]
    for r in results:
        s = summary(r, common)
        scaled = r["s2"]["s2_min"] * meta["today_s2_min"] / today_est
        lines.append(f"| {r['name']} | {r['steps']} | {r['batch']} | {r['lr']:g} | {s['best']} / {s['n']} | "
                     f"{s['top3']} / {s['n']} | {s['mean_rank']:.1f} | {s['ahp_best']} / {s['n']} | "
                     f"{r['subset_s_per_source']:.0f} | {r['s2']['per_source_s']:.0f} | {r['s2']['s2_min']:.1f} | {scaled:.1f} |")  # fmt: skip
    if any(len(r["per_target"]) != len(common) for r in results):
        lines += ["", "Over every target a setting ranked:", "",
                  "| setting | targets ranked | own best | own in top 3 | mean own rank | AHP best |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for r in results:
            s = summary(r)
            lines.append(
                f"| {r['name']} | {s['n']} | {s['best']} | {s['top3']} | {s['mean_rank']:.1f} | {s['ahp_best']} |"
            )
    lines += _per_target_table(
        "own rank by mean loss (AHP rank), best source", meta["targets"], results,
        lambda v: f"{v['own_rank']} ({v['ahp_rank']}), {v['best']}",
    )  # fmt: skip
    lines += _per_target_table(
        "own / best / median mean test loss over the 20 sources", meta["targets"], results,
        lambda v: f"{v['own_loss']:.4g} / {v['best_loss']:.4g} / {v['median_loss']:.4g}",
    )  # fmt: skip
    if any("own_rq" in v for r in results for v in r["per_target"].values()):
        lines += _per_target_table(
            "the readouts' relative quality (1 − loss / baseline loss), own / best / median source",
            meta["targets"], results,
            lambda v: f"{v['own_rq']:.3f} / {v['best_rq']:.3f} / {v['median_rq']:.3f}" if "own_rq" in v else "–",
        )  # fmt: skip
    lines += ["", "## Timing", "",
              f"Data {meta['data_s']:.1f} s (once), representations {np.mean(list(meta['repr_s'].values())):.1f} s "
              "per source (model load + two forward passes). All 20 targets' readouts on one source "
              "(`normal`), seconds per step and fixed (test pass, set-up):", ""]  # fmt: skip
    lines += [
        f"- batch {b.replace(':', ', decoder ')}: {c['per_step_s']:.3f} s / step + {c['fixed_s']:.1f} s"
        for b, c in cal.items()
    ]
    lines += ["", "Estimated S2 = 20 sources × (fixed + steps × per-step + data/20 + representations) / "
              f"{meta['s2_workers']} workers, assuming each worker gets a core to itself. The same formula gives "
              f"{today_est:.1f} min for today's setting (the zoo recorded {meta.get('today_zoo_s_per_source') or float('nan'):.0f} s "
              f"per source when S2 was built, the book measured {meta['today_s2_min']:g} min); the last column "
              "rescales every estimate by that ratio, which removes the load of this run's machine.", ""]  # fmt: skip
    for r in results:
        extra = ""
        if r["cost_only"]:
            extra = (f"; {', '.join(r['cost_only'])} trained from {len(r['cost_only_s'])} source(s) only, for the timing "
                     f"({np.mean(list(r['cost_only_s'].values())):.0f} s, included in the subset seconds)")  # fmt: skip
        if r["from_cache"]:
            ok = all(r["verified"].values())
            extra += (f"; retrained from {len(r['verified'])} sources ({', '.join(r['verified'])}), "
                      f"{'identical to' if ok else 'DIFFERENT from'} the zoo's cached losses, the other sources read from the zoo")  # fmt: skip
        lines.append(f"- `{r['name']}`: readout training {np.mean(list(r['train_s'].values())):.1f} s per trained source "
                     f"for {len(r['ranked'])} targets{extra}.")  # fmt: skip
    for c in meta["cut"]:
        lines.append(f"- `{c['setting']}` **cut**: projected {c['projected_s'] / 60:.1f} min with "
                     f"{c['left_s'] / 60:.1f} min of the budget left.")  # fmt: skip
    if meta.get("conclusion"):
        lines += ["", "## Conclusion", "", meta["conclusion"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--targets", nargs="+", default=list(DEFAULT_TARGETS))
    ap.add_argument(
        "--settings", nargs="+", default=list(DEFAULT_SETTINGS), help="STEPSxBATCH[@LR]"
    )
    ap.add_argument("--only", nargs="*", default=[], metavar="SETTING=T,T",
                    help="targets a setting ranks; its other targets are only timed")  # fmt: skip
    ap.add_argument(
        "--cost-sources", type=int, default=1, help="sources that time the --only-excluded targets"
    )
    ap.add_argument(
        "--verify",
        type=int,
        default=2,
        help="sources of today's setting retrained and checked against the zoo",
    )
    ap.add_argument(
        "--no-cache", action="store_true", help="retrain today's setting from every source"
    )
    ap.add_argument(
        "--budget-min",
        type=float,
        default=35.0,
        help="cut a setting projected to end past this (0: none)",
    )
    ap.add_argument("--s2-workers", type=int, default=2)
    ap.add_argument("--n-test", type=int, default=None,
                    help="test images the readouts are ranked on (default: the profile's n_test)")  # fmt: skip
    ap.add_argument(
        "--today-s2-min",
        type=float,
        default=12.7,
        help="S2's measured minutes with today's readouts",
    )
    ap.add_argument("--out", default=str(HERE / "readouts.json"))
    ap.add_argument("--md", default=str(HERE / "readouts.md"))
    ap.add_argument("--table", action="store_true", help="rewrite the markdown from an earlier run")
    ap.add_argument(
        "--conclusion", default=None, help="with --table: text of the conclusion, kept in the JSON"
    )
    ap.add_argument("--merge", nargs="+", default=None, metavar="JSON",
                    help="combine runs made side by side into --out, then write --md")  # fmt: skip
    args = ap.parse_args()
    if args.merge:
        got = merge(args.merge)
        if args.conclusion is not None:
            got["meta"]["conclusion"] = args.conclusion
        Path(args.out).write_text(json.dumps(got, indent=1))
    elif args.table:
        got = json.loads(Path(args.out).read_text())
        if args.conclusion is not None:
            got["meta"]["conclusion"] = args.conclusion
            Path(args.out).write_text(json.dumps(got, indent=1))
    else:
        if os.environ.get("OMP_NUM_THREADS") is None:
            os.environ["OMP_NUM_THREADS"] = "1"
        torch.set_num_threads(1)
        got = run(args)
        got["meta"]["argv"] = {
            k: v for k, v in vars(args).items() if k not in ("table", "conclusion")
        }
        for k in ("cache_dir", "out", "md"):  # the record names no machine's folders
            if got["meta"]["argv"].get(k) is not None:
                got["meta"]["argv"][k] = portable(
                    got["meta"]["argv"][k], "<cache>" if k == "cache_dir" else "<run>"
                )
        Path(args.out).write_text(json.dumps(got, indent=1))
    md = table(got)
    Path(args.md).write_text(md)
    print(md)


if __name__ == "__main__":
    main()
