"""Names for downloaded files that say what they hold: the premises or roster and the date, never an internal
id (issue 11, fresh-user trial: ``job-2-results.csv``, ``pingan-code-2.png``, ``pingan-poster-2.pdf``).

Pure: no Django. The name keeps Chinese characters; the response header says it the RFC 6266 way
(:func:`content_disposition`: ``filename*=UTF-8''…``, RFC 5987's encoding, which every browser reads, after a
plain ASCII ``filename="…"`` — the name in pinyin — for a client that reads only that).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

#: What no file name on Windows, macOS or Linux may hold, and what a browser's save dialog would turn into "_":
#: path separators, reserved punctuation, control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_SPACES = re.compile(r"\s+")
#: Long enough for any premises and roster name, short of the 255-byte limit of most file systems in UTF-8.
MAX_STEM = 80


def _part(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text))
    text = _UNSAFE.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" .-")


def download_name(*parts: str, ext: str) -> str:
    """``"莲前东路8号 3单元502室-results-2026-12-07.csv"``: the non-empty ``parts`` made safe for a file name and
    joined by "-", cut to :data:`MAX_STEM` characters, then ``.ext``."""
    stem = "-".join(p for p in (_part(x) for x in parts) if p)[:MAX_STEM].rstrip(" .-") or "download"
    return f"{stem}.{ext}"


def ascii_name(name: str) -> str:
    """``name`` in ASCII for a client that cannot read an RFC 5987 name: Chinese characters in pinyin
    (``莲前出租屋-results-2026-12-07.csv`` → ``lianqianchuzuwu-results-2026-12-07.csv``), other letters without
    their accents, anything else left out; never a quote or a backslash (the header's quoted string)."""
    from pypinyin import lazy_pinyin

    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    said = "".join(lazy_pinyin(unicodedata.normalize("NFC", stem)))
    said = unicodedata.normalize("NFKD", said).encode("ascii", "ignore").decode()
    said = _SPACES.sub(" ", _UNSAFE.sub(" ", said.replace("\\", " "))).strip(" .-") or "download"
    return f"{said}.{ext}" if ext else said


def content_disposition(name: str, *, inline: bool = False) -> str:
    """The ``Content-Disposition`` value that offers ``name`` (RFC 6266): ``attachment; filename="…"`` for an
    ASCII name; else the ASCII fallback (:func:`ascii_name`) and ``filename*=UTF-8''…`` (RFC 5987), which a
    browser prefers. ``inline``: shown in the browser (a PDF), the name used when it is saved."""
    kind = "inline" if inline else "attachment"
    if name.isascii() and not _UNSAFE.search(name):
        return f'{kind}; filename="{name}"'
    return f"{kind}; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
