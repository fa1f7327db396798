"""The flat name ``rsa_utils.primer``: the same module as :mod:`rsa_utils.study.primer`."""

import sys

from rsa_utils.study import primer as _module

sys.modules[__name__] = _module
