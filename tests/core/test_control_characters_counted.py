"""One control character or several: said by the catalogue's plural rule, from one message (issue 11).

Four places — a typed text (``core.errors.outside_text``), an operation template (``dispatch``), a bureau
incident file's row (``stats``) and a duty-roster cell (``dispatch``) — each chose by hand between a "one
character" and a "several characters" message. Now each is one ``ngettext_lazy(one, several, "n")`` filled from
``pingan.lib.textchars.named`` (the pure English twin a ``(one, several)`` pair): English says "character 2" or
"characters 2, 4", Chinese says both alike.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from pingan.core.error_messages import PAGE_MESSAGES, page_message
from pingan.core.errors import DomainError, outside_text
from pingan.core.jobs import FAILURE_MESSAGES, failure_message
from pingan.dispatch import roster_file
from pingan.dispatch.views import ROSTER_ERRORS, roster_error_text
from pingan.lib import textchars
from pingan.screening.roster import english
from pingan.stats.importers import QUOTE_MESSAGES, csv_rows


def test_named_gives_every_character_its_position_and_their_number():
    found = textchars.find_all_unsafe("a\u202eb\x1b")
    assert textchars.named(found) == {"chars": ["U+202E", "U+001B"], "positions": [2, 4], "n": 2}
    assert textchars.named(found[:1], char="char", position="position") == {
        "char": ["U+202E"], "position": [2], "n": 1}


@pytest.mark.parametrize("tables", [PAGE_MESSAGES, FAILURE_MESSAGES, ROSTER_ERRORS, QUOTE_MESSAGES],
                         ids=["pages", "failures", "duty roster", "stats English"])
def test_no_message_table_has_a_one_and_a_several_character_message_side_by_side(tables):
    """The by-hand pair is gone: "<x>_character" has no "<x>_characters" beside it (the stats failure id that
    rows stored before kept is the same template)."""
    for key in tables:
        if key.endswith("_characters") and key[:-1] in tables:
            assert tables[key] is tables[key[:-1]], key


def outside(value: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        outside_text(value, field="premises name", field_zh="场所名称")
    return caught.value


@pytest.mark.parametrize(("value", "en", "zh"), [
    ("李\u202e四", "holds an invisible control character, U+202E (character 2), which would change how the text "
                   "shows: type it again without it.", "场所名称中有看不见的控制字符 U+202E（第 2 个字符）"),
    ("李\u202e四\x1b", "holds invisible control characters, U+202E, U+001B (characters 2, 4), which would change how "
                       "the text shows: type it again without them.",
     "场所名称中有看不见的控制字符 U+202E、U+001B（第 2、4 个字符）"),
])
def test_a_typed_text_says_one_or_several(value, en, zh):
    exc = outside(value)
    assert exc.message_id == "control_character"
    with translation.override("en"):
        assert page_message(exc) == f"The premises name {en}"
    with translation.override("zh-hans"):
        assert page_message(exc).startswith(zh) and page_message(exc).endswith("请删去后重新输入。")


def test_a_duty_roster_cell_says_one_or_several():
    head = ["日期", "班次", "开始", "结束", "单位", "民警", "警力"]
    _, errors = roster_file.parse([(1, head), (2, ["2026-12-07", "夜\x1b班", "20:00", "08:00", "350203-LQ",
                                                   "officer\u202e\x1b_a", ""])])
    with translation.override("en"):
        assert [roster_error_text(e).split(" of the cell")[0] for e in errors] == ["Character 2", "Characters 8, 9"]
    with translation.override("zh-hans"):
        assert roster_error_text(errors[1]).startswith("单元格的第 8、9 个字符是看不见的控制字符 U+202E、U+001B")


def test_a_bureau_file_row_says_one_or_several_and_rows_stored_before_still_read():
    data = ("案由,辖区,发案时间\n盗窃\u202e,350203-LQ,2026-12-01 08:00\n盗\x1b窃\u202e,350203-LQ,2026-12-01 09:00\n")
    _header, rows, _name = csv_rows(data.encode())
    list(rows)
    one, several = rows.rejected
    assert one.message.startswith("row 2: column 案由: character 3 is U+202E, an invisible")
    assert several.message.startswith("row 3: column 案由: characters 2, 4 are U+001B, U+202E, invisible")
    coded = several.values["message"]
    with translation.override("en"):
        assert failure_message(coded["code"], coded["params"]).startswith(
            "row 3: column 案由: characters 2, 4 are U+001B, U+202E, invisible control")
    with translation.override("zh-hans"):
        assert failure_message(coded["code"], coded["params"]) == (
            "第 3 行：“案由”列：第 2、4 个字符 U+001B、U+202E 是看不见的控制字符或文字方向字符；"
            "请重新输入这个单元格后再导入文件。")
    # as stored before a message carried its count: the one id with a code point, the other with a list
    old_one = {"row": 2, "char": "U+202E", "position": 3, "where": ""}
    old_several = {"row": 3, "char": ["U+001B", "U+202E"], "position": [2, 4], "where": ""}
    with translation.override("en"):
        assert failure_message("import_row_control_character", old_one).startswith("row 2: character 3 is U+202E")
        assert failure_message("import_row_control_characters", old_several).startswith(
            "row 3: characters 2, 4 are U+001B, U+202E")
    assert english("import_row_control_character", {**old_one, "n": 1}, QUOTE_MESSAGES).startswith("row 2: char")
