"""The flat name ``rsa_utils.parallel``: the same module as :mod:`rsa_utils.nets.parallel`."""

import sys

from rsa_utils.nets import parallel as _module

sys.modules[__name__] = _module
