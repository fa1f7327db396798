"""Do the book's verdicts survive a reseed? Run the claims chapters with two or more study
seeds and compare every claims row's verdict.

Usage::

    python benchmarks/reseed.py [--profile cpu] [--seeds 0 1 [2 ...]] [--notebooks NAME ...]
                                [--out benchmarks/reseed_cpu.json]
    python benchmarks/reseed.py --summary benchmarks/reseed_cpu.json   # re-read a result
    python benchmarks/reseed.py --seeds 0 1 --executed 0=book 1=RUN/book   # runs already made

With two seeds the result compares them row by row (:func:`compare`). With more, it also says
for each row how many of the seeds that tested it give its most common verdict, how many rows
every seed agrees on, and the agreement of every pair of seeds (:func:`compare_many`).

Each seed's notebooks are executed by the runner into their own folder (``<workdir>/seed<s>/``,
never over the committed edition), sharing one cache (zoo keys name the seed, so nothing is
shared between seeds but the rendered images of the seed). A row is *comparable* when both
runs tested it (a verdict other than *not tested*); the result says on how many comparable rows
the verdicts agree, and lists the rows that flip. Writes the rows and the summary as JSON and
prints a markdown table for ``benchmarks/book.md``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rsa_utils.paths import portable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CLAIM_NOTEBOOKS = ("models", "s1_small_models", "s2_taskonomy_vs_rsa", "s3_1_training_stage",
                   "s3_2_model_size", "s3_3_num_images", "s3_4_transfer")  # fmt: skip


def run_seed(
    seed: int, profile: str, notebooks: list[str], outdir: Path, extra: list[str]
) -> float:
    """Execute ``notebooks`` with study seed ``seed`` into ``outdir``; returns the wall seconds."""
    outdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    cmd = [sys.executable, "-m", "rsa_utils.runner", *notebooks, "--profile", profile,
           "--outdir", str(outdir), "-p", "seed", str(seed), *extra]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=True)
    return time.perf_counter() - t0


_NUM = r"([−-]?\d+(?:\.\d+)?)"
_LEADING = re.compile(rf"^\s*{_NUM}\s*\[{_NUM},\s*{_NUM}\]")


def leading_interval(text: str) -> tuple[float, float, float] | None:
    """``"0.75 [0.49, 0.94]; …"`` → (0.75, 0.49, 0.94); None when the row does not start so."""
    m = _LEADING.match(text or "")
    return tuple(float(g.replace("−", "-")) for g in m.groups()) if m else None


def cross_coverage(rows) -> dict:
    """Over rows whose value under both seeds is a number with an interval: how many have each
    seed's estimate inside the other seed's interval, and the mean |difference| of the estimates
    (how well the intervals cover what a reseed changes, verdicts aside)."""
    pairs = [(leading_interval(r["ours_a"]), leading_interval(r["ours_b"])) for r in rows]
    pairs = [(a, b) for a, b in pairs if a and b]
    inside = [a[1] <= b[0] <= a[2] and b[1] <= a[0] <= b[2] for a, b in pairs]
    return {"interval_rows": len(pairs), "cross_covered": int(sum(inside)),
            "mean_abs_difference": float(sum(abs(a[0] - b[0]) for a, b in pairs) / max(len(pairs), 1))}  # fmt: skip


def compare(rows_a, rows_b) -> dict:
    """Rows of both runs (lists of claims dicts) → per-row verdicts and the agreement summary."""
    key = lambda r: (r["section"], r["claim"])  # noqa: E731
    b = {key(r): r for r in rows_b}
    rows = []
    for r in rows_a:
        other = b.get(key(r), {})
        va, vb = r["holds"], other.get("holds", "missing")
        comparable = "not tested" not in (va, vb) and vb != "missing"
        rows.append({"section": r["section"], "claim": r["claim"], "kind": r.get("kind", "paper"),
                     "verdict_a": va, "verdict_b": vb, "ours_a": r["ours"], "ours_b": other.get("ours", ""),
                     "comparable": comparable, "same": va == vb})  # fmt: skip
    comp = [r for r in rows if r["comparable"]]
    return {"rows": rows, "comparable": len(comp), "same": sum(r["same"] for r in comp),
            "flips": [r for r in comp if not r["same"]], "total": len(rows),
            **cross_coverage(rows)}  # fmt: skip


def compare_many(claims: dict[int, list[dict]]) -> dict:
    """Rows of several seeds' runs (seed → list of claims dicts) → per row the verdict of each
    seed, the most common verdict among the seeds that tested it and how many seeds give it;
    rows tested by at least two seeds are *comparable*, and *stable* when those all agree. Also
    :func:`compare` for every pair of seeds (``pairs``: "a-b" → its same / comparable)."""
    from collections import Counter
    from itertools import combinations

    seeds = list(claims)
    key = lambda r: (r["section"], r["claim"])  # noqa: E731
    by_seed = {s: {key(r): r for r in claims[s]} for s in seeds}
    rows = []
    for r in claims[seeds[0]]:
        verdicts = {str(s): by_seed[s].get(key(r), {}).get("holds", "missing") for s in seeds}
        tested = [v for v in verdicts.values() if v not in ("not tested", "missing")]
        modal, n_modal = Counter(tested).most_common(1)[0] if tested else ("not tested", 0)
        rows.append({"section": r["section"], "claim": r["claim"], "kind": r.get("kind", "paper"),
                     "verdicts": verdicts, "ours": {str(s): by_seed[s].get(key(r), {}).get("ours", "")
                                                    for s in seeds},
                     "tested": len(tested), "modal": modal, "n_modal": n_modal,
                     "comparable": len(tested) >= 2, "stable": len(tested) >= 2 and n_modal == len(tested)})  # fmt: skip
    comp = [r for r in rows if r["comparable"]]
    pairs = {}
    for a, b in combinations(seeds, 2):
        res = compare(claims[a], claims[b])
        pairs[f"{a}-{b}"] = {"same": res["same"], "comparable": res["comparable"],
                             "cross_covered": res["cross_covered"], "interval_rows": res["interval_rows"],
                             "mean_abs_difference": res["mean_abs_difference"]}  # fmt: skip
    return {"rows": rows, "seeds": seeds, "comparable": len(comp), "stable": sum(r["stable"] for r in comp),
            "total": len(rows), "pairs": pairs}  # fmt: skip


def markdown_many(result: dict, meta: dict) -> str:
    """The markdown table of :func:`compare_many`'s result: one verdict column per seed."""
    seeds = [str(s) for s in result["seeds"]]
    pairs = "; ".join(f"seeds {k.replace('-', ' and ')}: {v['same']} of {v['comparable']}"
                      for k, v in result["pairs"].items())  # fmt: skip
    lines = [f"Seeds {', '.join(seeds)}, profile `{meta['profile']}`: every seed that tested a row gives "
             f"the same verdict on **{result['stable']} of {result['comparable']}** rows tested by at "
             f"least two seeds ({result['total']} rows; wall {', '.join(f'{s / 60:.1f}' for s in meta['wall_s'])} "
             f"min). Same verdict, pair by pair: {pairs}.", "",
             "| section | claim | " + " | ".join(f"seed {s}" for s in seeds) + " | most common (seeds) |",
             "|---|---|" + "---|" * len(seeds) + "---|"]  # fmt: skip
    for r in result["rows"]:
        mark = "" if r["stable"] or not r["comparable"] else " ⚠"
        cells = " | ".join(r["verdicts"][s] for s in seeds)
        lines.append(f"| {r['section']} | {r['claim']} | {cells} | {r['modal']} ({r['n_modal']} of "
                     f"{r['tested']}){mark} |")  # fmt: skip
    return "\n".join(lines)


