"""Core selectors: reads that take the actor, scope through :func:`pingan.core.scoping.scope`, and audit.

Functions named ``*_scoped`` return the actor's rows *without* recording a read: for counts and for a
selector's own look-ups, never to show the rows. Everything that shows a person goes through an audited
selector (``core.audit.record_read`` / ``core.audit.audited``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pingan.core import audit
from pingan.core.errors import NotFound, PermissionDenied
from pingan.core.models import SUBMITTER_ROLES, AuditRecord, AuditSubject, OrgUnit, Premises, Role, role_label
from pingan.core.scoping import registration_filter, scope

audit.register_object_type("Premises", _("premises"))
audit.register_object_type("ApiToken", _("API token"))
audit.register_object_type("User", _("account"))


def _describe_premises(ids: list[str]) -> dict[str, str]:
    """A premises as the audit page names it: its name and place."""
    return {str(p.pk): f"{p.label} · {p.place}" for p in Premises.objects.filter(pk__in=audit.int_ids(ids))}


def _describe_registrations(ids: list[str]) -> dict[str, str]:
    """A sign-up: the applicant (name or company) and the premises it registers."""
    from pingan.core.models import Registration

    return {str(r.pk): f"{r.display_name} · {r.premises_name}"
            for r in Registration.objects.filter(pk__in=audit.int_ids(ids)).only("display_name", "premises_name")}


def _describe_users(ids: list[str]) -> dict[str, str]:
    """An account: the name pages show for it and its user name (what an auditor searches by)."""
    from pingan.core.models import User

    return {str(u.pk): f"{u.shown_name} ({u.username})"
            for u in User.objects.filter(pk__in=audit.int_ids(ids)).select_related("unit")}


def _describe_tokens(ids: list[str]) -> dict[str, str]:
    """An API token: its name and whose it is."""
    from pingan.core.models import ApiToken

    return {str(t.pk): f"{t.name} · {t.user.username}"
            for t in ApiToken.objects.filter(pk__in=audit.int_ids(ids)).select_related("user")}


audit.register_object_describer("Premises", _describe_premises)
audit.register_object_describer("Registration", _describe_registrations)
audit.register_object_describer("User", _describe_users)
audit.register_object_describer("ApiToken", _describe_tokens)


def premises_subjects(p: Premises) -> list[audit.Subject]:
    """The person a premises row shows: its owner (an enterprise's or a landlord's account)."""
    owner = p.owner
    return [audit.Subject(name=owner.display_name or owner.username)]


def premises_scoped(*, actor, unit: OrgUnit | None = None, archived: bool = False) -> QuerySet[Premises]:
    """Premises the actor may see (optionally only within ``unit``'s subtree); unaudited (see the module).
    Premises their owner removed (``archived_at``) only with ``archived=True`` (a page of one premises)."""
    qs = scope(actor, Premises.objects.select_related("unit", "owner"))
    if not archived:
        qs = qs.filter(archived_at__isnull=True)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs


def premises_list(*, actor, unit: OrgUnit | None = None, purpose: str = "") -> QuerySet[Premises]:
    """Premises the actor may see, with unit and owner joined; the rows fetched are recorded with their
    owners, except for a submitter's own premises. ``PurposeRequired`` for a police account without a
    purpose of use."""
    qs = premises_scoped(actor=actor, unit=unit)
    if getattr(actor, "role", None) in SUBMITTER_ROLES:
        return qs  # their own premises: nobody else's data
    return audit.audited(qs, actor=actor, object_type="Premises", subjects=premises_subjects, purpose=purpose)


def premises_get(*, actor, premises_id: int, purpose: str = "") -> Premises:
    """One premises the actor may see; records the read. Raises ``NotFound`` otherwise (no existence leak)."""
    p = premises_scoped(actor=actor, archived=True).filter(pk=premises_id).first()
    if p is None:
        raise NotFound(f"premises {premises_id} not found")
    if p.owner_id != actor.pk:
        audit.record_read(actor, "Premises", p.pk, subjects=premises_subjects(p), purpose=purpose)
    return p


# ------------------------------------------------------------------------------------------- the audit trail

#: Roles that may search the audit trail.
AUDIT_READERS = frozenset({Role.AUDITOR, Role.ADMIN})


@dataclass(frozen=True)
class AuditQuery:
    """An auditor's search. Every field optional; all given ones must match.

    ``person``: a name or document number — the records that showed that person (the keyed digests of
    ``core.audit``; plus, while a screening job's person data exists, the records of jobs that hold the
    person: an app's subject resolver, :func:`pingan.core.audit.register_subject_resolver`).
    ``actor``: part of an account's user name or display name. ``unit``: a unit code (its subtree).
    An account also finds what acted on its behalf (a task it queued, a request it made), and a server account
    the commands it ran. ``agent``: ``person`` (an account acted), ``automatic`` (no account: a command, a
    task …), an :class:`~pingan.core.audit.Agent` kind (``command``, ``task`` …) or ``task:<name>``.
    ``action``, ``object_type``, ``purpose``: codes (the page offers them by label). ``since``/``until``:
    local dates, inclusive. ``with_searches``: ``False`` leaves out the searches of the trail itself (an
    auditor asking about a person would otherwise find mostly their own searches), unless ``action`` or
    ``object_type`` asks for them.
    """

    person: str = ""
    actor: str = ""
    agent: str = ""
    unit: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    purpose: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    with_searches: bool = True


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def audit_has_records_without_phones(*, actor) -> bool:
    """Whether the trail holds records written before phone numbers were kept (:data:`audit.PHONES_KEPT_SINCE`):
    only then does the audit page say that such records are found by name or ID number only (issue 11: a fresh
    install with no record before then said it). One indexed ``EXISTS``; no person is read."""
    if actor is None or actor.role not in AUDIT_READERS:
        raise PermissionDenied("only auditors may search the audit trail", message_id="audit_readers_only")
    return AuditRecord.objects.filter(at__lt=audit.PHONES_KEPT_SINCE).exists()


def audit_search(*, actor, query: AuditQuery, action: str = "search") -> QuerySet[AuditRecord]:
    """Audit records matching ``query``, newest first; only auditors and administrators may search
    (``PermissionDenied`` otherwise). The search itself is recorded (action ``search`` on ``AuditRecord``,
    ``export`` when the results are downloaded; the filters in its detail; a searched person as the record's
    subject, so the trail also answers who searched for whom)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in AUDIT_READERS:
        raise PermissionDenied("only auditors may search the audit trail", message_id="audit_readers_only")
    return _audit_search(actor, query, action)


def audit_search_from_shell(*, query: AuditQuery, action: str = "search") -> QuerySet[AuditRecord]:
    """:func:`audit_search` for ``pingan audit search`` run by someone at the server's shell (who can read
    the database anyway); recorded as the system's search."""
    return _audit_search(None, query, action)


def _audit_search(actor, query: AuditQuery, action: str = "search") -> QuerySet[AuditRecord]:
    qs = AuditRecord.objects.order_by("-seq")
    person = query.person.strip()
    if person:
        keys = audit.subject_keys_for_query(person)
        match = Q(seq__in=AuditSubject.objects.filter(key__in=keys).values("seq"))
        # a record of an object that holds the person counts only if it disclosed the object whole (a download
        # of a job): not one that lists whom it showed — a page of a job's results without the person, "showed
        # 0 people", was counted as showing them (issue 11) — nor a change (submitted, screened)
        whole = Q(action__in=audit.DISCLOSING_ACTIONS) & (~Q(detail__has_key="subjects")
                                                         | Q(detail__subjects_unknown=True))
        for object_type, object_ids in audit.resolve_subject(person).items():
            match |= whole & Q(object_type=object_type, object_id__in=[str(i) for i in object_ids])
        qs = qs.filter(match)
    if query.actor:
        from pingan.core.models import User

        ids = User.objects.filter(Q(username__icontains=query.actor) | Q(display_name__icontains=query.actor))
        qs = qs.filter(Q(actor_id__in=ids.values("pk")) | Q(actor__icontains=query.actor)
                       | Q(detail__agent__by_id__in=list(ids.values_list("pk", flat=True)[:1000]))
                       | Q(detail__agent__by__icontains=query.actor))
    if query.agent == "person":
        qs = qs.filter(actor_id__isnull=False)
    elif query.agent == "automatic":
        qs = qs.filter(actor_id__isnull=True)
    elif query.agent:
        qs = qs.filter(Q(actor=query.agent) | Q(actor__startswith=query.agent + ":"), actor_id__isnull=True)
    if query.unit:
        unit = OrgUnit.objects.filter(code=query.unit).first()
        codes = (list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("code", flat=True))
                 if unit else [query.unit])
        qs = qs.filter(unit__in=codes)
    for name in ("action", "object_type", "object_id", "purpose"):
        if value := getattr(query, name):
            qs = qs.filter(**{name: value})
    if not query.with_searches and query.action != "search" and query.object_type != "AuditRecord":
        qs = qs.exclude(action="search", object_type="AuditRecord")
    if query.since:
        qs = qs.filter(at__gte=_local_midnight(query.since))
    if query.until:
        qs = qs.filter(at__lt=_local_midnight(query.until + dt.timedelta(days=1)))
    filters = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(query).items() if v}
    filters.pop("person", None)  # a name or ID number: kept as the record's subject digests, not in clear
    filters.pop("with_searches", None)
    audit.record_read(actor, "AuditRecord", "", action=action,
                      subjects=[audit.Subject(name=person, id_number=person)] if person else [],
                      detail={"filters": filters, "person_searched": bool(person)})
    return qs


