"""What a page says for a domain error, in the user's language: one table for every app.

Services raise :class:`~pingan.core.errors.DomainError` with an English ``message`` (the API's RFC 9457
``detail``, unchanged), a stable ``code`` and the specifics as plain ``params``. A page shows
:func:`page_message` instead: the translatable template that :data:`PAGE_MESSAGES` holds for the error's
``message_id`` (its ``code`` unless the service named a finer one), filled in from ``params``, so the
premises, file or adcode named in the English message is named in the Chinese one too. Wording stays out of
the services and the API stays as it is.

Every message id raised outside the API handlers is in exactly one of :data:`PAGE_MESSAGES` (a page can
show it) and :data:`NO_PAGE_MESSAGE` (no page ever catches it); ``tests/core/test_error_messages.py`` reads
the source and fails on an id in neither, and on a template whose placeholders the raise does not fill.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.db.models import Choices
from django.utils.functional import Promise
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from pingan.core.errors import DomainError, localised
from pingan.core.texts import references

log = logging.getLogger(__name__)

#: ``message_id`` → template. Placeholders are ``%(name)s`` keys of the error's ``params``.
PAGE_MESSAGES: Mapping[str, Promise] = {
    # The class defaults of a NotFound / PermissionDenied raised without a finer message id (selectors:
    # pages turn these into plain 404 / 403 responses).
    "not_found": _("Not found, or your account may not see it."),
    "permission_denied": _("Your account may not do this."),
    # core.audit: a police account reads personal data only with a purpose of use (pages ask for it first).
    "purpose_required": _("Choose a purpose of use before viewing personal data."),
    # Registering a premises (core.services.premises_create, unit_for_adcode).
    "premises_create_not_allowed": _("Only enterprise and landlord accounts register premises."),
    "bad_owner": _("A premises belongs to an enterprise or landlord account."),
    "bad_premises_kind": _("Unknown premises kind %(kind)s: use enterprise or rental."),
    "unknown_adcode": _("%(adcode)s is not a known administrative area code."),
    "premises_exists": _("You already registered a premises at this address: %(name)s (%(address)s). A second "
                         "flat, room or shop of the building is a premises of its own: give its number. Or use the "
                         "one you registered."),
    "premises_name_required": _("Give the name."),
    "premises_address_required": _("Give the address of the premises."),
    "name_too_long": _("The name is %(length)s characters; the limit is %(limit)s."),
    "same_name": _("The premises is already called %(name)s."),
    "premises_change_not_allowed": _("Only the owner of the premises may change or remove it."),
    "premises_removed": _("%(name)s was removed: it takes no roster, code or correction any more."),
    "premises_busy": _("A roster of %(name)s is being screened: remove the premises when it has finished."),
    "premises_code_live": _("The safety code of %(name)s is valid until %(until)s, and a poster on the door must not "
                            "outlive the premises: remove it after then, or ask %(unit)s to revoke the code."),
    # Self-registration (core.services.registration_submit, registration_approve, registration_reject).
    "signup_role": _("Only a landlord or an enterprise registers here."),
    "bad_phone": _("A phone number has 7 to 15 digits (spaces, “-” and a leading “+” are allowed)."),
    "password_required": _("Choose a password."),
    "registration_decide_not_allowed": _("Only police of the station the premises belongs to confirm or refuse "
                                         "this registration."),
    "registration_decided": _("This registration was already %(status)s."),
    "registration_reason_required": _("Say why the registration is refused: the applicant reads it."),
    "no_responsible_unit": _(
        "No police unit covers administrative area %(adcode)s: ask the public security bureau to assign one."),
    # Submitting a roster (screening.tasks.screening_job_submit, services.screening_job_create).
    "empty_upload": _("%(name)s is empty; choose the filled-in roster file."),
    "not_your_premises": _("You can only screen rosters for your own premises."),
    "bad_idempotency_key": _("The form is damaged: reload the page and submit the file again."),
    "idempotency_key_reused": _("This form already submitted another file (%(job)s). The form is "
                                "ready again: choose the file and submit."),
    # Downloading the results of a job whose person data was deleted (screening.retention).
    "purged": _("The person data of the screening of %(job)s was deleted on %(date)s under the retention policy; "
                "only its counts remain."),
    # Issuing a safety code (codes.services.safety_code_issue, also when a level change is approved).
    "issue_not_allowed": _("Only the owner of %(premises)s or police of its jurisdiction may issue its safety code."),
    "not_screened": _("%(premises)s has never been screened: submit a roster first; the safety code's level "
                      "comes from the latest screening."),
    "job_mismatch": _("The screening of %(job)s is not a finished screening of %(premises)s."),
    "screening_purged": _("The latest screening of %(premises)s (%(job)s) is older than the retention period "
                          "and its person data has been deleted: submit the roster again."),
    "empty_screening": _("The latest screening of %(premises)s (%(job)s) covered no one: submit the roster "
                         "of the people at the premises."),
    "signing_key_missing": _("The signing key %(kid)s cannot be loaded (%(reason)s): an administrator must "
                             "restore it from backup or rotate the key (pingan code keys rotate)."),
    "signing_key_mismatch": _("The key file %(kid)s.pem holds another key (%(held)s): an administrator must "
                              "restore the right file or rotate the key."),
    # The derived code (codes.services.safety_code_issue, code_review_release).
    "code_suspended": _("The safety code of %(premises)s is suspended: the roster of %(job)s leaves out "
                        "people who were yellow, red or unresolved before. The responsible police station checks it."),
    "revoked_by_police": _("The police revoked the safety code of %(premises)s. A new code comes with a new "
                           "screening of the premises, or from the responsible police station."),
    "review_not_allowed": _("Only police of the jurisdiction of %(premises)s release its suspended code."),
    "review_closed": _("The check of %(premises)s (%(review)s) is already closed."),
    "review_other_kind": _("The check of %(premises)s (%(review)s) is not of this kind: a suspended code is "
                           "released, people left out of a live code's roster are confirmed gone."),
    "left_not_allowed": _("Only officers and station chiefs of the jurisdiction of %(premises)s confirm that "
                          "people left it."),
    "off_roster_not_allowed": _("Only officers and station chiefs of the jurisdiction of %(premises)s confirm "
                                "that its people left."),
    "off_roster_none": _("Nobody of %(premises)s is listed as no longer on its roster (any more)."),
    # core.errors.outside_text: a control or bidi character in a typed text (pingan.lib.textchars)
    # one or several, as the language says them (ngettext on ``n``: pingan.lib.textchars.named)
    "control_character": ngettext_lazy(
        "The %(field)s holds an invisible control character, %(chars)s (character %(positions)s), which would "
        "change how the text shows: type it again without it.",
        "The %(field)s holds invisible control characters, %(chars)s (characters %(positions)s), which would "
        "change how the text shows: type it again without them.", "n"),
    "control_character_mark": _("The %(field)s still holds %(mark)s, where a refused character was: delete the "
                                "mark and send it again."),
    # Met by API clients, which read them in the request's language (config.api._domain_error; issue 11: a
    # Chinese request got these in English): the X-Purpose header, the audit search, revoking a safety code,
    # the statistics endpoints' roles and categories.
    "bad_purpose": _("“%(purpose)s” is not a purpose of use: give one of %(choices)s."),
    "audit_readers_only": _("Only auditors may search the audit trail."),
    "revoke_not_allowed": _("Only police of the jurisdiction of %(premises)s may revoke its safety code."),
    "bad_reason": _("Unknown revocation reason “%(reason)s”: give one of %(choices)s."),
    "already_revoked": _("The safety code %(code_id)s has already been revoked."),
    "revoke_suspended": _("The safety code %(code_id)s is suspended until the police check the new roster of "
                          "%(premises)s: it is not valid now, and nothing is left to revoke. Check the people left off "
                          "the roster and release it in the station's queue, or wait for a roster with everyone."),
    "stats_analyst_only": _("Only analysts may do this."),
    "stats_police_only": _("Only police accounts see statistics."),
    "stats_watch_only": _("Only station chiefs and analysts see reclassifications of incidents."),
    "unknown_category": _("The classification scheme %(scheme)s has no category “%(category)s”."),
    "note_required": _("Say what was checked."),
    "note_too_long": _("The note is %(length)s characters long; the limit is %(limit)s."),
    # Level changes (codes.services.level_override_*).
    "override_request_not_allowed": _("Only police of the jurisdiction of %(premises)s may request a level change."),
    "bad_level": _("Unknown level %(level)s: use green, yellow or red."),
    "reason_required": _("Give a reason for the level change."),
    "reason_too_long": _("The reason for the level change is %(length)s characters; the limit is %(limit)s."),
    "no_code": _("%(premises)s has no current safety code to change."),
    "override_decide_not_allowed": _("Only a station chief of the jurisdiction of %(premises)s decides its level "
                                     "changes."),
    "four_eyes": _("Four-eyes rule: the requester cannot decide their own level change."),
    "already_decided": _("The level change %(override)s was already decided (%(status)s)."),
    "override_same_level": _("The safety code of %(premises)s is already at that level: choose another level."),
    "override_pending": _("A level change of %(premises)s is already waiting for a station chief's approval: "
                          "it is decided first (Jurisdiction › Requests)."),
    "override_stale": _("The level change %(override)s was for an earlier safety code of %(premises)s; "
                        "the code has changed since. Reject it and request the change again if it still applies."),
    # Correction requests (纠错; codes.services.dispute_open, dispute_resolve).
    "dispute_not_allowed": _("Only the owner of %(premises)s may request a correction of its safety code."),
    "text_required": _("Write what is wrong: the correction request needs a text."),
    "text_too_long": _("The correction request is %(length)s characters; the limit is %(limit)s."),
    "text_too_short": _("The correction request is %(length)s characters: say what is wrong, and why, in at least "
                        "%(minimum)s, so that the station can check it."),
    "dispute_code_superseded": _("The code issued %(issued)s that you asked to correct was replaced on %(replaced)s by "
                                 "a %(level)s. Check the new level; if it is wrong too, request a correction of it."),
    "dispute_never_issued": _("%(premises)s has no safety code yet, so there is no level to correct. Upload the "
                              "roster: the code is issued when the screening finishes."),
    "dispute_code_revoked": _("The safety code of %(premises)s was revoked (%(reason)s), so there is no level to "
                              "correct. Upload the roster again for a new code, or ask %(unit)s why it was revoked."),
    "dispute_code_suspended": _("The safety code of %(premises)s is suspended while %(unit)s checks the roster; the "
                                "station decides the level. No correction request is needed."),
    "dispute_code_expired": _("The safety code of %(premises)s expired on %(expired)s. Upload the roster again for "
                              "a current level, then request a correction if that one is wrong."),
    "dispute_duplicate": _("You already sent this correction request on %(sent)s; it is open and the station has "
                           "it. Its outcome is shown below."),
    "dispute_resolve_not_allowed": _("Only police of the responsible unit (%(unit)s) may resolve "
                                     "the correction request %(dispute)s."),
    "already_resolved": _("The correction request %(dispute)s was already resolved (%(status)s)."),
    "outcome_required": _("Write the outcome."),
    "outcome_too_long": _("The outcome is %(length)s characters; the limit is %(limit)s."),
    # alerts.services: responding to alerts and going on duty (the terminal and alert pages).
    "alerts_not_allowed": _("Your role may not do this with alerts."),
    "bad_transition": _("This alert cannot move from this state to the one asked for."),
    "not_owner": _("Alert %(id)s is owned by another officer."),
    "disposition_required": _("Closing an alert needs a disposition."),
    "bad_shift": _("A shift lasts 0.5 to 24 hours."),
    # dispatch.services: rosters, units, dispatches, drones (the console and the unit terminal).
    "dispatch_not_allowed": _("Your role may not do this in dispatch."),
    "reassign_not_allowed": _("Only the command centre can take the alert off %(units)s (another station's). "
                              "Assign without reassigning, or ask the command centre."),
    "bad_roster_shift": _("A shift needs a start and an end after it, at most 24 hours later."),
    "bad_patrol_unit": _("The patrol unit %(code)s cannot be registered: unknown kind, or the call sign is empty or "
                         "taken."),
    "bad_unit_status": _("Unit %(unit)s cannot go from %(from)s to %(to)s."),
    "unit_status_by_assignment": _("A unit is dispatched only by an assignment to an alert: choose the alert on "
                                   "the console and use Dispatch."),
    "crew_status_not_allowed": _("Unit %(unit)s is %(from)s: its crew cannot set it to %(to)s. Ask your station "
                                 "chief or the command centre."),
    "crew_answer_offer": _("Unit %(unit)s has an assignment waiting for your answer: accept or decline it below."),
    "bad_operation": _("An operation needs a name and an end after its start, at most 31 days later."),
    # An operation's area (dispatch.services.area_error): what is wrong with it and how to write it.
    "area_not_a_pair": _("“%(text)s” is not a point: write each point as longitude,latitude (e.g. 118.18,24.48) "
                         "and separate the points with ; or a new line."),
    "area_not_a_number": _("“%(text)s” is not a pair of numbers: write each point as two decimal numbers, "
                           "longitude first (e.g. 118.18,24.48)."),
    "area_bad_crs": _("Unknown coordinate system %(crs)s: choose WGS-84, GCJ-02, BD-09 or CGCS2000."),
    "area_bad_point": _("The point %(point)s is not a longitude,latitude in degrees: put the longitude "
                        "(-180 to 180) first and the latitude (-90 to 90) second."),
    "area_too_few_points": _("An area needs at least three different points: add points until they enclose the "
                             "area."),
    "area_flat": _("The points lie on one line and enclose nothing: add a point off that line."),
    "area_edges_cross": _("The edges of the area cross near %(where)s: list the points in order around the area, "
                          "clockwise or anticlockwise."),
    "bad_template": _("There is no operation template “%(template)s”."),
    # Writing an operation template (dispatch.services.template_parse): the field as named in the TOML.
    "template_required": _("“%(field)s” is required: give it a value in quotes."),
    "template_duration": _("duration_hours must be a number of hours above 0 and at most 744 (31 days)."),
    "template_attendance": _("attendance must be a whole number, 0 or more."),
    "template_offsets": _("%(field)s must list at least 3 points as [east, north] offsets in metres from the venue."),
    "template_offset_far": _("%(field)s has a point more than 20 km from the venue."),
    "template_post_kind": _("%(field)s: kind must be post or checkpoint."),
    "template_post_at": _("%(field)s: “at” must be [east, north] in metres from the venue."),
    "template_post_names": _("%(field)s needs both name_en and name_zh."),
    "template_units": _("%(field)s: the units needed are counted per kind (foot, car, motorcycle, drone), 0 to "
                        "500 each."),
    "template_rules": _("A temporary rule is not valid (the alerts rule parser says: %(detail)s)."),
    "template_toml": _("The template is not valid TOML (%(detail)s)."),
    "template_character": ngettext_lazy(
        "“%(field)s” holds an invisible control character, %(chars)s (character %(positions)s), which would "
        "change how the text shows: delete it from the template.",
        "“%(field)s” holds invisible control characters, %(chars)s (characters %(positions)s), which would change "
        "how the text shows: delete them from the template.", "n"),
    "bad_template_key": _("The template id “%(key)s” cannot be used: 3 to 64 lower-case letters, digits and "
                          "hyphens, not the id of another template."),
    "template_changed": _("Template %(key)s was saved by someone else meanwhile (now version %(version)s): reload "
                          "it and make your change again."),
    "bad_review": _("Write the review's findings (at most 20,000 characters)."),
    "bad_point": _("The venue point (longitude, latitude %(value)s) cannot be placed: choose one of the coordinate "
                   "systems offered."),
    "bad_post": _("A post needs a name, a kind and a valid position in this operation."),
    "unit_unavailable": _("Unit %(unit)s is not available (%(status)s) or has no crew on shift."),
    "bad_assignment": _("Choose at least one unit and an answer time of 10 to 600 seconds; the alert must be open."),
    "assignment_closed": _("Assignment %(id)s was already answered or its time to answer has passed."),
    "bad_drone": _("A drone needs a model, a new serial number, 1 to 600 minutes of flight and 1 to 100 m/s."),
    "drone_not_ready": _("Drone %(unit)s is not ready and available, or has reported no position."),
    "not_in_maintenance": _("Device %(device)s is not in maintenance, so there is no maintenance to end."),
    "drone_no_fly": _("The destination lies in the no-fly zone %(zone)s."),
    "drone_out_of_range": _("The destination is %(distance_km)s km away; the battery above the reserve allows "
                            "%(range_km)s km out and back."),
    # alerts.services: the silences and watch-list pages.
    "bad_matcher": _("Matcher %(matcher)s must look like name=value, name!=value, name=~regex or name!~regex, "
                     "with a valid regular expression."),
    "bad_silence": _("A silence needs at least one matcher, a duration and a comment."),
    "duplicate_silence": _("A silence with exactly these matchers is already active until %(until)s: end it or "
                           "let it run rather than adding the same one."),
    "bad_hotlist_entry": _("%(detail)s: a watch-list entry needs a plate or reference (at most 64 characters), a "
                           "reason (at most 300), and an expiry, if any, in the future."),
    "already_listed": _("%(key)s is already on the watch list."),
    "viid_not_configured": _("pingan's own GA/T 1400 ID is not set (PINGAN_VIID_SERVER_ID, 20 digits): ask the "
                             "administrator."),
    "bad_subscription": _("Check these fields of the subscription: %(fields)s."),
    # Statistics: the CompStat page's classification, and reclassifying an incident (stats.services).
    "unknown_scheme": _("There is no classification %(scheme)s; the unit's default is shown."),
    "bad_field": _("%(field)s cannot be reclassified."),
    "bad_value": _("%(field)s: %(value)s is not a valid value."),
    "clearance_incomplete": _("A cleared incident needs how it was cleared (by arrest or exceptionally) and the "
                              "day; an open or unfounded one has neither."),
    "reclassify_not_allowed": _("Only station chiefs and analysts reclassify incidents."),
    "reclassify_reason_required": _("Give the reason for the reclassification."),
    "reclassify_reason_too_long": _("The reason is %(length)s characters; the limit is %(limit)s."),
    "reclassify_no_change": _("Nothing changed: the incident already has these values."),
    # The anti-fraud centre (antifraud.access, antifraud.services).
    "antifraud_write_not_allowed": _("Only police officers and station chiefs may do this."),
    "antifraud_centre_only": _("Only staff of the anti-fraud centre may do this."),
    "bad_amount": _("%(value)s is not a valid amount for the %(what)s."),
    "bad_fraud_type": _("Unknown fraud type %(code)s."),
    "victim_required": _("Give the victim's name."),
    "bad_identifier": _("%(value)s is not a valid %(kind)s: %(why)s"),
    "bad_identifier_rows": _("A suspect identifier is not right: its row below says what to change."),
    "bad_identifier_line": _("Line %(line)s of the suspect identifiers (%(text)s) is not a kind, a colon and a value: "
                             "write for example “phone number: 13900000000”, the kinds as listed above the box."),
    "bad_method": _("Unknown tracing rule %(method)s: use fifo, haircut or poison."),
    "bad_hops": _("The hop limit %(hops)s is outside 1–10."),
    "no_transfers": _("Report %(report)s has no victim transfer to trace: add the victim's transfers first."),
    "bad_order_kind": _("Unknown order kind %(kind)s."),
    "stop_payment_limit": _("Account %(account)s has already had %(limit)s emergency stop-payments, the most the "
                            "rules allow: freeze it instead."),
    "order_state": _("Order %(order)s is %(status)s: this step is not possible now."),
    "order_approve_not_allowed": _("Only a station chief of the anti-fraud centre or of the report's unit approves "
                                   "orders."),
    "order_four_eyes": _("Four-eyes rule: the drafter cannot approve their own order."),
    "bad_feedback": _("Unknown bank feedback %(feedback)s."),
    "renewal_too_late": _("Order %(order)s has expired: it lapsed and cannot be renewed. Draft a new freeze."),
    "lift_reason_required": _("Give the reason for lifting."),
    "block_reason_required": _("Give the reason for the block."),
    "evidence_required": _("Describe the evidence for the block."),
    "already_blocked": _("%(value)s is already blocked."),
    "block_not_active": _("Block %(block)s is not active."),
    "appeal_incomplete": _("An appeal needs the appellant, a contact and the reason."),
    "appeal_decided": _("Appeal %(appeal)s was already decided (%(status)s)."),
    "no_centre": _("The anti-fraud centre unit %(code)s does not exist: an administrator must load it."),
    "contact_columns": _("%(name)s lacks the columns %(columns)s."),
    "bad_outcome": _("Unknown outcome %(outcome)s."),
    "already_done": _("Warning %(warning)s already has an outcome."),
    "unreadable_statement": _("The file cannot be read: %(why)s"),
    "statement_account": _("%(name)s names %(count)s accounts: say which account the statement is for."),
    # Citizen services (citizen.services, citizen.views): accounts, appointments, residence permits.
    # Accounts (core.services.user_create; the citizen sign-up page): Django's own password-rule messages,
    # in the viewer's language, fill in the problems.
    "username_taken": _("The user name %(username)s is taken: choose another one."),
    "weak_password": _("Choose a stronger password. %(problems)s"),
    "bad_id_number": _("%(value)s is not a valid resident ID number: check the 18 characters on your ID card."),
    "name_required": _("Give your name as on your ID card."),
    "identity_taken": _("An account already exists for this ID number: sign in with it."),
    "citizen_only": _("Only citizens book and apply, each for themselves."),
    "identity_required": _("This account has no real-name identity: open a citizen account to book or apply."),
    "service_not_offered": _("This counter does not offer %(service)s."),
    "outside_booking_window": _("Book a day from %(first)s to %(last)s: from tomorrow up to 7 working days ahead."),
    "booking_suspended": _("Booking is suspended until %(until)s after two missed appointments in a month."),
    "one_booking_per_day": _("You already have an appointment on %(day)s: one a day."),
    "slot_full": _("The last place at %(time)s on %(day)s has just gone: choose another time."),
    "booking_state": _("This appointment is %(status)s: it cannot be changed now."),
    "too_late_to_cancel": _("Appointments are cancelled at least a day ahead: the one on %(day)s can no longer be "
                            "cancelled."),
    "desk_only": _("Only officers and station chiefs of the station do this."),
    "not_booking_day": _("This appointment is for %(day)s, not today."),
    "identity_mismatch": _("The ID card shown is not the one the appointment was booked with (real-name)."),
    "bad_document_kind": _("Unknown document kind %(kind)s."),
    "document_empty": _("%(name)s is empty."),
    "document_too_large": _("%(name)s is larger than %(limit)s MB."),
    "bad_document_type": _("%(name)s is not a PDF, JPEG or PNG file."),
    "address_required": _("Give the address where you live."),
    "address_outside": _("No police unit of the city covers area %(adcode)s: apply where you live."),
    "no_station_for_area": _("Choose the street of your address: no station takes applications for %(adcode)s as "
                             "a whole."),
    "bad_basis": _("Unknown basis %(basis)s: use employment, residence or schooling."),
    "permit_open": _("You already have an open application: follow it under My services."),
    "permit_state": _("This application is %(status)s: this step is not possible now."),
    "not_eligible": _("Application RP-%(application)s does not meet the rules yet: see what is missing."),
    "permit_reason_required": _("Give the reason for the rejection."),
    "bad_decision": _("Unknown decision %(decision)s."),
    "endorsement_not_open": _("The endorsement window is %(first)s to %(last)s."),
    "since_required": _("Give the day you started living here."),
    "slot_required": _("Choose a time."),
    "no_booking_today": _("There is no appointment today at this counter for this ID card: take a walk-in ticket, "
                          "or ask at the counter."),
    "transit_bad_time": _("%(field)s: give a date and a time."),
    # screening.services.screening_job_finished_check: a result download before the screening is done (409).
    "job_not_done": _("The screening of %(job)s is not finished yet (%(status)s): its results can be downloaded "
                      "once it is done. Its page shows how far it has got and updates by itself."),
    "job_failed": _("The screening of %(job)s failed: it has no results to download. Its page says why and how "
                    "to upload the roster again."),
}

#: Message ids that no page catches, so their English ``message`` is all anyone sees of them (CLI output,
#: API problem details) or they reach a page as a job's stored code and parameters (rendered from
#: ``pingan.core.jobs.FAILURE_MESSAGES``).
NO_PAGE_MESSAGE: frozenset[str] = frozenset({
    # screening.services.screening_job_run, in the background task: the job row keeps the message, and the
    # job page renders its error_code and error_params (pingan.screening.failures) in the reader's language.
    "unreadable_roster", "empty_roster", "no_risk_data",
    # screening.services: risk-data import (CLI) and result downloads (the page answers 404 for these).
    "bad_kind", "bad_format",
    # screening.riskimport (CLI).
    "bad_nhc_data", "bad_movements", "no_valid_rows", "missing_source", "bad_watchlist",
    # core.services: units, reference data and accounts (CLI and fixtures).
    "bad_unit_kind", "bad_unit_parent", "bad_adcode", "bad_role", "unit_required", "unit_not_allowed",
    # core.services: changes of role, unit and owner with a second administrator (`pingan access`, CLI only).
    "access_change_not_allowed", "access_reason_required", "bad_target", "no_change", "access_four_eyes",
    "access_change_decided", "access_change_stale",
    # core.services: a police token without a purpose (`pingan token create`, CLI only).
    "token_purpose_required",
    # codes.services: key rotation (CLI only).
    "rotate_not_allowed",
    # alerts.services: devices, boundaries, the watch list and silences (CLI and API only).
    "bad_boundary_file", "bad_device_id", "bad_device_kind", "bad_position", "unknown_units",
    # stats: imports (CLI, API, or the import's own row, which keeps the reason as a code), the role checks
    # that pages turn into 403, drill-down parameters that pages turn into 404, vehicle counts (CLI).
    "bad_source_file", "unknown_source", "unknown_org", "unknown_unit", "stats_unreadable_file",
    "bad_window",
    "source_required",
    # citizen: set-up errors of the CLI and the environment (catalogue, counters, the issue deadline).
    "bad_catalogue", "bad_counter", "bad_issue_days", "bad_kiosk_idle",
})

_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def placeholders(template: str) -> set[str]:
    """The ``%(name)s`` names of a message template."""
    return set(_PLACEHOLDER.findall(template))


def _shown(value: Any) -> Any:
    # A status or level travels as its Choices member; the page shows its label, in the active language.
    return value.label if isinstance(value, Choices) else value


def page_message(exc: DomainError) -> str:
    """The message a page shows for ``exc``, in the active language.

    The template of ``exc.message_id`` in :data:`PAGE_MESSAGES` filled from ``exc.params``; the English
    ``exc.message`` when the id has no template (an error that was never meant for pages) or the raise did
    not give a value the template needs (logged: the table and the service disagree).
    """
    template = PAGE_MESSAGES.get(exc.message_id)
    if template is None:
        return exc.message
    try:
        params = references(localised(exc.params, get_language() or ""))
        # a template of one or several (ngettext_lazy on "n") is chosen by the filling
        return str(template % {k: _shown(v) for k, v in params.items()})
    except (KeyError, TypeError, ValueError) as err:
        log.warning("page message %r cannot be filled from params %r: %r", exc.message_id, exc.params, err)
        return exc.message
