"""S3's data: the target model's and the sources' RDMs on the target images, rankings, fine-tuning runs."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from tqdm.auto import tqdm

from rsa_utils.nets import parallel, transfer, zoo
from rsa_utils.rsa import features
from rsa_utils.study.profiles import Study
from rsa_utils.world.tasks import S34_TASKS, TASK_NAMES, check_tasks, get_task

#: The published Pascal VOC mIoU (%) of each of the 17 initialisations (Fig S9 of the paper;
#: SPEC §5), in the paper's order (descending similarity), keyed by our task names. The
#: paper's (Taskonomy's) names: segment25d, class_places, edge3d, class_1000, segmentsemantic,
#: rgb2depth (z-buffer depth), rgb2sfnorm, keypoint3d, curvature, rgb2mist (Euclidean
#: distance), reshade, segment2d, room_layout, edge2d, keypoint2d, autoencoder, vanishing_point.
PAPER_VOC_MIOU: dict[str, float] = {
    "segment_unsup25d": 65.65,
    "class_scene": 65.29,
    "edge_occlusion": 64.97,
    "class_object": 64.93,
    "segment_semantic": 64.88,
    "depth_zbuffer": 64.87,
    "normal": 64.78,
    "keypoints3d": 64.75,
    "curvature": 64.72,
    "depth_euclidean": 64.38,
    "reshading": 63.00,
    "segment_unsup2d": 63.00,
    "room_layout": 62.59,
    "edge_texture": 60.08,
    "keypoints2d": 59.94,
    "autoencoding": 59.02,
    "vanishing_point": 58.92,
}
#: Tasks the supplement names as high similarity / high transfer (S3.4) ...
PAPER_HIGH: tuple[str, ...] = ("class_object", "normal", "segment_unsup25d")
#: ... and as low similarity / low transfer.
PAPER_LOW: tuple[str, ...] = ("autoencoding", "vanishing_point")
#: The consistency level of S3.1 and S3.3 ("stays above 0.99").
THRESHOLD = 0.99


def label(task: str) -> str:
    """The paper's plot label of a task (``"normal"`` → ``"surface normals"``)."""
    return get_task(task).label


# --- images and RDMs ---------------------------------------------------------------------------


def rsa_images(study: Study, n_images: int) -> torch.Tensor:
    """The first ``n_images`` of the target domain's ``rsa`` split → (n, 3, H, W) float32 CPU."""
    return features.images_of(study.target_set("rsa", n_images), n_images)


def model_rdm(model: torch.nn.Module, images: torch.Tensor, device="cpu") -> torch.Tensor:
    """RDM (n, n) of a model's encoder output on ``images`` (n, 3, H, W), as a CPU tensor."""
    return features.model_rdm(model, images, device=device).cpu()


def target_rdms(
    study: Study, images: torch.Tensor, checkpoints: Sequence[float] = (1.0,), replicate: int = 0
) -> torch.Tensor:
    """RDMs (K, n, n) of the target small model (replicate ``replicate``) at each fraction of
    training in ``checkpoints`` (each must be in ``study.profile.checkpoints`` or be 1)."""
    out = []
    for c in tqdm(checkpoints, desc=f"target model {replicate} checkpoints", leave=False):
        model = zoo.get_target_model(study.profile, study.seed, study.device, study.cache_dir,
                                     checkpoint=c, sources=study.sources, replicate=replicate)  # fmt: skip
        out.append(model_rdm(model, images, study.device))
    return torch.stack(out)


def source_rdms(
    study: Study, images: torch.Tensor, tasks: Sequence[str], arch: str = "taskonomy"
) -> torch.Tensor:
    """RDMs (S, n, n) of each source task's ``arch`` model (trained on the source domain, final
    weights) on the target-domain ``images``, in the order of ``tasks``."""
    out = []
    for t in tqdm(tasks, desc=f"source RDMs ({arch})", leave=False):
        model = zoo.get_model(t, arch, study.profile, study.seed, study.device, study.cache_dir,
                              sources=study.sources)  # fmt: skip
        out.append(model_rdm(model, images, study.device))
    return torch.stack(out)


def ranking(target_rdm: torch.Tensor, sources: torch.Tensor, tasks: Sequence[str]) -> pd.Series:
    """The target ranking: RSA of the target RDM (n, n) with each source RDM (S, n, n), sorted
    descending (Series: task → similarity in [-1, 1])."""
    sim = features.target_similarity(
        torch.as_tensor(target_rdm), torch.as_tensor(sources), list(tasks)
    )
    return sim.rename("similarity")


