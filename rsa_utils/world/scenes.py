"""The procedural worlds: scene sampling and a batched ray caster in torch.

Two generators share one renderer:

* the **source domain** (:func:`source_scene`), a synthetic Taskonomy: an axis-aligned indoor
  room (floor, ceiling, four walls) with procedural textures, 3-8 objects from
  :data:`rsa_utils.tasks.OBJECT_CATEGORIES` built from analytic primitives (boxes rotated about
  the vertical axis, spheres, vertical capped cylinders), 1-3 point lights with hard shadows
  plus ambient light, and a camera inside the room (FOV about 61 deg, roll 0, small pitch).
  The room type (:data:`rsa_utils.tasks.ROOM_TYPES`) sets the object, texture and light priors.
* the **target domain** (:func:`target_scene`), the Pascal VOC stand-in with a deliberate
  shift: an outdoor ground plane and sky, a higher camera looking down more, another FOV, a
  sun-like directional light, and objects from :data:`rsa_utils.tasks.TARGET_CATEGORIES`.

Scene parameters of sample ``i`` of a split are a pure function of ``(seed, split, i)``: a
numpy ``Generator`` is seeded from a BLAKE2 hash of those values (never Python's ``hash``),
the scene is built on the CPU in float64 and only then moved to the render device, so
renders agree across processes and between CPU and CUDA to float tolerance.

Coordinates. World: metres, ``y`` up, the floor / ground at ``y = 0``. Camera frame (OpenCV):
``x`` right, ``y`` down, ``z`` forward; z-depth is the camera-frame ``z``. Camera rays are
cast through pixel centres, one ray per pixel.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from rsa_utils.world.tasks import OBJECT_CATEGORIES, ROOM_TYPES, TARGET_CATEGORIES

#: Version of the generators and the label recipes; bump whenever any output changes.
GENERATOR_VERSION = "synth-2"

BOX, SPHERE, CYLINDER = 0, 1, 2
#: Texture kinds of room surfaces and the ground.
CHECKER, STRIPES, NOISE, PLAIN = 0, 1, 2, 3
#: Room faces, in the order of :attr:`Render.face` (-1 = an object or the sky).
ROOM_FACES = ("wall_x_lo", "wall_x_hi", "floor", "ceiling", "wall_z_lo", "wall_z_hi")
SOURCE_FOV_DEG = 61.0
SKY_DEPTH = 1000.0  # z-depth reported for sky pixels of the target domain, m
_EPS = 1e-4


# ---------------------------------------------------------------------------------------------
# scene description (numpy, built on the CPU)
# ---------------------------------------------------------------------------------------------
@dataclass
class Primitive:
    """One analytic primitive in world coordinates.

    ``size``: box half-extents (hx, hy, hz) in its own frame; sphere (r, r, r); cylinder
    (r, half-height, r). ``yaw`` (rad) rotates a box about the vertical axis.
    """

    kind: int
    center: tuple[float, float, float]
    size: tuple[float, float, float]
    yaw: float
    instance: int  # 1.. per object (0 = room / background)
    category: int  # 1.. (0 = background)
    color: tuple[float, float, float]  # linear albedo in [0, 1]


@dataclass
class Scene:
    """Everything that determines one image (see module docstring for the frames).

    ``lights``: (L, 3) point-light positions, or for ``light_directional`` the unit direction
    *towards* the light; ``light_intensity`` (L,). ``surfaces``: per room face (indoor, 6) or
    ground (outdoor, 1) a row ``(kind, frequency, r_a, g_a, b_a, r_b, g_b, b_b)``.
    """

    domain: str  # "source" | "target"
    cam_pos: np.ndarray
    yaw: float  # rad, about +y; 0 looks along +z
    pitch: float  # rad, positive looks up
    fov: float  # horizontal = vertical field of view, deg
    prims: list[Primitive]
    lights: np.ndarray
    light_intensity: np.ndarray
    light_directional: bool
    ambient: float
    surfaces: np.ndarray
    room_lo: np.ndarray = field(default_factory=lambda: np.zeros(3))
    room_hi: np.ndarray = field(default_factory=lambda: np.zeros(3))
    room_type: int = -1  # index into ROOM_TYPES (source), -1 for the target domain
    categories: list[int] = field(default_factory=list)  # category id of each object


def stable_seed(*parts: object) -> int:
    """A 64-bit seed from a BLAKE2 hash of ``parts`` (stable across processes and machines)."""
    key = "/".join(map(str, parts)).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little")


#: Salt of the per-sample seeds. Independent of GENERATOR_VERSION so that a change of a label
#: recipe keeps the scenes; change it only to draw a different world.
_SCENE_SALT = "synth-1"


def _rng(domain: str, seed: int, split: str, i: int) -> np.random.Generator:
    return np.random.default_rng(stable_seed(_SCENE_SALT, domain, seed, split, int(i)))


def _box(c, half, yaw, col):
    return (BOX, c, half, yaw, col)


def _sph(c, r, col):
    return (SPHERE, c, (r, r, r), 0.0, col)


def _cyl(c, r, hh, col):
    return (CYLINDER, c, (r, hh, r), 0.0, col)


def _jitter(rng: np.random.Generator, col, amount: float = 0.08) -> tuple[float, float, float]:
    return tuple(np.clip(np.asarray(col) + rng.uniform(-amount, amount, 3), 0.03, 0.97))


# --- indoor object categories: parts in the object frame (origin on the floor) ------------------
def _indoor_parts(name: str, rng: np.random.Generator, col, room_h: float) -> list[tuple]:
    u = rng.uniform
    c2 = _jitter(rng, col, 0.2)
    if name == "table":
        w, d, h = u(0.5, 0.8), u(0.35, 0.5), u(0.65, 0.8)
        leg = 0.035
        parts = [_box((0, h - 0.025, 0), (w, 0.025, d), 0, col)]
        for sx in (-1, 1):
            for sz in (-1, 1):
                parts.append(
                    _box(
                        (sx * (w - 0.06), (h - 0.05) / 2, sz * (d - 0.06)),
                        (leg, (h - 0.05) / 2, leg),
                        0,
                        c2,
                    )
                )
        return parts
    if name == "chair":
        w, h = u(0.2, 0.26), u(0.42, 0.5)
        parts = [
            _box((0, h, 0), (w, 0.03, w), 0, col),
            _box((0, h + 0.3, -w + 0.03), (w, 0.3, 0.03), 0, col),
        ]
        for sx in (-1, 1):
            for sz in (-1, 1):
                parts.append(
                    _cyl(
                        (sx * (w - 0.04), (h - 0.03) / 2, sz * (w - 0.04)),
                        0.025,
                        (h - 0.03) / 2,
                        c2,
                    )
                )
        return parts
    if name == "sofa":
        w, d = u(0.8, 1.1), u(0.4, 0.5)
        return [
            _box((0, 0.22, 0.05), (w, 0.22, d - 0.05), 0, col),
            _box((0, 0.45, -d + 0.1), (w, 0.45, 0.1), 0, col),
            _box((-w + 0.1, 0.32, 0.05), (0.1, 0.32, d - 0.05), 0, c2),
            _box((w - 0.1, 0.32, 0.05), (0.1, 0.32, d - 0.05), 0, c2),
        ]
    if name == "bed":
        w, d = u(0.7, 0.95), u(0.95, 1.1)
        return [
            _box((0, 0.18, 0), (w, 0.18, d), 0, c2),
            _box((0, 0.42, 0.05), (w - 0.03, 0.08, d - 0.08), 0, col),
            _box((0, 0.55, -d), (w, 0.55, 0.05), 0, c2),
            _cyl((0, 0.55, -d + 0.3), 0.2, 0.06, _jitter(rng, (0.9, 0.9, 0.9), 0.05)),
        ]
    if name == "cabinet":
        w, d, h = u(0.3, 0.5), u(0.22, 0.3), u(0.8, 1.6)
        return [
            _box((0, h / 2, 0), (w, h / 2, d), 0, col),
            _box((0, h + 0.02, 0), (w + 0.03, 0.02, d + 0.03), 0, c2),
            _box((0, h / 2, d + 0.01), (0.015, h * 0.3, 0.015), 0, (0.8, 0.8, 0.75)),
        ]
    if name == "lamp":
        h = u(1.1, 1.6)
        return [
            _cyl((0, 0.02, 0), 0.15, 0.02, c2),
            _cyl((0, h / 2, 0), 0.02, h / 2, c2),
            _sph((0, h + 0.12, 0), u(0.14, 0.2), col),
        ]
    if name == "ball":
        r = u(0.12, 0.3)
        return [_sph((0, r, 0), r, col)]
    if name == "vase":
        r = u(0.1, 0.16)
        return [_sph((0, r, 0), r, col), _cyl((0, 2 * r + 0.06, 0), r * 0.4, 0.1, col)]
    if name == "barrel":
        r, h = u(0.22, 0.32), u(0.35, 0.5)
        return [
            _cyl((0, h, 0), r, h, col),
            _cyl((0, h * 0.5, 0), r + 0.015, 0.03, c2),
            _cyl((0, h * 1.5, 0), r + 0.015, 0.03, c2),
        ]
    if name == "shelf":
        w, d, h = u(0.4, 0.6), u(0.15, 0.2), u(1.2, 1.9)
        parts = [_box((sx * w, h / 2, 0), (0.02, h / 2, d), 0, col) for sx in (-1, 1)]
        levels = int(rng.integers(3, 5))
        for k in range(levels):
            parts.append(_box((0, 0.05 + k * (h - 0.07) / (levels - 1), 0), (w, 0.02, d), 0, col))
        return parts
    if name == "crate":
        s = u(0.18, 0.35)
        parts = [_box((0, s, 0), (s, s, s), 0, col)]
        if rng.random() < 0.5:
            s2 = s * u(0.5, 0.8)
            parts.append(_box((0, 2 * s + s2, 0), (s2, s2, s2), u(-0.6, 0.6), c2))
        return parts
    if name == "pillar":
        r = u(0.12, 0.25)
        return [
            _cyl((0, room_h / 2, 0), r, room_h / 2, col),
            _box((0, 0.08, 0), (r + 0.06, 0.08, r + 0.06), 0, c2),
        ]
    raise AssertionError(name)


# --- outdoor categories: composed differently, bigger, metres ----------------------------------
def _outdoor_parts(name: str, rng: np.random.Generator, col) -> list[tuple]:
    u = rng.uniform
    dark = (0.08, 0.08, 0.08)
    c2 = _jitter(rng, col, 0.25)
    if name in ("car", "truck", "bus"):
        length = {"car": u(1.9, 2.3), "truck": u(2.8, 3.5), "bus": u(4.5, 6.0)}[name]
        w = {"car": 0.9, "truck": 1.2, "bus": 1.3}[name]
        h = {"car": 0.45, "truck": 0.9, "bus": 1.5}[name]
        parts = [_box((0, 0.35 + h / 2, 0), (w, h / 2, length), 0, col)]
        if name == "car":
            parts.append(_box((0, 0.35 + h + 0.3, -0.2), (w * 0.85, 0.3, length * 0.5), 0, c2))
        if name == "truck":
            parts.append(_box((0, 0.35 + 0.7, length + 0.8), (w, 0.7, 0.7), 0, c2))
        for sx in (-1, 1):
            for sz in (-0.7, 0.7):
                parts.append(_sph((sx * w, 0.35, sz * length), 0.35, dark))
        return parts
    if name == "train":
        parts = []
        for k in range(3):
            parts.append(_box((0, 1.9, k * 9.5), (1.4, 1.6, 4.5), 0, col if k else c2))
        return parts
    if name == "boat":
        return [
            _box((0, 0.4, 0), (1.0, 0.4, 2.8), 0, col),
            _cyl((0, 2.6, 0), 0.06, 1.8, dark),
            _box((0, 2.6, 0.6), (0.03, 1.4, 0.6), 0, (0.95, 0.95, 0.9)),
        ]
    if name == "bicycle":
        return [
            _sph((0, 0.35, -0.5), 0.35, dark),
            _sph((0, 0.35, 0.5), 0.35, dark),
            _box((0, 0.7, 0), (0.04, 0.2, 0.5), 0, col),
        ]
    if name == "person":
        h = u(1.5, 1.9)
        return [
            _cyl((0, h * 0.25, 0), 0.14, h * 0.25, dark),
            _cyl((0, h * 0.63, 0), 0.2, h * 0.15, col),
            _sph((0, h * 0.88, 0), 0.12, (0.8, 0.6, 0.45)),
        ]
    if name in ("horse", "cow", "dog", "sheep"):
        s = {"horse": 1.0, "cow": 1.0, "dog": 0.4, "sheep": 0.6}[name]
        leg = 0.8 * s
        parts = []
        if name == "sheep":
            parts.append(_sph((0, leg + 0.45 * s, 0), 0.55 * s, col))
        else:
            parts.append(_box((0, leg + 0.3 * s, 0), (0.3 * s, 0.3 * s, 0.8 * s), 0, col))
        for sx in (-1, 1):
            for sz in (-1, 1):
                parts.append(_cyl((sx * 0.18 * s, leg / 2, sz * 0.6 * s), 0.07 * s, leg / 2, c2))
        if name == "horse":
            parts.append(_box((0, leg + 0.8, 0.9), (0.15, 0.45, 0.15), 0, col))
        parts.append(_sph((0, leg + 0.8 * s, 1.0 * s), 0.22 * s, c2 if name != "sheep" else dark))
        return parts
    if name == "bird":
        y = u(1.0, 4.0)
        return [
            _sph((0, y, 0), 0.15, col),
            _sph((0, y + 0.12, 0.15), 0.08, col),
            _box((0, y, 0), (0.45, 0.015, 0.1), 0, c2),
        ]
    if name == "tree":
        h = u(2.0, 4.0)
        return [
            _cyl((0, h / 2, 0), 0.2, h / 2, (0.35, 0.22, 0.12)),
            _sph((0, h + 0.8, 0), u(1.2, 2.0), col),
        ]
    if name == "bush":
        return [_sph((u(-0.5, 0.5), 0.3, u(-0.5, 0.5)), u(0.5, 0.8), col) for _ in range(3)]
    if name == "rock":
        s = u(0.5, 1.2)
        return [
            _box((0, s * 0.5, 0), (s, s * 0.6, s * 0.8), u(0, 1.5), col),
            _sph((0.4 * s, 0.2, 0.4 * s), s * 0.6, c2),
        ]
    if name == "house":
        w, d, h = u(3, 5), u(3, 5), u(2.5, 4)
        return [
            _box((0, h / 2, 0), (w, h / 2, d), 0, col),
            _box((0, h + 0.4, 0), (w + 0.3, 0.4, d + 0.3), 0, c2),
            _box((w * 0.5, h + 1.3, 0), (0.3, 0.6, 0.3), 0, dark),
        ]
    if name == "tower":
        h = u(8, 14)
        return [_cyl((0, h / 2, 0), 1.2, h / 2, col), _sph((0, h + 0.6, 0), 1.4, c2)]
    if name == "tent":
        return [
            _box((0, 0.3 + 0.6 * k, 0), (1.6 - 0.5 * k, 0.3, 1.8 - 0.5 * k), 0, col)
            for k in range(3)
        ]
    if name == "fence":
        parts = [
            _box((0, 0.7, 0), (3.0, 0.05, 0.04), 0, col),
            _box((0, 0.35, 0), (3.0, 0.05, 0.04), 0, col),
        ]
        for k in range(7):
            parts.append(_box((-3.0 + k, 0.5, 0), (0.06, 0.5, 0.06), 0, c2))
        return parts
    if name == "sign":
        return [
            _cyl((0, 1.1, 0), 0.05, 1.1, (0.6, 0.6, 0.6)),
            _box((0, 2.4, 0), (0.6, 0.4, 0.03), 0, col),
        ]
    raise AssertionError(name)


def _place(parts, pos, yaw, instance, category) -> list[Primitive]:
    c, s = math.cos(yaw), math.sin(yaw)
    out = []
    for kind, off, size, pyaw, col in parts:
        x, y, z = off
        wx, wz = c * x + s * z, -s * x + c * z  # R_y(yaw) @ offset
        out.append(
            Primitive(
                kind,
                (pos[0] + wx, y, pos[1] + wz),
                tuple(size),
                yaw + pyaw,
                instance,
                category,
                tuple(col),
            )
        )
    return out


def _footprint(parts) -> float:
    r = 0.0
    for kind, off, size, _, _ in parts:
        ext = math.hypot(size[0], size[2]) if kind == BOX else size[0]
        r = max(r, math.hypot(off[0], off[2]) + ext)
    return r


# --- priors --------------------------------------------------------------------------------------
# relative frequency of each object category per room type (rows follow ROOM_TYPES)
_OBJECT_PRIOR = {
    "living_room": dict(
        table=3, chair=2, sofa=4, lamp=3, ball=1, vase=2, shelf=2, cabinet=1, pillar=1
    ),
    "bedroom": dict(bed=5, lamp=3, cabinet=3, chair=1, vase=1, shelf=1, ball=1),
    "kitchen": dict(table=4, chair=4, cabinet=4, vase=2, barrel=1, shelf=1),
    "office": dict(table=4, chair=4, shelf=3, cabinet=3, lamp=2, crate=1),
    "storage": dict(crate=5, barrel=4, shelf=3, pillar=2, cabinet=1, ball=1),
}
# wall / floor palettes (linear RGB), texture kind preferences and light counts per room type
_ROOM_STYLE = {
    "living_room": dict(
        wall=(0.75, 0.65, 0.5),
        floor=(0.45, 0.3, 0.18),
        tex=(0.2, 0.4, 0.2, 0.2),
        lights=(1, 3),
        warm=0.15,
    ),
    "bedroom": dict(
        wall=(0.6, 0.6, 0.8),
        floor=(0.55, 0.45, 0.35),
        tex=(0.1, 0.5, 0.2, 0.2),
        lights=(1, 2),
        warm=0.2,
    ),
    "kitchen": dict(
        wall=(0.85, 0.85, 0.8),
        floor=(0.7, 0.7, 0.7),
        tex=(0.6, 0.1, 0.1, 0.2),
        lights=(2, 3),
        warm=0.0,
    ),
    "office": dict(
        wall=(0.7, 0.75, 0.75),
        floor=(0.35, 0.38, 0.45),
        tex=(0.1, 0.2, 0.3, 0.4),
        lights=(2, 3),
        warm=-0.05,
    ),
    "storage": dict(
        wall=(0.5, 0.5, 0.45),
        floor=(0.35, 0.33, 0.3),
        tex=(0.1, 0.2, 0.6, 0.1),
        lights=(1, 2),
        warm=0.05,
    ),
}
_CATEGORY_COLOR = {
    "table": (0.5, 0.32, 0.18), "chair": (0.55, 0.35, 0.2), "sofa": (0.3, 0.35, 0.6), "bed": (0.8, 0.78, 0.7),
    "cabinet": (0.62, 0.5, 0.36), "lamp": (0.95, 0.9, 0.6), "ball": (0.85, 0.2, 0.15), "vase": (0.2, 0.55, 0.6),
    "barrel": (0.45, 0.28, 0.12), "shelf": (0.4, 0.26, 0.15), "crate": (0.7, 0.58, 0.35), "pillar": (0.85, 0.85, 0.82),
}  # fmt: skip
_TARGET_COLOR = {
    "car": (0.7, 0.1, 0.1), "bus": (0.9, 0.75, 0.1), "truck": (0.2, 0.3, 0.7), "train": (0.3, 0.5, 0.3),
    "boat": (0.85, 0.85, 0.85), "bicycle": (0.1, 0.5, 0.8), "person": (0.25, 0.3, 0.6), "horse": (0.4, 0.25, 0.12),
    "cow": (0.85, 0.85, 0.8), "sheep": (0.9, 0.9, 0.85), "dog": (0.55, 0.4, 0.25), "bird": (0.2, 0.2, 0.25),
    "tree": (0.15, 0.45, 0.12), "bush": (0.2, 0.5, 0.15), "rock": (0.45, 0.45, 0.42), "house": (0.8, 0.6, 0.45),
    "tower": (0.6, 0.58, 0.55), "tent": (0.9, 0.5, 0.1), "fence": (0.55, 0.4, 0.25), "sign": (0.1, 0.3, 0.8),
}  # fmt: skip


def _surface(rng, base, tex_p) -> list[float]:
    kind = int(rng.choice(4, p=np.asarray(tex_p) / np.sum(tex_p)))
    a = _jitter(rng, base, 0.12)
    b = np.clip(np.asarray(a) * rng.uniform(0.55, 0.85), 0, 1)
    freq = rng.uniform(1.0, 3.0)
    return [kind, freq, *a, *b]


def source_scene(seed: int, split: str, i: int) -> Scene:
    """Sample ``i`` of ``split`` in the source domain: a pure function of ``(seed, split, i)``."""
    rng = _rng("source", seed, split, i)
    room_type = int(rng.integers(len(ROOM_TYPES)))
    rname = ROOM_TYPES[room_type]
    style = _ROOM_STYLE[rname]
    w, d, h = rng.uniform(3.5, 7.0), rng.uniform(3.5, 8.0), rng.uniform(2.5, 3.2)
    lo, hi = np.array([-w / 2, 0.0, -d / 2]), np.array([w / 2, h, d / 2])
    # camera: inside, away from the walls, roll 0, small pitch
    cam = np.array(
        [
            rng.uniform(lo[0] + 0.5, hi[0] - 0.5),
            rng.uniform(1.0, 1.7),
            rng.uniform(lo[2] + 0.5, hi[2] - 0.5),
        ]
    )
    # look roughly into the room (towards its centre, +-80 deg), as a photographer would
    yaw = math.atan2(-cam[0], -cam[2]) + rng.uniform(-1.4, 1.4)
    yaw = (yaw + math.pi) % (2 * math.pi) - math.pi
    pitch = math.radians(float(np.clip(rng.normal(-6.0, 6.0), -18.0, 12.0)))
    # objects: 3-8, category from the room-type prior, non-overlapping footprints, mostly in view
    prior = _OBJECT_PRIOR[rname]
    cats = [OBJECT_CATEGORIES.index(n) for n in prior]
    p = np.array(list(prior.values()), float)
    n_obj = int(rng.integers(3, 9))
    prims: list[Primitive] = []
    placed: list[tuple[float, float, float]] = []
    categories = []
    for _ in range(n_obj):
        cat = int(rng.choice(cats, p=p / p.sum()))
        name = OBJECT_CATEGORIES[cat]
        parts = _indoor_parts(name, rng, _jitter(rng, _CATEGORY_COLOR[name], 0.1), h)
        rad = _footprint(parts)
        for _try in range(30):
            if rng.random() < 0.75:  # in front of the camera
                ang = yaw + rng.uniform(-0.6, 0.6)
                dist = rng.uniform(1.0, 6.0)
                x, z = cam[0] + dist * math.sin(ang), cam[2] + dist * math.cos(ang)
            else:
                x, z = rng.uniform(lo[0], hi[0]), rng.uniform(lo[2], hi[2])
            oyaw = rng.uniform(-math.pi, math.pi)
            ok = lo[0] + rad < x < hi[0] - rad and lo[2] + rad < z < hi[2] - rad
            ok = ok and math.hypot(x - cam[0], z - cam[2]) > rad + 0.45
            ok = ok and all(math.hypot(x - px, z - pz) > rad + pr + 0.05 for px, pz, pr in placed)
            if ok:
                placed.append((x, z, rad))
                prims += _place(parts, (x, z), oyaw, len(categories) + 1, cat + 1)
                categories.append(cat + 1)
                break
    # lights: 1-3 points below the ceiling, not inside a pillar
    n_l = int(rng.integers(style["lights"][0], style["lights"][1] + 1))
    lights = []
    while len(lights) < n_l:
        lp = np.array(
            [
                rng.uniform(lo[0] + 0.3, hi[0] - 0.3),
                h - rng.uniform(0.15, 0.4),
                rng.uniform(lo[2] + 0.3, hi[2] - 0.3),
            ]
        )
        if all(
            math.hypot(lp[0] - q.center[0], lp[2] - q.center[2]) > q.size[0] + 0.15
            for q in prims
            if q.category == OBJECT_CATEGORIES.index("pillar") + 1
        ):
            lights.append(lp)
    intensity = rng.uniform(0.8, 1.4, n_l) * (1.4 / n_l) ** 0.5
    surf = []
    for f in range(6):
        base = (
            style["floor"]
            if f == 2
            else (np.array(style["wall"]) * 1.05 if f == 3 else style["wall"])
        )
        surf.append(_surface(rng, base, style["tex"] if f != 3 else (0.0, 0.0, 0.3, 0.7)))
    return Scene(
        "source", cam, yaw, pitch, SOURCE_FOV_DEG, prims, np.array(lights), intensity, False,
        float(rng.uniform(0.15, 0.3)), np.array(surf), lo, hi, room_type, categories,
    )  # fmt: skip


def target_scene(seed: int, split: str, i: int) -> Scene:
    """Sample ``i`` of ``split`` in the target (outdoor) domain: a pure function of its arguments."""
    rng = _rng("target", seed, split, i)
    cam = np.array([0.0, rng.uniform(1.8, 4.0), 0.0])
    yaw = rng.uniform(-math.pi, math.pi)
    pitch = -math.radians(rng.uniform(5.0, 22.0))
    fov = float(rng.uniform(45.0, 70.0))
    n_obj = int(rng.integers(2, 7))
    prims: list[Primitive] = []
    placed: list[tuple[float, float, float]] = []
    categories = []
    for _ in range(n_obj):
        cat = int(rng.integers(len(TARGET_CATEGORIES)))
        name = TARGET_CATEGORIES[cat]
        parts = _outdoor_parts(name, rng, _jitter(rng, _TARGET_COLOR[name], 0.1))
        rad = _footprint(parts)
        for _try in range(30):
            ang = yaw + rng.uniform(-0.5, 0.5) * math.radians(fov)
            dist = rng.uniform(rad + 2.5, rad + 18.0)
            x, z = dist * math.sin(ang), dist * math.cos(ang)
            if all(math.hypot(x - px, z - pz) > rad + pr for px, pz, pr in placed):
                placed.append((x, z, rad))
                prims += _place(
                    parts, (x, z), rng.uniform(-math.pi, math.pi), len(categories) + 1, cat + 1
                )
                categories.append(cat + 1)
                break
    elev, azim = math.radians(rng.uniform(20, 70)), rng.uniform(-math.pi, math.pi)
    sun = np.array(
        [[math.cos(elev) * math.sin(azim), math.sin(elev), math.cos(elev) * math.cos(azim)]]
    )
    ground = [[int(rng.choice([NOISE, NOISE, CHECKER])), rng.uniform(0.3, 1.0), *_jitter(rng, (0.3, 0.45, 0.2), 0.15),
               *_jitter(rng, (0.45, 0.4, 0.3), 0.15)]]  # fmt: skip
    return Scene(
        "target", cam, yaw, pitch, fov, prims, sun, np.array([rng.uniform(0.9, 1.3)]), True,
        float(rng.uniform(0.3, 0.5)), np.array(ground), categories=categories,
    )  # fmt: skip


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


# ---------------------------------------------------------------------------------------------
# ray casting: a cheap bounding-sphere test over all (ray, primitive) pairs, then the exact
# test only on the candidate pairs (flat tensors of K pairs), reduced back to rays.
# ---------------------------------------------------------------------------------------------
def _dot(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Dot products of rays x (B, P, k) with primitive vectors y (B, N, k): (B, P, N).

    Written out as k multiply-adds: for k = 2 or 3 this is much faster than ``bmm`` on CPU.
    """
    out = x[..., 0:1] * y[:, None, :, 0]
    for j in range(1, x.shape[-1]):
        out = out + x[..., j : j + 1] * y[:, None, :, j]
    return out


