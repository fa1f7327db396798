"""Where figures and data go: beside the executed notebook, never over the committed edition."""

import os
import subprocess
import sys

import nbformat
import pytest

from rsa_utils import report


def test_output_dir_rules(monkeypatch, tmp_path):
    monkeypatch.delenv("RSA_BOOK_DIR", raising=False)
    monkeypatch.delenv("RSA_OUTPUT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert report.output_dir() == tmp_path.resolve()  # papermill's CLI: the working directory
    monkeypatch.chdir(report.BOOK_DIR)
    assert report.output_dir() == report.RERUN_DIR  # never the committed edition
    monkeypatch.chdir(report.BOOK_DIR / "figures")
    assert report.output_dir() == report.RERUN_DIR
    monkeypatch.setenv("RSA_OUTPUT_DIR", str(tmp_path / "elsewhere"))
    assert report.output_dir() == (tmp_path / "elsewhere").resolve()
    monkeypatch.setenv("RSA_BOOK_DIR", str(tmp_path / "run"))  # the runner decides
    assert report.output_dir() == tmp_path / "run"
    assert report.book_dir() == tmp_path / "run"
    monkeypatch.delenv("RSA_BOOK_DIR")
    assert report.book_dir() == report.BOOK_DIR  # the scorecard reads the edition


def test_papermill_cli_writes_beside_its_output(tmp_path):
    """``papermill in.ipynb out.ipynb`` run outside the runner: the figure and the data land in
    the working directory, and the committed edition's files are untouched."""
    pytest.importorskip("papermill")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("name = 's3_3_fig_s8'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
            "import pandas as pd\nfrom rsa_utils import report\n"
            "fig, ax = plt.subplots(); ax.plot([0, 1])\n"
            "print(report.save_figure(fig, name), report.save_data(pd.DataFrame({'x': [1]}), name))"
        ),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "in.ipynb")
    committed = report.BOOK_DIR / "figures" / "s3_3_fig_s8.png"
    before = committed.stat().st_mtime_ns if committed.exists() else None
    env = {k: v for k, v in os.environ.items() if k not in ("RSA_BOOK_DIR", "RSA_OUTPUT_DIR")}
    subprocess.run(
        [sys.executable, "-m", "papermill", "in.ipynb", "out.ipynb", "-p", "name", "s3_3_fig_s8",
         "--kernel", "python3"],
        cwd=tmp_path, env=env, check=True, capture_output=True,
    )  # fmt: skip
    assert (tmp_path / "figures" / "s3_3_fig_s8.png").exists()
    assert (tmp_path / "data" / "s3_3_fig_s8.csv").exists()
    after = committed.stat().st_mtime_ns if committed.exists() else None
    assert after == before


@pytest.mark.slow
def test_readme_papermill_command_on_the_committed_edition(tmp_path):
    """README's ``papermill book/s3_3_num_images.ipynb out.ipynb -p profile smoke`` runs on the
    committed notebook (its own small networks, in a temporary cache) and writes beside it."""
    pytest.importorskip("papermill")
    committed = report.BOOK_DIR / "figures" / "s3_3_fig_s8.png"
    before = committed.read_bytes()
    env = {k: v for k, v in os.environ.items() if k not in ("RSA_BOOK_DIR", "RSA_OUTPUT_DIR")}
    env["RSA_CACHE_DIR"] = str(tmp_path / "cache")
    nb = report.BOOK_DIR / "s3_3_num_images.ipynb"
    subprocess.run([sys.executable, "-m", "papermill", str(nb), "out.ipynb", "-p", "profile", "smoke"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)  # fmt: skip
    assert (tmp_path / "figures" / "s3_3_fig_s8.png").exists()
    assert (tmp_path / "data" / "s3_3_fig_s8.csv").exists()
    assert committed.read_bytes() == before
