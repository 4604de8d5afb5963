"""``pingan code issue|verify|revoke|keys``: the operator's command line."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from test_app_support import isolated, run_code_command, screened  # noqa: F401 - fixture

from pingan.codes import render, services
from pingan.codes.models import SafetyCode, SigningKey
from pingan.core import texts

pytestmark = pytest.mark.usefixtures("isolated", "commands_in_english")


run = run_code_command


def test_issue_then_verify_a_png_rendered_from_the_code(cast, tmp_path):
    screened(cast.premises_a, ["green", "red"])
    out = run("issue", str(cast.premises_a.pk))
    code = SafetyCode.objects.get()
    assert f"issued code {code.code_id.upper()}: red" in out and code.token in out
    png = tmp_path / "door.png"
    png.write_bytes(render.qr_png(code.token))
    out = run("verify", str(png))
    assert out.startswith("This code is valid until") and "red code · 莲前出租屋 · " in out and "2 people" in out
    # the premises by its name, the code by its number in capitals as on the poster (issue 11: "场所 4", and a
    # lower-case number beside the poster's upper-case one)
    assert f"premises {cast.premises_a.pk}" not in out and f"code number {code.code_id.upper()}" in out
    # validity as a person reads it, in the bureau's time zone (as the pages and the poster print it): issue 11
    # read "有效期至 2026-12-14T06:46:12+08:00" in the demo's output; one output never mixes zones
    from django.utils import timezone

    until = timezone.localtime(code.expires_at).strftime("%Y-%m-%d %H:%M")
    assert f" – {until} · " in out
    assert out.splitlines()[0] == f"This code is valid until {until}."  # not "valid: valid until …" (issue 11)
    assert "+08:00" not in out and "+00:00" not in out and "T0" not in out and "T1" not in out


def test_verify_says_why_a_code_fails_and_exits_non_zero(cast, tmp_path):
    with pytest.raises(CommandError) as err:
        run("verify", "HC1:NCFOXN%TS3DH")
    assert err.value.returncode == 1 and str(err.value).startswith("This is not a complete safety code. ")
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (64, 64), 255).save(blank)
    with pytest.raises(CommandError, match="no readable QR code"):
        run("verify", str(blank))


def test_verify_says_what_is_wrong_with_a_file_in_the_users_language(cast, tmp_path):
    """Issue 11: under a Chinese locale ``pingan code verify poster.png`` said "no readable QR code found in the
    image" in English; every reason a file holds no single code goes through the catalogue."""
    from django.utils import translation
    from page_language import assert_language
    from PIL import Image

    blank, notes, two = tmp_path / "blank.png", tmp_path / "poster.pdf.txt", tmp_path / "two.png"
    Image.new("L", (64, 64), 255).save(blank)
    notes.write_text("not a picture", encoding="utf-8")
    sheet = Image.new("L", (1400, 700), 255)
    for text, x in (("PA1:A", 0), ("PA1:B", 800)):
        sheet.paste(Image.open(io.BytesIO(render.qr_png(text))), (x, 0))
    sheet.save(two)
    said = {}
    for language in ("zh-hans", "en"):
        for path in (blank, notes, two, tmp_path / "missing.png"):
            with translation.override(language), pytest.raises(CommandError) as err:
                run("verify", str(path))
            said[language, path.name] = str(err.value)
            assert_language(str(err.value), language, [str(path), "PNG、JPEG", "PNG, JPEG", "'PA1:A'", "'PA1:B'"])
    assert said["zh-hans", "blank.png"] == f"{blank}：图片中没有找到可识别的二维码"
    assert "距左边 832 像素" in said["zh-hans", "two.png"] and "832 px from the left" in said["en", "two.png"]
    assert said["en", "missing.png"].endswith("missing.png: there is no such file; check the path")


def test_revoke_from_the_command_line_makes_the_code_read_revoked(cast):
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=None)
    assert "revoked" in run("revoke", code.code_id, "--reason", "fraud")
    with pytest.raises(CommandError) as err:
        run("verify", code.token)
    assert "revoked" in str(err.value)
    with pytest.raises(CommandError, match=f"The safety code {code.code_id} has already been revoked"):
        run("revoke", code.code_id, "--reason", "fraud")


