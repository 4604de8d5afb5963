"""Safety codes over HTTP: the API, the well-known key sets, the revocation list, the pages and downloads."""

from __future__ import annotations

import json
import zlib
from datetime import timedelta

import base45
import cbor2
import pytest
from django.utils import timezone
from test_app_support import isolated, screened, sign_in  # noqa: F401 - fixture

from pingan.codes import render, services
from pingan.codes.keys import Alg, KeySigner, KeyStore, generate_private_key
from pingan.codes.levels import RULE_TEXT_ZH, Level
from pingan.codes.revocation import RevocationList
from pingan.codes.token import PREFIX, SafetyCode, decode, encode, issue, verify

pytestmark = pytest.mark.usefixtures("isolated")
API = "/api/v1/codes"


@pytest.fixture
def issued(cast):
    screened(cast.premises_a, ["green", "yellow"])
    return services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)


def _verify(client, text, addr="10.0.0.1"):
    return client.post(f"{API}/verify", json.dumps({"text": text}), content_type="application/json",
                       REMOTE_ADDR=addr)


def test_the_owner_issues_and_fetches_the_current_code(client, cast):
    screened(cast.premises_a, ["green"])
    sign_in(client, cast.landlord_a)
    r = client.post(f"{API}/premises/{cast.premises_a.pk}/issue")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level"] == "green" and body["token"].startswith(PREFIX) and body["people"] == 1
    current = client.get(f"{API}/premises/{cast.premises_a.pk}/current").json()
    assert current["code_id"] == body["code_id"]


def test_issuing_before_screening_is_a_problem_detail(client, cast):
    sign_in(client, cast.landlord_a)
    r = client.post(f"{API}/premises/{cast.premises_a.pk}/issue")
    assert r.status_code == 400 and r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "not_screened"


def test_another_landlord_cannot_fetch_or_issue_the_code(client, cast, issued):
    sign_in(client, cast.landlord_b)
    assert client.get(f"{API}/premises/{cast.premises_a.pk}/current").status_code == 404
    assert client.post(f"{API}/premises/{cast.premises_a.pk}/issue").status_code == 404
    assert client.get(f"/codes/premises/{cast.premises_a.pk}/poster.pdf").status_code == 404
    assert client.get(f"/codes/premises/{cast.premises_a.pk}/qr.svg").status_code == 404
    assert services.current_code(cast.premises_a) == issued


def test_police_see_codes_of_their_jurisdiction_only(client, cast, issued):
    sign_in(client, cast.officer_a)
    assert client.get(f"{API}/premises/{cast.premises_a.pk}/current").json()["code_id"] == issued.code_id
    sign_in(client, cast.officer_b)
    assert client.get(f"{API}/premises/{cast.premises_a.pk}/current").status_code == 404


