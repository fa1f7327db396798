"""The two model families of the study: the Table S1 small model and the Taskonomy-architecture model.

Both map an input batch (B, 3, H, W) (H, W multiples of 16) to a *representation* of shape
(B, 8, H/16, W/16) -- the encoder output that RSA compares -- and from it to the task's
prediction:

==============================  ==========================================================
task kind (``Task.dense``)      ``forward(x)`` output
==============================  ==========================================================
dense (15 tasks)                (B, n, H, W) with n = ``Task.out_channels`` (logits for CE
                                tasks, an embedding for the metric-loss tasks, raw values for
                                L1/L2 maps)
non-dense (4 tasks)             (B, n): room_layout, vanishing_point (9 values), class_object,
                                class_scene (logits)
==============================  ==========================================================

**Small model** (:class:`SmallModel`, Table S1 of the supplement, exactly): encoder Conv1..Conv5,
3x3 convolutions with 16/32/64/64/8 channels and strides 2/2/2/2/1; decoder Conv6 (32), x2
upscale, Conv7 (16), x2, Conv8 (4), x2, Conv9 (4), x2, Conv10 (n), all stride 1. Choices the
table leaves open (documented here, checked by the tests): every convolution but Conv5 and
Conv10 is conv -> BatchNorm -> ReLU; Conv5 is conv -> BatchNorm with no ReLU, so the 8-channel
representation is a linear bottleneck that cannot die to all-zero channels (that would make
RDM rows undefined); Conv10 is a plain conv with bias (the prediction); "upscale x2" is bilinear
interpolation (no parameters); padding 1 everywhere. Non-dense tasks replace the decoder with
:class:`FCHead` (flatten the representation, Linear -> ReLU -> Linear).

**Taskonomy-architecture model** (:class:`TaskonomyModel`): a ResNet-50 built from torchvision's
``Bottleneck`` blocks ([3, 4, 6, 3] blocks, base width ``width``; 64 = torchvision's ResNet-50)
with Taskonomy's own stride layout, then a 3x3 conv compressing to 8 channels. The parameter
names and shapes are those of visualpriors' ``TaskonomyEncoder`` (``conv1``, ``bn1``,
``layer1``..``layer4``, ``compress1``, ``compress_bn``), and so is the computation:

* stem: 7x7 conv stride 2 (padding 3), BN, ReLU, 3x3 max-pool stride 2 with ``ceil_mode=True``
  and no padding (Taskonomy's, not torchvision's padded pool);
* the stride-2 steps of layer1 and layer2 sit in their *last* block, whose shortcut is a 1x1
  max-pool of stride 2 (no parameters); the first block of every layer has the usual 1x1 conv +
  BN projection shortcut with stride 1; layer3 and layer4 keep stride 1 -> output stride 16
  (2 * 2 * 2 * 2), as in Taskonomy. (torchvision's ``replace_stride_with_dilation`` also gives
  output stride 16 with the same parameter names, but computes a different function from the
  same weights, so real Taskonomy weights would not reproduce Taskonomy's features.)
* head: ``compress1`` (3x3, 32*width -> 8 channels, no bias), ``compress_bn``, ReLU, then a
  parameter-free ``GroupNorm(8, 8, affine=False)`` as visualpriors' ``normalize_outputs=True``.

What was checked (``tests/test_models.py``): at width 64 the encoder's ``state_dict`` keys and
shapes are exactly the visualpriors ``TaskonomyEncoder`` ones (generated from its layer recipe),
so ``model.encoder.load_state_dict(taskonomy_encoder_state)`` loads; the real weight files were
not available offline, so numerical agreement with TaskBank outputs is *not* verified.
Dense decoders: bilinear x2 upsampling + 3x3 conv/BN/ReLU, four times (channels 4w, 2w, w, w/2,
w/2 for width w), then a 1x1 conv to n. Non-dense tasks: two fully connected layers on the
flattened representation, as in Taskonomy.

:func:`build_model` is the one constructor; :func:`table_s1` renders Table S1 by introspection.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.resnet import Bottleneck

from rsa_utils.world.tasks import Task, get_task

ARCHS: tuple[str, ...] = ("small", "taskonomy")
#: Channels of the representation (both architectures) and its stride w.r.t. the input.
REPR_CHANNELS = 8
OUTPUT_STRIDE = 16
#: Table S1: (name, out channels, stride) of the small encoder and decoder convolutions.
SMALL_ENCODER: tuple[tuple[str, int, int], ...] = (
    ("conv1", 16, 2), ("conv2", 32, 2), ("conv3", 64, 2), ("conv4", 64, 2), ("conv5", 8, 1),
)  # fmt: skip
SMALL_DECODER: tuple[tuple[str, int], ...] = (
    ("conv6", 32),
    ("conv7", 16),
    ("conv8", 4),
    ("conv9", 4),
)
RESNET50_BLOCKS: tuple[int, ...] = (3, 4, 6, 3)


def check_arch(arch: str) -> str:
    """``arch`` if it is one of :data:`ARCHS`, else ``ValueError`` listing the allowed values."""
    if arch not in ARCHS:
        raise ValueError(f"unknown arch {arch!r}; allowed: {', '.join(map(repr, ARCHS))}")
    return arch


def _conv_bn(cin: int, cout: int, stride: int = 1, relu: bool = True) -> nn.Sequential:
    """3x3 conv (padding 1, no bias) -> BatchNorm [-> ReLU]; (B, cin, H, W) -> (B, cout, H/s, W/s)."""
    layers: list[tuple[str, nn.Module]] = [
        ("conv", nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)),
        ("bn", nn.BatchNorm2d(cout)),
    ]
    if relu:
        layers.append(("relu", nn.ReLU(inplace=True)))
    return nn.Sequential(OrderedDict(layers))


class Upscale(nn.Module):
    """Bilinear x``factor`` upsampling (no parameters): (B, C, H, W) -> (B, C, fH, fW)."""

    def __init__(self, factor: int = 2) -> None:
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=self.factor, mode="bilinear", align_corners=False)

    def extra_repr(self) -> str:
        return f"factor={self.factor}"


class FCHead(nn.Module):
    """Two fully connected layers on the flattened representation: (B, 8, h, w) -> (B, n)."""

    def __init__(self, in_features: int, hidden: int, out: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, out)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.relu(self.fc1(z.flatten(1))))


class TaskModel(nn.Module):
    """Common interface: ``encode`` (the RSA representation) and ``forward`` (the prediction)."""

    task: Task
    arch: str

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> representation (B, 8, H/16, W/16)."""
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> prediction, (B, n, H, W) for dense tasks, (B, n) otherwise."""
        return self.decoder(self.encode(x))

    def config(self) -> dict[str, Any]:
        """The constructor arguments (enough to rebuild the model with :func:`build_model`)."""
        return dict(self._config)


class SmallModel(TaskModel):
    """Table S1's small encoder-decoder; ``encoder`` = Conv1..Conv5, ``decoder`` = Conv6..Conv10."""

    def __init__(self, task: Task | str, image_size: int = 256, fc_hidden: int = 128) -> None:
        super().__init__()
        self.task = get_task(task) if isinstance(task, str) else task
        self.arch = "small"
        self._config = {"task": self.task.name, "arch": "small", "image_size": image_size}
        enc: list[tuple[str, nn.Module]] = []
        cin = 3
        for name, cout, stride in SMALL_ENCODER:
            enc.append((name, _conv_bn(cin, cout, stride, relu=name != "conv5")))
            cin = cout
        self.encoder = nn.Sequential(OrderedDict(enc))
        n = self.task.out_channels
        if self.task.dense:
            dec: list[tuple[str, nn.Module]] = []
            for i, (name, cout) in enumerate(SMALL_DECODER):
                dec.append((name, _conv_bn(cin, cout)))
                dec.append((f"up{i + 1}", Upscale(2)))
                cin = cout
            dec.append(("conv10", nn.Conv2d(cin, n, 3, padding=1)))
            self.decoder: nn.Module = nn.Sequential(OrderedDict(dec))
        else:
            side = image_size // OUTPUT_STRIDE
            self.decoder = FCHead(REPR_CHANNELS * side * side, fc_hidden, n)


