"""Risk-data import services: parse with :mod:`pingan.screening.riskdata`, keep as Parquet, record.

Each importer returns the :class:`~pingan.screening.models.RiskDataset` it created. Rows that fail
validation are kept with their reasons (``RiskDataset.rejections_path``), never dropped.
"""

from __future__ import annotations

import json
import uuid
from importlib import resources
from pathlib import Path

import duckdb

from pingan.core.errors import DomainError
from pingan.core.models import User
from pingan.screening.models import RiskDataset
from pingan.screening.services import _data_dir, risk_dataset_store


def import_nhc(source: Path | None = None, *, actor: User | None = None) -> RiskDataset:
    """Import NHC risk-area listings from a snapshot directory, or the bundled 2022 listings (``None``).

    Raises ``DomainError`` when the directory holds no usable snapshot.
    """
    from pingan.screening.riskdata import nhc

    try:
        table = nhc.bundled_nhc_listings() if source is None else nhc.nhc_listings(source)
    except nhc.NHCFormatError as exc:
        raise DomainError(f"{source}: {exc}", code="bad_nhc_data") from None
    raw_meta = (table.schema.metadata or {}).get(b"pingan.nhc")
    meta = json.loads(raw_meta) if raw_meta else {}
    summary = {"resolution": {k: round(v, 4) for k, v in nhc.resolution_shares(table).items()},
               "snapshots": len(meta.get("read", meta.get("snapshots", []))) or meta.get("snapshots_read", "")}
    name = "NHC risk areas 2022 (bundled)" if source is None else f"NHC risk areas ({Path(source).name})"
    return risk_dataset_store(kind=RiskDataset.Kind.LISTINGS, name=name, source=str(source or "bundled"),
                              table=table, actor=actor, meta=summary)


def import_movements(source: Path, *, name: str = "", actor: User | None = None) -> RiskDataset:
    """Import movement records (CSV or Parquet). Invalid rows are rejected with file, row, column, reason.

    Large files are validated and rewritten by DuckDB without holding them in Python objects.
    """
    from pingan.screening.riskdata import movements as mv

    tmp = _data_dir("risk") / f"importing-{uuid.uuid4().hex}.parquet"
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        try:
            view = mv.movements_relation(con, source)
        except mv.MovementFormatError as exc:
            raise DomainError(str(exc), code="bad_movements") from None
        # view names are ours, not user input
        rejections = mv.shown_rejections(  # a message quoting a value: no control character acts on a terminal
            con.sql(f'SELECT * FROM {view}_rejections ORDER BY "row", "column"').to_arrow_table())  # noqa: S608
        # records kept without a control character they held: accepted with a warning (counted, not rejected)
        warned = con.sql(f'SELECT count(DISTINCT "row") FROM {view}_warnings').fetchall()[0][0]  # noqa: S608
        con.execute(f"COPY (SELECT * FROM {view} ORDER BY record_id) TO '{tmp}' "  # noqa: S608
                    "(FORMAT parquet, COMPRESSION zstd)")
        valid = con.sql(f"SELECT count(*) FROM read_parquet('{tmp}')").fetchall()[0][0]  # noqa: S608
    finally:
        con.close()
    if valid == 0:
        tmp.unlink(missing_ok=True)
        shown = "; ".join(f"row {r['row']}: {r['message']}" for r in rejections.to_pylist()[:3])
        raise DomainError(f"{source}: no valid movement record to import"
                          + (f" ({len(set(rejections.column('row').to_pylist()))} rows rejected: {shown} …)"
                             if rejections.num_rows else " (the file has no data rows)"), code="no_valid_rows")
    return risk_dataset_store(kind=RiskDataset.Kind.MOVEMENTS, name=name or Path(source).name, source=str(source),
                              written=tmp, rejections=rejections, actor=actor,
                              meta={"accepted_with_warning": warned} if warned else None)


def import_watchlist(fmt: str, source: Path | None = None, *, actor: User | None = None) -> RiskDataset:
    """Import a watchlist: ``un`` (UN SC consolidated XML; ``None`` = the bundled list), ``ofac`` (an OFAC
    SDN legacy CSV directory) or ``csv`` (pingan's watchlist CSV, see docs/risk-data.md).

    Raises ``DomainError`` for an unreadable file; rejected rows and entries are kept with their reasons.
    """
    from pingan.screening.riskdata import watchlists as wl

    rejections = None
    try:
        if fmt == "un":
            if source is None:
                with resources.as_file(resources.files("pingan.data.watchlists").joinpath(BUNDLED_UN)) as p:
                    table, rejections = wl.read_un_consolidated(p)
                name = "UN SC consolidated list (bundled, 2026-02-27)"
            else:
                table, rejections = wl.read_un_consolidated(source)
                name = f"UN SC consolidated list ({source.name})"
        elif fmt == "ofac":
            if source is None:
                raise DomainError("give the OFAC SDN directory (sdn.csv, add.csv, alt.csv)", code="missing_source")
            table, rejections = wl.read_ofac_sdn(source)
            name = f"OFAC SDN ({source.name})"
        elif fmt == "csv":
            if source is None:
                raise DomainError("give the watchlist CSV file", code="missing_source")
            table, rejections = wl.read_watchlist_csv(source)
            name = f"watchlist {source.name}"
        else:
            raise DomainError(f"unknown watchlist format {fmt!r}: use un, ofac or csv", code="bad_format")
    except wl.WatchlistFormatError as exc:
        raise DomainError(str(exc), code="bad_watchlist") from None
    raw = (table.schema.metadata or {}).get(b"pingan.watchlist")
    meta = {"summary": json.loads(raw)} if raw else {}
    return risk_dataset_store(kind=RiskDataset.Kind.WATCHLIST, name=name, source=str(source or "bundled"),
                              table=table, rejections=rejections, actor=actor, meta=meta)


BUNDLED_UN = "UN_consolidated.xml.gz"


def add_watchlist_people(roster_csv: Path, watchlist: RiskDataset, *, count: int = 2) -> list[dict]:
    """Append ``count`` rows for people on ``watchlist`` (by passport number and name) to a demo roster CSV.

    For the demo only: it shows that a watchlist hit is silent — police see it, the submitter does not.
    Returns the entries used. Only entries with a passport number are taken.
    """
    import csv

    import pyarrow.parquet as pq

    used = []
    for entry in pq.read_table(watchlist.path).to_pylist():
        docs = [d for d in entry.get("documents") or [] if d.get("number") and "passport" in
                (d.get("doc_type") or "").lower()]
        if docs:
            used.append({"name": entry["primary_name"], "number": docs[0]["number"], "entry_id": entry["entry_id"]})
        if len(used) == count:
            break
    with open(roster_csv, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    with open(roster_csv, "a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for u in used:
            row = dict.fromkeys(header, "")
            row.update({"姓名": u["name"], "证件类型": "护照", "证件号码": u["number"]})
            writer.writerow([row[h] for h in header])
    return used
