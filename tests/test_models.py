"""Models: Table S1 by introspection, representation shapes, Taskonomy naming, one step lowers each loss."""

from __future__ import annotations

import pytest
import torch
from fakes import random_labels
from torch import nn

from rsa_utils.losses import task_loss
from rsa_utils.models import (
    ARCHS,
    SMALL_DECODER,
    SMALL_ENCODER,
    SmallModel,
    build_model,
    table_s1,
    taskonomy_encoder_keys,
)
from rsa_utils.tasks import TASK_NAMES, TASKS, get_task, task_input


def test_table_s1_matches_the_paper():
    df = table_s1()
    convs = df[df.layer.str.startswith("Conv")]
    assert list(convs.layer) == [f"Conv{i}" for i in range(1, 11)]
    assert list(convs.kernel) == ["3 x 3"] * 10
    assert list(convs.channels) == [16, 32, 64, 64, 8, 32, 16, 4, 4, "n"]
    assert list(convs.stride) == [2, 2, 2, 2, 1, 1, 1, 1, 1, 1]
    assert (df.layer == "Upscale x2").sum() == 4
    # the upscales sit after Conv6..Conv9
    order = list(df.layer)
    assert [order[order.index(f"Conv{i}") + 1] for i in (6, 7, 8, 9)] == ["Upscale x2"] * 4


def test_small_model_layers_by_introspection():
    m = SmallModel("normal", image_size=64)
    convs = [mod for mod in m.modules() if isinstance(mod, nn.Conv2d)]
    assert [c.kernel_size for c in convs] == [(3, 3)] * 10
    assert [c.out_channels for c in convs] == [c for _, c, _ in SMALL_ENCODER] + [
        c for _, c in SMALL_DECODER
    ] + [3]
    assert [c.stride[0] for c in convs] == [2, 2, 2, 2, 1, 1, 1, 1, 1, 1]
    # per-layer spatial size at 64 px: 32, 16, 8, 4, 4, then decoder 4 -> 64
    sizes, x = [], torch.rand(1, 3, 64, 64)
    for layer in m.encoder:
        x = layer(x)
        sizes.append(x.shape[-1])
    assert sizes == [32, 16, 8, 4, 4]


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("size", [32, 64])
def test_representation_shape(arch, size):
    for task in ("normal", "class_scene"):
        m = build_model(task, arch, width=4, image_size=size).eval()
        z = m.encode(torch.rand(2, 3, size, size))
        assert z.shape == (2, 8, size // 16, size // 16)


def test_taskonomy_stages_and_visualpriors_names():
    m = build_model("normal", "taskonomy", width=8, image_size=64).eval()
    st = m.stages(torch.rand(1, 3, 64, 64))
    assert [tuple(s.shape[1:]) for s in st] == [(32, 8, 8), (64, 4, 4), (128, 4, 4), (256, 4, 4)]
    enc = build_model("normal", "taskonomy", width=64).encoder
    got = {k: tuple(v.shape) for k, v in enc.state_dict().items()}
    assert got == taskonomy_encoder_keys(64)
    enc.load_state_dict({k: torch.zeros(s) for k, s in taskonomy_encoder_keys(64).items()})


def test_bad_arch_lists_allowed():
    with pytest.raises(ValueError, match="small.*taskonomy"):
        build_model("normal", "vgg")


def test_output_shapes_follow_registry():
    for name in TASK_NAMES:
        t = get_task(name)
        y = build_model(name, "small", image_size=32).eval()(torch.rand(2, 3, 32, 32))
        assert y.shape == ((2, t.out_channels, 32, 32) if t.dense else (2, t.out_channels))


@pytest.mark.parametrize("arch", ARCHS)
def test_one_step_lowers_every_loss(arch):
    size, b = 32, 4
    for name in TASK_NAMES:
        task = TASKS[name]
        g = torch.Generator().manual_seed(0)
        rgb = torch.rand(b, 3, size, size, generator=g)
        target = random_labels(task, b, size, g)
        torch.manual_seed(0)
        m = build_model(name, arch, width=4, image_size=size).train()
        x = task_input(task, rgb, generator=torch.Generator().manual_seed(1))

        def loss(m=m, x=x, task=task, target=target):
            return task_loss(task, m(x), target, generator=torch.Generator().manual_seed(2))

        before = loss()
        before.backward()
        # one gradient-descent step of small fixed length (first-order regime). Adam's sign-like
        # first step is not a descent step for every task at initialisation: the metric loss is
        # log-singular when all embeddings nearly coincide, and Taskonomy's GroupNorm over a
        # tiny (2 x 2) representation amplifies near-constant channels (rough landscape).
        params = [p for p in m.parameters() if p.grad is not None]
        norm = torch.sqrt(sum((p.grad**2).sum() for p in params))
        with torch.no_grad():
            for p in params:
                p -= 1e-5 * p.grad / norm
        with torch.no_grad():
            after = loss()
        assert after < before.detach(), (name, arch, float(before), float(after))


def test_a_task_gives_its_own_input():
    """``Task.input_of`` (what RSA's feature extraction calls on a network's task) makes the input
    its kind says from a clean RGB batch: the image itself, its lightness on three equal
    channels, the image plus seeded noise (std 0.1, clipped), or the image with its centre out."""
    rgb = torch.full((2, 3, 16, 16), 0.5)
    rgb[:, 0, :4] = 1.0  # a red band, so lightness is not the mean of the channels

    def seeded(s):
        return torch.Generator().manual_seed(s)

    kinds = set()
    for name, task in TASKS.items():
        x = task.input_of(rgb, generator=seeded(3))
        kinds.add(task.input)
        assert x.shape == rgb.shape and 0 <= x.min() and x.max() <= 1, name
        if task.input == "rgb":
            assert x is rgb, name
        elif task.input == "gray":
            assert torch.equal(x[:, 0], x[:, 1]) and torch.equal(x[:, 0], x[:, 2]), name
            assert torch.equal(x, task.input_of(rgb, generator=seeded(4))), name  # no noise
            assert x[0, 0, 0, 0] > x[0, 0, 8, 8], name  # the red band is lighter than mid-gray
        elif task.input == "noisy":
            assert torch.equal(x, task.input_of(rgb, generator=seeded(3))), name  # seeded
            assert not torch.equal(x, task.input_of(rgb, generator=seeded(4))), name
            noise = (x - rgb)[:, :, 4:]  # mid-gray: nothing clipped
            assert 0.09 < float(noise.std()) < 0.11 and abs(float(noise.mean())) < 0.01, name
        else:
            assert task.input == "masked", name
            assert (x[..., 4:12, 4:12] == 0).all(), name
            x[..., 4:12, 4:12] = rgb[..., 4:12, 4:12]
            assert torch.equal(x, rgb), name
    assert kinds == {"rgb", "gray", "noisy", "masked"}
