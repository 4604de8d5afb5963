"""Files holding ID numbers are readable by the service account only (issue 12, item 14: roster and result
files were 0644), whatever the umask: files 0600, their folders in the data directory 0700."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from test_jobs import risk, roster_bytes, run  # noqa: F401 - risk is a fixture

pytestmark = pytest.mark.django_db


def mode(p) -> int:
    return stat.S_IMODE(os.stat(p).st_mode)


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("risk", "loose_umask")
def test_rosters_results_and_risk_data_are_private(settings):
    job = run(roster_bytes())
    assert job.status == "done", job.error
    files = [Path(job.roster_path), *Path(job.result_dir).iterdir()]
    from pingan.screening.models import RiskDataset

    files += [Path(d.path) for d in RiskDataset.objects.all()]
    files += [Path(d.rejections_path) for d in RiskDataset.objects.exclude(rejections_path="")]
    assert len(files) >= 5
    assert {str(f): oct(mode(f)) for f in files} == {str(f): oct(0o600) for f in files}
    data = Path(settings.DATA_DIR)
    for folder in ("rosters", "results", "risk", Path("results") / f"job-{job.pk}"):
        assert mode(data / folder) == 0o700, folder


@pytest.mark.usefixtures("risk", "loose_umask")
def test_a_folder_made_readable_by_others_is_closed_again(settings):
    folder = Path(settings.DATA_DIR) / "rosters"
    folder.mkdir(exist_ok=True)
    folder.chmod(0o755)
    run(roster_bytes())
    assert mode(folder) == 0o700