@dataclass(frozen=True)
class AuditRow:
    """One audit record as the audit page shows it: labels in the active language, not the stored codes.

    ``who``: the account's display name (or user name), or what acted without an account (a command, a
    task: :func:`pingan.core.audit.agent_text`); ``on_behalf``: for those, whose (the account that queued the
    task, the server account that ran the command); ``username``; ``role``/``unit``: labels (the unit's
    name); ``action``/``object``/``purpose``: labels; ``object_id``; ``object_text``: what an auditor knows the
    object by (``audit.describe_objects``: a masked name and ID number, a premises, a date; ``""`` when its type
    has no describer or the record is gone — the page then shows the id); ``persons``: how many people the read
    showed (``None`` when the record does not say); ``filters``: for a search of the trail, what it searched
    (labels), else ``[]``.
    """

    seq: int
    at: dt.datetime
    who: str
    on_behalf: str
    username: str
    role: str
    unit: str
    action: str
    object: str
    object_id: str
    object_text: str
    persons: int | None
    purpose: str
    client_addr: str
    request_id: str
    filters: list[str]


_FILTER_LABELS = {"actor": _("account"), "agent": _("who acted"), "unit": _("unit"), "action": _("action"),
                  "object_type": _("object"),
                  "object_id": pgettext_lazy("audit", "object id"), "purpose": _("purpose"), "since": _("from"),
                  "until": _("to")}


