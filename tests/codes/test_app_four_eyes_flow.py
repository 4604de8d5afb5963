"""Issue 11's walk of the four-eyes level change as two station chiefs (zh and en): a second submit of the same
request, a request for the level the code already has, a rejection that asks first and says it rejected, and
a dispute rejection that asks first too."""

from __future__ import annotations

import pytest
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import services
from pingan.codes.models import Dispute, LevelOverride
from pingan.core.errors import DomainError

pytestmark = pytest.mark.usefixtures("isolated")


@pytest.fixture
def issued(cast):
    screened(cast.premises_a, ["green", "yellow"])  # a yellow code
    return services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)


def _post_override(client, cast, level: str, reason: str):
    return client.post(f"/codes/premises/{cast.premises_a.pk}/override/", {"level": level, "reason": reason},
                       follow=True)


@pytest.mark.parametrize("lang, pending, same", [
    ("zh-hans", "已有一项等级调整在等待所长审批", "平安码已是该等级"),
    ("en", "already waiting for a station chief", "is already at that level"),
])
def test_a_second_submit_queues_no_second_request(client, cast, issued, lang, pending, same):
    """The back button and submit again queued a second request for the same code: a chief approved one and
    the other stayed in the queue with an Approve button that could only fail (override_stale)."""
    sign_in(client, cast.chief_a)
    client.cookies["django_language"] = lang
    _post_override(client, cast, "red", "现场核查")
    html = _post_override(client, cast, "red", "现场核查").content.decode()
    assert pending in html
    assert LevelOverride.objects.filter(premises=cast.premises_a, status="requested").count() == 1
    html = _post_override(client, cast, "yellow", "复核").content.decode()  # the code is yellow already
    assert same in html
    assert LevelOverride.objects.filter(premises=cast.premises_a).count() == 1


def test_the_same_level_and_a_pending_request_are_refused_by_the_service(cast, issued):
    with pytest.raises(DomainError) as same:
        services.level_override_request(premises=cast.premises_a, level="yellow", reason="x", actor=cast.officer_a)
    assert same.value.code == "override_same_level"
    services.level_override_request(premises=cast.premises_a, level="green", reason="x", actor=cast.officer_a)
    with pytest.raises(DomainError) as twice:
        services.level_override_request(premises=cast.premises_a, level="red", reason="y", actor=cast.chief_a)
    assert twice.value.code == "override_pending"


def test_a_request_for_an_earlier_code_does_not_block_a_new_one(cast, issued):
    old = services.level_override_request(premises=cast.premises_a, level="red", reason="x", actor=cast.officer_a)
    from pingan.screening.models import PersonResult

    job = screened(cast.premises_a, ["green", "yellow"])  # a new screening of the same two people
    for before, now in zip(issued.job.persons.order_by("row"), job.persons.order_by("row"), strict=True):
        PersonResult.objects.filter(pk=now.pk).update(name=before.name)
    renewed = services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)  # a new code
    assert renewed.pk != issued.pk
    new = services.level_override_request(premises=cast.premises_a, level="red", reason="y", actor=cast.officer_a)
    assert old.pk != new.pk and new.code_id != old.code_id


@pytest.mark.parametrize("lang, approved, rejected, ask", [
    ("zh-hans", "已批准等级调整", "已驳回等级调整", "驳回等级调整"),
    ("en", "Level change approved", "Level change rejected", "Reject the level change"),
])
def test_the_second_chief_approves_or_rejects_and_is_told_which(client, cast, people, issued, lang, approved,
                                                               rejected, ask):
    """"Decision recorded." (in Chinese 已审批, approved) followed a rejection too; a rejection now asks first."""
    from pingan.core.services import user_create

    chief2 = user_create(username="chief_a2", password="correct horse battery staple", role="station_chief",
                         unit=cast.unit_a, display_name="chief_a2")
    ov = services.level_override_request(premises=cast.premises_a, level="red", reason="核查", actor=cast.chief_a)
    sign_in(client, chief2)
    client.cookies["django_language"] = lang
    queue = client.get("/codes/police/").content.decode()
    assert f'data-confirm="{ask}' in queue  # the reject button asks in the browser
    page = client.post(f"/codes/overrides/{ov.pk}/reject/", {"note": "不属实"})
    assert page.status_code == 200 and ask in page.content.decode()  # without script: the confirmation page
    ov.refresh_from_db()
    assert ov.status == "requested"
    html = client.post(f"/codes/overrides/{ov.pk}/reject/", {"note": "不属实", "confirmed": "1"},
                       follow=True).content.decode()
    ov.refresh_from_db()
    assert ov.status == "rejected" and rejected in html and approved not in html
    ov = services.level_override_request(premises=cast.premises_a, level="red", reason="再核查", actor=cast.chief_a)
    html = client.post(f"/codes/overrides/{ov.pk}/approve/", follow=True).content.decode()
    ov.refresh_from_db()
    assert ov.status == "approved" and approved in html and rejected not in html