def _safe(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x.abs() < 1e-9, torch.full_like(x, 1e-9), x)


def _exact_box(o, d, pr):
    """Boxes rotated about y: slab test in the box frame. o, d (K, 3), pr (K, 15) -> t (K,)."""
    c, half, cs, sn = pr[:, 0:3], pr[:, 3:6], pr[:, 6], pr[:, 7]
    rel = o - c
    ol = torch.stack(
        [cs * rel[:, 0] - sn * rel[:, 2], rel[:, 1], sn * rel[:, 0] + cs * rel[:, 2]], -1
    )
    dl = _safe(torch.stack([cs * d[:, 0] - sn * d[:, 2], d[:, 1], sn * d[:, 0] + cs * d[:, 2]], -1))
    t1 = (-half - ol) / dl
    t2 = (half - ol) / dl
    tnear = torch.minimum(t1, t2).amax(-1)
    tfar = torch.maximum(t1, t2).amin(-1)
    return torch.where((tnear <= tfar) & (tnear > _EPS), tnear, math.inf)


def _exact_sphere(o, d, pr):
    oc = o - pr[:, 0:3]
    r = pr[:, 3]
    a = (d * d).sum(-1)
    b = (d * oc).sum(-1)
    disc = b * b - a * ((oc * oc).sum(-1) - r * r)
    t = (-b - disc.clamp_min(0).sqrt()) / a
    return torch.where((disc >= 0) & (t > _EPS), t, math.inf)


