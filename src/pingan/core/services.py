"""Core services: every write to core models goes through one of these functions.

Services are keyword-only, typed, atomic, and raise :class:`~pingan.core.errors.DomainError`.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.translation import ngettext

from pingan.core import audit
from pingan.core.errors import DomainError, NotFound, PermissionDenied, outside_text
from pingan.core.models import POLICE_ROLES, SUBMITTER_ROLES, UNIT_ROLES, ApiToken, OrgUnit, Premises, Role, User
from pingan.core.scoping import ABOVE_STATION, decides_registration
from pingan.core.texts import moment
from pingan.lib import adcodes

# ---------------------------------------------------------------- organisation units


def _path_segment(pk: int) -> str:
    return f"{pk:06d}/"


@transaction.atomic
def orgunit_create(*, code: str, name: str, kind: str, parent: OrgUnit | None = None,
                   adcodes_covered: list[str] | None = None, name_en: str = "") -> OrgUnit:
    """Create a unit under ``parent`` (``None`` only for a bureau) covering the given adcodes; ``name_en``:
    its name on English pages when it has one of its own (else ``name`` everywhere).

    Raises ``DomainError`` for a kind out of order (a station directly under the bureau is allowed, an
    area under a branch is not) or an adcode that is not a GB/T 2260 code.
    """
    order = [OrgUnit.Kind.BUREAU, OrgUnit.Kind.BRANCH, OrgUnit.Kind.STATION, OrgUnit.Kind.AREA]
    roots = {OrgUnit.Kind.BUREAU, OrgUnit.Kind.PROCURATORATE, OrgUnit.Kind.COURT}
    if kind not in OrgUnit.Kind.values:
        raise DomainError(f"unknown unit kind {kind!r}", code="bad_unit_kind")
    if parent is None and kind not in roots:
        raise DomainError("only a bureau, procuratorate or court may have no parent unit", code="bad_unit_parent")
    if parent is not None and kind in roots:
        raise DomainError(f"a {kind} is the root of its own tree", code="bad_unit_parent")
    if kind == OrgUnit.Kind.CENTRE and parent.kind != OrgUnit.Kind.BUREAU:
        raise DomainError("a centre sits directly under the bureau", code="bad_unit_parent")
    if kind in order and parent is not None and (
            parent.kind not in order or order.index(kind) <= order.index(parent.kind)):
        raise DomainError(f"a {kind} cannot sit under a {parent.kind}", code="bad_unit_parent")
    codes = list(adcodes_covered or [])
    for c in codes:
        if len(c) == 6 and not adcodes.exists(c):
            raise DomainError(f"{c} is not a GB/T 2260 administrative code", code="unknown_adcode",
                              params={"adcode": c})
        if len(c) not in (6, 9, 12) or not c.isdigit():
            raise DomainError(f"{c!r}: an adcode has 6 (county), 9 (township) or 12 digits", code="bad_adcode")
    unit = OrgUnit.objects.create(code=code, name=name, name_en=name_en, kind=kind, parent=parent, adcodes=codes,
                                  path=f"tmp-{secrets.token_hex(8)}")
    unit.path = (parent.path if parent else "") + _path_segment(unit.pk)
    unit.save(update_fields=["path"])
    return unit


def known_adcode(adcode: str) -> str:
    """``adcode`` without surrounding spaces when it is a GB/T 2260 code of 6, 9 or 12 digits whose area exists;
    ``DomainError`` (``unknown_adcode``) otherwise. What a premises' and a sign-up's area code must be."""
    adcode = (adcode or "").strip()
    if not (adcode.isdigit() and len(adcode) in (6, 9, 12)) or not adcodes.exists(adcode[:6]):
        raise DomainError(f"{adcode!r} is not a known administrative area code", code="unknown_adcode",
                          params={"adcode": adcode})
    return adcode


def unit_for_adcode(adcode: str) -> OrgUnit:
    """The responsible unit for a place: the deepest unit whose covered code is the longest prefix.

    Ties on the same code go to the deeper unit (a station covering a township beats its branch covering
    the county). Raises ``DomainError`` (``no_responsible_unit``) when no unit covers it.
    """
    best: tuple[int, int, OrgUnit] | None = None
    territorial = (OrgUnit.Kind.BUREAU, OrgUnit.Kind.BRANCH, OrgUnit.Kind.STATION, OrgUnit.Kind.AREA)
    for unit in OrgUnit.objects.filter(kind__in=territorial):
        for code in unit.adcodes:
            if adcode.startswith(code):
                key = (len(code), unit.depth)
                if best is None or key > best[:2]:
                    best = (key[0], key[1], unit)
    if best is None:
        raise DomainError(f"no police unit covers administrative area {adcode}; ask the bureau to assign one",
                          code="no_responsible_unit", params={"adcode": adcode})
    return best[2]


# ---------------------------------------------------------------- users and tokens


@transaction.atomic
def user_create(*, username: str, password: str | None, role: str, unit: OrgUnit | None = None,
                display_name: str = "", email: str = "") -> User:
    """Create an account. Police roles and auditors need a unit; submitters and citizens must not have one.

    A password must pass Django's ``AUTH_PASSWORD_VALIDATORS`` (``DomainError`` ``weak_password``, saying
    which rule failed); ``None`` creates an account that cannot sign in until a password is set.
    """
    if role not in Role.values:
        raise DomainError(f"unknown role {role!r}", code="bad_role")
    if role in UNIT_ROLES - {Role.AUDITOR} and unit is None:
        raise DomainError(f"an account with role '{role}' must belong to a unit", code="unit_required")
    if (role in SUBMITTER_ROLES or role == Role.CITIZEN) and unit is not None:
        raise DomainError(f"an account with role '{role}' does not belong to a police unit", code="unit_not_allowed")
    _require_free_username(username)
    display_name = _clean_display_name(display_name)
    user = User(username=username, role=role, unit=unit, display_name=display_name, email=email,
                is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    if password:
        _require_strong(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


#: Longest display name (``User.display_name``).
DISPLAY_NAME_MAX = 100


def _clean_display_name(display_name: str) -> str:
    """``display_name`` with its spaces collapsed; ``DomainError`` ``name_too_long`` over :data:`DISPLAY_NAME_MAX`."""
    name = " ".join((display_name or "").split())
    if len(name) > DISPLAY_NAME_MAX:
        raise DomainError(f"the display name is {len(name)} characters; the limit is {DISPLAY_NAME_MAX}",
                          code="name_too_long", params={"length": len(name), "limit": DISPLAY_NAME_MAX})
    return name


@transaction.atomic
def user_set_display_name(*, user: User, display_name: str) -> User:
    """Give ``user`` the name pages show for it (``pingan user rename``); empty clears it (pages then say the
    role and unit: ``User.shown_name``). ``DomainError`` ``name_too_long``. Audited ``rename`` with both names."""
    name = _clean_display_name(display_name)
    before = user.display_name
    user.display_name = name
    user.save(update_fields=["display_name"])
    audit.record(None, "rename", "User", user.pk, detail={"from": before, "to": name})
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str) -> User:
    """Give ``user`` a new password (``pingan changepassword``); ``DomainError`` ``weak_password`` as
    :func:`user_create` when it breaks an ``AUTH_PASSWORD_VALIDATORS`` rule."""
    _require_strong(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def _require_free_username(username: str) -> None:
    """``DomainError`` ``username_taken`` when an account has ``username`` already."""
    if User.objects.filter(username=username).exists():
        raise DomainError(f"the username {username!r} is taken", code="username_taken", params={"username": username})


def _require_strong(password: str, user: User) -> None:
    """``DomainError`` ``weak_password`` when ``password`` breaks a rule of ``AUTH_PASSWORD_VALIDATORS`` (length,
    common, similarity to the account's names)."""
    failures = _password_failures(password, user)
    if failures:
        rules = ", ".join(sorted({code for _, code, _ in failures}))
        with translation.override("en"):
            english = _password_problems(failures)
        # The API and the CLI say it in English; a page shows Django's own messages for the broken rules
        # in the viewer's language (core.error_messages: weak_password).
        raise DomainError(f"the password for {user.username!r} is too weak ({rules}): {english}",
                          code="weak_password",
                          params={"username": user.username, "problems": lazy(_password_problems, str)(failures)})


def _password_failures(password: str, user: User) -> list[tuple[object, str, dict]]:
    """(validator, code, params) of every ``AUTH_PASSWORD_VALIDATORS`` rule that ``password`` breaks.

    A verbose name in the params (the similarity rule names the field) is kept lazy, so the message reads in
    the language of whoever sees it rather than the one active when the password was checked.
    """
    fields = {str(f.verbose_name): f.verbose_name for f in user._meta.concrete_fields}
    failures = []
    with translation.override("en"):
        for validator in get_default_password_validators():
            try:
                validator.validate(password, user)
            except ValidationError as exc:
                for e in exc.error_list:
                    params = dict(e.params or {})
                    if "verbose_name" in params:
                        params["verbose_name"] = fields.get(params["verbose_name"], params["verbose_name"])
                    failures.append((validator, e.code or "invalid", params))
    return failures


def _password_problems(failures: list[tuple[object, str, dict]]) -> str:
    """Django's own message for each broken password rule, in the active language."""
    texts = []
    for validator, code, params in failures:
        if code == "password_too_short":
            # Django 5.2's own wording ("at least %d characters") has no Chinese in its catalogue yet; the
            # earlier wording, with the same meaning, has.
            message = ngettext("This password is too short. It must contain at least %(min_length)d character.",
                               "This password is too short. It must contain at least %(min_length)d characters.",
                               params["min_length"])
        else:
            message = validator.get_error_message() if hasattr(validator, "get_error_message") else code
        texts.append(message % params if params else message)
    return " ".join(texts)


TOKEN_PREFIX = "pa_"  # noqa: S105 - a marker, not a secret


@dataclass(frozen=True)
class NewToken:
    """A freshly created token: ``secret`` is shown once and never stored."""

    token: ApiToken
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, purpose: str = "") -> NewToken:
    """Create an API token acting as ``user``. The returned ``secret`` is ``pa_<prefix>_<random>``.

    A police account's token needs a purpose of use (a code of ``core.audit.PURPOSES``), recorded with each
    read through it (``DomainError`` ``purpose_required`` / ``bad_purpose``); other roles' tokens have none.
    """
    purpose = purpose.strip()
    if purpose and purpose not in audit.PURPOSES:
        raise DomainError(f"{purpose!r} is not a purpose of use; use one of {', '.join(sorted(audit.PURPOSES))}",
                          code="bad_purpose", params={"purpose": purpose, "choices": sorted(audit.PURPOSES)})
    if user.role in POLICE_ROLES and not purpose:
        raise DomainError(f"a token of the police account {user.username!r} needs a purpose of use, one of "
                          f"{', '.join(sorted(audit.PURPOSES))}", code="purpose_required",
                          message_id="token_purpose_required")
    if user.role not in POLICE_ROLES:
        purpose = ""
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    tok = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=_digest(secret), purpose=purpose)
    audit.record(user, "token_create", "ApiToken", tok.pk, detail={"prefix": prefix, "purpose": purpose})
    return NewToken(tok, secret)


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    """Revoke a token; only its owner or an administrator may. Raises ``NotFound`` otherwise."""
    tok = ApiToken.objects.filter(pk=token_id).first()
    if tok is None or (tok.user_id != actor.pk and actor.role != Role.ADMIN):
        raise NotFound("no such token")
    if tok.revoked_at is None:
        tok.revoked_at = timezone.now()
        tok.save(update_fields=["revoked_at"])
        audit.record(actor, "token_revoke", "ApiToken", tok.pk)
    return tok


