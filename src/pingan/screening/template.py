"""The downloadable roster template (名单模板): an XLSX that :func:`pingan.screening.roster.read_roster`
reads back without rejections.

Layout of sheet ``名单``: row 1 a merged title, row 2 the header (Chinese labels; the name, the one required
column, marked ``*``; ID number and phone each say "at least one of the two" in a parenthetical the reader
ignores, as :mod:`roster` rejects a row only when both are empty; each header cell carries a comment with the
English name and what to enter), row 3 one example person, data rows below. Data validation (ECMA-376
``dataValidation``, shown by Excel and WPS): 证件类型 and 性别 are drop-down lists, 手机号码 is text of 5–20 characters,
the two dates must be dates. The 证件号码 and 手机号码 columns are formatted as Text (``@``) so Excel does not turn an
18-digit GB 11643 number into ``1.10105E+17``. A second sheet ``说明`` explains the columns and the reasons a
row is rejected.

The template speaks one language (``lang``: ``"zh"``, the default, or ``"en"``): the sheet names, the title,
the header labels (English ones the roster reader knows, e.g. ``ID number``), the header notes, the
validation prompts and the explanation sheet. The document-type drop-down keeps the names printed on the
documents (居民身份证 …). The example row's name starts with 示例 ("example") in both: a roster that still
holds it has the row rejected (``example_row``), never screened.

The example person is synthetic (Faker ``zh_CN`` with a fixed seed; its ID number carries a valid
GB 11643-1999 check digit but belongs to nobody we know of). Pure module: no Django.
"""

from __future__ import annotations

import datetime as dt
import io

from pingan.screening.roster import CANONICAL_FIELDS, ENGLISH_LABELS, FIELD_LABELS, REJECTION_CODES

__all__ = ["ENGLISH_LABELS", "ID_TYPES", "ID_TYPES_EN", "SEXES", "SEXES_EN", "TEMPLATE_DATA_ROWS",
           "roster_template_xlsx"]


#: Why a row is rejected, in Chinese (the English is :data:`roster.REJECTION_CODES`).
REJECTION_ZH: dict[str, str] = {
    "bad_quote": "CSV 文件中的英文双引号不成对或夹在内容中间，这一行无法可靠读取",
    "cut_off": "文件在这一行中间结束（CSV 文件最后没有换行，且这一行比上一行短、停在引号或字符中间），文件像是被截断了",
    "nul_byte": "这一行有空字符（NUL），文件导出时可能已损坏，单元格内容不可信",
    "control_character": "单元格中有看不见的控制字符（如改变文字方向的字符或终端转义字符），会改变这一行的显示",
    "example_row": "模板的示例行（姓名以“示例”开头）没有删除：不筛查",
    "formula_without_value": "单元格是公式，但文件中没有保存计算结果（某些程序生成的 XLSX 会这样）",
    "blank_required": "其他单元格有内容，但姓名、证件号码和手机号码都为空",
    "too_many_columns": "某个没有表头的列里有内容",
    "too_long": "姓名、证件号码或手机号码比任何真实的都长（可能把多项内容粘贴到了一格里）",
    "missing_name": "姓名为空",
    "formula_name": "姓名以 =、+、- 或 @ 开头（前面的空格、制表符不计），电子表格会把它当作公式，不是姓名",
    "id_number_as_number": "证件号码被 Excel 当作数字保存，末几位已丢失",
    "missing_id_number": "既没有证件号码也没有手机号码，无法确定此人",
    "phone_as_number": "手机号码变成了科学计数法，数字已丢失",
    "bad_date": "日期单元格无法识别为日期",
}

#: Document types offered in the 证件类型 drop-down (names as printed on the documents).
ID_TYPES: tuple[str, ...] = (
    "居民身份证",
    "护照",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "港澳台居民居住证",
    "外国人永久居留身份证",
    "其他",
)

#: The English template's document-type drop-down, in :data:`ID_TYPES`' order: each one a label
#: ``pingan.lib.identity.documents.doc_type_from_label`` reads as the same document.
ID_TYPES_EN: tuple[str, ...] = (
    "Resident ID card",
    "Passport",
    "Home Return Permit",
    "Taiwan travel permit",
    "Residence permit",
    "Foreign permanent resident ID card",
    "Other",
)

#: Values of the 性别 drop-down (GB/T 2261.1 names for codes 1 and 2), and the English template's.
SEXES: tuple[str, ...] = ("男", "女")
SEXES_EN: tuple[str, ...] = ("Male", "Female")

#: How many rows below the header get validation and Text formatting.
TEMPLATE_DATA_ROWS = 5000

#: Required columns (marked ``*``): only the name. A row needs an ID number or a phone number — either one
#: (``roster``'s ``missing_id_number``) — so both headers say so in a parenthetical, which the reader ignores.
_REQUIRED = {"name"}
_EITHER = {"id_number": ("（有手机号码可留空，本列不可删）", " (may be empty if phone; keep the column)"),
           "phone": ("（与证件号码至少填一项）", " (or ID number)")}