def _exact_cylinder(o, d, pr):
    """Vertical capped cylinders: the side (a quadratic in x, z) and the two caps."""
    oc = o - pr[:, 0:3]
    r, hh = pr[:, 3], pr[:, 4]
    a = _safe(d[:, 0] ** 2 + d[:, 2] ** 2)
    b = d[:, 0] * oc[:, 0] + d[:, 2] * oc[:, 2]
    disc = b * b - a * (oc[:, 0] ** 2 + oc[:, 2] ** 2 - r * r)
    ts = (-b - disc.clamp_min(0).sqrt()) / a
    t = torch.where(
        (disc >= 0) & (ts > _EPS) & ((oc[:, 1] + ts * d[:, 1]).abs() <= hh), ts, math.inf
    )
    dy = _safe(d[:, 1])
    for sgn in (-1.0, 1.0):
        tc = (sgn * hh - oc[:, 1]) / dy
        px, pz = oc[:, 0] + tc * d[:, 0], oc[:, 2] + tc * d[:, 2]
        t = torch.where((tc > _EPS) & (px * px + pz * pz <= r * r) & (tc < t), tc, t)
    return t


def _cast(o: torch.Tensor, d: torch.Tensor, pk: _Packed, tmax: float | None = None):
    """First object hit of rays o (B, P|1, 3) + t d (B, P, 3).

    Returns ``t`` (B, P) (inf where no hit) and the primitive slot ``idx`` (B, P) of the hit
    (0 where none). With ``tmax`` only hits before ``tmax`` matter (shadow rays), and the
    bounding-sphere culling is tightened accordingly.
    """
    b_, p_ = d.shape[:2]
    pr = pk.prim
    c, rad = pk.obj[..., 0:3], pk.obj[..., 3]  # object bounding spheres (B, O)
    a = (d * d).sum(-1, keepdim=True)  # (B, P, 1)
    bb = _dot(d, c) - (d * o).sum(-1, keepdim=True)  # d . (c - o)
    cc = (o * o).sum(-1, keepdim=True) - 2 * _dot(o, c) + ((c * c).sum(-1) - rad * rad)[:, None]
    disc = bb * bb - a * cc
    root = disc.clamp_min(0).sqrt()
    cand = (disc >= 0) & (bb + root > _EPS * a) & (pk.obj[..., 4] > 0.5)[:, None, :]
    if tmax is not None:
        cand &= bb - root < tmax * a
    bi, pi, oi = cand.nonzero(as_tuple=True)
    t_flat = torch.full((b_ * p_,), math.inf, device=d.device)
    idx_flat = torch.zeros(b_ * p_, dtype=torch.long, device=d.device)
    if bi.numel() == 0:
        return t_flat.view(b_, p_), idx_flat.view(b_, p_)
    slots = pk.obj_prims[bi, oi]  # (K, M) primitive slots of each candidate object, -1 = none
    kk, mm = (slots >= 0).nonzero(as_tuple=True)
    bi, pi, ni = bi[kk], pi[kk], slots[kk, mm]
    of = o.expand(b_, p_, 3)[bi, pi]
    df = d[bi, pi]
    prf = pr[bi, ni]
    kind = prf[:, 14].round().long()
    tk = torch.full((bi.numel(),), math.inf, device=d.device)
    for k, fn in ((BOX, _exact_box), (SPHERE, _exact_sphere), (CYLINDER, _exact_cylinder)):
        sel = (kind == k).nonzero(as_tuple=True)[0]
        if sel.numel():
            tk[sel] = fn(of[sel], df[sel], prf[sel])
    ray = bi * p_ + pi
    t_flat = t_flat.scatter_reduce(0, ray, tk, "amin")
    win = torch.isfinite(tk) & (tk == t_flat[ray])
    idx_flat = idx_flat.scatter_reduce(0, ray[win], ni[win], "amax")
    return t_flat.view(b_, p_), idx_flat.view(b_, p_)