def token_authenticate_full(secret: str) -> ApiToken | None:
    """The active token a presented secret names (``.user`` its account, ``.purpose`` its purpose), or
    ``None`` (unknown, revoked, inactive user).

    Updates ``last_used_at`` at most once a minute per token, so authentication does not write on every call.
    """
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    tok = ApiToken.objects.select_related("user", "user__unit").filter(digest=_digest(secret)).first()
    if tok is None or tok.revoked_at is not None or not tok.user.is_active:
        return None
    now = timezone.now()
    if tok.last_used_at is None or (now - tok.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=tok.pk).update(last_used_at=now)
    return tok


def token_authenticate(secret: str) -> User | None:
    """The active account a presented token acts as, or ``None`` (see :func:`token_authenticate_full`)."""
    tok = token_authenticate_full(secret)
    return tok.user if tok is not None else None


# ---------------------------------------------------------------- premises


@transaction.atomic
def premises_create(*, actor: User, name: str, kind: str, address: str, adcode: str, room: str = "",
                    owner: User | None = None, unit: OrgUnit | None = None) -> Premises:
    """Register a premises. Submitters register their own; administrators may register for a submitter.

    The responsible unit is derived from ``adcode`` (:func:`unit_for_adcode`). A premises is a place: its
    ``address`` and ``room`` (the flat, room or shop number), compared by :func:`place_key` — so two flats or two
    shops of one building are two premises, and the name (which owners change, and which two flats may share) is
    not part of it. Raises ``DomainError`` for an unknown adcode or kind, ``premises_exists`` when the owner
    already has a premises (not removed) at that place (``extra``/``params``: its id, name, address, room),
    ``name_required`` / ``address_required`` for an empty name or address, ``PermissionDenied`` for a role
    that may not register premises.
    """
    if actor.role in SUBMITTER_ROLES:
        owner = actor
    elif actor.role != Role.ADMIN or owner is None:
        raise PermissionDenied("only enterprises and landlords register premises",
                               message_id="premises_create_not_allowed")
    if owner.role not in SUBMITTER_ROLES:
        raise DomainError("a premises belongs to an enterprise or landlord account", code="bad_owner")
    if kind not in Premises.Kind.values:
        raise DomainError(f"unknown premises kind {kind!r}; use enterprise or rental", code="bad_kind",
                          message_id="bad_premises_kind", params={"kind": kind})
    name = outside_text(name, field="premises name", field_zh="场所名称").strip()
    address = outside_text(address, field="address", field_zh="地址").strip()
    room = outside_text(room, field="room number", field_zh="房号").strip()
    if not name:
        raise DomainError("a premises needs a name", code="name_required",
                          message_id="premises_name_required")
    if not _place_key(address):
        raise DomainError("a premises needs an address", code="address_required",
                          message_id="premises_address_required")
    adcode = known_adcode(adcode)
    derived = unit_for_adcode(adcode)
    # ``unit``: the station that confirmed a sign-up given at district level, inside the derived unit's subtree
    unit = unit if unit is not None and unit.path.startswith(derived.path) else derived
    # one owner, one registration per place: the owner's row is locked so that a form sent twice at once
    # cannot register it twice either
    User.objects.select_for_update().filter(pk=owner.pk).values_list("pk").first()
    other = premises_at(owner=owner, address=address, room=room)
    if other is not None:
        where = other.place
        raise DomainError(f"premises {other.pk} ({other.name}, {where}) is already registered at this address",
                          code="premises_exists", extra={"premises_id": other.pk},
                          params={"premises_id": other.pk, "name": other.name, "address": where})
    premises = Premises.objects.create(name=name, kind=kind, address=address, room=room, adcode=adcode,
                                       owner=owner, unit=unit)
    audit.record(actor, "create", "Premises", premises.pk)
    return premises


