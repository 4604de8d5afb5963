"""``pingan risk import nhc|movements|watchlist …``, ``pingan risk list`` and ``pingan risk partition SOURCE…
OUT``: manage the risk data."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pingan.core import texts
from pingan.core.command import PinganCommand, UsageError, command_error, missing_path
from pingan.core.errors import DomainError
from pingan.screening import riskimport
from pingan.screening.labels import dataset_label
from pingan.screening.models import RiskDataset


class Command(PinganCommand):
    help = gettext_lazy(
        "Import risk data (risk-area listings, movement records, watchlists) or list what is imported.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help=_("import a dataset"))
        kinds = imp.add_subparsers(dest="kind", required=True)
        nhc = kinds.add_parser("nhc", help=_("NHC high/medium/low-risk area lists (a directory of JSON snapshots)"))
        nhc.add_argument("source", nargs="?", default="",
                         help=_("directory of snapshots (*.json or *.json.gz); default: the bundled 2022 listings"))
        mv = kinds.add_parser("movements", help=_("movement records: CSV or Parquet "
                              "(id_type,id_number,name,adcode,place,start,end,source)"))
        mv.add_argument("source", help=_("the CSV or Parquet file (or a directory of Parquet files)"))
        mv.add_argument("--name", default="", help=_("dataset name (default: the file name)"))
        wl = kinds.add_parser("watchlist", help=_("a watchlist: un (UN SC consolidated XML), ofac (SDN CSV "
                              "directory) or csv (pingan's watchlist CSV)"))
        wl.add_argument("format", choices=["un", "ofac", "csv"], help=_("the list's format: un, ofac or csv"))
        wl.add_argument("source", nargs="?", default="", help=_("file or directory; `un` defaults to the bundled list"))
        sub.add_parser("list", help=_("list the imported datasets"))
        part = sub.add_parser("partition", help=_("write movement Parquet files as a directory of partitions "
                              "province_code=PP/start_date=YYYY-MM-DD that the engines prune "
                              "(docs/screening-spark.md)"))
        part.add_argument("source", nargs="+", help=_("movement Parquet file(s)"))
        part.add_argument("out", help=_("the new directory"))
        re = sub.add_parser("reevaluate", help=_("re-evaluate the latest screenings a dataset can affect (what the "
                                               "task after each import does)"))
        re.add_argument("dataset_id", type=int, help=_("the dataset's id (pingan risk list)"))

    def handle(self, *args, **opts):
        if opts["action"] == "reevaluate":
            from pingan.screening import reevaluate

            ds = RiskDataset.objects.filter(pk=opts["dataset_id"]).first()
            if ds is None:
                raise CommandError(_("no dataset %(id)s: pingan risk list shows the datasets' ids") % {
                    "id": opts["dataset_id"]})
            self.stdout.write(reevaluation_summary(reevaluate.reevaluate(dataset=ds)))
            return
        if opts["action"] == "list":
            # tab-separated, stable words (scripts read it): id, kind, name, rows, rejected, state, imported, source
            for ds in RiskDataset.objects.order_by("kind", "-imported_at"):
                state = "active" if ds.active else "superseded"
                self.stdout.write(f"{ds.pk}\t{ds.kind}\t{ds.name}\t{ds.rows} rows\t{ds.rejected_rows} rejected\t"
                                  f"{state}\t{ds.imported_at:%Y-%m-%d %H:%M}\t{ds.source}")
            return
        if opts["action"] == "partition":
            from pingan.screening.batch import ScreeningInputError, partition_movements

            for source in opts["source"]:
                if not Path(source).is_file():
                    raise CommandError(missing_path(source))
            try:
                out = partition_movements(opts["source"], opts["out"])
            except ScreeningInputError as exc:
                from pingan.screening.inputmessages import input_message

                raise CommandError(input_message(exc)) from None
            parts = sum(1 for _ in out.rglob("*.parquet"))
            self.stdout.write(_("wrote %(n)s partition files to %(path)s") % {"n": parts, "path": out})
            return
        kind, source = opts["kind"], opts["source"]
        if kind == "watchlist" and opts["format"] in ("ofac", "csv") and not source:
            raise UsageError(_("pingan risk import watchlist %(format)s SOURCE: the file or folder is required") % {
                "format": opts["format"]})
        if source and not Path(source).exists():
            raise CommandError(missing_path(source, folder_ok=True))
        try:
            if kind == "nhc":
                ds = riskimport.import_nhc(Path(source) if source else None)
            elif kind == "movements":
                ds = riskimport.import_movements(Path(source), name=opts["name"])
            else:
                ds = riskimport.import_watchlist(opts["format"], Path(source) if source else None)
        except DomainError as exc:
            raise command_error(exc) from None
        self.stdout.write(_("imported %(name)s: %(rows)s rows into dataset %(id)s (%(kind)s)") % {
            "name": dataset_label(ds.name), "rows": ds.rows, "id": ds.pk, "kind": ds.get_kind_display()})
        if ds.rejected_rows:
            import pyarrow.parquet as pq

            self.stdout.write(_("rejected %(n)s rows; all reasons are in %(path)s") % {
                "n": ds.rejected_rows, "path": ds.rejections_path})
            for r in pq.read_table(ds.rejections_path).to_pylist()[:10]:
                self.stdout.write("  " + _("row %(row)s, %(column)s: %(reason)s") % {
                    "row": r.get("row"), "column": r.get("column") or "-",
                    "reason": r.get("message")})  # the importer's stored text (English; the code is in the file)
        meta = ds.meta or {}  # a watchlist's reader figures are its summary; the movements' are the meta itself
        warned = meta.get("summary", {}).get("accepted_with_warning", 0) or meta.get("accepted_with_warning", 0)
        if warned:
            self.stdout.write(ngettext(
                "accepted %(n)s entry with a warning: characters that do not show as text were removed from it "
                "(compared without them, shown as ⟨U+XXXX⟩; its notes say which)",
                "accepted %(n)s entries with a warning: characters that do not show as text were removed from "
                "them (compared without them, shown as ⟨U+XXXX⟩; their notes say which)", warned) % {"n": warned})
        for key, value in (ds.meta or {}).items():
            if key in ("summary", "resolution", "skipped_entities", "snapshots"):
                self.stdout.write(f"{key}: {value}")  # the importer's figures as stored (data)
        if ds.kind == RiskDataset.Kind.WATCHLIST and (ds.meta or {}).get("summary", {}).get("notes"):
            self._watchlist_notes(ds)

    def _watchlist_notes(self, ds: RiskDataset) -> None:
        """The entries kept with a note (a date read coarser or not at all, a resident ID failing its check)."""
        import json

        import pyarrow.parquet as pq

        from pingan.screening.riskdata.watchlists import entry_note_text

        noted = [(e["entry_id"], n) for e in pq.read_table(ds.path, columns=["entry_id", "notes"]).to_pylist()
                 for n in e["notes"] or []]
        self.stdout.write(_("kept %(n)s entries with notes (all in the dataset's notes column):") % {
            "n": len({e for e, _n in noted})})
        lang = texts.lang(when_none="en")
        for entry_id, n in noted[:10]:
            note = entry_note_text(n["code"], json.loads(n["params"] or "{}"), lang)
            self.stdout.write("  " + texts.labelled(entry_id, note))


def reevaluation_summary(run) -> str:
    """One line about a re-evaluation run (``pingan risk reevaluate``): what it looked at and changed, each count
    said as the language says that many (issue 11: "1 results changed"), and the safety codes kept as well as those
    changed — the run's audit record has both (``codes_kept``: level and people unchanged, only the counts brought
    up to date); the line said only how many changed."""
    seconds, kept = run.stats.get("seconds", {}), run.stats.get("codes_kept", 0)
    counts = [
        (ngettext("%(n)s person re-evaluated", "%(n)s people re-evaluated", run.candidates), run.candidates),
        (ngettext("%(n)s result changed", "%(n)s results changed", run.changed), run.changed),
        (ngettext("%(n)s hit added", "%(n)s hits added", run.hits_added), run.hits_added),
        (ngettext("%(n)s hit removed", "%(n)s hits removed", run.hits_removed), run.hits_removed),
        (ngettext("%(n)s safety code changed", "%(n)s safety codes changed", run.codes_changed), run.codes_changed),
        (ngettext("%(n)s safety code kept (only its counts updated)",
                  "%(n)s safety codes kept (only their counts updated)", kept), kept),
    ]
    said = texts.comma().join(text % {"n": texts.figure(n)} for text, n in counts)
    return _("re-evaluation %(run)s after dataset %(dataset)s (%(name)s) as of %(as_of)s: %(counts)s; "
             "%(seconds)s s") % {
        "run": run.pk, "dataset": run.dataset_id, "name": dataset_label(run.dataset.name),
        "as_of": texts.moment(run.as_of), "counts": said, "seconds": f"{seconds.get('total', 0):.2f}"}
