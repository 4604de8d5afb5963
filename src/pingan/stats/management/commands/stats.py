"""``pingan stats``: imports, the demo, reports (one unit or every unit), schemes, rollups, vehicle counts.

Thin: parse arguments, call a service or selector, print. The command line acts with analyst rights
(``CliActor``); its audit records name ``cli:<login>``. Give ``--user NAME`` to act as an account instead.
"""

from __future__ import annotations

import datetime as dt
import getpass
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pingan.core.command import PinganCommand, UsageError, command_error, date_argument, missing_path, os_error_text
from pingan.core.errors import DomainError
from pingan.core.models import Role
from pingan.core.texts import lang, paren


@dataclass
class CliActor:
    """The command line as an actor: analyst rights over every organisation (``installation_wide``:
    :mod:`pingan.stats.jurisdiction`), no unit, named ``cli:<login>`` in the audit trail."""

    username: str
    role: str = Role.ANALYST
    pk: None = None
    unit: None = None
    unit_id: None = None
    is_authenticated: bool = True
    is_active: bool = True
    installation_wide: bool = True


#: The table's marks, characters every terminal draws one column wide: † and ≥ (the page's and the PDF's) are of
#: ambiguous East Asian width, two columns in many Chinese terminals, and shifted every column after them (issue 11).
OVER_100 = "#"  # a clearance rate above 100 %, explained under the table
AT_LEAST = "+"  # a streak that reaches back to the start of the data: "12+ days"