def place_key(address: str, room: str = "") -> str:
    """The identity of a premises: its address and room compared by :func:`_place_key` — ``莲前东路1号`` +
    ``101室`` = ``莲前东路1号101室`` = ``莲前东路 1 号 101 室``."""
    return _place_key(f"{address}{room}")


def _place_key(text: str) -> str:
    """A premises name or address compared for sameness: NFKC, case-folded, without spaces and punctuation
    (``莲前东路 1号`` = ``莲前东路1号`` = ``莲前东路１号``)."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def premises_at(*, owner: User, address: str, room: str = "", exclude: int | None = None) -> Premises | None:
    """The owner's premises (not removed) at ``address`` + ``room`` (:func:`place_key`), or ``None``."""
    key = place_key(address, room)
    others = Premises.objects.filter(owner=owner, archived_at__isnull=True).only("pk", "name", "address", "room")
    for other in others.exclude(pk=exclude) if exclude else others:
        if place_key(other.address, other.room) == key:
            return other
    return None


#: Longest premises name (``Premises.name``).
PREMISES_NAME_MAX = 200


def premises_removed(premises: Premises) -> DomainError:
    """The refusal of every write to a premises its owner removed (a roster, a code, a correction request, a
    rename): ``premises_removed``, naming it."""
    return DomainError(f"premises {premises.pk} was removed by its owner", code="premises_removed",
                       params={"name": premises.name})


