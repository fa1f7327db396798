"""The renderer: per-pixel buffers of a batch of scenes (image, depth, normals, segments, lights)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from rsa_utils.world.packing import (
    ScenePack,
    _pack,
    pack_scene,
)
from rsa_utils.world.raycast import _cast, _safe
from rsa_utils.world.scene_parts import (
    BOX,
    CYLINDER,
    SKY_DEPTH,
    SPHERE,
    Scene,
)
from rsa_utils.world.scene_priors import (
    source_scene,
    target_scene,
)
from rsa_utils.world.tasks import OBJECT_CATEGORIES, TARGET_CATEGORIES
from rsa_utils.world.textures import _texture, value_noise


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
