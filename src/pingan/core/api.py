"""Core API: who am I, premises (scoped), audit search (auditors)."""


from datetime import date

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from pingan.core import selectors, services
from pingan.core.apiutil import Pagination
from pingan.core.schemas import AuditRecordOut, MeOut, PremisesIn, PremisesOut, PremisesRemovedOut, PremisesRenameIn

router = Router(tags=["core"])


@router.get("/me", response=MeOut, summary="The account this request acts as")
def me(request: HttpRequest):
    return request.user


@router.get("/premises", response=list[PremisesOut], summary="Premises within the caller's jurisdiction")
@paginate(Pagination)
def premises_list(request: HttpRequest):
    return selectors.premises_list(actor=request.user)


@router.get("/premises/{premises_id}", response={200: PremisesOut}, summary="One premises")
def premises_get(request: HttpRequest, premises_id: int):
    return selectors.premises_get(actor=request.user, premises_id=premises_id)


@router.post("/premises", response={201: PremisesOut}, summary="Register a premises (enterprise/landlord)")
def premises_create(request: HttpRequest, payload: PremisesIn):
    return 201, services.premises_create(actor=request.user, **payload.dict())


@router.patch("/premises/{premises_id}", response=PremisesOut, summary="Rename a premises (its owner)")
def premises_rename(request: HttpRequest, premises_id: int, payload: PremisesRenameIn):
    """The old name is kept in the premises' history; audited. 403 for anyone but the owner."""
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)
    return services.premises_rename(actor=request.user, premises=premises, name=payload.name)


@router.delete("/premises/{premises_id}", response=PremisesRemovedOut, summary="Remove a premises (its owner)")
def premises_remove(request: HttpRequest, premises_id: int):
    """Deleted when nothing recorded it; archived when screenings or codes did (they stay, under the retention
    rules). 400 ``premises_code_live`` while its safety code is valid, ``premises_busy`` while a roster of it is
    being screened."""
    premises = selectors.premises_get(actor=request.user, premises_id=premises_id)
    removed = services.premises_remove(actor=request.user, premises=premises)
    return {"id": removed.premises_id, "outcome": removed.outcome}


@router.get("/audit", response=list[AuditRecordOut], summary="Search the audit trail (auditors)")
@paginate(Pagination)
def audit_search(request: HttpRequest, person: str = "", actor: str = "", agent: str = "", unit: str = "",
                 action: str = "",
                 object_type: str = "", object_id: str = "", purpose: str = "", since: date | None = None,
                 until: date | None = None):
    """Newest first. ``person``: a full name, document number or phone number — the reads that showed that person (phone
    numbers are kept in records written since December 2026). ``actor``: part
    of an account's name (also what acted on its behalf). ``agent``: ``person``, ``automatic``, a kind of agent
    (``command``, ``task``, ``request``, ``terminal``, ``platform``, ``system``) or ``task:<kind>``; a record
    without an account names what acted in ``agent`` (kind, name, object_id, and ``by``: on whose behalf)."""
    return selectors.audit_search(actor=request.user, query=selectors.AuditQuery(
        person=person, actor=actor, agent=agent, unit=unit, action=action, object_type=object_type, object_id=object_id,
        purpose=purpose, since=since, until=until))
