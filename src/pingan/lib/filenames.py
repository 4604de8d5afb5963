"""Names for downloaded files that say what they hold: the premises or roster and the date, never an internal
id (issue 11, fresh-user trial: ``job-2-results.csv``, ``pingan-code-2.png``, ``pingan-poster-2.pdf``).

Pure: no Django. The name keeps Chinese characters; the response header says it the RFC 6266 way
(``filename*=utf-8''…``, :func:`django.utils.http.content_disposition_header`), which every browser reads.
"""

from __future__ import annotations

import re
import unicodedata

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
