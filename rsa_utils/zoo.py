"""The flat name ``rsa_utils.zoo``: the same module as :mod:`rsa_utils.nets.zoo`."""

import sys

from rsa_utils.nets import zoo as _module

if __name__ == "__main__":  # python -m rsa_utils.zoo
    sys.exit(_module.main())
sys.modules[__name__] = _module
