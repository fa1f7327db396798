"""The flat name ``rsa_utils.zoo``: the same module as :mod:`rsa_utils.nets.zoo`; run, the zoo's command line."""

import sys

from rsa_utils.nets import zoo as _module

if __name__ == "__main__":  # python -m rsa_utils.zoo (rsa_utils.study.zoo_cli)
    from rsa_utils.study.zoo_cli import main

    sys.exit(main())
sys.modules[__name__] = _module
