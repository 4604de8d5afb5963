"""``pingan demo``: the README's run command — the main job end to end on the embedded default."""


from django.utils import timezone, translation

from pingan.codes.services import verdict_reason_local
from pingan.core.command import PinganCommand
from pingan.core.demoguide import Suggest, Visit, cli, guide
from pingan.core.models import AdminDivision
from pingan.screening.demo import DEMO_AS_OF, demo_run


class Command(PinganCommand):
    help = ("Load the reference data, the Xiamen demo organisation, the bundled real risk-area lists and UN "
            "watchlist; generate a synthetic roster; screen it; print the summary and where the results are.")

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=3000, help="roster size (default 3000)")
        parser.add_argument("--seed", type=int, default=2022)

    def handle(self, *args, **opts):
        from pingan.screening.management.commands.screen import summary

        r = demo_run(people=opts["people"], seed=opts["seed"])
        w = self.stdout.write
        w(f"GB/T 2260 divisions: {AdminDivision.objects.count()} "
          f"({AdminDivision.objects.filter(current=True).count()} current)")
        w(f"demo organisation: {len(r.org.units)} units (bureau, {sum(u.kind == 'branch' for u in r.org.units)} "
          f"branches, {sum(u.kind == 'station' for u in r.org.units)} stations)")
        w(f"risk-area listings: {r.listings.name}, {r.listings.rows} listing intervals")
        if r.watchlist:
            w(f"watchlist: {r.watchlist.name}, {r.watchlist.rows} persons")
        w(f"movement records: {r.movements.rows} synthetic records ({r.movements.rejected_rows} rejected)")
        w(f"premises: {r.premises.name} → {r.premises.unit.name}")
        w(f"roster: {r.roster} (synthetic, Faker zh_CN; ground truth in {r.truth})")
        w("")
        with translation.override("en"):  # the demo's other lines are English (core.demoguide): one language
            w(summary(r.job, r.out))
        w(f"\nscreened as of {DEMO_AS_OF}; police view (every hit with its reason) in {r.out}")
        w(f"\nsafety code (平安码) for {r.premises.name}: {r.code.level}, valid until "
          f"{timezone.localtime(r.code.expires_at).isoformat()}, covering {r.code.people} people")
        w(f"  {r.code.token}")
        # the verifier words its reason in UTC: say it in the bureau's time zone, like the line above
        w(f"  verified offline: {r.verification.status} ({verdict_reason_local(r.verification)})")
        w(f"  door poster: {r.poster}")
        w(f"  check it yourself: {cli()} code verify '<the code above>'")
        owner = r.premises.owner.username
        guide(w, accounts=[owner], serve_env=f"PINGAN_SCREENING_AS_OF={DEMO_AS_OF}",
              suggest=[Suggest("officer", r.premises.unit.code, "demo_officer"),
                       Suggest("station_chief", r.premises.unit.code, "demo_chief")],
              visits=[Visit("/screening/", (owner,), f"the premises {r.premises.name}, its screening's results (what "
                            "to fix, the CSV/XLSX download) and the safety code's door poster; upload a roster of "
                            "your own (the template is on the upload page; the screening clock is frozen at "
                            f"{DEMO_AS_OF} by the variable above, so the bundled 2022 risk data applies)"),
                      Visit("/police/", ("demo_officer", "demo_chief"), f"{r.premises.unit.name}: the red and "
                            "yellow people with their reasons, searchable by name, ID number or phone; revoke a code "
                            "from its premises page"),
                      Visit("/verify/", (), "checks the code above in the browser, offline once loaded")])