def _own_premises(actor: User, premises: Premises, what: str) -> Premises:
    """``premises`` locked, when ``actor`` owns it and it was not removed; ``PermissionDenied`` otherwise."""
    locked = Premises.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=premises.pk).first()
    if locked is None or actor is None or locked.owner_id != actor.pk or not actor.is_active:
        raise PermissionDenied(f"only the premises' owner may {what} it", message_id="premises_change_not_allowed")
    if locked.archived_at is not None:
        raise premises_removed(locked)
    return locked


@transaction.atomic
def premises_rename(*, actor: User, premises: Premises, name: str) -> Premises:
    """The owner renames a premises; the old name is kept (:class:`~pingan.core.models.PremisesNameChange`) and
    the change audited (``rename``, with both names). The live safety code keeps the name it was signed with
    until the next code (the poster on the door carries it too). Raises ``PermissionDenied`` (not the owner),
    ``premises_removed``, ``name_required``, ``name_too_long``, ``no_change``."""
    from pingan.core.models import PremisesNameChange

    premises = _own_premises(actor, premises, "rename")
    name = (name or "").strip()
    if not name:
        raise DomainError("a premises needs a name", code="name_required",
                          message_id="premises_name_required")
    if len(name) > PREMISES_NAME_MAX:
        raise DomainError(f"the name is {len(name)} characters; the limit is {PREMISES_NAME_MAX}",
                          code="name_too_long", params={"length": len(name), "limit": PREMISES_NAME_MAX})
    if name == premises.name:
        raise DomainError("the premises already has this name", code="no_change", message_id="same_name",
                          params={"name": name})
    PremisesNameChange.objects.create(premises=premises, old_name=premises.name, new_name=name, changed_by=actor)
    audit.record(actor, "rename", "Premises", premises.pk, detail={"from": premises.name, "to": name})
    premises.name = name
    premises.save(update_fields=["name"])
    return premises


