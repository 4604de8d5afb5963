"""The page messages of the evidence app's domain errors (``core.error_messages``), kept in this app's
catalogue and added to the shared table when the app is ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

PAGE_MESSAGES = {
    "evidence_field_required": _("Fill in: %(field)s."),
    "evidence_field_too_long": _("%(field)s is %(length)s characters; the limit is %(limit)s."),
    "item_not_found": _("No item %(label)s, or your account may not see it."),
    "bad_label": _("%(label)s is not an item label, or its check digits are wrong: scan it again."),
    "unknown_location": _("There is no store location %(code)s."),
    "evidence_police_only": _("Only police officers and station chiefs may do this."),
    "case_exists": _("Case %(case)s is already registered."),
    "bad_investigator": _("%(user)s is not police of the case's unit."),
    "separation_of_duties": _("Separation of duties: an investigator of case %(case)s may not keep its items, and "
                              "a keeper of its items may not investigate it."),
    "evidence_investigator_only": _("Only an investigator of the case may do this."),
    "two_officers": _("A seizure needs at least two investigators of the case."),
    "bad_source": _("Unknown source %(source)s."),
    "evidence_empty_list": _("The list needs at least one item."),
    "ruling_no_item": _("Choose the ruling's disposition for at least one item."),
    "list_exists": _("Seizure list %(number)s already exists."),
    "evidence_bad_category": _("Unknown category %(category)s."),
    "bad_quantity": _("%(value)s is not a quantity."),
    "valuation_incomplete": _("A valuation needs at least one photo and a value."),
    "cash_overdrawn": _("The case-money account cannot go below zero."),
    "wrong_storage_class": _("%(label)s needs storage class %(need)s; %(location)s is not one."),
    "location_full": _("%(location)s is full (%(capacity)s items)."),
    "evidence_store_only": _("Only custodians of the central store may do this."),
    "bad_item_state": _("%(label)s is %(status)s: this cannot be done now."),
    "valuable_not_valued": _("%(label)s is a valuable: photograph and value it before it is checked in."),
    "evidence_not_custodian_body": _("Only the body holding legal custody of the item may do this."),
    "bad_checkout_purpose": _("Unknown purpose %(purpose)s."),
    "bad_due_back": _("The due-back time must be in the future and within %(days)s days."),
    "item_unavailable": _("%(label)s is not available."),
    "evidence_four_eyes": _("Four-eyes rule: a borrower cannot approve their own check-out."),
    "evidence_approver_only": _("Only a station chief of the case's jurisdiction, or the body holding custody, "
                                "may decide this."),
    "checkout_decided": _("Check-out %(checkout)s is already %(status)s."),
    "no_approved_checkout": _("%(label)s has no approved check-out."),
    "not_checked_out": _("%(label)s is not checked out."),
    "location_required": _("Scan or enter the location to check the item in."),
    "nothing_to_do": _("Nothing to do for %(label)s (%(status)s): give another location to move it."),
    "unknown_org_code": _("There is no organisation %(code)s."),
    "bad_transfer_target": _("Items cannot be transferred to %(to)s: police send to the procuratorate, the "
                             "procuratorate to the court."),
    "mixed_transfer": _("All items of a transfer belong to the case and to one body."),
    "transfer_pending": _("An item is already on a transfer waiting for acceptance."),
    "transfer_decided": _("Transfer %(transfer)s was already accepted or refused."),
    "checkout_not_out": _("Check-out %(checkout)s is %(status)s, not out: only an item that is out can be "
                          "extended."),
    "bad_extension_due": _("The new due-back time must be later than the current one and within %(days)s days "
                           "from now."),
    "extension_pending": _("Check-out %(checkout)s already has an extension waiting for a decision."),
    "extension_decided": _("Extension %(extension)s was already decided."),
    "evidence_photo_takers": _("Only an investigator of the case or a custodian of the store may photograph "
                               "items."),
    "image_too_large": _("The image is %(size)s bytes; the limit is %(limit)s."),
    "bad_image": _("This file is not an image of the kind expected (%(formats)s): take the photo or the "
                   "signature again."),
    "bad_signer": _("Unknown signer %(signer)s: the holder or the witness signs."),
    "already_signed": _("This person has already signed seizure list %(list)s."),
    "filing_done": _("The documents of seizure list %(list)s were already filed with the supervision."),
    "evidence_court_only": _("Only a court clerk may record rulings."),
    "ruling_exists": _("Ruling %(number)s is already recorded."),
    "not_in_custody": _("%(label)s is not in this court's custody for the case."),
    "bad_disposition": _("Unknown disposition %(disposition)s."),
    "recipient_required": _("A return needs the recipient's name, ID number, relation and proof."),
    "bad_relation": _("The recipient is the owner or an authorised agent."),
    "officer_recipient": _("%(name)s is a member of staff: officers may not receive returned property on the "
                           "owner's behalf."),
    "legal_hold": _("%(label)s is under a legal hold (%(reason)s): it cannot be disposed of."),
    "no_ruling": _("No ruling decides %(label)s yet: it cannot be disposed of on this basis."),
    "ruling_mismatch": _("Ruling %(ruling)s orders %(disposition)s for this item."),
    "evidence_approval_required": _("This disposal needs the approval of a station chief of the case's "
                                    "jurisdiction (not yourself)."),
    "not_perishable": _("%(label)s is not perishable."),
    "basis_mismatch": _("This basis does not allow this disposition."),
    "not_unclaimed_yet": _("%(label)s has not been unclaimed for %(months)s months after a public notice."),
    "not_digital": _("%(label)s is not electronic evidence."),
    "empty_file": _("The file is empty."),
    "bad_location_kind": _("Unknown location kind %(kind)s."),
    "evidence_tampered": _("The file %(name)s of %(label)s no longer matches the check value recorded at "
                           "acquisition: it is not shown, and the failure is on the item's chain."),
}
