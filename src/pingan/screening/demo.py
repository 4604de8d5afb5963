"""The demo behind ``pingan demo``: reference data, the Xiamen organisation, real risk data, a synthetic
roster, one screening — everything on the embedded default, with nothing but the bundled files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from pingan.core.bootstrap import ensure_initialised
from pingan.core.demoguide import SUGGESTED_NAMES
from pingan.core.models import Premises, User
from pingan.core.reference import DemoOrg, demo_org_load
from pingan.core.services import premises_create, user_create
from pingan.screening import riskimport, services
from pingan.screening.models import RiskDataset, ScreeningJob

#: A date inside the bundled NHC lists' period when Xiamen itself had listed areas (2022-08-09..08-24).
DEMO_AS_OF = dt.date(2022, 8, 20)


@dataclass
class DemoResult:
    """What the demo did, for the summary it prints."""

    org: DemoOrg
    listings: RiskDataset
    watchlist: RiskDataset | None
    movements: RiskDataset
    premises: Premises
    job: ScreeningJob
    roster: Path
    truth: Path
    out: Path
    code: object  # pingan.codes.models.SafetyCode
    verification: object  # pingan.codes.token.Verification
    poster: Path
    #: the verification page the poster's QR links to and the poster names (``codes.services.verify_url``)
    verify_url: str = ""


#: The Chinese headings of a bureau's travel-record export, in the order the importer's columns
#: (``riskdata.movements.COLUMNS``); the importer reads them back (``movements.HEADER_ALIASES``).
BUREAU_MOVEMENT_HEADINGS = ("证件类型", "证件号码", "姓名", "行政区划代码", "地点", "开始时间", "结束时间", "数据来源")


def bureau_movements_csv(parquet: Path, out: Path) -> Path:
    """The movement records of ``parquet`` (the importer's columns) written as a Chinese bureau's CSV export
    to ``out``: Chinese headings, each source by its Chinese name (the first of
    ``movements.SOURCE_ALIASES`` for its code), times in ISO 8601 with the +08:00 offset. UTF-8 with a BOM,
    as Excel on Chinese Windows writes it. Returns ``out``."""
    import csv

    import pyarrow.parquet as pq

    from pingan.screening.riskdata.movements import COLUMNS, SOURCE_ALIASES

    chinese = {}
    for name, code in SOURCE_ALIASES.items():
        chinese.setdefault(code, name)
    table = pq.read_table(parquet, columns=list(COLUMNS))
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(BUREAU_MOVEMENT_HEADINGS)
        for batch in table.to_batches(max_chunksize=65_536):
            for r in batch.to_pylist():
                writer.writerow([r["id_type"], r["id_number"], r["name"] or "", r["adcode"], r["place"] or "",
                                 _iso(r["start"]), _iso(r["end"]), chinese.get(r["source"], r["source"])])
    return out


def _iso(value) -> str:
    from zoneinfo import ZoneInfo

    if isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(ZoneInfo("Asia/Shanghai")).isoformat()


@transaction.atomic
def _demo_premises() -> Premises:
    landlord = User.objects.filter(username="demo_landlord").first()
    if landlord is None:
        landlord = user_create(username="demo_landlord", password=None, role="landlord",
                               display_name=SUGGESTED_NAMES["landlord"])
    elif landlord.display_name in ("", "演示房东", "演示房东 (demo landlord)"):  # named so by earlier demos
        User.objects.filter(pk=landlord.pk).update(display_name=SUGGESTED_NAMES["landlord"])
    existing = Premises.objects.filter(owner=landlord).first()
    if existing is not None:
        if existing.address == "厦门市思明区莲前东路 (demo)":
            Premises.objects.filter(pk=existing.pk).update(address="厦门市思明区莲前东路")
        return existing
    # data, in the language it is written in (a name, an address): one language, never "中文 (English)"
    return premises_create(actor=landlord, name="莲前东路演示出租屋", kind="rental", address="厦门市思明区莲前东路",
                           adcode="350203010")


def _ensure(kind: str, name_prefix: str, importer) -> RiskDataset:
    ds = RiskDataset.objects.filter(kind=kind, active=True, name__startswith=name_prefix).first()
    return ds if ds is not None else importer()


def demo_run(*, people: int = 3000, as_of: dt.date = DEMO_AS_OF, seed: int = 2022,
             lang: str = "zh") -> DemoResult:
    """Run the demo end to end; idempotent set-up, a fresh synthetic roster and screening each time; the door
    poster in ``lang`` (``"zh"``/``"en"``), linking to the site's verification address."""
    from pingan.screening import synth
    from pingan.screening.riskdata import nhc

    ensure_initialised()
    org = demo_org_load()
    listings = _ensure(RiskDataset.Kind.LISTINGS, "NHC risk areas 2022 (bundled)", riskimport.import_nhc)
    watchlist = _ensure(RiskDataset.Kind.WATCHLIST, "UN SC consolidated",
                        lambda: riskimport.import_watchlist("un", None))
    work = services._data_dir("demo")
    generated = synth.generate(work, people=people, movements_per_person=3.0, listings=nhc.bundled_nhc_listings(),
                               as_of=as_of, seed=seed)
    roster = generated.files["roster_csv"]
    riskimport.add_watchlist_people(roster, watchlist)
    # the travel records as a Chinese bureau exports them (中文表头, sources named in Chinese), imported as such
    police_csv = bureau_movements_csv(generated.files["movements_parquet"], work / "行程记录.csv")
    movements = riskimport.import_movements(police_csv, name="demo synthetic movements")
    premises = _demo_premises()
    job = services.screening_job_create(actor=premises.owner, roster_name=roster.name, roster_bytes=roster.read_bytes(),
                                        premises=premises, as_of=as_of)
    services.screening_job_run(job=job)
    # the police view as the bureau's officers read it: Chinese headings and values, the stable codes last
    out = work / "roster.result.csv"
    services.screening_job_export(job=job, out=out, police_view=True, actor=None, lang="zh-hans")
    code, verification, poster, verify_url = _demo_code(premises, work, lang)
    return DemoResult(org, listings, watchlist, movements, premises, job, roster, generated.files["truth"], out,
                      code, verification, poster, verify_url)


def _demo_code(premises: Premises, work: Path, lang: str = "zh"):
    """The premises' safety code from its screening (issued when the screening finished — issuing it again would
    supersede it and tell the landlord a poster nobody printed is withdrawn), verified offline, its door poster
    written in ``lang`` with the address the site's own poster names: ``PINGAN_CODE_VERIFY_URL``, else what
    ``pingan serve`` serves (issue 11's trial: the poster named http://127.0.0.1:8000/verify/ whatever the
    site's address was)."""
    from pingan.codes import services as codes

    code = codes.safety_code_issue(premises=premises, actor=premises.owner)  # the live one: it is that screening's
    verification = codes.safety_code_verify(code.token)
    poster = work / "safety-code-poster.pdf"
    verify_url = codes.verify_url()
    poster.write_bytes(codes.code_poster(code, verify_url=verify_url, lang=lang))
    return code, verification, poster, verify_url