def test_rejecting_a_correction_request_asks_first(client, cast, issued):
    d = services.dispute_open(premises=cast.premises_a, text="人员已搬离", actor=cast.landlord_a)
    sign_in(client, cast.officer_a)
    assert 'data-confirm="驳回纠错申请' in client.get("/codes/police/").content.decode()
    client.post(f"/codes/disputes/{d.pk}/resolve/", {"decision": "rejected", "outcome": "未核实"})
    assert Dispute.objects.get(pk=d.pk).status == "open"
    html = client.post(f"/codes/disputes/{d.pk}/resolve/", {"decision": "rejected", "outcome": "未核实",
                                                             "confirmed": "1"}, follow=True).content.decode()
    assert Dispute.objects.get(pk=d.pk).status == "rejected" and "已驳回该纠错申请" in html


@pytest.mark.parametrize("lang, decided, asked", [("zh-hans", "决定人", "提出人"), ("en", "decided by", "asked by")])
def test_the_decided_list_says_who_decided_when_and_why_by_their_names(client, cast, issued, lang, decided, asked):
    """The queue's "Decided" list said neither who decided, nor when, nor the note; and an account whose name
    was set as its first and last name (the admin) showed as its user name (issue 11)."""
    import re

    from django.utils import timezone

    from pingan.core.services import user_create

    chief2 = user_create(username="chief_a2", password="correct horse battery staple", role="station_chief",
                         unit=cast.unit_a, display_name="")
    chief2.first_name, chief2.last_name = "明", "林"  # a name set in the admin, no display name
    chief2.save()
    requester = cast.chief_a
    ov = services.level_override_request(premises=cast.premises_a, level="red", reason="核查", actor=requester)
    services.level_override_reject(override=ov, actor=chief2, note="现场复核人员已搬离")
    d = services.dispute_open(premises=cast.premises_a, text="人员已搬离", actor=cast.landlord_a)
    services.dispute_resolve(dispute=d, upheld=True, outcome="已核实，调整等级", actor=chief2)
    ov.refresh_from_db()
    d.refresh_from_db()
    sign_in(client, cast.officer_a)
    client.cookies["django_language"] = lang
    html = client.get("/codes/police/").content.decode()
    listed = html[html.index('id="decided"'):]
    listed = listed[:listed.index("</ul>")]
    items = re.findall(r"<li>(.*?)</li>", listed, re.S)
    assert len(items) == 2, items
    for item, when, note in ((items[0], d.resolved_at, "已核实，调整等级"),
                             (items[1], ov.decided_at, "现场复核人员已搬离")):
        assert f"{decided} 明 林" in item and "chief_a2" not in item  # who, by name
        assert timezone.localtime(when).strftime("%Y-%m-%d %H:%M") in item  # when
        assert note in item  # why
    assert f"{asked} {cast.landlord_a.shown_name}" in items[0]
    assert requester.shown_name in items[1]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_time_on_the_queue_and_the_code_page_says_what_it_is(client, cast, issued, lang):
    """Issue 11's re-check: a level change waiting for approval read "莲前出租屋 → 绿码 · 申请人 officer_a ·
    2026-12-07 18:41" — a time with no word of what happened then; so did a suspended code's, a correction
    request's and the code page's level changes. Each time is said with what happened at it."""
    import re

    from pingan.core.services import user_create

    chief2 = user_create(username="chief_a2", password="correct horse battery staple", role="station_chief",
                         unit=cast.unit_a, display_name="林明")
    services.level_override_request(premises=cast.premises_a, level="green", reason="核实后无风险",
                                    actor=cast.officer_a)
    services.dispute_open(premises=cast.premises_a, text="人员已搬离，请核实", actor=cast.landlord_a)
    upheld = services.dispute_open(premises=cast.premises_a, text="等级有误，请核实", actor=cast.landlord_a)
    services.dispute_resolve(dispute=upheld, upheld=True, outcome="已核实", actor=chief2)
    # a time right after a separator, a line break or an item's start (a screening's label starts with its
    # upload time: "2026-12-07 18:41 上传的名单（…）", a label in itself)
    bare = re.compile(r"(?:·|<br>|<li[^>]*>)\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?! 上传)")
    words = {"zh-hans": ("申请于", "提出于", "支持于"), "en": ("requested by", "asked", "upheld by")}[lang]
    for user, url in ((cast.chief_a, "/codes/police/"), (cast.officer_a, f"/codes/premises/{cast.premises_a.pk}/"),
                      (cast.chief_a, "/")):
        sign_in(client, user)
        client.cookies["django_language"] = lang
        html = client.get(url).content.decode()
        main = re.sub(r"\s+", " ", html[html.index("<main"):html.index("</main>")])
        assert not bare.search(main), (url, bare.findall(main), main[bare.search(main).start() - 200:][:400])
        if url == "/codes/police/":
            assert all(w in main for w in words), main
