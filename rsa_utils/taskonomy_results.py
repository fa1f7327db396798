"""The flat name ``rsa_utils.taskonomy_results``: the same module as :mod:`rsa_utils.study.taskonomy_results`."""

import sys

from rsa_utils.study import taskonomy_results as _module

sys.modules[__name__] = _module
