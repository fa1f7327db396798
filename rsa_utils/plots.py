"""The flat name ``rsa_utils.plots``: the same module as :mod:`rsa_utils.figures.plots`."""

import sys

from rsa_utils.figures import plots as _module

sys.modules[__name__] = _module
