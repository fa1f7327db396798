"""The flat name ``rsa_utils.models``: the same module as :mod:`rsa_utils.nets.models`."""

import sys

from rsa_utils.nets import models as _module

sys.modules[__name__] = _module
