"""Task labels from a render: the recipes of SPEC section 2, in the formats of :mod:`rsa_utils.tasks`.

:func:`make_labels` turns a :class:`rsa_utils.scenes.Render` of the source domain into one
tensor per task (shapes and ranges: the module docstring of :mod:`rsa_utils.tasks`). The 3D
labels are exact functions of the rendered geometry; the 2D labels are computed from the
rendered RGB image, like Taskonomy computed them from its photographs. Filter widths are given
for 64 px images and scale with the image size (``s = image_size / 64``).

Encodings (fixed constants, so the same value means the same thing in every image):

* depths: ``log(1 + d) / log(1 + DEPTH_MAX_M)`` clipped to [0, 1] (d in metres);
* normals: ``(n + 1) / 2`` of the camera-frame unit normal (x right, y down, z forward);
* curvature: ``0.5 + 0.5 tanh(k * CURVATURE_SCALE_M)`` for k1 >= k2 (1/m, convex > 0), the
  principal curvatures of the rendered surface with its creases smoothed (:func:`principal_curvatures`);
* edge / keypoint maps: a response divided by a fixed constant (or ``1 - exp(-r / c)``),
  clipped to [0, 1];
* ``room_layout``: (centre of the room box in camera coordinates (3, m), camera yaw relative
  to the room's nearest axis, pitch, roll (3, rad), box extents along the room axes as seen by
  the camera (3, m)), standardised with :data:`ROOM_LAYOUT_MEAN` / :data:`ROOM_LAYOUT_STD`;
* ``vanishing_point``: the Manhattan frame as the image shows it (5): the up axis in camera
  coordinates (3) and ``(cos 4ψ, sin 4ψ)`` of the camera's yaw ψ relative to the room's axes,
  standardised with :data:`VANISHING_POINT_MEAN` / :data:`VANISHING_POINT_STD`.
  A room looks the same after a quarter turn, so only 4ψ is a function of the image; labelling
  the three axes themselves (9 numbers, yaw folded into [-45, 45] deg) made the label jump
  where the camera looks into a corner (benchmarks/labels.md).

Unsupervised segmentations use Felzenszwalb's graph segmentation (scikit-image) on the CPU
(:mod:`rsa_utils.world.segmentation`); the normalized-cut merging step of Taskonomy is left out
(see :data:`SEGMENT_PARAMS`).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from rsa_utils.world.filters import gaussian_blur, gray, rgb_to_lab, sobel, sobel_magnitude
from rsa_utils.world.render import Render
from rsa_utils.world.segmentation import SegmentJob
from rsa_utils.world.tasks import OBJECT_CATEGORIES, TASKS, check_tasks

DEPTH_MAX_M = 16.0
CURVATURE_SCALE_M = 0.15
CREASE_SIGMA_PX = 1.0  # Gaussian smoothing of the normals before differentiation (px at 64 px)
OCCLUSION_JUMP = 4.0  # a position step over this many pixel footprints is an occlusion boundary
RESHADING_D0_M = 2.0  # distance at which the camera light gives full (cos-weighted) shading
EDGE_TEXTURE_SCALE = 0.15
EDGE_OCCLUSION_SCALE = 0.4
KEYPOINTS2D_SCALE = 0.003
KEYPOINTS3D_SCALE = 0.04
#: Felzenszwalb parameters at 64 px (``min_size`` scales with the image area).
SEGMENT_PARAMS = {
    "segment_unsup2d": dict(scale=300.0, sigma=0.6, min_size=40),
    "segment_unsup25d": dict(scale=10.0, sigma=0.5, min_size=40),
}
#: Fixed standardisation constants of ``room_layout`` (estimated once from 3000 source scenes).
#: (The roll is always 0 in this world; its constants leave it at 0.)
ROOM_LAYOUT_MEAN = torch.tensor([0.0, -0.19, 1.2, 0.0, -0.1, 0.0, 5.5, 2.85, 5.5])
ROOM_LAYOUT_STD = torch.tensor([1.26, 0.28, 0.71, 0.45, 0.1, 1.0, 1.19, 0.2, 1.16])
#: Fixed standardisation constants of ``vanishing_point`` (estimated once from 4 496 source
#: scenes), so that the camera's pitch (the up axis, a ~0.1 spread) weighs in the L2 loss and
#: metric as much as its yaw (cos 4ψ, sin 4ψ, a ~0.7 spread) instead of 1 % of it. (The roll is
#: always 0 in this world, so the up axis's x is 0; its constants leave it at 0.)
VANISHING_POINT_MEAN = torch.tensor([0.0, -0.989, -0.105, 0.0, 0.0])
VANISHING_POINT_STD = torch.tensor([1.0, 0.012, 0.1, 0.707, 0.707])


# --- encodings -----------------------------------------------------------------------------
def encode_depth(d: torch.Tensor) -> torch.Tensor:
    """Metres -> [0, 1]: ``log(1 + d) / log(1 + DEPTH_MAX_M)``, clipped."""
    return (torch.log1p(d.clamp_min(0)) / math.log1p(DEPTH_MAX_M)).clamp(0, 1)


def decode_depth(x: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`encode_depth` (metres)."""
    return torch.expm1(x * math.log1p(DEPTH_MAX_M))


