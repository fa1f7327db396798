"""The flat name ``rsa_utils.losses``: the same module as :mod:`rsa_utils.nets.losses`."""

import sys

from rsa_utils.nets import losses as _module

sys.modules[__name__] = _module
