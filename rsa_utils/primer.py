"""A first look at RSA on something small and real: torchvision architectures on drawn shapes.

Used by the book's primer chapter: images are drawn in code (scikit-image), features are the
global-average-pooled last convolutional stage of randomly initialised torchvision networks.
"""

from __future__ import annotations

import numpy as np
import torch
import torchvision
from skimage import draw

SHAPES = ("disk", "square", "triangle", "ring", "bar")
ARCHITECTURES = ("resnet18", "alexnet", "vgg11", "mobilenet_v2", "squeezenet1_0")


def draw_shapes(
    n_per_shape: int = 12, size: int = 64, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Images of coloured shapes on textured backgrounds.

    Returns images (n, 3, size, size) float32 in [0, 1] and shape labels (n,) int, grouped by
    shape (n = n_per_shape × len(SHAPES)).
    """
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for k, shape in enumerate(SHAPES):
        for _ in range(n_per_shape):
            img = np.ones((size, size, 3)) * rng.uniform(0.2, 0.8, 3)
            img += rng.normal(0, 0.03, img.shape)
            c = rng.uniform(0.3, 0.7, 2) * size
            r = rng.uniform(0.15, 0.3) * size
            if shape == "disk":
                rr, cc = draw.disk(c, r, shape=img.shape[:2])
            elif shape == "square":
                rr, cc = draw.rectangle(c - r, c + r, shape=img.shape[:2])
            elif shape == "triangle":
                rr, cc = draw.polygon(
                    [c[0] - r, c[0] + r, c[0] + r], [c[1], c[1] - r, c[1] + r], img.shape[:2]
                )
            elif shape == "ring":
                rr, cc = draw.disk(c, r, shape=img.shape[:2])
                inner = (rr - c[0]) ** 2 + (cc - c[1]) ** 2 > (0.6 * r) ** 2
                rr, cc = rr[inner], cc[inner]
            else:
                rr, cc = draw.rectangle(
                    (c[0] - r / 4, c[1] - r), (c[0] + r / 4, c[1] + r), shape=img.shape[:2]
                )
            img[rr.astype(int), cc.astype(int)] = rng.uniform(0, 1, 3)
            images.append(np.clip(img, 0, 1).transpose(2, 0, 1))
            labels.append(k)
    return np.stack(images).astype(np.float32), np.array(labels)


@torch.no_grad()
def architecture_features(
    images: np.ndarray, names=ARCHITECTURES, seed: int = 0
) -> dict[str, np.ndarray]:
    """Pooled last-stage features (n, c) of each randomly initialised torchvision network.

    ``pixels`` (the raw images flattened) is included as a reference representation.
    """
    x = torch.as_tensor(images)
    x = (x - x.mean(dim=(0, 2, 3), keepdim=True)) / x.std(dim=(0, 2, 3), keepdim=True)
    feats = {"pixels": images.reshape(len(images), -1)}
    for name in names:
        torch.manual_seed(seed)
        net = getattr(torchvision.models, name)(weights=None).eval()
        body = (
            net.features
            if hasattr(net, "features")
            else torch.nn.Sequential(*list(net.children())[:-2])
        )
        feats[name] = body(x).mean(dim=(2, 3)).numpy()
    return feats