# --- 2D labels -------------------------------------------------------------------------------
def edge_texture(rgb: torch.Tensor) -> torch.Tensor:
    """Sobel magnitude of Gaussian-smoothed gray (Canny without non-maximum suppression)."""
    s = rgb.shape[-1] / 64
    g = gaussian_blur(gray(rgb), max(0.5, 1.0 * s))
    return (sobel_magnitude(g) / EDGE_TEXTURE_SCALE).clamp(0, 1)


def keypoints2d(rgb: torch.Tensor) -> torch.Tensor:
    """Max over scales of the scale-normalised Hessian determinant (SURF-like), no NMS."""
    s = rgb.shape[-1] / 64
    g = gray(rgb)
    best = torch.zeros_like(g)
    for sigma in (1.0 * s, 2.0 * s, 3.0 * s):
        lg = F.pad(gaussian_blur(g, sigma), (1, 1, 1, 1), mode="replicate")
        c = lg[..., 1:-1, 1:-1]
        lxx = lg[..., 1:-1, 2:] - 2 * c + lg[..., 1:-1, :-2]
        lyy = lg[..., 2:, 1:-1] - 2 * c + lg[..., :-2, 1:-1]
        lxy = (lg[..., 2:, 2:] - lg[..., 2:, :-2] - lg[..., :-2, 2:] + lg[..., :-2, :-2]) / 4
        best = torch.maximum(best, (sigma**4) * (lxx * lyy - lxy * lxy).abs())
    return 1 - torch.exp(-best / KEYPOINTS2D_SCALE)


def colorization(rgb: torch.Tensor) -> torch.Tensor:
    """Lab a, b divided by 128: (B, 2, H, W)."""
    return rgb_to_lab(rgb)[:, 1:] / 128


# --- 3D labels -------------------------------------------------------------------------------
def edge_occlusion(depth: torch.Tensor) -> torch.Tensor:
    """Sobel on sqrt(z-depth in m), then Gaussian blur; (B, H, W) -> (B, 1, H, W)."""
    s = depth.shape[-1] / 64
    mag = sobel_magnitude(depth.clamp_min(0).sqrt()[:, None])
    return (gaussian_blur(mag, max(0.5, 1.0 * s)) / EDGE_OCCLUSION_SCALE).clamp(0, 1)


def keypoints3d(normal: torch.Tensor, distance: torch.Tensor) -> torch.Tensor:
    """NARF-like interest: corner strength of the structure tensor of normals and log range.

    The surface-change field is the camera-frame normal (3 channels) and the log distance;
    with J the Gaussian-smoothed structure tensor of their gradients, the interest is Noble's
    corner measure det(J) / trace(J): high where the surface changes in two directions
    (corners, object tips), low on planes and along straight creases.
    """
    s = distance.shape[-1] / 64
    f = torch.cat([normal, torch.log(distance.clamp_min(1e-3))[:, None]], 1)
    gx, gy = sobel(f)
    sig = 1.5 * s
    jxx = gaussian_blur((gx * gx).sum(1, keepdim=True), sig)
    jyy = gaussian_blur((gy * gy).sum(1, keepdim=True), sig)
    jxy = gaussian_blur((gx * gy).sum(1, keepdim=True), sig)
    r = (jxx * jyy - jxy * jxy).clamp_min(0) / (jxx + jyy + 1e-6)
    return 1 - torch.exp(-r / KEYPOINTS3D_SCALE)