@dataclass
class S3Data:
    """What every S3 notebook starts from: the tasks, the RSA images, the target RDMs at each
    checkpoint (K, n, n) and the source RDMs per architecture (S, n, n)."""

    tasks: list[str]
    checkpoints: tuple[float, ...]
    images: torch.Tensor
    target: torch.Tensor
    sources: dict[str, torch.Tensor]
    #: task -> why its networks were set aside (quality gate)
    set_aside: dict[str, str] = dataclasses.field(default_factory=dict)
    #: False: too few source networks can carry a claim, or the target model fails its baseline
    tested: bool = True
    #: arch -> task -> RDM (n, n) of the task's replicate-1 network (intervals over networks)
    replicates: dict[str, dict[str, torch.Tensor]] = dataclasses.field(default_factory=dict)
    #: RDMs (K, n, n) of each other target model (replicates 1, 2, ...) at the same checkpoints
    target_replicates: list[torch.Tensor] = dataclasses.field(default_factory=list)

    @property
    def set_aside_note(self) -> str:
        """Prose for claims rows: the source networks set aside and why ("" if none)."""
        from rsa_utils.study.task_models import set_aside_note

        return set_aside_note(self.set_aside)

    @property
    def set_aside_text(self) -> str:
        """Prose for the sections' text: the source networks set aside and why, or ``none``."""
        from rsa_utils.study.task_models import set_aside_text

        return set_aside_text(self.set_aside)

    @property
    def final(self) -> torch.Tensor:
        """The final target RDM (n, n)."""
        return self.target[-1]

    def ranking(self, arch: str = "taskonomy") -> pd.Series:
        """The final target model's ranking of the sources of ``arch``, sorted descending."""
        return ranking(self.final, self.sources[arch], self.tasks)

    def mean_ranking(self, arch: str = "taskonomy", replicate: int = 0) -> pd.Series:
        """Each source's similarity averaged over the final target models (all that learned),
        sorted descending: the target *task*'s ranking of the
        sources' replicate-``replicate`` networks (0 or 1; with 1, only the sources that have
        a second network), less tied to one target network (S3.4)."""
        if replicate == 0:
            tasks, rdms = self.tasks, self.sources[arch]
        else:
            reps = self.replicates.get(arch, {})
            tasks = [t for t in self.tasks if t in reps]
            if not tasks:
                return pd.Series(dtype=float, name="similarity")
            rdms = torch.stack([reps[t] for t in tasks])
        finals = [self.final] + [r[-1] for r in self.target_replicates]
        sims = [ranking(t, rdms, tasks) for t in finals]
        return (sum(sims) / len(sims)).sort_values(ascending=False).rename("similarity")


def load(
    study: Study,
    *,
    n_images: int | None = None,
    tasks: Sequence[str] | str | None = None,
    archs: Sequence[str] = ("taskonomy",),
    checkpoints: Sequence[float] | None = (1.0,),
) -> S3Data:
    """Images, target and source RDMs for S3 (models trained on first use by the zoo).

    ``n_images`` defaults to ``profile.n_rsa``, ``tasks`` to :data:`S34_TASKS`, ``checkpoints``
    (None: ``profile.checkpoints`` plus 1) must end with the final model. The other
    ``profile.target_models - 1`` target models (each its own network seed) give
    ``target_replicates``, so that intervals cover the target network as well; one that fails
    its baseline is left out, with a warning in the notebook. Source tasks whose
    networks (in any of ``archs``) fail their baseline or lack signal are set aside
    (:func:`rsa_utils.task_models.usable_tasks`); with fewer than 3 left, or a target model that
    does not beat its baseline, all are kept and ``tested`` is False.
    """
    from rsa_utils.study.task_models import replicate_rdms, usable_tasks

    prof = study.profile
    tasks = check_tasks(tasks, S34_TASKS)
    if len(tasks) < 3:
        raise ValueError(f"S3 needs at least 3 source tasks to correlate rankings; got {tasks}")
    usable, set_aside = usable_tasks(study, tasks, archs)
    target = zoo.get_target_record(
        prof, study.seed, study.device, study.cache_dir, sources=study.sources
    )
    target_learned = target["metric"] > target["baseline"]
    tested = len(usable) >= 3 and target_learned
    if not target_learned:
        set_aside = {**set_aside, "target": "the target model fails its baseline"}
    tasks = usable if tested else tasks
    n = prof.n_rsa if n_images is None else int(n_images)
    cps = tuple(
        sorted(set(map(float, prof.checkpoints if checkpoints is None else checkpoints)) | {1.0})
    )
    images = rsa_images(study, n)
    others = []
    for r in range(1, prof.target_models):
        rec = zoo.get_target_record(
            prof, study.seed, study.device, study.cache_dir, sources=study.sources, replicate=r
        )
        if rec["metric"] > rec["baseline"]:
            others.append(target_rdms(study, images, cps, replicate=r))
        else:  # a target network that learned nothing would only widen the intervals
            warnings.warn(f"target model {r} fails its baseline: S3's intervals leave it out",
                          stacklevel=2)  # fmt: skip
    return S3Data(
        tasks, cps, images, target_rdms(study, images, cps),
        {a: source_rdms(study, images, tasks, a) for a in archs}, set_aside, tested,
        {a: replicate_rdms(study, tasks, a, images) for a in archs}, others,
    )  # fmt: skip


