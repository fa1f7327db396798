"""Taskonomy-style transfer affinities (S2) and fine-tuning on the target domain (S3.4).

**Transfer readouts.** For a source task s and a target task t, a readout — two small 3x3 conv
layers on s's *frozen* representation, then a fresh decoder of the profile's ``readout_decoder``
architecture (the Taskonomy network's dense decoder, the one every source network was trained
with, or Table S1's; an FC head for non-dense targets) — is trained on a small split to predict t. All
targets of one source share the frozen representation and are trained in one pass (their
parameters are disjoint, so summing their losses trains each exactly as alone). Per-image test
losses of every source on target t give win rates and AHP affinities
(:func:`rsa_utils.taxonomy.affinity_matrix`).

**Fine-tuning.** A Taskonomy-architecture encoder initialised from a source task network, with
a fresh segmentation decoder, trained on the target domain's labelled split; mIoU on its test
split. Baselines: random initialisation (from scratch) and a frozen random encoder.

Both are cached in the model zoo (kinds ``transfer`` and ``finetune``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from rsa_utils.data.datasets import source_data, target_data
from rsa_utils.data.sources import SYNTHETIC, DataSources
from rsa_utils.nets import parallel, zoo
from rsa_utils.nets.loop import autocast, lr_scheduler
from rsa_utils.nets.losses import (
    IGNORE_INDEX,
    class_weight_tensor,
    confusion_matrix,
    miou_from_confusion,
    task_loss,
    training_loss,
)
from rsa_utils.nets.models import (
    ARCHS,
    OUTPUT_STRIDE,
    REPR_CHANNELS,
    DenseDecoder,
    TaskonomyEncoder,
    build_model,
)
from rsa_utils.nets.seeds import network_seed, seeded
from rsa_utils.rsa.features import encoder_features
from rsa_utils.world.tasks import (
    N_TARGET_CLASSES,
    TARGET_TASK,
    TASK_NAMES,
    Task,
    check_tasks,
    get_task,
)

#: 2: own seeds per readout / fine-tuning, one-cycle schedule; 3: channels_last; 4: semantic
#: segmentation's cross-entropy weighted by class (``Task.class_weights``). A profile's
#: ``readout_decoder`` enters the key unless it is ``small``, the decoder of versions 1-4.
TRANSFER_VERSION = 4
#: 3: per-image intersections and unions kept (bootstrap over test images); 4: channels_last, and
#: a replicate: the source's replicate-r network, or another seed of a baseline; 5: the target's
#: cross-entropy weighted by class
FINETUNE_VERSION = 5


#: The decoders a readout can end in: ``"small"``, Table S1's decoder (Conv6..Conv10) or its FC
#: head; ``"taskonomy"``, the Taskonomy-architecture network's decoder at ``width`` (what each
#: source network was trained with) or its FC head.
READOUT_DECODERS = ARCHS


class Readout(nn.Module):
    """Frozen representation (B, 8, h, w) → target prediction: 2 conv layers + a fresh decoder
    of architecture ``decoder`` (:data:`READOUT_DECODERS`)."""

    def __init__(
        self,
        target: Task,
        image_size: int,
        hidden: int = 32,
        decoder: str = "small",
        width: int = 16,
    ) -> None:
        super().__init__()
        if decoder not in READOUT_DECODERS:
            raise ValueError(
                f"unknown readout decoder {decoder!r}; allowed: {', '.join(READOUT_DECODERS)}"
            )
        self.transfer = nn.Sequential(
            nn.Conv2d(REPR_CHANNELS, hidden, 3, padding=1), nn.BatchNorm2d(hidden), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, REPR_CHANNELS, 3, padding=1), nn.BatchNorm2d(REPR_CHANNELS), nn.ReLU(inplace=True),
        )  # fmt: skip
        self.decoder = build_model(target, decoder, width=width, image_size=image_size).decoder

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.transfer(z))


def _eval_generator(start: int) -> torch.Generator:
    """The same pixel pairs (metric loss) for every source on the same test images."""
    return torch.Generator().manual_seed(4242 + start)


def train_readouts(
    z_train: torch.Tensor,
    labels_train: dict[str, torch.Tensor],
    z_test: torch.Tensor,
    labels_test: dict[str, torch.Tensor],
    *,
    steps: int,
    batch_size: int,
    lr: float = 1e-3,
    seed: int = 0,
    device="cpu",
    image_size: int,
    desc: str = "readouts",
    source: str = "",
    schedule: str = "onecycle",
    warmup: float = 0.15,
    precision: str = "fp32",
    decoder: str = "small",
    width: int = 16,
) -> dict[str, np.ndarray]:
    """Train one readout per target on representations ``z_train`` (N, 8, h, w); return each
    target's per-image test losses (N_test,) on ``z_test``.

    ``labels_*``: target name → labels (N, ...) in the registry's format. Each readout draws its
    initial weights from its own seed (:func:`~rsa_utils.nets.seeds.network_seed` of ``seed``,
    ``source`` and the target); the learning rate follows ``schedule`` with peak ``lr``; training
    forward passes use ``precision`` (:func:`~rsa_utils.nets.loop.autocast`), the test pass float32
    on the CPU and bf16 on CUDA. Each readout ends in a fresh ``decoder`` (:class:`Readout`).
    """
    targets = list(labels_train)
    heads = nn.ModuleDict({
        t: seeded(network_seed(seed, "readout", source, t), lambda t=t: Readout(get_task(t), image_size, decoder=decoder, width=width))
        for t in targets
    })  # fmt: skip
    heads = heads.to(device).to(memory_format=torch.channels_last)  # 1.3-1.5x faster on a CPU
    opt = torch.optim.Adam(heads.parameters(), lr=lr)
    sched = lr_scheduler(opt, steps, schedule, warmup)
    z_train = z_train.to(device).contiguous(memory_format=torch.channels_last)
    # the labels go to the device once: gathering them on the host every step would dominate
    labels_train = {t: v.to(device) for t, v in labels_train.items()}
    labels_test = {t: v.to(device) for t, v in labels_test.items()}
    g = torch.Generator().manual_seed(seed)
    test_precision = "bf16" if torch.device(device).type == "cuda" else "fp32"
    heads.train()
    for step in tqdm(range(steps), desc=desc, leave=False, mininterval=2):
        idx = torch.randint(len(z_train), (min(batch_size, len(z_train)),), generator=g)
        idx = idx.to(device)
        z = z_train[idx]
        with autocast(device, precision):
            loss = sum(
                training_loss(t, heads[t].decoder, heads[t].transfer(z), labels_train[t][idx],
                              generator=torch.Generator().manual_seed(step))
                for t in targets
            )  # fmt: skip
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
    heads.eval()
    out: dict[str, list[np.ndarray]] = {t: [] for t in targets}
    with torch.no_grad():
        for s in range(0, len(z_test), 128):
            z = z_test[s : s + 128].to(device).contiguous(memory_format=torch.channels_last)
            for t in targets:
                with autocast(device, test_precision):
                    pred = heads[t](z)
                per = task_loss(t, pred, labels_test[t][s : s + 128], reduction="none",
                                generator=_eval_generator(s))  # fmt: skip
                out[t].append(per.float().cpu().numpy())
    return {t: np.concatenate(v) for t, v in out.items()}


def _representations(model, images: torch.Tensor, device, image_size: int) -> torch.Tensor:
    side = image_size // OUTPUT_STRIDE
    flat = encoder_features(model, images, device=device)
    return torch.from_numpy(flat).view(len(images), REPR_CHANNELS, side, side)


def transfer_key(
    source: str,
    targets: Sequence[str],
    profile: Any,
    seed: int,
    sources: DataSources = SYNTHETIC,
) -> dict:
    source_model = zoo.model_key(source, "taskonomy", profile, seed, profile.checkpoints, sources)
    revised = {t: get_task(t).revision for t in targets if get_task(t).revision}
    return {
        "version": TRANSFER_VERSION, "source": source_model,
        "targets": list(targets), "transfer_train": profile.transfer_train, "transfer_steps": profile.transfer_steps,
        "n_test": profile.n_test, "batch_size": profile.transfer_batch, "lr": profile.lr,
        "schedule": profile.schedule, "warmup": profile.warmup, "precision": profile.precision,
    } | ({} if profile.readout_decoder == "small" else {"decoder": profile.readout_decoder}) | (
        {"target_revisions": revised} if revised else {})  # fmt: skip


def transfer_losses(
    source: str,
    profile: Any,
    *,
    targets: Sequence[str] | None = None,
    seed: int = 0,
    device="cpu",
    cache_dir=None,
    sources: DataSources = SYNTHETIC,
) -> dict[str, np.ndarray]:
    """Per-image test losses (n_test,) of the readouts from ``source``'s frozen Taskonomy-
    architecture encoder to each target (default: all 20 tasks), trained and tested on
    ``sources``' source domain. Cached in the zoo."""
    get_task(source)
    targets = check_tasks(targets)

    def build(progress):
        t0 = time.perf_counter()
        model = zoo.get_model(source, "taskonomy", profile, seed=seed, device=device,
                              cache_dir=cache_dir, sources=sources)  # fmt: skip
        kw = dict(image_size=profile.image_size, seed=seed, tasks=targets, cache_dir=cache_dir,
                  **sources.source_kwargs())  # fmt: skip
        train = source_data("val", profile.transfer_train, **kw)
        test = source_data("test", profile.n_test, **kw)
        (x_tr, y_tr), (x_te, y_te) = train.batch(slice(None), "cpu"), test.batch(slice(None), "cpu")
        z_tr = _representations(model, x_tr, device, profile.image_size)
        z_te = _representations(model, x_te, device, profile.image_size)
        losses = train_readouts(
            z_tr, y_tr, z_te, y_te, steps=profile.transfer_steps, batch_size=profile.transfer_batch, lr=profile.lr,
            seed=seed, device=device, image_size=profile.image_size, desc=f"transfers from {source}",
            source=source, schedule=profile.schedule, warmup=profile.warmup, precision=profile.precision,
            decoder=profile.readout_decoder, width=profile.resnet_width,
        )  # fmt: skip
        return {t: torch.from_numpy(v) for t, v in losses.items()}, {
            "seconds": time.perf_counter() - t0
        }

    key = transfer_key(source, targets, profile, seed, sources)
    payload, _ = zoo.cached("transfer", key, build, cache_dir=cache_dir)
    return {t: payload[t].numpy() for t in targets}


