"""The task registry: the one place that names the 20 Taskonomy tasks of the study.

Every other module (labels, losses, models, notebooks) reads :data:`TASKS`; no task list is
typed anywhere else. Names follow Taskonomy / visualpriors code names, ``label`` follows the
paper's plots. Label formats (what :mod:`rsa_utils.labels` returns per task, batch of B, H x W):

========================  ===================================================  ==============
format                    tensor                                               tasks
========================  ===================================================  ==============
``rgb``                   float32 (B, 3, H, W) in [0, 1]                       autoencoding, denoising, inpainting
``ab``                    float32 (B, 2, H, W) Lab a/b divided by 128          colorization (soft-encoded in the loss)
``map``                   float32 (B, C, H, W), roughly in [0, 1]              edges, keypoints, depths, reshading, curvature, normal
``segments``              int64 (B, H, W) segment ids >= 0                     segment_unsup2d / 25d (metric loss)
``vector``                float32 (B, D), standardised                         room_layout, vanishing_point
``soft_class``            float32 (B, C) rows summing to 1                     class_object
``class``                 int64 (B,)                                           class_scene
``dense_class``           int64 (B, H, W), 0 = background                      segment_semantic
========================  ===================================================  ==============
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import torch

# --- the world's vocabularies (the renderer in rsa_utils.scenes draws from these) -------------
#: Indoor object categories of the source domain (semantic id = index + 1; 0 is background).
OBJECT_CATEGORIES: tuple[str, ...] = (
    "table", "chair", "sofa", "bed", "cabinet", "lamp",
    "ball", "vase", "barrel", "shelf", "crate", "pillar",
)  # fmt: skip
#: Room types of the source domain (the scene class).
ROOM_TYPES: tuple[str, ...] = ("living_room", "bedroom", "kitchen", "office", "storage")
#: Outdoor categories of the shifted target domain (the Pascal VOC stand-in), 0 = background.
TARGET_CATEGORIES: tuple[str, ...] = (
    "car", "bus", "truck", "train", "boat", "bicycle", "person", "horse", "cow", "sheep",
    "dog", "bird", "tree", "bush", "rock", "house", "tower", "tent", "fence", "sign",
)  # fmt: skip
#: Classes of the target task: the target categories and the background.
N_TARGET_CLASSES = len(TARGET_CATEGORIES) + 1
#: Number of quantised ab bins for colorization (a 6 x 6 grid over [-1, 1]^2).
COLOR_BINS_PER_AXIS = 6
N_COLOR_BINS = COLOR_BINS_PER_AXIS**2
#: Dimension of the pixel embedding for the unsupervised segmentations (Taskonomy: 64).
EMBEDDING_DIM = 64
#: Value of ignored pixels in dense class labels (as in Pascal VOC).
IGNORE_INDEX = 255

TASK_TYPES: tuple[str, ...] = ("2D", "3D", "geometric", "semantic")
INPUT_KINDS: tuple[str, ...] = ("rgb", "gray", "noisy", "masked")


@dataclass(frozen=True)
class Task:
    """One task of the study.

    Attributes: ``name`` (code name), ``label`` (paper's plot label), ``type`` (one of
    :data:`TASK_TYPES`), ``input`` (transform of the RGB input, one of :data:`INPUT_KINDS`),
    ``target`` (label format, see module docstring), ``out_channels`` (network outputs),
    ``loss`` (``l1`` | ``l2`` | ``soft_ce`` | ``ce`` | ``metric``), ``dense`` (spatial output),
    ``metric`` (held-out quality measure: ``l1`` | ``l2`` | ``soft_kl`` | ``accuracy`` | ``miou`` |
    ``metric``),
    ``recipe`` (how the label is made, one line), ``class_weights`` (per-class weights of a
    dense ``ce`` loss, one per output channel, or None for plain cross-entropy),
    ``steps_factor`` ((architecture, factor) pairs: that architecture's networks of the task
    train for ``factor`` times the profile's optimiser steps, same batch and schedule, where
    the task's learning curve still rises; :meth:`steps_factor_of`), ``lr_factor`` (its
    networks' peak learning rate relative to the profile's), ``revision`` (bumped when the
    task's loss or metric changes; > 0 enters the zoo keys of its networks and of the readouts
    that have it as a target, so that only they retrain; a changed *label* needs a new
    ``GENERATOR_VERSION``, which also keys the rendered data). ``recipe`` is how the label is
    made; how its networks train is :meth:`rsa_utils.profiles.Profile.recipe`.
    """

    name: str
    label: str
    type: str
    input: str
    target: str
    out_channels: int
    loss: str
    dense: bool
    metric: str
    recipe: str
    class_weights: tuple[float, ...] | None = None
    steps_factor: tuple[tuple[str, int], ...] = ()
    lr_factor: float = 1.0
    revision: int = 0

    def steps_factor_of(self, arch: str) -> int:
        """How many times the profile's steps this task's ``arch`` networks train (default 1)."""
        return dict(self.steps_factor).get(arch, 1)

    def input_of(self, rgb: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """This task's network input from a clean RGB batch (B, 3, H, W) (:func:`task_input`)."""
        return task_input(self, rgb, generator)


