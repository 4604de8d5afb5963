"""Background work of the statistics app (django-tasks): the figures cache, warmed after the rollups change.

Imports of uploaded files are leased jobs instead (kind ``stats-import``, ``pingan worker``:
``stats.services.import_execute``), so that an import whose worker dies is taken up again.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from pingan.core import audit


@task()
@audit.as_task("stats-figures-warm", _("the precomputation of statistics figures"))
def figures_warm_task() -> int:
    """Cache every unit's CompStat figures after the rollups changed (``selectors.figures_warm``)."""
    from pingan.stats import selectors

    return selectors.figures_warm()
