"""``pingan risk import movements``: a record whose text holds a control or text-direction character is imported
without it and reported as accepted with a warning, not rejected (the review: a record dropped is an exposure
never found — the same gap as the UN and OFAC entries)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

pytestmark = pytest.mark.django_db

HEADER = "id_type,id_number,name,adcode,place,start,end,source\n"
TIMES = "2022-08-10T08:30:00+08:00,2022-08-10T12:00:00+08:00,rail_ticket"


def test_the_import_keeps_the_record_and_reports_it_accepted_with_a_warning(tmp_path, settings):
    import pyarrow.parquet as pq

    from pingan.screening.models import RiskDataset

    settings.PINGAN = {**settings.PINGAN, "REEVALUATE_AFTER_IMPORT": False}
    path = tmp_path / "m.csv"
    path.write_text(HEADER + f"居民身份证,11010119900307853\u202eX,李四,350203,厦门站,{TIMES}\n"
                    f"居民身份证,110101199003078515,张三,350203,厦门站,{TIMES}\n", encoding="utf-8")
    out = StringIO()
    with translation.override("en"):
        call_command("risk", "import", "movements", str(path), stdout=out)
    ds = RiskDataset.objects.get(kind="movements")
    assert (ds.rows, ds.rejected_rows, ds.meta["accepted_with_warning"]) == (2, 0, 1)
    assert "accepted 1 entry with a warning" in out.getvalue() and "rejected" not in out.getvalue()
    assert "11010119900307853X" in pq.read_table(ds.path).column("id_number").to_pylist()  # matched as listed
