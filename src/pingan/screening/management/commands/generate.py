"""``pingan generate OUT_DIR [--people N] …``: write a synthetic roster, movement records and ground truth."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.command import PinganCommand


class Command(PinganCommand):
    help = gettext_lazy(
        "Generate a synthetic screening data set (Faker zh_CN people, corrupted entries, visits to the real "
        "NHC 2022 listed areas) with ground truth; --large writes the 1M × 100M benchmark set. "
        "Run `pingan generate --help` for every option.")

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*", help=_("passed to the generator (OUT_DIR and options)"))

    def run_from_argv(self, argv):
        # the generator owns its own argument parser (python -m pingan.screening.synth): hand it the rest
        from pingan.screening import synth

        code = synth.main(argv[2:])
        if code:
            raise SystemExit(code)

    def handle(self, *args, **options):  # pragma: no cover - run_from_argv handles every call
        raise CommandError(_("use `%(command)s`") % {"command": "pingan generate OUT_DIR --people N"})
