"""The flat name ``rsa_utils.profiles``: the same module as :mod:`rsa_utils.study.profiles`."""

import sys

from rsa_utils.study import profiles as _module

sys.modules[__name__] = _module