def all_transfer_losses(
    profile: Any,
    *,
    source_tasks=None,
    targets=None,
    seed: int = 0,
    device="cpu",
    cache_dir=None,
    sources: DataSources = SYNTHETIC,
    workers: int = 1,
) -> dict[str, np.ndarray]:
    """Target → (S, n_test) losses of every source task's readout, for the AHP affinities
    (sources trained ``workers`` at a time in separate processes)."""
    source_tasks, targets = check_tasks(source_tasks), check_tasks(targets)
    if workers > 1:  # build the missing entries side by side; the loop below then reads them
        todo = [(s, profile, targets, seed, str(device), cache_dir, sources) for s in source_tasks]
        for _ in tqdm(parallel.run(_transfer_job, todo, workers, cpu=torch.device(device).type == "cpu"),
                      total=len(todo), desc=f"transfer sources ({workers} side by side)"):  # fmt: skip
            pass
    per_source = {
        s: transfer_losses(
            s,
            profile,
            targets=targets,
            seed=seed,
            device=device,
            cache_dir=cache_dir,
            sources=sources,
        )  # fmt: skip
        for s in tqdm(source_tasks, desc="transfer sources")
    }
    return {t: np.stack([per_source[s][t] for s in source_tasks]) for t in targets}


def _transfer_job(source, profile, targets, seed, device, cache_dir, sources) -> None:
    transfer_losses(source, profile, targets=targets, seed=seed, device=device, cache_dir=cache_dir,
                    sources=sources)  # fmt: skip


