"""The flat name ``rsa_utils.datasets``: the same module as :mod:`rsa_utils.data.datasets`."""

import sys

from rsa_utils.data import datasets as _module

sys.modules[__name__] = _module
