"""Results are stored a batch at a time (issue 12, item 4: a 1,048,575-row roster as a million model objects
at once ended in MemoryError); every person and hit lands on its own row across batch boundaries."""

from __future__ import annotations

import pytest
from test_jobs import risk, roster_bytes, run  # noqa: F401 - risk is a fixture

from pingan.screening import services
from pingan.screening.models import Hit, PersonResult

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("risk")]


@pytest.mark.parametrize("batch", [1, 2, 3, 5000])
def test_every_row_and_hit_is_stored_whatever_the_batch(monkeypatch, batch):
    monkeypatch.setattr(services, "STORE_BATCH", batch)
    job = run(roster_bytes())
    assert job.status == "done", job.error
    rows = dict(PersonResult.objects.filter(job=job).values_list("row", "level"))
    # row 5's ID fails its check character (screened by name: unresolved, yellow); row 6 has no name: rejected,
    # not screened, so no level
    assert rows == {2: "red", 3: "yellow", 4: "green", 5: "yellow", 6: ""}
    # each hit on the person of its row (the batches split persons and hits at the same rows)
    assert {(h.person.row, h.rule_id) for h in Hit.objects.filter(job=job, silent=False)} >= {(2, "area-high"),
                                                                                              (3, "area-medium")}
    assert all(h.person.job_id == job.pk for h in Hit.objects.filter(job=job))
