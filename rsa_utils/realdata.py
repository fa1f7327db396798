"""The flat name ``rsa_utils.realdata``: the same module as :mod:`rsa_utils.data.realdata`."""

import sys

from rsa_utils.data import realdata as _module

sys.modules[__name__] = _module
