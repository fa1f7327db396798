"""The flat name ``rsa_utils.transfer``: the same module as :mod:`rsa_utils.nets.transfer`."""

import sys

from rsa_utils.nets import transfer as _module

sys.modules[__name__] = _module
