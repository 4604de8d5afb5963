"""An account is named in records as every page names it — its name, else its role and unit (``User.shown_name``,
``User.name_in`` where no reader's language applies) — never by its user name. The review found
``display_name or username`` naming people in the custody chain and its print-outs and as the GA/T 1400
applicant; the family also had the chain print-out's raw ``username:role`` actors, an investigator refused by
user name and the duty roster listing officers by user name."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.utils import translation

from pingan.evidence import chainexport, selectors

pytestmark = pytest.mark.django_db


def unnamed(user):
    user.display_name = ""
    user.first_name = user.last_name = ""
    user.save(update_fields=["display_name", "first_name", "last_name"])
    return user


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def test_the_chain_names_an_account_without_a_name_by_its_role_and_unit(cast, case):
    _, items = case
    unnamed(cast.officer_a)
    events = list(items[0].events.order_by("seq"))
    with translation.override("zh-hans"):
        names = selectors.chain_names(events)
        said = names[events[0].actor]
        assert said == cast.officer_a.shown_name and "莲前" in said
    assert cast.officer_a.username not in said


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_the_printed_chain_and_seizure_list_never_name_a_user_name(cast, case, people, tmp_path):
    _, items = case
    unnamed(cast.officer_a), unnamed(people.officer_a2)
    with translation.override("zh-hans"):
        item = selectors.item_get(actor=cast.officer_a, label=items[0].label)
        chain = pdf_text(chainexport.chain_document(item), tmp_path)
        sl = selectors.seizure_list_get(actor=cast.officer_a, list_id=items[0].seizure_list_id)
        seizure = pdf_text(chainexport.seizure_list_document(sl), tmp_path)
        shown = cast.officer_a.shown_name
    for text in (chain, seizure):
        assert "officer_a" not in text  # neither officer_a nor officer_a2, nor "officer_a:officer"
    assert shown.replace(" ", "") in chain.replace(" ", "")
    assert shown.replace(" ", "") in seizure.replace(" ", "")


def test_the_gat1400_applicant_is_the_accounts_name_in_chinese(cast):
    from pingan.alerts import gat1400, services
    from pingan.alerts.models import ViidSubscription

    officer = unnamed(cast.officer_a)
    now = dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC)
    sub = ViidSubscription(subscribe_id="S1", title="布控", resource_uri="x", reason="r", receive_addr="http://x",
                           begins_at=now, ends_at=now + dt.timedelta(days=1))
    with translation.override("en"):  # whoever's page made the request: the platform reads Chinese
        obj = services._subscribe_object(sub, officer, gat1400.OPERATE_SUBSCRIBE)
    assert obj["ApplicantName"] == officer.name_in("zh-hans") and "莲前" in obj["ApplicantName"]
    assert officer.username not in obj["ApplicantName"]


def test_an_investigator_refused_is_named_as_the_pick_list_offers_them(cast, case):
    from pingan.core.errors import DomainError
    from pingan.evidence import services

    c, _ = case
    landlord = unnamed(cast.landlord_a)
    with pytest.raises(DomainError) as refused:
        services.case_add_investigator(actor=cast.chief_a, case=c, user=landlord)
    assert refused.value.params["user"] == landlord.pick_name != landlord.username