def test_the_well_known_key_sets_verify_an_issued_code(client, issued):
    r = client.get("/.well-known/pingan/cose-keys")
    assert r.status_code == 200 and r["Content-Type"] == "application/cose-key-set"
    assert "max-age" in r["Cache-Control"]
    store = KeyStore.from_cose_key_set(r.content)
    assert verify(issued.token, store).ok
    r = client.get("/.well-known/pingan/jwks.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/jwk-set+json"
    jwks = r.json()
    assert all("d" not in k for k in jwks["keys"])
    assert verify(issued.token, KeyStore.from_jwks(jwks)).ok


def test_the_revocation_list_is_public_signed_and_cacheable(client, cast, issued):
    index = client.get(f"{API}/revocations").json()
    assert index == [{"issuer": "350203-LQ", "url": f"{API}/revocations/350203-LQ"}]
    services.safety_code_revoke(code=issued, reason="error", actor=cast.officer_a)
    r = client.get(index[0]["url"])
    assert r.status_code == 200 and r["Content-Type"].startswith("application/cose")
    assert r["Cache-Control"] == "public, max-age=60" and r["ETag"]
    trust = KeyStore.from_jwks(client.get("/.well-known/pingan/jwks.json").json())
    rl = RevocationList.verify(r.content, trust)
    assert bytes.fromhex(issued.code_id) in rl.entries
    assert verify(issued.token, trust, rl).status.value == "revoked"
    again = client.get(index[0]["url"], HTTP_IF_NONE_MATCH=r["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.get(f"{API}/revocations/nobody").status_code == 404


def _tampered_payload(token: str) -> str:
    parts = list(cbor2.loads(decode(token)).value)
    claims = cbor2.loads(parts[2])
    claims[-65537][2] = 1  # red/yellow → green
    return encode(cbor2.dumps(cbor2.CBORTag(18, [parts[0], {}, cbor2.dumps(claims), parts[3]])))


def test_the_verify_endpoint_gives_each_reason(client, cast, issued):
    key = services.signing_key_ensure(issuer=issued.issuer)
    signer = services.signer_for(key)

    def signed(**kw):
        base = {"issuer": issued.issuer, "premises_id": cast.premises_a.pk, "premises_name": "莲前出租屋",
                "level": Level.GREEN, "people": 1, "issued_at": timezone.now()}
        return issue(SafetyCode.new(**{**base, **kw}), signer)

    stranger = KeySigner(generate_private_key(Alg.EDDSA), issuer=issued.issuer)
    body = _verify(client, issued.token).json()
    assert body["status"] == "valid" and body["valid"] is True
    assert body["level"] == "yellow" and body["premises_name"] == "莲前出租屋" and body["people"] == 2
    assert body["premises_id"] == cast.premises_a.pk and body["expires_at"]
    cases = {
        "expired": signed(issued_at=timezone.now() - timedelta(days=8)),
        "not_yet_valid": signed(issued_at=timezone.now() + timedelta(hours=1)),
        "unknown_key": issue(SafetyCode.new(issuer=issued.issuer, premises_id=1, premises_name="x",
                                            level=Level.GREEN, people=0, issued_at=timezone.now()), stranger),
        "bad_signature": _tampered_payload(issued.token),
    }
    for status, text in cases.items():
        got = _verify(client, text).json()
        assert (got["status"], got["valid"], got["layer"]) == (status, False, None), got
    assert _verify(client, cases["expired"]).json()["level"] == "green"  # what it was, shown even when expired
    compressed = zlib.compress(decode(issued.token), 9)
    layers = {
        "prefix": "HC1:" + issued.token[4:],
        "base45": issued.token[:10] + "a" + issued.token[11:],
        "zlib": PREFIX + base45.b45encode(compressed[:-6]).decode(),
        "cbor": encode(decode(issued.token) + b"\x00"),
        "cose": encode(cbor2.dumps([1, 2])),
    }
    for layer, text in layers.items():
        got = _verify(client, text).json()
        assert (got["status"], got["layer"]) == ("malformed", layer), got
    services.safety_code_revoke(code=issued, reason="fraud", actor=cast.officer_a)
    got = _verify(client, issued.token).json()
    assert (got["status"], got["revocation_reason"]) == ("revoked", "fraud")


def test_the_verify_endpoint_is_rate_limited_per_address(client, settings, issued):
    settings.PINGAN = {**settings.PINGAN, "VERIFY_RATE_PER_MINUTE": 3}
    assert [_verify(client, issued.token).status_code for _ in range(3)] == [200, 200, 200]
    r = _verify(client, issued.token)
    assert r.status_code == 429 and r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "rate_limited" and r.json()["limit_per_minute"] == 3
    assert _verify(client, issued.token, addr="10.0.0.2").status_code == 200  # another address is not limited


def test_disputes_and_level_changes_over_the_api(client, cast, issued):
    sign_in(client, cast.landlord_b)
    r = client.post(f"{API}/premises/{cast.premises_a.pk}/disputes", {"text": "x"}, content_type="application/json")
    assert r.status_code == 404
    sign_in(client, cast.landlord_a)
    r = client.post(f"{API}/premises/{cast.premises_a.pk}/disputes", {"text": "黄码人员已离职"},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["unit"] == "350203-LQ"
    dispute_id = r.json()["id"]
    sign_in(client, cast.officer_b)
    assert client.get(f"{API}/disputes").json() == []
    assert client.post(f"{API}/disputes/{dispute_id}/resolve", {"upheld": True, "outcome": "x"},
                       content_type="application/json").status_code == 404
    sign_in(client, cast.officer_a)
    assert [d["id"] for d in client.get(f"{API}/disputes?status=open").json()] == [dispute_id]
    r = client.post(f"{API}/disputes/{dispute_id}/resolve", {"upheld": True, "outcome": "属实，调整为绿码"},
                    content_type="application/json")
    assert r.json()["status"] == "upheld"
    r = client.post(f"{API}/premises/{cast.premises_a.pk}/overrides", {"level": "green", "reason": "纠错属实"},
                    content_type="application/json")
    assert r.status_code == 201
    ov = r.json()["id"]
    r = client.post(f"{API}/overrides/{ov}/approve", {}, content_type="application/json")
    assert r.status_code == 403  # an officer is not an approver
    sign_in(client, cast.chief_a)
    r = client.post(f"{API}/overrides/{ov}/approve", {"note": "同意"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert client.get(f"{API}/premises/{cast.premises_a.pk}/current").json()["code_id"] == r.json()["issued_code_id"]
    assert services.current_code(cast.premises_a).level == "green"


def test_the_owner_page_shows_the_code_and_downloads_work(client, cast, issued):
    sign_in(client, cast.landlord_a)
    page = client.get(f"/codes/premises/{cast.premises_a.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "黄码" in html and "qr.svg" in html and "纠错" in html
    svg = client.get(f"/codes/premises/{cast.premises_a.pk}/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get(f"/codes/premises/{cast.premises_a.pk}/qr.png")
    # the door QR is the link to the verification page (docs/codes.md §12), on the host the page came from
    assert render.read_qr(png.content) == services.code_url(issued, verify_url="http://testserver/verify/")
    assert services.safety_code_verify(render.read_qr(png.content)).code.code_id.hex() == issued.code_id
    pdf = client.get(f"/codes/premises/{cast.premises_a.pk}/poster.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    r = client.post(f"/codes/premises/{cast.premises_a.pk}/dispute/", {"text": "请复核黄码人员"})
    assert r.status_code == 302 and cast.premises_a.disputes.get().text == "请复核黄码人员"


def test_the_include_template_renders_for_a_premises(cast, issued):
    from django.template.loader import render_to_string

    html = render_to_string("codes/partials/premises_code.html", {"premises": cast.premises_a})
    assert "黄码" in html and f"/codes/premises/{cast.premises_a.pk}/poster.pdf" in html
    assert "签发" in render_to_string("codes/partials/premises_code.html", {"premises": cast.premises_b})


def test_the_police_queue_lists_their_jurisdiction_and_enforces_four_eyes(client, cast, issued):
    services.dispute_open(premises=cast.premises_a, text="人员已搬离", actor=cast.landlord_a)
    ov = services.level_override_request(premises=cast.premises_a, level="red", reason="核查", actor=cast.chief_a)
    sign_in(client, cast.chief_a)
    html = client.get("/codes/police/").content.decode()
    assert "人员已搬离" in html and "此申请由您提出" in html and "/approve/" not in html  # own request
    sign_in(client, cast.officer_b)
    assert "人员已搬离" not in client.get("/codes/police/").content.decode()
    assert client.post(f"/codes/overrides/{ov.pk}/approve/").status_code == 404
    sign_in(client, cast.chief_a)
    client.post(f"/codes/overrides/{ov.pk}/approve/")
    ov.refresh_from_db()
    assert ov.status == "requested"  # refused: same person


def test_the_verify_page_is_public_and_works_offline(client, issued):
    page = client.get("/verify/")
    html = page.content.decode()
    assert page.status_code == 200 and RULE_TEXT_ZH in html
    assert "serviceWorker" in html and "/.well-known/pingan/jwks.json" in html
    assert "/api/v1/codes/revocations/350203-LQ" in html and 'rel="manifest"' in html
    js = client.get("/verify/verify.js")
    assert js["Content-Type"].startswith("text/javascript") and b"export async function verify" in js.content
    assert client.get("/verify/verify.js", HTTP_IF_NONE_MATCH=js["ETag"]).status_code == 304
    sw = client.get("/verify/sw.js")
    assert sw["Content-Type"].startswith("text/javascript") and b"caches.open" in sw.content
    manifest = client.get("/verify/manifest.webmanifest")
    assert manifest.json()["start_url"] == "/verify/"


def test_a_code_replaced_by_an_approved_level_change_says_so_everywhere(client, cast, issued):
    """It read "replaced after a new screening" although no one screened: its reason is the level change, on
    the pages (both languages), in the API, the public verification and the signed revocation list (reason 5)."""
    from pingan.codes.models import LevelOverride, SafetyCode
    from pingan.codes.revocation import Reason

    ov = services.level_override_request(premises=cast.premises_a, level="green", reason="纠错属实",
                                         actor=cast.officer_a)
    services.level_override_approve(override=ov, actor=cast.chief_a)
    old = SafetyCode.objects.get(pk=issued.pk)
    assert old.revocation_reason == "overridden" and old.superseded_by_id is not None
    sign_in(client, cast.landlord_a)
    for lang, label, wrong in (("zh-hans", "等级调整获批后更换", "新的筛查"),
                               ("en", "replaced after an approved level change", "after a new screening")):
        client.cookies["django_language"] = lang
        html = client.get(f"/codes/premises/{cast.premises_a.pk}/").content.decode()
        assert label in html and wrong not in html, lang
        page = client.get("/verify/").content.decode()
        words = json.loads(page.split('id="verify-texts" type="application/json">')[1].split("</script>")[0])
        assert words[lang]["revocation"]["overridden"] == label
    assert _verify(client, issued.token).json()["revocation_reason"] == "overridden"
    signed = client.get(f"{API}/revocations/350203-LQ").content
    listed = RevocationList.verify(signed, services.trust_store())
    assert listed.entries[bytes.fromhex(issued.code_id)].reason is Reason.OVERRIDDEN
    # a screening afterwards supersedes the level change's code as a screening does
    screened(cast.premises_a, ["green"])
    services.safety_code_issue(premises=cast.premises_a, actor=cast.landlord_a)
    replaced = SafetyCode.objects.get(pk=LevelOverride.objects.get(pk=ov.pk).issued_code_id)
    assert replaced.revocation_reason == "rescreened"


def test_the_chief_approves_a_level_change_seeing_the_current_level_and_where_it_came_from(client, cast, issued):
    """Issue 11's trial: the request read only "→ 绿码" and the reason; after the approval the card still said
    "此码来自最近一次筛查" although the level came from the level change."""
    ov = services.level_override_request(premises=cast.premises_a, level="green", reason="纠错属实",
                                         actor=cast.officer_a)
    sign_in(client, cast.chief_a)
    for lang, current, counts in (("zh-hans", "当前 黄码", "筛查：2 人，红 0 人，黄 1 人"),
                                  ("en", "current: yellow code", "screening: 2 people, 0 red, 1 yellow")):
        client.cookies["django_language"] = lang
        html = client.get("/codes/police/").content.decode()
        item = html[html.index(f'id="override-{ov.pk}"'):].split("</li>")[0]
        assert current in item and counts in item, item
        assert 'class="danger"' in item  # reject is danger, as docs/web.md says
    services.level_override_approve(override=ov, actor=cast.chief_a)
    for user, lang, said in ((cast.chief_a, "zh-hans", "此码的等级由已批准的等级变更设定"),
                             (cast.landlord_a, "zh-hans", "此码的等级由派出所批准的等级变更设定"),
                             (cast.landlord_a, "en", "set by the police station (an approved level change)")):
        sign_in(client, user)
        client.cookies["django_language"] = lang
        html = client.get(f"/codes/premises/{cast.premises_a.pk}/").content.decode()
        assert said in html and "此码来自最近一次筛查" not in html and "from the latest screening" not in html, html


def test_an_open_request_says_the_level_at_the_request_and_now_after_a_level_change(client, cast, issued):
    """Issue 11's trial: after the chief approved "→ 黄码", the still-open correction request read "当前 红码" —
    the disputed code's level, not the current one. A row whose code was replaced says both."""
    dispute = services.dispute_open(premises=cast.premises_a, text="红码人员都已搬走", actor=cast.landlord_a)
    ov = services.level_override_request(premises=cast.premises_a, level="green", reason="纠错属实",
                                         actor=cast.officer_a)
    sign_in(client, cast.chief_a)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/codes/police/").content.decode()
    item = html[html.index(f'id="dispute-{dispute.pk}"'):].split("</li>")[0]
    assert "当前 黄码" in item and "现为" not in item, item  # the code is still the disputed one
    services.level_override_approve(override=ov, actor=cast.chief_a)
    for lang, then, now, stale in (("zh-hans", "申请时 黄码", "现为 绿码", "当前 黄码"),
                                   ("en", "at the request: yellow code", "now: green code", "current: yellow")):
        client.cookies["django_language"] = lang
        html = client.get("/codes/police/").content.decode()
        item = html[html.index(f'id="dispute-{dispute.pk}"'):].split("</li>")[0]
        assert then in item and now in item and stale not in item, item
        assert 'data-level-now="green"' in item
