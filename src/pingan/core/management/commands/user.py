"""``pingan user create USERNAME --role ROLE [--unit CODE] [--display-name NAME]``: create an account (password
prompted); ``pingan user rename USERNAME --display-name NAME``: change the name pages show for it.

Pages greet and list an account by its display name ("您好，陈志强"); without one they say its role and unit
("莲前派出所民警"), never the user name, a login (issue 11: "您好，demo_officer").

The password is asked twice on a terminal, read from standard input with ``--password-stdin``, or left
unset with ``--no-password`` (the account cannot sign in until ``pingan changepassword``). Nothing else
creates an account without a password: without a terminal and without either option the command refuses,
and so does an empty password (a script that forgot ``--password-stdin`` must not make a dead account).

A citizen account made here has no real-name identity and cannot book or apply: the command warns (citizens
register on the site, ``citizen.services.citizen_register``). Output follows the other commands: lines naming
the object (``user alice (landlord) created``), errors as
``CommandError`` in the same style (``no unit with code '…'``, like ``no user '…'`` of ``token``), in the
command's language (``pingan`` activates it from ``PINGAN_LANGUAGE`` or the locale), the password rules'
messages included.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import services
from pingan.core.command import PinganCommand, command_error, read_new_password
from pingan.core.errors import DomainError
from pingan.core.models import OrgUnit, Role, User


class Command(PinganCommand):
    help = gettext_lazy(
        "Create an account with a role (and a unit for police roles).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create", help=_("create an account; the password is prompted (or read from stdin)"))
        c.add_argument("username", help=_("the user name to sign in with"))
        c.add_argument("--role", required=True, choices=Role.values, help=_("the account's role"))
        c.add_argument("--unit", default="", help=_("unit code, e.g. 350203-LQ (police roles)"))
        c.add_argument("--display-name", default="",
                       help=_("the name pages show for the account (without one, pages say its role and unit)"))
        how = c.add_mutually_exclusive_group()
        how.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))
        how.add_argument("--no-password", action="store_true",
                         help=_("create the account without a password (it cannot sign in until "
                                 "`pingan changepassword`)"))
        r = sub.add_parser("rename", help=_("change the name pages show for an account"))
        r.add_argument("username", help=_("the account's user name"))
        r.add_argument("--display-name", required=True,
                       help=_("the new display name (empty: pages say the account's role and unit)"))

    def handle(self, *args, **opts):
        if opts["action"] == "rename":
            return self._rename(opts)
        unit = None
        if opts["unit"]:
            unit = OrgUnit.objects.filter(code=opts["unit"]).first()
            if unit is None:
                raise CommandError(_("no unit with code %(code)s") % {"code": repr(opts["unit"])})
        password = self._password(opts)
        try:
            user = services.user_create(username=opts["username"], password=password, role=opts["role"], unit=unit,
                                        display_name=opts["display_name"])
        except DomainError as exc:
            raise command_error(exc) from None
        role = user.role_label  # the role as the reader and the unit say it (``--role`` takes the code)
        if unit:
            self.stdout.write(_("user %(name)s (%(role)s) in %(code)s (%(unit)s) created") % {
                "name": user.username, "role": role, "code": unit.code, "unit": unit.label})
        else:
            self.stdout.write(_("user %(name)s (%(role)s) created") % {"name": user.username, "role": role})
        if password is None:
            self.stdout.write(_("no password set: %(name)s cannot sign in until `%(command)s`") % {
                "name": user.username, "command": f"pingan changepassword {user.username}"})
        if user.role == Role.CITIZEN:
            # a citizen books and applies under a real-name identity, which this command does not take (issue
            # 11's trial learnt it only on pressing 预约): the pages say so, and so does the command
            self.stderr.write(_("warning: %(name)s has no real-name identity (name and ID number), so it cannot "
                                "book appointments or apply for a residence permit; citizens open their accounts "
                                "on the site's citizen sign-up page (%(path)s)") % {
                "name": user.username, "path": "/citizen/register/"})

    def _rename(self, opts) -> None:
        user = User.objects.select_related("unit").filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(_("no user %(name)s") % {"name": repr(opts["username"])})
        try:
            services.user_set_display_name(user=user, display_name=opts["display_name"])
        except DomainError as exc:
            raise command_error(exc) from None
        self.stdout.write(_("user %(name)s is now shown as %(shown)s") % {"name": user.username,
                                                                          "shown": user.shown_name})

    @staticmethod
    def _password(opts) -> str | None:
        """The new account's password (``None`` with ``--no-password``); ``CommandError`` when none is given."""
        if opts["no_password"]:
            return None
        return read_new_password(
            from_stdin=opts["password_stdin"],
            empty=_("the password is empty; to create an account without a password, use --no-password"),
            no_terminal=_("standard input is not a terminal, so the password cannot be asked: pipe it in "
                          "with --password-stdin, or use --no-password"),
            differ=_("the two passwords differ; nothing was created"))
