"""Scenes packed into padded tensors for the batched renderer: cameras and primitives."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from rsa_utils.world.scene_parts import (
    BOX,
    CYLINDER,
    SPHERE,
    Scene,
)


# ---------------------------------------------------------------------------------------------
# packing scenes into padded tensors
# ---------------------------------------------------------------------------------------------
@dataclass
class _Packed:
    """A batch of scenes as padded tensors (B scenes, N primitives sorted box | sphere | cyl)."""

    n_box: int
    n_sph: int
    prim: (
        torch.Tensor
    )  # (B, N, 15): center 3, size 3, cos, sin, instance, category, color 3, valid, kind
    cam_pos: torch.Tensor  # (B, 3)
    r_cw: torch.Tensor  # (B, 3, 3) camera-to-world rotation, columns = right, down, forward
    focal: torch.Tensor  # (B,) focal length in pixels
    lights: torch.Tensor  # (B, L, 3)
    light_int: torch.Tensor  # (B, L), 0 for padding
    ambient: torch.Tensor  # (B,)
    surfaces: torch.Tensor  # (B, S, 8)
    room_lo: torch.Tensor  # (B, 3)
    room_hi: torch.Tensor  # (B, 3)
    obj: torch.Tensor  # (B, O, 5) object bounding spheres: centre 3, radius, valid
    obj_prims: torch.Tensor  # (B, O, M) primitive slots of each object, -1 = padding


def camera_rotation(yaw: float, pitch: float) -> np.ndarray:
    """Camera-to-world rotation (3, 3), columns = camera x (right), y (down), z (forward)."""
    fwd = np.array(
        [math.cos(pitch) * math.sin(yaw), math.sin(pitch), math.cos(pitch) * math.cos(yaw)]
    )
    right = np.cross(fwd, [0.0, 1.0, 0.0])
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    return np.stack([right, down, fwd], axis=1)


@dataclass
class ScenePack:
    """One scene as the arrays :func:`render` needs (picklable; built by :func:`pack_scene`).

    ``prims`` (N, 15) float64 rows sorted by kind (boxes, spheres, cylinders), see
    :class:`_Packed`; ``kind_counts`` (3,); ``obj`` (O, 5) the bounding sphere of object
    instance k + 1 in row k (zeros where absent); ``obj_prims`` (O, M) rows of ``prims`` per
    object, -1 = padding. The rest are the camera, lights and room as in :class:`Scene`.
    """

    domain: str
    prims: np.ndarray
    kind_counts: np.ndarray
    obj: np.ndarray
    obj_prims: np.ndarray
    cam_pos: np.ndarray
    r_cw: np.ndarray
    fov: float
    angles: tuple[float, float, float]  # yaw, pitch, roll (rad)
    lights: np.ndarray
    light_intensity: np.ndarray
    ambient: float
    surfaces: np.ndarray
    room_lo: np.ndarray
    room_hi: np.ndarray
    room_type: int
    categories: np.ndarray  # (objects,) category id of each object


def pack_scene(s: Scene | ScenePack) -> ScenePack:
    """The arrays of one scene; cheap enough for the workers that sample scenes."""
    if isinstance(s, ScenePack):
        return s
    order = sorted(range(len(s.prims)), key=lambda j: s.prims[j].kind)  # stable within a kind
    ps = [s.prims[j] for j in order]
    prim = np.zeros((len(ps), 15))
    for j, p in enumerate(ps):
        prim[j] = [*p.center, *p.size, math.cos(p.yaw), math.sin(p.yaw), p.instance, p.category,
                   *p.color, 1.0, p.kind]  # fmt: skip
    kind_counts = np.array([sum(p.kind == k for p in ps) for k in (BOX, SPHERE, CYLINDER)])
    n_obj = max((p.instance for p in ps), default=0)
    slots = [[j for j, p in enumerate(ps) if p.instance == k + 1] for k in range(n_obj)]
    obj = np.zeros((n_obj, 5))
    obj_prims = -np.ones((n_obj, max([len(x) for x in slots] + [1])), dtype=np.int64)
    for k, sl in enumerate(slots):
        if not sl:
            continue
        cen, size, kind = prim[sl, 0:3], prim[sl, 3:6], prim[sl, 14]
        rad = np.where(
            kind == BOX,
            np.linalg.norm(size, axis=1),
            np.where(kind == CYLINDER, np.hypot(size[:, 0], size[:, 1]), size[:, 0]),
        )
        centre = ((cen - rad[:, None]).min(0) + (cen + rad[:, None]).max(0)) / 2
        obj[k] = [*centre, (np.linalg.norm(cen - centre, axis=1) + rad).max() * 1.001 + 1e-4, 1.0]
        obj_prims[k, : len(sl)] = sl
    return ScenePack(
        s.domain, prim, kind_counts, obj, obj_prims, np.asarray(s.cam_pos, float),
        camera_rotation(s.yaw, s.pitch), float(s.fov), (float(s.yaw), float(s.pitch), 0.0),
        np.asarray(s.lights, float).reshape(-1, 3), np.asarray(s.light_intensity, float).reshape(-1),
        float(s.ambient), np.asarray(s.surfaces, float), np.asarray(s.room_lo, float),
        np.asarray(s.room_hi, float), int(s.room_type), np.asarray(s.categories, dtype=np.int64),
    )  # fmt: skip


def _pad_stack(arrays: list[np.ndarray], fill: float = 0.0) -> np.ndarray:
    """Stack arrays that differ in their first dimension, padding with ``fill``."""
    n = max([len(a) for a in arrays] + [0])
    out = np.full((len(arrays), n, *arrays[0].shape[1:]), fill, dtype=arrays[0].dtype)
    for i, a in enumerate(arrays):
        out[i, : len(a)] = a
    return out


def _pack(packs: list[ScenePack], image_size: int, device: torch.device) -> _Packed:
    """Pad a batch of packed scenes into tensors; primitives of each kind share their slots."""
    b = len(packs)
    counts = np.stack([p.kind_counts for p in packs])
    nmax = counts.max(0)
    n_total = int(nmax.sum())
    offsets = np.concatenate([[0], np.cumsum(nmax)[:-1]])
    prim = np.zeros((b, max(n_total, 1), 15))
    prim[:, :, 3:6] = 1.0  # harmless size for padding
    prim[:, :, 6] = 1.0
    n_obj = max([len(p.obj) for p in packs] + [1])
    m = max([p.obj_prims.shape[1] for p in packs] + [1])
    obj = np.zeros((b, n_obj, 5))
    obj_prims = -np.ones((b, n_obj, m), dtype=np.int64)
    for i, p in enumerate(packs):
        slot = np.concatenate([offsets[k] + np.arange(p.kind_counts[k]) for k in range(3)]).astype(
            np.int64
        )  # local row -> slot
        prim[i, slot] = p.prims
        obj[i, : len(p.obj)] = p.obj
        op = p.obj_prims
        obj_prims[i, : op.shape[0], : op.shape[1]] = np.where(op >= 0, slot[op.clip(0)], -1)
    focal = np.array([(image_size / 2) / math.tan(math.radians(p.fov) / 2) for p in packs])

    def t(x):
        return torch.as_tensor(np.asarray(x, dtype=np.float32), device=device)

    lights = _pad_stack([p.lights for p in packs])
    lint = _pad_stack([p.light_intensity for p in packs])
    return _Packed(
        int(nmax[0]), int(nmax[1]), t(prim), t(np.stack([p.cam_pos for p in packs])),
        t(np.stack([p.r_cw for p in packs])), t(focal), t(lights), t(lint),
        t([p.ambient for p in packs]), t(_pad_stack([p.surfaces for p in packs])),
        t(np.stack([p.room_lo for p in packs])), t(np.stack([p.room_hi for p in packs])),
        t(obj), torch.as_tensor(obj_prims, device=device),
    )  # fmt: skip
