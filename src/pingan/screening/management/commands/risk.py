"""``pingan risk import nhc|movements|watchlist …``, ``pingan risk list`` and ``pingan risk partition SOURCE…
OUT``: manage the risk data."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from pingan.core.command import PinganCommand
from pingan.core.errors import DomainError
from pingan.screening import riskimport
from pingan.screening.models import RiskDataset


class Command(PinganCommand):
    help = "Import risk data (risk-area listings, movement records, watchlists) or list what is imported."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a dataset")
        kinds = imp.add_subparsers(dest="kind", required=True)
        nhc = kinds.add_parser("nhc", help="NHC high/medium/low-risk area lists (a directory of JSON snapshots)")
        nhc.add_argument("source", nargs="?", default="",
                         help="directory of snapshots (*.json or *.json.gz); default: the bundled 2022 listings")
        mv = kinds.add_parser("movements", help="movement records: CSV or Parquet "
                              "(id_type,id_number,name,adcode,place,start,end,source)")
        mv.add_argument("source")
        mv.add_argument("--name", default="", help="dataset name (default: the file name)")
        wl = kinds.add_parser("watchlist", help="a watchlist: un (UN SC consolidated XML), ofac (SDN CSV "
                              "directory) or csv (pingan's watchlist CSV)")
        wl.add_argument("format", choices=["un", "ofac", "csv"])
        wl.add_argument("source", nargs="?", default="", help="file or directory; `un` defaults to the bundled list")
        sub.add_parser("list", help="list the imported datasets")
        part = sub.add_parser("partition", help="write movement Parquet files as a directory of partitions "
                              "province_code=PP/start_date=YYYY-MM-DD that the engines prune "
                              "(docs/screening-spark.md)")
        part.add_argument("source", nargs="+", help="movement Parquet file(s)")
        part.add_argument("out", help="the new directory")
        re = sub.add_parser("reevaluate", help="re-evaluate the latest screenings a dataset can affect (what the "
                                               "task after each import does)")
        re.add_argument("dataset_id", type=int, help="the dataset's id (pingan risk list)")

    def handle(self, *args, **opts):
        if opts["action"] == "reevaluate":
            from pingan.screening import reevaluate

            ds = RiskDataset.objects.filter(pk=opts["dataset_id"]).first()
            if ds is None:
                raise CommandError(f"no dataset {opts['dataset_id']}")
            self.stdout.write(reevaluation_summary(reevaluate.reevaluate(dataset=ds)))
            return
        if opts["action"] == "list":
            for ds in RiskDataset.objects.order_by("kind", "-imported_at"):
                state = "active" if ds.active else "superseded"
                self.stdout.write(f"{ds.pk}\t{ds.kind}\t{ds.name}\t{ds.rows} rows\t{ds.rejected_rows} rejected\t"
                                  f"{state}\t{ds.imported_at:%Y-%m-%d %H:%M}\t{ds.source}")
            return
        if opts["action"] == "partition":
            from pingan.screening.batch import ScreeningInputError, partition_movements

            try:
                out = partition_movements(opts["source"], opts["out"])
            except ScreeningInputError as exc:
                raise CommandError(str(exc)) from None
            parts = sum(1 for _ in out.rglob("*.parquet"))
            self.stdout.write(f"wrote {parts} partition files to {out}")
            return
        kind, source = opts["kind"], opts["source"]
        if source and not Path(source).exists():
            raise CommandError(f"{source}: no such file or directory")
        try:
            if kind == "nhc":
                ds = riskimport.import_nhc(Path(source) if source else None)
            elif kind == "movements":
                ds = riskimport.import_movements(Path(source), name=opts["name"])
            else:
                ds = riskimport.import_watchlist(opts["format"], Path(source) if source else None)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"imported {ds.name}: {ds.rows} rows into dataset {ds.pk} ({ds.get_kind_display()})")
        if ds.rejected_rows:
            import pyarrow.parquet as pq

            self.stdout.write(f"rejected {ds.rejected_rows} rows; all reasons are in {ds.rejections_path}")
            for r in pq.read_table(ds.rejections_path).to_pylist()[:10]:
                self.stdout.write(f"  row {r.get('row')}, {r.get('column') or '-'}: {r.get('message')}")
        for key, value in (ds.meta or {}).items():
            if key in ("summary", "resolution", "skipped_entities", "snapshots"):
                self.stdout.write(f"{key}: {value}")
        if ds.kind == RiskDataset.Kind.WATCHLIST and (ds.meta or {}).get("summary", {}).get("notes"):
            self._watchlist_notes(ds)

    def _watchlist_notes(self, ds: RiskDataset) -> None:
        """The entries kept with a note (a date read coarser or not at all, a resident ID failing its check)."""
        import json

        import pyarrow.parquet as pq

        from pingan.screening.riskdata.watchlists import entry_note_text

        noted = [(e["entry_id"], n) for e in pq.read_table(ds.path, columns=["entry_id", "notes"]).to_pylist()
                 for n in e["notes"] or []]
        self.stdout.write(f"kept {len({e for e, _ in noted})} entries with notes (all in the dataset's notes column):")
        for entry_id, n in noted[:10]:
            self.stdout.write(f"  {entry_id}: {entry_note_text(n['code'], json.loads(n['params'] or '{}'), 'en')}")


def reevaluation_summary(run) -> str:
    """One line about a re-evaluation run (``pingan risk reevaluate``, ``pingan screen``)."""
    seconds = run.stats.get("seconds", {})
    return (f"re-evaluation {run.pk} after dataset {run.dataset_id} ({run.dataset.name}) as of "
            f"{timezone.localtime(run.as_of):%Y-%m-%d %H:%M %Z}: {run.candidates} people re-evaluated, "
            f"{run.changed} results changed, {run.hits_added} hits added, {run.hits_removed} removed, "
            f"{run.codes_changed} safety codes changed; {seconds.get('total', 0):.2f} s")
