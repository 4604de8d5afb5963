"""Evidence API (``/api/v1/evidence/...``): items and their custody chains, scans at the store, cases and
seizure lists, check-outs, transfers to the procuratorate and the court, rulings, legal holds, disposal,
inventory counts, digital files, the rules in force. Thin handlers: parse, one selector or service, return;
a ``DomainError`` becomes an RFC 9457 problem. Lists paginate (``limit``/``offset``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from pingan.core.apiutil import Pagination, problems
from pingan.core.downloads import file_response
from pingan.core.errors import NotFound
from pingan.core.models import User
from pingan.evidence import chainexport, rules, selectors, services
from pingan.evidence.schemas import (
    AttachmentOut,
    CaseIn,
    CaseOut,
    ChainVerifyOut,
    CheckOutIn,
    CheckOutOut,
    CountIn,
    CountOut,
    CustodyTransferIn,
    CustodyTransferOut,
    DisposalIn,
    DisposalOut,
    EventOut,
    ExtensionDecisionIn,
    ExtensionIn,
    ExtensionOut,
    FileOut,
    FilingIn,
    FilingOut,
    HoldIn,
    ItemDetailOut,
    ItemOut,
    RuleOut,
    RulingIn,
    RulingOut,
    ScanIn,
    ScanOut,
    SeizureListIn,
    SeizureListOut,
    TransferRejectIn,
)

router = Router(tags=["evidence"])
MAX_FILE = 200 * 2**20


def _users(names: list[str]) -> list[User]:
    users = list(User.objects.filter(username__in=names, is_active=True))
    if len(users) != len(set(names)):
        raise NotFound("an unknown account was named", params={"label": names},
                       message_id="item_not_found")
    return users


def _detail(request: HttpRequest, label: str):
    item = selectors.item_get(actor=request.user, label=label)
    item.clocks = selectors.item_clocks(item=item)
    item.chain = services.item_verify(item=item)
    return item


@router.get("/evidence/items", response=list[ItemOut], summary="Items the caller may see")
@paginate(Pagination)
def item_list(request: HttpRequest, q: str = "", status: str = "", case: int | None = None):
    return selectors.items_list(actor=request.user, q=q, status=status, case_id=case)


@router.get("/evidence/items/{label}", response=ItemDetailOut, summary="One item, its clocks and chain verdict")
def item_get(request: HttpRequest, label: str):
    return _detail(request, label)


@router.get("/evidence/items/{label}/events", response=list[EventOut], summary="An item's custody chain")
def item_events(request: HttpRequest, label: str):
    return list(selectors.item_events(item=selectors.item_get(actor=request.user, label=label)))


@router.get("/evidence/items/{label}/verify", response=ChainVerifyOut, summary="Verify an item's custody chain")
def item_verify(request: HttpRequest, label: str, full: bool = False):
    """From the item's checkpoint to the head; ``full=true`` re-hashes every event."""
    return services.item_verify(item=selectors.item_get(actor=request.user, label=label), full=full)


