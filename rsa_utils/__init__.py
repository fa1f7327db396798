"""rsa_utils: the shared library of the reproducible book of Dwivedi & Roig (CVPR 2019),
*Representation Similarity Analysis for Efficient Task Taxonomy & Transfer Learning*.

Sub-packages, lowest layer first (a module imports from its own layer and those below only,
``tests/test_imports.py``): ``rsa`` (RSA itself), ``world`` (the synthetic world), ``data``
(images and labels of both domains), ``nets`` (networks, training, the zoo), then ``figures``
and ``study`` (the book's figures and machinery). The flat names (``rsa_utils.zoo``, ...) are
the same modules.
"""

import os
import warnings

# OpenMP threads that spin while waiting make torch on a busy CPU hundreds of times slower
# (measured: one ResNet step 7.4 s instead of 0.1 s). Passive waiting costs nothing when the
# machine is idle. Takes effect when rsa_utils is imported before torch.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# In a notebook kernel without ipywidgets, tqdm.auto warns "IProgress not found" (with a path of
# this machine) and falls back to text bars; the text bars are what the book wants.
warnings.filterwarnings("ignore", message="IProgress not found")
