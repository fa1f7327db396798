"""Procedural textures by integer hashing, identical on the CPU and CUDA."""

from __future__ import annotations

import torch

from rsa_utils.world.scene_parts import (
    CHECKER,
    NOISE,
    STRIPES,
)


# ---------------------------------------------------------------------------------------------
# procedural textures (integer hashing, identical on CPU and CUDA)
# ---------------------------------------------------------------------------------------------
def _hash01(ix: torch.Tensor, iy: torch.Tensor, salt: torch.Tensor) -> torch.Tensor:
    m = 0x7FFFFFFF
    h = ((ix & 0xFFFF) * 73856093) & m
    h = h ^ (((iy & 0xFFFF) * 19349663) & m)
    h = h ^ (((salt & 0xFFFF) * 83492791) & m)
    h = ((h ^ (h >> 13)) * 1274126177) & m
    h = h ^ (h >> 16)
    return (h & 0xFFFF).float() / 65535.0


def value_noise(u: torch.Tensor, v: torch.Tensor, salt: torch.Tensor) -> torch.Tensor:
    """Smooth value noise in [0, 1] at continuous coordinates (u, v); ``salt`` picks the pattern."""
    fu, fv = torch.floor(u), torch.floor(v)
    iu, iv = fu.long(), fv.long()
    su, sv = u - fu, v - fv
    su, sv = su * su * (3 - 2 * su), sv * sv * (3 - 2 * sv)
    n00, n10 = _hash01(iu, iv, salt), _hash01(iu + 1, iv, salt)
    n01, n11 = _hash01(iu, iv + 1, salt), _hash01(iu + 1, iv + 1, salt)
    return (n00 * (1 - su) + n10 * su) * (1 - sv) + (n01 * (1 - su) + n11 * su) * sv


def _texture(u, v, params, salt):
    """Texture colour (…, 3) from surface coordinates and rows (kind, freq, colour a, colour b)."""
    kind, freq = params[..., 0], params[..., 1]
    ca, cb = params[..., 2:5], params[..., 5:8]
    uu, vv = u * freq, v * freq
    checker = ((torch.floor(uu) + torch.floor(vv)) % 2).abs()
    stripes = (torch.floor(uu * 2) % 2).abs()
    n1 = value_noise(uu * 2, vv * 2, salt)
    noise = 0.6 * n1 + 0.4 * value_noise(uu * 6 + 17, vv * 6, salt + 7)
    plain = 0.15 * n1
    k = kind.round().long()
    m = torch.where(
        k == CHECKER,
        checker,
        torch.where(k == STRIPES, stripes, torch.where(k == NOISE, noise, plain)),
    )
    return ca + (cb - ca) * m[..., None]