_NOTES: dict[str, tuple[str, str]] = {
    "name": ("必填。与证件上一致。", "Required. As printed on the identity document."),
    "id_type": ("从下拉列表选择；留空按居民身份证处理。", "Pick from the list; empty means resident ID card."),
    "id_number": (
        "本列必须保留：没有证件号码列的名单整份不予筛查。每行证件号码和手机号码至少填一项；有证件号码请填写："
        "只有手机号码的人无法核验身份，结果为黄色（需核实）。"
        "本列已设为文本格式，请勿改为数字，否则 18 位号码会丢失末几位。",
        "Keep this column: a roster without an ID-number column is not screened at all. In each row an ID number "
        "or a phone number, at least one of the two. Give the ID number when there is one: a person "
        "with only a phone number cannot have their identity verified and comes out yellow (to verify). The "
        "column is Text: do not change it to Number, or Excel drops the last digits of an 18-digit ID.",
    ),
    "phone": ("11 位手机号码，文本格式。没有证件号码时必须填写。",
              "Mobile number, as text. Required when there is no ID number."),
    "sex": ("男 或 女。", "Male or Female."),
    "birth_date": ("日期，例如 1990-05-01。", "A date, e.g. 1990-05-01."),
    "nationality": ("例如 中国。", "E.g. China."),
    "address": ("房号或详细地址。", "Room number or full address."),
    "start_date": ("入住或入职日期，例如 2024-03-01。", "Move-in or hiring date, e.g. 2024-03-01."),
}
_WIDTHS = {"name": 12, "id_type": 16, "id_number": 22, "phone": 15, "sex": 8, "birth_date": 12,
           "nationality": 8, "address": 30, "start_date": 14}  # fmt: skip


def _example(en: bool = False) -> list[object]:
    """The example row: the same synthetic person in both templates, named 示例… (what the reader skips:
    ``example_row``); the values that are labels — document type, sex, nationality — in the template's language
    (issue 11: the English template's example read 居民身份证, 女, 中国)."""
    from faker import Faker  # lazy: only the template needs it

    fake = Faker("zh_CN")
    fake.seed_instance(20_240_301)
    id_number = fake.ssn(min_age=25, max_age=60)
    birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    male = int(id_number[16]) % 2 == 1  # GB 11643: odd sequence code = male
    name, phone, address = "示例" + fake.name(), fake.phone_number(), fake.street_address() + " 101 室"
    if en:
        return [name, ID_TYPES_EN[0], id_number, phone, SEXES_EN[0 if male else 1], birth, "China", address,
                dt.date(2024, 3, 1)]  # fmt: skip
    return [name, ID_TYPES[0], id_number, phone, SEXES[0 if male else 1], birth, "中国", address,
            dt.date(2024, 3, 1)]  # fmt: skip


def roster_template_filename(lang: str = "zh") -> str:
    """The template's file name in its language, as its content is (issue 11: both languages downloaded
    ``roster-template.xlsx``)."""
    return "名单模板.xlsx" if lang == "zh" else "roster-template.xlsx"


