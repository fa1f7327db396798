"""Image filters of the label recipes: Gaussian blur, Sobel derivatives, CIE Lab and luma (torch, batched)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of (B, C, H, W) with replicate padding (``sigma`` in px)."""
    if sigma <= 0:
        return x
    r = max(1, int(math.ceil(3 * sigma)))
    k = torch.exp(-0.5 * (torch.arange(-r, r + 1, device=x.device, dtype=x.dtype) / sigma) ** 2)
    k = k / k.sum()
    c = x.shape[1]
    x = F.conv2d(
        F.pad(x, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c
    )
    return F.conv2d(
        F.pad(x, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c
    )


def sobel(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Sobel derivatives (gx, gy) of (B, C, H, W), replicate padding, per-pixel units."""
    kx = (
        torch.tensor(
            [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], device=x.device, dtype=x.dtype
        )
        / 8
    )
    c = x.shape[1]
    xp = F.pad(x, (1, 1, 1, 1), mode="replicate")
    gx = F.conv2d(xp, kx.view(1, 1, 3, 3).expand(c, 1, 3, 3), groups=c)
    gy = F.conv2d(xp, kx.t().reshape(1, 1, 3, 3).expand(c, 1, 3, 3), groups=c)
    return gx, gy


def sobel_magnitude(x: torch.Tensor) -> torch.Tensor:
    """Gradient magnitude (B, C, H, W) of :func:`sobel`'s derivatives."""
    gx, gy = sobel(x)
    return torch.sqrt(gx * gx + gy * gy + 1e-12)


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """CIE Lab (D65) of sRGB (B, 3, H, W) in [0, 1]: L in [0, 100], a, b roughly in [-110, 110]."""
    lin = torch.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    m = torch.tensor(
        [
            [0.412453, 0.357580, 0.180423],
            [0.212671, 0.715160, 0.072169],
            [0.019334, 0.119193, 0.950227],
        ],
        device=rgb.device,
        dtype=rgb.dtype,
    )
    xyz = torch.einsum("ij,bjhw->bihw", m, lin)
    xyz = xyz / torch.tensor([0.950456, 1.0, 1.088754], device=rgb.device, dtype=rgb.dtype).view(
        1, 3, 1, 1
    )
    f = torch.where(
        xyz > (6 / 29) ** 3, xyz.clamp_min(1e-12) ** (1 / 3), xyz / (3 * (6 / 29) ** 2) + 4 / 29
    )
    L = 116 * f[:, 1] - 16
    a = 500 * (f[:, 0] - f[:, 1])
    b = 200 * (f[:, 1] - f[:, 2])
    return torch.stack([L, a, b], 1)


def gray(rgb: torch.Tensor) -> torch.Tensor:
    """Luma (B, 1, H, W) of an RGB batch."""
    return 0.299 * rgb[:, 0:1] + 0.587 * rgb[:, 1:2] + 0.114 * rgb[:, 2:3]
