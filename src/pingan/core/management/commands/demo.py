"""``pingan demo``: the README's run command — set up the embedded default and run the main job."""

from django.core.management.base import BaseCommand

from pingan.core.bootstrap import ensure_initialised
from pingan.core.models import AdminDivision
from pingan.core.reference import demo_org_load


class Command(BaseCommand):
    help = "Load the reference data and the Xiamen demo organisation, then run a demo screening."

    def handle(self, *args, **options):
        ensure_initialised()
        org = demo_org_load()
        self.stdout.write(f"GB/T 2260 divisions: {AdminDivision.objects.count()} "
                          f"({AdminDivision.objects.filter(current=True).count()} current)")
        self.stdout.write(f"demo organisation: {len(org.created)} units created, {len(org.existing)} already there")
        for unit in org.units:
            self.stdout.write(f"{'  ' * (unit.depth - 1)}{unit.name} [{unit.code}] {', '.join(unit.adcodes)}")
