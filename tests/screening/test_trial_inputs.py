"""A new user's trial of uploads (item by item): a roster whose headers do not match its columns is refused up
front naming the headers found and expected; a CSV with NUL bytes rejects the rows holding them (row and
column), not the whole file; a failed job's reason is said in the viewer's language on every page and in the
API's text field."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pingan.screening.roster import RosterError, read_roster

H = "姓名,证件类型,证件号码,手机号码,性别"
ROWS = ["黄华,居民身份证,211381197911226016,18430166131,男", "高鑫,居民身份证,451002199909139353,16609378657,男",
        "杨倩,居民身份证,410621196501280185,17679711471,女", "牛雪梅,居民身份证,220681200109187680,19846563212,女"]


def _csv(header: str, rows: list[str] = ROWS, width: int | None = None) -> bytes:
    n = width or len(header.split(","))
    return (header + "\r\n" + "".join(",".join(r.split(",")[:n]) + "\r\n" for r in rows)).encode()


@pytest.mark.parametrize("header, problem, column", [
    ("名字,证件,电话", "column_phone_holds_ids", "电话"),  # the trial: the template's columns, other headers
    ("name,idcard,tel,foo,bar", "column_phone_holds_ids", "tel"),
    ("姓名,证件类型,手机号码", "column_phone_holds_ids", "手机号码"),  # the ID column headed as the phone
    ("姓名,证件号码,编号", "column_id_holds_types", "证件号码"),
    ("姓名,类型,号码,电话", "column_unknown_holds_ids", "号码"),
])
def test_a_header_that_does_not_match_its_columns_is_refused_naming_what_was_found_and_expected(
        header, problem, column):
    with pytest.raises(RosterError) as caught:
        read_roster(_csv(header), filename="wrong_header.csv")
    err = caught.value
    assert err.code == "roster_columns_mismatch" and err.params["problem"]["code"] == problem
    assert err.params["problem"]["params"]["label"] == column
    assert err.params["found"] == header.split(",") and "ID number" in err.params["expected"]
    assert "身份证号" in err.params["synonyms"] and "nothing was screened" in err.message


def test_unknown_headers_without_an_id_or_phone_column_are_named_too():
    with pytest.raises(RosterError) as caught:
        read_roster(_csv("姓名,类型,号码"), filename="r.csv")
    assert caught.value.code == "roster_header_without_id" and caught.value.params["found"] == ["姓名", "类型", "号码"]


def test_unknown_headers_without_an_id_column_are_refused_and_a_phone_roster_too():
    with pytest.raises(RosterError) as caught:
        read_roster("姓名,电话,备注\r\n张三,abc,x\r\n".encode(), filename="r.csv")
    assert caught.value.params["problem"] == {"code": "column_unknown_headers", "params": {"unknown": ["“备注”"]}}
    # a roster of names and phones: nobody can be checked (issue 11 trial: "police hits: 20")
    with pytest.raises(RosterError) as caught:
        read_roster("姓名,手机号码,备注\r\n张三,13800138000,x\r\n".encode(), filename="r.csv")
    assert caught.value.code == "roster_header_without_id"
    # the headers of the English template and common spellings are known
    ok = read_roster(_csv("Name,ID type,IDCard,Phone,Sex"), filename="r.csv")
    assert len(ok.accepted) == 4 and not ok.rejected


@pytest.mark.parametrize("language, words", [("zh-hans", ("表头", "电话", "身份证号码", "没有筛查")),
                                             ("en", ("header", "ID"))])
def test_the_refusal_is_said_in_the_viewers_language(language, words):
    from django.utils import translation

    from pingan.core.jobs import failure_message

    with pytest.raises(RosterError) as caught:
        read_roster(_csv("名字,证件,电话"), filename="wrong_header.csv")
    with translation.override(language):
        said = failure_message(caught.value.code, caught.value.params, caught.value.message)
    assert all(w in said for w in words), said
    assert ("引号" not in said) and (language == "en") == ("does not match" in said)
    # the headers found and expected are listed as the language lists them (issue 11: "、" in an English message)
    assert ("名字、证件、电话" in said) if language == "zh-hans" else ("名字, 证件, 电话" in said and "、" not in said)
    assert ("名字, 证件, 电话" in caught.value.message) and "、" not in caught.value.message  # the API's English
    # the columns expected are the template's headers as the template of that language writes them (issue 11:
    # "地址、入住日期" where the template says 房号/地址 and 入住/入职日期)
    zh = "姓名、证件类型、证件号码、手机号码、性别、出生日期、国籍、房号/地址、入住/入职日期"
    en = "Name, ID type, ID number, Phone, Sex, Birth date, Nationality, Room or address, Start date"
    expected = zh if language == "zh-hans" else en
    assert f"{'：' if language == 'zh-hans' else ': '}{expected}" in said, said


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_headers_the_refusal_expects_are_the_templates_and_read_as_a_roster(lang):
    from pingan.screening.roster import CANONICAL_FIELDS, header_key
    from pingan.screening.template import roster_template_xlsx

    with pytest.raises(RosterError) as caught:
        read_roster(_csv("名字,证件,电话"), filename="wrong_header.csv")
    expected = caught.value.params["expected_zh" if lang == "zh" else "expected"]
    template = read_roster(roster_template_xlsx(lang), filename="t.xlsx")
    assert [header_key(h) for h in expected] == [header_key(template.columns[f]).lstrip("*")
                                                 for f in CANONICAL_FIELDS]
    ok = read_roster(_csv(",".join(expected[:4]), width=4), filename="r.csv")  # what it expects, it accepts
    assert len(ok.accepted) == 4 and not ok.rejected


def test_nul_bytes_reject_the_rows_holding_them_naming_row_and_column_not_the_whole_file():
    # the trial's file: NULs inside a character (so no encoding decodes the file) and before a cell
    lines = _csv(H).split(b"\r\n")
    lines[1] = lines[1].replace("男".encode(), b"\x00\xe7\x94\xb7", 1)
    lines[3] = lines[3][:5] + b"\x00\x00" + lines[3][5:]
    result = read_roster(b"\r\n".join(lines), filename="nul.csv")
    assert [a.row for a in result.accepted] == [3, 5]
    assert [(r.row, r.code, r.column, r.params["letter"]) for r in result.rejected] == [
        (2, "nul_byte", "性别", "E"), (4, "nul_byte", "姓名", "A")]
    assert result.rejected[1].name == "杨倩"  # the NULs split 杨's bytes: removed, the name reads again
    assert "NUL" in result.rejected[0].text("zh-hans") and "第 E 列" in result.rejected[0].text("zh-hans")
    assert result.meta.total_rows == 4


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_failed_jobs_reason_is_said_in_the_viewers_language_on_the_police_premises_page(client, cast, language):
    from pingan.screening.models import ScreeningJob

    ScreeningJob.objects.create(
        premises=cast.premises_a, submitted_by=cast.landlord_a, roster_name="zipbomb.xlsx", roster_sha256="0" * 64,
        status="failed", as_of=timezone.now(), finished_at=timezone.now(),
        error="zipbomb.xlsx unpacks to 1,500 MB; pingan reads workbooks of at most 200 MB unpacked. Save the "
              "roster as CSV, or split it into several files.",
        error_code="workbook_unpacks_too_large",
        error_params={"name": "zipbomb.xlsx", "size_mb": "1,500", "limit_mb": "200"})
    client.force_login(cast.officer_a, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "epidemic_screening"
    session.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(reverse("dashboard:premises", args=[cast.premises_a.pk])).content.decode()
    assert ("zipbomb.xlsx unpacks to" in body) == (language == "en")
    if language == "zh-hans":
        assert "1,500" in body and "解压" in body
