"""The study's task networks: training side by side, loading, quality gate and noise ceiling.

The study's trained task networks as the sections use them: training them side by side,
loading, quality against trivial baselines and the noise ceiling (the quality gate), and
prediction pictures (Fig S2).

A task network carries *signal* when two of its replicates (same task and architecture, other
seeds) agree with each other more than it agrees with any other task's network: the lower end
of the replicates' RSA interval lies above its highest RSA to another task (:func:`noise_ceiling`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from rsa_utils import rsa
from rsa_utils.nets import parallel, train, zoo
from rsa_utils.nets.models import ARCHS
from rsa_utils.rsa import features
from rsa_utils.study.claims import SET_ASIDE
from rsa_utils.study.label_rsa import label_similarity, label_twins
from rsa_utils.study.profiles import Study
from rsa_utils.study.report import save_data
from rsa_utils.world.pictures import label_image, prediction_image
from rsa_utils.world.tasks import TASK_NAMES, check_tasks, get_task, task_input

#: A training step's time relative to the small model's, per architecture (the `cpu` zoo: about
#: 93 ms for the width-16 ResNet-50, 27 ms for the small model, one thread; only the order of
#: the jobs depends on it).
STEP_COST = {"small": 1.0, "taskonomy": 3.5}


def network_jobs(study: Study, tasks: Sequence[str], archs: Sequence[str] = ARCHS) -> list[tuple]:
    """(task, arch, replicate) of every network the study trains for ``tasks``, longest first
    (steps times the architecture's relative step time, :data:`STEP_COST`), so that
    side-by-side workers finish together."""
    P = study.profile
    jobs = [(t, a, r) for a in archs for t in check_tasks(tasks) for r in range(P.replicates_of(t))]
    return sorted(jobs, key=lambda j: -P.recipe(j[1], j[0])[0] * STEP_COST[j[1]])


def _train_job(study: Study, t: str, a: str, r: int) -> dict:
    """One network into the zoo (run in a worker process); its record."""
    return zoo.get_record(t, a, study.profile, seed=study.seed, device=study.device,
                          cache_dir=study.cache_dir, sources=study.sources, replicate=r,
                          show_progress=False)  # fmt: skip


def train_networks(study: Study, tasks: Sequence[str], archs: Sequence[str] = ARCHS) -> None:
    """Make sure every network of ``tasks`` × ``archs`` × replicates is in the zoo, training the
    missing ones ``study.profile.workers`` at a time in separate processes (on the CPU each with
    an equal share of the cores, so both of a 2-core machine's cores work). Prints one summary
    line per trained network; a progress bar counts networks."""
    tasks = check_tasks(tasks)
    jobs = network_jobs(study, tasks, archs)
    todo = [j for j in jobs if zoo.peek("model", _key(study, j), study.cache_dir) is None]
    if not todo:
        return
    for split, n in (
        ("train", study.profile.n_train),
        ("val", study.profile.n_val),
        ("test", study.profile.n_test),
    ):  # render once, before the workers start
        data = study.source_set(split, n, tasks=TASK_NAMES)
        if hasattr(data, "prepare"):
            data.prepare()
    workers = min(study.profile.workers, len(todo))
    bar = tqdm(total=len(todo), desc=f"training {len(todo)} networks ({workers} side by side)")
    jobs = [(study, *j) for j in todo]
    for (_, t, a, r), rec in parallel.run(
        _train_job, jobs, workers, cpu=study.device.type == "cpu"
    ):
        print(train.summary_line(t, f"{a}#{r}", rec["steps"], rec), flush=True)
        bar.update()
    bar.close()


def _key(study: Study, job: tuple) -> dict:
    t, a, r = job
    return zoo.model_key(t, a, study.profile, study.seed, (1.0,), study.sources, r)


def load_models(tasks: Sequence[str], arch: str, study: Study, checkpoint: float = 1.0) -> dict:
    """Task name → trained model (eval mode, on the study's device); trains on first use."""
    if checkpoint == 1.0:
        train_networks(study, tasks, (arch,))
    return {
        t: zoo.get_model(
            t,
            arch,
            study.profile,
            seed=study.seed,
            device=study.device,
            cache_dir=study.cache_dir,
            checkpoint=checkpoint,
            sources=study.sources,
        )  # fmt: skip
        for t in tqdm(check_tasks(tasks), desc=f"{arch} models")
    }


def relative_quality(metric: float, baseline: float, higher_is_better: bool) -> float:
    """How much of the gap to a perfect score the model closes over the baseline (1 = perfect,
    0 = no better than the baseline, < 0 = worse): 1 − error/baseline error for losses,
    (metric − baseline)/(1 − baseline) for accuracies and mIoU."""
    if higher_is_better:
        return (metric - baseline) / max(1e-12, 1 - baseline)
    return 1 - metric / max(1e-12, baseline)


def quality_table(tasks: Sequence[str], study: Study, archs: Sequence[str] = ARCHS) -> pd.DataFrame:
    """One row per (task, architecture): held-out metric of the network the sections use
    (replicate 0), trivial baseline (computed afresh, :func:`~rsa_utils.nets.train.task_baseline`),
    whether every replicate beats it, the relative quality (:func:`relative_quality`; each
    replicate's in ``relative_quality_each``), and the noise ceiling (:func:`noise_ceiling`):
    ``ceiling`` [``ceiling_low``, ``ceiling_high``], ``max_other`` [``max_other_low``,
    ``max_other_high``] with the task it is reached with (``nearest``) and ``signal``."""
    tasks = check_tasks(tasks)
    train_networks(study, tasks, archs)
    baselines = {
        t: train.task_baseline(
            t, study.profile, seed=study.seed, cache_dir=study.cache_dir, sources=study.sources
        )  # fmt: skip
        for t in tasks
    }
    rows = []
    for arch in archs:
        for t in tasks:
            recs = [zoo.get_record(t, arch, study.profile, seed=study.seed, device=study.device,
                                   cache_dir=study.cache_dir, sources=study.sources, replicate=r)
                    for r in range(study.profile.replicates_of(t))]  # fmt: skip
            hib, base = bool(recs[0]["higher_is_better"]), baselines[t]
            rq = [relative_quality(r["metric"], base, hib) for r in recs]
            rows.append({
                "task": t, "label": get_task(t).label, "type": get_task(t).type, "arch": arch,
                "metric_name": recs[0]["metric_name"], "metric": recs[0]["metric"], "baseline": base,
                "beats_baseline": bool(min(rq) > 0), "relative_quality": rq[0],
                "relative_quality_each": tuple(rq), "replicates": len(recs),
                "seconds": float(sum(r.get("seconds", np.nan) for r in recs)),
            })  # fmt: skip
    quality = pd.DataFrame(rows)
    ceilings = pd.concat([noise_ceiling(tasks, arch, study) for arch in archs], ignore_index=True)
    return quality.merge(ceilings, on=["task", "arch"], how="left")


#: Columns of ``book/data/models_quality.csv`` (one row per task × architecture).
QUALITY_CSV_COLUMNS = ("task", "arch", "relative_quality", "beats_baseline", "ceiling", "ceiling_low",
                       "ceiling_high", "max_other", "twins", "max_nontwin", "signal", "signal_strict")  # fmt: skip


#: Images of the RSA set whose labels decide which tasks are label twins (as the data chapter's label RSA).
TWIN_IMAGES = 100


def study_label_twins(study: Study, tasks: Sequence[str]) -> dict[str, list[str]]:
    """Task → its label twins among ``tasks`` (:func:`~rsa_utils.study.label_rsa.label_twins`),
    from the labels of the first :data:`TWIN_IMAGES` images of the study's RSA set."""
    tasks = check_tasks(tasks)
    rsa_set = study.source_set("rsa", study.profile.n_rsa, tasks=tasks)
    labels = rsa_set.batch(slice(0, min(len(rsa_set), TWIN_IMAGES)), "cpu")[1]
    return label_twins(label_similarity(labels, tasks))


def noise_ceiling(tasks: Sequence[str], arch: str, study: Study) -> pd.DataFrame:
    """Per task: RSA between its replicates 0 and 1 (the noise ceiling), its highest RSA to
    another task's network and its highest RSA to a task that is not one of its label twins
    (:func:`study_label_twins`; replicate 0 of both), each with a 95 % bootstrap interval over
    the study's ``rsa`` images (``n_rsa`` images, ``n_boot`` draws, all on the same draws).

    Columns: task, arch, ceiling, ceiling_low, ceiling_high (NaN without a replicate),
    max_other, max_other_low, max_other_high, nearest (the other task), twins (its label twins,
    comma-separated), max_nontwin, max_nontwin_low, max_nontwin_high, nearest_nontwin,
    signal (the ceiling's lower end above ``max_nontwin``: True / False, or None when the task
    has no replicate: unknown) and signal_strict (the same above ``max_other``). Cached in the
    zoo (kind ``ceiling``).
    """
    tasks = check_tasks(tasks)
    P = study.profile
    jobs = [(t, arch, r) for t in tasks for r in range(min(2, P.replicates_of(t)))]
    twins = study_label_twins(study, tasks)
    key = {"networks": [_key(study, j) for j in jobs], "n_rsa": P.n_rsa, "n_boot": P.n_boot,
           "twins": twins}  # fmt: skip

    def build(progress):
        train_networks(study, tasks, (arch,))
        images = features.images_of(study.source_set("rsa", P.n_rsa, tasks=tasks))
        rdms = []
        for t, a, r in tqdm(jobs, desc=f"noise ceiling ({arch})", leave=False):
            model = zoo.get_model(t, a, P, seed=study.seed, device=study.device,
                                  cache_dir=study.cache_dir, sources=study.sources, replicate=r)  # fmt: skip
            rdms.append(features.model_rdm(model, images, device=study.device).cpu())
        rep0 = [i for i, j in enumerate(jobs) if j[2] == 0]
        rep1 = {j[0]: i for i, j in enumerate(jobs) if j[2] == 1}
        res = rsa.bootstrap(torch.stack(rdms), ceiling_statistic(tasks, rep0, rep1, twins),
                            n_boot=P.n_boot, seed=study.seed, device=study.device)  # fmt: skip
        est = np.asarray(res.estimate)
        rows = []
        for i, t in enumerate(tasks):
            between = est[i, 3:]
            others = np.where([u in twins[t] for u in tasks], np.nan, between)
            nearest = tasks[int(np.nanargmax(between))] if len(tasks) > 1 else ""
            nearest_nt = tasks[int(np.nanargmax(others))] if np.isfinite(others).any() else ""
            rows.append({"task": t, "arch": arch, "ceiling": est[i, 0], "ceiling_low": res.low[i, 0],
                         "ceiling_high": res.high[i, 0], "max_other": est[i, 1], "max_other_low": res.low[i, 1],
                         "max_other_high": res.high[i, 1], "nearest": nearest, "twins": ", ".join(twins[t]),
                         "max_nontwin": est[i, 2], "max_nontwin_low": res.low[i, 2],
                         "max_nontwin_high": res.high[i, 2], "nearest_nontwin": nearest_nt})  # fmt: skip
        frame = pd.DataFrame(rows)
        return {c: frame[c].tolist() for c in frame}, {"seconds": 0.0}

    payload, _ = zoo.cached("ceiling", key, build, cache_dir=study.cache_dir)
    frame = pd.DataFrame(payload)
    frame["signal"] = _above(frame.ceiling_low, frame.max_nontwin)
    frame["signal_strict"] = _above(frame.ceiling_low, frame.max_other)
    return frame


def _above(low: pd.Series, other: pd.Series) -> list:
    """Per task: True / False whether ``low`` lies above ``other``; None (unknown) where either
    is NaN (no replicate, or no other task to compare with)."""
    return [
        None if not (np.isfinite(lo) and np.isfinite(mx)) else bool(lo > mx)
        for lo, mx in zip(low, other)
    ]


def ceiling_statistic(tasks: Sequence[str], rep0: Sequence[int], rep1: dict[str, int],
                      twins: dict[str, Sequence[str]] | None = None):  # fmt: skip
    """A :func:`rsa.bootstrap` statistic over condensed RDMs (K, m) holding replicate 0 of every
    task (rows ``rep0``, in the order of ``tasks``) and replicate 1 of some (``rep1``: task →
    row): an array (T, 3 + T) with, per task, the RSA between its replicates (NaN without one),
    its highest RSA to another task, its highest RSA to a task not among its ``twins`` (task →
    its label twins; NaN when every other task is one), and its RSA to every task (NaN on the
    diagonal)."""
    rep0 = list(rep0)
    twins = twins or {}
    twin = np.array([[u in twins.get(t, ()) for u in tasks] for t in tasks], dtype=bool).reshape(
        len(tasks), len(tasks)
    )

    def stat(v: torch.Tensor) -> np.ndarray:
        sim = rsa.similarity_matrix(v, condensed=True).to_numpy()
        between = sim[np.ix_(rep0, rep0)].copy()
        np.fill_diagonal(between, np.nan)
        ceil = np.array(
            [sim[rep0[i], rep1[t]] if t in rep1 else np.nan for i, t in enumerate(tasks)]
        )
        nontwin = np.where(twin, np.nan, between)
        with np.errstate(all="ignore"):
            mx_nt = np.array([np.nanmax(r) if np.isfinite(r).any() else np.nan for r in nontwin])
        return np.column_stack([ceil, np.nanmax(between, axis=1), mx_nt, between])

    return stat


def network_status(quality: pd.DataFrame) -> pd.DataFrame:
    """Per (task, arch): ``usable`` (beats its baseline and does not lack signal) and ``why``
    (the reason a network cannot carry a claim: "fails its baseline", "no signal"; "" if usable).
    Unknown signal (no replicate) does not exclude a network; ``why`` says "signal unknown"."""
    why = np.where(~quality.beats_baseline.astype(bool), "fails its baseline",
                   np.where(quality.signal.map(lambda v: v is False or v == False), "no signal",  # noqa: E712
                            np.where(quality.signal.isna(), "signal unknown", "")))  # fmt: skip
    out = quality[["task", "arch"]].copy()
    out["why"] = why
    out["usable"] = ~out.why.isin(["fails its baseline", "no signal"])
    return out


def write_quality_csv(quality: pd.DataFrame) -> str:
    """``book/data/models_quality.csv`` (:data:`QUALITY_CSV_COLUMNS`); returns its path in the book."""
    return save_data(quality[list(QUALITY_CSV_COLUMNS)], "models_quality")


@torch.no_grad()
def prediction_pictures(
    tasks: Sequence[str], models: dict[str, dict], study: Study, index: int = 0
) -> dict:
    """Fig S2's pictures of held-out test image ``index`` for each task: input, target and each
    architecture's prediction (``models``: arch → task → model) as ``imshow``-ready arrays."""
    tasks = check_tasks(tasks)
    data = study.source_set("test", index + 1, tasks=tasks)
    rgb, labels = data.batch([index], "cpu")
    rows = {}
    for t in tasks:
        x = task_input(t, rgb, generator=torch.Generator().manual_seed(index))
        pics = {
            "input": x[0].permute(1, 2, 0).numpy().clip(0, 1),
            "target": label_image(t, labels[t][0]),
        }
        for arch, ms in models.items():
            pics[arch] = prediction_image(t, ms[t](x.to(study.device))[0])
        rows[t] = pics
    return rows


def replicate_rdms(study: Study, tasks: Sequence[str], arch: str, images: torch.Tensor) -> dict:
    """Task → RDM (n, n) of its replicate-1 ``arch`` network on ``images`` (tasks that have one),
    for intervals that cover the variance between networks (:func:`rsa_utils.rsa.bootstrap`)."""
    out = {}
    for t in check_tasks(tasks):
        if study.profile.replicates_of(t) > 1:
            model = zoo.get_model(t, arch, study.profile, seed=study.seed, device=study.device,
                                  cache_dir=study.cache_dir, sources=study.sources, replicate=1)  # fmt: skip
            out[t] = features.model_rdm(model, images, device=study.device).cpu()
    return out


def usable_tasks(
    study: Study, tasks: Sequence[str], archs: Sequence[str] = ARCHS
) -> tuple[list[str], dict[str, str]]:
    """The tasks of ``tasks`` whose networks in every architecture of ``archs`` can carry a
    claim (:func:`network_status`), in order, and the others with the reason (task → "no signal
    (small)", ...). The quality gate is read over all registry tasks (the models chapter's
    table), so a task's signal does not depend on which tasks a section compares."""
    tasks = check_tasks(tasks)
    status = network_status(quality_table(TASK_NAMES, study, archs))
    status = status[status.arch.isin(archs)].set_index(["task", "arch"])
    out, why = [], {}
    for t in tasks:
        bad = [
            f"{status.loc[(t, a), 'why']} ({a})" for a in archs if not status.loc[(t, a), "usable"]
        ]
        if bad:
            why[t] = ", ".join(bad)
        else:
            out.append(t)
    return out, why


def set_aside_note(why: dict[str, str]) -> str:
    """Prose for a claims row: which networks a claim was not tested on and why ("" if none)."""
    if not why:
        return ""
    return SET_ASIDE + ", ".join(
        f"{get_task(t).label if t in TASK_NAMES else t} ({w})" for t, w in why.items()
    )


def set_aside_text(why: dict[str, str]) -> str:
    """Prose for a section's text: the networks set aside and why, or ``none``."""
    return set_aside_note(why).removeprefix(SET_ASIDE) or "none"