@router.get("/evidence/items/{label}/chain.pdf", summary="The custody chain as PDF for the court file",
            openapi_extra={"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}})
def item_chain_pdf(request: HttpRequest, label: str):
    item = selectors.item_get(actor=request.user, label=label)
    return file_response(chainexport.chain_document(item), "application/pdf", chainexport.chain_name(item))


@router.post("/evidence/scans", response=ScanOut, summary="A scan at the store: intake, hand-out, return or move",
             openapi_extra={"responses": problems([409])})
def scan(request: HttpRequest, body: ScanIn):
    return services.scan(actor=request.user, label=body.label, location_code=body.location, witness=body.witness,
                         condition=body.condition)


@router.get("/evidence/cases", response=list[CaseOut], summary="Cases the caller may see")
@paginate(Pagination)
def case_list(request: HttpRequest):
    return selectors.cases_list(actor=request.user)


@router.post("/evidence/cases", response={201: CaseOut}, summary="Register a case of the caller's unit")
def case_create(request: HttpRequest, body: CaseIn):
    return Status(201, services.case_create(actor=request.user, number=body.number, title=body.title,
                                            investigators=_users(body.investigators)))


@router.post("/evidence/cases/{case_id}/seizure-lists", response={201: SeizureListOut},
             summary="A seizure list (扣押清单) and its items, labelled")
def seizure_list_create(request: HttpRequest, case_id: int, body: SeizureListIn):
    case = selectors.case_get(actor=request.user, case_id=case_id)
    sl = services.seizure_list_create(
        actor=request.user, case=case, number=body.number, source=body.source, holder_name=body.holder_name,
        holder_id_number=body.holder_id_number, witness_name=body.witness_name, officers=_users(body.officers),
        place=body.place, seized_at=body.seized_at, items=[services.ItemIn(**i.dict()) for i in body.items])
    return Status(201, {"number": sl.number, "items": list(sl.items.select_related("case", "location", "custody")
                                                           .order_by("line"))})


@router.post("/evidence/items/{label}/checkouts", response={201: CheckOutOut}, summary="Ask to check an item out")
def checkout_request(request: HttpRequest, label: str, body: CheckOutIn):
    return Status(201, services.checkout_request(actor=request.user, label=label, purpose=body.purpose,
                                                 reason=body.reason, due_back_at=body.due_back_at))


@router.post("/evidence/checkouts/{checkout_id}/approve", response=CheckOutOut,
             summary="Approve a check-out (never the borrower)")
def checkout_approve(request: HttpRequest, checkout_id: int):
    return services.checkout_approve(actor=request.user, checkout_id=checkout_id)


@router.get("/evidence/checkouts/overdue", response=list[CheckOutOut], summary="Check-outs past their due time")
@paginate(Pagination)
def checkouts_overdue(request: HttpRequest):
    return selectors.checkouts_overdue(actor=request.user)


@router.get("/evidence/transfers", response=list[CustodyTransferOut], summary="Transfers the caller may see")
@paginate(Pagination)
def transfer_list(request: HttpRequest):
    return selectors.transfers_list(actor=request.user)


@router.post("/evidence/transfers", response={201: CustodyTransferOut},
             summary="Send items with the case to the procuratorate or the court (随案移送清单)")
def transfer_send(request: HttpRequest, body: CustodyTransferIn):
    case = selectors.case_get(actor=request.user, case_id=body.case)
    return Status(201, services.transfer_send(actor=request.user, case=case, to_org_code=body.to,
                                              item_labels=body.items, recommendation=body.recommendation))


@router.post("/evidence/transfers/{transfer_id}/accept", response=CustodyTransferOut,
             summary="The receiving body accepts: legal custody moves, the objects stay")
def transfer_accept(request: HttpRequest, transfer_id: int):
    return services.transfer_accept(actor=request.user, transfer_id=transfer_id)


PDF = {"responses": {200: {"description": "PDF", "content": {"application/pdf": {}}}}}


def _pdf(data: bytes, name: str) -> HttpResponse:
    return file_response(data, "application/pdf", name)


@router.get("/evidence/seizure-lists/{list_id}/pdf", summary="A seizure list's three printed copies (扣押清单)",
            openapi_extra=PDF)
def seizure_list_pdf(request: HttpRequest, list_id: int):
    sl = selectors.seizure_list_get(actor=request.user, list_id=list_id)
    signatures = selectors.signatures_checked(actor=request.user, seizure_list=sl)
    return _pdf(chainexport.seizure_list_document(sl, signatures), chainexport.seizure_list_name(sl))


@router.get("/evidence/transfers/{transfer_id}/pdf", summary="A transfer list's two copies (随案移送清单)",
            openapi_extra=PDF)
def transfer_pdf(request: HttpRequest, transfer_id: int):
    t = selectors.transfer_get(actor=request.user, transfer_id=transfer_id)
    return _pdf(chainexport.transfer_document(t), chainexport.transfer_name(t))


@router.get("/evidence/items/{label}/receipt.pdf", summary="A disposal record or return receipt (发还清单)",
            openapi_extra=PDF)
def receipt_pdf(request: HttpRequest, label: str):
    d = selectors.disposal_get(actor=request.user, label=label)
    return _pdf(chainexport.disposal_document(d), chainexport.receipt_name(d))


@router.post("/evidence/transfers/{transfer_id}/reject", response=CustodyTransferOut,
             summary="The receiving body refuses the list, with its reason: custody stays with the sender")
def transfer_reject(request: HttpRequest, transfer_id: int, body: TransferRejectIn):
    return services.transfer_reject(actor=request.user, transfer_id=transfer_id, reason=body.reason)


@router.post("/evidence/checkouts/{checkout_id}/extensions", response={201: ExtensionOut},
             summary="Ask for a later due-back time for an item that is out")
def extension_request(request: HttpRequest, checkout_id: int, body: ExtensionIn):
    return Status(201, services.extension_request(actor=request.user, checkout_id=checkout_id, new_due=body.new_due,
                                                  reason=body.reason))


@router.get("/evidence/extensions", response=list[ExtensionOut], summary="Extension requests waiting for a decision")
@paginate(Pagination)
def extension_list(request: HttpRequest):
    return selectors.extensions_pending(actor=request.user)


@router.post("/evidence/extensions/{extension_id}/decide", response=ExtensionOut,
             summary="Approve or refuse an extension (not the borrower, not who asked)")
def extension_decide(request: HttpRequest, extension_id: int, body: ExtensionDecisionIn):
    return services.extension_decide(actor=request.user, extension_id=extension_id, approve=body.approve,
                                     note=body.note)


@router.get("/evidence/filings", response=list[FilingOut],
            summary="Filings of legal documents with the police supervision (警务督察, 24 h)")
@paginate(Pagination)
def filing_list(request: HttpRequest, open: bool = False):
    return selectors.filings_list(actor=request.user, open_only=open)


@router.post("/evidence/filings/{filing_id}", response=FilingOut, summary="Record a filing with the supervision")
def filing_record(request: HttpRequest, filing_id: int, body: FilingIn):
    return services.filing_record(actor=request.user, filing_id=filing_id, reference=body.reference,
                                  supervision=body.supervision)


@router.post("/evidence/cases/{case_id}/rulings", response={201: RulingOut}, summary="Record the court's ruling")
def ruling_record(request: HttpRequest, case_id: int, body: RulingIn):
    case = selectors.case_get(actor=request.user, case_id=case_id)
    return Status(201, services.ruling_record(actor=request.user, case=case, number=body.number,
                                              decided_at=body.decided_at, decisions=body.decisions))


@router.post("/evidence/items/{label}/hold", response=ItemOut, summary="Place or release a legal hold")
def hold_set(request: HttpRequest, label: str, body: HoldIn):
    return services.hold_set(actor=request.user, label=label, on=body.on, reason=body.reason)


@router.post("/evidence/items/{label}/disposal", response={201: DisposalOut},
             summary="Dispose of an item on a legal basis (ruling or approved decision)")
def item_dispose(request: HttpRequest, label: str, body: DisposalIn):
    approver = _users([body.approver])[0] if body.approver else None
    recipient = services.Recipient(**body.recipient.dict()) if body.recipient else None
    return Status(201, services.item_dispose(actor=request.user, label=label, disposition=body.disposition,
                                             basis=body.basis, approver=approver, recipient=recipient,
                                             proceeds_cents=body.proceeds_cents, witness=body.witness))


@router.post("/evidence/counts", response={201: CountOut}, summary="Inventory count of a location by scanning")
def inventory_count(request: HttpRequest, body: CountIn):
    return Status(201, services.inventory_count(actor=request.user, location_code=body.location,
                                                scanned=body.scanned))


@router.post("/evidence/items/{label}/files", response={201: FileOut},
             summary="Acquire a file of electronic data (SHA-256 recorded now)")
def file_add(request: HttpRequest, label: str, file: File[UploadedFile], name: Form[str] = ""):
    data = file.read(MAX_FILE + 1)
    return Status(201, services.digital_file_add(actor=request.user, label=label, name=name or file.name or "file",
                                                 data=data))


@router.get("/evidence/files/{file_id}", summary="A file's content, re-hashed on access (409 if altered)",
            openapi_extra={"responses": {200: {"description": "the file", "content": {
                "application/octet-stream": {}}}, **problems({409: "the content no longer matches its SHA-256 "
                                                                   "(`evidence_tampered`): never served"})}})
def file_get(request: HttpRequest, file_id: int):
    f, data = selectors.digital_file_open(actor=request.user, file_id=file_id)
    response = file_response(data, "application/octet-stream", chainexport.digital_file_name(f))
    response["Digest"] = f"sha-256={f.sha256}"
    return response


@router.post("/evidence/items/{label}/photos", response={201: AttachmentOut},
             summary="Store a photograph of an item (JPEG or PNG; SHA-256 on the chain)")
def photo_add(request: HttpRequest, label: str, file: File[UploadedFile]):
    return Status(201, services.item_photo_add(actor=request.user, label=label, name=file.name or "photo",
                                               data=file.read(services.MAX_IMAGE + 1)))


@router.post("/evidence/seizure-lists/{list_id}/signatures", response={201: AttachmentOut},
             summary="Keep the holder's or witness's signature (PNG) captured at the seizure")
def signature_add(request: HttpRequest, list_id: int, file: File[UploadedFile], signer: Form[str]):
    return Status(201, services.seizure_list_sign(actor=request.user, list_id=list_id, signer=signer,
                                                  png=file.read(services.MAX_IMAGE + 1)))


@router.get("/evidence/attachments/{attachment_id}", summary="A photo or signature, re-hashed on access (409 if "
            "altered)", openapi_extra={"responses": {200: {"description": "the image", "content": {
                "image/jpeg": {}, "image/png": {}}}, **problems({409: "the content no longer matches its SHA-256 "
                                                                      "(`evidence_tampered`): never served"})}})
def attachment_get(request: HttpRequest, attachment_id: int):
    a, data = selectors.attachment_open(actor=request.user, attachment_id=attachment_id)
    response = HttpResponse(data, content_type=a.content_type)
    response["Digest"] = f"sha-256={a.sha256}"
    return response


@router.get("/evidence/rules", response=list[RuleOut], summary="The case-property rules in force, with citations",
            auth=None)
def rule_list(request: HttpRequest):
    return [{"id": v.id, "effective": v.effective, "rules": {k: x for k, x in v.data.items()
                                                             if isinstance(x, dict)}} for v in rules.versions()]
