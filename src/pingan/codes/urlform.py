"""The URL form of a safety code: a link to the bureau's verification page with the code in the fragment.

``https://gaj.xm.gov.cn/verify/#1`` followed by the code's bytes in decimal digits. Any phone camera or WeChat
opens it as a link; the page reads ``location.hash`` — the fragment is never sent to the server (RFC 3986
§3.5) — and verifies the code in the browser, offline after one visit (docs/codes.md §12).

**Digits** (``b10encode``): the bytes after base45-decoding a ``PA1:`` text (the COSE_Sign1, or its zlib
stream when that is shorter) in groups of 7 bytes, each written as a 17-digit big-endian number (2^56 <
10^17), and a final group of k = 1…6 bytes as 3, 5, 8, 10, 13 or 15 digits (the fewest that hold 2^(8k) − 1,
so the length says k). The leading ``1`` is the format version. Digits are the one alphabet that every URL
parser, link detector and scanner leaves alone, and QR numeric mode stores them at 10 bits per 3 digits:
8.1 bits per byte, against 8.25 for base45 in alphanumeric mode — whose space and ``%`` are not allowed in a
URL anyway — and 10.7 for base64url in byte mode. The symbol is two segments: the page's URL and ``#`` in
byte mode, the fragment's digits in numeric mode (ISO/IEC 18004 §7.4: a symbol may mix modes). Measured choices:
``bench/qr_url_bench.py``.

This module imports no Django.
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: The format version written as the fragment's first character.
URL_FORMAT = "1"
#: Digits per number of bytes in a group (the fewest decimal digits that hold 256**k - 1).
GROUP_BYTES = 7
_DIGITS = {k: len(str(256 ** k - 1)) for k in range(1, GROUP_BYTES + 1)}  # 1:3 2:5 3:8 4:10 5:13 6:15 7:17
_BYTES_FOR = {d: k for k, d in _DIGITS.items()}
#: Longest fragment accepted (a code is ~130 bytes ≈ 320 digits; the decoder refuses anything far larger).
MAX_DIGITS = 12_000


class UrlFormError(ValueError):
    """A URL that is not the URL form of a safety code (``in_digits`` false: no fragment, another format), or
    whose digits are damaged (``in_digits`` true)."""

    def __init__(self, message: str, *, in_digits: bool = True) -> None:
        super().__init__(message)
        self.in_digits = in_digits


def b10encode(data: bytes) -> str:
    """``data`` as decimal digits, 7 bytes → 17 digits, a final k bytes → ``_DIGITS[k]`` digits."""
    out = []
    for i in range(0, len(data), GROUP_BYTES):
        group = data[i:i + GROUP_BYTES]
        out.append(str(int.from_bytes(group, "big")).zfill(_DIGITS[len(group)]))
    return "".join(out)


def b10decode(text: str) -> bytes:
    """Undo :func:`b10encode`. Raises :class:`UrlFormError` for a non-digit, a length no group count gives,
    or a group whose number does not fit its bytes."""
    if text and not (text.isascii() and text.isdigit()):
        raise UrlFormError("the code part of the link must be digits only")
    if len(text) > MAX_DIGITS:
        raise UrlFormError(f"the code part of the link is longer than {MAX_DIGITS} digits")
    full, rest = divmod(len(text), _DIGITS[GROUP_BYTES])
    if rest and rest not in _BYTES_FOR:
        raise UrlFormError(f"{len(text)} digits is not a length the encoding produces (cut off or damaged?)")
    out = bytearray()
    spans = [(i * 17, 17) for i in range(full)] + ([(full * 17, rest)] if rest else [])
    for start, width in spans:
        n, k = int(text[start:start + width]), _BYTES_FOR[width]
        if n >= 256 ** k:
            raise UrlFormError(f"digits {start + 1}–{start + width} encode {n}, more than {k} byte(s) hold")
        out += n.to_bytes(k, "big")
    return bytes(out)


def is_url_form(text: str) -> bool:
    """Whether ``text`` looks like a link (``http://`` or ``https://``, any case) rather than ``PA1:…``."""
    return text.lstrip()[:8].lower().startswith(("https://", "http://"))


def to_url(body: bytes, verify_url: str) -> str:
    """The URL form: ``verify_url`` (the page, without a fragment) + ``#1`` + the digits of ``body`` (the
    base45-decoded bytes of a ``PA1:`` text)."""
    if "#" in verify_url:
        raise ValueError("the verification URL must not have a fragment")
    return f"{verify_url}#{URL_FORMAT}{b10encode(body)}"


def fragment_bytes(url: str) -> bytes:
    """The code bytes in a URL form (``UrlFormError`` when it has no fragment of this format). The page's
    address is not checked here: whose key signed the code is what counts, not which host the link names."""
    url = url.strip()
    fragment = urlsplit(url).fragment
    if not fragment:
        raise UrlFormError("the link has no code after '#'", in_digits=False)
    if not fragment.startswith(URL_FORMAT):
        raise UrlFormError(f"the link's code is of format {fragment[:1]!r}, this verifier reads {URL_FORMAT!r}",
                           in_digits=False)
    return b10decode(fragment[len(URL_FORMAT):])


def qr_segments(url: str) -> list[tuple[str, str]]:
    """The QR segments of a URL form: the page's address and ``#`` in byte mode, the fragment (the format
    digit and the code's digits) in numeric mode (for ``segno.make_qr``)."""
    head, _, digits = url.rpartition("#")
    return [(f"{head}#", "byte"), (digits, "numeric")]