class TaskonomyEncoder(nn.Module):
    """ResNet-50 (torchvision ``Bottleneck``) with Taskonomy's strides + 8-channel compression.

    Parameter names and the computation follow visualpriors' ``TaskonomyEncoder`` (see the
    module docstring). ``stages(x)`` returns the four ResNet stage outputs for layer-wise RSA:
    (B, 4w, H/8, W/8), (B, 8w, H/16, W/16), (B, 16w, H/16, W/16), (B, 32w, H/16, W/16).
    """

    def __init__(self, width: int = 64, normalize_outputs: bool = True) -> None:
        super().__init__()
        self.width = width
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=0, ceil_mode=True)
        strides = (2, 2, 1, 1)
        for i, (blocks, stride) in enumerate(zip(RESNET50_BLOCKS, strides)):
            setattr(self, f"layer{i + 1}", self._make_layer(width * 2**i, blocks, stride))
        out = self.inplanes
        self.compress1 = nn.Conv2d(out, REPR_CHANNELS, kernel_size=3, padding=1, bias=False)
        self.compress_bn = nn.BatchNorm2d(REPR_CHANNELS)
        self.relu1 = nn.ReLU(inplace=True)
        self.normalize_outputs = normalize_outputs
        self.groupnorm = nn.GroupNorm(REPR_CHANNELS, REPR_CHANNELS, affine=False)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, Bottleneck):
                # every residual branch starts at zero, so each block starts as its shortcut
                # (torchvision's zero_init_residual; Goyal et al. 2017): on the cpu profile this
                # raised the relative quality of all 10 networks measured (benchmarks/zero_init.md)
                nn.init.zeros_(m.bn3.weight)

    def _make_layer(self, planes: int, blocks: int, stride: int) -> nn.Sequential:
        """Taskonomy's layer: projection shortcut in block 0, the stride in the last block."""
        exp = Bottleneck.expansion
        down = None
        if self.inplanes != planes * exp:
            down = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * exp, kernel_size=1, bias=False),
                nn.BatchNorm2d(planes * exp),
            )
        layers = [Bottleneck(self.inplanes, planes, downsample=down)]
        self.inplanes = planes * exp
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks - 1)]
        last_down = (
            nn.Sequential(nn.MaxPool2d(kernel_size=1, stride=stride)) if stride != 1 else None
        )
        layers.append(Bottleneck(self.inplanes, planes, stride=stride, downsample=last_down))
        return nn.Sequential(*layers)

    def stem(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> (B, w, H/4, W/4)."""
        return self.maxpool(self.relu(self.bn1(self.conv1(x))))

    def stages(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The outputs of layer1..layer4 (see the class docstring for shapes)."""
        out, h = [], self.stem(x)
        for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
            h = layer(h)
            out.append(h)
        return out

    def compress(self, h: torch.Tensor) -> torch.Tensor:
        """layer4 output -> representation (B, 8, H/16, W/16)."""
        z = self.relu1(self.compress_bn(self.compress1(h)))
        return self.groupnorm(z) if self.normalize_outputs else z

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.compress(self.stages(x)[-1])


class DenseDecoder(nn.Sequential):
    """Representation (B, 8, H/16, W/16) -> (B, n, H, W): 4 x (upscale x2, conv3x3-BN-ReLU), 1x1 conv."""

    def __init__(self, width: int, n: int) -> None:
        chans = [
            max(4 * width, 8),
            max(2 * width, 8),
            max(width, 8),
            max(width // 2, 8),
            max(width // 2, 8),
        ]
        layers: list[tuple[str, nn.Module]] = [("conv0", _conv_bn(REPR_CHANNELS, chans[0]))]
        for i in range(4):
            layers.append((f"up{i + 1}", Upscale(2)))
            layers.append((f"conv{i + 1}", _conv_bn(chans[i], chans[i + 1])))
        layers.append(("out", nn.Conv2d(chans[-1], n, 1)))
        super().__init__(OrderedDict(layers))


class TaskonomyModel(TaskModel):
    """Taskonomy-architecture task network: :class:`TaskonomyEncoder` + decoder or FC head."""

    def __init__(self, task: Task | str, width: int = 64, image_size: int = 256) -> None:
        super().__init__()
        self.task = get_task(task) if isinstance(task, str) else task
        self.arch = "taskonomy"
        self._config = {
            "task": self.task.name,
            "arch": "taskonomy",
            "width": width,
            "image_size": image_size,
        }
        self.encoder = TaskonomyEncoder(width)
        n = self.task.out_channels
        if self.task.dense:
            self.decoder: nn.Module = DenseDecoder(width, n)
        else:
            side = image_size // OUTPUT_STRIDE
            self.decoder = FCHead(REPR_CHANNELS * side * side, max(128, 8 * width), n)

    def stages(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The four ResNet stage outputs (layer-wise RSA); see :meth:`TaskonomyEncoder.stages`."""
        return self.encoder.stages(x)


def build_model(
    task: Task | str,
    arch: str = "small",
    profile: Any | None = None,
    *,
    width: int | None = None,
    image_size: int | None = None,
) -> TaskModel:
    """The model of ``task`` in architecture ``arch`` (``"small"`` | ``"taskonomy"``).

    ``profile`` (a :class:`rsa_utils.profiles.Profile`) supplies ``resnet_width`` and
    ``image_size``; ``width`` / ``image_size`` override it (defaults 64 and 256). The image
    size matters only for the fully connected heads of non-dense tasks.
    """
    check_arch(arch)
    task = get_task(task) if isinstance(task, str) else task
    if width is None:
        width = getattr(profile, "resnet_width", 64)
    if image_size is None:
        image_size = getattr(profile, "image_size", 256)
    if image_size % OUTPUT_STRIDE:
        raise ValueError(f"image_size={image_size} must be a multiple of {OUTPUT_STRIDE}")
    if arch == "small":
        return SmallModel(task, image_size=image_size)
    return TaskonomyModel(task, width=width, image_size=image_size)


def model_from_config(config: dict[str, Any]) -> TaskModel:
    """Rebuild a model from :meth:`TaskModel.config` (weights not included)."""
    return build_model(
        config["task"], config["arch"], width=config.get("width"), image_size=config["image_size"]
    )


def taskonomy_encoder_keys(width: int = 64) -> dict[str, tuple[int, ...]]:
    """The ``state_dict`` keys and shapes of visualpriors' ``TaskonomyEncoder``, from its recipe.

    Generated independently of :class:`TaskonomyEncoder` (from the layer recipe: [3, 4, 6, 3]
    bottlenecks, projection shortcut only in block 0, 8-channel ``compress1``), so a test can
    check that real Taskonomy encoder weights would load.
    """
    keys: dict[str, tuple[int, ...]] = {}

    def bn(prefix: str, c: int) -> None:
        for k in ("weight", "bias", "running_mean", "running_var"):
            keys[f"{prefix}.{k}"] = (c,)
        keys[f"{prefix}.num_batches_tracked"] = ()

    keys["conv1.weight"] = (width, 3, 7, 7)
    bn("bn1", width)
    cin = width
    for li, blocks in enumerate(RESNET50_BLOCKS):
        planes = width * 2**li
        for b in range(blocks):
            p = f"layer{li + 1}.{b}"
            keys[f"{p}.conv1.weight"] = (planes, cin, 1, 1)
            bn(f"{p}.bn1", planes)
            keys[f"{p}.conv2.weight"] = (planes, planes, 3, 3)
            bn(f"{p}.bn2", planes)
            keys[f"{p}.conv3.weight"] = (planes * 4, planes, 1, 1)
            bn(f"{p}.bn3", planes * 4)
            if b == 0:
                keys[f"{p}.downsample.0.weight"] = (planes * 4, cin, 1, 1)
                bn(f"{p}.downsample.1", planes * 4)
            cin = planes * 4
    keys["compress1.weight"] = (REPR_CHANNELS, cin, 3, 3)
    bn("compress_bn", REPR_CHANNELS)
    return keys


def table_s1(model: SmallModel | None = None) -> pd.DataFrame:
    """Table S1 (layer, kernel size, # channels, stride) read off a small model's modules.

    ``model`` defaults to a small model of a dense task; Conv10's channel count is shown as
    ``n`` (task-specific), as in the paper. Rows: section ("Encoder"/"Decoder"), layer, kernel,
    channels, stride; upscaling rows have empty kernel/stride.
    """
    if model is None:
        model = SmallModel("autoencoding")
    if not model.task.dense:
        raise ValueError(
            "table_s1 needs a small model of a dense task (it has the Table S1 decoder)"
        )
    rows = []
    for section, seq in (("Encoder", model.encoder), ("Decoder", model.decoder)):
        for name, mod in seq.named_children():
            if isinstance(mod, Upscale):
                rows.append((section, f"Upscale x{mod.factor}", "", "", ""))
                continue
            conv = mod if isinstance(mod, nn.Conv2d) else mod.conv
            k = conv.kernel_size
            ch: int | str = "n" if name == "conv10" else conv.out_channels
            label = "Conv" + name.removeprefix("conv")
            rows.append((section, label, f"{k[0]} x {k[1]}", ch, conv.stride[0]))
    return pd.DataFrame(rows, columns=["section", "layer", "kernel", "channels", "stride"])
