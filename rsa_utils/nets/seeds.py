"""Seeds of the study's networks: one per network (role, task, architecture, replicate), one generator per step.

Every network draws its initial weights from its own seed (:func:`network_seed`), and every
training step draws its batch indices, input noise and metric-loss pixel pairs from its own
``torch.Generator`` (:func:`step_generator`), so no RNG state has to be saved to resume a run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import torch


def network_seed(seed: int, role: str, *parts: Any) -> int:
    """The seed of one network of the study: a 63-bit hash of the study ``seed``, the network's
    ``role`` ("task", "target", "readout", "finetune") and what identifies it within the role
    (task, architecture, replicate; source and target for a readout). Distinct networks get
    unrelated seeds; the same arguments always give the same one."""
    blob = json.dumps([int(seed), str(role), *map(str, parts)]).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "little") >> 1


def seeded(seed: int, build: Callable[[], Any]) -> Any:
    """``build()`` under ``torch.manual_seed(seed)`` in a forked RNG (the global RNG is untouched)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def step_generator(seed: int, step: int) -> torch.Generator:
    """The CPU generator of one training step (batch indices, input noise, metric pairs)."""
    return torch.Generator().manual_seed((seed * 1_000_003 + step * 7919 + 12345) % (2**63 - 1))
