"""Real data with the same interface as the synthetic datasets: Taskonomy folders and Pascal VOC.

**Taskonomy** (``source_data(data="taskonomy", data_root=...)``): ``data_root`` is either one
building folder or a folder of building folders; a building folder holds one sub-folder per
domain with files ``point_<p>_view_<v>_domain_<domain>.png`` (Taskonomy's naming). Read
encodings (Taskonomy's): depths ``depth_zbuffer`` / ``depth_euclidean`` uint16 PNG in 1/512 m
(65535 = no depth); ``normal`` uint8 RGB = (n + 1) / 2; ``principal_curvature`` uint8 with k1,
k2 in the first two channels (128 = flat); ``reshading`` uint8 (first channel); edge and
keypoint maps 16-bit PNGs scaled by 1/65535 (8-bit ones by 1/255); segmentations PNG ids
(RGB ids are packed into one integer); ``room_layout``, ``vanishing_point``, ``class_object``
and ``class_scene`` as ``.npy`` files (vectors; ``class_scene`` takes the arg-max). Depths are
re-encoded with :func:`rsa_utils.labels.encode_depth`, so they match the synthetic labels.
Tasks computed from RGB (autoencoding, denoising, inpainting, colorization) need only
``rgb/``; ``edge_texture`` and ``keypoints2d`` fall back to the project's recipes on the RGB
image when their folders are missing. A task with neither raises ``ValueError``.

Splits: if ``data_root`` has ``train/``, ``val/``, ``test/``, ``rsa/`` sub-folders they are
used; otherwise every view goes to one split by a stable hash of its name (70 / 10 / 10 / 10 %).
Within a split, sample ``i`` is the ``i``-th view of a permutation seeded by ``seed``.

**Pascal VOC** (``target_data(target_data="voc", target_root=...)``): VOC 2012 segmentation
through ``torchvision.datasets.VOCSegmentation(target_root, download=False)``, i.e.
``target_root/VOCdevkit/VOC2012/{JPEGImages, SegmentationClass, ImageSets/Segmentation}``.
Split ``train`` is VOC's ``train``; ``val``, ``test`` and ``rsa`` are disjoint thirds of VOC's
``val`` (every third image). Images are resized (shorter side) and centre-cropped to
``image_size``; labels with nearest neighbours, keeping 255 (ignore).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from rsa_utils.data.splits import SPLITS, Index, check_split, resolve_index
from rsa_utils.world.labels import colorization, edge_texture, encode_depth, keypoints2d
from rsa_utils.world.scene_parts import stable_seed
from rsa_utils.world.tasks import (
    IGNORE_INDEX,
    N_TARGET_CLASSES,
    TASKS,
    check_tasks,
)

#: Folder (Taskonomy domain name) of each task that is read from disk.
TASKONOMY_FOLDERS: dict[str, str] = {
    "edge_texture": "edge_texture",
    "keypoints2d": "keypoints2d",
    "segment_unsup2d": "segment_unsup2d",
    "curvature": "principal_curvature",
    "depth_euclidean": "depth_euclidean",
    "depth_zbuffer": "depth_zbuffer",
    "edge_occlusion": "edge_occlusion",
    "keypoints3d": "keypoints3d",
    "normal": "normal",
    "reshading": "reshading",
    "segment_unsup25d": "segment_unsup25d",
    "room_layout": "room_layout",
    "vanishing_point": "vanishing_point",
    "class_object": "class_object",
    "class_scene": "class_scene",
    "segment_semantic": "segment_semantic",
}
FROM_RGB = ("autoencoding", "denoising", "inpainting", "colorization")
FALLBACK_FROM_RGB = ("edge_texture", "keypoints2d")
_NAME = re.compile(r"^(point_.+_view_.+)_domain_rgb\.png$")
_SPLIT_FRACTIONS = (0.7, 0.1, 0.1, 0.1)


def _read_png(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        a = np.array(im)
    return a


def _square(x: torch.Tensor, size: int, mode: str) -> torch.Tensor:
    """Resize (C, H, W) so the shorter side is ``size`` and centre-crop to size x size."""
    h, w = x.shape[-2:]
    s = size / min(h, w)
    nh, nw = max(size, round(h * s)), max(size, round(w * s))
    if (nh, nw) != (h, w):
        if mode == "nearest":
            x = F.interpolate(x[None].float(), size=(nh, nw), mode="nearest")[0].to(x.dtype)
        else:
            x = F.interpolate(
                x[None].float(), size=(nh, nw), mode="bilinear", antialias=True, align_corners=False
            )[0]
    top, left = (nh - size) // 2, (nw - size) // 2
    return x[..., top : top + size, left : left + size]


def _chw(a: np.ndarray) -> torch.Tensor:
    t = torch.from_numpy(a.astype(np.float32) if a.dtype != np.float32 else a)
    return t[None] if t.ndim == 2 else t.permute(2, 0, 1)


class TaskonomyData:
    """A split of a local Taskonomy folder, with :class:`rsa_utils.datasets.SourceData`'s interface."""

    kind = "taskonomy"

    def __init__(
        self, root, split: str, n: int, *, image_size: int, seed: int = 0, tasks=None, device="cpu"
    ):
        self.split, self.n, self.image_size, self.seed = (
            check_split(split),
            int(n),
            int(image_size),
            int(seed),
        )
        self.tasks = check_tasks(tasks)
        self.device = torch.device(device)
        expected = "a Taskonomy folder: rgb/ (and depth_zbuffer/, normal/, ...) with point_<p>_view_<v>_domain_<domain>.png files, or folders of such buildings"
        if root is None:
            raise ValueError(f"data_root is required for data='taskonomy'; expected {expected}")
        self.root = Path(root)
        if not self.root.is_dir():
            raise ValueError(
                f"data_root={str(self.root)!r}: no such directory; expected {expected}"
            )
        base = self.root / split if all((self.root / s).is_dir() for s in SPLITS) else self.root
        buildings = (
            [base]
            if (base / "rgb").is_dir()
            else sorted(d for d in base.iterdir() if (d / "rgb").is_dir())
        )
        views = []
        for b in buildings:
            for f in sorted((b / "rgb").iterdir()):
                m = _NAME.match(f.name)
                if m:
                    views.append((b, m.group(1)))
        if not views:
            raise ValueError(
                f"data_root={str(self.root)!r}: found no RGB views; expected {expected}"
            )
        if base is self.root:
            cuts = np.cumsum(_SPLIT_FRACTIONS)
            which = SPLITS.index(split)
            views = [
                v
                for v in views
                if np.searchsorted(
                    cuts, (stable_seed(v[0].name, v[1]) % 10**6) / 10**6, side="right"
                )
                == which
            ]
        if len(views) < self.n:
            raise ValueError(
                f"data_root={str(self.root)!r}: split {split!r} has {len(views)} views, {self.n} were asked for"
            )
        for t in self.tasks:
            if t in FROM_RGB:
                continue
            folder = TASKONOMY_FOLDERS[t]
            missing = [b for b in buildings if not (b / folder).is_dir()]
            if missing and t not in FALLBACK_FROM_RGB:
                raise ValueError(
                    f"data_root={str(self.root)!r}: task {t!r} needs the folder {folder}/ in {missing[0]}; it is missing"
                )
        perm = np.random.default_rng(stable_seed("taskonomy", seed, split)).permutation(len(views))
        self.views = [views[j] for j in perm[: self.n]]

    def __len__(self) -> int:
        return self.n

    def prepare(self) -> TaskonomyData:
        return self

    def _file(self, b: Path, key: str, folder: str, ext: str = ".png") -> Path:
        p = b / folder / f"{key}_domain_{folder}{ext}"
        if not p.exists():
            raise ValueError(f"data_root={str(self.root)!r}: missing file {p}")
        return p

    def _load_task(self, t: str, b: Path, key: str, rgb: torch.Tensor) -> torch.Tensor:
        s = self.image_size
        folder = TASKONOMY_FOLDERS[t]
        if t in FALLBACK_FROM_RGB and not (b / folder).is_dir():
            return (edge_texture if t == "edge_texture" else keypoints2d)(rgb[None])[0]
        fmt = TASKS[t].target
        if fmt in ("vector", "soft_class", "class"):
            v = torch.from_numpy(
                np.load(self._file(b, key, folder, ".npy")).astype(np.float32).reshape(-1)
            )
            if fmt == "soft_class":
                return v.clamp_min(0) / v.clamp_min(0).sum().clamp_min(1e-12)
            return v.argmax() if fmt == "class" else v
        a = _read_png(self._file(b, key, folder))
        if fmt in ("segments", "dense_class"):
            a = a.astype(np.int64)
            if a.ndim == 3:
                a = (
                    (a[..., 0] << 16) + (a[..., 1] << 8) + a[..., 2]
                    if a.shape[-1] >= 3
                    else a[..., 0]
                )
            return _square(torch.from_numpy(a)[None], s, "nearest")[0].long()
        x = _chw(a)
        if t in ("depth_zbuffer", "depth_euclidean"):
            x = x[:1]
            metres = torch.where(x >= 65535, torch.full_like(x, 128.0), x / 512.0)
            return encode_depth(_square(metres, s, "bilinear"))
        scale = 65535.0 if a.dtype == np.uint16 else 255.0
        x = x / scale
        if t == "normal":
            x = x[:3]
        elif t == "curvature":
            x = x[:2]
        else:
            x = x[:1]
        return _square(x, s, "bilinear").clamp(0, 1)

    def batch(self, idx: Index, device=None) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        ii = resolve_index(idx, self.n)
        dev = torch.device(device) if device is not None else self.device
        rgbs, labels = [], {t: [] for t in self.tasks}
        for i in ii:
            b, key = self.views[i]
            a = _read_png(self._file(b, key, "rgb"))
            if a.ndim == 2:
                a = np.stack([a] * 3, -1)
            rgb = _square(_chw(a[..., :3]) / 255.0, self.image_size, "bilinear").clamp(0, 1)
            rgbs.append(rgb)
            for t in self.tasks:
                if TASKS[t].target == "rgb":
                    continue
                if t == "colorization":
                    labels[t].append(colorization(rgb[None])[0])
                else:
                    labels[t].append(self._load_task(t, b, key, rgb))
        rgb = torch.stack(rgbs).to(dev)
        out = {
            t: rgb if TASKS[t].target == "rgb" else torch.stack(labels[t]).to(dev)
            for t in self.tasks
        }
        return rgb, out

    def __repr__(self) -> str:
        return f"TaskonomyData({str(self.root)!r}, split={self.split!r}, n={self.n}, image_size={self.image_size})"