def _t(name, label, type_, input_, target, out, loss, dense, metric, recipe) -> Task:
    return Task(name, label, type_, input_, target, out, loss, dense, metric, recipe)


_C, _R = len(OBJECT_CATEGORIES), len(ROOM_TYPES)

#: All 20 tasks, in the book's display order (grouped by type).
TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        _t("autoencoding", "autoencoding", "2D", "rgb", "rgb", 3, "l1", True, "l1", "the RGB image"),
        _t("colorization", "colorization", "2D", "gray", "ab", N_COLOR_BINS, "soft_ce", True, "soft_kl",
           "input: L of Lab; target: soft-encoded quantised ab bins"),
        _t("denoising", "denoising", "2D", "noisy", "rgb", 3, "l1", True, "l1",
           "input: RGB + Gaussian noise (var 0.01); target: clean RGB"),
        _t("edge_texture", "2D edges", "2D", "rgb", "map", 1, "l1", True, "l1",
           "Sobel magnitude of Gaussian-smoothed gray"),
        _t("inpainting", "inpainting", "2D", "masked", "rgb", 3, "l1", True, "l1",
           "input: centre H/2 x W/2 block zeroed; target: whole RGB"),
        _t("keypoints2d", "2D keypoints", "2D", "rgb", "map", 1, "l1", True, "l1",
           "max over scales of the Hessian-determinant response, no NMS"),
        _t("segment_unsup2d", "2D segment", "2D", "rgb", "segments", EMBEDDING_DIM, "metric", True, "metric",
           "Felzenszwalb superpixels merged by normalized cut, on RGB"),
        _t("curvature", "curvature", "3D", "rgb", "map", 2, "l2", True, "l2",
           "principal curvatures k1, k2 of the rendered surface, smoothed at creases"),
        _t("depth_euclidean", "distance", "3D", "rgb", "map", 1, "l1", True, "l1",
           "Euclidean distance to the camera centre, log-encoded"),
        _t("depth_zbuffer", "z-depth", "3D", "rgb", "map", 1, "l1", True, "l1", "z-buffer depth, log-encoded"),
        _t("edge_occlusion", "occlusion edges", "3D", "rgb", "map", 1, "l1", True, "l1",
           "Sobel on sqrt(depth), then Gaussian blur"),
        _t("keypoints3d", "3D keypoints", "3D", "rgb", "map", 1, "l1", True, "l1",
           "NARF-like interest from normal and position variation of the range image"),
        _t("normal", "surface normals", "3D", "rgb", "map", 3, "l1", True, "l1",
           "camera-frame unit normals encoded to [0, 1]"),
        _t("reshading", "reshading", "3D", "rgb", "map", 1, "l1", True, "l1",
           "Lambertian shading from a point light at the camera, constant albedo, 1/r^2 falloff"),
        _t("segment_unsup25d", "2.5d segment", "3D", "rgb", "segments", EMBEDDING_DIM, "metric", True, "metric",
           "the same segmentation recipe on depth + normals + occlusion edges"),
        _t("room_layout", "room layout", "geometric", "rgb", "vector", 9, "l2", False, "l2",
           "room box centre (3), camera angles (3), box extents (3), standardised"),
        _t("vanishing_point", "vanishing point", "geometric", "rgb", "vector", 5, "l2", False, "l2",
           "the Manhattan frame in camera coordinates: up axis (3), cos 4ψ, sin 4ψ of the yaw"),
        _t("class_object", "object class", "semantic", "rgb", "soft_class", _C, "soft_ce", False, "accuracy",
           "distribution of visible pixels over object categories"),
        _t("class_scene", "scene class", "semantic", "rgb", "class", _R, "ce", False, "accuracy",
           "room type drawn by the generator"),
        _t("segment_semantic", "semantic segmentation", "semantic", "rgb", "dense_class", _C + 1, "ce", True, "miou",
           "per-pixel object category from the renderer, 0 = background"),
    )
}  # fmt: skip