class Command(PinganCommand):
    help = gettext_lazy(
        "Policing statistics: import incidents, run the demo, print or export CompStat reports.")

    def add_arguments(self, parser):
        parser.add_argument("--user", help=_("act as this account (default: the command line, analyst rights)"))
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help=_("import an open-data source (bundled file by default) or a bureau file"))
        imp.add_argument("source", help=_("chicago-crimes, chicago-assaults, sf-incidents, nyc-shootings, "
                                        "nyc-homicides, nyc-collisions, or bureau"))
        imp.add_argument("file", nargs="?", help=_("the file (default: the bundled one; required for bureau)"))
        imp.add_argument("--org", help=_("bureau: the organisation's root unit code (default: the first bureau)"))
        demo = sub.add_parser("demo", help=_("import every bundled data set and a synthetic Xiamen bureau file"))
        demo.add_argument("--per-day", type=float, default=20.0, help=_("synthetic Xiamen incidents per day"))
        rep = sub.add_parser("report", help=_("a unit's CompStat (or --all-units: every unit's weekly report)"))
        rep.add_argument("unit", nargs="?", help=_("unit code, e.g. US-CHI-AA or 350203-LQ"))
        rep.add_argument("--as-of", type=date_argument,
                         help=_("YYYY-MM-DD (default: today or the last day of the data)"))
        rep.add_argument("--scheme", help=_("classification id (pingan stats schemes)"))
        rep.add_argument("--pdf", help=_("write the weekly PDF here"))
        rep.add_argument("--xlsx", help=_("write the table (and sub-units) as XLSX here"))
        rep.add_argument("--all-units", action="store_true", help=_("every unit (of UNIT's organisation if given)"))
        sub.add_parser("schemes", help=_("list the classification schemes"))
        roll = sub.add_parser("rollup", help=_("rebuild the daily rollups (after writing incidents another way)"))
        roll.add_argument("--from", dest="start", type=date_argument,
                          help=_("first day (default: the first incident)"))
        roll.add_argument("--to", dest="end", type=date_argument, help=_("last day (default: the last incident)"))
        veh = sub.add_parser("vehicles", help=_("record the registered vehicles of a unit's area in a year"))
        veh.add_argument("unit", help=_("the unit's code, e.g. 350203"))
        veh.add_argument("year", type=int, help=_("the year, e.g. 2025"))
        veh.add_argument("vehicles", type=int, help=_("how many vehicles were registered"))
        veh.add_argument("--source", required=True, help=_("where the figure comes from"))

    def handle(self, *args, **opts):
        from pingan.core.models import User

        actor = CliActor(f"cli:{getpass.getuser()}")
        if opts["user"]:
            actor = User.objects.filter(username=opts["user"]).first()
            if actor is None:
                raise CommandError(_("no account %(name)s") % {"name": repr(opts["user"])})
        try:
            getattr(self, f"do_{opts['action']}")(actor, opts)
        except DomainError as exc:
            raise command_error(exc) from None

    def _svc_actor(self, actor):
        return None if isinstance(actor, CliActor) else actor

    # -------------------------------------------------------------------------------------------- import
    def do_import(self, actor, opts):
        from pingan.stats import services

        t = time.perf_counter()
        if opts["file"] and not Path(opts["file"]).is_file():
            raise CommandError(missing_path(opts["file"]))
        if opts["source"] == "bureau":
            if not opts["file"]:
                raise UsageError(_("pingan stats import bureau FILE: the file is required"))
            path = Path(opts["file"])
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(_("cannot read %(path)s: %(error)s") % {
                    "path": path, "error": os_error_text(exc)}) from None
            batch = services.bureau_import(data=data, filename=path.name, actor=self._svc_actor(actor),
                                           org_code=opts["org"])
        else:
            batch = services.import_source(source=opts["source"], path=opts["file"], actor=self._svc_actor(actor))
        self._print_batch(batch, time.perf_counter() - t)

    def _print_batch(self, batch, seconds: float) -> None:
        from pingan.stats.present import note_text
        from pingan.stats.templatetags.stats_tags import issue_text

        c = batch.counts
        self.stdout.write(_("%(source)s: %(file)s → %(org)s (%(seconds)s s)") % {
            "source": batch.source, "file": batch.filename, "org": batch.org.code if batch.org else "?",
            "seconds": f"{seconds:.1f}"})
        self.stdout.write("  " + _("rows %(rows)s: incidents %(incidents)s (%(created)s new, %(updated)s updated, "
                                   "%(unchanged)s unchanged) from %(in_incidents)s rows; excluded %(excluded)s; "
                                   "rejected %(rejected)s") % {
            "rows": c["rows"], "incidents": c["incidents"], "created": c["created"], "updated": c["updated"],
            "unchanged": c.get("unchanged", 0), "in_incidents": c["rows_in_incidents"], "excluded": c["excluded"],
            "rejected": c["rejected"]})
        for n in batch.notes:
            self.stdout.write("  " + _("note: %(note)s") % {"note": note_text(n)})
        for issue in batch.issues.filter(kind="rejected")[:10]:
            self.stdout.write("  " + _("rejected: %(reason)s") % {"reason": issue_text(issue)})

    # -------------------------------------------------------------------------------------------- demo
    def do_demo(self, actor, opts):
        from pingan.core.models import OrgUnit
        from pingan.core.reference import demo_org_load
        from pingan.stats import demo, services
        from pingan.stats.importers import sources

        demo_org_load()
        svc_actor = self._svc_actor(actor)
        for key in sources():
            t = time.perf_counter()
            self._print_batch(services.import_source(source=key, actor=svc_actor), time.perf_counter() - t)
        stations = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.STATION, path__startswith=OrgUnit.objects.get(
            code="350200").path).order_by("code").values_list("name", flat=True))
        data = demo.demo_csv(stations, dt.date(2023, 1, 1), dt.date(2024, 12, 31), per_day=opts["per_day"])
        t = time.perf_counter()
        batch = services.bureau_import(data=data, filename="xiamen-synthetic-2023-2024.csv", actor=svc_actor,
                                       org_code="350200")
        self._print_batch(batch, time.perf_counter() - t)
        self.stdout.write("")
        for code, scheme in (("350200", None), ("350203-LQ", "cn_lqyd_general"), ("US-CHI-AA-D011", None),
                             ("US-SF", None), ("US-NYC", "traffic")):
            self._print_compstat(actor, code, None, scheme)
        self.stdout.write("\n" + _("The Xiamen figures are synthetic (stats/demo.py); the others come from the "
                                   "bundled open data (docs/stats.md)."))
        from pingan.core.demoguide import Suggest, Visit, guide
        from pingan.core.models import Role, User

        accounts = list(User.objects.filter(role__in=["analyst", "station_chief"]).order_by("username")
                        .values_list("username", "role")[:6])
        analyst = next((n for n, r in accounts if r == Role.ANALYST), "demo_analyst")
        chief = next((n for n, r in accounts if r == Role.STATION_CHIEF), "demo_chief")
        guide(self.stdout.write, accounts=[n for n, _r in accounts],
              suggest=[Suggest("analyst", "350200", "demo_analyst"),
                       Suggest("station_chief", "350203-LQ", "demo_chief")],
              visits=[Visit("/stats/", (analyst,), _(
                  "CompStat of the units under the analyst's — this week, 28 days and the year against last year "
                  "(the Xiamen bureau's figures are synthetic); a unit's page: the weekly PDF, the incidents behind "
                  "a figure, reclassify one with a reason")),
                      Visit("/stats/", (chief,), _("the station's own CompStat (莲前派出所, synthetic)")),
                      Visit("/stats/imports/", (analyst,), _(
                          "the demo file's rejected rows, each with its row, column and reason; import a bureau "
                          "file of your own (the template is on that page)"))],
              tries=[_("Chicago, San Francisco and New York (real open data) are read by an analyst of their own "
                       "organisation: %(command)s") % {
                  "command": "pingan user create analyst2 --role analyst --unit US-CHI-AA --display-name 吴晓东"}])

    # -------------------------------------------------------------------------------------------- report
    def _print_compstat(self, actor, code, as_of, scheme):
        import shutil

        from pingan.core.texts import day, days
        from pingan.lib import termtable
        from pingan.stats import present, selectors

        p = selectors.compstat_for_unit(actor=actor, code=code, as_of=as_of, scheme_id=scheme)
        w = self.stdout.write
        # in the user's language (PINGAN_LANGUAGE / LANG: pingan.cli), every word of it: the placeholders of
        # figures that cannot be given say why ("no offences this year"), as on the page — never "n/a"; no text
        # is cut: a column wraps between words (pingan.lib.termtable) when the table is wider than the terminal.
        # The classification by its name and version, not its id (issue 11: "cn_headline@2026.1"); dates and the
        # week as the language writes them, as on the page ("12月30日至12月31日", never "12-30–12-31": an en
        # dash is of ambiguous width, two columns in many CJK terminals, and shifted the columns after it)
        columns = shutil.get_terminal_size((120, 24)).columns
        for line in termtable.wrap(_(
                "%(unit)s [%(code)s] — as of %(as_of)s, %(week)s (%(span)s), %(scheme)s (version %(version)s)") % {
                "unit": p.unit.label, "code": p.unit.code, "as_of": day(p.as_of), "week": present.week_text(p.as_of),
                "span": days(*present.week_label(p.as_of)), "scheme": p.scheme.label(lang(when_none="en")),
                "version": p.scheme.version}, columns):
            w(line)
        if present.loaded(p) == "nothing":  # no data is not zero: no table of zeros (issue 11), as on the page
            for text in (present.nothing_loaded_text(p.unit), present.how_to_load_text()):
                for line in termtable.wrap(text, columns - 2):
                    w("  " + line)
            return p
        w("  " + _("Each window: this year/last year and the change."))
        windows = present.windows(p)
        head = [_("category")]
        for win in windows:
            head.append(f"{win.label}\n{win.current_text}\n{_('last year')}\n{win.previous_text}")
        head += [_("Clearance rate"), _("streak")]
        table = [head]
        marks = set()
        for rv in present.rows(p):
            r = rv.row
            if not rv.covered:
                table.append([rv.label, present.no_source_text()])
                continue
            cells = [rv.label]
            for win in windows:
                f = r.windows[win.name]
                if f.previous is None:  # the reason, without an em dash (ambiguous width, as above)
                    cells.append(f"{f.current} {present.missing_text(f.missing)}")
                else:
                    cells.append(f"{f.current}/{f.previous} {present.pct_text(f.change)}")
            rate = present.share_text(r.clearance_ytd)
            if not p.clearance_recorded(r.category):
                rate = present.no_clearance_text()
            elif present.over_100(r):
                rate += OVER_100
                marks.add(OVER_100)
            if present.small_base(int(r.windows["ytd"].current)) and p.clearance_recorded(r.category):
                rate += " *"
                marks.add("*")
            # "1 day", never "1 days" (the trial's San Francisco robbery row)
            st = (ngettext("%(days)s day (longest %(longest)s)", "%(days)s days (longest %(longest)s)",
                           r.streak.current) % {
                "days": f"{r.streak.current}{AT_LEAST if r.streak.current_open_start else ''}",
                "longest": f"{r.streak.longest}{AT_LEAST if r.streak.longest_open_start else ''}"} if r.streak else "")
            if r.streak and (r.streak.current_open_start or r.streak.longest_open_start):
                marks.add(AT_LEAST)
            table.append([*cells, rate, st])
        for line in termtable.render(table, right=[False, True, True, True, True, False], max_width=columns):
            w(line)
        if OVER_100 in marks:
            for line in termtable.wrap(present.over_100_note(p, mark=OVER_100), columns - 2):
                w("  " + line)
        if AT_LEAST in marks:
            w("  " + _("%(mark)s after a streak: it reaches back to the start of the data, so it is at least that "
                       "long.") % {"mark": AT_LEAST})
        if "*" in marks:
            w("  " + _("* fewer than %(n)s offences this year: one case more or less moves the rate by 5 points or "
                       "more.") % {"n": present.SMALL_BASE})
        if p.traffic:
            t = p.traffic
            if t.previous is None:
                line = _("traffic, year to date: %(all)s reported, %(accidents)s with casualties, %(deaths)s deaths, "
                         "%(injured)s injured (%(missing)s)") % {
                    "all": t.current.all_reported, "accidents": t.current.accidents, "deaths": t.current.deaths,
                    "injured": t.current.injured, "missing": present.missing_text(t.missing)}
            else:
                line = _("traffic, year to date: %(all)s reported, %(accidents)s with casualties (%(c1)s), "
                         "%(deaths)s deaths (%(c2)s), %(injured)s injured (%(c3)s)") % {
                    "all": t.current.all_reported, "accidents": t.current.accidents,
                    "c1": present.pct_text(t.change["accidents"]), "deaths": t.current.deaths,
                    "c2": present.pct_text(t.change["deaths"]), "injured": t.current.injured,
                    "c3": present.pct_text(t.change["injured"])}
            for part in termtable.wrap(line, columns - 2):
                w("  " + part)
        return p

    def do_report(self, actor, opts):
        from pingan.stats import exports, report, selectors

        as_of = opts["as_of"]
        if opts["all_units"]:
            t = time.perf_counter()
            if as_of is None:
                if not opts["unit"]:
                    raise UsageError(_("--all-units needs --as-of or a unit whose data set gives the default"))
                as_of = selectors.default_as_of(selectors.unit_get(actor=actor, code=opts["unit"]))
            result = selectors.compstat_all_units(actor=actor, as_of=as_of, scheme_id=opts["scheme"],
                                                  root_code=opts["unit"])
            seconds = time.perf_counter() - t
            if opts["xlsx"]:
                gen = selectors.generation()
                Path(opts["xlsx"]).write_bytes(exports.to_xlsx([exports.all_units_sheet(
                    result, lambda u: selectors.data_span(u, gen)[0] is not None)]))
            self.stdout.write(_("weekly CompStat as of %(as_of)s for %(n)s units in %(seconds)s s") % {
                "as_of": as_of, "n": len(result), "seconds": f"{seconds:.2f}"}
                + (_("; written to %(file)s") % {"file": opts["xlsx"]} if opts["xlsx"] else ""))
            return
        if not opts["unit"]:
            raise UsageError(_("give a unit code (pingan stats report UNIT) or --all-units"))
        p = self._print_compstat(actor, opts["unit"], as_of, opts["scheme"])
        if opts["pdf"]:
            Path(opts["pdf"]).write_bytes(report.weekly_pdf(p, generated_by=getattr(actor, "username", "")))
            self.stdout.write(f"PDF: {opts['pdf']}")
        if opts["xlsx"]:
            Path(opts["xlsx"]).write_bytes(exports.to_xlsx([exports.compstat_sheet(p), exports.children_sheet(p)]))
            self.stdout.write(f"XLSX: {opts['xlsx']}")

    # -------------------------------------------------------------------------------------------- the rest
    def do_schemes(self, actor, opts):
        import shutil

        from pingan.lib import termtable
        from pingan.stats import classify

        zh = lang(when_none="en") == "zh"  # one language, never "English / 中文" side by side
        columns = shutil.get_terminal_size((120, 24)).columns
        for s in classify.schemes().values():
            # the id is what --scheme takes: printed as such, with the name and version people read
            option = _(" (option of %(scheme)s)") % {"scheme": s.option_of} if s.option_of else ""
            self.stdout.write(f"{s.id}  {s.zh if zh else s.en}{option}"
                              + paren(_("version %(v)s") % {"v": s.version}))
            # the categories as a table aligned by terminal columns (a CJK label takes two per character: the
            # kinds after labels padded by len() stood at ragged places)
            rows = [[c.key, c.zh if zh else c.en, _("a group of categories") if c.is_group
                     else _("counts victims") if c.count == "victims" else _("counts incidents")]
                    for c in s.categories]
            for line in termtable.render(rows, max_width=columns, indent="    "):
                self.stdout.write(line)

    def do_rollup(self, actor, opts):
        from django.db.models import Max, Min

        from pingan.stats import services
        from pingan.stats.models import Incident

        services.unit_closure_refresh()
        span = Incident.objects.aggregate(a=Min("count_date"), b=Max("count_date"), c=Max("cleared_on"))
        if span["a"] is None:
            self.stdout.write(_("no incidents"))
            return
        start = opts["start"] or span["a"]
        end = opts["end"] or max(d for d in (span["b"], span["c"]) if d)
        t = time.perf_counter()
        n = services.rollup_refresh(start=start, end=end)
        self.stdout.write(_("rollups %(start)s..%(end)s: %(counts)s count rows, %(clearances)s clearance rows "
                            "(%(seconds)s s)") % {"start": start, "end": end, "counts": n["counts"],
                                                  "clearances": n["clearances"],
                                                  "seconds": f"{time.perf_counter() - t:.1f}"})

    def do_vehicles(self, actor, opts):
        from pingan.core.models import OrgUnit
        from pingan.stats import services

        unit = OrgUnit.objects.filter(code=opts["unit"]).first()
        if unit is None:
            raise CommandError(_("no unit %(code)s") % {"code": repr(opts["unit"])})
        services.vehicle_count_set(actor=self._svc_actor(actor), unit=unit, year=opts["year"],
                                   vehicles=opts["vehicles"], source=opts["source"])
        self.stdout.write(_("%(unit)s %(year)s: %(n)s vehicles (%(source)s)") % {
            "unit": unit.code, "year": opts["year"], "n": opts["vehicles"], "source": opts["source"]})