class VOCData:
    """A split of Pascal VOC 2012 segmentation, with :class:`rsa_utils.datasets.TargetData`'s interface."""

    kind = "voc"
    n_classes = N_TARGET_CLASSES
    ignore_index = IGNORE_INDEX

    def __init__(self, root, split: str, n: int, *, image_size: int, seed: int = 0, device="cpu"):
        from torchvision.datasets import VOCSegmentation

        self.split, self.n, self.image_size, self.seed = (
            check_split(split),
            int(n),
            int(image_size),
            int(seed),
        )
        self.device = torch.device(device)
        expected = "a Pascal VOC root: <root>/VOCdevkit/VOC2012/{JPEGImages, SegmentationClass, ImageSets/Segmentation/{train,val}.txt}"
        if root is None:
            raise ValueError(f"target_root is required for target_data='voc'; expected {expected}")
        self.root = Path(root)
        image_set = "train" if split == "train" else "val"
        try:
            voc = VOCSegmentation(str(self.root), year="2012", image_set=image_set, download=False)
        except (RuntimeError, OSError) as e:
            raise ValueError(
                f"target_root={str(self.root)!r}: not usable ({e}); expected {expected}"
            ) from None
        pairs = list(zip(voc.images, voc.targets))
        if split != "train":
            pairs = pairs[("val", "test", "rsa").index(split) :: 3]
        if len(pairs) < self.n:
            raise ValueError(
                f"target_root={str(self.root)!r}: split {split!r} has {len(pairs)} images, {self.n} were asked for"
            )
        self.pairs = pairs[: self.n]

    def __len__(self) -> int:
        return self.n

    def prepare(self) -> VOCData:
        return self

    def batch(self, idx: Index, device=None) -> tuple[torch.Tensor, torch.Tensor]:
        ii = resolve_index(idx, self.n)
        dev = torch.device(device) if device is not None else self.device
        rgbs, segs = [], []
        for i in ii:
            img, tgt = self.pairs[i]
            for p in (img, tgt):
                if not Path(p).exists():
                    raise ValueError(f"target_root={str(self.root)!r}: missing file {p}")
            with Image.open(img) as im:
                a = np.array(im.convert("RGB"))
            with Image.open(tgt) as im:
                sg = np.array(im)
            if sg.ndim == 3:
                raise ValueError(
                    f"target_root={str(self.root)!r}: {tgt} is not a palette (class-index) PNG"
                )
            rgbs.append(_square(_chw(a) / 255.0, self.image_size, "bilinear").clamp(0, 1))
            segs.append(
                _square(torch.from_numpy(sg.astype(np.int64))[None], self.image_size, "nearest")[0]
            )
        return torch.stack(rgbs).to(dev), torch.stack(segs).to(dev).long()

    def __repr__(self) -> str:
        return f"VOCData({str(self.root)!r}, split={self.split!r}, n={self.n}, image_size={self.image_size})"
