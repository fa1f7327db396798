"""Labels: formats and ranges of all 20 tasks, analytic checks, and label-level RSA."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rsa_utils import labels as L
from rsa_utils import scenes
from rsa_utils.scenes import BOX, SPHERE, Primitive, render
from rsa_utils.study.label_rsa import label_similarity, type_separation
from rsa_utils.tasks import OBJECT_CATEGORIES, ROOM_TYPES, TASK_NAMES, TASKS, tasks_of_type
from tests.test_scenes import room_scene

SIZE = 32


@pytest.fixture(scope="module")
def batch():
    r = scenes.render_source(range(12), split="test", image_size=SIZE)
    return r, L.make_labels(r)


def test_every_label_has_its_format_and_range(batch):
    r, lab = batch
    b = len(r)
    assert list(lab) == list(TASK_NAMES)
    for name, x in lab.items():
        t = TASKS[name]
        if t.target in ("rgb", "map", "ab"):
            assert x.dtype == torch.float32 and x.shape == (
                b,
                t.out_channels if t.target == "map" else (3 if t.target == "rgb" else 2),
                SIZE,
                SIZE,
            ), name
            assert torch.isfinite(x).all(), name
            lo, hi = (-1, 1) if t.target == "ab" else (0, 1)
            assert x.min() >= lo and x.max() <= hi, name
        elif t.target == "segments":
            assert x.dtype == torch.int64 and x.shape == (b, SIZE, SIZE) and x.min() >= 0, name
            assert 1 < x.max() < SIZE * SIZE, name
        elif t.target == "vector":
            assert (
                x.dtype == torch.float32
                and x.shape == (b, t.out_channels)
                and torch.isfinite(x).all()
            ), name
            assert x.abs().max() < 10, name
        elif t.target == "soft_class":
            assert x.shape == (b, len(OBJECT_CATEGORIES)) and (x >= 0).all()
            assert torch.allclose(x.sum(1), torch.ones(b), atol=1e-5)
        elif t.target == "class":
            assert (
                x.dtype == torch.int64
                and x.shape == (b,)
                and x.min() >= 0
                and x.max() < len(ROOM_TYPES)
            )
        elif t.target == "dense_class":
            assert x.dtype == torch.int64 and x.shape == (b, SIZE, SIZE)
            assert x.min() >= 0 and x.max() <= len(OBJECT_CATEGORIES)
        else:
            raise AssertionError(t.target)


def test_unknown_task_lists_valid_names(batch):
    r, _ = batch
    with pytest.raises(ValueError, match="valid task names are: autoencoding"):
        L.make_labels(r, ["depth", "normal"])


def test_vanishing_point_is_the_view_of_the_manhattan_frame(batch):
    r, lab = batch
    assert lab["vanishing_point"].shape == (len(r), 5)
    vp = lab["vanishing_point"] * L.VANISHING_POINT_STD + L.VANISHING_POINT_MEAN
    assert torch.allclose(vp, L.vanishing_point_raw(r), atol=1e-5)
    pitch = r.cam_angles[:, 1]
    # world up in camera coordinates (x right, y down, z forward) at pitch p: (0, -cos p, sin p)
    up = torch.stack([torch.zeros_like(pitch), -torch.cos(pitch), torch.sin(pitch)], -1)
    assert torch.allclose(vp[:, :3], up, atol=1e-5)
    # (cos 4 yaw, sin 4 yaw): the room looks the same after a quarter turn
    yaw = r.cam_angles[:, 0]
    assert torch.allclose(
        vp[:, 3:], torch.stack([torch.cos(4 * yaw), torch.sin(4 * yaw)], -1), atol=1e-4
    )


def test_vanishing_point_is_continuous_where_the_camera_looks_into_a_corner():
    """Either side of 45 deg the room axis nearest the view changes; the label must not jump."""
    eps = 1e-3
    views = render(
        [room_scene([], yaw=math.pi / 4 - eps), room_scene([], yaw=math.pi / 4 + eps)], 16
    )
    vp = L.vanishing_point_raw(views)
    assert (vp[0] - vp[1]).abs().max() < 0.01
    axes, quarter = L.manhattan_frame(views)
    assert quarter[0] != quarter[1]  # the frame itself does change there


def test_room_layout_recovers_the_box(batch):
    r, lab = batch
    raw = L.room_layout_raw(r)
    assert torch.allclose(
        raw, lab["room_layout"] * L.ROOM_LAYOUT_STD + L.ROOM_LAYOUT_MEAN, atol=1e-5
    )
    vol = (r.room_hi - r.room_lo).prod(1)
    assert torch.allclose(raw[:, 6:].prod(1), vol, rtol=1e-5)
    assert (raw[:, 3].abs() <= math.pi / 4 + 1e-6).all() and (raw[:, 5] == 0).all()
    # the room centre's distance from the camera is the same in both frames
    centre = (r.room_lo + r.room_hi) / 2 - r.cam_pos
    assert torch.allclose(raw[:, :3].norm(dim=1), centre.norm(dim=1), atol=1e-4)


def test_occlusion_edges_only_at_depth_discontinuities():
    box = Primitive(BOX, (0.0, 1.5, 0.6), (0.15, 0.15, 0.15), 0.0, 1, 5, (0.5, 0.5, 0.5))
    r = render([room_scene([box], hi_z=1.0)], 64)
    depth = r.depth
    assert (r.face[0][r.instance[0] == 0] == scenes.ROOM_FACES.index("wall_z_hi")).all()
    eo = L.edge_occlusion(depth)[0, 0]
    jump = torch.zeros_like(depth[0], dtype=torch.bool)
    dx = (depth[0, :, 1:] - depth[0, :, :-1]).abs() > 0.1
    dy = (depth[0, 1:, :] - depth[0, :-1, :]).abs() > 0.1
    jump[:, 1:] |= dx
    jump[:, :-1] |= dx
    jump[1:, :] |= dy
    jump[:-1, :] |= dy
    assert jump.sum() > 20
    near = torch.nn.functional.max_pool2d(jump[None, None].float(), 9, 1, 4)[0, 0] > 0
    assert eo[~near].max() < 1e-3
    assert eo[jump].max() > 0.2


def test_curvature_depth_and_reshading_analytic():
    sph = Primitive(SPHERE, (0.0, 1.5, 2.0), (0.5, 0.5, 0.5), 0.0, 1, 7, (0.5, 0.5, 0.5))
    r = render([room_scene([sph])], SIZE)
    lab = L.make_labels(
        r, ["curvature", "depth_zbuffer", "reshading", "class_object", "segment_semantic"]
    )
    mask = r.instance[0] == 1
    inner = _eroded(mask, 2)  # away from the outline, where the normals are smoothed across it
    assert inner.sum() > 10
    assert torch.allclose(
        lab["curvature"][0, :, inner], L.encode_curvature(torch.tensor(2.0)), atol=0.01
    )
    assert torch.allclose(L.decode_depth(lab["depth_zbuffer"][0, 0]), r.depth[0], rtol=1e-4)
    # fronto-parallel wall at 3 m, pixel near the axis: cos ~ 1, falloff (2 / r)^2
    c = SIZE // 2
    wall = r.face[0] == scenes.ROOM_FACES.index("wall_z_hi")
    v, u = torch.nonzero(wall)[0]
    pos = r.position[0, :, v, u]
    expected = (3.0 / pos.norm()) * (L.RESHADING_D0_M / pos.norm()) ** 2
    assert lab["reshading"][0, 0, v, u].item() == pytest.approx(expected.item(), rel=1e-4)
    assert lab["reshading"][0, 0, c, c] > 0.9  # the sphere's front, 1.5 m away
    onehot = torch.zeros(len(OBJECT_CATEGORIES))
    onehot[6] = 1
    assert torch.allclose(lab["class_object"][0], onehot)
    # nothing visible: fall back on the objects placed in the room
    behind = Primitive(SPHERE, (0.0, 1.5, -1.5), (0.3, 0.3, 0.3), 0.0, 1, 3, (0.5, 0.5, 0.5))
    r2 = render([room_scene([behind])], SIZE)
    assert (r2.instance == 0).all()
    assert L.class_object(r2)[0].argmax().item() == 2


def test_world_separates_task_types():
    """RSA between the labels themselves: 3D labels resemble 3D labels, 2D ones 2D ones."""
    r = scenes.render_source(range(72), split="rsa", image_size=SIZE)
    names = tasks_of_type("2D") + tasks_of_type("3D")
    sim = label_similarity(L.make_labels(r, names), names)
    s = sim.to_numpy().copy()
    assert np.allclose(s, s.T) and np.allclose(np.diag(s), 1)
    sep = type_separation(sim)
    # identical labels (the clean image of autoencoding, denoising, inpainting) are left out:
    # the 2D labels are a mixed family, so only their order against the 3D block is required
    assert sep["within_2d"] > sep["between"]
    assert sep["within_3d"] > sep["between"] + 0.05
    # single linkage merges nearest neighbours first: most 3D tasks' nearest neighbour is 3D
    np.fill_diagonal(s, -np.inf)
    three = tasks_of_type("3D")
    nn_3d = [TASKS[names[int(np.argmax(s[names.index(t)]))]].type == "3D" for t in three]
    assert np.mean(nn_3d) >= 0.6


def _eroded(mask: torch.Tensor, r: int) -> torch.Tensor:
    """(H, W) bool -> the pixels whose (2r+1)^2 neighbourhood lies inside ``mask``."""
    outside = torch.nn.functional.max_pool2d((~mask)[None, None].float(), 2 * r + 1, 1, r)
    return outside[0, 0] == 0


def test_principal_curvatures_of_spheres_creases_and_planes():
    sph = Primitive(SPHERE, (0.0, 1.5, 2.0), (0.5, 0.5, 0.5), 0.0, 1, 7, (0.5, 0.5, 0.5))
    k = L.principal_curvatures(render([room_scene([sph])], 64))[0]
    inner = _eroded(render([room_scene([sph])], 64).instance[0] == 1, 3)
    assert torch.allclose(k[:, inner], torch.tensor(2.0), rtol=0.05)  # 1 / radius, both axes
    # looking into a corner of an empty room: the walls meet in a concave crease (k2 < 0)
    corner = render([room_scene([], yaw=math.pi / 4, hi_z=2.0)], 64)
    kc = L.principal_curvatures(corner)[0]
    assert kc[1].min() < -5 and kc[0].max() < 2
    # a box turned 45 deg shows a convex vertical edge (k1 > 0); its faces are flat
    box = Primitive(BOX, (0.0, 1.5, 1.0), (0.3, 0.3, 0.3), math.pi / 4, 1, 5, (0.5, 0.5, 0.5))
    rb = render([room_scene([box])], 64)
    kb = L.principal_curvatures(rb)[0]
    assert kb[0][rb.instance[0] == 1].max() > 5
    c = 32
    column = kb[0, :, c - 1 : c + 2]
    assert column.max() > 5  # the edge faces the camera in the image's middle column
    faces = _eroded(rb.instance[0] == 1, 3)
    faces[:, c - 4 : c + 5] = False
    assert faces.sum() > 20 and kb[:, faces].abs().max() < 0.5


def test_vector_labels_are_standardised():
    """Each varying component of room layout and vanishing point has about unit spread over
    source scenes, so that no component is a negligible part of the L2 loss; roll stays 0."""
    r = scenes.render_source(range(200), split="val", image_size=8)
    for name, fixed in (("room_layout", [5]), ("vanishing_point", [0])):
        lab = L.make_labels(r, [name])[name]
        varying = [i for i in range(lab.shape[1]) if i not in fixed]
        assert (lab[:, fixed] == 0).all()
        assert lab[:, varying].mean(0).abs().max() < 0.3, name
        assert ((lab[:, varying].std(0) > 0.6) & (lab[:, varying].std(0) < 1.6)).all(), name
