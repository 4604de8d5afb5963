"""``python -m pingan``: the ``pingan`` command (:mod:`pingan.cli`), for a shell without the entry point on its
path (issue 11's trial: "No module named pingan.__main__")."""

import sys

from pingan.cli import main

sys.exit(main())
