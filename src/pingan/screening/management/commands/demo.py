"""``pingan demo``: the README's run command — the main job end to end on the embedded default."""

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import texts
from pingan.core.command import PinganCommand
from pingan.core.demoguide import Suggest, Visit, cli, guide
from pingan.core.models import AdminDivision
from pingan.screening.demo import DEMO_AS_OF, demo_run
from pingan.screening.labels import dataset_label


def poster_address(url: str) -> str:
    """Which verification address the demo's poster names (its QR links to it), where it came from, and how to
    set it: ``PINGAN_CODE_VERIFY_URL`` (docs/configuration.md), as the site's own poster does."""
    from django.conf import settings

    if settings.PINGAN.get("CODE_VERIFY_URL"):
        return _("its QR code links to %(url)s, the verification address PINGAN_CODE_VERIFY_URL sets") % {"url": url}
    return _("its QR code links to %(url)s, the page pingan serve serves on this computer: phones elsewhere cannot "
             "open it; before printing posters for doors, set PINGAN_CODE_VERIFY_URL to the verification page's "
             "public address (e.g. %(example)s) and run the demo again") % {
        "url": url, "example": "https://gaj.xm.gov.cn/verify/"}


class Command(PinganCommand):
    help = gettext_lazy(
        "Load the reference data, the Xiamen demo organisation, the bundled real risk-area lists and UN "
        "watchlist; generate a synthetic roster; screen it; print the summary and where the results are.")

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=3000, help=_("roster size (default 3000)"))
        parser.add_argument("--seed", type=int, default=2022,
                            help=_("seed of the synthetic roster (the same seed makes the same people; default 2022)"))

    def handle(self, *args, **opts):
        from pingan.codes.texts import verdict_sentence
        from pingan.screening.management.commands.screen import summary

        r = demo_run(people=opts["people"], seed=opts["seed"], lang=texts.lang())
        w = self.stdout.write
        # every line in the command's language (pingan activates it from PINGAN_LANGUAGE or the locale)
        w(_("GB/T 2260 divisions: %(all)s (%(current)s current)") % {
            "all": AdminDivision.objects.count(), "current": AdminDivision.objects.filter(current=True).count()})
        kinds = Counter(u.kind for u in r.org.units)  # the parts add up to the units (the trial read 22 = 1 + 6 + 9)
        w(_("demo organisation: %(units)s units (the bureau, %(branches)s branches, %(stations)s stations, %(areas)s "
            "community policing areas, %(others)s centres, procuratorates and courts)") % {
            "units": len(r.org.units), "branches": kinds["branch"], "stations": kinds["station"],
            "areas": kinds["area"],
            "others": len(r.org.units) - kinds["bureau"] - kinds["branch"] - kinds["station"] - kinds["area"]})
        w(_("risk-area listings: %(name)s, %(rows)s listing intervals") % {"name": dataset_label(r.listings.name),
                                                                          "rows": r.listings.rows})
        if r.watchlist:
            w(_("watchlist: %(name)s, %(rows)s persons") % {"name": dataset_label(r.watchlist.name),
                                                            "rows": r.watchlist.rows})
        w(_("movement records: %(rows)s synthetic records (%(rejected)s rejected)") % {
            "rows": r.movements.rows, "rejected": r.movements.rejected_rows})
        w(_("premises: %(name)s → %(unit)s") % {"name": r.premises.label, "unit": r.premises.unit.name})
        w(_("roster: %(path)s (synthetic, Faker zh_CN; ground truth in %(truth)s)") % {"path": r.roster,
                                                                                     "truth": r.truth})
        w("")
        w(summary(r.job, r.out))
        w("\n" + _("screened as of %(as_of)s; police view (every hit with its reason) in %(path)s") % {
            "as_of": DEMO_AS_OF, "path": r.out})
        w("\n" + _("safety code (平安码) for %(name)s: %(level)s, valid until %(until)s, covering %(people)s "
                   "people") % {
            "name": r.premises.label, "level": r.code.level_label,
            "until": texts.moment(r.code.expires_at), "people": r.code.people})
        w(f"  {r.code.token}")
        # in the bureau's time zone, like the line above; in words, as the verification page says it
        w("  " + _("verified offline: %(result)s") % {"result": verdict_sentence(r.verification)})
        w("  " + _("door poster: %(path)s") % {"path": r.poster})
        w("  " + poster_address(r.verify_url))
        w("  " + _("check it yourself: %(command)s") % {"command": f"{cli()} code verify '{_('<the code above>')}'"})
        owner = r.premises.owner.username
        guide(w, accounts=[owner], serve_env=f"PINGAN_SCREENING_AS_OF={DEMO_AS_OF}",
              suggest=[Suggest("officer", r.premises.unit.code, "demo_officer"),
                       Suggest("station_chief", r.premises.unit.code, "demo_chief")],
              visits=[Visit("/screening/", (owner,), _(
                  "the premises %(name)s, its screening's results (what to fix, the CSV/XLSX download) and the "
                  "safety code's door poster; upload a roster of your own (the template is on the upload page; "
                  "the screening clock is frozen at %(as_of)s by the variable above, so the bundled 2022 risk "
                  "data applies)") % {"name": r.premises.label, "as_of": DEMO_AS_OF}),
                      Visit("/police/", ("demo_officer", "demo_chief"), _(
                          "%(unit)s: the red and yellow people with their reasons, searchable by name, ID number or "
                          "phone; revoke a code from its premises page") % {"unit": r.premises.unit.name}),
                      Visit("/verify/", (), _("checks the code above in the browser, offline once loaded"))])