def agent_filter_choices() -> list[tuple[str, str]]:
    """The audit page's "who acted" choices: an account, anything automatic, each kind of agent, each
    background task (labels in the active language)."""
    out = [("person", str(_("an account (a person)"))),
           ("automatic", str(_("no account: commands, tasks …")))]
    out += [(kind, str(label)) for kind, label in audit.AGENT_KINDS.items()]
    out += [(f"task:{name}", str(label)) for name, label in sorted(audit.TASKS.items())]
    return out


def agent_filter_label(code: str) -> str:
    return dict(agent_filter_choices()).get(code, code)


def _search_filters(detail: dict, units: dict[str, str]) -> list[str]:
    """What a recorded search of the trail asked for, as ``label: value`` texts (codes shown by label; the colon
    the reader's language writes)."""
    if not isinstance(detail, dict) or not isinstance(detail.get("filters"), dict):
        return []
    show = {"action": audit.action_label, "object_type": audit.object_label, "purpose": audit.purpose_label,
            "unit": lambda code: units.get(code, code), "agent": agent_filter_label}
    from pingan.core.texts import colon

    out = [f"{_FILTER_LABELS.get(k, k)}{colon()}{show.get(k, str)(v)}" for k, v in detail["filters"].items() if v]
    if detail.get("person_searched"):
        out.insert(0, str(_("a person (name or ID number)")))
    return out


