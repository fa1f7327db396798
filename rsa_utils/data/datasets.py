"""The datasets of both domains: the synthetic world (rendered, chunk-cached) or real folders, by one choice.

``source_data`` gives images and the labels of the 20 tasks of the source domain (the
synthetic Taskonomy of :mod:`rsa_utils.data.synthetic`, or a real Taskonomy folder);
``target_data`` gives images and semantic segmentations of the target domain (the synthetic
outdoor world, or Pascal VOC; see :mod:`rsa_utils.data.realdata`).
"""

from __future__ import annotations

from rsa_utils.data.pipeline import RENDER_BATCH  # noqa: F401  (re-exported: datasets.RENDER_BATCH)
from rsa_utils.data.sources import DATA_KINDS, TARGET_DATA_KINDS, check_choice
from rsa_utils.data.splits import SPLITS, Index, check_n, check_size, check_split, resolve_index  # noqa: F401
from rsa_utils.data.synthetic import N_TARGET_CLASSES, SourceData, TargetData  # noqa: F401


def source_data(
    split: str,
    n: int,
    *,
    image_size: int,
    seed: int = 0,
    tasks=None,
    cache_dir=None,
    device="cpu",
    data: str = "synthetic",
    data_root=None,
) -> SourceData:
    """The source-domain dataset: ``data="synthetic"`` (rendered, cached) or ``"taskonomy"``
    (a Taskonomy folder at ``data_root``, see :mod:`rsa_utils.realdata`)."""
    check_choice("data", data, DATA_KINDS)
    if data == "taskonomy":
        from rsa_utils.data.realdata import TaskonomyData

        return TaskonomyData(
            data_root, split, n, image_size=image_size, seed=seed, tasks=tasks, device=device
        )
    return SourceData(
        split, n, image_size=image_size, seed=seed, tasks=tasks, cache_dir=cache_dir, device=device
    )


def target_data(
    split: str,
    n: int,
    *,
    image_size: int,
    seed: int = 0,
    cache_dir=None,
    device="cpu",
    target_data: str = "synthetic",
    target_root=None,
) -> TargetData:
    """The target-domain dataset: ``target_data="synthetic"`` (rendered, cached) or ``"voc"``
    (Pascal VOC 2012 segmentation at ``target_root``, see :mod:`rsa_utils.realdata`)."""
    check_choice("target_data", target_data, TARGET_DATA_KINDS)
    if target_data == "voc":
        from rsa_utils.data.realdata import VOCData

        return VOCData(target_root, split, n, image_size=image_size, seed=seed, device=device)
    return TargetData(
        split, n, image_size=image_size, seed=seed, cache_dir=cache_dir, device=device
    )
