"""Who may see and do what with case property (least privilege; ``core.scoping`` gives the new roles nothing).

Departments are the roots of the organisation tree: the police bureau, each procuratorate, each court
(``OrgUnit.Kind``). A department sees only the items in its custody or of its cases:

* **custodian** — staff of the central store (setting ``PINGAN_EVIDENCE_STORE``, default the demo's
  ``350200-SW``, and its sub-units): every item physically in the store, and they scan every movement;
* **officer, station chief** — the items of the cases their unit subtree investigates (``core.scoping``);
* **analyst** — the whole bureau, read only;
* **procurator, court clerk** — the items transferred (sent or accepted, not refused) to their procuratorate
  or court, and the cases they belong to;
* everyone else (administrator, auditor, dispatcher, submitters, citizens): nothing.

Separation of duties (程序规定 2020 §235): an investigator of a case never acts as custodian of its items.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from pingan.core.errors import PermissionDenied
from pingan.core.models import OrgUnit, Role
from pingan.core.scoping import scope

POLICE_WRITERS = frozenset({Role.OFFICER, Role.STATION_CHIEF})
#: Roles that may open the evidence pages at all.
READERS = frozenset({Role.OFFICER, Role.STATION_CHIEF, Role.ANALYST, Role.CUSTODIAN, Role.PROCURATOR,
                     Role.COURT_CLERK})
EXTERNAL = frozenset({Role.PROCURATOR, Role.COURT_CLERK})


def store_code() -> str:
    return getattr(settings, "PINGAN_EVIDENCE_STORE", "350200-SW")


def _active(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def is_store_staff(actor) -> bool:
    """A custodian of the central store (or one of its sub-units). The answer is kept on the actor object (one
    request's user) for its store, role and unit: a scan asks several times and each asked the database."""
    if not _active(actor) or actor.role != Role.CUSTODIAN or actor.unit_id is None:
        return False
    key = (store_code(), actor.role, actor.unit_id)
    cached = actor.__dict__.get("_evidence_store_staff")
    if cached is not None and cached[0] == key:
        return cached[1]
    store = OrgUnit.objects.filter(code=key[0]).only("path").first()
    answer = store is not None and actor.unit.path.startswith(store.path)
    actor.__dict__["_evidence_store_staff"] = (key, answer)
    return answer


def department_root(unit: OrgUnit) -> OrgUnit:
    """The root of ``unit``'s tree: the bureau, a procuratorate or a court."""
    root_id = int(unit.path.split("/")[0])
    return unit if unit.pk == root_id else OrgUnit.objects.get(pk=root_id)


def department(unit: OrgUnit) -> str:
    """``police``, ``procuratorate`` or ``court``."""
    kind = department_root(unit).kind
    return kind if kind in (OrgUnit.Kind.PROCURATORATE, OrgUnit.Kind.COURT) else "police"


def external_org(actor) -> OrgUnit | None:
    """The procuratorate or court an external user belongs to (its root), if their role matches its kind."""
    if not _active(actor) or actor.role not in EXTERNAL or actor.unit_id is None:
        return None
    root = department_root(actor.unit)
    want = OrgUnit.Kind.PROCURATORATE if actor.role == Role.PROCURATOR else OrgUnit.Kind.COURT
    return root if root.kind == want else None


def _narrow(actor, qs: QuerySet, external) -> QuerySet:
    """Everything for analysts and store staff, ``core.scoping`` for police, ``external(org)`` (a filter) for
    a procuratorate's or court's user, nothing for anyone else."""
    if not _active(actor):
        return qs.none()
    if actor.role == Role.ANALYST or is_store_staff(actor):
        return qs
    if actor.role in POLICE_WRITERS:
        return scope(actor, qs)
    org = external_org(actor)
    return qs.filter(external(org)) if org is not None else qs.none()


def visible_items(actor, qs: QuerySet) -> QuerySet:
    """``qs`` (of ``Item``) narrowed: external bodies see the items in their custody or sent to them."""
    from pingan.evidence.models import Transfer

    def external(org: OrgUnit) -> Q:
        sent = Transfer.items.through.objects.filter(item_id=OuterRef("pk"),
                                                     transfer__to_org__path__startswith=org.path).exclude(
            transfer__status=Transfer.Status.REJECTED)  # a list it refused does not open the items to it
        return Q(custody__path__startswith=org.path) | Q(Exists(sent))

    return _narrow(actor, qs, external)


def visible_cases(actor, qs: QuerySet) -> QuerySet:
    """``qs`` (of ``Case``) narrowed: police by jurisdiction, external bodies the cases transferred to them."""
    from pingan.evidence.models import Transfer

    return _narrow(actor, qs, lambda org: Q(Exists(Transfer.objects.filter(case_id=OuterRef("pk"),
                                                                           to_org__path__startswith=org.path))))


def visible_seizure_lists(actor, qs: QuerySet) -> QuerySet:
    """Seizure lists (the holder's name and ID on them): the case's police, the store and analysts; not the
    procuratorate or court, which get items and transfer lists, not the police's seizure paperwork."""
    return _narrow(actor, qs, lambda org: Q(pk__in=[]))


def visible_filings(actor, qs: QuerySet) -> QuerySet:
    """Supervision filings (``SupervisionFiling``) are the police's own paperwork: none for external bodies."""
    return _narrow(actor, qs, lambda org: Q(pk__in=[]))


def require_store_staff(actor, what: str) -> None:
    if not is_store_staff(actor):
        raise PermissionDenied(f"only custodians of the central store may {what}", message_id="evidence_store_only")


def require_not_investigator(actor, case) -> None:
    """§235: the investigator of a case never keeps (checks in, moves, hands out) its items."""
    if case.investigators.filter(pk=actor.pk).exists():
        raise PermissionDenied(f"{actor.username} investigates case {case.number} and may not be custodian of its "
                               "items (separation of duties)", code="separation_of_duties",
                               params={"case": case.number})