def markdown(result: dict, meta: dict) -> str:
    lines = [f"Seeds {meta['seeds'][0]} and {meta['seeds'][1]}, profile `{meta['profile']}`: the same verdict on "
             f"**{result['same']} of {result['comparable']}** rows tested in both runs "
             f"({result['total']} rows; wall {', '.join(f'{s / 60:.1f}' for s in meta['wall_s'])} min). "
             f"Of {result['interval_rows']} rows whose value is a number with an interval under both "
             f"seeds, {result['cross_covered']} have each seed's estimate inside the other's interval "
             f"(mean |difference| {result['mean_abs_difference']:.2f}).", "",
             "| section | claim | seed A | seed B |", "|---|---|---|---|"]  # fmt: skip
    for r in result["rows"]:
        mark = "" if r["same"] or not r["comparable"] else " ⚠"
        lines.append(
            f"| {r['section']} | {r['claim']} | {r['verdict_a']} | {r['verdict_b']}{mark} |"
        )
    return "\n".join(lines)


def _record(folder: Path, notebooks: list[str]):
    """The runner's record of each executed notebook in ``folder`` (``report.notebook_record``:
    study seed, wall time, commit, ...)."""
    from rsa_utils.report import notebook_record

    return notebook_record([folder / f"{n}.ipynb" for n in notebooks])


def executed_folders(specs: list[str], seeds: list[int], notebooks: list[str]) -> dict[int, Path]:
    """``["0=book", ...]`` → {seed: folder}; ``ValueError`` naming what is wrong when a spec is
    malformed, names a seed not compared, or a folder lacks a notebook or holds another seed's."""
    out: dict[int, Path] = {}
    for spec in specs:
        seed, sep, folder = spec.partition("=")
        if not sep or not seed.strip().lstrip("-").isdigit() or not folder:
            raise ValueError(f"--executed {spec!r}: use SEED=DIR, e.g. 0=book")
        if int(seed) not in seeds:
            raise ValueError(f"--executed {spec!r}: seed {seed} is not among --seeds {seeds}")
        out[int(seed)] = Path(folder)
        missing = [n for n in notebooks if not (Path(folder) / f"{n}.ipynb").exists()]
        if missing:
            raise ValueError(
                f"--executed {spec!r}: {Path(folder) / missing[0]}.ipynb does not exist"
            )
        record = _record(Path(folder), notebooks)
        other = record[record["study seed"] != int(seed)]
        if len(other):
            raise ValueError(f"--executed {spec!r}: {Path(folder) / other.notebook.iloc[0]}.ipynb "
                             f"was executed with seed {other['study seed'].iloc[0]}")  # fmt: skip
    return out


