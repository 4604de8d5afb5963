"""Hostile spreadsheet files, generated (nothing of the kind is committed): issue 12, item 1.

* :func:`far_cell_xlsx` — a valid roster plus one value at ``XFD1048576`` (a few KB; the reader asks for
  512 GiB and aborts the process);
* :func:`zip_bomb_xlsx` — a ~4 MB XLSX whose sheet unpacks to ~4 GB of rows, declared truthfully or with a
  lying (small) size in its ZIP entry;
* :func:`repeated_cells_ods` — an ODS whose one value cell is repeated over 16,384 columns and 1,048,575 rows.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import openpyxl

HEADER = ["姓名", "身份证号", "手机号码"]


def far_cell_xlsx(rows=(("张伟", "110101199003070012", "13800138000"),), cell: str = "XFD1048576") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(list(r))
    ws[cell] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                  b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                  b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                  b'"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
                  b'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
                  b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_BOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
         b'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name='
         b'"Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
              b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
              b'2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def zip_bomb_xlsx(*, unpacked: int = 4_000_000_000, lie: bool = False) -> bytes:
    """An XLSX whose sheet is ``unpacked`` bytes (about) of rows of one cell, deflated ~1000:1.

    The deflate stream repeats one 16 MiB block compressed after a full flush (the same bytes every time),
    so it is built in a fraction of a second without compressing gigabytes. The CRC-32 is not computed
    (4 GB of it would take seconds): every reader either refuses the file or exhausts itself inflating
    before it gets to compare it. ``lie``: the ZIP entry declares 1 MB.
    """
    head = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\xa7\x93\xe5\x90'
            b'\x8d</t></is></c><c r="B1" t="inlineStr"><is><t>id</t></is></c></row>')
    row = b"<row><c><v>1</v></c></row>"
    block = row * ((1 << 24) // len(row))
    tail = b"</sheetData></worksheet>"
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    c2 = zlib.compressobj(9, zlib.DEFLATED, -15)
    rep = c2.compress(block) + c2.flush(zlib.Z_FULL_FLUSH)  # dictionary reset: the block is self-contained
    n = max(1, (unpacked - len(head) - len(tail)) // len(block))
    c3 = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = c3.compress(tail) + c3.flush(zlib.Z_FINISH)
    stream = first + rep * n + last
    size = len(head) + len(block) * n + len(tail)
    crc = 0
    parts = [("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS), ("xl/workbook.xml", _BOOK),
             ("xl/_rels/workbook.xml.rels", _BOOK_RELS)]
    return _zip_with_raw(parts, "xl/worksheets/sheet1.xml", stream, crc, 1_000_000 if lie else size)


def _zip_with_raw(parts, raw_name: str, raw: bytes, crc: int, size: int) -> bytes:
    """A ZIP of ``parts`` (deflated normally) plus ``raw_name`` holding the given deflate stream."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            zf.writestr(name, data)
    body = buf.getvalue()
    # cut off the central directory, append the raw entry, then write a new central directory
    zf = zipfile.ZipFile(io.BytesIO(body))
    infos = zf.infolist()
    cd_start = zf.start_dir
    local = bytearray(body[:cd_start])
    name = raw_name.encode()
    offset = len(local)
    local += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(raw), size, len(name), 0) + name
    local += raw
    central = bytearray()
    for i in infos:
        central += _central(i.filename.encode(), i.CRC, i.compress_size, i.file_size, i.header_offset, 8)
    central += _central(name, crc, len(raw), size, offset, 8)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(infos) + 1, len(infos) + 1, len(central), len(local), 0)
    return bytes(local + central + end)


def _central(name: bytes, crc: int, csize: int, size: int, offset: int, method: int) -> bytes:
    return struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, csize, size, len(name),
                       0, 0, 0, 0, 0, offset) + name


def repeated_cells_ods() -> bytes:
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
        f'opendocument:xmlns:office:1.0" xmlns:table="{table}" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
        'text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S1">'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell>'
        '<table:table-cell office:value-type="string"><text:p>身份证号</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated='
        '"16384" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    return buf.getvalue()