@dataclass(frozen=True)
class Removed:
    """What :func:`premises_remove` did: ``outcome`` is ``deleted`` (nothing recorded it) or ``archived``."""

    premises_id: int
    name: str
    outcome: str


@transaction.atomic
def premises_remove(*, actor: User, premises: Premises) -> Removed:
    """The owner removes a premises.

    Deleted when nothing refers to it (no screening, code, correction request or access change): a premises
    registered by mistake leaves no trace but the audit record (``delete``, with its name and address).
    Archived otherwise (``archived_at``; audited ``archive``): its screenings, codes and the audit trail are
    records of what was checked and who read it, kept under the retention rules (docs/screening.md,
    "Retention": person data is purged on schedule, the rows stay) and referred to by them, so the row stays;
    it leaves the owner's and the police lists and takes no roster, renewal or correction. Refused
    (``premises_busy``) while a roster of it is being screened, and (``premises_code_live``) while its safety
    code is valid — a poster on the door must not outlive the premises unnoticed: the station revokes it, or
    it expires. Raises ``PermissionDenied`` (not the owner) and ``premises_removed`` (already removed).
    """
    from django.db.models.deletion import ProtectedError

    from pingan.codes.models import SafetyCode
    from pingan.screening.models import ScreeningJob

    premises = _own_premises(actor, premises, "remove")
    if ScreeningJob.objects.filter(premises=premises, status__in=["queued", "running"]).exists():
        raise DomainError(f"a roster of premises {premises.pk} is being screened; remove it when it has finished",
                          code="premises_busy", params={"name": premises.name})
    live = SafetyCode.objects.filter(premises=premises, revoked_at__isnull=True,
                                     expires_at__gt=timezone.now()).order_by("-expires_at").first()
    if live is not None:
        raise DomainError(f"the safety code of premises {premises.pk} is valid until "
                          f"{live.expires_at.isoformat()}; remove the premises when it has expired, or ask the "
                          f"station to revoke it", code="premises_code_live",
                          params={"name": premises.name, "unit": premises.unit.label,
                                  "until": moment(live.expires_at)})
    snapshot = {"name": premises.name, "address": premises.address, "room": premises.room,
                "adcode": premises.adcode, "unit": premises.unit.code}
    pk = premises.pk
    if not ScreeningJob.objects.filter(premises=premises).exists() \
            and not SafetyCode.objects.filter(premises=premises).exists():
        try:
            with transaction.atomic():
                premises.delete()  # its name changes go with it
        except ProtectedError:
            pass  # something else records it (a correction request, an access change): archive instead
        else:
            audit.record(actor, "delete", "Premises", pk, detail=snapshot)
            return Removed(pk, snapshot["name"], "deleted")
    premises.archived_at = timezone.now()
    premises.save(update_fields=["archived_at"])
    audit.record(actor, "archive", "Premises", pk, detail=snapshot)
    return Removed(pk, snapshot["name"], "archived")


def premises_or_404(premises_id: int) -> Premises:
    p = Premises.objects.filter(pk=premises_id).first()
    if p is None:
        raise NotFound(f"premises {premises_id} not found")
    return p


# ---------------------------------------------------------------- access changes (four-eyes)

#: Longest reason or note of an access change, in characters.
ACCESS_TEXT_MAX = 2000


def _access_admin(actor, what: str) -> None:
    if actor is None or not actor.is_authenticated or actor.role != Role.ADMIN or not actor.is_active:
        raise PermissionDenied(f"only an administrator may {what}", message_id="access_change_not_allowed")


def _user_access_errors(role: str, unit: OrgUnit | None) -> None:
    if role not in Role.values:
        raise DomainError(f"unknown role {role!r}", code="bad_role", params={"role": role})
    if role in UNIT_ROLES - {Role.AUDITOR} and unit is None:
        raise DomainError(f"an account with role '{role}' must belong to a unit", code="unit_required",
                          params={"role": role})
    if (role in SUBMITTER_ROLES or role == Role.CITIZEN) and unit is not None:
        raise DomainError(f"an account with role '{role}' does not belong to a police unit", code="unit_not_allowed",
                          params={"role": role})


_UNSET = object()


