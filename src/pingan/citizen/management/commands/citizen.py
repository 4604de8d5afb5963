"""``pingan citizen …``: citizen services.

* ``catalogue [--counts]`` — load the bundled service catalogue (idempotent); ``--counts`` prints the
  services per channel (the seed's figures as a query over the catalogue).
* ``demo`` — the catalogue, a counter at each demo station (Xiamen household-registration hours), slots for
  the booking window, and a synthetic citizen (Faker zh_CN) to try the pages with.
* ``daily`` — open slots, mark no-shows, send reminders (for cron; also the ``daily_task`` task).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.command import PinganCommand, command_error
from pingan.core.demoguide import DEMO_PASSWORD
from pingan.core.errors import DomainError


class Command(PinganCommand):
    help = gettext_lazy(
        "Citizen services: catalogue [--counts] | demo [--password P] | daily")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("catalogue", help=_("load the bundled service catalogue"))
        c.add_argument("--counts", action="store_true", help=_("print services per channel"))
        d = sub.add_parser("demo", help=_("counters, slots and a synthetic citizen account"))
        d.add_argument("--password", default=DEMO_PASSWORD, help=_("the demo citizen's password"))
        sub.add_parser("daily", help=_("open slots, mark no-shows, send reminders"))

    def handle(self, *args, **opts):
        from pingan.citizen import selectors, services, tasks

        action = opts["action"]
        try:
            if action == "catalogue":
                self.stdout.write(_("%(n)s services loaded") % {"n": services.catalogue_load()})
                if opts["counts"]:
                    for channel, n in selectors.catalogue_counts().items():
                        self.stdout.write(f"{channel:10} {n}")
            elif action == "demo":
                self._demo(opts["password"])
            else:  # key=value, stable (cron logs, scripts)
                self.stdout.write(" ".join(f"{k}={v}" for k, v in tasks.daily().items()))
        except DomainError as exc:
            raise command_error(exc) from exc

    def _demo(self, password: str) -> None:
        from faker import Faker

        from pingan.citizen import services
        from pingan.citizen.models import Counter, Identity
        from pingan.core.models import OrgUnit
        from pingan.core.reference import demo_org_load

        org = demo_org_load()
        bureau = next(u for u in org.created + org.existing if u.parent_id is None)
        services.catalogue_load()
        bookable = ["residence_permit_first", "residence_permit_endorsement", "id_card_replacement",
                    "household_move_in"]
        # the Xiamen demo's stations only: `pingan stats demo` adds US open-data organisations, whose police
        # districts have no household-registration counter (a counter "Bayview警察分站户政窗口" made no sense)
        stations = OrgUnit.objects.filter(kind=OrgUnit.Kind.STATION, path__startswith=bureau.path)
        for unit in stations.order_by("code"):
            name, name_en = f"{unit.name}户政窗口", (
                f"Household registration counter, {unit.name_en}" if unit.name_en else "")
            counter = Counter.objects.filter(unit=unit).first() or services.counter_create(
                unit=unit, name=name, name_en=name_en, services=bookable,
                sessions=[["08:30", "12:00"], ["14:30", "17:30"]], slot_minutes=30, capacity=4)
            if counter.name == name and not counter.name_en and name_en:  # a demo counter made before name_en
                counter.name_en = name_en
                counter.save(update_fields=["name_en"])
            n = services.slots_open(counter=counter)
            self.stdout.write(_("%(counter)s: %(n)s slots opened") % {"counter": counter.name, "n": n})
        created = not Identity.objects.filter(user__username="demo_citizen").exists()
        if created:
            fake = Faker("zh_CN")
            fake.seed_instance(2026)
            number = fake.ssn(min_age=20, max_age=60, area_code="350203")  # valid GB 11643 check digit
            services.citizen_register(username="demo_citizen", password=password, name=fake.name(), id_number=number)
            self.stdout.write(_("citizen account %(name)s, a synthetic person") % {"name": "demo_citizen"})
        from pingan.core.demoguide import Suggest, Visit, guide

        guide(self.stdout.write, accounts=["demo_citizen"],
              passwords={"demo_citizen": password} if created else {},
              suggest=[Suggest("officer", "350203-LQ", "demo_desk", name="方晓燕")],
              visits=[Visit("/citizen/me/", ("demo_citizen",), _(
                  "book an appointment at a station's counter, then cancel it (asks first); apply for a residence "
                  "permit with its documents and follow its status")),
                      Visit("/citizen/station/", ("demo_desk",), _(
                          "an officer of %(unit)s: the applications to review, the counter's queue (call next, "
                          "check in)") % {"unit": OrgUnit.objects.get(code="350203-LQ").label})])