def audit_rows(records) -> list[AuditRow]:
    """``records`` (:class:`AuditRecord` rows already fetched by :func:`audit_search`) as page rows: labels
    for codes, the accounts' display names and the units' names looked up once for all rows."""
    from pingan.core.models import User

    records = list(records)
    names = dict(User.objects.filter(pk__in={r.actor_id for r in records if r.actor_id})
                 .values_list("pk", "display_name"))
    unit_codes = {r.unit for r in records if r.unit}
    for r in records:
        if r.object_type == "AuditRecord" and isinstance(r.detail, dict):
            unit_codes.add(str((r.detail.get("filters") or {}).get("unit", "")))
    found = list(OrgUnit.objects.filter(code__in=unit_codes).only("code", "name", "name_en", "kind"))
    units, kinds = {u.code: u.label for u in found}, {u.code: u.kind for u in found}
    described = audit.describe_objects((r.object_type, r.object_id) for r in records)
    rows = []
    for r in records:
        subjects = r.detail.get("subjects") if isinstance(r.detail, dict) else None
        if r.actor_id:
            who, behalf, username = names.get(r.actor_id) or r.actor, "", r.actor
        else:
            (who, behalf), username = audit.agent_text(r.detail, r.actor), ""
        rows.append(AuditRow(
            seq=r.seq, at=r.at, who=who, on_behalf=behalf, username=username,
            role=role_label(r.role, kinds.get(r.unit)), unit=units.get(r.unit, r.unit),
            action=audit.action_label(r.action),
            object=audit.object_label(r.object_type), object_id=r.object_id,
            object_text=described.get((r.object_type, r.object_id), ""),
            persons=subjects.get("n") if isinstance(subjects, dict) else None,
            purpose=audit.purpose_label(r.purpose), client_addr=r.client_addr, request_id=r.request_id,
            filters=_search_filters(r.detail, units) if r.object_type == "AuditRecord" else []))
    return rows


# ------------------------------------------------------------------------------------------- self-registration


def registration_subjects(r) -> list[audit.Subject]:
    """The person a registration shows: the applicant (their name, or the company's) and the phone the station's
    page shows to check who they are."""
    return [audit.Subject(name=r.display_name, phone=r.phone)]


def registrations_pending(*, actor, purpose: str = "") -> QuerySet:
    """Sign-ups waiting for the actor's station (officers and chiefs: their unit's subtree, and those at district
    or city level above it, ``core.scoping.registration_filter``), oldest first; the
    rows fetched are recorded as one ``list`` read naming each applicant. Other roles get none."""
    from pingan.core.models import Registration

    mine = registration_filter(actor)  # the station's, and those at district level above it (issue 11)
    if mine is None:
        return Registration.objects.none()
    qs = Registration.objects.select_related("unit", "user").filter(mine, status=Registration.Status.PENDING
                                                                     ).order_by("created_at", "id")
    return audit.audited(qs, actor=actor, object_type="Registration", subjects=registration_subjects,
                         purpose=purpose)


def registrations_pending_count(*, actor) -> int:
    """How many sign-ups wait for the actor's station (a count: no audit record)."""
    from pingan.core.models import Registration

    mine = registration_filter(actor)
    if mine is None:
        return 0
    return Registration.objects.filter(mine, status=Registration.Status.PENDING).count()


def registration_get(*, actor, registration_id: int):
    """One registration of the actor's station (for deciding it); ``NotFound`` otherwise. Unaudited: the
    decision is the record."""
    from pingan.core.models import Registration

    mine = registration_filter(actor)
    r = None if mine is None else Registration.objects.select_related("unit").filter(mine, pk=registration_id).first()
    if r is None:
        raise NotFound(f"registration {registration_id} not found")
    return r
