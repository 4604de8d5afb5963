"""Duty roster pages (排班): a roster file read into shifts with row-level errors (pure), its import (all or
nothing, each row's problem), the roster page and its shift form for every role × own/other jurisdiction in
both languages, and the page at 375 px in a real browser."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_dispatch_operations import NOBODY, _users, sign_in

from pingan.dispatch import roster_file

HEAD = ["日期", "班次", "开始", "结束", "单位", "民警", "警力"]


def rows(*body):
    return [(1, HEAD), *((i, list(r)) for i, r in enumerate(body, start=2))]


# ------------------------------------------------------------------------------------------------ pure


def test_rows_with_the_same_station_day_name_and_times_make_one_shift():
    shifts, errors = roster_file.parse(rows(
        ["2026-12-07", "夜班", "20:00", "08:00", "350203-LQ", "officer_a", "LQ-C1"],
        ["2026-12-07", "夜班", "20:00", "08:00", "350203-LQ", "chief_a", ""],
        ["2026/12/08", "白班", "8:00", "20:00", "350203-LQ", "", "LQ-F1"],
    ))
    assert errors == []
    assert [(s.name, s.day, s.start, s.end, len(s.rows)) for s in shifts] == [
        ("夜班", dt.date(2026, 12, 7), dt.time(20), dt.time(8), 2),
        ("白班", dt.date(2026, 12, 8), dt.time(8), dt.time(20), 1),
    ]


def test_each_bad_cell_is_an_error_naming_its_row_and_column():
    _shifts, errors = roster_file.parse(rows(
        ["2026-13-07", "夜班", "25:00", "08:00", "350203-LQ", "officer_a", ""],
        ["2026-12-07", "", "20:00", "8", "", "", ""],
    ))
    got = {(e.row, e.column, e.code) for e in errors}
    assert got == {(2, "A", "roster_bad_date"), (2, "C", "roster_bad_time"), (3, "B", "roster_missing"),
                   (3, "D", "roster_bad_time"), (3, "E", "roster_missing"), (3, "", "roster_nobody")}


def test_a_file_without_the_columns_is_one_error():
    assert [e.code for e in roster_file.parse([(1, ["姓名", "电话"]), (2, ["张三", "1"])])[1]] == ["roster_no_header"]


@pytest.mark.parametrize(("language", "said", "not_said"), [
    ("zh-hans", "日期、班次、开始、结束、单位、民警、警力", "date"),
    ("en", "date, shift, start, end, station", "日期")])
def test_the_missing_columns_are_named_in_the_readers_language(language, said, not_said):
    """Issue 11's re-check: "the file needs 日期/date, 班次/shift, …" on the pages of both languages."""
    from django.utils import translation

    from pingan.dispatch.views import roster_error_text

    (error,) = roster_file.parse([(1, ["姓名", "电话"]), (2, ["张三", "1"])])[1]
    with translation.override(language):
        text = roster_error_text(error)
    assert said in text and not_said not in text, text
    (error,) = roster_file.parse([(1, ["date", "shift", "start", "end", "station", "备注"])])[1]
    with translation.override(language):
        text = roster_error_text(error)
    # the file's own headers (date, shift, …) as written; the missing columns in the reader's language
    assert ("“民警”" if language == "zh-hans" else "“officer”") in text, text
    assert ("officer" if language == "zh-hans" else "民警") not in text, text


@given(h=st.integers(0, 23), m=st.integers(0, 59), sep=st.sampled_from([":", "："]))
def test_any_wall_clock_time_reads_back(h, m, sep):
    assert roster_file._time(f"{h}{sep}{m:02d}") == dt.time(h, m)
    assert roster_file._time((h * 60 + m) / 1440) == dt.time(h, m)  # an Excel time


@given(st.text(max_size=8))
def test_no_text_crashes_the_time_and_date_readers(s):
    roster_file._time(s)
    roster_file._day(s)


# ------------------------------------------------------------------------------------------ the service


def csv(*body) -> bytes:
    return ("\n".join(",".join(r) for r in [HEAD, *body]) + "\n").encode("utf-8")


@pytest.mark.django_db
def test_an_import_makes_the_shifts_with_officers_and_crews(force):
    from pingan.dispatch import services
    from pingan.dispatch.models import ShiftAssignment

    shifts, errors = services.roster_import(actor=force.chief_a, filename="排班.csv", data=csv(
        ["2026-12-07", "夜班", "20:00", "08:00", force.unit_a.code, "officer_a", "LQ-C1"],
        ["2026-12-07", "夜班", "20:00", "08:00", force.unit_a.code, "officer_a2", "LQ-C1"],
        ["2026-12-07", "夜班", "20:00", "08:00", force.unit_a.code, "chief_a", ""],
    ))
    assert errors == [] and len(shifts) == 1
    s = shifts[0]
    assert s.ends_at - s.starts_at == dt.timedelta(hours=12)
    assert s.starts_at.astimezone(dt.UTC).hour == 12  # 20:00 Beijing
    got = {(a.user.username if a.user else "", a.patrol_unit.code if a.patrol_unit else "")
           for a in ShiftAssignment.objects.filter(shift=s).select_related("user", "patrol_unit")}
    assert got == {("officer_a", "LQ-C1"), ("officer_a2", "LQ-C1"), ("chief_a", "")}


