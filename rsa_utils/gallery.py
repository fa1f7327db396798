"""The flat name ``rsa_utils.gallery``: the same module as :mod:`rsa_utils.figures.gallery`."""

import sys

from rsa_utils.figures import gallery as _module

sys.modules[__name__] = _module
