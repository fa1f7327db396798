"""The flat name ``rsa_utils.labels``: the same module as :mod:`rsa_utils.world.labels`."""

import sys

from rsa_utils.world import labels as _module

sys.modules[__name__] = _module
