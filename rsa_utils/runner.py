"""The flat name ``rsa_utils.runner``: the same module as :mod:`rsa_utils.study.runner`."""

import sys

from rsa_utils.study import runner as _module

if __name__ == "__main__":  # python -m rsa_utils.runner
    sys.exit(_module.main())
sys.modules[__name__] = _module
