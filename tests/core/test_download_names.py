"""Every download is named so a person recognises it — what, of what or where, the date — never by an id or a
hash (issue 11: the dispatch review PDF, the anti-fraud order PDF and evidence files were
``operation-3-review.pdf``, ``order-12.pdf``, ``3f2a9c0d1e2b4a5c.bin``), and its ``Content-Disposition`` gives
an ASCII ``filename`` beside RFC 5987's ``filename*`` for a Chinese name (RFC 6266)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from pingan.lib.filenames import ascii_name, content_disposition, download_name

SRC = Path(__file__).resolve().parents[2] / "src" / "pingan"


def test_a_chinese_name_has_an_ascii_fallback_and_the_rfc_5987_name():
    name = download_name("莲前出租屋", "复盘报告", "2026-12-07", ext="pdf")
    header = content_disposition(name)
    fallback, encoded = re.fullmatch(r'attachment; filename="([ -~]+)"; filename\*=UTF-8\'\'(\S+)', header).groups()
    assert unquote(encoded) == "莲前出租屋-复盘报告-2026-12-07.pdf"
    assert fallback == "lianqianchuzuwu-fupanbaogao-2026-12-07.pdf"
    assert content_disposition("audit-trail-2026-12-07.csv", inline=True) == (
        'inline; filename="audit-trail-2026-12-07.csv"')


@pytest.mark.parametrize("name", ['a"b.pdf', "a\\b.pdf", "São Paulo-é.csv", "名单\u0007.csv", "“引号”.pdf"])
def test_the_fallback_is_plain_ascii_without_quotes_or_backslashes(name):
    fallback = ascii_name(name)
    assert fallback.isascii() and '"' not in fallback and "\\" not in fallback
    assert all(" " <= c <= "~" for c in fallback)
    assert content_disposition(name).count('"') == 2


def test_every_download_is_named_through_core_downloads():
    """The family: a ``Content-Disposition`` written by hand named files by id (``order-{order_id}.pdf``) or
    hash (``{f.sha256[:16]}.bin``) and without an ASCII fallback."""
    allowed = {SRC / "core" / "downloads.py", SRC / "lib" / "filenames.py"}
    by_hand = [f"{p.relative_to(SRC)}:{n}" for p in SRC.rglob("*.py") if p not in allowed
               for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
               if re.search(r"Content-Disposition\"\]\s*=|content_disposition_header|FileResponse\(", line)]
    assert not by_hand, by_hand