def reshading(normal: torch.Tensor, position: torch.Tensor) -> torch.Tensor:
    """Lambertian shading from a point light at the camera, constant albedo, 1/r^2 falloff.

    ``cos(theta) * min(1, (RESHADING_D0_M / r)^2)``: (B, 3, H, W) camera frame -> (B, 1, H, W).
    """
    r = position.norm(dim=1, keepdim=True).clamp_min(1e-6)
    cos = (-(normal * position).sum(1, keepdim=True) / r).clamp(0, 1)
    return (cos * (RESHADING_D0_M / r).square().clamp(max=1.0)).clamp(0, 1)


def encode_curvature(k: torch.Tensor) -> torch.Tensor:
    return 0.5 + 0.5 * torch.tanh(k * CURVATURE_SCALE_M)


def _central_difference(x: torch.Tensor, dim: int) -> torch.Tensor:
    """(B, C, H, W) -> its central difference along H (``dim=2``) or W (``dim=3``), edges replicated."""
    xp = F.pad(x, (1, 1, 1, 1), mode="replicate")
    if dim == 3:
        return (xp[..., 1:-1, 2:] - xp[..., 1:-1, :-2]) / 2
    return (xp[..., 2:, 1:-1] - xp[..., :-2, 1:-1]) / 2


def principal_curvatures(render: Render) -> torch.Tensor:
    """Principal curvatures k1 >= k2 (1/m, convex > 0) of the rendered surface: (B, 2, H, W).

    The shape operator of the camera-frame positions and normals (first and second fundamental
    forms from central differences), with the normals Gaussian-smoothed by
    :data:`CREASE_SIGMA_PX` first, so that a crease between two faces (a box's edge, a room's
    corner) gets the curvature of a surface rounded over about a pixel, as SPEC's recipe asks:
    convex edges positive, concave corners negative. Spheres and cylinders keep their analytic
    values away from their outlines. Occlusion boundaries (a position step larger than
    :data:`OCCLUSION_JUMP` pixel footprints) are not surfaces and get 0.
    """
    p, n = render.position, render.normal
    n = gaussian_blur(n, CREASE_SIGMA_PX * p.shape[-1] / 64)
    n = n / n.norm(dim=1, keepdim=True).clamp_min(1e-6)
    pu, pv = _central_difference(p, 3), _central_difference(p, 2)
    nu, nv = _central_difference(n, 3), _central_difference(n, 2)
    e, f, g = (pu * pu).sum(1), (pu * pv).sum(1), (pv * pv).sum(1)
    l_, m, n_ = (pu * nu).sum(1), 0.5 * ((pu * nv).sum(1) + (pv * nu).sum(1)), (pv * nv).sum(1)
    det = (e * g - f * f).clamp_min(1e-12)
    gauss, mean = (l_ * n_ - m * m) / det, (e * n_ - 2 * f * m + g * l_) / (2 * det)
    disc = (mean * mean - gauss).clamp_min(0).sqrt()
    k = torch.stack([mean + disc, mean - disc], 1)
    pixel = 2 * torch.tan(torch.deg2rad(render.fov.to(p) / 2)) / p.shape[-1]  # (B,) m per m
    footprint = p.norm(dim=1) * pixel[:, None, None]
    occluding = torch.maximum(pu.norm(dim=1), pv.norm(dim=1)) > OCCLUSION_JUMP * footprint
    return torch.where(occluding[:, None], torch.zeros_like(k), k)


# --- unsupervised segmentations -------------------------------------------------------------
SEGMENT_TASKS = ("segment_unsup2d", "segment_unsup25d")