@transaction.atomic
def access_change_request(*, actor: User, reason: str, user: User | None = None, premises: Premises | None = None,
                          role: str | None = None, unit=_UNSET, owner: User | None = None):
    """Ask for an account's ``role``/``unit``, or a premises' ``unit``/``owner``, to change; nothing changes
    until a second administrator approves (:func:`access_change_approve`). Audited (``access_change_request``).

    ``unit`` is an :class:`OrgUnit` (``None`` takes an account out of every unit). Raises ``PermissionDenied``
    (not an administrator), ``DomainError`` ``reason_required``, ``no_change``, ``bad_role``,
    ``unit_required``, ``unit_not_allowed``, ``bad_owner``.
    """
    from pingan.core.models import AccessChange

    _access_admin(actor, "request a change of role, unit or owner")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("a change of role, unit or owner needs a reason", code="access_reason_required")
    reason = reason[:ACCESS_TEXT_MAX]
    if (user is None) == (premises is None):
        raise DomainError("name either an account or a premises", code="bad_target")
    # compare with the stored values, not with what the caller's copy of the row says
    user = User.objects.get(pk=user.pk) if user is not None else None
    premises = Premises.objects.get(pk=premises.pk) if premises is not None else None
    changes: dict[str, list] = {}
    if user is not None:
        new_role = user.role if role is None else role
        new_unit = user.unit if unit is _UNSET else unit
        _user_access_errors(new_role, new_unit)
        if new_role != user.role:
            changes["role"] = [user.role, new_role]
        if (new_unit.pk if new_unit else None) != user.unit_id:
            changes["unit"] = [user.unit_id, new_unit.pk if new_unit else None]
    else:
        if role is not None:
            raise DomainError("a premises has no role", code="bad_target")
        if unit is not _UNSET:
            if unit is None:
                raise DomainError("a premises always has a responsible unit", code="unit_required",
                                  params={"role": ""})
            if unit.pk != premises.unit_id:
                changes["unit"] = [premises.unit_id, unit.pk]
        if owner is not None:
            if owner.role not in SUBMITTER_ROLES:
                raise DomainError(f"{owner.username} is not an enterprise or landlord account", code="bad_owner")
            if owner.pk != premises.owner_id:
                changes["owner"] = [premises.owner_id, owner.pk]
    if not changes:
        raise DomainError("nothing would change", code="no_change")
    change = AccessChange.objects.create(user=user, premises=premises, changes=changes, reason=reason,
                                         requested_by=actor)
    audit.record(actor, "access_change_request", "User" if user else "Premises", (user or premises).pk,
                 detail={"change": change.pk, "changes": changes})
    return change


def _access_decidable(change, actor) -> None:
    _access_admin(actor, "decide a change of role, unit or owner")
    if actor.pk == change.requested_by_id:
        raise DomainError("four-eyes rule: the requester cannot decide their own request", code="access_four_eyes",
                          params={"change": change.pk})
    if change.user_id is not None and actor.pk == change.user_id:
        raise DomainError("an administrator cannot approve a change of their own account", code="access_four_eyes",
                          params={"change": change.pk})
    if change.status != change.Status.REQUESTED:
        raise DomainError(f"access change {change.pk} was already {change.status}", code="access_change_decided",
                          params={"change": change.pk})


@transaction.atomic
def access_change_approve(*, change, actor: User, note: str = ""):
    """Apply a requested access change: a second administrator, neither the requester nor the account
    changed, approves it. Applied only while the target still has the values it had when requested
    (``access_change_stale`` otherwise: the request stays open, to be rejected). Audited on the target
    (``access_change_approve``, with before and after)."""
    from pingan.core.models import AccessChange

    change = AccessChange.objects.select_for_update().get(pk=change.pk)
    _access_decidable(change, actor)
    if change.user_id is not None:
        target = User.objects.select_for_update().get(pk=change.user_id)
        now = {"role": target.role, "unit": target.unit_id}
    else:
        target = Premises.objects.select_for_update().get(pk=change.premises_id)
        now = {"unit": target.unit_id, "owner": target.owner_id}
    if any(now[field] != before for field, (before, _after) in change.changes.items()):
        raise DomainError(f"access change {change.pk} was requested for values that have changed since; reject it "
                          f"and request again", code="access_change_stale", params={"change": change.pk})
    fields = []
    for field, (_before, after) in change.changes.items():
        if field == "role":
            target.role = after
            target.is_staff = target.is_superuser = after == Role.ADMIN
            fields += ["role", "is_staff", "is_superuser"]
        else:
            setattr(target, f"{field}_id", after)
            fields.append(field)
    target.save(update_fields=fields)
    change.status, change.decided_by, change.decided_at = AccessChange.Status.APPROVED, actor, timezone.now()
    change.decision_note = (note or "").strip()[:ACCESS_TEXT_MAX]
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor, "access_change_approve", "User" if change.user_id else "Premises", target.pk,
                 detail={"change": change.pk, "changes": change.changes, "requested_by": change.requested_by_id})
    return change