# --- fine-tuning on the target domain (S3.4) ------------------------------------------------------

FINETUNE_BASELINES = ("scratch", "frozen_random")


class SegmentationNet(nn.Module):
    """Taskonomy-architecture encoder + a fresh dense decoder for the target's classes."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.encoder = TaskonomyEncoder(width)
        self.decoder = DenseDecoder(width, N_TARGET_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


def finetune_key(
    init: str, profile: Any, seed: int, sources: DataSources = SYNTHETIC, replicate: int = 0
) -> dict:
    source = (
        None
        if init in FINETUNE_BASELINES
        else zoo.model_key(
            init, "taskonomy", profile, seed, profile.checkpoints, sources, replicate
        )
    )
    target = sources.target_key()
    return {
        "version": FINETUNE_VERSION, "init": init, "source": source, "target_data": target["data"],
        **({"target_root": target["data_root"]} if "data_root" in target else {}),
        "target_train": profile.target_train, "finetune_steps": profile.finetune_steps, "n_test": profile.n_test,
        "image_size": profile.image_size, "resnet_width": profile.resnet_width, "batch_size": profile.batch_size,
        "lr": profile.finetune_lr, "schedule": profile.schedule, "warmup": profile.warmup, "seed": seed,
        "precision": profile.precision, "replicate": int(replicate),
    }  # fmt: skip


def finetune_steps(net: SegmentationNet, opt, sched, train: Any, profile: Any,
                   generator: torch.Generator, device: torch.device, *,
                   frozen_encoder: bool = False, desc: str = "fine-tune") -> None:  # fmt: skip
    """``profile.finetune_steps`` steps of ``profile.batch_size`` target training images drawn
    with ``generator``: cross-entropy on the target's classes, weighted as the target task's
    loss (:data:`~rsa_utils.tasks.TARGET_TASK`'s ``class_weights``), under ``profile.precision``
    (``frozen_encoder``: the encoder stays in eval mode, its BatchNorm statistics fixed)."""
    weight = class_weight_tensor(TARGET_TASK, device)
    for _ in tqdm(range(profile.finetune_steps), desc=desc, leave=False, mininterval=2):
        net.train()
        if frozen_encoder:
            net.encoder.eval()
        idx = torch.randint(len(train), (profile.batch_size,), generator=generator)
        x, y = train.batch(idx, device)
        x = x.contiguous(memory_format=torch.channels_last)
        with autocast(device, profile.precision):
            loss = nn.functional.cross_entropy(net(x).float(), y, weight=weight,
                                               ignore_index=IGNORE_INDEX)  # fmt: skip
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()


def image_confusions(net: SegmentationNet, test: Any, device: torch.device) -> torch.Tensor:
    """Per test image, the confusion matrix of ``net``'s segmentation: (n_test, C, C) int64 on the
    CPU (bf16 inference on CUDA, float32 elsewhere)."""
    net.eval()
    confs = []
    with torch.no_grad(), autocast(device, "bf16" if device.type == "cuda" else "fp32"):
        for s in range(0, len(test), 128):
            x, y = test.batch(slice(s, min(s + 128, len(test))), device)
            pred = net(x.contiguous(memory_format=torch.channels_last)).argmax(1)
            confs += [confusion_matrix(p, t, N_TARGET_CLASSES).cpu() for p, t in zip(pred, y)]
    return torch.stack(confs)


def finetune(
    init: str,
    profile: Any,
    *,
    seed: int = 0,
    device="cpu",
    cache_dir=None,
    sources: DataSources = SYNTHETIC,
    replicate: int = 0,
) -> dict:
    """Fine-tune a segmentation network on the target domain; returns ``{"miou", "seconds",
    "intersection", "union"}``: mIoU on the test split (a fraction), seconds, and per test image
    and class the pixels of the intersection and of the union of prediction and label (int64
    arrays (n_test, classes); summed over images they give the mIoU, resampled they give its
    bootstrap, :func:`miou_of_images`).

    ``init``: a source task name (its Taskonomy-architecture encoder initialises the network),
    ``"scratch"`` (random initialisation, all trained) or ``"frozen_random"`` (a random encoder
    kept frozen; only the decoder learns). ``replicate`` r: the source's replicate-r network
    (:func:`~rsa_utils.nets.zoo.get_model`) and a fine-tuning seed of its own (for a baseline,
    another random initialisation). Cached in the zoo.
    """
    if init not in FINETUNE_BASELINES and init not in TASK_NAMES:
        raise ValueError(f"unknown initialisation {init!r}; use a task name ({', '.join(TASK_NAMES)}) "
                         f"or one of {FINETUNE_BASELINES}")  # fmt: skip
    dev = torch.device(device)
    # replicate 0 keeps the seed it had before fine-tunings had replicates
    net_seed = network_seed(seed, "finetune", init, *([replicate] if replicate else []))

    def build(progress):
        t0 = time.perf_counter()
        net = seeded(net_seed, lambda: SegmentationNet(profile.resnet_width))
        if init not in FINETUNE_BASELINES:
            src = zoo.get_model(init, "taskonomy", profile, seed=seed, device="cpu",
                                cache_dir=cache_dir, sources=sources, replicate=replicate)  # fmt: skip
            net.encoder.load_state_dict(src.encoder.state_dict())
        net = net.to(dev).to(memory_format=torch.channels_last)  # 1.5x faster on a CPU
        params = net.decoder.parameters() if init == "frozen_random" else net.parameters()
        if init == "frozen_random":
            net.encoder.requires_grad_(False)
        opt = torch.optim.Adam(params, lr=profile.finetune_lr)
        sched = lr_scheduler(opt, profile.finetune_steps, profile.schedule, profile.warmup)
        kw = dict(image_size=profile.image_size, seed=seed, cache_dir=cache_dir,
                  **sources.target_kwargs())  # fmt: skip
        train = target_data("train", profile.target_train, **kw)
        test = target_data("test", profile.n_test, **kw)
        g = torch.Generator().manual_seed(net_seed)
        finetune_steps(net, opt, sched, train, profile, g, dev,
                       frozen_encoder=init == "frozen_random", desc=f"fine-tune {init}")  # fmt: skip
        per_image = image_confusions(net, test, dev)  # (n_test, C, C)
        inter = per_image.diagonal(dim1=1, dim2=2)
        union = per_image.sum(1) + per_image.sum(2) - inter
        conf = per_image.sum(0)
        rec = {"miou": miou_from_confusion(conf), "seconds": time.perf_counter() - t0}
        return {"confusion": conf, "intersection": inter.clone(), "union": union}, rec

    payload, meta = zoo.cached(
        "finetune",
        finetune_key(init, profile, seed, sources, replicate),
        build,
        cache_dir=cache_dir,
    )
    return {**meta["record"], "intersection": payload["intersection"].numpy(),
            "union": payload["union"].numpy()}  # fmt: skip


def miou_of_images(
    intersection: np.ndarray, union: np.ndarray, draws: np.ndarray | None = None
) -> np.ndarray:
    """mIoU (a fraction) from per-image intersections and unions (n_images, classes), over the
    classes present in the summed label or prediction (as :func:`miou_from_confusion`): of all
    images (a 0-d array), or of each row of image indices ``draws`` (n_draws, n) → (n_draws,)."""
    idx = np.arange(len(intersection))[None] if draws is None else np.asarray(draws)
    inter = np.asarray(intersection, float)[idx].sum(1)  # (D, C)
    uni = np.asarray(union, float)[idx].sum(1)
    present = uni > 0
    iou = np.divide(inter, uni, out=np.zeros_like(inter), where=present)
    out = iou.sum(1) / np.maximum(present.sum(1), 1)
    out[present.sum(1) == 0] = np.nan
    return out[0] if draws is None else out