def recorded_wall(folder: Path, notebooks: list[str]) -> float:
    """Seconds: the sum of the wall times the executed notebooks record, to 6 s each (side by
    side notebooks overlap, so this can exceed the run's wall time)."""
    return float(60 * _record(folder, notebooks)["wall time (min)"].sum())


def default_label(seed: int, profile: str, folder: Path, notebooks: list[str]) -> str:
    """``"seed 1, cpu, commit abc1234"``: the commit its notebooks record, when they record one."""
    present = [n for n in notebooks if (folder / f"{n}.ipynb").exists()]
    commits = {c[:7] for c in _record(folder, present).commit} - {"?"} if present else set()
    return f"seed {seed}, {profile}" + (f", commit {', '.join(sorted(commits))}" if commits else "")


def export_claims(rows: list[dict], label: str, path: Path) -> None:
    """Write a run's claims rows as a claims table with an ``edition`` column (its name)."""
    import pandas as pd

    table = pd.DataFrame(rows)
    table.insert(0, "edition", label)
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--profile", default="cpu")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--notebooks", nargs="*", default=list(CLAIM_NOTEBOOKS))
    ap.add_argument(
        "--workdir",
        default=None,
        help="where the executed notebooks go (default: a temporary folder)",
    )
    ap.add_argument(
        "--out", default=None, help="JSON result (default: benchmarks/reseed_<profile>.json)"
    )
    ap.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE")
    )
    ap.add_argument(
        "--summary", default=None, metavar="JSON",
        help="only re-read a result written earlier and print its summary (nothing is run)",
    )  # fmt: skip
    ap.add_argument(
        "--executed", nargs="+", default=[], metavar="SEED=DIR",
        help="read seed SEED's executed notebooks from DIR instead of running them (e.g. 0=book, "
             "the committed edition, or a cold run's output folder)",
    )  # fmt: skip
    ap.add_argument(
        "--export", default=None, metavar="CSV",
        help="also write the last seed's claims with an edition column, as the book's "
             "book/data/claims_reseed.csv (the scorecard and S3.1 set the edition beside it)",
    )  # fmt: skip
    ap.add_argument("--label", default=None, help="the exported edition's name (default: seed, "
                    "profile and commit of its notebooks)")  # fmt: skip
    args = ap.parse_args(argv)
    if args.summary:
        old = json.loads(Path(args.summary).read_text())
        if "pairs" in old:  # more than two seeds
            print(markdown_many(old, old["meta"]))
        else:
            print(markdown({**old, **cross_coverage(old["rows"])}, old["meta"]))
        return 0
    args.seeds = list(dict.fromkeys(args.seeds))  # a seed given twice runs once
    if len(args.seeds) < 2:
        ap.error(f"--seeds {' '.join(map(str, args.seeds))}: give at least two different seeds")
    sys.path.insert(0, str(ROOT))
    from rsa_utils.report import collect_claims

    try:
        executed = executed_folders(args.executed, args.seeds, args.notebooks)
    except ValueError as err:
        ap.error(str(err))
    extra = [x for kv in args.parameter for x in ("-p", *kv)]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.workdir or tmp)
        walls, claims = [], []
        for s in args.seeds:
            if s in executed:
                folder = executed[s]
                walls.append(recorded_wall(folder, args.notebooks))
            else:
                folder = work / f"seed{s}"
                walls.append(run_seed(s, args.profile, args.notebooks, folder, extra))
            nbs = [folder / f"{n}.ipynb" for n in args.notebooks]
            claims.append(collect_claims(nbs).to_dict("records"))
        # the last seed's name, read while its notebooks (perhaps in a temporary folder) exist
        label = args.label or default_label(s, args.profile, folder, args.notebooks)
    meta = {
        "profile": args.profile,
        "seeds": list(args.seeds),
        "notebooks": args.notebooks,
        "wall_s": walls,
        "executed": {str(k): portable(v) for k, v in executed.items()},
    }
    if len(claims) == 2:
        result, show = compare(*claims), markdown
    else:
        result, show = compare_many(dict(zip(args.seeds, claims))), markdown_many
    if args.export:
        export_claims(claims[-1], label, Path(args.export))
    out = Path(args.out or HERE / f"reseed_{args.profile}.json")
    out.write_text(json.dumps({"meta": meta, **result}, indent=1))
    print(show(result, meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