# ---------------------------------------------------------------------------------------------
# procedural textures (integer hashing, identical on CPU and CUDA)
# ---------------------------------------------------------------------------------------------
def _hash01(ix: torch.Tensor, iy: torch.Tensor, salt: torch.Tensor) -> torch.Tensor:
    m = 0x7FFFFFFF
    h = ((ix & 0xFFFF) * 73856093) & m
    h = h ^ (((iy & 0xFFFF) * 19349663) & m)
    h = h ^ (((salt & 0xFFFF) * 83492791) & m)
    h = ((h ^ (h >> 13)) * 1274126177) & m
    h = h ^ (h >> 16)
    return (h & 0xFFFF).float() / 65535.0


def value_noise(u: torch.Tensor, v: torch.Tensor, salt: torch.Tensor) -> torch.Tensor:
    """Smooth value noise in [0, 1] at continuous coordinates (u, v); ``salt`` picks the pattern."""
    fu, fv = torch.floor(u), torch.floor(v)
    iu, iv = fu.long(), fv.long()
    su, sv = u - fu, v - fv
    su, sv = su * su * (3 - 2 * su), sv * sv * (3 - 2 * sv)
    n00, n10 = _hash01(iu, iv, salt), _hash01(iu + 1, iv, salt)
    n01, n11 = _hash01(iu, iv + 1, salt), _hash01(iu + 1, iv + 1, salt)
    return (n00 * (1 - su) + n10 * su) * (1 - sv) + (n01 * (1 - su) + n11 * su) * sv


