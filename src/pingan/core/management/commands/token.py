"""``pingan token create USERNAME NAME`` / ``pingan token revoke ID`` / ``pingan token list USERNAME``."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import services
from pingan.core.command import PinganCommand, command_error
from pingan.core.errors import DomainError
from pingan.core.models import User


class Command(PinganCommand):
    help = gettext_lazy(
        "Create, list or revoke API tokens for integrations.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        c = sub.add_parser("create", help=_("create a token (printed once)"))
        c.add_argument("username", help=_("the account the token acts as"))
        c.add_argument("name", help=_("a name that says what the token is for, e.g. the integrating system"))
        c.add_argument("--purpose", default="",
                       help=_("purpose of use of a police account's token (required for police): "
                            "epidemic_screening, case_investigation, jurisdiction_management"))
        r = sub.add_parser("revoke", help=_("revoke a token"))
        r.add_argument("token_id", type=int, help=_("the token's number (pingan token list)"))
        ls = sub.add_parser("list", help=_("list an account's tokens"))
        ls.add_argument("username", help=_("the account whose tokens to list"))

    def handle(self, *args, **opts):
        if opts["action"] in ("create", "list"):
            user = User.objects.filter(username=opts["username"]).first()
            if user is None:
                raise CommandError(_("no user %(name)s") % {"name": repr(opts["username"])})
        if opts["action"] == "create":
            try:
                new = services.token_create(user=user, name=opts["name"], purpose=opts["purpose"])
            except DomainError as exc:
                raise command_error(exc) from None
            self.stdout.write(_("token %(id)s created; it is shown only now:") % {"id": new.token.pk})
            self.stdout.write(new.secret)
        elif opts["action"] == "list":
            for t in user.api_tokens.order_by("id"):  # tab-separated, stable words (scripts read it)
                state = "revoked" if t.revoked_at else "active"
                self.stdout.write(f"{t.pk}\t{t.prefix}\t{t.name}\t{state}\tpurpose {t.purpose or '-'}\t"
                                  f"last used {t.last_used_at or '-'}")
        else:
            admin = User.objects.filter(role="admin").first()
            try:
                services.token_revoke(actor=admin, token_id=opts["token_id"])
            except DomainError as exc:
                raise command_error(exc) from None
            self.stdout.write(_("token %(id)s revoked") % {"id": opts["token_id"]})