@pytest.mark.django_db
def test_an_import_with_any_bad_row_saves_nothing_and_names_every_row(force):
    from pingan.dispatch import services
    from pingan.dispatch.models import Shift

    before = Shift.objects.count()
    shifts, errors = services.roster_import(actor=force.chief_a, filename="r.csv", data=csv(
        ["2026-12-07", "白班", "08:00", "20:00", force.unit_a.code, "officer_a", ""],
        ["2026-12-07", "白班", "08:00", "20:00", force.unit_a.code, "nobody", ""],
        ["2026-12-07", "白班", "08:00", "20:00", force.unit_a.code, "officer_b", ""],
        ["2026-12-07", "白班", "08:00", "20:00", force.unit_a.code, "", "JT-C1"],
        ["2026-12-07", "白班", "08:00", "20:00", force.unit_b.code, "officer_b", ""],
    ))
    assert shifts == [] and Shift.objects.count() == before
    assert [(e.row, e.code) for e in errors] == [(3, "roster_officer_unknown"), (4, "roster_officer_elsewhere"),
                                                (5, "roster_unit_elsewhere"), (6, "roster_station_unknown")]


@pytest.mark.django_db
def test_an_unreadable_file_is_one_error_and_other_roles_may_not_import(force):
    from pingan.core.errors import PermissionDenied
    from pingan.dispatch import services

    _s, errors = services.roster_import(actor=force.chief_a, filename="r.xlsx", data=b"PK\x03\x04broken")
    assert [e.code for e in errors] == ["roster_unreadable"]
    from django.utils import translation

    from pingan.dispatch.views import roster_error_text

    with translation.override("en"):  # the reader's half of the reader's message (issue 11: both halves)
        assert "is corrupt" in roster_error_text(errors[0]) and "已损坏" not in roster_error_text(errors[0])
    with translation.override("zh-hans"):
        assert "已损坏" in roster_error_text(errors[0]) and "is corrupt" not in roster_error_text(errors[0])
    for name in ("officer_a", "analyst", "citizen"):
        with pytest.raises(PermissionDenied):
            services.roster_import(actor=force.users()[name], filename="r.csv", data=csv())


# ---------------------------------------------------------------------------------------------- pages


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_roster_page_by_role_and_jurisdiction(client, force, lang):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pingan.dispatch.models import Shift

    client.cookies["django_language"] = lang
    assert client.get("/dispatch/roster/").status_code == 302
    for name in ("dispatcher", "chief_a", "chief_b"):
        r = sign_in(client, _users(force)[name]).get("/dispatch/roster/")
        assert r.status_code == 200, name
    page = sign_in(client, force.chief_b).get("/dispatch/roster/").content.decode()
    assert "JT-C1" in page and "LQ-C1" not in page and "officer_a2" not in page  # only B's line
    for name in NOBODY:
        assert sign_in(client, _users(force)[name]).get("/dispatch/roster/").status_code == 403, name
        assert sign_in(client, _users(force)[name]).post("/dispatch/roster/", {}).status_code == 403, name
    form = {"station": force.unit_a.code, "name": "白班", "day": "2026-12-09", "start": "08:00", "end": "20:00",
            "officer": [force.chief_a.pk], "unit": [force.car_a.pk], f"crew_{force.car_a.pk}": force.officer_a.pk}
    assert sign_in(client, force.chief_b).post("/dispatch/roster/", form).status_code == 403  # A's station
    n = Shift.objects.count()
    assert sign_in(client, force.chief_a).post("/dispatch/roster/", form).status_code == 302
    assert Shift.objects.count() == n + 1
    bad = SimpleUploadedFile("r.csv", csv(["2026-12-07", "白班", "8点", "20:00", force.unit_a.code, "officer_a", ""]))
    r = client.post("/dispatch/roster/", {"action": "import", "file": bad})
    text = r.content.decode()
    assert r.status_code == 400 and "8点" in text
    assert ("第 2 行，第 C 列" if lang == "zh-hans" else "row 2, column C") in text
    good = SimpleUploadedFile("r.csv", csv(["2026-12-07", "白班", "08:00", "20:00", force.unit_a.code,
                                            "officer_a", ""]))
    r = client.post("/dispatch/roster/", {"action": "import", "file": good})
    assert r.status_code == 200 and Shift.objects.count() == n + 2
    # a header problem is not "correct these rows", and the page says which headers it found
    wrong = SimpleUploadedFile("r.csv", "姓名,电话,班\n张三,1,白班\n".encode())
    text = client.post("/dispatch/roster/", {"action": "import", "file": wrong}).content.decode()
    assert ("姓名、电话、班" if lang == "zh-hans" else "姓名, 电话, 班") in text  # listed as the language lists
    assert "改正以下各行" not in text and "Correct these rows" not in text
    assert ("整个文件无法使用" if lang == "zh-hans" else "the file as a whole cannot be used") in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