def segment_jobs(render: Render, tasks=SEGMENT_TASKS) -> dict[str, SegmentJob]:
    """Start the unsupervised segmentations among ``tasks`` of a source render (see
    :class:`SegmentJob`); the data pipeline collects them while it renders the next batch."""
    names = [n for n in check_tasks(tasks) if n in SEGMENT_TASKS]
    jobs = {}
    if "segment_unsup2d" in names:
        jobs["segment_unsup2d"] = SegmentJob(
            render.rgb.float() * 255, SEGMENT_PARAMS["segment_unsup2d"]
        )
    if "segment_unsup25d" in names:
        feat = _geometry_features(render.depth, render.normal, edge_occlusion(render.depth))
        jobs["segment_unsup25d"] = SegmentJob(feat, SEGMENT_PARAMS["segment_unsup25d"])
    return jobs


def _geometry_features(depth, normal, occlusion) -> torch.Tensor:
    """What 2.5D segmentation segments: (encoded depth x 2, normal, occlusion edges) (B, 5, H, W)."""
    return torch.cat([2 * encode_depth(depth)[:, None], normal, occlusion], 1)


def segment_unsup2d(rgb: torch.Tensor) -> torch.Tensor:
    """Felzenszwalb superpixels of the RGB image (0-255 scale): (B, H, W) int64 ids >= 0."""
    return SegmentJob(rgb * 255, SEGMENT_PARAMS["segment_unsup2d"]).tensor(rgb.device)


def segment_unsup25d(
    depth: torch.Tensor, normal: torch.Tensor, occlusion: torch.Tensor
) -> torch.Tensor:
    """The same segmentation on (encoded depth, normals, occlusion edges): (B, H, W) int64."""
    feat = _geometry_features(depth, normal, occlusion)
    return SegmentJob(feat, SEGMENT_PARAMS["segment_unsup25d"]).tensor(depth.device)


# --- low-dimensional geometric labels ----------------------------------------------------------
def manhattan_frame(render: Render) -> tuple[torch.Tensor, torch.Tensor]:
    """The view-relative room axes: (B, 3, 3) rows = right-ish, up, forward-ish room axes in
    camera coordinates, and the quarter turns k (B,) that relabel the world axes."""
    yaw = render.cam_angles[:, 0]
    k = torch.round(yaw / (math.pi / 2))
    ang = k * (math.pi / 2)
    zero, one = torch.zeros_like(ang), torch.ones_like(ang)
    ex = torch.stack([torch.cos(ang), zero, -torch.sin(ang)], -1)  # R_y(k pi/2) e_x
    ey = torch.stack([zero, one, zero], -1)
    ez = torch.stack([torch.sin(ang), zero, torch.cos(ang)], -1)  # R_y(k pi/2) e_z
    world = torch.stack([ex, ey, ez], 1)  # (B, 3, 3) rows = world vectors
    return torch.bmm(world, render.r_cw), k.long()  # world -> camera: v @ R_cw


def room_layout_raw(render: Render) -> torch.Tensor:
    """Unstandardised room layout (B, 9): centre in camera frame, (yaw, pitch, roll), extents."""
    centre_w = (render.room_lo + render.room_hi) / 2
    centre_c = torch.bmm((centre_w - render.cam_pos)[:, None, :], render.r_cw)[:, 0]
    _, k = manhattan_frame(render)
    yaw_rel = render.cam_angles[:, 0] - k.float() * (math.pi / 2)
    ext = render.room_hi - render.room_lo
    odd = (k % 2 == 1)[:, None]
    ext = torch.where(odd, ext[:, [2, 1, 0]], ext)
    angles = torch.stack([yaw_rel, render.cam_angles[:, 1], render.cam_angles[:, 2]], -1)
    return torch.cat([centre_c, angles, ext], -1)


def room_layout(render: Render) -> torch.Tensor:
    raw = room_layout_raw(render)
    return (raw - ROOM_LAYOUT_MEAN.to(raw)) / ROOM_LAYOUT_STD.to(raw)


def vanishing_point_raw(render: Render) -> torch.Tensor:
    """The Manhattan frame up to the room's quarter-turn symmetry: (B, 5) = up axis in camera
    coordinates (3), cos 4ψ, sin 4ψ of the yaw ψ relative to the room (continuous in the yaw)."""
    axes, quarter = manhattan_frame(render)
    psi = render.cam_angles[:, 0] - quarter.to(axes.dtype) * (math.pi / 2)
    return torch.cat([axes[:, 1], torch.stack([torch.cos(4 * psi), torch.sin(4 * psi)], -1)], -1)


