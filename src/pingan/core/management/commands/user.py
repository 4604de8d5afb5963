"""``pingan user create USERNAME --role ROLE [--unit CODE]``: create an account (password prompted).

The password is asked twice on a terminal, read from standard input with ``--password-stdin``, or left
unset with ``--no-password`` (the account cannot sign in until ``pingan changepassword``). Nothing else
creates an account without a password: without a terminal and without either option the command refuses,
and so does an empty password (a script that forgot ``--password-stdin`` must not make a dead account).

Output follows the other commands: lower-case lines naming the object (``user alice (landlord) created``),
errors as ``CommandError`` in the same style (``no unit with code '…'``, like ``no user '…'`` of ``token``).
"""

import getpass
import sys

from django.core.management.base import CommandError, no_translations

from pingan.core import services
from pingan.core.command import PinganCommand
from pingan.core.errors import DomainError
from pingan.core.models import OrgUnit, Role


class Command(PinganCommand):
    help = "Create an account with a role (and a unit for police roles)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create", help="create an account; the password is prompted (or read from stdin)")
        c.add_argument("username")
        c.add_argument("--role", required=True, choices=Role.values)
        c.add_argument("--unit", default="", help="unit code, e.g. 350203-LQ (police roles)")
        how = c.add_mutually_exclusive_group()
        how.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        how.add_argument("--no-password", action="store_true",
                         help="create the account without a password (it cannot sign in until `pingan changepassword`)")

    @no_translations  # English like the other commands' output (the password rules' messages included)
    def handle(self, *args, **opts):
        unit = None
        if opts["unit"]:
            unit = OrgUnit.objects.filter(code=opts["unit"]).first()
            if unit is None:
                raise CommandError(f"no unit with code {opts['unit']!r}")
        password = self._password(opts)
        try:
            user = services.user_create(username=opts["username"], password=password, role=opts["role"], unit=unit)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        where = f" in {unit.code} ({unit.label})" if unit else ""
        self.stdout.write(f"user {user.username} ({user.role}){where} created")
        if password is None:
            self.stdout.write(f"no password set: {user.username} cannot sign in until "
                              f"`pingan changepassword {user.username}`")

    @staticmethod
    def _password(opts) -> str | None:
        """The new account's password (``None`` with ``--no-password``); ``CommandError`` when none is given."""
        if opts["no_password"]:
            return None
        empty = "the password is empty; to create an account without a password, use --no-password"
        if opts["password_stdin"]:
            try:
                password = input()
            except EOFError:
                raise CommandError("no password given: standard input ended before a line was read") from None
            if not password:
                raise CommandError(empty)
            return password
        if not sys.stdin.isatty():
            raise CommandError("standard input is not a terminal, so the password cannot be asked: "
                               "pipe it in with --password-stdin, or use --no-password")
        password = getpass.getpass("password: ")
        if not password:
            raise CommandError(empty)
        if getpass.getpass("password (again): ") != password:
            raise CommandError("the two passwords differ; nothing was created")
        return password
