"""``pingan screen`` under ``spark-submit``: the driver script a Spark cluster is given.

``spark-submit`` runs a Python *file*, not a console script, so this module is that file::

    PYSPARK_PYTHON=/srv/pingan/venv/bin/python PYSPARK_DRIVER_PYTHON=/srv/pingan/venv/bin/python \\
    spark-submit --master local[2] --conf spark.driver.memory=2g \\
        "$(python -c 'import pingan.screening.spark_submit as m; print(m.__file__)')" \\
        roster.csv --movements /data/movements --as-of 2022-11-10 --out roster.result.csv

Its arguments are ``pingan screen``'s (docs/screening.md) with ``--engine spark`` implied; the session is the
one ``spark-submit`` started (its ``--master`` and ``--conf`` hold, so ``--spark-master`` is refused here).
The job, its persons and hits are stored in pingan's database as ``pingan screen`` stores them: run it in
client deploy mode on a machine with database access (docs/screening-spark.md, "On a cluster").
"""

from __future__ import annotations

import os
import sys

# Run as a file, this module's folder comes first on sys.path, and its neighbours (the screening app's
# selectors.py) would shadow the standard library's modules of the same name: take it off.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]


def screen_argv(argv: list[str]) -> list[str]:
    """``pingan screen`` arguments for ``argv``: ``--engine spark`` unless given.

    Raises ``SystemExit`` (status 2, the message on stderr) for ``--spark-master`` or another engine:
    under ``spark-submit`` the master is ``spark-submit``'s and the engine is Spark.
    """
    for i, arg in enumerate(argv):
        if arg == "--spark-master" or arg.startswith("--spark-master="):
            print("pingan spark_submit: --spark-master is spark-submit's --master here; "
                  "give the master to spark-submit", file=sys.stderr)
            raise SystemExit(2)
        engine = arg.partition("=")[2] if arg.startswith("--engine=") else (
            argv[i + 1] if arg == "--engine" and i + 1 < len(argv) else None)
        if engine is not None and engine != "spark":
            print(f"pingan spark_submit: --engine {engine}: under spark-submit the engine is spark",
                  file=sys.stderr)
            raise SystemExit(2)
    has_engine = any(a == "--engine" or a.startswith("--engine=") for a in argv)
    return ["screen", *argv, *([] if has_engine else ["--engine", "spark"])]


def main(argv: list[str] | None = None) -> int:
    from pingan.cli import main as pingan_main

    return pingan_main(screen_argv(list(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    sys.exit(main())
