"""The flat name ``rsa_utils.taxonomy``: the same module as :mod:`rsa_utils.rsa.taxonomy`."""

import sys

from rsa_utils.rsa import taxonomy as _module

sys.modules[__name__] = _module