@transaction.atomic
def access_change_reject(*, change, actor: User, note: str = ""):
    """Reject a requested access change (same deciders as :func:`access_change_approve`). Audited."""
    from pingan.core.models import AccessChange

    change = AccessChange.objects.select_for_update().get(pk=change.pk)
    _access_decidable(change, actor)
    change.status, change.decided_by, change.decided_at = AccessChange.Status.REJECTED, actor, timezone.now()
    change.decision_note = (note or "").strip()[:ACCESS_TEXT_MAX]
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor, "access_change_reject", "User" if change.user_id else "Premises",
                 change.user_id or change.premises_id, detail={"change": change.pk})
    return change


# ---------------------------------------------------------------- self-registration (自主申报)

#: Sign-ups accepted per client address and hour (``PINGAN["SIGNUP_PER_HOUR"]``): a brake on a script filling
#: a station's queue; a family or a shop registering two premises is far below it.
SIGNUP_PER_HOUR = 5
#: Longest phone number kept; a phone number has 7 to 15 digits (E.164), with ``+``, spaces and ``-`` allowed.
PHONE_MAX = 20


def _signup_limit() -> int:
    from django.conf import settings

    return int(settings.PINGAN.get("SIGNUP_PER_HOUR", SIGNUP_PER_HOUR))


def signup_rate_hit(client_addr: str) -> int | None:
    """Count one sign-up attempt from ``client_addr`` in the current hour; the minutes until the window ends when
    it is over :data:`SIGNUP_PER_HOUR`, else ``None``."""
    import time

    from pingan.core import ratelimit

    now = time.time()
    key = ratelimit.window_key("pingan.core.signup-rate", client_addr, 3600, now=now)
    if ratelimit.hit(key, ttl=3700) > _signup_limit():
        return max(1, round((3600 - now % 3600) / 60))
    return None


def _clean_phone(phone: str) -> str:
    phone = " ".join((phone or "").split())
    digits = [c for c in phone if c.isdigit()]
    if len(phone) > PHONE_MAX or not 7 <= len(digits) <= 15 or any(not (c.isdigit() or c in "+- ") for c in phone):
        raise DomainError("a phone number has 7 to 15 digits (spaces, “-” and a leading “+” allowed)",
                          code="bad_phone")
    return phone


def registration_problems(*, username: str, password: str, phone: str, adcode: str) -> dict[str, DomainError]:
    """Every field of a sign-up that :func:`registration_submit` would refuse, at once (field name → its
    ``DomainError``: ``username`` taken, ``password`` weak, ``phone`` malformed, ``adcode`` unknown or covered
    by no station), so a page says them all beside their fields rather than the first one alone. Reads only."""
    problems: dict[str, DomainError] = {}
    username = (username or "").strip()
    checks = (("username", lambda: _require_free_username(username)),
              ("phone", lambda: _clean_phone(phone)),
              ("password", lambda: _require_strong(password, User(username=username))),
              ("adcode", lambda: unit_for_adcode(known_adcode(adcode))))
    for field, check in checks:
        if (field == "username" and not username) or (field == "adcode" and not (adcode or "").strip()) \
                or (field == "password" and not password):
            continue  # a required field left empty: the form says so
        try:
            check()
        except DomainError as exc:
            problems[field] = exc
    return problems


