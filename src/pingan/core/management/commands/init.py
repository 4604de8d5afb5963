"""``pingan init``: migrate the database and load the GB/T 2260 reference data."""


from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.bootstrap import ensure_initialised
from pingan.core.command import DJANGO_OPTIONS, PinganCommand


class Command(PinganCommand):
    help = gettext_lazy(
        "Create or migrate the database and load the administrative-division reference data.")
    suppressed_base_arguments = DJANGO_OPTIONS - {"--verbosity"}  # it reads --verbosity: listed

    def handle(self, *args, **options):
        done = ensure_initialised(verbosity=max(0, options["verbosity"] - 1))
        self.stdout.write(_("migrations applied: %(migrations)s; divisions loaded: %(divisions)s") % done)
