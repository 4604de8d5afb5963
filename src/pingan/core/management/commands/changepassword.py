"""``pingan changepassword [USERNAME] [--password-stdin]``: set an account's password, in the user's language.

Django's own ``changepassword`` (``django.contrib.auth``) writes English literals that no catalogue holds
("Changing password for user …", "Password: ", "Passwords do not match") and saves the account itself; a trial
read it in English under a Chinese locale (issue 11). This one replaces it (``pingan.core`` comes before
``django.contrib.auth`` in ``INSTALLED_APPS``, so ``pingan changepassword`` is this command): the password is
asked twice on a terminal or read from standard input with ``--password-stdin``, and set through
``core.services.user_set_password`` (the password rules of ``AUTH_PASSWORD_VALIDATORS``, said in the user's
language). Exit status 1, nothing changed, when the account does not exist, the two passwords differ or a
rule is broken.
"""

import getpass

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import services
from pingan.core.command import PinganCommand, command_error, read_new_password
from pingan.core.errors import DomainError
from pingan.core.models import User


class Command(PinganCommand):
    help = gettext_lazy("Set an account's password (asked twice on a terminal, or read from standard input).")
    requires_migrations_checks = True
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help=_("the account (default: your login name on this machine)"))
        parser.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))

    def handle(self, *args, **opts):
        username = opts["username"] or getpass.getuser()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("no user %(name)s") % {"name": repr(username)})
        if not opts["password_stdin"]:
            self.stdout.write(_("new password for %(name)s") % {"name": username})
        unchanged = _("the password of %(name)s is unchanged") % {"name": username}
        password = read_new_password(
            from_stdin=opts["password_stdin"],
            empty=_("the password is empty; %(unchanged)s") % {"unchanged": unchanged},
            no_terminal=_("standard input is not a terminal, so the password cannot be asked: pipe it in with "
                          "--password-stdin"),
            differ=_("the two passwords differ; %(unchanged)s") % {"unchanged": unchanged})
        try:
            services.user_set_password(user=user, password=password)
        except DomainError as exc:
            raise command_error(exc) from None
        self.stdout.write(_("the password of %(name)s is changed") % {"name": username})
