"""The flat name ``rsa_utils.task_models``: the same module as :mod:`rsa_utils.study.task_models`."""

import sys

from rsa_utils.study import task_models as _module

sys.modules[__name__] = _module
