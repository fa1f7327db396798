"""The flat name ``rsa_utils.report``: the same module as :mod:`rsa_utils.study.report`."""

import sys

from rsa_utils.study import report as _module

sys.modules[__name__] = _module
