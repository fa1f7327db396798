"""Scene description: primitives, scenes, seeding, and the objects of both worlds built from parts."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np

#: Version of the generators and the label recipes; bump whenever any output changes.
GENERATOR_VERSION = "synth-4"  # 4: vanishing point standardised; 3: curvature from the shape
# operator, continuous vanishing point

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
