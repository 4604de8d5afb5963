"""The downloadable bureau template (案件导入模板): an XLSX that the bureau importer reads back.

Sheet ``案件``: row 1 a title, row 2 the header (Chinese labels; 案由 and 辖区 and one of the two times are
required, marked ``*``), row 3 an example case, data rows below; 案由 and 案件状态 offer drop-down lists of
the values the mapping knows. Sheet ``说明`` lists every column, every 案由 with its offence, and the
rejection codes — in the reader's language (``lang``), never Chinese and English side by side (issue 11);
the headers themselves are the file's format (Chinese, what a bureau's export says) in both. Pure module:
no Django.
"""

from __future__ import annotations

import io

from pingan.stats.classify import vocabulary
from pingan.stats.importers import mapping
from pingan.stats.importers.bureau import REJECTION_CODES

#: (field, header, required, note zh, note en) in column order.
COLUMNS: tuple[tuple[str, str, bool, str, str], ...] = (
    ("case_number", "案件编号", False, "建议填写；同一编号再次导入时更新该案件。",
     "Recommended: importing the same number again updates the case."),
    ("reported_at", "接报时间", False, "例如 2024-01-05 08:30；与发案时间至少填一个。",
     "E.g. 2024-01-05 08:30; this or 发案时间 is required."),
    ("occurred_from", "发案时间", False, "例如 2024-01-05 08:00，或时间段 2024-01-05 08:00 至 10:00。",
     "E.g. 2024-01-05 08:00, or a window 2024-01-05 08:00至10:00."),
    ("case_type", "案件类别", False, "刑事案件、治安案件或交通事故。", "Criminal, public-order or traffic accident."),
    ("charge", "案由", True, "从下拉列表选择（见说明页）。", "Pick from the list (see the notes sheet)."),
    ("location", "发案地点", False, "详细地址；公开发布时只保留到道路。",
     "Full address; public releases keep the road only."),
    ("place_type", "场所类型", False, "公交车、地铁、住宅、街面、商场、学校等；可留空。",
     "Bus, metro, residence, street, shop, school …; may be empty."),
    ("unit", "辖区", True, "派出所或分局全称，或单位代码。", "The police station or branch, by name or code."),
    ("cleared_at", "破案时间", False, "已破案件填写。", "For cleared cases."),
    ("clearance", "破案方式", False, "抓获；或特殊情形（犯罪嫌疑人死亡等）。", "Arrest; or an exceptional clearance."),
    ("status", "案件状态", False, "未破、已破、撤案；可留空。", "Open, cleared, withdrawn; may be empty."),
    ("property_loss", "损失金额", False, "元；可写 1.5万。", "Yuan; 1.5万 means 15,000."),
    ("amount_involved", "涉案金额", False, "元（经济犯罪、诈骗）。", "Yuan (economic crime, fraud)."),
    ("amount_recovered", "挽回金额", False, "元。", "Yuan."),
    ("killed", "死亡人数", False, "整数。", "Whole number."),
    ("injured", "受伤人数", False, "整数。", "Whole number."),
    ("victims", "被害人数", False, "整数。", "Whole number."),
    ("attempted", "既遂未遂", False, "未遂 或 留空。", "未遂 (attempted) or empty."),
)

#: What each rejection code means, in Chinese (the English is ``bureau.REJECTION_CODES``).
REJECTION_CODES_ZH = {
    "missing_charge": "案由为空", "unknown_charge": "案由不在对照表中", "unknown_unit": "辖区为空或不是本局的单位",
    "outside_jurisdiction": "辖区不在导入人员的管辖范围内", "missing_time": "发案时间和接报时间都未填写",
    "bad_time": "时间无法识别", "bad_window": "发案时间止早于发案时间",
    "bad_clearance": "破案方式或案件状态不在对照表中",
    "clearance_before_offence": "破案时间早于发案时间", "bad_amount": "金额不是非负数",
    "bad_number": "人数不是非负整数", "duplicate_case": "案件编号与前面某行重复",
}

#: The template's own words, per language.
WORDS = {
    "zh": {"title": "公安局案件统计导入模板", "column": "列", "required": "必填", "notes": "说明", "yes": "是",
           "charge": "案由", "offence": "罪名代码", "meaning": "含义", "code": "拒收原因代码",
           "pick": "请从列表中选择案由"},
    "en": {"title": "pingan incident import template", "column": "Column", "required": "Required", "notes": "Notes",
           "yes": "yes", "charge": "Charge (案由)", "offence": "Offence code", "meaning": "Meaning",
           "code": "Rejection code", "pick": "Pick a charge from the list"},
}

EXAMPLE = ("XM2024010001", "2024-01-05 08:30", "2024-01-05 08:00至08:20", "刑事案件", "扒窃", "思明区莲前东路公交车上",
           "公交车", "莲前派出所", "2024-01-06 15:00", "抓获", "已破", "1200", "", "1200", "", "", "1", "")


def bureau_template_xlsx(lang: str = "zh") -> bytes:
    """The template workbook as bytes, its explanations in ``lang`` (``"zh"`` or ``"en"``)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    en = lang == "en"
    w = WORDS["en" if en else "zh"]
    m = mapping("bureau")
    wb = Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.cell(1, 1, w["title"])
    ws.cell(1, 1).font = Font(bold=True, size=13)
    for j, (_f, header, required, zh, en_note) in enumerate(COLUMNS, start=1):
        c = ws.cell(2, j, header + ("*" if required else ""))
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="EEF3FC")
        c.alignment = Alignment(wrap_text=True)
        c.comment = Comment(en_note if en else zh, "pingan")
        ws.column_dimensions[c.column_letter].width = 14 if j not in (3, 6) else 26
        ws.cell(3, j, EXAMPLE[j - 1])
    charges = sorted(m["charge"])
    notes = wb.create_sheet("说明")
    notes.append([w["column"], w["required"], w["notes"]])
    for _f, header, required, zh, en_note in COLUMNS:
        notes.append([header, w["yes"] if required else "", en_note if en else zh])
    notes.append([])
    notes.append([w["charge"], w["offence"], w["meaning"]])
    vocab = vocabulary()
    for ch in charges:
        o = vocab.offence(m["charge"][ch])
        notes.append([ch, o.key, o.en if en else o.zh])
    notes.append([])
    notes.append([w["code"], "", w["meaning"]])
    for code, why in REJECTION_CODES.items():
        notes.append([code, "", why if en else REJECTION_CODES_ZH.get(code, why)])
    # the drop-down of 案由 reads the charge names of the notes sheet (a list literal is limited to 255 chars)
    first = len(COLUMNS) + 4
    dv = DataValidation(type="list", formula1=f"=说明!$A${first}:$A${first + len(charges) - 1}", allow_blank=True)
    dv.error, dv.errorTitle = w["pick"], w["charge"]
    ws.add_data_validation(dv)
    charge_col = next(i for i, c in enumerate(COLUMNS, start=1) if c[0] == "charge")
    letter = ws.cell(2, charge_col).column_letter
    dv.add(f"{letter}3:{letter}5000")
    status = DataValidation(type="list", formula1='"' + ",".join(m["status"]) + '"', allow_blank=True)
    ws.add_data_validation(status)
    status_col = next(i for i, c in enumerate(COLUMNS, start=1) if c[0] == "status")
    letter = ws.cell(2, status_col).column_letter
    status.add(f"{letter}3:{letter}5000")
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
