"""The flat name ``rsa_utils.consistency``: the same module as :mod:`rsa_utils.rsa.consistency`."""

import sys

from rsa_utils.rsa import consistency as _module

sys.modules[__name__] = _module
