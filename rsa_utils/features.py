"""The flat name ``rsa_utils.features``: the same module as :mod:`rsa_utils.rsa.features`."""

import sys

from rsa_utils.rsa import features as _module

sys.modules[__name__] = _module
