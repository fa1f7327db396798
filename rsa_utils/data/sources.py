"""Where the images come from: the data kinds of both domains and the cache folder."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rsa_utils.paths import REPO_ROOT

DATA_KINDS: tuple[str, ...] = ("synthetic", "taskonomy")
TARGET_DATA_KINDS: tuple[str, ...] = ("synthetic", "voc")


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> Any:
    """``value`` if it is one of ``allowed``, else ``ValueError`` naming the parameter and the choices."""
    if value not in allowed:
        raise ValueError(
            f"parameter {name}={value!r} is not allowed; allowed values: {', '.join(map(repr, allowed))}"
        )
    return value


def default_cache_dir() -> Path:
    """``$RSA_CACHE_DIR`` if set, else ``.cache/`` at the repository root."""
    return Path(os.environ.get("RSA_CACHE_DIR") or REPO_ROOT / ".cache")


@dataclass(frozen=True)
class DataSources:
    """Where the images come from: the synthetic world (default), or a Taskonomy folder
    (``data="taskonomy"``) and Pascal VOC (``target_data="voc"``). Task networks, transfer
    readouts, the target-task model and fine-tuning all train on these, and the zoo keys say
    which (a real folder by its resolved path)."""

    data: str = "synthetic"
    data_root: Path | None = None
    target_data: str = "synthetic"
    target_root: Path | None = None

    def source_key(self) -> dict[str, str]:
        """Zoo-key fields of the source data (just ``data`` for the synthetic world)."""
        return _data_key(self.data, self.data_root)

    def target_key(self) -> dict[str, str]:
        return _data_key(self.target_data, self.target_root)

    def source_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`rsa_utils.datasets.source_data`."""
        return {"data": self.data, "data_root": self.data_root}

    def target_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`rsa_utils.datasets.target_data`."""
        return {"target_data": self.target_data, "target_root": self.target_root}


def _data_key(kind: str, root: Path | None) -> dict[str, str]:
    if kind == "synthetic" or root is None:
        return {"data": kind}
    return {"data": kind, "data_root": str(Path(root).resolve())}


#: The synthetic world for both domains (the default everywhere).
SYNTHETIC = DataSources()