def _texture(u, v, params, salt):
    """Texture colour (…, 3) from surface coordinates and rows (kind, freq, colour a, colour b)."""
    kind, freq = params[..., 0], params[..., 1]
    ca, cb = params[..., 2:5], params[..., 5:8]
    uu, vv = u * freq, v * freq
    checker = ((torch.floor(uu) + torch.floor(vv)) % 2).abs()
    stripes = (torch.floor(uu * 2) % 2).abs()
    n1 = value_noise(uu * 2, vv * 2, salt)
    noise = 0.6 * n1 + 0.4 * value_noise(uu * 6 + 17, vv * 6, salt + 7)
    plain = 0.15 * n1
    k = kind.round().long()
    m = torch.where(
        k == CHECKER,
        checker,
        torch.where(k == STRIPES, stripes, torch.where(k == NOISE, noise, plain)),
    )
    return ca + (cb - ca) * m[..., None]


# ---------------------------------------------------------------------------------------------
# the renderer
# ---------------------------------------------------------------------------------------------
@dataclass
class Render:
    """Per-pixel buffers of a batch (B images, H = W = image_size) and per-image meta data.

    Buffers: ``depth`` z-depth (B, H, W) m; ``distance`` Euclidean distance to the camera
    centre (B, H, W) m; ``position`` camera-frame point (B, 3, H, W) m; ``normal`` camera-frame
    unit normal facing the camera (B, 3, H, W); ``curvature`` principal curvatures k1 >= k2
    (B, 2, H, W) 1/m, positive for convex objects, 0 on planes; ``instance`` (B, H, W) int64,
    0 = room / background; ``category`` (B, H, W) int64, 0 = background, source 1..12, target
    1..20; ``face`` room face index (B, H, W) int64 (see :data:`ROOM_FACES`), -1 elsewhere;
    ``albedo`` (B, 3, H, W) linear; ``shading`` irradiance (B, 1, H, W); ``rgb`` sRGB
    (B, 3, H, W) in [0, 1]; ``shadowed`` (B, L, H, W) bool, light l blocked by an object (only
    where it faces the light); ``lit`` (B, L, H, W) Lambert term of each light before shadows.

    Meta: ``room_lo``/``room_hi`` (B, 3) world m; ``cam_pos`` (B, 3) world m; ``cam_angles``
    (B, 3) yaw, pitch, roll rad; ``r_cw`` (B, 3, 3); ``manhattan`` (B, 3, 3) rows = world x, y
    (up), z axes in camera coordinates; ``lights`` (B, L, 3), ``light_mask`` (B, L) bool;
    ``room_type`` (B,) int64 (-1 target); ``object_counts`` (B, C) objects per category in
    the scene (in view or not); ``fov`` (B,) deg.
    """

    depth: torch.Tensor
    distance: torch.Tensor
    position: torch.Tensor
    normal: torch.Tensor
    curvature: torch.Tensor
    instance: torch.Tensor
    category: torch.Tensor
    face: torch.Tensor
    albedo: torch.Tensor
    shading: torch.Tensor
    rgb: torch.Tensor
    shadowed: torch.Tensor
    lit: torch.Tensor
    room_lo: torch.Tensor
    room_hi: torch.Tensor
    cam_pos: torch.Tensor
    cam_angles: torch.Tensor
    r_cw: torch.Tensor
    manhattan: torch.Tensor
    lights: torch.Tensor
    light_mask: torch.Tensor
    room_type: torch.Tensor
    object_counts: torch.Tensor
    fov: torch.Tensor
    domain: str = "source"

    @property
    def image_size(self) -> int:
        return self.depth.shape[-1]

    def __len__(self) -> int:
        return self.depth.shape[0]


