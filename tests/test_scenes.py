"""The renderer against analytic answers (planes, spheres, cylinders, shadows, determinism)."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from rsa_utils import scenes
from rsa_utils.scenes import BOX, CYLINDER, SPHERE, Primitive, Scene, render
from rsa_utils.tasks import OBJECT_CATEGORIES, ROOM_TYPES, TARGET_CATEGORIES

SIZE = 32


def room_scene(
    prims=(), *, cam=(0.0, 1.5, 0.0), yaw=0.0, pitch=0.0, lights=((0.0, 2.8, 1.0),), hi_z=3.0
) -> Scene:
    """A hand-made room [-2, 2] x [0, 3] x [-2, hi_z] with plain white surfaces."""
    surf = np.array([[scenes.PLAIN, 1.0, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]] * 6)
    return Scene(
        "source", np.array(cam), yaw, pitch, 61.0, list(prims), np.array(lights, float),
        np.ones(len(lights)), False, 0.2, surf, np.array([-2.0, 0.0, -2.0]), np.array([2.0, 3.0, hi_z]), 0,
        [p.category for p in prims if p.instance],
    )  # fmt: skip


def focal(size=SIZE, fov=61.0):
    return (size / 2) / math.tan(math.radians(fov) / 2)


def test_plane_depth_and_normal():
    r = render([room_scene()], SIZE)
    # the far wall z = 3 is fronto-parallel: z-depth exactly 3, normal -z (towards the camera)
    wall = r.face[0] == scenes.ROOM_FACES.index("wall_z_hi")
    assert wall.sum() > SIZE * SIZE / 3
    assert torch.allclose(r.depth[0][wall], torch.tensor(3.0), atol=1e-4)
    n = r.normal[0].permute(1, 2, 0)[wall]
    assert torch.allclose(n, torch.tensor([0.0, 0.0, -1.0]).expand_as(n), atol=1e-5)
    # the floor at the bottom row: depth = camera height * f / (pixel offset), normal = -y (up)
    v = SIZE - 1
    assert r.face[0, v, SIZE // 2] == scenes.ROOM_FACES.index("floor")
    expected = 1.5 * focal() / (v + 0.5 - SIZE / 2)
    assert r.depth[0, v, SIZE // 2].item() == pytest.approx(expected, rel=1e-4)
    assert torch.allclose(r.normal[0, :, v, SIZE // 2], torch.tensor([0.0, -1.0, 0.0]), atol=1e-5)
    # distance = depth * |(x/f, y/f, 1)| and camera-frame position has z = depth
    x = (SIZE // 2 + 0.5 - SIZE / 2) / focal()
    y = (v + 0.5 - SIZE / 2) / focal()
    assert r.distance[0, v, SIZE // 2].item() == pytest.approx(
        expected * math.sqrt(1 + x * x + y * y), rel=1e-4
    )
    assert torch.allclose(r.position[0, 2], r.depth[0], rtol=1e-5)
    assert (r.curvature == 0).all() and (r.category == 0).all()


def test_sphere_and_cylinder_curvature():
    sph = Primitive(SPHERE, (0.0, 1.5, 2.0), (0.4, 0.4, 0.4), 0.0, 1, 7, (0.5, 0.5, 0.5))
    r = render([room_scene([sph])], SIZE)
    mask = r.instance[0] == 1
    assert mask.sum() > 20
    assert torch.allclose(r.curvature[0, :, mask], torch.tensor(1 / 0.4), rtol=1e-5)
    assert (r.category[0][mask] == 7).all()
    # nearest pixel to the optical axis: depth ~ 2 - r, normal ~ -z
    c = SIZE // 2
    assert r.depth[0, c, c].item() == pytest.approx(1.6, abs=0.01)
    assert r.normal[0, 2, c, c].item() < -0.99
    cyl = Primitive(CYLINDER, (0.0, 1.5, 2.0), (0.3, 2.0, 0.3), 0.0, 1, 9, (0.5, 0.5, 0.5))
    r = render([room_scene([cyl])], SIZE)
    mask = r.instance[0] == 1
    assert torch.allclose(r.curvature[0, 0, mask], torch.tensor(1 / 0.3), rtol=1e-5)
    assert (r.curvature[0, 1, mask] == 0).all()
    # the side normal is horizontal: camera-frame y (down) component 0 at pitch 0
    assert r.normal[0, 1, mask].abs().max() < 1e-5


def test_rotated_box_face_depth():
    # a box rotated 45 deg: its nearest edge at z = 2 - h * sqrt(2); the depth there is minimal
    h = 0.3
    box = Primitive(BOX, (0.0, 1.5, 2.0), (h, h, h), math.pi / 4, 1, 5, (0.5, 0.5, 0.5))
    r = render([room_scene([box])], 64)
    mask = r.instance[0] == 1
    assert r.depth[0][mask].min().item() == pytest.approx(2 - h * math.sqrt(2), abs=0.02)
    # the two visible faces have camera-frame normals (+-sqrt(1/2), 0, -sqrt(1/2))
    n = r.normal[0][:, mask]
    assert torch.allclose(n[2], torch.tensor(-math.sqrt(0.5)), atol=1e-4)
    assert torch.allclose(n[0].abs(), torch.tensor(math.sqrt(0.5)), atol=1e-4)


def test_shadows_darken_exactly_the_occluded_pixels():
    box = Primitive(BOX, (0.0, 0.8, 1.8), (0.35, 0.05, 0.35), 0.3, 1, 1, (0.5, 0.5, 0.5))
    sc = room_scene([box], pitch=-0.5, lights=((0.0, 2.8, 1.8), (1.2, 2.5, 0.5)))
    on, off = render([sc], 48), render([sc], 48, shadows=False)
    assert torch.equal(on.depth, off.depth) and torch.equal(on.normal, off.normal)
    assert not off.shadowed.any()
    shadowed = on.shadowed[0].any(0)
    assert shadowed.sum() > 10, "the box should cast a visible shadow"
    darker = (off.shading - on.shading)[0, 0] > 1e-6
    assert torch.equal(darker, shadowed)
    assert torch.equal(on.shading[0, 0][~shadowed], off.shading[0, 0][~shadowed])
    # a single convex box cannot shadow itself: every shadowed pixel is on the room
    assert (on.instance[0][shadowed] == 0).all()


def test_samples_are_pure_functions_and_splits_differ():
    a = scenes.source_scene(3, "train", 5)
    b = scenes.source_scene(3, "train", 5)
    assert a.yaw == b.yaw and len(a.prims) == len(b.prims)
    ra = scenes.render_source([0, 1], split="train", image_size=SIZE)
    for split in ("val", "test", "rsa"):
        rb = scenes.render_source([0, 1], split=split, image_size=SIZE)
        assert not torch.allclose(ra.rgb, rb.rgb)
    rc = scenes.render_source([0, 1], split="train", image_size=SIZE, seed=1)
    assert not torch.allclose(ra.rgb, rc.rgb)


def test_scene_priors_within_spec():
    for i in range(40):
        s = scenes.source_scene(0, "train", i)
        assert 0 <= s.room_type < len(ROOM_TYPES)
        assert 1 <= len(s.categories) <= 8
        assert all(1 <= c <= len(OBJECT_CATEGORIES) for c in s.categories)
        assert 1 <= len(s.lights) <= 3
        assert (s.room_lo < s.cam_pos).all() and (s.cam_pos < s.room_hi).all()
        assert abs(s.pitch) < math.radians(20)
        t = scenes.target_scene(0, "train", i)
        assert all(1 <= c <= len(TARGET_CATEGORIES) for c in t.categories)
    r = scenes.render_source(range(8), split="val", image_size=SIZE)
    assert (r.category > 0).any() and torch.isfinite(r.rgb).all()
    assert r.rgb.min() >= 0 and r.rgb.max() <= 1
    n = r.normal.norm(dim=1)
    assert torch.allclose(n, torch.ones_like(n), atol=1e-4)
    # normals face the camera: n . position < 0
    assert ((r.normal * r.position).sum(1) < 1e-4).all()


def test_target_domain():
    r = scenes.render_target(range(8), split="train", image_size=SIZE)
    assert r.domain == "target"
    assert r.category.max() <= len(TARGET_CATEGORIES) and (r.category > 0).any()
    assert torch.isfinite(r.rgb).all() and r.rgb.min() >= 0 and r.rgb.max() <= 1
    sky = r.depth >= scenes.SKY_DEPTH
    assert sky.any() and (r.category[sky] == 0).all()


def _digest_code(device: str) -> str:
    return textwrap.dedent(f"""
        import hashlib, torch
        from rsa_utils import scenes
        r = scenes.render_source([0, 7, 123], split="rsa", image_size=24, seed=2, device="{device}")
        print(hashlib.sha256(r.depth.cpu().numpy().tobytes() + r.category.cpu().numpy().tobytes()).hexdigest())
    """)


def test_determinism_across_processes():
    out = [
        subprocess.run(
            [sys.executable, "-c", _digest_code("cpu")], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert out[0] == out[1] and len(out[0].strip()) == 64


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cpu_and_gpu_agree():
    a = scenes.render_source(range(16), split="rsa", image_size=64, device="cpu")
    b = scenes.render_source(range(16), split="rsa", image_size=64, device="cuda")
    same = a.instance == b.instance.cpu()
    assert same.float().mean() > 0.999  # only silhouette pixels may flip
    assert torch.allclose(a.depth[same], b.depth.cpu()[same], rtol=1e-3, atol=1e-3)
    close = (a.rgb - b.rgb.cpu()).abs().amax(1) < 1e-3
    assert close.float().mean() > 0.995


def test_class_shares_of_the_weighted_loss_are_the_worlds():
    """The fixed class shares behind semantic segmentation's loss weights, re-measured on fresh
    scenes of each domain (another split and seed than the ones they were measured on): the
    background's share within 0.05, and the classes ranked alike (Spearman ≥ 0.6 over the
    object classes). A generator that changed what the scenes hold would fail here."""
    from scipy.stats import spearmanr

    from rsa_utils.tasks import SOURCE_CLASS_SHARES, TARGET_CLASS_SHARES

    for draw, fixed in ((scenes.render_source, SOURCE_CLASS_SHARES),
                        (scenes.render_target, TARGET_CLASS_SHARES)):  # fmt: skip
        cat = draw(range(96), split="test", image_size=48, seed=3).category
        shares = torch.bincount(cat.flatten(), minlength=len(fixed)).double() / cat.numel()
        assert abs(float(shares[0]) - fixed[0]) < 0.05, (draw.__name__, float(shares[0]))
        rho = spearmanr(shares[1:].numpy(), fixed[1:]).statistic
        assert rho >= 0.6, (draw.__name__, rho, shares.tolist())
