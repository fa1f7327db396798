"""The flat name ``rsa_utils.tasks``: the same module as :mod:`rsa_utils.world.tasks`."""

import sys

from rsa_utils.world import tasks as _module

sys.modules[__name__] = _module