@pytest.mark.browser
def test_the_roster_page_on_a_phone(live_server, client, force, monkeypatch):
    import os

    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sign_in(client, force.chief_a)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
        ctx.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = ctx.new_page()
        page.goto(f"{live_server.url}/dispatch/roster/")
        form = page.locator("#shift-form")
        form.locator("input[name=name]").fill("夜班")
        form.locator(f"input[name=officer][value='{force.chief_a.pk}']").check()
        form.locator(f"input[name=unit][value='{force.car_a.pk}']").check()
        form.locator(f"select[name=crew_{force.car_a.pk}]").select_option(str(force.officer_a.pk))
        form.get_by_role("button", name="添加班次").click()
        expect(page.locator("#shifts")).to_contain_text("LQ-C1（officer_a）")
        page.locator("#roster-import input[type=file]").set_input_files(
            files=[{"name": "r.csv", "mimeType": "text/csv",
                    "buffer": csv(["2026-12-07", "白班", "08:00", "20:00", "NOPE", "officer_a", ""])}])
        page.locator("#roster-import button").click()
        expect(page.locator("#import-errors")).to_contain_text("NOPE")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
        if os.environ.get("PINGAN_SCREENSHOTS"):
            page.screenshot(path=os.path.join(os.environ["PINGAN_SCREENSHOTS"], "roster-375.png"), full_page=True)
        browser.close()


@pytest.mark.django_db
def test_the_roster_pickers_name_people_as_every_page_does(client, force):
    """Issue 11: the roster's officer and crew pickers listed user names ("officer_a") where every other page
    shows the person's name (``User.shown_name``)."""
    import re

    force.officer_a.display_name = "王建国"
    force.officer_a.save(update_fields=["display_name"])
    page = sign_in(client, force.chief_a).get("/dispatch/roster/").content.decode()
    picks = page[page.index('class="unit-picks"'):]
    assert "王建国" in picks and not re.search(r">\s*officer_a\s*<", picks)
    assert f'<option value="{force.officer_a.pk}">王建国</option>' in picks


@pytest.mark.django_db
@pytest.mark.parametrize("lang, a2, a3", [("zh-hans", "莲前派出所民警（officer_a2）", "莲前派出所民警（officer_a3）"),
                                          ("en", "officer of Lianqian Police Station (officer_a2)",
                                           "officer of Lianqian Police Station (officer_a3)")])
def test_the_rosters_pick_lists_tell_apart_officers_without_a_display_name(client, force, lang, a2, a3):
    """Two officers without a display name both read "莲前派出所民警" in the officer boxes and the crew selects
    (issue 11's trial): a pick-list adds the user name to a name that stands for many (``User.pick_name``);
    an officer with a name of their own is named so."""
    client.cookies["django_language"] = lang
    page = sign_in(client, force.chief_a).get("/dispatch/roster/").content.decode()
    picks = page[page.index('name="officer"'):]
    assert a2 in picks and a3 in picks
    assert f'<option value="{force.officer_a2.pk}">{a2}</option>' in page  # the crew select too
    assert f"> {force.chief_a.display_name}</label>" in picks  # a name of its own: as it is


@pytest.mark.django_db
def test_the_roster_table_names_officers_and_crews_as_its_pick_lists_do(force):
    """The table of shifts listed officers and crews by bare user name ("officer_a"), where the form beside it
    names them (``User.pick_name``): a name of one's own, else role and unit with the user name beside it."""
    from pingan.dispatch import selectors, services

    force.officer_a.display_name = "王建国"
    force.officer_a.save(update_fields=["display_name"])
    (shift,), _ = services.roster_import(actor=force.chief_a, filename="排班.csv", data=csv(
        ["2026-12-07", "夜班", "20:00", "08:00", force.unit_a.code, "officer_a", ""],
        ["2026-12-07", "夜班", "20:00", "08:00", force.unit_a.code, "officer_a2", "LQ-C1"],
    ))
    from django.utils import translation

    with translation.override("zh-hans"):
        (row,) = [r for r in selectors.roster_shifts(actor=force.chief_a, start=dt.date(2026, 12, 7),
                                                     end=dt.date(2026, 12, 8)) if r["shift"].pk == shift.pk]
        assert row["officers"] == ["王建国"]
        assert row["crews"] == [("LQ-C1", "莲前派出所民警（officer_a2）")]
