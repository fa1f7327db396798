"""The primer: its numbers on a few tiny drawn shapes and one untrained network, the prose
variants, and its figure and table saved by one call each."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import torch

from rsa_utils import rsa
from rsa_utils.figures import primer as figures
from rsa_utils.study.primer import contrast_reading, mean_rsa_with_pixels, rsa_primer

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "rsa_primer.py"


@pytest.fixture(scope="module")
def primer():
    return rsa_primer(2, 32, n_boot=20, seed=0, device="cpu", names=("resnet18", "squeezenet1_0"))


def test_contrast_reading_names_the_representations_that_separate_shapes():
    low = contrast_reading({"pixels": -0.02, "resnet18": 0.03})
    assert low.startswith("none of the representations") and "(largest: resnet18)" in low
    high = contrast_reading({"pixels": 0.7, "alexnet": 0.2, "vgg11": 0.5})
    assert high.startswith("pixels, vgg11 keep the shapes apart")


def test_the_bootstrapped_statistic_is_the_mean_rsa_with_the_pixels():
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 1, 15)
    condensed = torch.tensor(np.stack([a, a, -a]), dtype=torch.float64)
    assert mean_rsa_with_pixels(condensed) == pytest.approx(0.0)  # (1 + (-1)) / 2
    assert mean_rsa_with_pixels(condensed[:2]) == pytest.approx(1.0)


def test_the_primer_on_tiny_shapes(primer):
    names = ["pixels", "resnet18", "squeezenet1_0"]
    assert primer.values == {"n_images": 10, "n_networks": 2}
    assert list(primer.rdms) == names
    assert all(np.shape(r) == (10, 10) for r in primer.rdms.values())
    expected = rsa.similarity_matrix(list(primer.rdms.values()), names)
    pd.testing.assert_frame_equal(primer.similarity, expected)
    with_pixels = expected.loc["pixels"].drop("pixels")
    assert primer.text["pixels_best"] == with_pixels.idxmax()
    assert primer.text["pixels_mean"] == f"{with_pixels.mean():.2f}".replace("-", "−")
    assert re.fullmatch(r"\[−?\d\.\d\d, −?\d\.\d\d\]", primer.text["pixels_ci"])
    contrasts = primer.text["contrast_list"].split("; ")
    assert [c.split()[0] for c in contrasts] == names


def test_every_value_the_prose_shows_is_glued(primer):
    made = set(primer.values) | set(primer.text)
    made |= {f"{name}_data" for pair in figures.BOOK_FIGURES.values() for name in pair if name}
    shown = set(re.findall(r"\{glue(?::\w+)?\}`(\w+)`", NOTEBOOK.read_text()))
    assert shown - made == set()


def test_figure_and_table_are_saved_with_their_data(primer, out):
    figures.figure_rdms(primer)
    shown = figures.table_similarity(primer)
    assert (out / "figures" / "primer_rdms.png").is_file()
    pixels = pd.read_csv(out / "data" / "primer_rdms_pixels.csv").set_index("image")
    assert pixels.shape == (10, 10) and list(pixels.index[:2]) == ["disk 1", "disk 2"]
    table = pd.read_csv(out / "data" / "primer_table_similarity.csv").set_index("index")
    np.testing.assert_allclose(table.to_numpy(), primer.similarity.to_numpy(), rtol=1e-5)
    pd.testing.assert_frame_equal(shown, primer.similarity.round(3))
