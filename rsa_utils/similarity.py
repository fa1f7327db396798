"""The flat name ``rsa_utils.similarity``: the same module as :mod:`rsa_utils.rsa.similarity`."""

import sys

from rsa_utils.rsa import similarity as _module

sys.modules[__name__] = _module
