"""The flat name ``rsa_utils.target_task``: the same module as :mod:`rsa_utils.study.target_task`."""

import sys

from rsa_utils.study import target_task as _module

sys.modules[__name__] = _module