def test_keys_rotate_and_list(cast):
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=None)
    out = run("keys", "rotate", "--issuer", "350203-LQ", "--alg", "EdDSA")
    new = SigningKey.objects.get(active=True, issuer="350203-LQ")
    assert new.kid in out and new.alg == "EdDSA"
    listing = run("keys", "list")
    assert f"{code.kid}\tES256\tretired" in listing and f"{new.kid}\tEdDSA\tactive" in listing
    # its times in the bureau's zone, saying so (they were UTC without an offset beside +08:00 elsewhere)
    line = next(x for x in listing.splitlines() if new.kid in x)
    assert line.endswith("+08:00") and "created " in line
    assert "retired " in listing and listing.count("+08:00") == 3
    assert run("verify", code.token).startswith("This code is valid")
    with pytest.raises(CommandError, match="--issuer"):
        run("keys", "rotate", "--issuer", "nowhere")


def test_new_keys_follow_the_configured_algorithm(cast, settings):
    settings.PINGAN = {**settings.PINGAN, "CODE_KEY_ALG": "EdDSA"}
    screened(cast.premises_a, ["green"])
    code = services.safety_code_issue(premises=cast.premises_a, actor=None)
    assert SigningKey.objects.get(kid=code.kid).alg == "EdDSA"
    assert services.safety_code_verify(code.token).ok
    run("keys", "rotate", "--issuer", "350203-LQ")  # no --alg: the setting again
    assert SigningKey.objects.get(active=True, issuer="350203-LQ").alg == "EdDSA"
    run("keys", "rotate", "--issuer", "350203-LQ", "--alg", "ES256")  # the option wins
    assert SigningKey.objects.get(active=True, issuer="350203-LQ").alg == "ES256"


def test_verify_many_codes_from_a_file_and_the_arguments(cast, tmp_path):
    screened(cast.premises_a, ["green"])
    first = services.safety_code_issue(premises=cast.premises_a, actor=None)
    screened(cast.premises_b, ["red"])
    other = services.safety_code_issue(premises=cast.premises_b, actor=None)
    screened(cast.premises_a, ["green", "green"])  # a new screening: its code supersedes (revokes) the first
    second = services.safety_code_issue(premises=cast.premises_a, actor=None)
    codes = tmp_path / "scans.txt"
    codes.write_text(f"{second.token}\n\n{first.token}\n{second.token[:-3]}\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 of 4 codes are not valid"):
        call_command("code", "verify", other.token, "--from", str(codes), stdout=out, stderr=err)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("1\tvalid · red · premises") and "江头公寓" in lines[0]
    assert lines[1].startswith("2\tvalid · green") and lines[2].startswith("3\trevoked · green")
    assert lines[3].startswith("4\tmalformed (")
    assert err.getvalue() == "2 of 4 codes valid\n"  # once; the Verdict adds nothing from the command line


def test_issue_writes_the_poster_and_the_qr_that_verify_reads_back(cast, tmp_path):
    screened(cast.premises_a, ["green"])
    poster, qr = tmp_path / "door.pdf", tmp_path / "door.png"
    run("issue", str(cast.premises_a.pk), "--poster", str(poster), "--qr", str(qr),
        "--verify-url", "https://police.example/verify/")
    code = SafetyCode.objects.get()
    for path in (poster, qr):
        assert run("verify", str(path)).startswith("This code is valid"), path
    # issuing again from the same screening writes the live code's QR and issues nothing (issue 11)
    said = run("issue", str(cast.premises_a.pk), "--qr", str(tmp_path / "door.svg"))
    assert (tmp_path / "door.svg").read_text(encoding="utf-8").lstrip().startswith("<svg")
    assert SafetyCode.objects.get().pk == code.pk and "not re-issued" in said


def test_issue_refuses_an_unusable_output_path_before_issuing(cast, tmp_path):
    screened(cast.premises_a, ["green"])
    with pytest.raises(CommandError, match=r"door\.txt: the file name must end in \.pdf"):
        run("issue", str(cast.premises_a.pk), "--poster", str(tmp_path / "door.txt"))
    with pytest.raises(CommandError, match="does not exist"):
        run("issue", str(cast.premises_a.pk), "--qr", str(tmp_path / "nowhere" / "door.png"))
    assert not SafetyCode.objects.exists()  # nothing issued, nothing revoked