#: Pixel share of each semantic class in the source world (background, then
#: :data:`OBJECT_CATEGORIES`), measured once on 4 096 rendered 64-px scenes (generator synth-3,
#: benchmarks/class_weights.md); a test re-measures them on fresh scenes.
SOURCE_CLASS_SHARES: tuple[float, ...] = (
    0.785, 0.0211, 0.0195, 0.0058, 0.0045, 0.0716, 0.00903, 0.00136, 0.00103, 0.0118, 0.0407,
    0.0121, 0.0161,
)  # fmt: skip
#: The same for the target domain (background, then :data:`TARGET_CATEGORIES`).
TARGET_CLASS_SHARES: tuple[float, ...] = (
    0.847, 0.00795, 0.00986, 0.00594, 0.00597, 0.0123, 0.00226, 0.00161, 0.00375, 0.00334,
    0.00153, 0.000717, 0.0004, 0.0162, 0.00445, 0.00551, 0.0256, 0.0288, 0.0112, 0.00227, 0.00276,
)  # fmt: skip


def balanced_class_weights(shares: Iterable[float]) -> tuple[float, ...]:
    """Cross-entropy weights w_c ∝ f_c^(-1/2) of the classes' pixel shares f_c (C,), scaled so
    that a pixel's expected weight sum_c w_c f_c is 1 (a weighted loss on the scale of the plain
    one). Inverse-square-root balancing: with plain cross-entropy the networks paint the
    background (~80 % of the pixels) and learn little else; full inverse-frequency (median
    frequency) balancing over-weights the rarest classes (benchmarks/class_weights.md)."""
    f = torch.tensor(list(shares), dtype=torch.float64)
    if (f <= 0).any():
        raise ValueError(f"class shares must be positive, got {f.tolist()}")
    w = f.rsqrt()
    return tuple(round(float(x), 6) for x in w / (w * f).sum())


TASKS["segment_semantic"] = dataclasses.replace(
    TASKS["segment_semantic"], class_weights=balanced_class_weights(SOURCE_CLASS_SHARES)
)
#: Tasks whose networks train longer than their profile says (``Task.steps_factor``,
#: ``lr_factor``), where their learning curves still rose. Curvature's creases are lines 1-3
#: pixels wide that its networks learn late, and only under SPEC's L2 loss (under L1 the flat
#: median beats any blurred line): revision 1 moved it from L1 back to L2, with 8 (small) and 2
#: (ResNet) times the steps at 3 times the peak (benchmarks/curvature.md). The small model's
#: dense 3D tasks gain +0.04 to +0.09 of relative quality from twice the steps, the ResNet's 3D
#: keypoints 0.18 -> 0.27 (benchmarks/learning.md); 2.5D segment's metric loss overfits.
_OWN_RECIPES: dict[str, dict] = {
    "curvature": dict(revision=1, steps_factor=(("small", 8), ("taskonomy", 2)), lr_factor=3.0),
    **{n: dict(steps_factor=(("small", 2),))
       for n in ("depth_euclidean", "depth_zbuffer", "edge_occlusion", "normal", "reshading")},
    "keypoints3d": dict(steps_factor=(("small", 2), ("taskonomy", 2))),
}  # fmt: skip
for _name, _own in _OWN_RECIPES.items():
    TASKS[_name] = dataclasses.replace(TASKS[_name], **_own)
