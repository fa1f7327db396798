"""Scene sampling: the priors of rooms, objects, colours and lights; source and target scenes."""

from __future__ import annotations

import math

import numpy as np

from rsa_utils.world.scene_parts import (
    CHECKER,
    NOISE,
    SOURCE_FOV_DEG,
    Primitive,
    Scene,
    _footprint,
    _indoor_parts,
    _jitter,
    _outdoor_parts,
    _place,
    _rng,
)
from rsa_utils.world.tasks import OBJECT_CATEGORIES, ROOM_TYPES, TARGET_CATEGORIES

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
