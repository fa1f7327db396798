import os
import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/cdp.py

if os.environ.get("PYTEST_XDIST_WORKER"):  # `make test`: the cores are shared among the workers
    _workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // _workers))


@pytest.fixture
def out(tmp_path, monkeypatch):
    """Figures and data of :mod:`rsa_utils.report` go to a temporary folder (as outside the
    runner, with ``$RSA_OUTPUT_DIR``)."""
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path))
    return tmp_path