def test_issue_writes_a_door_qr_holding_the_link_and_verify_takes_the_link(cast, tmp_path, settings):
    settings.PINGAN = {**settings.PINGAN, "CODE_VERIFY_URL": "https://gaj.xm.gov.cn/verify/"}
    screened(cast.premises_a, ["green", "green"])
    png = tmp_path / "door.png"
    out = run("issue", str(cast.premises_a.pk), "--qr", str(png))
    code = SafetyCode.objects.get()
    link = out.splitlines()[-1]
    assert link.startswith("https://gaj.xm.gov.cn/verify/#1") and link.split("#1")[1].isdigit()
    assert render.read_qr(png.read_bytes()) == link  # what a phone camera sees: a link to the page
    assert run("verify", link).startswith("This code is valid")  # the link itself, pasted
    assert "green code · 莲前出租屋" in run("verify", str(png)) and code.code_id.upper() in run("verify", link)
    with pytest.raises(CommandError) as err:
        run("verify", link[:-1])  # one digit lost
    assert err.value.returncode == 1 and services.safety_code_verify(link[:-1]).layer == "digits"


def test_verify_says_truthfully_why_a_code_was_revoked(cast):
    """Fresh-user trial: a code replaced because the landlord uploaded a new roster read "revoked: The police
    withdrew this code (replaced after a new screening)". Each reason says what happened; only fraud and error
    are the police's doing; the sentence after the colon continues it (no capital)."""
    screened(cast.premises_a, ["green"])
    replaced = services.safety_code_issue(premises=cast.premises_a, actor=None)
    screened(cast.premises_a, ["green", "green"])
    services.safety_code_issue(premises=cast.premises_a, actor=None)
    assert SafetyCode.objects.get(pk=replaced.pk).revocation_reason == "rescreened"
    with pytest.raises(CommandError) as err:
        run("verify", replaced.token)
    # issue 11: headed "replaced by a newer code", not "revoked", with when it was issued and the new poster
    issued = texts.moment(replaced.issued_at)
    assert str(err.value) == ("replaced by a newer code: this code was issued on "
                              f"{issued}; since then a newer code replaced it, after the premises' roster was "
                              "screened again or its people were checked against new risk data. The door should show "
                              "the new poster: ask the premises for its current code.")
    assert "changed its level" not in str(err.value)  # issue 11: a red code replaced by a red one
    assert "police" not in str(err.value)
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(CommandError) as err:
        run("verify", replaced.token)
    assert str(err.value) == (f"已被新码取代：此码于 {issued} 签发，之后场所的名单重新筛查或按新的风险数据重新核查，"
                              "已由新码取代。门上应张贴新的门贴：请向场所索取现行有效的平安码。")
    assert "公安机关" not in str(err.value)
    live = SafetyCode.objects.get(premises=cast.premises_a, revoked_at__isnull=True)
    run("revoke", live.code_id, "--reason", "fraud")
    with pytest.raises(CommandError, match=r"^The police revoked this code because it was obtained or "
                                           "used fraudulently"):
        run("verify", live.token)


@pytest.mark.parametrize(("language", "replaced", "police"), [
    ("en", "since then a newer code replaced it, after the premises' roster was screened again", "police"),
    ("zh-hans", "之后场所的名单重新筛查", "公安机关")])
def test_the_verification_page_says_each_revocation_reason_truthfully(language, replaced, police):
    """The page's script shows, for a revoked code, the sentence of its reason (``revoked`` in its words): a
    replaced or suspended code is not one the police withdrew; fraud and error are the police's."""
    from django.utils import translation

    from pingan.codes.views import _verify_page_text

    with translation.override(language):
        words = _verify_page_text()["revoked"]
    assert set(words) == {"rescreened", "overridden", "suspended", "fraud", "error"}
    assert replaced in words["rescreened"]
    assert all(police not in words[r] for r in ("rescreened", "overridden"))
    assert all(police in words[r] for r in ("fraud", "error"))