def roster_template_xlsx(lang: str = "zh") -> bytes:
    """Build the roster template in ``lang`` (``"zh"`` or ``"en"``); return the XLSX file's bytes (~10 KB).

    Deterministic for a given Faker version. Reading it with ``read_roster`` yields the header on row 2
    and the example person on row 3, rejected as ``example_row`` (it is not one of the submitter's people).
    """
    en = lang == "en"
    label = ENGLISH_LABELS if en else FIELD_LABELS
    pick = 1 if en else 0
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Roster" if en else "名单"
    last = get_column_letter(len(CANONICAL_FIELDS))
    ws["A1"] = ("Roster (row 2 is the header: do not change it; one person per row from row 3; delete the example row)"
                if en else "人员名单（第 2 行为表头，请勿修改；从第 3 行起每人一行；请删除示例行）")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    first_row, last_row = 3, 2 + TEMPLATE_DATA_ROWS
    for j, f in enumerate(CANONICAL_FIELDS, start=1):
        col = get_column_letter(j)
        either = _EITHER.get(f, ("", ""))[pick]
        cell = ws.cell(row=2, column=j, value=("*" if f in _REQUIRED else "") + label[f] + either)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        # full-width brackets in Chinese (a pure module: core.texts.paren's rule, written here)
        comment = Comment(f"{label[f]} ({f})\n{_NOTES[f][pick]}" if en else f"{label[f]}（{f}）\n{_NOTES[f][pick]}",
                          "pingan")
        comment.width, comment.height = 260, 140
        cell.comment = comment
        ws.column_dimensions[col].width = _WIDTHS[f]
        # A column style (<col style>) is what Excel applies to cells typed later; it keeps the file small.
        fmt = {"id_number": "@", "phone": "@", "birth_date": "yyyy-mm-dd", "start_date": "yyyy-mm-dd"}.get(f)
        if fmt:
            ws.column_dimensions[col].number_format = fmt
            ws.cell(row=first_row, column=j).number_format = fmt
    ws.freeze_panes = "A3"

    def col_of(f: str) -> str:
        return get_column_letter(CANONICAL_FIELDS.index(f) + 1)

    def rng(f: str) -> str:
        return f"{col_of(f)}{first_row}:{col_of(f)}{last_row}"

    validations = [
        ("id_type", DataValidation(type="list", formula1='"' + ",".join(ID_TYPES_EN if en else ID_TYPES) + '"',
                                   allow_blank=True),
         ("请从下拉列表中选择。", "Pick a value from the list.")),
        ("sex", DataValidation(type="list", formula1='"' + ",".join(SEXES_EN if en else SEXES) + '"',
                               allow_blank=True),
         ("请填写 男 或 女。", "Enter Male or Female.")),
        ("phone", DataValidation(type="textLength", operator="between", formula1="5", formula2="20",
                                 allow_blank=True),
         ("手机号码应为 5–20 个字符。", "A phone number has 5–20 characters.")),
        ("birth_date", DataValidation(type="date", operator="between", formula1="1", formula2="73050",
                                      allow_blank=True),
         ("请填写日期，例如 1990-05-01。", "Enter a date such as 1990-05-01.")),
        ("start_date", DataValidation(type="date", operator="between", formula1="1", formula2="73050",
                                      allow_blank=True),
         ("请填写日期，例如 2024-03-01。", "Enter a date such as 2024-03-01.")),
    ]  # fmt: skip
    for f, dv, message in validations:
        title = label[f]
        dv.errorTitle, dv.error = title, message[pick]
        dv.promptTitle, dv.prompt = title, _NOTES[f][pick]
        dv.showErrorMessage = dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(rng(f))

    for j, value in enumerate(_example(en), start=1):
        ws.cell(row=first_row, column=j).value = value

    notes = wb.create_sheet("Instructions" if en else "说明")
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 80
    general = [
        ("一个人填一行，从“名单”工作表第 3 行起填写；表头（第 2 行）请勿修改。",
         "One person per row from row 3 of the Roster sheet; do not change the header (row 2)."),
        ("第 3 行是示例（姓名以“示例”开头）：请删除或改成您的人员，否则该行不会筛查。",
         "Row 3 is an example (its name starts with 示例): delete it or overwrite it with one of your people; "
         "otherwise that row is not screened."),
        ("带 * 的列（姓名）必填。证件号码列必须保留，不能删除：没有这一列的名单整份不予筛查。每行证件号码和手机号码"
         "至少填一项：某一行只有手机号码时证件号码可留空，该行也会筛查，但无法核验身份，结果为黄色（需核实）。",
         "The column marked * (name) is required. Keep the ID-number column, never delete it: a roster without it "
         "is not screened at all. In each row, of ID number and phone, at least one: a row with only a phone "
         "number may leave the ID number empty and is screened too, but the identity cannot be verified, so it "
         "comes out yellow (to verify)."),
        ("证件号码列已设为文本格式。若从其他表格粘贴，请用“选择性粘贴→数值”，不要把该列改成数字格式。",
         "The ID column is Text. When pasting from elsewhere use Paste Special → Values; never format it as "
         "Number."),
        ("也可以上传 CSV（UTF-8 或 GBK）或 .xls 文件，列名与本模板相同即可。",
         "CSV (UTF-8 or GBK) and .xls files with the same column names are accepted too."),
    ]
    lines: list[tuple[str, str]] = [("How to fill in the roster" if en else "名单模板说明", "")]
    lines += [("", g[pick]) for g in general]
    lines.append(("Column" if en else "列", "What to enter" if en else "填写要求"))
    lines += [(label[f], _NOTES[f][pick]) for f in CANONICAL_FIELDS]
    lines.append(("Why a row is rejected" if en else "不予筛查的原因",
                  "Code in the results file's “Problem code (for programs)” column" if en else
                  "结果文件“问题代码（供程序读取）”列中的代码"))
    # the code as the results file's to_fix_code column writes it (docs/screening.md: ``rejection.<code>``)
    lines += [(REJECTION_CODES[code] if en else REJECTION_ZH.get(code, REJECTION_CODES[code]), f"rejection.{code}")
              for code in REJECTION_CODES]  # a code without Chinese fails tests/core/test_texts.py, never a download
    for row in lines:
        notes.append(list(row))
    notes["A1"].font = Font(bold=True, size=14)
    for r in (2 + len(general), 3 + len(general) + len(CANONICAL_FIELDS)):
        for c in "AB":
            notes[f"{c}{r}"].font = Font(bold=True)
    for r in range(2, notes.max_row + 1):
        for c in "AB":
            notes[f"{c}{r}"].alignment = Alignment(wrap_text=True, vertical="top")

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
