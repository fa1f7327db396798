"""The flat name ``rsa_utils.scenes``: the same module as :mod:`rsa_utils.world.scenes`."""

import sys

from rsa_utils.world import scenes as _module

sys.modules[__name__] = _module