@transaction.atomic
def registration_submit(*, username: str, password: str, role: str, display_name: str, phone: str,
                        premises_name: str, address: str, adcode: str, room: str = "", client_addr: str = ""):
    """A landlord or enterprise registers an account and its first premises (自主申报).

    Creates the account **inactive** (it cannot sign in) and a :class:`~pingan.core.models.Registration` routed
    to the station whose jurisdiction the premises lies in (:func:`unit_for_adcode`); nothing else exists until
    police of that station confirm it (:func:`registration_approve`). Audited (``registration_submit``, no
    account acting). Raises ``DomainError``: ``bad_role`` (only landlord or enterprise), ``name_required``,
    ``address_required``, ``bad_phone``, ``unknown_adcode``, ``no_responsible_unit``, ``username_taken``,
    ``weak_password``.
    """
    from pingan.core.models import Registration

    if role not in (Role.LANDLORD, Role.ENTERPRISE):
        raise DomainError(f"only a landlord or an enterprise registers here, not {role!r}", code="bad_role",
                          message_id="signup_role", params={"role": role})
    display_name, premises_name = (display_name or "").strip()[:100], (premises_name or "").strip()
    address, room = (address or "").strip(), (room or "").strip()
    if not display_name or not premises_name:
        raise DomainError("give your name (or the company's) and the premises' name", code="name_required",
                          message_id="premises_name_required")
    if not _place_key(address):
        raise DomainError("a premises needs an address", code="address_required",
                          message_id="premises_address_required")
    phone = _clean_phone(phone)
    adcode = known_adcode(adcode)
    unit = unit_for_adcode(adcode)
    if not password:
        raise DomainError("choose a password", code="weak_password", message_id="password_required")
    user = user_create(username=(username or "").strip(), password=password, role=role, display_name=display_name)
    user.is_active = False
    user.save(update_fields=["is_active"])
    kind = Premises.Kind.RENTAL if role == Role.LANDLORD else Premises.Kind.ENTERPRISE
    reg = Registration.objects.create(user=user, role=role, display_name=display_name, phone=phone,
                                      premises_name=premises_name, premises_kind=kind, address=address, room=room,
                                      adcode=adcode, unit=unit, client_addr=(client_addr or "")[:64])
    audit.record(None, "registration_submit", "Registration", reg.pk,
                 detail={"unit": unit.code, "role": role, "user": user.pk})
    return reg


def _registration_decidable(reg, actor) -> None:
    from pingan.core.models import Registration

    if actor is None or not actor.is_active or not decides_registration(actor, reg.unit):
        raise PermissionDenied("only police of the station the premises belongs to confirm a registration",
                               message_id="registration_decide_not_allowed")
    if reg.status != Registration.Status.PENDING:
        raise DomainError(f"registration {reg.pk} was already {reg.status}", code="registration_decided",
                          params={"status": Registration.Status(reg.status)})


@transaction.atomic
def registration_approve(*, registration, actor: User, note: str = ""):
    """Police of the station confirm a registration (after checking who the applicant is, e.g. by phone or at
    the premises): the account becomes active and its premises is registered. Audited
    (``registration_approve``). Raises ``PermissionDenied`` (not police of the premises' station, whose
    subtree holds the registration's unit), ``registration_decided``; and what :func:`premises_create` raises."""
    from pingan.core.models import Registration

    reg = Registration.objects.select_for_update(of=("self",)).select_related("unit", "user").get(pk=registration.pk)
    _registration_decidable(reg, actor)
    user = User.objects.select_for_update().get(pk=reg.user_id)
    user.is_active = True
    user.save(update_fields=["is_active"])
    # a sign-up whose address named only the district (or city) sat with the branch above the stations: the
    # station that confirms it takes the premises, so that it lands in a jurisdiction someone works (issue 11)
    station = actor.unit if reg.unit.kind in ABOVE_STATION else None
    premises = premises_create(actor=user, name=reg.premises_name, kind=reg.premises_kind, address=reg.address,
                               room=reg.room, adcode=reg.adcode, unit=station)
    reg.status, reg.decided_by, reg.decided_at = Registration.Status.APPROVED, actor, timezone.now()
    reg.decision_note, reg.premises = (note or "").strip()[:ACCESS_TEXT_MAX], premises
    reg.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "premises"])
    audit.record(actor, "registration_approve", "Registration", reg.pk,
                 detail={"user": user.pk, "premises": premises.pk, "unit": premises.unit.code})
    return reg


@transaction.atomic
def registration_reject(*, registration, actor: User, note: str):
    """Police of the station refuse a registration, saying why (``reason_required`` without a note; the
    applicant reads it when signing in). The account stays inactive. Audited (``registration_reject``)."""
    from pingan.core.models import Registration

    reg = Registration.objects.select_for_update(of=("self",)).select_related("unit").get(pk=registration.pk)
    _registration_decidable(reg, actor)
    note = (note or "").strip()
    if not note:
        raise DomainError("say why the registration is refused", code="reason_required",
                          message_id="registration_reason_required")
    reg.status, reg.decided_by, reg.decided_at = Registration.Status.REJECTED, actor, timezone.now()
    reg.decision_note = note[:ACCESS_TEXT_MAX]
    reg.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor, "registration_reject", "Registration", reg.pk, detail={"user": reg.user_id})
    return reg


def registration_of_credentials(username: str, password: str):
    """The registration of an inactive account whose password is ``password`` (what the sign-in page tells a
    pending or refused applicant instead of "wrong password"), or ``None``; only the right password learns it."""
    from pingan.core.models import Registration

    user = User.objects.filter(username=username, is_active=False).first()
    if user is None or not user.check_password(password or ""):
        return None
    return Registration.objects.filter(user=user).exclude(status=Registration.Status.APPROVED) \
        .select_related("unit").first()
