"""``pingan user create USERNAME --role ROLE [--unit CODE]``: create an account (password prompted).

Output follows the other commands: lower-case lines naming the object (``user alice (landlord) created``),
errors as ``CommandError`` in the same style (``no unit with code '…'``, like ``no user '…'`` of ``token``).
"""

import getpass

from django.core.management.base import BaseCommand, CommandError, no_translations

from pingan.core import services
from pingan.core.errors import DomainError
from pingan.core.models import OrgUnit, Role


class Command(BaseCommand):
    help = "Create an account with a role (and a unit for police roles)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create", help="create an account; the password is prompted (or read from stdin)")
        c.add_argument("username")
        c.add_argument("--role", required=True, choices=Role.values)
        c.add_argument("--unit", default="", help="unit code, e.g. 350203-LQ (police roles)")
        c.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    @no_translations  # English like the other commands' output (the password rules' messages included)
    def handle(self, *args, **opts):
        unit = None
        if opts["unit"]:
            unit = OrgUnit.objects.filter(code=opts["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit with code {opts['unit']!r}")
        try:
            password = input() if opts["password_stdin"] else getpass.getpass("password: ")
        except EOFError:
            raise CommandError("no password given: standard input ended before a line was read") from None
        try:
            user = services.user_create(username=opts["username"], password=password, role=opts["role"], unit=unit)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        where = f" in {unit.code} ({unit.name})" if unit else ""
        self.stdout.write(f"user {user.username} ({user.role}){where} created")
        if not password:
            self.stdout.write(f"no password set: {user.username} cannot sign in until "
                              f"`pingan changepassword {user.username}`")
