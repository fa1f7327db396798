"""The flat name ``rsa_utils.train``: the same module as :mod:`rsa_utils.nets.train`."""

import sys

from rsa_utils.nets import train as _module

sys.modules[__name__] = _module