TASK_NAMES: tuple[str, ...] = tuple(TASKS)
#: S1: the 14 tasks with spatial output and L1/L2/metric loss (small vs Taskonomy models).
_S1 = (
    "autoencoding", "curvature", "denoising", "edge_texture", "edge_occlusion", "inpainting",
    "keypoints2d", "keypoints3d", "reshading", "depth_zbuffer", "depth_euclidean", "normal",
    "segment_unsup25d", "segment_unsup2d",
)  # fmt: skip
S1_TASKS: tuple[str, ...] = tuple(n for n in TASK_NAMES if n in _S1)
#: S3.4: all tasks but those that need a modified input.
S34_TASKS: tuple[str, ...] = tuple(t.name for t in TASKS.values() if t.input == "rgb")


#: The target task of S3 (Pascal VOC stand-in): segment_semantic's recipe with the target
#: domain's classes (background + the 20 :data:`TARGET_CATEGORIES`).
TARGET_TASK: Task = dataclasses.replace(
    TASKS["segment_semantic"],
    name="target_segmentation",
    label="target segmentation",
    out_channels=len(TARGET_CATEGORIES) + 1,
    recipe="per-pixel category of the target domain (Pascal VOC stand-in), 0 = background",
    class_weights=balanced_class_weights(TARGET_CLASS_SHARES),
)


def get_task(name: str) -> Task:
    """The :class:`Task` called ``name``; an unknown name raises ``ValueError`` listing the valid ones."""
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(
            f"unknown task {name!r}; valid task names are: {', '.join(TASK_NAMES)}"
        ) from None


def check_tasks(
    names: Iterable[str] | str | None, default: Iterable[str] = TASK_NAMES
) -> list[str]:
    """Validate a task list (a list, a comma-separated string or None for ``default``)."""
    if names is None:
        names = list(default)
    elif isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    names = list(names)
    for n in names:
        get_task(n)
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate task names in {names}")
    return names


def tasks_of_type(type_: str) -> list[str]:
    """Names of the tasks of one type (``2D``, ``3D``, ``geometric`` or ``semantic``)."""
    if type_ not in TASK_TYPES:
        raise ValueError(f"unknown task type {type_!r}; valid types are: {', '.join(TASK_TYPES)}")
    return [n for n, t in TASKS.items() if t.type == type_]


def task_input(
    task: Task | str, rgb: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """The network input for ``task`` from a clean RGB batch (B, 3, H, W) in [0, 1].

    ``gray``: L of Lab scaled to [0, 1] repeated to 3 channels; ``noisy``: + N(0, 0.01) noise
    (variance 0.01 as in Taskonomy), clipped; ``masked``: centre H/2 x W/2 block set to 0.
    """
    task = get_task(task) if isinstance(task, str) else task
    if task.input == "rgb":
        return rgb
    if task.input == "gray":
        lum = rgb_to_lightness(rgb)
        return lum.expand(-1, 3, -1, -1).contiguous()
    if task.input == "noisy":
        noise = torch.randn(rgb.shape, generator=generator, device="cpu").to(rgb.device, rgb.dtype)
        return (rgb + 0.1 * noise).clamp(0, 1)
    if task.input == "masked":
        out = rgb.clone()
        h, w = rgb.shape[-2:]
        out[..., h // 4 : h // 4 + h // 2, w // 4 : w // 4 + w // 2] = 0
        return out
    raise AssertionError(task.input)


def rgb_to_lightness(rgb: torch.Tensor) -> torch.Tensor:
    """CIE L* of an sRGB batch (B, 3, H, W) in [0, 1], scaled to [0, 1]: (B, 1, H, W)."""
    lin = torch.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    y = 0.2126 * lin[:, 0:1] + 0.7152 * lin[:, 1:2] + 0.0722 * lin[:, 2:3]
    f = torch.where(
        y > (6 / 29) ** 3, y.clamp_min(1e-12) ** (1 / 3), y / (3 * (6 / 29) ** 2) + 4 / 29
    )
    return (116 * f - 16) / 100