def _gather(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """x (B, N, K), idx (B, P) -> (B, P, K)."""
    return torch.gather(x, 1, idx[..., None].expand(-1, -1, x.shape[-1]))


@torch.no_grad()
def render(
    scenes: Sequence[Scene | ScenePack],
    image_size: int,
    device: str | torch.device = "cpu",
    *,
    shadows: bool = True,
) -> Render:
    """Ray-cast ``scenes`` (all of one domain) at ``image_size`` px on ``device``.

    ``scenes`` may be :class:`Scene` objects or their :func:`pack_scene` arrays (the dataset
    pipeline packs them in worker processes).

    ``shadows=False`` skips the shadow rays (every light reaches every surface facing it).
    """
    if not scenes:
        raise ValueError("render() needs at least one scene")
    domain = scenes[0].domain
    if any(s.domain != domain for s in scenes):
        raise ValueError("render() needs scenes of one domain")
    device = torch.device(device)
    scenes = [pack_scene(s) for s in scenes]
    pk = _pack(scenes, image_size, device)
    b, hw = len(scenes), image_size * image_size
    n_cat = len(OBJECT_CATEGORIES) if domain == "source" else len(TARGET_CATEGORIES)

    # camera rays through pixel centres; d_cam = (x/f, y/f, 1) so the hit t is the z-depth
    pix = (torch.arange(image_size, device=device, dtype=torch.float32) + 0.5) - image_size / 2
    yy, xx = torch.meshgrid(pix, pix, indexing="ij")
    d_cam = torch.stack(
        [xx.reshape(-1), yy.reshape(-1), torch.ones(hw, device=device)], -1
    )  # (P, 3)
    d_cam = (
        d_cam[None] / torch.stack([pk.focal, pk.focal, torch.ones_like(pk.focal)], -1)[:, None, :]
    )  # (B, P, 3)
    d = torch.bmm(d_cam, pk.r_cw.transpose(1, 2))  # world directions (B, P, 3)
    o = pk.cam_pos[:, None, :]  # (B, 1, 3)

    # objects
    t_obj, idx = _cast(o, d, pk)
    inf = torch.full_like(t_obj, math.inf)
    # background: the room seen from inside, or the ground plane
    if domain == "source":
        bound = torch.where(d > 0, pk.room_hi[:, None, :], pk.room_lo[:, None, :])
        t_axes = (bound - o) / _safe(d)
        t_bg, axis = t_axes.min(-1)
        face_bg = 2 * axis + (torch.gather(d, 2, axis[..., None])[..., 0] > 0).long()
    else:
        t_bg = torch.where(d[..., 1] < -1e-6, -o[..., 1] / _safe(d[..., 1]), inf)
        face_bg = torch.zeros_like(idx)
    is_obj = t_obj < t_bg
    t = torch.where(is_obj, t_obj, t_bg)
    sky = ~torch.isfinite(t)
    t = torch.where(sky, torch.full_like(t, SKY_DEPTH), t)
    p = o + t[..., None] * d  # world hit points (B, P, 3)

    # per-pixel attributes of the hit primitive
    pr = _gather(pk.prim, idx)  # (B, P, 15)
    c, size, cs, sn = pr[..., 0:3], pr[..., 3:6], pr[..., 6], pr[..., 7]
    kind = pr[..., 14].round().long()
    rel = p - c
    # box normal: the face whose local coordinate is closest to its half-extent
    lx, lz = cs * rel[..., 0] - sn * rel[..., 2], sn * rel[..., 0] + cs * rel[..., 2]
    loc = torch.stack([lx, rel[..., 1], lz], -1)
    ratio = loc.abs() / size
    ax = ratio.argmax(-1, keepdim=True)
    n_loc = torch.zeros_like(loc).scatter_(-1, ax, torch.gather(loc, -1, ax).sign())
    n_box = torch.stack(
        [
            cs * n_loc[..., 0] + sn * n_loc[..., 2],
            n_loc[..., 1],
            -sn * n_loc[..., 0] + cs * n_loc[..., 2],
        ],
        -1,
    )
    n_sph = rel / size[..., 0:1]
    radial = torch.stack([rel[..., 0], torch.zeros_like(lx), rel[..., 2]], -1)
    rad_len = radial.norm(dim=-1)
    cap = (rel[..., 1].abs() / size[..., 1]) > (rad_len / size[..., 0])
    cap = cap | ((rel[..., 1].abs() - size[..., 1]).abs() < 1e-4 * (1 + t))
    n_cap = torch.zeros_like(rel)
    n_cap[..., 1] = rel[..., 1].sign()
    n_cyl = torch.where(cap[..., None], n_cap, radial / size[..., 0:1])
    n_obj = torch.where(
        (kind == BOX)[..., None], n_box, torch.where((kind == SPHERE)[..., None], n_sph, n_cyl)
    )
    k_obj = torch.where(
        (kind == SPHERE)[..., None],
        (1 / size[..., 0:1]).expand(-1, -1, 2),
        torch.where(
            ((kind == CYLINDER) & ~cap)[..., None],
            torch.stack([1 / size[..., 0], torch.zeros_like(lx)], -1),
            0.0,
        ),
    )
    # background normal and colour
    if domain == "source":
        n_bg = torch.zeros_like(p)
        axis_n = (face_bg // 2)[..., None]
        n_bg.scatter_(-1, axis_n, torch.where(face_bg % 2 == 0, 1.0, -1.0)[..., None])  # inward
        u_bg = torch.where(face_bg < 2, p[..., 2], p[..., 0])
        v_bg = torch.where((face_bg == 2) | (face_bg == 3), p[..., 2], p[..., 1])
        sp = _gather(pk.surfaces, face_bg)
        col_bg = _texture(u_bg, v_bg, sp, face_bg + 11)
    else:
        n_bg = torch.zeros_like(p)
        n_bg[..., 1] = 1.0
        sp = pk.surfaces[:, :1].expand(-1, hw, -1)
        col_bg = _texture(p[..., 0], p[..., 2], sp, torch.full_like(idx, 5))
        n_bg = torch.where(sky[..., None], -d / d.norm(dim=-1, keepdim=True), n_bg)
    obj_tex = 0.85 + 0.3 * value_noise(
        (p[..., 0] + p[..., 2]) * 6, p[..., 1] * 6, pr[..., 8].long()
    )
    col_obj = (pr[..., 10:13] * obj_tex[..., None]).clamp(0, 1)
    normal = torch.where(is_obj[..., None], n_obj, n_bg)
    normal = normal / normal.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    albedo = torch.where(is_obj[..., None], col_obj, col_bg)
    curv = torch.where(is_obj[..., None], k_obj, torch.zeros_like(k_obj))
    instance = torch.where(is_obj, pr[..., 8].round().long(), torch.zeros_like(idx))
    category = torch.where(is_obj, pr[..., 9].round().long(), torch.zeros_like(idx))
    face = torch.where(is_obj | (domain == "target"), torch.full_like(idx, -1), face_bg)

    # lighting: ambient + lights with hard shadows (shadow rays against the objects)
    n_l = pk.lights.shape[1]
    p_off = p + normal * (1e-3 + 1e-4 * t[..., None])
    lits, shads = [], []
    shading = pk.ambient[:, None].expand(-1, hw).clone()
    for li in range(n_l):
        if domain == "target":
            to_l = pk.lights[:, li][:, None, :].expand(-1, hw, -1)  # direction to the sun
            fall = torch.ones_like(t)
        else:
            to_l = pk.lights[:, li][:, None, :] - p_off
            dist2 = (to_l * to_l).sum(-1)
            fall = 1.0 / (1.0 + dist2 / 9.0)
        lam = ((normal * to_l).sum(-1) / to_l.norm(dim=-1).clamp_min(1e-9)).clamp_min(0)
        lam = lam * (pk.light_int[:, li] > 0)[:, None]
        if shadows:
            th, _ = _cast(p_off, to_l, pk, tmax=1.0 if domain == "source" else None)
            blocked = (th < 1.0) if domain == "source" else torch.isfinite(th)
            blocked = blocked & (lam > 0) & ~sky
        else:
            blocked = torch.zeros_like(lam, dtype=torch.bool)
        lits.append(lam)
        shads.append(blocked)
        shading = shading + pk.light_int[:, li][:, None] * lam * fall * (~blocked)
    if domain == "target":
        sky_col = torch.tensor([0.45, 0.65, 0.95], device=device) + (
            d[..., 1:2] / d.norm(dim=-1, keepdim=True)
        ).clamp(0, 1) * torch.tensor([-0.2, -0.15, 0.0], device=device)
        lin = torch.where(sky[..., None], sky_col, albedo * shading[..., None])
        albedo = torch.where(sky[..., None], sky_col, albedo)
        shading = torch.where(sky, torch.ones_like(shading), shading)
    else:
        lin = albedo * shading[..., None]
    rgb = lin.clamp(0, 1) ** (1 / 2.2)

    # camera-frame quantities
    r = pk.r_cw
    pos_cam = torch.bmm(p - o, r)  # (B, P, 3): world -> camera is R^T, row-vector form x @ R
    nrm_cam = torch.bmm(normal, r)
    dist = (p - o).norm(dim=-1)
    dist = torch.where(sky, torch.full_like(dist, SKY_DEPTH), dist)

    def img(x: torch.Tensor) -> torch.Tensor:  # (B, P, K) -> (B, K, H, W)
        return x.transpose(1, 2).reshape(b, -1, image_size, image_size)

    def img1(x: torch.Tensor) -> torch.Tensor:
        return x.reshape(b, image_size, image_size)

    angles = torch.tensor([s.angles for s in scenes], device=device)
    counts = np.zeros((b, n_cat), dtype=np.float32)
    for i, s in enumerate(scenes):
        np.add.at(counts[i], s.categories - 1, 1.0)
    counts = torch.from_numpy(counts).to(device)
    lmask = pk.light_int > 0
    if n_l:
        shadowed = torch.stack(shads, 1).reshape(b, n_l, image_size, image_size)
        lit = torch.stack(lits, 1).reshape(b, n_l, image_size, image_size)
    else:
        shadowed = torch.zeros(b, 0, image_size, image_size, dtype=torch.bool, device=device)
        lit = torch.zeros(b, 0, image_size, image_size, device=device)
    return Render(
        depth=img1(t), distance=img1(dist), position=img(pos_cam), normal=img(nrm_cam), curvature=img(curv),
        instance=img1(instance), category=img1(category), face=img1(face), albedo=img(albedo),
        shading=img(shading[..., None]), rgb=img(rgb), shadowed=shadowed, lit=lit,
        room_lo=pk.room_lo, room_hi=pk.room_hi, cam_pos=pk.cam_pos, cam_angles=angles, r_cw=r,
        manhattan=r.contiguous(),
        lights=pk.lights, light_mask=lmask,
        room_type=torch.tensor([s.room_type for s in scenes], device=device, dtype=torch.long),
        object_counts=counts, fov=torch.tensor([s.fov for s in scenes], device=device), domain=domain,
    )  # fmt: skip


def render_source(
    indices,
    *,
    split: str,
    image_size: int,
    seed: int = 0,
    device: str | torch.device = "cpu",
    shadows: bool = True,
) -> Render:
    """Render source-domain samples ``indices`` (ints) of ``split``."""
    return render(
        [source_scene(seed, split, int(i)) for i in indices], image_size, device, shadows=shadows
    )


def render_target(
    indices,
    *,
    split: str,
    image_size: int,
    seed: int = 0,
    device: str | torch.device = "cpu",
    shadows: bool = True,
) -> Render:
    """Render target-domain samples ``indices`` (ints) of ``split``; ``category`` is the label."""
    return render(
        [target_scene(seed, split, int(i)) for i in indices], image_size, device, shadows=shadows
    )
