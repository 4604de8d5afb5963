"""``pingan access``: change an account's role or unit, or a premises' unit or owner — with a second
administrator (issue 12, item 7; docs/audit.md, "Changes of role, unit and owner").

    pingan access request --as ADMIN --user NAME [--role ROLE] [--unit CODE | --no-unit] --reason TEXT
    pingan access request --as ADMIN --premises ID [--unit CODE] [--owner NAME] --reason TEXT
    pingan access approve ID --as OTHER_ADMIN [--note TEXT]
    pingan access reject ID --as OTHER_ADMIN [--note TEXT]
    pingan access list [--all]

Every step is a service call that writes the audit trail; nothing changes until the approval.
"""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import services
from pingan.core.command import PinganCommand, command_error
from pingan.core.errors import DomainError
from pingan.core.models import AccessChange, OrgUnit, Premises, Role, User


def _user(name: str) -> User:
    user = User.objects.filter(username=name).first()
    if user is None:
        raise CommandError(_("no user %(name)s") % {"name": repr(name)})
    return user


def _unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(_("no unit with code %(code)s") % {"code": repr(code)})
    return unit


def _change(pk: int) -> AccessChange:
    change = AccessChange.objects.filter(pk=pk).first()
    if change is None:
        raise CommandError(_("no access change %(id)s: pingan access list shows the requested ones") % {"id": pk})
    return change


class Command(PinganCommand):
    help = gettext_lazy(
        "Request, approve, reject and list changes of role, unit or owner (four-eyes, audited).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        r = sub.add_parser("request", help=_("ask for a change; a second administrator approves it"))
        r.add_argument("--as", dest="actor", required=True, help=_("the requesting administrator's user name"))
        target = r.add_mutually_exclusive_group(required=True)
        target.add_argument("--user", help=_("the account to change"))
        target.add_argument("--premises", type=int, help=_("the premises (id) to change"))
        r.add_argument("--role", choices=Role.values, help=_("the account's new role"))
        unit = r.add_mutually_exclusive_group()
        unit.add_argument("--unit", help=_("unit code, e.g. 350203-LQ"))
        unit.add_argument("--no-unit", action="store_true", help=_("take the account out of its unit"))
        r.add_argument("--owner", help=_("the premises' new owner (an enterprise or landlord account)"))
        r.add_argument("--reason", required=True, help=_("why the change is needed (recorded in the audit trail)"))
        for name, text in (("approve", _("approve a requested change (another administrator)")),
                           ("reject", _("reject a requested change (another administrator)"))):
            d = sub.add_parser(name, help=text)
            d.add_argument("id", type=int, help=_("the number of the requested change (pingan access list)"))
            d.add_argument("--as", dest="actor", required=True,
                           help=_("the deciding administrator's user name (not the one who asked)"))
            d.add_argument("--note", default="", help=_("a note on the decision"))
        ls = sub.add_parser("list", help=_("the requested changes (--all: decided ones too)"))
        ls.add_argument("--all", action="store_true", help=_("also list the decided changes"))

    def handle(self, *args, **opts):
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except DomainError as exc:
            raise command_error(exc) from None

    def _request(self, opts):
        kwargs: dict = {"actor": _user(opts["actor"]), "reason": opts["reason"]}
        if opts["user"]:
            kwargs["user"] = _user(opts["user"])
        else:
            premises = Premises.objects.filter(pk=opts["premises"]).first()
            if premises is None:
                raise CommandError(_("no premises %(id)s") % {"id": opts["premises"]})
            kwargs["premises"] = premises
        if opts["role"]:
            kwargs["role"] = opts["role"]
        if opts["unit"]:
            kwargs["unit"] = _unit(opts["unit"])
        elif opts["no_unit"]:
            kwargs["unit"] = None
        if opts["owner"]:
            kwargs["owner"] = _user(opts["owner"])
        change = services.access_change_request(**kwargs)
        self.stdout.write(_("access change %(id)s requested: %(what)s; another administrator approves it with "
                            "`%(command)s`") % {"id": change.pk, "what": self._describe(change),
                                                "command": f"pingan access approve {change.pk} --as NAME"})

    def _approve(self, opts):
        change = services.access_change_approve(change=_change(opts["id"]), actor=_user(opts["actor"]),
                                                note=opts["note"])
        self.stdout.write(_("access change %(id)s approved and applied: %(what)s") % {
            "id": change.pk, "what": self._describe(change)})

    def _reject(self, opts):
        change = services.access_change_reject(change=_change(opts["id"]), actor=_user(opts["actor"]),
                                               note=opts["note"])
        self.stdout.write(_("access change %(id)s rejected") % {"id": change.pk})

    def _list(self, opts):
        qs = AccessChange.objects.select_related("user", "premises", "requested_by", "decided_by")
        if not opts["all"]:
            qs = qs.filter(status=AccessChange.Status.REQUESTED)
        for c in qs:  # tab-separated, stable words (scripts read it)
            decided = f" by {c.decided_by.username}" if c.decided_by_id else ""
            self.stdout.write(f"{c.pk}\t{c.status}{decided}\t{self._describe(c, stable=True)}\trequested by "
                              f"{c.requested_by.username} at {c.requested_at:%Y-%m-%d %H:%M}: {c.reason}")

    @staticmethod
    def _describe(change: AccessChange, *, stable: bool = False) -> str:
        """``user NAME: role OLD -> NEW, …`` in the reader's words (a role's label), or with ``stable`` the
        stored codes and English field names of ``access list``'s tab-separated lines."""
        def show(field, value):
            if value is None:
                return "none" if stable else _("none")
            if field == "role" and not stable and value in Role.values:
                return str(Role(value).label)
            if field == "unit":
                return OrgUnit.objects.filter(pk=value).values_list("code", flat=True).first() or str(value)
            if field == "owner":
                return User.objects.filter(pk=value).values_list("username", flat=True).first() or str(value)
            return str(value)

        if stable:
            target = f"user {change.user.username}" if change.user_id else f"premises {change.premises_id}"
        else:
            target = (_("user %(name)s") % {"name": change.user.username} if change.user_id
                      else _("premises %(id)s") % {"id": change.premises_id})
        names = {} if stable else {"role": _("role"), "unit": _("unit"), "owner": _("owner")}
        parts = [f"{names.get(field, field)} {show(field, a)} -> {show(field, b)}"
                 for field, (a, b) in change.changes.items()]
        return f"{target}: " + ", ".join(parts)
