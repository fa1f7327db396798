"""The flat name ``rsa_utils.task_models``: the same module as :mod:`rsa_utils.nets.task_models`."""

import sys

from rsa_utils.nets import task_models as _module

sys.modules[__name__] = _module