def vanishing_point(render: Render) -> torch.Tensor:
    """:func:`vanishing_point_raw` standardised with :data:`VANISHING_POINT_MEAN` / ``_STD``: (B, 5)."""
    raw = vanishing_point_raw(render)
    return (raw - VANISHING_POINT_MEAN.to(raw)) / VANISHING_POINT_STD.to(raw)


# --- semantic labels ---------------------------------------------------------------------------
def class_object(render: Render) -> torch.Tensor:
    """Distribution of visible object pixels over the categories (B, C).

    Fallback when no object pixel is visible: the distribution of the categories of the
    objects placed in the room (by count); if there are none, uniform.
    """
    c = len(OBJECT_CATEGORIES)
    cat = render.category.reshape(len(render), -1)
    counts = torch.zeros(len(render), c + 1, device=cat.device).scatter_add_(
        1, cat, torch.ones_like(cat, dtype=torch.float32)
    )[:, 1:]
    present = render.object_counts.to(counts)
    uniform = torch.full_like(counts, 1.0 / c)
    vis = counts.sum(1, keepdim=True)
    pres = present.sum(1, keepdim=True)
    out = torch.where(
        vis > 0,
        counts / vis.clamp_min(1),
        torch.where(pres > 0, present / pres.clamp_min(1), uniform),
    )
    return out


# --- all of them ---------------------------------------------------------------------------------
def make_labels(render: Render, tasks=None) -> dict[str, torch.Tensor]:
    """Labels of ``tasks`` (names; default all 20) for a source-domain render, on its device.

    Formats follow :mod:`rsa_utils.tasks`: ``rgb`` / ``map`` / ``ab`` float32 (B, C, H, W),
    ``segments`` / ``dense_class`` int64 (B, H, W), ``vector`` / ``soft_class`` float32
    (B, D), ``class`` int64 (B,).
    """
    names = check_tasks(tasks)
    if render.domain != "source":
        raise ValueError(
            "make_labels needs a source-domain render (the target domain has only segmentation labels)"
        )
    rgb = render.rgb.float()
    cache: dict[str, torch.Tensor] = {}

    def occ() -> torch.Tensor:
        if "occ" not in cache:
            cache["occ"] = edge_occlusion(render.depth)
        return cache["occ"]

    jobs = segment_jobs(render, names)  # CPU work in the background while the rest runs
    out: dict[str, torch.Tensor] = {}
    for n in names:
        if n in jobs:
            continue
        if TASKS[n].target == "rgb":
            out[n] = rgb
        elif n == "colorization":
            out[n] = colorization(rgb)
        elif n == "edge_texture":
            out[n] = edge_texture(rgb)
        elif n == "keypoints2d":
            out[n] = keypoints2d(rgb)
        elif n == "curvature":
            out[n] = encode_curvature(principal_curvatures(render))
        elif n == "depth_euclidean":
            out[n] = encode_depth(render.distance)[:, None]
        elif n == "depth_zbuffer":
            out[n] = encode_depth(render.depth)[:, None]
        elif n == "edge_occlusion":
            out[n] = occ()
        elif n == "keypoints3d":
            out[n] = keypoints3d(render.normal, render.distance)
        elif n == "normal":
            out[n] = ((render.normal + 1) / 2).clamp(0, 1)
        elif n == "reshading":
            out[n] = reshading(render.normal, render.position)
        elif n == "room_layout":
            out[n] = room_layout(render)
        elif n == "vanishing_point":
            out[n] = vanishing_point(render)
        elif n == "class_object":
            out[n] = class_object(render)
        elif n == "class_scene":
            out[n] = render.room_type.long()
        elif n == "segment_semantic":
            out[n] = render.category.long()
        else:  # pragma: no cover - every registry task is handled above
            raise AssertionError(n)
    for n, job in jobs.items():
        out[n] = job.tensor(render.rgb.device)
    return {n: out[n] for n in names}