def fraction_label(f: float) -> str:
    """0.1 → ``1/10``, 0.5 → ``1/2``, 1 → ``1``, 0.3 → ``3/10`` (fractions of training)."""
    from fractions import Fraction

    fr = Fraction(f).limit_denominator(100)
    return str(fr.numerator) if fr.denominator == 1 else f"{fr.numerator}/{fr.denominator}"


# --- S3.4: transfer performance -------------------------------------------------------------------


def finetune_replicates(study: Study, init: str) -> int:
    """How many fine-tunings S3.4 runs from ``init``: one per network of a source task (at most
    2, the networks S3 has RDMs of), as many seeds of a baseline as the profile's replicates."""
    n = study.profile.replicates_of(init) if init in TASK_NAMES else study.profile.replicates
    return min(n, 2)


def finetune_all(study: Study, tasks: Sequence[str]) -> pd.DataFrame:
    """Fine-tune every source initialisation and both baselines on the target task, once per
    replicate (:func:`finetune_replicates`; cached in the zoo) → table indexed by init: miou
    (%, the mean over its replicates), miou_rep0, miou_rep1 (NaN without a second), seconds
    (all its runs), kind (``source`` | ``baseline``)."""
    inits = [*tasks, *transfer.FINETUNE_BASELINES]
    jobs = [
        (init, study.profile, study.seed, str(study.device), study.cache_dir, study.sources, r)
        for init in inits
        for r in range(finetune_replicates(study, init))
    ]
    runs = parallel.run(_finetune_job, jobs, study.profile.workers, cpu=study.device.type == "cpu")
    got = {(args[0], args[-1]): rec for args, rec in tqdm(runs, total=len(jobs),
                                                          desc=f"fine-tuning ({study.profile.workers} side by side)")}  # fmt: skip
    rows = {}
    for init in inits:
        recs = [got[(init, r)] for r in range(finetune_replicates(study, init))]
        miou = [100 * float(rec["miou"]) for rec in recs]
        rows[init] = {
            "miou": float(np.mean(miou)),
            "miou_rep0": miou[0],
            "miou_rep1": miou[1] if len(miou) > 1 else float("nan"),
            "seconds": float(sum(rec["seconds"] for rec in recs)),
            "kind": "baseline" if init in transfer.FINETUNE_BASELINES else "source",
        }
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "init"
    return df


def finetune_images(
    study: Study, inits: Sequence[str]
) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """Per test image and class, the intersection and union pixels of each fine-tuned run
    (init → one pair of int arrays (n_test, classes) per replicate), read from the zoo
    (fine-tuned on first use)."""
    out = {}
    for init in inits:
        out[init] = []
        for r in range(finetune_replicates(study, init)):
            rec = transfer.finetune(init, study.profile, seed=study.seed, device=study.device,
                                    cache_dir=study.cache_dir, sources=study.sources, replicate=r)  # fmt: skip
            out[init].append((rec["intersection"], rec["union"]))
    return out


def _finetune_job(init, profile, seed, device, cache_dir, sources, replicate) -> dict:
    return transfer.finetune(init, profile, seed=seed, device=device, cache_dir=cache_dir,
                             sources=sources, replicate=replicate)  # fmt: skip
