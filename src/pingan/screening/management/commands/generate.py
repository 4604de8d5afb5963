"""``pingan generate OUT_DIR [--people N] …``: write a synthetic roster, movement records and ground truth.

The options are those of ``python -m pingan.screening.synth`` (the module's own command line, in English), said in
the user's language (issue 11: ``pingan generate --help`` was the generator's English parser)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.command import PinganCommand, date_argument, missing_path


class Command(PinganCommand):
    help = gettext_lazy(
        "Generate a synthetic screening data set (Faker zh_CN people, corrupted entries, visits to the real "
        "NHC 2022 listed areas) with ground truth; --large writes the 1M × 100M benchmark set. "
        "Run `pingan generate --help` for every option.")

    def add_arguments(self, parser):
        parser.add_argument("out_dir", type=Path, help=_("directory to write into (created if missing)"))
        parser.add_argument("--people", type=int, default=10_000, help=_("roster rows (default 10000)"))
        parser.add_argument("--movements-per-person", type=float, default=5.0,
                            help=_("background movements per person (default 5)"))
        parser.add_argument("--movements", type=int, default=100_000_000, help=_("with --large: movement rows"))
        parser.add_argument("--as-of", type=date_argument, default=dt.date(2022, 11, 20),
                            help=_("screening date, ISO (default 2022-11-20)"))
        parser.add_argument("--seed", type=int, default=1, help=_("random seed: the same seed writes the same set "
                                                                  "(default 1)"))
        parser.add_argument("--exposed-share", type=float, default=0.05,
                            help=_("share of the roster who visited a listed area (default 0.05)"))
        parser.add_argument("--corruption-share", type=float, default=0.10,
                            help=_("share of roster rows with a corrupted entry (default 0.10)"))
        parser.add_argument("--format", action="append", choices=("csv", "xlsx"), dest="formats",
                            help=_("roster format, repeatable (default csv)"))
        parser.add_argument("--movements-csv", action="store_true", help=_("also write movements.csv"))
        parser.add_argument("--listings", type=Path,
                            help=_("listings Parquet (default: the bundled NHC 2022 lists)"))
        parser.add_argument("--large", action="store_true", help=_("the speed benchmark's set (DuckDB)"))

    def handle(self, *args, **o):
        from pingan.screening import synth

        if o["listings"] is not None and not o["listings"].is_file():
            raise CommandError(f"--listings {missing_path(o['listings'])}")
        listings = synth.read_listings(o["listings"])
        try:
            if o["large"]:
                result = synth.generate_large(o["out_dir"], people=o["people"], movements=o["movements"],
                                              listings=listings, as_of=o["as_of"], seed=o["seed"],
                                              corruption_share=o["corruption_share"])
            else:
                result = synth.generate(o["out_dir"], people=o["people"],
                                        movements_per_person=o["movements_per_person"], listings=listings,
                                        as_of=o["as_of"], seed=o["seed"], exposed_share=o["exposed_share"],
                                        corruption_share=o["corruption_share"],
                                        formats=tuple(o["formats"] or ("csv",)), movements_csv=o["movements_csv"])
        except synth.SynthError as exc:
            # the generator's reason is English (a pure module: docs/conventions.md)
            raise CommandError(_("cannot generate the data set: %(reason)s") % {"reason": str(exc)}) from None
        for name, path in result.files.items():
            self.stdout.write(_("%(file)s: %(path)s, %(size)s bytes") % {
                "file": name, "path": path, "size": f"{path.stat().st_size:,}"})
        self.stdout.write(_("%(people)s roster rows, %(outsiders)s people off the roster, %(movements)s movement "
                            "records, in %(seconds)s s") % {
            "people": f"{result.people:,}", "outsiders": f"{result.outsiders:,}",
            "movements": f"{result.movements:,}", "seconds": f"{result.seconds:.1f}"})
        if result.by_expected:
            from pingan.core.texts import join

            self.stdout.write(_("expected levels: %(levels)s") % {"levels": join(
                f"{_level(k)} {v:,}" for k, v in sorted(result.by_expected.items()))})


def _level(name: str) -> str:
    """A level's name (green, yellow, red) in the user's language."""
    from pingan.screening.models import PersonResult

    return str(dict(PersonResult.Level.choices).get(name, name))
