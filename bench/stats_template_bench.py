"""The CompStat page's template alone: how much CPU rendering ``stats/partials/compstat.html`` costs for a
city (many sub-units), a district and a station, apart from the figures (computed once, before timing).

Run against a database the statistics benchmark loaded (``bench/stats_bench.py``; any size will do, the
template's work depends on the units and categories, not on the incidents):

    PINGAN_BENCH_DATABASE_URL=postgres://…/pingan_statsbench .venv/bin/python bench/stats_template_bench.py

Prints, per unit, the rows and sub-units rendered, the HTML size and the CPU milliseconds per render
(``time.process_time``, the median of ``--renders``), with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from stats_bench import ROOT, setup_django


def context(present, page) -> dict:
    """The template's context as the view builds it (``present.compstat_context``; before it existed, the
    view's own lines, so that the same script measures the version before the cheaper template)."""
    if hasattr(present, "compstat_context"):
        return present.compstat_context(page, can_watch=True)
    head_key, trend = present.trend(page)
    return {"p": page, "rows": present.rows(page), "windows": present.windows(page), "trend": trend,
            "trend_category": page.scheme.category(head_key), "week": present.week_label(page.as_of),
            "query": f"as_of={page.as_of.isoformat()}&scheme={page.scheme.id}", "can_watch": True}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--renders", type=int, default=30)
    ap.add_argument("--as-of", default="2024-12-31")
    ap.add_argument("--scheme", default="ucr_part1")
    args = ap.parse_args()
    setup_django(os.environ.get("PINGAN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pingan_statsbench"),
                 tempfile.mkdtemp(prefix="pingan-tplbench-"))
    import datetime as dt

    from django.template.loader import render_to_string
    from django.utils import translation

    from pingan.core.models import OrgUnit, User
    from pingan.core.services import user_create
    from pingan.stats import present, selectors

    root = OrgUnit.objects.get(code=ROOT)
    actor = User.objects.filter(username="bench-analyst").first() or user_create(
        username="bench-analyst", password=None, role="analyst", unit=root)
    district = OrgUnit.objects.filter(parent=root).order_by("code").first()
    station = OrgUnit.objects.filter(parent=district).order_by("code").first()
    translation.activate("zh-hans")
    print(f"load average {os.getloadavg()}")
    for unit in (root, district, station):
        page = selectors.compstat_for_unit(actor=actor, code=unit.code, as_of=dt.date.fromisoformat(args.as_of),
                                           scheme_id=args.scheme)
        html = render_to_string("stats/partials/compstat.html", context(present, page))  # warm: compiled
        cpu = []
        for _ in range(args.renders):  # the page's presentation work: the context built, then rendered
            c = time.process_time()
            ctx = context(present, page)
            html = render_to_string("stats/partials/compstat.html", ctx)
            cpu.append((time.process_time() - c) * 1000)
        print(f"{unit.kind:8} {unit.code:18} rows {len(page.compstat.rows):3} sub-units {len(page.children):3} "
              f"html {len(html) / 1024:6.1f} KiB  render CPU median {statistics.median(cpu):6.1f} ms "
              f"(min {min(cpu):.1f}, max {max(cpu):.1f})")
    print(f"load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
