import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/cdp.py


@pytest.fixture
def out(tmp_path, monkeypatch):
    """Figures and data of :mod:`rsa_utils.report` go to a temporary folder (as outside the
    runner, with ``$RSA_OUTPUT_DIR``)."""
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path))
    return tmp_path
